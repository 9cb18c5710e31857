// The report's JSON writer, shared by report_json.cpp and verdict_json.cpp.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

namespace mp {

// Minimal JSON string escaping (UTF-8 passed through, control characters escaped).
void json_escape(std::string& out, const std::string& s);

// A tiny append-only JSON writer: commas are handled by `sep`, numbers printed with enough digits
// to reproduce the double (%.17g would print noise like 0.57099999999999995; 12 significant digits
// are far below any statistic's uncertainty and identical natively and in wasm).
class JsonWriter {
 public:
  std::string out;

  void raw(const char* s) { out += s; }
  void key(const char* k) {
    sep();
    out += '"';
    out += k;
    out += "\":";
    fresh_ = true;
  }
  void begin_object() { sep(); out += '{'; fresh_ = true; }
  void end_object() { out += '}'; fresh_ = false; }
  void begin_array() { sep(); out += '['; fresh_ = true; }
  void end_array() { out += ']'; fresh_ = false; }
  void num(double v) {
    sep();
    if (!std::isfinite(v)) { out += "null"; return; }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.12g", v);
    out += buf;
  }
  void integer(uint64_t v) { sep(); out += std::to_string(v); }
  void integer_signed(long long v) { sep(); out += std::to_string(v); }
  void boolean(bool v) { sep(); out += v ? "true" : "false"; }
  void str(const std::string& s) { sep(); out += '"'; json_escape(out, s); out += '"'; }
  void null() { sep(); out += "null"; }

  template <class F> void field_obj(const char* k, F f) { key(k); begin_object(); f(); end_object(); }
  template <class F> void field_arr(const char* k, F f) { key(k); begin_array(); f(); end_array(); }
  void field(const char* k, double v) { key(k); num(v); }
  void field_int(const char* k, uint64_t v) { key(k); integer(v); }
  void field_bool(const char* k, bool v) { key(k); boolean(v); }
  void field_str(const char* k, const std::string& v) { key(k); str(v); }
  void nums(const char* k, const double* v, int n) {
    field_arr(k, [&] { for (int i = 0; i < n; ++i) num(v[i]); });
  }

 private:
  void sep() {
    if (!fresh_) out += ',';
    fresh_ = false;
  }
  bool fresh_ = true;
};

// A share that is undefined (null in the report) when the whole is empty.
inline double share(uint64_t part, uint64_t whole) { return whole ? static_cast<double>(part) / whole : NAN; }

}  // namespace mp
