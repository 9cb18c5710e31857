#include "format/json_cursor.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "format/json_walk.h"  // kMaxJsonDepth

namespace mp {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

}  // namespace

std::string JsonCursor::syntax_message(std::string_view where, const char* what) const {
  std::string msg = "invalid JSON";
  if (!where.empty()) msg += " in " + std::string(where);
  msg += " at byte " + std::to_string(offset()) + " (";
  msg += at_end() ? "unexpected end of the index" : what;
  return msg + ")";
}

bool JsonCursor::string(JsonString* out) {
  if (!eat('"')) return false;
  const char* start = p_;
  bool escaped = false;
  for (;;) {
    // The common case: plain bytes up to the closing quote.
    while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20) ++p_;
    if (p_ >= end_ || static_cast<unsigned char>(*p_) < 0x20) return false;
    if (*p_ == '"') break;
    escaped = true;
    ++p_;  // the backslash
    if (p_ >= end_) return false;
    const char c = *p_++;
    if (c == 'u') {
      uint32_t cp = 0;
      if (!hex4(&cp)) return false;
      if (cp >= 0xD800 && cp < 0xDC00) {
        uint32_t lo = 0;
        if (!eat('\\') || !eat('u') || !hex4(&lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
      } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return false;  // a low surrogate with no high one before it
      }
    } else if (!std::strchr("\"\\/bfnrt", c) || c == '\0') {
      return false;
    }
  }
  out->raw = std::string_view(start, static_cast<size_t>(p_ - start));
  out->escaped = escaped;
  ++p_;  // the closing quote
  return true;
}

bool JsonCursor::number(std::string_view* tok) {
  const char* start = p_;
  eat('-');
  if (eat('0')) {
  } else if (digits() == 0) {
    return false;
  }
  if (eat('.') && digits() == 0) return false;
  if (peek() == 'e' || peek() == 'E') {
    ++p_;
    if (!eat('+')) eat('-');
    if (digits() == 0) return false;
  }
  *tok = std::string_view(start, static_cast<size_t>(p_ - start));
  return true;
}

bool JsonCursor::skip_value(int depth) {
  if (depth > kMaxJsonDepth) return false;
  const char c = peek();
  if (c == '"') {
    JsonString s;
    return string(&s);
  }
  if (c == '{' || c == '[') {
    const char close = c == '{' ? '}' : ']';
    ++p_;
    ws();
    if (eat(close)) return true;
    for (;;) {
      if (c == '{') {
        JsonString key;
        if (!string(&key)) return false;
        ws();
        if (!eat(':')) return false;
        ws();
      }
      if (!skip_value(depth + 1)) return false;
      ws();
      if (eat(close)) return true;
      if (!eat(',')) return false;
      ws();
    }
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    std::string_view tok;
    return number(&tok) && finite(tok);
  }
  return atom("true") || atom("false") || atom("null");
}

bool JsonCursor::finite(std::string_view tok) {
  if (tok.find_first_of(".eE") == std::string_view::npos && tok.size() < 300) return true;
  std::string copy(tok);
  return std::isfinite(std::strtod(copy.c_str(), nullptr));
}

bool JsonCursor::hex4(uint32_t* cp) {
  if (end_ - p_ < 4) return false;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    const int d = hex_digit(p_[i]);
    if (d < 0) return false;
    v = v * 16 + static_cast<uint32_t>(d);
  }
  p_ += 4;
  *cp = v;
  return true;
}
size_t JsonCursor::digits() {
  const char* s = p_;
  while (p_ < end_ && *p_ >= '0' && *p_ <= '9') ++p_;
  return static_cast<size_t>(p_ - s);
}
bool JsonCursor::atom(const char* word) {
  const size_t n = std::strlen(word);
  if (static_cast<size_t>(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return false;
  p_ += n;
  return true;
}

std::string unescape(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out.push_back(raw[i]);
      continue;
    }
    const char c = raw[++i];
    switch (c) {
      case 'b': out.push_back('\b'); break;
      case 'f': out.push_back('\f'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case 't': out.push_back('\t'); break;
      case 'u': {
        auto hex = [&](size_t at) {
          uint32_t v = 0;
          for (size_t k = 0; k < 4; ++k) v = v * 16 + static_cast<uint32_t>(hex_digit(raw[at + k]));
          return v;
        };
        uint32_t cp = hex(i + 1);
        i += 4;
        if (cp >= 0xD800 && cp < 0xDC00) {
          const uint32_t lo = hex(i + 3);  // "\uDC00": the cursor checked it is there
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          i += 6;
        }
        append_utf8(&out, cp);
        break;
      }
      default: out.push_back(c);  // " \ /
    }
  }
  return out;
}

std::string_view text_of(const JsonString& s, std::string* scratch) {
  if (!s.escaped) return s.raw;
  *scratch = unescape(s.raw);
  return *scratch;
}

}  // namespace mp
