// StaticFiles: the dashboard's pages (docs/dashboard.md, "Static files").
// GET / answers <web dir>/index.html and GET /assets/<path> answers
// <web dir>/assets/<path>: only regular files inside <web dir>/assets (no
// "..", no dot files, no symbolic link leading out), Content-Type by
// extension, a strong ETag (the first 128 bits of the SHA-256 of the
// content, hex), 304 for a matching If-None-Match, Cache-Control: no-cache,
// and the dashboard's security headers on every answer, errors included.
//
// A file is read when first asked for and kept in memory with its ETag; a
// later request re-reads it when its size or modification time changed, so
// a rebuilt web/ is served without a restart. The files hold no data (that
// comes from the API), so they are served without authentication.
// Thread-safe.
#ifndef VIGIL_SERVICE_STATIC_FILES_H_
#define VIGIL_SERVICE_STATIC_FILES_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "http/http_request.h"
#include "http/http_response.h"

namespace vigil {

class StaticFiles {
 public:
  static constexpr std::string_view kContentSecurityPolicy =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
      "frame-ancestors 'none'; form-action 'self'";

  // `dir` need not exist: then GET / answers 404 dashboard_missing, and the
  // API is unaffected.
  explicit StaticFiles(std::string dir);

  const std::string& dir() const { return dir_; }
  // Whether <dir>/index.html is a regular file now.
  bool Installed() const;

  // GET / and HEAD /.
  HttpResponse Index(const HttpRequest& request);
  // GET /assets/...: the file named by the request's path below /assets/.
  HttpResponse Asset(const HttpRequest& request);

  // Content-Security-Policy, X-Content-Type-Options and Referrer-Policy.
  static void AddSecurityHeaders(HttpResponse& response);

 private:
  struct File {
    std::uintmax_t size = 0;
    std::filesystem::file_time_type modified;
    std::shared_ptr<const std::string> content;
    std::string etag;
  };

  // The file at `path` (a regular file), from the cache or read now;
  // nullopt when it cannot be read.
  std::optional<File> Load(const std::filesystem::path& path);
  HttpResponse Serve(const HttpRequest& request, const std::filesystem::path& path);

  const std::string dir_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, File> cache_ ABSL_GUARDED_BY(mu_);  // by path
};

// The web directory: `configured` ([server] web_dir, else VIGIL_WEB_DIR, as
// ApplyEnvironment leaves it) when not empty, else "web" beside the running
// binary (where the build copies the repository's web/).
std::string ResolveWebDir(const std::string& configured);

// "text/javascript; charset=utf-8" for "app.js"; application/octet-stream
// for an extension the dashboard does not use.
std::string_view ContentTypeFor(std::string_view path);

// Whether an If-None-Match header value names `etag` (or is "*"); weak
// comparison, as RFC 9110 13.1.2 asks.
bool IfNoneMatchMatches(std::string_view header, std::string_view etag);

}  // namespace vigil

#endif  // VIGIL_SERVICE_STATIC_FILES_H_
