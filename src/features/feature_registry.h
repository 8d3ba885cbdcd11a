// The feature registry: every feature Vigil computes, with its name, what it
// means, and its unit, in the order the models see them. Explanations and
// model manifests read names and descriptions from here.
//
// Three vectors exist: one for an order at checkout, one for a return
// request (both begin with the customer block), one for a card transaction. Names follow the domain
// (`customer_return_rate_90d`); rates are 0..1; missing values are NaN.
#ifndef VIGIL_FEATURES_FEATURE_REGISTRY_H_
#define VIGIL_FEATURES_FEATURE_REGISTRY_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vigil {

// X(name, description, unit)
#define VIGIL_CUSTOMER_FEATURES(X)                                                                 \
  X(customer_account_age_days, "Days since the customer registered", "days")                       \
  X(customer_lifetime_orders, "Orders the customer placed before this moment", "orders")           \
  X(customer_orders_7d, "Orders the customer placed in the last 7 days", "orders")                 \
  X(customer_orders_30d, "Orders the customer placed in the last 30 days", "orders")               \
  X(customer_orders_90d, "Orders the customer placed in the last 90 days", "orders")               \
  X(customer_returns_7d, "Returns the customer requested in the last 7 days", "returns")           \
  X(customer_returns_30d, "Returns the customer requested in the last 30 days", "returns")         \
  X(customer_returns_90d, "Returns the customer requested in the last 90 days", "returns")         \
  X(customer_return_rate_90d, "Share of the customer's orders of the last 90 days later returned", \
    "ratio")                                                                                       \
  X(customer_recent_orders_returned, "How many of the customer's last 6 orders were returned",     \
    "orders")                                                                                      \
  X(customer_recent_orders_counted, "How many recent orders that covers (at most 6)", "orders")    \
  X(customer_lifetime_returns, "Returns the customer requested before this moment", "returns")     \
  X(customer_lifetime_return_rate, "Returns per delivered order over the customer's history",      \
    "ratio")                                                                                       \
  X(customer_rto_count, "Orders the customer refused at the door or that came back undelivered",   \
    "orders")                                                                                      \
  X(customer_rto_rate, "Share of the customer's delivery outcomes that were RTO", "ratio")         \
  X(customer_cancel_count, "Orders the customer cancelled", "orders")                              \
  X(customer_cod_share_90d, "Share of the customer's last-90-day orders paid cash on delivery",    \
    "ratio")                                                                                       \
  X(customer_qc_fail_count, "Returns that failed quality check (used, empty box, switched item)",  \
    "returns")                                                                                     \
  X(customer_confirmed_abuse_count, "Returns confirmed as abuse", "returns")                       \
  X(customer_fast_return_count, "Returns requested within 2 days of delivery", "returns")          \
  X(customer_late_return_count, "Returns requested in the last 5 days of the return window",       \
    "returns")                                                                                     \
  X(customer_avg_order_amount, "The customer's average order amount", "INR")                       \
  X(customer_days_since_last_order, "Days since the customer's previous order", "days")            \
  X(customer_distinct_devices_90d, "Devices the customer ordered from in the last 90 days",        \
    "devices")                                                                                     \
  X(customer_distinct_pincodes_90d, "Delivery pincodes the customer used in the last 90 days",     \
    "pincodes")

