#include "seed/lake_replay.h"

#include <thread>
#include <utility>

#include "common/progress.h"
#include "data/raw_event.h"
#include "fmt/format.h"
#include "narrate/url.h"
#include "nlohmann/json.hpp"
#include "seed/api_poster.h"
#include "service/event_json.h"

namespace vigil {
namespace {

using nlohmann::json;

constexpr size_t kEventsPerBody = 500;  // well under the server's NDJSON line limit
constexpr size_t kProblemsKept = 5;

bool IsScored(EventType type) {
  return type == EventType::kOrderPlaced || type == EventType::kReturnRequested;
}

// A score request from the event's canonical JSON: the same fields, its time
// as `ordered_at` / `requested_at`.
std::string ScoreBody(const RawEvent& event) {
  json body = json::parse(EncodeEvent(DefaultEventId(event), event));
  body.erase("event_id");
  body.erase("type");
  body[event.type == EventType::kOrderPlaced ? "ordered_at" : "requested_at"] = body["at"];
  body.erase("at");
  return body.dump();
}

class Replayer {
 public:
  Replayer(const ReplayRequest& request, ApiPoster poster, ReplaySummary* summary)
      : request_(request), poster_(std::move(poster)), summary_(*summary) {}

  Status Send(const RawEvent& event) {
    if (!IsScored(event.type)) {
      pending_ += EncodeEvent(DefaultEventId(event), event);
      pending_ += '\n';
      if (++pending_lines_ >= kEventsPerBody) return FlushEvents();
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(FlushEvents());  // the facts before it, first
    return Score(event);
  }

  Status FlushEvents() {
    if (pending_lines_ == 0) return absl::OkStatus();
    const std::string request = fmt::format("POST /v1/events ({} events)", pending_lines_);
    ASSIGN_OR_RETURN(const LlmHttpResponse r,
                     Post("/v1/events", pending_, request, "application/x-ndjson"));
    RETURN_IF_ERROR(StopOn(r, request));
    const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (r.status != 200 || !body.is_object()) {
      Problem(fmt::format("{}: the server answered {}", request, DescribeAnswer(r)));
      summary_.rejected += static_cast<int64_t>(pending_lines_);
    } else {
      summary_.events_new += body.value("accepted", int64_t{0});
      summary_.events_duplicate += body.value("duplicates", int64_t{0});
      for (const json& line : body.value("rejected", json::array())) {
        ++summary_.rejected;
        Problem(fmt::format("{}: line {}: {}", request, line.value("line", 0),
                            line.value("error", std::string())));
      }
    }
    pending_.clear();
    pending_lines_ = 0;
    return absl::OkStatus();
  }

 private:
  Status Score(const RawEvent& event) {
    const bool order = event.type == EventType::kOrderPlaced;
    const std::string request = order
                                    ? fmt::format("POST /v1/orders/score for {}", event.order_id)
                                    : fmt::format("POST /v1/returns/score for {}", event.return_id);
    ASSIGN_OR_RETURN(const LlmHttpResponse r, Post(order ? "/v1/orders/score" : "/v1/returns/score",
                                                   ScoreBody(event), request, "application/json"));
    RETURN_IF_ERROR(StopOn(r, request));
    if (r.status == 409) {
      ++summary_.without_decision;
      return absl::OkStatus();
    }
    const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
    if (r.status != 200 || !body.is_object()) {
      ++summary_.rejected;
      Problem(fmt::format("{}: the server answered {}", request, DescribeAnswer(r)));
      return absl::OkStatus();
    }
    ReplayCounts& counts = order ? summary_.orders : summary_.returns;
    ++counts.scored;
    ++counts.by_action[body.value("recommended_action", std::string("?"))];
    ++counts.by_level[body.value("risk_level", std::string("?"))];
    return absl::OkStatus();
  }

  // Answers no later request would get past: the key, the model, the server.
  static Status StopOn(const LlmHttpResponse& r, std::string_view request) {
    if (r.status == 401 || r.status == 403) {
      return AnswerError(r, request, "replay needs a key with the scorer or admin role: --key");
    }
    if (r.status >= 500) return AnswerError(r, request, "");
    return absl::OkStatus();
  }

  StatusOr<LlmHttpResponse> Post(std::string_view route, const std::string& body,
                                 std::string_view request, std::string_view content_type) {
    if (request_.rate > 0) {
      std::this_thread::sleep_until(
          start_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(static_cast<double>(summary_.requests) /
                                                     request_.rate)));
    }
    ++summary_.requests;
    return poster_.Post(route, request_.api_key, body, request, content_type);
  }

