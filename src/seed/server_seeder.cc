#include "seed/server_seeder.h"

#include <algorithm>
#include <charconv>
#include <thread>

#include "common/progress.h"
#include "narrate/http_client.h"
#include "nlohmann/json.hpp"

namespace vigil {
namespace {

using nlohmann::json;

constexpr int kMaxRateLimitedRetries = 20;
constexpr int kMaxRetryAfterSeconds = 60;

std::string AccountBody(const AccountRecord& a) {
  return json{{"user_id", a.user_id},         {"name", a.name},     {"phone", a.phone},
              {"sms_opt_out", a.sms_opt_out}, {"status", a.status}, {"language", a.language}}
      .dump();
}

std::string TransactionBody(const TransactionRecord& t) {
  return json{{"transaction_id", t.transaction_id},
              {"user_id", t.user_id},
              {"amount", t.amount},
              {"currency", t.currency},
              {"merchant", t.merchant},
              {"location", t.location},
              {"created_at", FormatTimestamp(t.created_at)}}
      .dump();
}

// "403 permission_denied: this route needs ..." from the API's error shape,
// or the status and the start of whatever else the answer was.
std::string DescribeAnswer(const LlmHttpResponse& r) {
  const json body = json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  const auto text = [](const json& object, const char* name) {
    auto it = object.find(name);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (body.is_object() && body.contains("error") && body["error"].is_object()) {
    const json& e = body["error"];
    return fmt::format("{} {}: {}", r.status, text(e, "code"), text(e, "message"));
  }
  return fmt::format("{} {}", r.status, r.body.substr(0, 200));
}

Status AnswerError(const LlmHttpResponse& r, const std::string& request, std::string_view hint) {
  std::string message = fmt::format("{}: the server answered {}", request, DescribeAnswer(r));
  if (!hint.empty()) message += fmt::format(" ({})", hint);
  if (r.status == 401) return absl::UnauthenticatedError(message);
  if (r.status == 403) return absl::PermissionDeniedError(message);
  if (r.status == 409) return absl::AlreadyExistsError(message);
  if (r.status == 400 || r.status == 422) return absl::InvalidArgumentError(message);
  if (r.status >= 500) return absl::UnavailableError(message);
  return absl::FailedPreconditionError(message);
}

int RetryAfterSeconds(const LlmHttpResponse& r) {
  const std::string text = r.Header("Retry-After");
  int seconds = 1;
  std::from_chars(text.data(), text.data() + text.size(), seconds);
  return std::clamp(seconds, 1, kMaxRetryAfterSeconds);
}

class Poster {
 public:
  Poster(const ServerTarget& target, std::unique_ptr<HttpClient> client)
      : target_(target), client_(std::move(client)), base_(target.url.path) {
    while (!base_.empty() && base_.back() == '/') base_.pop_back();
  }

  // POSTs `body` to `route` with `key`; the answer once it is not 429.
  StatusOr<LlmHttpResponse> Post(const std::string& route, const std::string& key,
                                 const std::string& body, const std::string& request) {
    const HttpHeaders headers = {
        {"Content-Type", "application/json"}, {"Accept", "application/json"}, {"X-API-Key", key}};
    for (int attempt = 0;; ++attempt) {
      auto answer = client_->Post(target_.url, base_ + route, headers, body, target_.timeout);
      if (!answer.ok()) {
        return absl::UnavailableError(
            fmt::format("{}: cannot reach {}: {} (is `vigil serve` "
                        "running there?)",
                        request, UrlText(target_.url), answer.status().message()));
      }
      if (answer->status != 429 || attempt == kMaxRateLimitedRetries) return answer;
      std::this_thread::sleep_for(std::chrono::seconds(RetryAfterSeconds(*answer)));
    }
  }

 private:
  const ServerTarget& target_;
  std::unique_ptr<HttpClient> client_;
  std::string base_;
};

Status SendAccounts(Poster& poster, const ServerTarget& target, const SeedPlan& plan,
                    SeedSummary* summary) {
  for (const AccountRecord& a : plan.accounts) {
    const std::string request = fmt::format("POST /v1/accounts for {}", a.user_id);
    ASSIGN_OR_RETURN(const LlmHttpResponse r,
                     poster.Post("/v1/accounts", target.admin_key, AccountBody(a), request));
    if (r.status == 201) {
      ++summary->accounts_created;
    } else if (r.status == 200) {
      ++summary->accounts_updated;
    } else {
      return AnswerError(r, request,
                         r.status == 401 || r.status == 403
                             ? "accounts need a key with the admin role: --admin-key or --api-key"
                             : "");
    }
  }
  return absl::OkStatus();
}

Status SendTransactions(Poster& poster, const ServerTarget& target, const SeedPlan& plan,
                        SeedSummary* summary) {
  ProgressBar progress("seed", static_cast<int64_t>(plan.transactions.size()));
  const auto start = std::chrono::steady_clock::now();
  for (size_t i = 0; i < plan.transactions.size(); ++i) {
    if (target.rate > 0) {
      std::this_thread::sleep_until(
          start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(static_cast<double>(i) / target.rate)));
    }
    const SeedTransaction& t = plan.transactions[i];
    const std::string request =
        fmt::format("POST /v1/transactions for {}", t.record.transaction_id);
    ASSIGN_OR_RETURN(const LlmHttpResponse r, poster.Post("/v1/transactions", target.scorer_key,
                                                          TransactionBody(t.record), request));
    if (r.status != 202 && r.status != 201 && r.status != 200) {
      return AnswerError(
          r, request,
          r.status == 401 || r.status == 403
              ? "payments need a key with the scorer or admin role: --scorer-key or --api-key"
          : r.status == 409 ? "another payment has this id: seed with another --seed"
                            : "");
    }
    summary->Count(t);
    progress.Update(summary->transactions);
  }
  progress.Finish();
  return absl::OkStatus();
}

}  // namespace

std::string UrlText(const Url& url) {
  return fmt::format("{}://{}{}", url.tls ? "https" : "http", url.HostHeader(), url.path);
}

StatusOr<SeedSummary> SeedIntoServer(const ServerTarget& target, const SeedPlan& plan,
                                     SeedParts parts) {
  ASSIGN_OR_RETURN(std::unique_ptr<HttpClient> client, HttpClient::Create());
  Poster poster(target, std::move(client));
  SeedSummary summary;
  summary.target = UrlText(target.url);
  while (summary.target.ends_with('/')) summary.target.pop_back();
  summary.parts = parts;
  if (parts.accounts) RETURN_IF_ERROR(SendAccounts(poster, target, plan, &summary));
  if (parts.transactions) RETURN_IF_ERROR(SendTransactions(poster, target, plan, &summary));
  return summary;
}

}  // namespace vigil
