// Number and list formatting shared by the verdict's words (text*.cpp): how a number, a share, a
// formula or a list is written. Nothing here decides anything.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace mp::verdict::words {

inline std::string fmt(double v, int decimals = 3) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

// A share as a percentage, never rounded to 100% or 0% when it is not exactly that (99.975% is
// "99.975%", not "100.0%").
inline std::string pct(double share) {
  if (!std::isfinite(share)) return "undefined";
  for (int d = 1; d <= 6; ++d) {
    const std::string s = fmt(100.0 * share, d);
    const double r = std::stod(s);
    if ((r == 100.0 && share < 1) || (r == 0.0 && share > 0)) continue;
    return s + "%";
  }
  return share < 1 && share > 0.5 ? "<100%" : share > 0 && share < 0.5 ? ">0%" : fmt(100.0 * share, 1) + "%";
}

// A number, or "undefined" when it is not defined.
inline std::string fmt_or_undefined(double v, int decimals = 3) { return std::isfinite(v) ? fmt(v, decimals) : "undefined"; }

inline std::string num(uint64_t n) { return std::to_string(n); }

inline std::string parent_label(int i, int k) { return k == 1 ? "A" : "A" + std::to_string(i + 1); }

// "a, b, c"
template <class T, class F>
std::string joined(const std::vector<T>& items, const char* sep, F each) {
  std::string s;
  for (const auto& x : items) s += (s.empty() ? "" : sep) + each(x);
  return s;
}

inline std::string joined(const std::vector<std::string>& items, const char* sep) {
  return joined(items, sep, [](const std::string& s) { return s; });
}

// "0.6, 0.4"
inline std::string list(const std::vector<double>& v) {
  return joined(v, ", ", [](double x) { return fmt_or_undefined(x); });
}

// "1.1%, 0.9%"
inline std::string list_pct(const std::vector<double>& v) {
  return joined(v, ", ", [](double x) { return pct(x); });
}

// The sentence's formula: "C = 0.571 A + 0.429 B", or task arithmetic's form when the weights do
// not sum into [0, 1] or there are several parents.
inline std::string formula(const std::vector<double>& alpha, int k) {
  std::string s = "C = ";
  if (k == 1 && alpha[0] >= 0 && alpha[0] <= 1) {
    return s + fmt(alpha[0]) + " A + " + fmt(1 - alpha[0]) + " B";
  }
  s += "B";
  for (int i = 0; i < k; ++i) {
    s += alpha[i] < 0 ? " - " : " + ";
    s += fmt(std::fabs(alpha[i])) + " (" + parent_label(i, k) + " - B)";
  }
  return s;
}

}  // namespace mp::verdict::words
