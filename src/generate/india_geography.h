// IndiaGeography: the cities the synthetic marketplace delivers to, with
// their state, 3-digit pincode prefix (the postal sorting district) and tier
// (1 = metro, 2 = large city, 3 = smaller town), plus realistic 6-digit
// pincodes and Indian personal names. The tables are static; all functions
// are pure and thread-safe (randomness comes from the caller's Rng).
#ifndef VIGIL_GENERATE_INDIA_GEOGRAPHY_H_
#define VIGIL_GENERATE_INDIA_GEOGRAPHY_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "generate/random.h"

namespace vigil {

struct City {
  std::string_view name;
  std::string_view state;
  int pincode_prefix;  // first three digits of the city's pincodes
  int tier;            // 1, 2 or 3
  double weight;       // share of online shoppers, relative
  int pincode_count;   // distinct delivery pincodes used in the city
};

std::span<const City> Cities();

// A city index drawn by shopper share.
int PickCity(Rng& rng);
// A 6-digit pincode of the city: the prefix and a delivery office number.
uint32_t PickPincode(const City& city, Rng& rng);
// "Firstname Lastname", surnames leaning to the city's region.
void PickName(const City& city, Rng& rng, std::string* name);

}  // namespace vigil

#endif  // VIGIL_GENERATE_INDIA_GEOGRAPHY_H_
