#include "generate/product_catalog.h"

#include <algorithm>
#include <cmath>

namespace vigil {
namespace {

constexpr std::string_view kFashionBrands[] = {"Urban Threads", "Roadline",    "Desi Denim",
                                               "Metro Edit",    "Campus Line", "Kavya Studio"};
constexpr std::string_view kEthnicBrands[] = {"Rangoli Weaves", "Banaras House", "Utsav Attire",
                                              "Kalamkari Co",   "Shringar",      "Mughal Loom"};
constexpr std::string_view kFootwearBrands[] = {"Stride India", "Metro Walk", "Trekline", "Paduka",
                                                "Chappal Co"};
constexpr std::string_view kMobileBrands[] = {"Nimbus", "Volta", "Sarvam", "Orbit", "Kiran"};
constexpr std::string_view kElectronicsBrands[] = {"Dhvani Audio", "Pixelite", "Voltix", "Sonora",
                                                   "Ampere"};
constexpr std::string_view kHomeBrands[] = {"Rasoi Craft", "Griha", "HomeNest", "Kitchen Raja"};
constexpr std::string_view kBeautyBrands[] = {"Kumkum Naturals", "Ayur Glow", "Mitti Care",
                                              "Neelam Beauty"};
constexpr std::string_view kBookBrands[] = {"Saraswati Press", "Vidya Books", "Kitaab Ghar",
                                            "Pustak House"};
constexpr std::string_view kGroceryBrands[] = {"Annapurna Foods", "Desi Pantry", "Masala Mandi",
                                               "Kisan Fresh"};
constexpr std::string_view kToyBrands[] = {"Khilona", "Little Champs", "Kids Kingdom"};
constexpr std::string_view kSportsBrands[] = {"Khel Gear", "Sprint India", "Yoga Vidya",
                                              "Cricket Nation"};

// Order shares sum to 1. Return rates are those of ordinary customers; the
// marketplace totals come out higher once bracketers and abusers add theirs
// (fashion ~25-30 %, footwear ~20 %, electronics ~8-10 %).
constexpr CategoryInfo kCategories[kCategoryCount] = {
    {"fashion", 0.24, 699, 0.6, SizeKind::kClothing, 0.155, 0.15, true, false, kFashionBrands},
    {"ethnic_wear", 0.07, 1899, 0.7, SizeKind::kClothing, 0.13, 0.15, true, false, kEthnicBrands},
    {"footwear", 0.09, 1299, 0.5, SizeKind::kShoe, 0.12, 0.20, false, false, kFootwearBrands},
    {"mobiles", 0.08, 14999, 0.6, SizeKind::kNone, 0.035, 0.70, false, true, kMobileBrands},
    {"electronics", 0.09, 2499, 1.0, SizeKind::kNone, 0.04, 0.65, true, true, kElectronicsBrands},
    {"home_kitchen", 0.12, 899, 0.8, SizeKind::kNone, 0.07, 0.55, false, false, kHomeBrands},
    {"beauty", 0.10, 399, 0.6, SizeKind::kNone, 0.035, 0.50, false, false, kBeautyBrands},
    {"books", 0.06, 349, 0.4, SizeKind::kNone, 0.02, 0.60, false, false, kBookBrands},
    {"grocery", 0.08, 549, 0.5, SizeKind::kNone, 0.012, 0.90, false, false, kGroceryBrands},
    {"toys", 0.04, 799, 0.6, SizeKind::kNone, 0.06, 0.50, false, false, kToyBrands},
    {"sports", 0.03, 1199, 0.7, SizeKind::kNone, 0.08, 0.40, false, false, kSportsBrands},
};

constexpr std::string_view kClothingSizes[] = {"XS", "S", "M", "L", "XL", "XXL"};
constexpr std::string_view kShoeSizes[] = {"UK 5", "UK 6",  "UK 7", "UK 8",
                                           "UK 9", "UK 10", "UK 11"};

// Shop prices end in 9: 499, 1299, 14999.
int64_t ShopPricePaise(double rupees) {
  int64_t r = static_cast<int64_t>(std::llround(rupees / 10.0)) * 10 - 1;
  if (rupees >= 5000) r = static_cast<int64_t>(std::llround(rupees / 100.0)) * 100 - 1;
  return std::max<int64_t>(r, 49) * 100;
}

}  // namespace

const CategoryInfo& InfoOf(Category category) { return kCategories[static_cast<int>(category)]; }

std::span<const std::string_view> SizeLabels(SizeKind kind) {
  switch (kind) {
    case SizeKind::kClothing:
      return kClothingSizes;
    case SizeKind::kShoe:
      return kShoeSizes;
    case SizeKind::kNone:
      break;
  }
  return {};
}

ProductCatalog ProductCatalog::Generate(int64_t products, int64_t sellers, Rng& rng) {
  ProductCatalog catalog;
  catalog.by_category_.resize(kCategoryCount);
  catalog.seller_poor_.resize(static_cast<size_t>(std::max<int64_t>(sellers, 1)));
  for (uint8_t& poor : catalog.seller_poor_) poor = rng.Chance(0.1) ? 1 : 0;

  double shares[kCategoryCount];
  for (int c = 0; c < kCategoryCount; ++c) shares[c] = kCategories[c].order_share;
  catalog.products_.reserve(static_cast<size_t>(products));
  for (int64_t i = 0; i < products; ++i) {
    // Every category gets products even in a tiny catalogue.
    const int c = i < kCategoryCount ? static_cast<int>(i) : static_cast<int>(rng.Pick(shares));
    const CategoryInfo& info = kCategories[c];
    Product p;
    p.category = static_cast<Category>(c);
    p.price_paise = ShopPricePaise(rng.LogNormal(info.median_price, info.price_spread));
    p.seller = static_cast<int32_t>(rng.Below(catalog.seller_poor_.size()));
    p.brand = static_cast<uint8_t>(rng.Below(info.brands.size()));
    catalog.by_category_[c].push_back(static_cast<int32_t>(i));
    catalog.products_.push_back(p);
  }
  return catalog;
}

int32_t ProductCatalog::Pick(Category category, Rng& rng) const {
  const std::vector<int32_t>& list = by_category_[static_cast<int>(category)];
  const double u = rng.Uniform();
  return list[static_cast<size_t>(u * u * u * static_cast<double>(list.size()))];
}

int32_t ProductCatalog::PickPricey(Category category, Rng& rng) const {
  int32_t best = Pick(category, rng);
  for (int i = 0; i < 3; ++i) {
    const int32_t other = Pick(category, rng);
    if (products_[other].price_paise > products_[best].price_paise) best = other;
  }
  return best;
}

}  // namespace vigil
