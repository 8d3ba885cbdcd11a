#include "features/entity_state.h"

#include <algorithm>

namespace vigil {

bool RecentIds::Touch(uint32_t id, Timestamp at) {
  for (auto& [known, seen] : items) {
    if (known == id) {
      seen = std::max(seen, at);
      return false;
    }
  }
  if (items.size() == kMax) {
    // Forget the id seen longest ago.
    auto oldest = std::min_element(items.begin(), items.end(), [](const auto& a, const auto& b) {
      return a.second < b.second;
    });
    *oldest = {id, at};
  } else {
    items.emplace_back(id, at);
  }
  return true;
}

bool RecentIds::Contains(uint32_t id) const {
  return std::any_of(items.begin(), items.end(),
                     [id](const auto& item) { return item.first == id; });
}

int RecentIds::CountSince(Timestamp since) const {
  return static_cast<int>(std::count_if(items.begin(), items.end(),
                                        [since](const auto& item) { return item.second > since; }));
}

}  // namespace vigil