#define VIGIL_ORDER_FEATURES(X)                                                                   \
  X(order_amount, "Order amount", "INR")                                                          \
  X(order_amount_vs_customer_avg, "Order amount relative to the customer's average order",        \
    "ratio")                                                                                      \
  X(order_discount_share, "Discount as a share of the list amount", "ratio")                      \
  X(order_quantity, "Units in the order", "units")                                                \
  X(order_is_cod, "1 when the order is cash on delivery", "flag")                                 \
  X(order_payment_method, "Payment method (0 cod, 1 upi, 2 card, 3 netbanking, 4 wallet, 5 emi)", \
    "code")                                                                                       \
  X(order_hour, "Hour of the day in India", "hour")                                               \
  X(order_weekday, "Day of the week in India (0 Monday)", "day")                                  \
  X(order_in_sale_window, "1 during a big sale period", "flag")                                   \
  X(order_days_to_festival, "Days until the next festival (0 during one)", "days")                \
  X(order_same_product_orders_7d,                                                                 \
    "Other orders of the same product by this customer in the last 7 days", "orders")             \
  X(order_same_product_other_sizes_7d,                                                            \
    "Of those, how many were in a different size (size bracketing)", "orders")                    \
  X(order_new_delivery_pincode, "1 when the customer has not used this delivery pincode before",  \
    "flag")                                                                                       \
  X(order_away_from_home_pincode, "1 when delivery is away from the customer's home pincode",     \
    "flag")                                                                                       \
  X(device_other_customers, "Other customers who ordered from the same device", "customers")      \
  X(device_rto_count, "RTO orders placed from this device", "orders")                             \
  X(device_abuse_count, "Confirmed abusive returns on orders from this device", "returns")        \
  X(pincode_rto_rate, "RTO rate of orders delivered to this pincode", "ratio")                    \
  X(pincode_return_rate, "Return rate of orders delivered to this pincode", "ratio")              \
  X(product_return_rate, "Return rate of this product", "ratio")                                  \
  X(product_abuse_rate, "Share of this product's returns confirmed as abuse", "ratio")            \
  X(category_return_rate, "Return rate of this product's category", "ratio")                      \
  X(category_rto_rate, "RTO rate of this product's category", "ratio")                            \
  X(seller_return_rate, "Return rate of this seller's orders", "ratio")                           \
  X(seller_rto_rate, "RTO rate of this seller's orders", "ratio")

#define VIGIL_RETURN_FEATURES(X)                                                                   \
  X(return_days_since_delivery, "Days from delivery to the return request", "days")                \
  X(return_window_position, "Position in the 30-day return window (0 start, 1 end)", "ratio")      \
  X(return_days_since_order, "Days from the order to the return request", "days")                  \
  X(return_reason,                                                                                 \
    "Return reason (0 other, 1 size, 2 defect, 3 not as described, "                               \
    "4 wrong item, 5 changed mind, 6 late)",                                                       \
    "code")                                                                                        \
  X(return_refund_share, "Refund asked as a share of the order amount", "ratio")                   \
  X(return_order_amount, "Amount of the returned order", "INR")                                    \
  X(return_order_amount_vs_customer_avg, "Returned order's amount against the customer's average", \
    "ratio")                                                                                       \
  X(return_order_is_cod, "1 when the returned order was cash on delivery", "flag")                 \
  X(return_bracket_orders, "Orders of the same product by this customer within 7 days of it",      \
    "orders")                                                                                      \
  X(return_bracket_kept, "Of those, how many the customer kept", "orders")                         \
  X(return_order_days_to_festival, "Days from the order to the next festival", "days")             \
  X(return_days_since_festival, "Days since the last festival ended", "days")                      \
  X(return_hour, "Hour of the return request in India", "hour")                                    \
  X(return_device_other_customers, "Other customers who ordered from the order's device",          \
    "customers")                                                                                   \
  X(return_device_abuse_count, "Confirmed abusive returns on orders from the order's device",      \
    "returns")                                                                                     \
  X(return_product_return_rate, "Return rate of this product", "ratio")                            \
  X(return_product_abuse_rate, "Share of this product's returns confirmed as abuse", "ratio")      \
  X(return_product_qc_fail_rate, "Share of this product's returns that failed QC", "ratio")        \
  X(return_category_return_rate, "Return rate of this product's category", "ratio")                \
  X(return_seller_return_rate, "Return rate of this seller's orders", "ratio")

