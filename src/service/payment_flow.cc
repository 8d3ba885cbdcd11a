#include "service/payment_flow.h"

#include <algorithm>
#include <cstdio>

#include "common/thread_name.h"
#include "fmt/format.h"
#include "service/payment_messages.h"
#include "sms/phone.h"
#include "sms/twilio_client.h"

namespace vigil {
namespace {

constexpr size_t kBatch = 32;

std::string VerificationKey(const TransactionRecord& t) { return t.transaction_id + "/verify"; }

// Failures after which the same attempt may succeed: the provider was
// unreachable, slow or busy.
bool IsRetryable(const Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status) ||
         absl::IsResourceExhausted(status);
}

// "15 minutes", "90 seconds".
std::string DurationText(Timestamp seconds) {
  if (seconds % 60 == 0) return fmt::format("{} minutes", seconds / 60);
  return fmt::format("{} seconds", seconds);
}

// Up to 3 decimals, as set: 0.5, 0.05, 0.125.
std::string Threshold(double v) { return fmt::format("{:.3g}", v); }

}  // namespace

PaymentFlow::PaymentFlow(PaymentFlowOptions options, Store* store, RiskService* risk,
                         SmsSender* sender)
    : options_(std::move(options)), store_(store), risk_(risk), sender_(sender) {}

PaymentFlow::~PaymentFlow() { Stop(); }

void PaymentFlow::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    NameThisThread("vigil-payments");
    Loop();
  });
}

void PaymentFlow::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void PaymentFlow::Wake() {
  absl::MutexLock lock(&mu_);
  woken_ = true;
}

void PaymentFlow::Report(std::string_view step, std::string_view outcome) const {
  if (options_.on_step) options_.on_step(step, outcome);
}

void PaymentFlow::Loop() {
  while (true) {
    const Timestamp now = NowSeconds();
    auto ran = RunDue(now);
    if (!ran.ok()) {
      std::fprintf(stderr, "vigil serve: payment flow: %s\n",
                   std::string(ran.status().message()).c_str());
    }
    std::chrono::milliseconds wait = options_.idle_poll;
    if (ran.ok() && *ran > 0) {
      wait = std::chrono::milliseconds(0);
    } else if (auto next = store_->NextWorkDue(); next.ok() && next->has_value()) {
      wait = std::min(wait, std::chrono::milliseconds(std::max<Timestamp>(0, **next - now) * 1000));
      // Due times are whole seconds: wake just after the second turns.
      if (wait.count() == 0) wait = std::chrono::milliseconds(50);
    }
    absl::MutexLock lock(&mu_);
    auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || woken_; };
    mu_.AwaitWithTimeout(absl::Condition(&ready), absl::FromChrono(wait));
    if (stopping_) return;
    woken_ = false;
  }
}

StatusOr<int> PaymentFlow::RunDue(Timestamp now) {
  ASSIGN_OR_RETURN(std::vector<OutboxItem> items, store_->DueWork(now, kBatch));
  int done = 0;
  for (const OutboxItem& item : items) {
    // A step that fails here (the store refused) stays in the outbox and
    // runs again on the next pass.
    if (Status status = Run(item, now); !status.ok()) {
      std::fprintf(stderr, "vigil serve: payment flow: %s %s: %s\n", item.step.c_str(),
                   item.subject_id.c_str(), std::string(status.message()).c_str());
      Report(item.step, "error");
      continue;
    }
    ++done;
  }
  return done;
}

Status PaymentFlow::Run(const OutboxItem& item, Timestamp now) {
  ASSIGN_OR_RETURN(std::optional<TransactionRecord> t, store_->FindTransaction(item.subject_id));
  if (!t.has_value()) {
    // Work left for a transaction that is gone is done.
    TransactionStep done{.transaction_id = item.subject_id, .at = now};
    done.done_work = item.seq;
    return store_->ApplyTransactionStep(done).status();
  }
  if (item.step == "score_transaction") return ScoreStep(item, *t, now);
  if (item.step == "send_sms") return SendStep(item, *t, now);
  if (item.step == "expire_verification") return ExpireStep(item, *t, now);
  return store_->RescheduleWork(item.seq, now + 24 * 3600,
                                fmt::format("unknown step '{}' (a newer binary's?)", item.step));
}

