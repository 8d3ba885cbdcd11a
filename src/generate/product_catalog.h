// ProductCatalog: the product categories of the synthetic marketplace (demand share,
// price level, sizes, genuine return rate, what abusers target) and a
// generated catalogue of products and sellers, with popularity-skewed picks.
// Immutable after Generate(); thread-safe for reading.
#ifndef VIGIL_GENERATE_PRODUCT_CATALOG_H_
#define VIGIL_GENERATE_PRODUCT_CATALOG_H_

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "generate/random.h"

namespace vigil {

enum class Category : uint8_t {
  kFashion,
  kEthnicWear,
  kFootwear,
  kMobiles,
  kElectronics,
  kHomeKitchen,
  kBeauty,
  kBooks,
  kGrocery,
  kToys,
  kSports,
};
inline constexpr int kCategoryCount = 11;

enum class SizeKind : uint8_t { kNone, kClothing, kShoe };

struct CategoryInfo {
  std::string_view name;  // as written to products.csv
  double order_share;     // share of an ordinary customer's orders
  double median_price;    // rupees
  double price_spread;    // log-normal sigma of prices
  SizeKind sizes;
  double return_rate;   // genuine return rate for an ordinary customer
  double defect_share;  // of those returns: defects and damage (the rest fit or mind)
  bool occasion_wear;   // bought for festivals: what wardrobers return
  bool switchable;      // phones and gadgets: what empty-box fraud targets
  std::span<const std::string_view> brands;
};

const CategoryInfo& InfoOf(Category category);
// Size labels of a size kind ("S", "M", ... or "UK 7", ...); empty for kNone.
std::span<const std::string_view> SizeLabels(SizeKind kind);

struct Product {
  int64_t price_paise;
  int32_t seller;  // 0-based
  Category category;
  uint8_t brand;  // index into the category's brands
};

class ProductCatalog {
 public:
  // Products spread over categories by demand share and over sellers at
  // random; about one seller in ten is a poor one, whose items come back as
  // defective or not as described more often.
  static ProductCatalog Generate(int64_t products, int64_t sellers, Rng& rng);

  std::span<const Product> products() const { return products_; }
  int64_t seller_count() const { return static_cast<int64_t>(seller_poor_.size()); }
  bool poor_seller(int32_t seller) const { return seller_poor_[seller] != 0; }

  // A product of the category, popular ones (low numbers) far more often.
  int32_t Pick(Category category, Rng& rng) const;
  // The priciest of a few picks: what someone shopping for an occasion or
  // a high-value refund goes for.
  int32_t PickPricey(Category category, Rng& rng) const;

 private:
  std::vector<Product> products_;
  std::vector<std::vector<int32_t>> by_category_;
  std::vector<uint8_t> seller_poor_;
};

}  // namespace vigil

#endif  // VIGIL_GENERATE_PRODUCT_CATALOG_H_
