#include "features/entity_state.h"

#include <algorithm>

namespace vigil {

bool RecentIds::Touch(uint32_t id, Timestamp at) {
  const CompactTime when = ToCompact(at);
  for (Item& item : items) {
    if (item.id == id) {
      item.last_seen = std::max(item.last_seen, when);
      return false;
    }
  }
  if (items.size() == kMax) {
    // Forget the id seen longest ago.
    Item* oldest = std::min_element(items.begin(), items.end(), [](const Item& a, const Item& b) {
      return a.last_seen < b.last_seen;
    });
    *oldest = {id, when};
  } else {
    items.push_back({id, when});
  }
  return true;
}

bool RecentIds::Contains(uint32_t id) const {
  return std::any_of(items.begin(), items.end(), [id](const Item& item) { return item.id == id; });
}

int RecentIds::CountSince(Timestamp since) const {
  return static_cast<int>(std::count_if(items.begin(), items.end(), [since](const Item& item) {
    return FromCompact(item.last_seen) > since;
  }));
}

int RecentIds::CountSince(Timestamp since, uint32_t tag) const {
  return static_cast<int>(std::count_if(items.begin(), items.end(), [&](const Item& item) {
    return (item.id & kPincodeTag) == tag && FromCompact(item.last_seen) > since;
  }));
}

}  // namespace vigil
