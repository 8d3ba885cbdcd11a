// The third-party and standard headers most of src/ includes, precompiled
// once by scripts/thread_safety.sh (with their templates instantiated) and
// put ahead of every file it analyses: three times quicker than parsing
// them per file. Nothing of Vigil's own belongs here: its headers must be
// analysed in each file that includes them. Not compiled into anything.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
