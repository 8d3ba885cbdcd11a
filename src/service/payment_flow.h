// PaymentFlow: the second seed's stream and Lambda as one background worker.
// It takes the store's due outbox items in order and runs each step:
//
//   score_transaction    score (RiskService::ScoreTransaction), decide, and
//                        either settle (approved / declined / manual_review)
//                        or ask the customer: pending_verification, a
//                        verification SMS recorded with its idempotency key,
//                        and the send_sms and expire_verification items;
//   send_sms             mark the SMS "sending" (durably), hand it to the
//                        SmsSender, record the sid; a "sending" SMS found
//                        again (after a timeout or a crash) is first looked
//                        up at the provider and sent only if it was not;
//   expire_verification  no reply in time: expired, then the policy's
//                        expiry status (declined or manual_review).
//
// Each step's effects and the removal of its item are one store transaction,
// so a crash repeats a step and never skips one; every step checks the
// transaction's status first, so a repeated step changes nothing twice. At
// most one SMS is created per verification provided the provider's message
// list is readable (SmsSender::FindSent); the window in which a crash could
// still duplicate is documented in docs/payments.md.
//
// The replies come through the Twilio webhook (twilio_webhook.h), which
// settles verifications with the steps built by SettleStep below.
//
// Thread-safety: Start/Stop from one thread; Wake and RunDue from any.
#ifndef VIGIL_SERVICE_PAYMENT_FLOW_H_
#define VIGIL_SERVICE_PAYMENT_FLOW_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "common/status.h"
#include "common/time.h"
#include "service/risk_service.h"
#include "sms/sms_sender.h"
#include "store/store.h"

namespace vigil {

struct PaymentFlowOptions {
  // At or above it a payment needs the customer's confirmation
  // (FRAUD_THRESHOLD, else [payment] fraud_threshold).
  double fraud_threshold = 0.5;
  // How long a verification waits for a reply, and what it becomes then.
  Timestamp verification_ttl_seconds = 15 * 60;
  std::string expired_status = "declined";  // "declined" | "manual_review"
  // A payment that needs verification but cannot get an SMS (no account,
  // no phone, opted out, or the provider refused the message).
  std::string no_sms_status = "manual_review";  // "declined" | "manual_review"
  bool sms_shows_amount = true;
  // Where Twilio posts delivery statuses (PUBLIC_BASE_URL + /webhook/twilio);
  // none when empty.
  std::string status_callback_url;
  // Sending: attempts before the SMS is given up, and the backoff between
  // them (doubling from `retry_base`, capped at `retry_cap`).
  int max_send_attempts = 6;
  Timestamp retry_base_seconds = 2;
  Timestamp retry_cap_seconds = 300;
  // Longest sleep when nothing is due (the worker is also woken on new work).
  std::chrono::milliseconds idle_poll{1000};
  // Called with each step's name and outcome ("ok", "retry", "failed"), e.g.
  // for metrics. Must be quick.
  std::function<void(std::string_view step, std::string_view outcome)> on_step;
};

class PaymentFlow {
 public:
  PaymentFlow(PaymentFlowOptions options, Store* store, RiskService* risk, SmsSender* sender);
  ~PaymentFlow();  // stops the worker
  PaymentFlow(const PaymentFlow&) = delete;
  PaymentFlow& operator=(const PaymentFlow&) = delete;

  // Starts the worker thread; it runs due work until Stop.
  void Start();
  // Finishes the step in progress and joins the worker. Idempotent.
  void Stop();
  // New work may be due now (a transaction was received).
  void Wake();

  // Runs the items due at `now`, in order, on the calling thread; returns how
  // many ran without an error (a failed one stays due and is logged). For
  // tests and for the worker's loop, which sleeps only when none ran.
  [[nodiscard]] StatusOr<int> RunDue(Timestamp now);

  const PaymentFlowOptions& options() const { return options_; }

 private:
  Status Run(const OutboxItem& item, Timestamp now);
  Status ScoreStep(const OutboxItem& item, const TransactionRecord& t, Timestamp now);
  Status SendStep(const OutboxItem& item, const TransactionRecord& t, Timestamp now);
  Status ExpireStep(const OutboxItem& item, const TransactionRecord& t, Timestamp now);
  // A failed attempt at `item`: retried later, or given up after too many.
  Status Retry(const OutboxItem& item, const Status& error, Timestamp now);
  void Loop();
  void Report(std::string_view step, std::string_view outcome) const;

  const PaymentFlowOptions options_;
  Store* const store_;
  RiskService* const risk_;
  SmsSender* const sender_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool woken_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// The webhook's step for a reply to the pending verification of `t`: YES
// approves (label 0), NO declines, blocks the account and labels it fraud
// (label 1); the expiry is cancelled. Applied only while still pending.
TransactionStep SettleStep(const TransactionRecord& t, bool confirmed, std::string_view reply,
                           Timestamp now);

}  // namespace vigil

#endif  // VIGIL_SERVICE_PAYMENT_FLOW_H_
