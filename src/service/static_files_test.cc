// The dashboard's static files (docs/dashboard.md, "Static files") served by a
// real `vigil serve` on a free port from a scratch web directory, requested
// over real sockets with raw targets (no client normalises "..").
#include "service/static_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "common/sha256.h"
#include "http/test_http_client.h"
#include "nlohmann/json.hpp"
#include "service/serve_config.h"
#include "service/service_fixture_for_test.h"
#include "service/vigil_server.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using testing::ScratchDir;

constexpr std::string_view kIndex =
    "<!doctype html><html><head><title>Vigil</title>"
    "<script type=\"module\" src=\"/assets/app.js\"></script></head><body></body></html>\n";
constexpr std::string_view kApp = "export const answer = 42;\n";
constexpr std::string_view kSecret = "secret contents";

void WriteFile(const fs::path& path, std::string_view content) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << content;
}

std::string ETagOf(std::string_view content) {
  return fmt::format("\"{}\"", Sha256Hex(content).substr(0, 32));
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "models");
    config_.data_dir = dir_ / "data";
    config_.models_dir = dir_ / "models";
    config_.port = 0;
    config_.access_log = false;
    config_.similar_capacity = 0;
    config_.web_dir = web_;
    WriteFile(fs::path(web_) / "index.html", kIndex);
    WriteFile(fs::path(web_) / "assets/app.js", kApp);
    WriteFile(fs::path(web_) / "assets/css/site.css", "body { margin: 0; }\n");
    WriteFile(fs::path(web_) / "assets/icons/logo.svg", "<svg/>");
    WriteFile(fs::path(web_) / "assets/notes.xyz", "plain bytes");
    WriteFile(fs::path(web_) / "assets/.env", kSecret);
    WriteFile(fs::path(web_) / "secret.txt", kSecret);
    WriteFile(dir_ / "outside.txt", kSecret);
    fs::create_symlink(dir_ / "outside.txt", fs::path(web_) / "assets/escape.js");
    fs::create_symlink(fs::path(web_) / "assets/app.js", fs::path(web_) / "assets/alias.js");
  }

  void Start() {
    auto server = VigilServer::Start(config_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }

  TestHttpResponse Get(std::string_view target, std::string_view headers = "") {
    TestHttpClient client(server_->port());
    auto response = client.Request("GET", target, "", headers);
    EXPECT_TRUE(response.has_value()) << target;
    return response.value_or(TestHttpResponse{});
  }

  static void ExpectDashboardHeaders(const TestHttpResponse& r) {
    EXPECT_EQ(r.Header("Content-Security-Policy"),
              "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
              "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
              "frame-ancestors 'none'; form-action 'self'");
    EXPECT_EQ(r.Header("X-Content-Type-Options"), "nosniff");
    EXPECT_EQ(r.Header("Referrer-Policy"), "no-referrer");
    EXPECT_EQ(r.Header("Cache-Control"), "no-cache");
  }

  ScratchDir dir_{"static_files"};
  std::string web_ = dir_ / "web";
  ServeConfig config_;
  std::unique_ptr<VigilServer> server_;
};

TEST_F(StaticFilesTest, ServesTheIndexWithTheDashboardsHeadersAndAStrongETag) {
  Start();
  TestHttpResponse r = Get("/");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body, kIndex);
  EXPECT_EQ(r.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.Header("ETag"), ETagOf(kIndex));
  ExpectDashboardHeaders(r);
}