Status PaymentFlow::Retry(const OutboxItem& item, const Status& error, Timestamp now) {
  const int shift = static_cast<int>(std::min<int64_t>(item.attempts, 20));
  const Timestamp delay =
      std::min(options_.retry_cap_seconds, options_.retry_base_seconds << shift);
  Report(item.step, "retry");
  return store_->RescheduleWork(item.seq, now + delay, std::string(error.message()));
}

Status PaymentFlow::ScoreStep(const OutboxItem& item, const TransactionRecord& t, Timestamp now) {
  TransactionStep step{.transaction_id = t.transaction_id, .at = now};
  step.expected_statuses = {"received"};
  step.done_work = item.seq;
  if (t.status != "received") return store_->ApplyTransactionStep(step).status();

  ASSIGN_OR_RETURN(std::optional<AccountRecord> account, store_->FindAccount(t.user_id));
  const std::string language = account ? account->language : "en";
  const std::string phone = account ? account->phone : "";
  auto score = risk_->ScoreTransaction(t, phone, language);
  if (!score.ok()) return Retry(item, score.status(), now);

  step.risk_score = score->risk_score;
  step.decision = score->document;
  step.transitions.push_back(
      {"scored", now,
       fmt::format("risk score {:.3f} ({}) by transaction model {}", score->risk_score,
                   score->risk_level, score->model_version)});
  auto settle = [&](std::string status, std::string reason) {
    step.transitions.push_back({std::move(status), now, std::move(reason)});
  };
  if (account && account->status == "blocked") {
    settle("declined", "the account is blocked");
  } else if (score->list_override && score->list_override->list == "block") {
    settle("declined", fmt::format("on the block list ({}): {}", score->list_override->field,
                                   score->list_override->reason));
  } else if (score->list_override) {
    settle("approved", fmt::format("on the allow list ({}): {}", score->list_override->field,
                                   score->list_override->reason));
  } else if (score->risk_score < options_.fraud_threshold) {
    settle("approved", fmt::format("risk score below the fraud threshold {}",
                                   Threshold(options_.fraud_threshold)));
  } else if (!account || account->phone.empty()) {
    settle(options_.no_sms_status, "verification needed but the user has no account with a phone");
  } else if (account->sms_opt_out) {
    settle(options_.no_sms_status, "verification needed but the customer opted out of SMS");
  } else {
    const std::string key = VerificationKey(t);
    settle("pending_verification",
           fmt::format("risk score at or above the fraud threshold {}: verification SMS to {}",
                       Threshold(options_.fraud_threshold), MaskPhone(account->phone)));
    step.phone = account->phone;
    step.new_sms = OutboundSms{
        .message_key = key,
        .transaction_id = t.transaction_id,
        .to_phone = account->phone,
        .body = VerificationMessage(t, account->language, options_.sms_shows_amount, key)};
    step.new_work.push_back({.step = "send_sms", .due_at = now});
    step.new_work.push_back(
        {.step = "expire_verification", .due_at = now + options_.verification_ttl_seconds});
  }
  RETURN_IF_ERROR(store_->ApplyTransactionStep(step).status());
  Report(item.step, "ok");
  return absl::OkStatus();
}

