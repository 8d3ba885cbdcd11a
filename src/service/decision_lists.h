// DecisionLists: the allow and block lists that override the model. An entry
// names a field (customer, device, pincode, phone) and a value; a decision
// whose subject matches a block entry is blocked (orders) or denied
// (returns), one matching an allow entry is allowed or refunded at once, and
// the explanation says which entry decided and why. Block wins over allow.
//
// The lists live in the store (so they survive restarts) and in memory here
// (so a check costs a hash lookup). Thread-safe.
#ifndef VIGIL_SERVICE_DECISION_LISTS_H_
#define VIGIL_SERVICE_DECISION_LISTS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "store/store.h"

namespace vigil {

// The values of a decision's subject that lists may name.
struct ListSubject {
  std::string_view customer, device, pincode, phone;
};

class DecisionLists {
 public:
  explicit DecisionLists(Store* store) : store_(store) {}

  // Reads every entry from the store.
  Status Load();
  // Validates ("allow"/"block", a known field, a non-empty value), stores,
  // then serves the entry. Errors are FieldErrors.
  Status Put(ListEntry entry);
  // NotFound when there is no such entry.
  Status Remove(std::string_view list, std::string_view field, std::string_view value);
  std::vector<ListEntry> Entries() const;

  // The entry that decides for `subject`: a block entry if any matches, else
  // an allow entry, else none.
  std::optional<ListEntry> Match(const ListSubject& subject) const;

 private:
  static std::string Key(std::string_view list, std::string_view field, std::string_view value);

  Store* const store_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, ListEntry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace vigil

#endif  // VIGIL_SERVICE_DECISION_LISTS_H_
