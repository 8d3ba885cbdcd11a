#include "data/catalog.h"

namespace vigil {

namespace {
// Debian's Abseil has its own string_view type; heterogeneous lookup needs it.
absl::string_view Key(std::string_view s) { return absl::string_view(s.data(), s.size()); }
}  // namespace

uint32_t IdTable::Intern(std::string_view name) {
  if (name.empty()) return kNoId;
  const auto [it, inserted] = ids_.try_emplace(Key(name), static_cast<uint32_t>(names_.size()));
  if (inserted) names_.emplace_back(name);
  return it->second;
}

uint32_t IdTable::Find(std::string_view name) const {
  const auto it = ids_.find(Key(name));
  return it == ids_.end() ? kNoId : it->second;
}

}  // namespace vigil
