// Numbers as Indian readers write them: lakh and crore grouping
// ("1,23,456.00", "1,00,00,000"), rupee amounts ("₹1,23,456.00") and whole
// percentages ("67%"). Pure functions; thread-safe.
#ifndef VIGIL_EXPLAIN_INDIAN_FORMAT_H_
#define VIGIL_EXPLAIN_INDIAN_FORMAT_H_

#include <string>

namespace vigil {

// `value` rounded to `decimals` places (0..6), the integer part grouped
// 3 then 2 by 2 from the right; a leading '-' for negatives. Values beyond
// ±1e15 fall back to plain notation without grouping.
std::string FormatIndianNumber(double value, int decimals);
// "₹" and FormatIndianNumber(value, 2); negatives as "-₹1,234.00".
std::string FormatRupees(double value);
// A ratio as a whole percentage: 0.666 -> "67%".
std::string FormatPercent(double ratio);

}  // namespace vigil

#endif  // VIGIL_EXPLAIN_INDIAN_FORMAT_H_