// Card transactions (transactions.csv): no customer block. Card windows
// include the current transaction; merchant windows end `label_delay` ago,
// when the labels of the transactions in them are known.
#define VIGIL_TRANSACTION_FEATURES(X)                                                             \
  X(transaction_amount, "Transaction amount", "amount")                                           \
  X(transaction_during_weekend, "1 on a Saturday or Sunday (local time)", "flag")                 \
  X(transaction_during_night, "1 when the local hour is 6 or less", "flag")                       \
  X(card_transactions_1d, "The card's transactions in the last day, this one included",           \
    "transactions")                                                                               \
  X(card_avg_amount_1d, "The card's mean amount in the last day, this one included", "amount")    \
  X(card_transactions_7d, "The card's transactions in the last 7 days, this one included",        \
    "transactions")                                                                               \
  X(card_avg_amount_7d, "The card's mean amount in the last 7 days, this one included", "amount") \
  X(card_transactions_30d, "The card's transactions in the last 30 days, this one included",      \
    "transactions")                                                                               \
  X(card_avg_amount_30d, "The card's mean amount in the last 30 days, this one included",         \
    "amount")                                                                                     \
  X(merchant_transactions_1d, "The merchant's transactions in the day ending label_delay ago",    \
    "transactions")                                                                               \
  X(merchant_fraud_rate_1d, "Share of those known to be fraud (0 when none)", "ratio")            \
  X(merchant_transactions_7d, "The merchant's transactions in the 7 days ending label_delay ago", \
    "transactions")                                                                               \
  X(merchant_fraud_rate_7d, "Share of those known to be fraud (0 when none)", "ratio")            \
  X(merchant_transactions_30d,                                                                    \
    "The merchant's transactions in the 30 days ending label_delay ago", "transactions")          \
  X(merchant_fraud_rate_30d, "Share of those known to be fraud (0 when none)", "ratio")           \
  X(transaction_amount_vs_card_avg_30d,                                                           \
    "Amount against the card's mean over its previous 30 days", "ratio")                          \
  X(card_max_amount_vs_avg_14d,                                                                   \
    "The card's largest amount of the last 14 days against its 30-day mean", "ratio")             \
  X(card_hours_since_previous, "Hours since the card's previous transaction", "hours")            \
  X(card_lifetime_transactions, "The card's transactions before this one", "transactions")        \
  X(transaction_new_merchant_for_card, "1 when the card never paid this merchant before", "flag") \
  X(transaction_new_location_for_card, "1 when the card was never used at this location before",  \
    "flag")                                                                                       \
  X(card_known_frauds, "The card's transactions known to be fraud by now", "transactions")        \
  X(merchant_transactions_recent, "The merchant's transactions in the last label_delay",          \
    "transactions")                                                                               \
  X(merchant_known_fraud_rate, "Share of the merchant's labelled transactions known to be fraud", \
    "ratio")                                                                                      \
  X(transaction_hour, "Local hour of the transaction", "hour")

#define VIGIL_FEATURE_ENUM_(name, description, unit) k_##name,
enum class CustomerFeature { VIGIL_CUSTOMER_FEATURES(VIGIL_FEATURE_ENUM_) kCount };
enum class OrderFeature { VIGIL_ORDER_FEATURES(VIGIL_FEATURE_ENUM_) kCount };
enum class ReturnFeature { VIGIL_RETURN_FEATURES(VIGIL_FEATURE_ENUM_) kCount };
enum class TransactionFeature { VIGIL_TRANSACTION_FEATURES(VIGIL_FEATURE_ENUM_) kCount };
#undef VIGIL_FEATURE_ENUM_

inline constexpr size_t kCustomerFeatureCount = static_cast<size_t>(CustomerFeature::kCount);
// Order and return vectors: the customer block, then their own block.
inline constexpr size_t kOrderVectorSize =
    kCustomerFeatureCount + static_cast<size_t>(OrderFeature::kCount);
inline constexpr size_t kReturnVectorSize =
    kCustomerFeatureCount + static_cast<size_t>(ReturnFeature::kCount);
// Transaction vectors have their own block only.
inline constexpr size_t kTransactionVectorSize = static_cast<size_t>(TransactionFeature::kCount);

struct FeatureSpec {
  std::string_view name;
  std::string_view description;
  std::string_view unit;
};

enum class DecisionKind { kOrder, kReturn, kTransaction };
// The number of kinds, for tables indexed by a kind's value. It names the
// last kind: a kind added after kTransaction must be named here instead.
inline constexpr size_t kDecisionKindCount = static_cast<size_t>(DecisionKind::kTransaction) + 1;
std::string_view DecisionKindName(DecisionKind kind);  // "order", "return", "transaction"

// The specs of a kind's vector, in order.
std::span<const FeatureSpec> FeatureSpecs(DecisionKind kind);
std::vector<std::string> FeatureNames(DecisionKind kind);
// Index of `name` in the kind's vector, or -1.
int FeatureIndex(DecisionKind kind, std::string_view name);

}  // namespace vigil

#endif  // VIGIL_FEATURES_FEATURE_REGISTRY_H_
