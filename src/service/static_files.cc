#include "service/static_files.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <utility>

#include "common/percent_encoding.h"
#include "common/sha256.h"
#include "fmt/format.h"

namespace vigil {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kAssetsPrefix = "/assets/";

// The path below /assets/, decoded, when every segment is a plain name:
// not empty, not starting with '.' (so no "." or ".." and no dot files),
// without a backslash or NUL.
std::optional<std::string> AssetRelativePath(std::string_view raw) {
  std::string decoded;
  PercentDecode(raw, false, &decoded);
  std::string_view rest = decoded;
  if (rest.empty()) return std::nullopt;
  while (true) {
    const size_t slash = rest.find('/');
    const std::string_view segment = rest.substr(0, slash);
    if (segment.empty() || segment.front() == '.' ||
        segment.find_first_of(std::string_view("\\\0", 2)) != std::string_view::npos) {
      return std::nullopt;
    }
    if (slash == std::string_view::npos) return decoded;
    rest.remove_prefix(slash + 1);
  }
}

// Whether `path` is `root` or below it (both canonical).
bool IsWithin(const fs::path& root, const fs::path& path) {
  auto [r, p] = std::mismatch(root.begin(), root.end(), path.begin(), path.end());
  return r == root.end();
}

HttpResponse NotFound(std::string_view code, std::string_view message) {
  HttpResponse response = ErrorResponse(404, code, message);
  response.headers.emplace_back("Cache-Control", "no-cache");
  StaticFiles::AddSecurityHeaders(response);
  return response;
}

}  // namespace

StaticFiles::StaticFiles(std::string dir) : dir_(std::move(dir)) {}

bool StaticFiles::Installed() const {
  std::error_code ec;
  return fs::is_regular_file(fs::path(dir_) / "index.html", ec);
}

void StaticFiles::AddSecurityHeaders(HttpResponse& response) {
  response.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
}

HttpResponse StaticFiles::Index(const HttpRequest& request) {
  if (!Installed()) {
    return NotFound("dashboard_missing",
                    "the dashboard's files are missing on this server (no index.html in its web "
                    "directory); the API works without them. Set [server] web_dir or "
                    "VIGIL_WEB_DIR, or build vigil from a checkout with web/");
  }
  return Serve(request, fs::path(dir_) / "index.html");
}

HttpResponse StaticFiles::Asset(const HttpRequest& request) {
  const std::string_view path = request.path();
  const auto relative = path.starts_with(kAssetsPrefix)
                            ? AssetRelativePath(path.substr(kAssetsPrefix.size()))
                            : std::nullopt;
  auto not_found = [&] {
    return NotFound("not_found", fmt::format("no dashboard file {}", request.path()));
  };
  if (!relative.has_value()) return not_found();
  // Canonical paths resolve symbolic links: one may point within assets/,
  // never out of it.
  std::error_code ec;
  const fs::path root = fs::canonical(fs::path(dir_) / "assets", ec);
  if (ec) return not_found();
  const fs::path file = fs::canonical(root / *relative, ec);
  if (ec || !IsWithin(root, file) || !fs::is_regular_file(file, ec)) return not_found();
  return Serve(request, file);
}

HttpResponse StaticFiles::Serve(const HttpRequest& request, const fs::path& path) {
  const std::optional<File> file = Load(path);
  if (!file.has_value()) {
    return NotFound("not_found", fmt::format("no dashboard file {}", request.path()));
  }
  HttpResponse response;
  response.headers.emplace_back("ETag", file->etag);
  response.headers.emplace_back("Cache-Control", "no-cache");
  AddSecurityHeaders(response);
  if (IfNoneMatchMatches(request.Header("If-None-Match").value_or(""), file->etag)) {
    response.status = 304;
    response.content_type.clear();
    return response;
  }
  response.content_type = std::string(ContentTypeFor(path.filename().string()));
  response.body = *file->content;
  return response;
}

std::optional<StaticFiles::File> StaticFiles::Load(const fs::path& path) {
  std::error_code ec;
  File file;
  file.size = fs::file_size(path, ec);
  if (ec) return std::nullopt;
  file.modified = fs::last_write_time(path, ec);
  if (ec) return std::nullopt;
  const std::string key = path.string();
  {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(key);
    if (it != cache_.end() && it->second.size == file.size &&
        it->second.modified == file.modified) {
      return it->second;
    }
  }
  // A change between the stat above and this read leaves content newer than
  // the recorded size and time: the next request reads it again, no harm.
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  file.etag = fmt::format("\"{}\"", Sha256Hex(content).substr(0, 32));
  file.content = std::make_shared<const std::string>(std::move(content));
  absl::MutexLock lock(&mu_);
  cache_[key] = file;
  return file;
}

std::string ResolveWebDir(const std::string& configured) {
  if (!configured.empty()) return configured;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return "web";
  return (exe.parent_path() / "web").string();
}

std::string_view ContentTypeFor(std::string_view path) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".json", "application/json"},
      {".woff2", "font/woff2"},
      {".map", "application/json"},
  }};
  for (const auto& [extension, type] : kTypes) {
    if (path.ends_with(extension)) return type;
  }
  return "application/octet-stream";
}

bool IfNoneMatchMatches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    const size_t comma = header.find(',');
    std::string_view tag = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return true;
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (!tag.empty() && tag == etag) return true;
  }
  return false;
}

}  // namespace vigil
