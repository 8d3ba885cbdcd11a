#include "service/decision_lists.h"

#include <algorithm>
#include <array>

#include "common/field_error.h"

namespace vigil {
namespace {

constexpr std::array<std::string_view, 4> kFields = {"customer", "device", "pincode", "phone"};

}  // namespace

std::string DecisionLists::Key(std::string_view list, std::string_view field,
                               std::string_view value) {
  return fmt::format("{}\x1f{}\x1f{}", list, field, value);
}

Status DecisionLists::Load() {
  ASSIGN_OR_RETURN(std::vector<ListEntry> entries, store_->ListEntries());
  absl::MutexLock lock(&mu_);
  entries_.clear();
  for (ListEntry& e : entries) {
    std::string key = Key(e.list, e.field, e.value);
    entries_[std::move(key)] = std::move(e);
  }
  return absl::OkStatus();
}

Status DecisionLists::Put(ListEntry entry) {
  if (entry.list != "allow" && entry.list != "block") {
    return FieldError("list", "must be allow or block");
  }
  if (std::find(kFields.begin(), kFields.end(), entry.field) == kFields.end()) {
    return FieldError("field", "must be customer, device, pincode or phone");
  }
  if (entry.value.empty()) return FieldError("value", "must not be empty");
  if (entry.value.size() > 128) return FieldError("value", "is longer than 128 characters");
  if (entry.reason.size() > 500) return FieldError("reason", "is longer than 500 characters");
  RETURN_IF_ERROR(store_->PutListEntry(entry));
  std::string key = Key(entry.list, entry.field, entry.value);
  absl::MutexLock lock(&mu_);
  entries_[std::move(key)] = std::move(entry);
  return absl::OkStatus();
}

Status DecisionLists::Remove(std::string_view list, std::string_view field,
                             std::string_view value) {
  ASSIGN_OR_RETURN(const bool removed, store_->RemoveListEntry(list, field, value));
  absl::MutexLock lock(&mu_);
  const bool had = entries_.erase(Key(list, field, value)) > 0;
  if (!removed && !had) {
    return absl::NotFoundError(fmt::format("no {} entry for {} '{}'", list, field, value));
  }
  return absl::OkStatus();
}

std::vector<ListEntry> DecisionLists::Entries() const {
  absl::MutexLock lock(&mu_);
  std::vector<ListEntry> out;
  out.reserve(entries_.size());
  for (const auto& [key, entry] : entries_) out.push_back(entry);
  std::sort(out.begin(), out.end(), [](const ListEntry& a, const ListEntry& b) {
    return std::tie(a.list, a.field, a.value) < std::tie(b.list, b.field, b.value);
  });
  return out;
}

std::optional<ListEntry> DecisionLists::Match(const ListSubject& subject) const {
  const std::array<std::string_view, 4> values = {subject.customer, subject.device, subject.pincode,
                                                  subject.phone};
  absl::MutexLock lock(&mu_);
  if (entries_.empty()) return std::nullopt;
  for (std::string_view list : {"block", "allow"}) {
    for (size_t i = 0; i < kFields.size(); ++i) {
      if (values[i].empty()) continue;
      auto it = entries_.find(Key(list, kFields[i], values[i]));
      if (it != entries_.end()) return it->second;
    }
  }
  return std::nullopt;
}

}  // namespace vigil
