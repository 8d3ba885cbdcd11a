// Durability across kill -9: a child process writes batches and reports each
// acknowledged one; the test kills it mid-stream with SIGKILL and checks that
// every acknowledged batch is in the reopened store and the file is sound.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "store/sqlite_connection.h"
#include "store/sqlite_store.h"
#include "store/store_records_for_test.h"

extern char** environ;

namespace vigil {
namespace {

// Runs store_crash_writer, reads at least `min_acks` acknowledged ids, kills
// it with SIGKILL, then reads what it printed before dying.
std::vector<std::string> WriteUntilKilled(const std::string& data_dir, const std::string& prefix,
                                          size_t min_acks) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
  std::string binary = VIGIL_STORE_CRASH_WRITER;
  std::vector<char*> argv = {binary.data(), const_cast<char*>(data_dir.c_str()),
                             const_cast<char*>(prefix.c_str()), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, binary.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  EXPECT_EQ(rc, 0) << "spawn " << binary;
  std::vector<std::string> acks;
  std::string pending;
  bool killed = false;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof(buffer))) > 0;) {
    pending.append(buffer, static_cast<size_t>(n));
    for (size_t end; (end = pending.find('\n')) != std::string::npos; pending.erase(0, end + 1)) {
      acks.push_back(pending.substr(0, end));
    }
    if (!killed && acks.size() >= min_acks) {
      ::kill(pid, SIGKILL);
      killed = true;
    }
  }
  ::close(fds[0]);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  EXPECT_TRUE(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)
      << "the writer exited by itself with status " << wstatus;
  return acks;
}

std::string IntegrityCheck(const std::string& db_path) {
  auto connection = SqliteConnection::Open(db_path, {});
  if (!connection.ok()) return std::string(connection.status().message());
  auto stmt = (*connection)->Prepare("PRAGMA integrity_check");
  if (!stmt.ok() || !*(*stmt)->Step()) return "integrity_check failed to run";
  return (*stmt)->ColumnText(0);
}

TEST(SqliteStoreCrashTest, EveryAcknowledgedBatchSurvivesKillNine) {
  ScopedTempDir dir;
  for (const std::string round : {"r1", "r2"}) {
    const std::vector<std::string> acks = WriteUntilKilled(dir.path(), round, 3000);
    ASSERT_GE(acks.size(), 3000u);
    EXPECT_EQ(IntegrityCheck(dir.path() + "/vigil.db"), "ok");
    auto store = OpenSqliteStore(dir.path());
    ASSERT_TRUE(store.ok()) << store.status();
    size_t missing = 0;
    for (const std::string& id : acks) {
      const StatusOr<bool> has_event = (*store)->HasEvent(id);
      const auto decision = (*store)->FindDecision("dec_" + id);
      if (!has_event.ok() || !*has_event || !decision.ok() || !decision->has_value()) {
        ADD_FAILURE() << "acknowledged batch " << id << " is missing";
        if (++missing == 5) break;
      }
    }
    EXPECT_GE(*(*store)->LastEventSeq(), static_cast<int64_t>(acks.size()));
  }
}

}  // namespace
}  // namespace vigil