  void Problem(std::string text) {
    if (summary_.first_problems.size() < kProblemsKept) {
      summary_.first_problems.push_back(std::move(text));
    }
  }

  const ReplayRequest& request_;
  const ApiPoster poster_;
  ReplaySummary& summary_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::string pending_;  // NDJSON lines not sent yet
  size_t pending_lines_ = 0;
};

Status CheckRequest(const ReplayRequest& request) {
  if (request.data_dir.empty()) return absl::InvalidArgumentError("--data: give the lake");
  if (request.api_key.empty()) {
    return absl::InvalidArgumentError(
        "--key: give an API key with the scorer (or admin) role (create one with `vigil keys "
        "create --data-dir STORE --role scorer`)");
  }
  if (!(request.rate >= 0)) {
    return absl::InvalidArgumentError(fmt::format(
        "--rate {}: want requests per second, 0 for as fast as the server answers", request.rate));
  }
  if (request.until && *request.until <= request.from) {
    return absl::InvalidArgumentError("--until: must be later than --from");
  }
  return absl::OkStatus();
}

std::string Counts(const ReplayCounts& counts, std::initializer_list<const char*> order) {
  std::string text;
  for (const char* action : order) {
    auto it = counts.by_action.find(action);
    if (it == counts.by_action.end()) continue;
    text += fmt::format("{}{} {}", text.empty() ? "" : ", ", action, it->second);
  }
  return text.empty() ? "" : ": " + text;
}

}  // namespace

StatusOr<ReplaySummary> ReplayLake(const ReplayRequest& request, FILE* log) {
  RETURN_IF_ERROR(CheckRequest(request));
  auto url = ParseUrl(request.url);
  if (!url.ok()) {
    return absl::InvalidArgumentError(fmt::format("--url {}: {} (want e.g. http://127.0.0.1:8080)",
                                                  request.url, url.status().message()));
  }
  ASSIGN_OR_RETURN(ApiPoster poster, ApiPoster::Create(*url, request.timeout));
  Catalog catalog;
  ASSIGN_OR_RETURN(const DataLake lake, LoadDataLake(request.data_dir, &catalog, request.load));
  lake.report.Print(log);

  std::vector<RawEvent> events;
  for (const Event& e : lake.events) {
    RawEvent raw = ToRawEvent(e, catalog);
    if (raw.at < 0) raw.at = raw.type == EventType::kCustomerUpserted ? raw.registered_at : 0;
    if (raw.at < request.from || (request.until && raw.at >= *request.until)) continue;
    events.push_back(std::move(raw));
  }

  ReplaySummary summary;
  summary.target = UrlText(*url);
  while (summary.target.ends_with('/')) summary.target.pop_back();
  const auto started = std::chrono::steady_clock::now();
  Replayer replayer(request, std::move(poster), &summary);
  ProgressBar progress("replay", static_cast<int64_t>(events.size()));
  for (size_t i = 0; i < events.size(); ++i) {
    RETURN_IF_ERROR(replayer.Send(events[i]));
    progress.Update(static_cast<int64_t>(i + 1));
  }
  RETURN_IF_ERROR(replayer.FlushEvents());
  progress.Finish();
  summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

std::string FormatReplaySummary(const ReplaySummary& s) {
  std::string text = fmt::format(
      "Replayed to {} in {:.1f} s ({} requests):\n"
      "  orders scored:  {}{}\n"
      "  returns scored: {}{}\n"
      "  events:         {} new, {} already there\n",
      s.target, s.seconds, s.requests, s.orders.scored,
      Counts(s.orders, {"allow", "otp_verification", "prepaid_only", "manual_review", "block"}),
      s.returns.scored, Counts(s.returns, {"instant_refund", "pickup_qc", "manual_review", "deny"}),
      s.events_new, s.events_duplicate);
  if (s.without_decision > 0) {
    text += fmt::format(
        "  {} orders or returns were in the store already, without a decision (ingested without "
        "--until?): skipped\n",
        s.without_decision);
  }
  if (s.rejected > 0) {
    text += fmt::format("  rejected: {}, the first:\n", s.rejected);
    for (const std::string& p : s.first_problems) text += fmt::format("    {}\n", p);
  }
  return text;
}

}  // namespace vigil
