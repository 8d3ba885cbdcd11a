// store_crash_writer DATA_DIR PREFIX: writes batches (one event + one
// decision each) from two threads, forever, and prints the event id of every
// batch the store acknowledged as durable, one per line, to stdout. The
// crash test kills it with SIGKILL and checks that every printed id is in
// the store.
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <semaphore>
#include <string>
#include <thread>

#include "fmt/format.h"
#include "store/sqlite_store.h"

namespace {

void SubmitForever(vigil::Store& store, const std::string& prefix) {
  std::counting_semaphore<1024> window(256);  // batches in flight, like open requests
  for (int64_t n = 0;; ++n) {
    window.acquire();
    const std::string id = fmt::format("{}-{}", prefix, n);
    vigil::DecisionRecord decision;
    decision.decision_id = "dec_" + id;
    decision.subject_id = "ORD" + id;
    decision.kind = "order";
    decision.at = 1'760'000'000 + n;
    decision.document = std::string(2000, 'd');
    vigil::WriteBatch batch;
    batch.events.push_back({id, "order.placed", decision.at, "{}"});
    batch.decisions.push_back(std::move(decision));
    store.Submit(std::move(batch), [id, &window](vigil::StatusOr<vigil::WriteResult> result) {
      if (result.ok()) {
        const std::string line = id + "\n";  // one write: atomic on a pipe
        if (::write(STDOUT_FILENO, line.data(), line.size()) < 0) _exit(3);
      }
      window.release();
    });
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: store_crash_writer DATA_DIR PREFIX\n");
    return 2;
  }
  auto store = vigil::OpenSqliteStore(argv[1]);
  if (!store.ok()) {
    std::fprintf(stderr, "%s\n", std::string(store.status().message()).c_str());
    return 1;
  }
  const std::string prefix = argv[2];
  std::thread a([&] { SubmitForever(**store, prefix + "a"); });
  SubmitForever(**store, prefix + "b");
}