Status PaymentFlow::SendStep(const OutboxItem& item, const TransactionRecord& t, Timestamp now) {
  const std::string key = VerificationKey(t);
  TransactionStep step{.transaction_id = t.transaction_id, .at = now};
  step.done_work = item.seq;
  ASSIGN_OR_RETURN(std::optional<OutboundSms> sms, store_->FindSms(key));
  if (!sms.has_value() || (sms->status != "pending" && sms->status != "sending")) {
    return store_->ApplyTransactionStep(step).status();  // nothing (more) to send
  }
  OutgoingSms outgoing{.to = sms->to_phone,
                       .body = sms->body,
                       .status_callback_url = std::nullopt,
                       .idempotency_key = key};
  if (!options_.status_callback_url.empty()) {
    outgoing.status_callback_url = options_.status_callback_url;
  }
  auto record_sent = [&](const SentMessage& sent) -> Status {
    step.sms_update = SmsUpdate{.message_key = key,
                                .status = sent.status,
                                .sender = sent.sender,
                                .message_sid = sent.message_sid,
                                .sent_at = now};
    RETURN_IF_ERROR(store_->ApplyTransactionStep(step).status());
    Report(item.step, "ok");
    return absl::OkStatus();
  };

  if (sms->status == "sending") {
    // An attempt whose outcome is unknown (a timeout, or a crash): the
    // provider may have the message already.
    auto found = sender_->FindSent(outgoing, sms->attempt_at);
    if (!found.ok()) return Retry(item, found.status(), now);
    if (found->has_value()) return record_sent(**found);
  }
  const bool pending = t.status == "pending_verification";
  if (!pending) {
    // Settled or expired before the message went out: it is not sent.
    step.sms_update = SmsUpdate{.message_key = key, .status = "cancelled"};
    return store_->ApplyTransactionStep(step).status();
  }
  RETURN_IF_ERROR(store_->UpdateSms(
      SmsUpdate{.message_key = key, .status = "sending", .new_attempt = true}, now));
  auto sent = sender_->Send(outgoing);
  if (sent.ok()) return record_sent(*sent);

  if (IsRetryable(sent.status()) && item.attempts + 1 < options_.max_send_attempts) {
    return Retry(item, sent.status(), now);
  }
  // Refused (e.g. Twilio 21211, an invalid number) or still failing after
  // every attempt: the payment is settled without the customer.
  const std::optional<std::string> twilio_error = TwilioErrorObject(sent.status());
  step.expected_statuses = {"pending_verification"};
  step.sms_update = SmsUpdate{.message_key = key,
                              .status = "failed",
                              .error = twilio_error.value_or(std::string(sent.status().message()))};
  step.transitions.push_back(
      {options_.no_sms_status, now,
       fmt::format("the verification SMS could not be sent: {}", sent.status().message())});
  step.cancel_steps = {"expire_verification"};
  RETURN_IF_ERROR(store_->ApplyTransactionStep(step).status());
  Report(item.step, "failed");
  return absl::OkStatus();
}

Status PaymentFlow::ExpireStep(const OutboxItem& item, const TransactionRecord& t, Timestamp now) {
  TransactionStep step{.transaction_id = t.transaction_id, .at = now};
  step.done_work = item.seq;
  step.expected_statuses = {"pending_verification"};
  step.transitions.push_back(
      {"expired", now,
       fmt::format("no reply within {}", DurationText(options_.verification_ttl_seconds))});
  step.transitions.push_back(
      {options_.expired_status, now, "the policy for unanswered verifications"});
  RETURN_IF_ERROR(store_->ApplyTransactionStep(step).status());
  Report(item.step, "ok");
  return absl::OkStatus();
}

TransactionStep SettleStep(const TransactionRecord& t, bool confirmed, std::string_view reply,
                           Timestamp now) {
  TransactionStep step{.transaction_id = t.transaction_id, .at = now};
  step.expected_statuses = {"pending_verification"};
  step.user_response = std::string(reply);
  step.label = confirmed ? 0 : 1;
  if (confirmed) {
    step.transitions.push_back({"approved", now, "the customer confirmed the payment by SMS"});
  } else {
    step.transitions.push_back(
        {"declined", now, "the customer denied the payment by SMS; the account is blocked"});
    step.block_account = true;
  }
  step.cancel_steps = {"expire_verification", "send_sms"};
  return step;
}

}  // namespace vigil
