// GenerateMarketplace: writes a synthetic Indian e-commerce marketplace in
// the data-lake format of DESIGN.md (customers.csv, products.csv,
// orders.csv, returns.csv, external/festivals.csv, transactions.csv),
// deterministic for a seed, with ground-truth labels on the abusive acts
// (returns.is_abuse; RTO in orders.delivery_status) and on card fraud
// (transactions.is_fraud). See order_simulator.h for the behaviours and
// payment_simulator.h for the card payments.
//
// Files and columns:
//   customers.csv  customer_id, registered_at, state, pincode, phone, name, city
//   products.csv   product_id, category, price, brand, seller_id
//   orders.csv     order_id, customer_id, product_id, seller_id, ordered_at, amount,
//                  payment_method, size, quantity, discount, delivery_pincode, device_id,
//                  delivery_status, delivered_at
//   returns.csv    return_id, order_id, requested_at, reason, refund_amount, qc_result,
//                  is_abuse, qc_completed_at
//   external/festivals.csv  name, start_date, end_date, kind, basis
//   transactions.csv  transaction_id, user_id, created_at, amount, merchant, location,
//                     is_fraud, labeled_at
// orders.delivered_at is when the delivery outcome became known: the
// delivery for `delivered`, the refusal / return to origin for `rto`; empty
// for `cancelled` and for `pending` (still in transit when the period ends).
// returns.qc_result and qc_completed_at are empty while a return is still open
// at the end of the period; is_abuse is the ground truth even then. Orders and
// returns are written in time order (order_id follows ordered_at, return_id
// follows requested_at), customers in registration order. transactions.csv
// holds the customers' card and UPI payments at shops (user_id is the
// customer_id, location their city), in time order; labeled_at is when a
// fraud was reported, empty for genuine payments.
//
// Single-threaded; safe to call from several threads on different out_dirs.
#ifndef VIGIL_GENERATE_MARKETPLACE_GENERATOR_H_
#define VIGIL_GENERATE_MARKETPLACE_GENERATOR_H_

#include <cstdint>
#include <string>

#include "common/status.h"

namespace vigil {

struct GeneratorOptions {
  std::string out_dir;  // created if missing; files written inside it
  int64_t customers = 50000;
  int days = 120;
  std::string start = "2025-07-15";  // YYYY-MM-DD, IST
  uint64_t seed = 42;
};

struct GeneratorSummary {
  int64_t customers, products, orders, returns, abusive_returns, rto_orders;
  int64_t transactions, fraud_transactions;
  // Days of the period after the shipped festival calendar's last window
  // ends (`calendar_last_day`, YYYY-MM-DD): no festival or sale demand, and
  // no days-to-festival feature, there. 0 when the calendar covers it.
  int64_t days_past_calendar = 0;
  std::string calendar_last_day;
};

// InvalidArgument for bad options (customers or days not positive or too
// large, a start that is not a YYYY-MM-DD date, an out_dir that cannot be
// created); Unavailable when a file cannot be written.
[[nodiscard]] StatusOr<GeneratorSummary> GenerateMarketplace(const GeneratorOptions& options);

}  // namespace vigil

#endif  // VIGIL_GENERATE_MARKETPLACE_GENERATOR_H_
