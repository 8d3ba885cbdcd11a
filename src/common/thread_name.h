// NameThisThread: the calling thread's name as `top -H`, `ps -L`, perf and
// gdb show it ("vigil-io", "vigil-store", ...), so an operator can tell
// which of the server's threads is busy. Linux keeps 15 bytes of it.
#ifndef VIGIL_COMMON_THREAD_NAME_H_
#define VIGIL_COMMON_THREAD_NAME_H_

#include <pthread.h>

#include <string>
#include <string_view>

namespace vigil {

inline void NameThisThread(std::string_view name) {
  const std::string truncated(name.substr(0, 15));
  pthread_setname_np(pthread_self(), truncated.c_str());
}

}  // namespace vigil

#endif  // VIGIL_COMMON_THREAD_NAME_H_
