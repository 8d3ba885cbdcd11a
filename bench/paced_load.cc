// paced_load: an open-loop load generator for `POST /v1/orders/score`, for
// the "p99 at N requests/s" budget.
//
// wrk paces a connection with delay(), which its event loop fires on a
// millisecond tick, so a paced wrk run sends its requests in bursts at the
// tick and measures from when each one was actually sent. This program
// intends request k for the time start + k / rate (a constant rate, as
// wrk2 does; wrk2 is not packaged by Debian), sends it on the first idle
// keep-alive connection, and measures its latency from the intended time:
// a request that waited for a connection because the server fell behind is
// charged for the wait (no coordinated omission). Every request is a new
// order for a random existing customer, as in bench/score_orders.lua.
//
//   paced_load --port P --key KEY [--rate 5000] [--duration 15 or 15s]
//              [--connections 64] [--customers 2500] [--warmup 2] [--dry-run]
//
// Prints the achieved rate and the latency percentiles of the requests
// intended after the warm-up.
// clang-format off
#include <utility>  // first: Boost 1.74's asio/awaitable.hpp uses std::exchange without it
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string key;
  double rate = 5000;
  double duration_s = 15;
  double warmup_s = 2;
  int connections = 64;
  int customers = 2500;
  bool dry_run = false;
};

class Load {
 public:
  Load(asio::io_context& io, Options options)
      : io_(io), options_(std::move(options)), timer_(io), rng_(12345) {}

