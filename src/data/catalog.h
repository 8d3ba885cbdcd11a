// Catalog: interns the string ids of the marketplace (customers, products,
// orders, ...) into dense uint32 ids, so that feature state lives in flat
// arrays and events are small. Ids are handed out in first-seen order.
// Not thread-safe; the owner serialises access.
#ifndef VIGIL_DATA_CATALOG_H_
#define VIGIL_DATA_CATALOG_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "data/event.h"

namespace vigil {

enum class Entity : uint8_t {
  kCustomer,
  kProduct,
  kSeller,
  kCategory,
  kOrder,
  kReturn,
  kDevice,
  kPincode,
  kSize,
  kMerchant,  // a card transaction's merchant or terminal
  kLocation,  // a card transaction's location
  kCount,
};

class IdTable {
 public:
  // The dense id of `name`, created if new. An empty name has no id (kNoId).
  uint32_t Intern(std::string_view name);
  // The dense id of `name`, or kNoId when never seen.
  uint32_t Find(std::string_view name) const;
  const std::string& Name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

 private:
  absl::flat_hash_map<std::string, uint32_t> ids_;
  std::vector<std::string> names_;
};

class Catalog {
 public:
  IdTable& table(Entity e) { return tables_[static_cast<size_t>(e)]; }
  const IdTable& table(Entity e) const { return tables_[static_cast<size_t>(e)]; }
  uint32_t Intern(Entity e, std::string_view name) { return table(e).Intern(name); }
  uint32_t Find(Entity e, std::string_view name) const { return table(e).Find(name); }
  const std::string& Name(Entity e, uint32_t id) const { return table(e).Name(id); }

 private:
  std::array<IdTable, static_cast<size_t>(Entity::kCount)> tables_;
};

}  // namespace vigil

#endif  // VIGIL_DATA_CATALOG_H_
