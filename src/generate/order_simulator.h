// OrderSimulator: what happens to one checkout of the synthetic marketplace.
// It picks the product (from the customer's tastes, or the target of an
// abusive plan: occasion wear before a festival for a wardrober, an expensive
// phone for an empty-box fraudster or a ring), the payment (cash on delivery
// more in small towns), the delivery (1-7 days by city tier), whether a COD
// parcel is refused (RTO), and whether and how the item comes back: genuine
// size, defect and change-of-mind returns for everyone, bracketing returns
// (several sizes, all but one returned; not abuse), and the abusive returns
// with their tell-tale timing and QC results. Events after the end of the
// period are cut: late deliveries are `pending`, late returns not yet
// requested, late QC still open. Not thread-safe (owns its Rng).
#ifndef VIGIL_GENERATE_ORDER_SIMULATOR_H_
#define VIGIL_GENERATE_ORDER_SIMULATOR_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "generate/customer_population.h"
#include "generate/demand_curve.h"
#include "generate/marketplace_records.h"
#include "generate/product_catalog.h"
#include "generate/random.h"

namespace vigil {

struct SimulatedOrder {
  OrderRecord order;
  bool returned = false;  // `ret` is meaningful
  ReturnRecord ret;
};

class OrderSimulator {
 public:
  // The referenced objects must outlive the simulator.
  OrderSimulator(const ProductCatalog& catalog, const CustomerPopulation& population,
                 const DemandCurve& demand, Rng rng);

  // Replaces `out` with the orders of the checkout of customer `customer`
  // at `at`: one, or a few sizes of one item for a bracketing checkout.
  void Checkout(uint32_t customer, Timestamp at, std::vector<SimulatedOrder>* out);

 private:
  enum class Plan : uint8_t { kNone, kWardrobe, kEmptyBox, kSerialReturn };

  Plan ChoosePlan(const Customer& c, int day);
  // One order, or one per size of a bracketing checkout (the kept size first).
  void AddItems(const OrderRecord& base, const Customer& c, Plan plan, SizeKind size_kind,
                std::vector<SimulatedOrder>* out);
  int32_t ChooseProduct(const Customer& c, Plan plan);
  PaymentMethod ChoosePayment(const Customer& c, int64_t amount_paise);
  int64_t Discount(int64_t gross_paise, int day);
  double RtoChance(const Customer& c, const OrderRecord& o) const;
  void Fulfil(const Customer& c, std::vector<SimulatedOrder>* orders);
  void ChooseReturns(const Customer& c, Plan plan, const Product& product,
                     std::vector<SimulatedOrder>* orders);
  void GenuineReturn(const Customer& c, const Product& product, SimulatedOrder* o);
  // Requests a return `offset_days` after delivery (within the window),
  // unless that is after the period; `qc_odds` weigh pass, fail, empty,
  // used and mismatch.
  void PlanReturn(SimulatedOrder* o, double offset_days, std::span<const std::string_view> reasons,
                  const double* qc_odds, bool abuse);

  const ProductCatalog& catalog_;
  const CustomerPopulation& population_;
  const DemandCurve& demand_;
  Timestamp end_;
  Rng rng_;
  uint64_t salt_;  // varies the per-customer and per-pincode traits with the seed
  double category_weights_[kBehaviourCount][kCategoryCount];
};

}  // namespace vigil

#endif  // VIGIL_GENERATE_ORDER_SIMULATOR_H_
