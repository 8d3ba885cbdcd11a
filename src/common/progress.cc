#include "common/progress.h"

#include <unistd.h>

#include <cstdio>

namespace vigil {

ProgressBar::ProgressBar(std::string label, int64_t total)
    : label_(std::move(label)), total_(total), enabled_(isatty(STDERR_FILENO) == 1) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(int64_t done) {
  last_done_ = done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  Draw(done);
}

void ProgressBar::Finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  Draw(total_ > 0 ? total_ : last_done_);
  std::fputc('\n', stderr);
}

void ProgressBar::Draw(int64_t done) {
  constexpr int kWidth = 30;
  if (total_ <= 0) {
    std::fprintf(stderr, "\r%-24s %lld", label_.c_str(), static_cast<long long>(done));
  } else {
    const double fraction = done >= total_ ? 1.0 : static_cast<double>(done) / total_;
    const int filled = static_cast<int>(fraction * kWidth);
    std::fprintf(stderr, "\r%-24s [%.*s%*s] %3d%%", label_.c_str(), filled,
                 "##############################", kWidth - filled, "",
                 static_cast<int>(fraction * 100));
  }
  std::fflush(stderr);
}

}  // namespace vigil
