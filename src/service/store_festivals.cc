#include "service/store_festivals.h"

#include <filesystem>
#include <fstream>

#include "fmt/format.h"
#include "generate/festival_schedule.h"

namespace vigil {

StatusOr<std::string> EnsureStoreFestivals(const std::string& data_dir) {
  const std::filesystem::path path = std::filesystem::path(data_dir) / "festivals.csv";
  if (!std::filesystem::exists(path)) {
    std::ofstream out(path, std::ios::binary);
    out << EmbeddedFestivalCsv();
    if (!out.flush()) {
      return absl::PermissionDeniedError(fmt::format("cannot write {}", path.string()));
    }
  }
  return path.string();
}

}  // namespace vigil
