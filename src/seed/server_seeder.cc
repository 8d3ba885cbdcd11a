#include "seed/server_seeder.h"

#include <thread>

#include "common/progress.h"
#include "nlohmann/json.hpp"
#include "seed/api_poster.h"

namespace vigil {
namespace {

using nlohmann::json;

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

Status SendAccounts(const ApiPoster& poster, const ServerTarget& target, const SeedPlan& plan,
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

Status SendTransactions(const ApiPoster& poster, const ServerTarget& target, const SeedPlan& plan,
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

StatusOr<SeedSummary> SeedIntoServer(const ServerTarget& target, const SeedPlan& plan,
                                     SeedParts parts) {
  ASSIGN_OR_RETURN(const ApiPoster poster, ApiPoster::Create(target.url, target.timeout));
  SeedSummary summary;
  summary.target = UrlText(target.url);
  while (summary.target.ends_with('/')) summary.target.pop_back();
  summary.parts = parts;
  if (parts.accounts) RETURN_IF_ERROR(SendAccounts(poster, target, plan, &summary));
  if (parts.transactions) RETURN_IF_ERROR(SendTransactions(poster, target, plan, &summary));
  return summary;
}

}  // namespace vigil