TEST_F(StaticFilesTest, AnswersHeadOfTheIndexWithoutABody) {
  Start();
  TestHttpClient client(server_->port());
  ASSERT_TRUE(client.Send("HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  auto r = client.Read(/*head=*/true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  EXPECT_EQ(r->Header("ETag"), ETagOf(kIndex));
  ExpectDashboardHeaders(*r);
}

TEST_F(StaticFilesTest, AnswersNotModifiedForAMatchingETag) {
  Start();
  const std::string etag = ETagOf(kApp);
  for (const std::string& header : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    TestHttpResponse r = Get("/assets/app.js", "If-None-Match: " + header + "\r\n");
    EXPECT_EQ(r.status, 304) << header;
    EXPECT_EQ(r.body, "");
    EXPECT_EQ(r.Header("ETag"), etag);
    ExpectDashboardHeaders(r);
  }
  TestHttpResponse changed = Get("/assets/app.js", "If-None-Match: \"other\"\r\n");
  EXPECT_EQ(changed.status, 200);
  EXPECT_EQ(changed.body, kApp);
  TestHttpResponse index = Get("/", "If-None-Match: " + ETagOf(kIndex) + "\r\n");
  EXPECT_EQ(index.status, 304);
}

TEST_F(StaticFilesTest, ServesAssetsWithTheirContentType) {
  Start();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/assets/app.js", "text/javascript; charset=utf-8"},
      {"/assets/css/site.css", "text/css; charset=utf-8"},
      {"/assets/icons/logo.svg", "image/svg+xml"},
      {"/assets/alias.js", "text/javascript; charset=utf-8"},  // a link within assets/
      {"/assets/notes.xyz", "application/octet-stream"},       // unknown: never sniffed
      {"/assets/app.js?v=2", "text/javascript; charset=utf-8"},
      {"/assets/%61pp.js", "text/javascript; charset=utf-8"},
  };
  for (const auto& [target, type] : cases) {
    TestHttpResponse r = Get(target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    EXPECT_EQ(r.Header("Content-Type"), type) << target;
    ExpectDashboardHeaders(r);
  }
}

TEST_F(StaticFilesTest, RefusesEverythingButRegularFilesUnderAssets) {
  Start();
  for (const char* target : {
           "/assets/../secret.txt",
           "/assets/%2e%2e/secret.txt",
           "/assets/%2E%2E/secret.txt",
           "/assets/%2e%2e%2fsecret.txt",
           "/assets/css/../../secret.txt",
           "/assets/css/%2e%2e/%2e%2e/secret.txt",
           "/assets/..%5csecret.txt",
           "/assets/./app.js",
           "/assets/.env",
           "/assets/escape.js",  // a symbolic link out of assets/
           "/assets/css",        // a directory
           "/assets/missing.js",
           "/assets/app.js%00.css",
           "/assets/%2fetc%2fpasswd",
           "/assets//etc/passwd",
           "/assets/",
           "/index.html",
       }) {
    TestHttpResponse r = Get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_THAT(r.body, Not(HasSubstr(kSecret))) << target;
    EXPECT_THAT(r.body, Not(HasSubstr("root:"))) << target;
  }
  TestHttpResponse r = Get("/assets/%2e%2e/secret.txt");
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "not_found");
  ExpectDashboardHeaders(r);
}

TEST_F(StaticFilesTest, ServesAChangedFileWithANewETag) {
  Start();
  ASSERT_EQ(Get("/assets/app.js").Header("ETag"), ETagOf(kApp));
  const std::string changed = "export const answer = 43; // and longer\n";
  WriteFile(fs::path(web_) / "assets/app.js", changed);
  TestHttpResponse r = Get("/assets/app.js", "If-None-Match: " + ETagOf(kApp) + "\r\n");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, changed);
  EXPECT_EQ(r.Header("ETag"), ETagOf(changed));
}

TEST_F(StaticFilesTest, WithoutItsFilesTheDashboardSaysSoAndTheApiKeepsWorking) {
  config_.web_dir = dir_ / "no_such_dir";
  Start();
  TestHttpResponse r = Get("/");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  json body = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body["error"]["code"], "dashboard_missing");
  EXPECT_THAT(body["error"]["message"].get<std::string>(),
              HasSubstr("the dashboard's files are missing"));
  ExpectDashboardHeaders(r);
  EXPECT_EQ(Get("/assets/app.js").status, 404);
  EXPECT_EQ(Get("/healthz").status, 200);
  EXPECT_EQ(Get("/v1/customers/C1").status, 401);
}

TEST(ResolveWebDir, IsTheConfiguredDirectoryElseWebBesideTheBinary) {
  EXPECT_EQ(ResolveWebDir("/srv/vigil/web"), "/srv/vigil/web");
  EXPECT_EQ(fs::path(ResolveWebDir("")), fs::read_symlink("/proc/self/exe").parent_path() / "web");
}

TEST(ContentTypeFor, CoversTheDashboardsExtensions) {
  EXPECT_EQ(ContentTypeFor("index.html"), "text/html; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("app.mjs"), "text/javascript; charset=utf-8");
  EXPECT_EQ(ContentTypeFor("logo.png"), "image/png");
  EXPECT_EQ(ContentTypeFor("data.json"), "application/json");
  EXPECT_EQ(ContentTypeFor("app.js.map"), "application/json");
  EXPECT_EQ(ContentTypeFor("inter.woff2"), "font/woff2");
  EXPECT_EQ(ContentTypeFor("README"), "application/octet-stream");
  EXPECT_EQ(ContentTypeFor("archive.js.gz"), "application/octet-stream");
}

TEST(IfNoneMatchMatches, ComparesWeaklyAgainstAList) {
  EXPECT_TRUE(IfNoneMatchMatches("\"abc\"", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchMatches("W/\"abc\"", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchMatches("\"x\" , \"abc\"", "\"abc\""));
  EXPECT_TRUE(IfNoneMatchMatches("*", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchMatches("\"abcd\"", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchMatches("abc", "\"abc\""));
  EXPECT_FALSE(IfNoneMatchMatches("", "\"abc\""));
}

// [server] web_dir wins over VIGIL_WEB_DIR (docs/dashboard.md), which applies
// when the file sets none.
TEST(ServeConfigWebDir, ComesFromTheFileElseTheEnvironment) {
  ScratchDir dir("web_dir_config");
  std::ofstream(dir / "vigil.toml")
      << "[server]\nweb_dir = \"/from/file\"\nsecure_cookies = true\n";
  auto from_file = LoadServeConfig(dir / "vigil.toml");
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  EXPECT_TRUE(from_file->secure_cookies);
  setenv("VIGIL_WEB_DIR", "/from/env", 1);
  ASSERT_TRUE(ApplyEnvironment(&*from_file).ok());
  EXPECT_EQ(from_file->web_dir, "/from/file");
  ServeConfig defaults;
  EXPECT_FALSE(defaults.secure_cookies);
  ASSERT_TRUE(ApplyEnvironment(&defaults).ok());
  EXPECT_EQ(defaults.web_dir, "/from/env");
  unsetenv("VIGIL_WEB_DIR");
}

}  // namespace
}  // namespace vigil
