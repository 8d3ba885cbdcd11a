#include "generate/india_geography.h"

#include <array>
#include <vector>

namespace vigil {
namespace {

constexpr double kMetro = 1.0, kLarge = 1.0, kSmall = 0.6;
constexpr int kMetroPins = 120, kLargePins = 40, kSmallPins = 15;

constexpr City kCities[] = {
    // Tier 1: metros, about 40 % of shoppers.
    {"Delhi", "Delhi", 110, 1, 7.0 * kMetro, kMetroPins},
    {"Mumbai", "Maharashtra", 400, 1, 6.0 * kMetro, kMetroPins},
    {"Bengaluru", "Karnataka", 560, 1, 6.0 * kMetro, kMetroPins},
    {"Hyderabad", "Telangana", 500, 1, 4.5 * kMetro, kMetroPins},
    {"Chennai", "Tamil Nadu", 600, 1, 4.0 * kMetro, kMetroPins},
    {"Kolkata", "West Bengal", 700, 1, 4.0 * kMetro, kMetroPins},
    {"Pune", "Maharashtra", 411, 1, 3.0 * kMetro, kMetroPins},
    {"Ahmedabad", "Gujarat", 380, 1, 2.5 * kMetro, kMetroPins},
    {"Gurugram", "Haryana", 122, 1, 1.5 * kMetro, kMetroPins},
    {"Noida", "Uttar Pradesh", 201, 1, 1.5 * kMetro, kMetroPins},
    // Tier 2: large cities.
    {"Jaipur", "Rajasthan", 302, 2, kLarge, kLargePins},
    {"Lucknow", "Uttar Pradesh", 226, 2, kLarge, kLargePins},
    {"Kanpur", "Uttar Pradesh", 208, 2, kLarge, kLargePins},
    {"Nagpur", "Maharashtra", 440, 2, kLarge, kLargePins},
    {"Indore", "Madhya Pradesh", 452, 2, kLarge, kLargePins},
    {"Bhopal", "Madhya Pradesh", 462, 2, kLarge, kLargePins},
    {"Patna", "Bihar", 800, 2, kLarge, kLargePins},
    {"Vadodara", "Gujarat", 390, 2, kLarge, kLargePins},
    {"Surat", "Gujarat", 395, 2, kLarge, kLargePins},
    {"Coimbatore", "Tamil Nadu", 641, 2, kLarge, kLargePins},
    {"Kochi", "Kerala", 682, 2, kLarge, kLargePins},
    {"Visakhapatnam", "Andhra Pradesh", 530, 2, kLarge, kLargePins},
    {"Chandigarh", "Chandigarh", 160, 2, kLarge, kLargePins},
    {"Ludhiana", "Punjab", 141, 2, kLarge, kLargePins},
    {"Bhubaneswar", "Odisha", 751, 2, kLarge, kLargePins},
    {"Guwahati", "Assam", 781, 2, kLarge, kLargePins},
    {"Dehradun", "Uttarakhand", 248, 2, kLarge, kLargePins},
    {"Ranchi", "Jharkhand", 834, 2, kLarge, kLargePins},
    {"Raipur", "Chhattisgarh", 492, 2, kLarge, kLargePins},
    {"Thiruvananthapuram", "Kerala", 695, 2, kLarge, kLargePins},
    {"Mysuru", "Karnataka", 570, 2, kLarge, kLargePins},
    {"Madurai", "Tamil Nadu", 625, 2, kLarge, kLargePins},
    {"Vijayawada", "Andhra Pradesh", 520, 2, kLarge, kLargePins},
    {"Nashik", "Maharashtra", 422, 2, kLarge, kLargePins},
    {"Agra", "Uttar Pradesh", 282, 2, kLarge, kLargePins},
    {"Varanasi", "Uttar Pradesh", 221, 2, kLarge, kLargePins},
    {"Amritsar", "Punjab", 143, 2, kLarge, kLargePins},
    {"Jalandhar", "Punjab", 144, 2, kLarge, kLargePins},
    {"Jodhpur", "Rajasthan", 342, 2, kLarge, kLargePins},
    {"Gwalior", "Madhya Pradesh", 474, 2, kLarge, kLargePins},
    {"Panaji", "Goa", 403, 2, kLarge, kLargePins},
    {"Mangaluru", "Karnataka", 575, 2, kLarge, kLargePins},
    // Tier 3: smaller towns.
    {"Gaya", "Bihar", 823, 3, kSmall, kSmallPins},
    {"Muzaffarpur", "Bihar", 842, 3, kSmall, kSmallPins},
    {"Bhagalpur", "Bihar", 812, 3, kSmall, kSmallPins},
    {"Darbhanga", "Bihar", 846, 3, kSmall, kSmallPins},
    {"Bareilly", "Uttar Pradesh", 243, 3, kSmall, kSmallPins},
    {"Gorakhpur", "Uttar Pradesh", 273, 3, kSmall, kSmallPins},
    {"Jhansi", "Uttar Pradesh", 284, 3, kSmall, kSmallPins},
    {"Aligarh", "Uttar Pradesh", 202, 3, kSmall, kSmallPins},
    {"Bikaner", "Rajasthan", 334, 3, kSmall, kSmallPins},
    {"Udaipur", "Rajasthan", 313, 3, kSmall, kSmallPins},
    {"Ajmer", "Rajasthan", 305, 3, kSmall, kSmallPins},
    {"Jamnagar", "Gujarat", 361, 3, kSmall, kSmallPins},
    {"Bhavnagar", "Gujarat", 364, 3, kSmall, kSmallPins},
    {"Kolhapur", "Maharashtra", 416, 3, kSmall, kSmallPins},
    {"Aurangabad", "Maharashtra", 431, 3, kSmall, kSmallPins},
    {"Satna", "Madhya Pradesh", 485, 3, kSmall, kSmallPins},
    {"Sagar", "Madhya Pradesh", 470, 3, kSmall, kSmallPins},
    {"Bilaspur", "Chhattisgarh", 495, 3, kSmall, kSmallPins},
    {"Tirunelveli", "Tamil Nadu", 627, 3, kSmall, kSmallPins},
    {"Salem", "Tamil Nadu", 636, 3, kSmall, kSmallPins},
    {"Thrissur", "Kerala", 680, 3, kSmall, kSmallPins},
    {"Kozhikode", "Kerala", 673, 3, kSmall, kSmallPins},
    {"Guntur", "Andhra Pradesh", 522, 3, kSmall, kSmallPins},
    {"Kurnool", "Andhra Pradesh", 518, 3, kSmall, kSmallPins},
    {"Nellore", "Andhra Pradesh", 524, 3, kSmall, kSmallPins},
    {"Warangal", "Telangana", 506, 3, kSmall, kSmallPins},
    {"Karimnagar", "Telangana", 505, 3, kSmall, kSmallPins},
    {"Belagavi", "Karnataka", 590, 3, kSmall, kSmallPins},
    {"Hubballi", "Karnataka", 580, 3, kSmall, kSmallPins},
    {"Cuttack", "Odisha", 753, 3, kSmall, kSmallPins},
    {"Sambalpur", "Odisha", 768, 3, kSmall, kSmallPins},
    {"Silchar", "Assam", 788, 3, kSmall, kSmallPins},
    {"Siliguri", "West Bengal", 734, 3, kSmall, kSmallPins},
    {"Durgapur", "West Bengal", 713, 3, kSmall, kSmallPins},
    {"Dhanbad", "Jharkhand", 826, 3, kSmall, kSmallPins},
    {"Hisar", "Haryana", 125, 3, kSmall, kSmallPins},
    {"Rohtak", "Haryana", 124, 3, kSmall, kSmallPins},
    {"Karnal", "Haryana", 132, 3, kSmall, kSmallPins},
    {"Bathinda", "Punjab", 151, 3, kSmall, kSmallPins},
    {"Shimla", "Himachal Pradesh", 171, 3, kSmall, kSmallPins},
    {"Jammu", "Jammu and Kashmir", 180, 3, kSmall, kSmallPins},
    {"Srinagar", "Jammu and Kashmir", 190, 3, kSmall, kSmallPins},
    {"Haldwani", "Uttarakhand", 263, 3, kSmall, kSmallPins},
    {"Agartala", "Tripura", 799, 3, kSmall, kSmallPins},
    {"Imphal", "Manipur", 795, 3, kSmall, kSmallPins},
    {"Shillong", "Meghalaya", 793, 3, kSmall, kSmallPins},
    {"Puducherry", "Puducherry", 605, 3, kSmall, kSmallPins},
};

constexpr std::string_view kFirstNames[] = {
    "Aarav",   "Vivaan",    "Aditya",   "Arjun",   "Sai",    "Reyansh", "Krishna",  "Ishaan",
    "Rohan",   "Rahul",     "Amit",     "Vikram",  "Suresh", "Rajesh",  "Manoj",    "Sanjay",
    "Deepak",  "Karthik",   "Naveen",   "Pradeep", "Imran",  "Faisal",  "Arif",     "Joseph",
    "Thomas",  "Gurpreet",  "Harpreet", "Manish",  "Nikhil", "Varun",   "Abhishek", "Sourav",
    "Ananya",  "Diya",      "Saanvi",   "Aadhya",  "Priya",  "Pooja",   "Neha",     "Sneha",
    "Kavya",   "Divya",     "Lakshmi",  "Meera",   "Anjali", "Swati",   "Shreya",   "Ritu",
    "Sunita",  "Geeta",     "Asha",     "Fatima",  "Ayesha", "Sana",    "Mary",     "Riya",
    "Nandini", "Aishwarya", "Pallavi",  "Simran",  "Jyoti",  "Komal",   "Bhavna",   "Tanvi",
};

// Surnames by region of the pincode's first digit: 1-2 north, 3-4 west and
// centre, 5-6 south, 7-8 east; plus names found everywhere.
constexpr std::string_view kNorthSurnames[] = {
    "Sharma", "Verma",  "Gupta",  "Singh",      "Yadav",  "Kumar", "Agarwal", "Chauhan",
    "Mishra", "Tiwari", "Pandey", "Srivastava", "Saxena", "Kaur",  "Gill",    "Malhotra",
};
constexpr std::string_view kWestSurnames[] = {
    "Patel", "Shah",  "Desai",   "Joshi",   "Kulkarni", "Patil", "Deshmukh", "Jadhav",
    "Pawar", "Mehta", "Trivedi", "Rathore", "Jain",     "Soni",  "Chouhan",  "Naik",
};
constexpr std::string_view kSouthSurnames[] = {
    "Reddy",    "Naidu",       "Rao",   "Iyer",  "Iyengar", "Nair", "Menon",    "Pillai",
    "Krishnan", "Subramanian", "Gowda", "Hegde", "Shetty",  "Raju", "Chandran", "Varghese",
};
constexpr std::string_view kEastSurnames[] = {
    "Das",     "Banerjee", "Chatterjee", "Mukherjee", "Ghosh",  "Bose",  "Sen",   "Mohanty",
    "Patnaik", "Sahoo",    "Mahato",     "Jha",       "Prasad", "Sinha", "Barua", "Singha",
};
constexpr std::string_view kCommonSurnames[] = {
    "Khan", "Ahmed", "Ansari", "Qureshi", "Fernandes", "D'Souza", "Thomas", "Kumar",
};

const std::vector<double>& CityWeights() {
  static const std::vector<double> weights = [] {
    std::vector<double> w;
    for (const City& c : kCities) w.push_back(c.weight);
    return w;
  }();
  return weights;
}

template <size_t N>
std::string_view PickFrom(const std::string_view (&names)[N], Rng& rng) {
  return names[rng.Below(N)];
}

}  // namespace

std::span<const City> Cities() { return kCities; }

int PickCity(Rng& rng) { return static_cast<int>(rng.Pick(CityWeights())); }

uint32_t PickPincode(const City& city, Rng& rng) {
  // Low delivery-office numbers are the busy central ones.
  const double u = rng.Uniform();
  const uint32_t office = 1 + static_cast<uint32_t>(u * u * city.pincode_count);
  return static_cast<uint32_t>(city.pincode_prefix) * 1000 + office;
}

void PickName(const City& city, Rng& rng, std::string* name) {
  name->assign(PickFrom(kFirstNames, rng));
  name->push_back(' ');
  std::string_view surname;
  if (rng.Chance(0.12)) {
    surname = PickFrom(kCommonSurnames, rng);
  } else {
    switch (city.pincode_prefix / 100) {
      case 1:
      case 2:
        surname = PickFrom(kNorthSurnames, rng);
        break;
      case 3:
      case 4:
        surname = PickFrom(kWestSurnames, rng);
        break;
      case 5:
      case 6:
        surname = PickFrom(kSouthSurnames, rng);
        break;
      default:
        surname = PickFrom(kEastSurnames, rng);
        break;
    }
  }
  name->append(surname);
}

}  // namespace vigil
