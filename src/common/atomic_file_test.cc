#include "common/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace vigil {
namespace {

namespace fs = std::filesystem;

class AtomicFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("vigil_atomic_file_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_F(AtomicFileTest, WritesThenReplacesContentLeavingNoTemporaries) {
  const std::string path = (dir_ / "a.json").string();
  ASSERT_TRUE(WriteFileAtomically(path, "first").ok());
  ASSERT_TRUE(WriteFileAtomically(path, std::string("sec\0nd", 6)).ok());
  auto content = ReadFileToString(path);
  ASSERT_TRUE(content.ok());
  EXPECT_EQ(*content, std::string("sec\0nd", 6));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(AtomicFileTest, ReadingAMissingFileIsNotFound) {
  auto content = ReadFileToString((dir_ / "missing").string());
  EXPECT_EQ(content.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(content.status().message().find("missing"), std::string::npos);
}

TEST_F(AtomicFileTest, WritingIntoAMissingDirectoryFails) {
  Status status = WriteFileAtomically((dir_ / "no" / "file").string(), "x");
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(status.message().find("cannot create a temporary file for"), std::string::npos);
}

TEST_F(AtomicFileTest, AFileWrittenUnderATemporaryNameReplacesTheTarget) {
  const std::string path = (dir_ / "graph.bin").string();
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  const std::string temp = TemporaryPathNear(path);
  EXPECT_NE(temp, TemporaryPathNear(path));  // unique per call
  EXPECT_EQ(fs::path(temp).parent_path(), dir_);
  {
    std::ofstream out(temp, std::ios::binary);
    out << "new";
  }
  ASSERT_TRUE(SyncAndRename(temp, path).ok());
  EXPECT_EQ(ReadFileToString(path).value(), "new");
  EXPECT_FALSE(fs::exists(temp));
}

TEST_F(AtomicFileTest, SyncAndRenameOfAMissingTemporaryFailsAndKeepsTheTarget) {
  const std::string path = (dir_ / "graph.bin").string();
  ASSERT_TRUE(WriteFileAtomically(path, "old").ok());
  const Status status = SyncAndRename(TemporaryPathNear(path), path);
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadFileToString(path).value(), "old");
}

}  // namespace
}  // namespace vigil
