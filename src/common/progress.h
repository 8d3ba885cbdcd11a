// ProgressBar: a one-line progress display on stderr for long work, shown
// only when stderr is a terminal (logs and CI stay clean). Not thread-safe.
#ifndef VIGIL_COMMON_PROGRESS_H_
#define VIGIL_COMMON_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace vigil {

class ProgressBar {
 public:
  // `total` is in the caller's units (bytes, rows); 0 means unknown.
  ProgressBar(std::string label, int64_t total);
  ~ProgressBar();  // finishes the line
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Cheap to call often: redraws at most ten times a second.
  void Update(int64_t done);
  void Finish();

 private:
  void Draw(int64_t done);

  std::string label_;
  int64_t total_;
  bool enabled_;
  bool finished_ = false;
  int64_t last_done_ = 0;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace vigil

#endif  // VIGIL_COMMON_PROGRESS_H_