  void Start() {
    const tcp::endpoint endpoint(asio::ip::make_address(options_.host),
                                 static_cast<unsigned short>(options_.port));
    endpoint_ = endpoint;
    for (int i = 0; i < options_.connections; ++i) {
      auto c = std::make_unique<Connection>(io_);
      Connect(c.get());
      idle_.push_back(c.get());
      connections_.push_back(std::move(c));
    }
    interval_ = std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(1.0 / options_.rate));
    start_ = Clock::now();
    total_ = static_cast<int64_t>(options_.rate * options_.duration_s);
    ScheduleNext();
  }

  void Report() const {
    std::vector<int64_t> latencies = latencies_us_;
    std::sort(latencies.begin(), latencies.end());
    const double seconds = std::chrono::duration<double>(finish_ - start_).count();
    std::printf(
        "intended %.0f requests/s for %.0f s over %d connections; %lld sent, %lld "
        "answered in %.2f s: %.0f requests/s; %lld errors\n",
        options_.rate, options_.duration_s, options_.connections, static_cast<long long>(next_),
        static_cast<long long>(answered_), seconds, static_cast<double>(answered_) / seconds,
        static_cast<long long>(errors_));
    if (reconnects_ > 0) {
      std::printf("%lld connections closed by the server while idle were opened again\n",
                  static_cast<long long>(reconnects_));
    }
    if (latencies.empty()) return;
    auto at = [&](double q) {
      const size_t i = std::min(latencies.size() - 1,
                                static_cast<size_t>(q * static_cast<double>(latencies.size())));
      return static_cast<double>(latencies[i]) / 1000.0;
    };
    std::printf("latency from the intended send time, %zu requests after a %.0f s warm-up:\n",
                latencies.size(), options_.warmup_s);
    std::printf(
        "  p50 %.3f ms  p75 %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  max %.3f ms\n",
        at(0.50), at(0.75), at(0.90), at(0.99), at(0.999),
        static_cast<double>(latencies.back()) / 1000.0);
  }

 private:
  struct Connection {
    explicit Connection(asio::io_context& io) : socket(io) {}
    tcp::socket socket;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::response<http::string_body> response;
    Clock::time_point intended;
  };

  // Queues every request whose time has come, then sleeps until the next.
  void ScheduleNext() {
    const Clock::time_point now = Clock::now();
    while (next_ < total_ && start_ + next_ * interval_ <= now) {
      due_.push_back(start_ + next_ * interval_);
      ++next_;
    }
    Dispatch();
    if (next_ >= total_) return;
    timer_.expires_at(start_ + next_ * interval_);
    timer_.async_wait([this](boost::system::error_code error) {
      if (!error) ScheduleNext();
    });
  }

  void Dispatch() {
    while (!due_.empty() && !idle_.empty()) {
      Connection* c = idle_.back();
      idle_.pop_back();
      c->intended = due_.front();
      due_.pop_front();
      Send(c);
    }
  }

  void Connect(Connection* c) {
    boost::system::error_code error;
    c->socket.connect(endpoint_, error);
    if (error) {
      std::fprintf(stderr, "paced_load: cannot connect to %s:%d: %s\n", options_.host.c_str(),
                   options_.port, error.message().c_str());
      std::exit(1);
    }
    c->socket.set_option(tcp::no_delay(true));
  }

  std::string NextBody() {
    ++order_;
    std::uniform_int_distribution<int> customer(1, options_.customers);
    std::uniform_int_distribution<int> product(1, 500);
    std::uniform_int_distribution<int> amount(200, 40000);
    static constexpr std::string_view kPayments[] = {"cod", "upi", "card", "cod", "upi"};
    std::uniform_int_distribution<int> payment(0, 4);
    const int who = customer(rng_);
    char body[512];
    std::snprintf(body, sizeof(body),
                  "{\"order_id\":\"PL%lld_%lld\",\"customer_id\":\"C%07d\","
                  "\"product_id\":\"P%05d\",\"amount\":%d.00,\"payment_method\":\"%s\","
                  "\"delivery_pincode\":\"560001\",\"device_id\":\"D%07d\"%s}",
                  static_cast<long long>(run_id_), static_cast<long long>(order_), who,
                  product(rng_), amount(rng_), kPayments[payment(rng_)].data(), who,
                  options_.dry_run ? ",\"dry_run\":true" : "");
    return body;
  }

  void Send(Connection* c) {
    c->request = {http::verb::post, "/v1/orders/score", 11};
    c->request.set(http::field::host, options_.host);
    c->request.set(http::field::content_type, "application/json");
    c->request.set("X-API-Key", options_.key);
    c->request.keep_alive(true);
    c->request.body() = NextBody();
    c->request.prepare_payload();
    Exchange(c, /*reconnected=*/false);
  }

  void Exchange(Connection* c, bool reconnected) {
    http::async_write(
        c->socket, c->request, [this, c, reconnected](beast::error_code error, size_t) {
          if (error) return Retry(c, error, reconnected);
          c->response = {};
          http::async_read(c->socket, c->buffer, c->response,
                           [this, c, reconnected](beast::error_code read_error, size_t) {
                             if (read_error) return Retry(c, read_error, reconnected);
                             Answered(c);
                           });
        });
  }

  // The server closes a keep-alive connection left idle for its idle
  // timeout (60 s by default). Idle connections are reused last in, first
  // out, so at a low rate some wait that long: such a connection is opened
  // again and its request sent again, once.
  void Retry(Connection* c, beast::error_code error, bool reconnected) {
    const bool closed_by_server =
        error == http::error::end_of_stream || error == asio::error::eof ||
        error == asio::error::connection_reset || error == asio::error::broken_pipe;
    if (reconnected || !closed_by_server) return Fail(c, error);
    boost::system::error_code ignored;
    c->socket.close(ignored);
    c->socket = tcp::socket(io_);
    c->buffer.consume(c->buffer.size());
    Connect(c);
    ++reconnects_;
    Exchange(c, /*reconnected=*/true);
  }

  void Answered(Connection* c) {
    const Clock::time_point now = Clock::now();
    ++answered_;
    finish_ = now;
    if (c->response.result() != http::status::ok) ++errors_;
    if (c->intended - start_ >= std::chrono::duration<double>(options_.warmup_s)) {
      latencies_us_.push_back(
          std::chrono::duration_cast<std::chrono::microseconds>(now - c->intended).count());
    }
    idle_.push_back(c);
    Dispatch();
  }

  void Fail(Connection*, beast::error_code error) {
    std::fprintf(stderr, "paced_load: %s\n", error.message().c_str());
    std::exit(1);
  }

  asio::io_context& io_;
  const Options options_;
  asio::steady_timer timer_;
  std::mt19937_64 rng_;
  const int64_t run_id_ = std::chrono::system_clock::now().time_since_epoch().count() / 1000;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> idle_;
  std::deque<Clock::time_point> due_;
  Clock::duration interval_{};
  Clock::time_point start_;
  Clock::time_point finish_;
  int64_t total_ = 0;
  int64_t next_ = 0;
  int64_t order_ = 0;
  int64_t answered_ = 0;
  int64_t errors_ = 0;
  int64_t reconnects_ = 0;
  tcp::endpoint endpoint_;
  std::vector<int64_t> latencies_us_;
};

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (flag == "--dry-run") {
      o.dry_run = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "paced_load: %s needs a value\n", argv[i]);
      std::exit(2);
    }
    const char* value = argv[++i];
    // A number, whole for the integer flags; seconds may end in "s" (wrk's "15s").
    auto number = [&](bool seconds) {
      char* end = nullptr;
      const double x = std::strtod(value, &end);
      const bool unit = seconds && end[0] == 's' && end[1] == '\0';
      if (end == value || (*end != '\0' && !unit)) {
        std::fprintf(stderr, "paced_load: %s takes a number, not '%s'\n", argv[i - 1], value);
        std::exit(2);
      }
      return x;
    };
    if (flag == "--host") {
      o.host = value;
    } else if (flag == "--key") {
      o.key = value;
    } else if (flag == "--port") {
      o.port = static_cast<int>(number(false));
    } else if (flag == "--rate") {
      o.rate = number(false);
    } else if (flag == "--duration") {
      o.duration_s = number(true);
    } else if (flag == "--warmup") {
      o.warmup_s = number(true);
    } else if (flag == "--connections") {
      o.connections = static_cast<int>(number(false));
    } else if (flag == "--customers") {
      o.customers = static_cast<int>(number(false));
    } else {
      std::fprintf(stderr, "paced_load: unknown flag %s\n", argv[i - 1]);
      std::exit(2);
    }
  }
  if (o.port <= 0 || o.rate <= 0 || o.duration_s <= 0 || o.connections <= 0 || o.customers <= 0) {
    std::fprintf(stderr,
                 "usage: paced_load --port P --key KEY [--rate 5000] [--duration 15] "
                 "[--connections 64] [--customers 2500] [--warmup 2] [--dry-run]\n");
    std::exit(2);
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = Parse(argc, argv);
  asio::io_context io(1);
  Load load(io, options);
  load.Start();
  io.run();
  load.Report();
}
