#include "store/store.h"

#include <utility>

#include "absl/synchronization/notification.h"

namespace vigil {

StatusOr<WriteResult> Store::Write(WriteBatch batch) {
  absl::Notification done;
  StatusOr<WriteResult> result;
  Submit(std::move(batch), [&](StatusOr<WriteResult> r) {
    result = std::move(r);
    done.Notify();
  });
  done.WaitForNotification();
  return result;
}

}  // namespace vigil
