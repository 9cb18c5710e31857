// A forward walk over JSON text for readers that must not build a DOM (the index reader:
// src/format/safetensors_index.cpp). The cursor only moves forward, every read is checked
// against the end, and values a reader skips are still checked to the JSON grammar (RFC 8259,
// as simdjson checks it), so malformed JSON anywhere is refused. Nothing is allocated except
// to unescape a string that has escapes.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mp {

// A string token: the bytes between its quotes, and whether it holds escapes.
struct JsonString {
  std::string_view raw;
  bool escaped = false;
};

class JsonCursor {
 public:
  JsonCursor(const char* text, size_t len) : begin_(text), p_(text), end_(text + len) {}

  void ws() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  bool at_end() const { return p_ >= end_; }
  char peek() const { return p_ < end_ ? *p_ : '\0'; }
  bool eat(char c) {
    if (p_ < end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }
  size_t offset() const { return static_cast<size_t>(p_ - begin_); }
  const char* begin() const { return begin_; }

  // "invalid JSON in <where> at byte N (<what>)": a syntax error at the current byte.
  std::string syntax_message(std::string_view where, const char* what) const;

  // At '"': walks the string to its closing quote, checking escapes (surrogates pair up, as
  // simdjson requires) and that no control character is unescaped.
  bool string(JsonString* out);
  // A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; false if malformed.
  bool number(std::string_view* tok);
  // Any JSON value, checked and skipped. `depth` counts the containers around it (at most
  // kMaxJsonDepth, json_walk.h).
  bool skip_value(int depth);
  // A number simdjson would refuse for being out of a double's range (1e400) is refused too.
  static bool finite(std::string_view tok);

 private:
  bool hex4(uint32_t* cp);
  size_t digits();
  bool atom(const char* word);

  const char* begin_;
  const char* p_;
  const char* end_;
};

// The text of a string token with its escapes resolved (the cursor has checked them).
std::string unescape(std::string_view raw);
// A string token's text, unescaped into `scratch` only when it holds escapes.
std::string_view text_of(const JsonString& s, std::string* scratch);

}  // namespace mp
