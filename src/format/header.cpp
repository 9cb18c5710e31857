#include "format/header.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace mp {

const char* file_format_name(FileFormat f) { return f == FileFormat::Gguf ? "gguf" : "safetensors"; }

Shape::Shape(std::initializer_list<uint64_t> dims) { assign(dims.begin(), dims.size()); }
Shape::Shape(const std::vector<uint64_t>& dims) { assign(dims.data(), dims.size()); }
Shape::Shape(const Shape& o) { assign(o.data(), o.size_); }
Shape::Shape(Shape&& o) noexcept : size_(o.size_), cap_(o.cap_) {
  if (size_ > kInline) {
    heap_ = o.heap_;
  } else {
    std::memcpy(inline_, o.inline_, sizeof inline_);
  }
  o.size_ = 0;
  o.cap_ = 0;
}
Shape& Shape::operator=(const Shape& o) {
  if (this != &o) assign(o.data(), o.size_);
  return *this;
}
Shape& Shape::operator=(Shape&& o) noexcept {
  if (this == &o) return *this;
  this->~Shape();
  new (this) Shape(std::move(o));
  return *this;
}
Shape::~Shape() {
  if (size_ > kInline) delete[] heap_;
}

void Shape::assign(const uint64_t* dims, size_t n) {
  if (size_ > kInline && cap_ >= n) {  // reuse the heap block
    std::copy(dims, dims + n, heap_);
    size_ = static_cast<uint32_t>(n);
    if (size_ <= kInline) {  // back inside: free the block
      uint64_t* old = heap_;
      std::copy(old, old + n, inline_);
      delete[] old;
      cap_ = 0;
    }
    return;
  }
  this->~Shape();
  size_ = 0;
  cap_ = 0;
  if (n > kInline) {
    heap_ = new uint64_t[n];
    cap_ = static_cast<uint32_t>(n);
  }
  size_ = static_cast<uint32_t>(n);
  std::copy(dims, dims + n, data());
}

void Shape::push_back(uint64_t d) {
  if (size_ < kInline) {
    inline_[size_++] = d;
    return;
  }
  if (size_ == kInline || size_ == cap_) {
    const uint32_t cap = size_ == kInline ? 2 * kInline : 2 * cap_;
    uint64_t* grown = new uint64_t[cap];
    std::copy(data(), data() + size_, grown);
    if (size_ > kInline) delete[] heap_;
    heap_ = grown;
    cap_ = cap;
  }
  heap_[size_++] = d;
}

std::string Shape::str() const {
  std::string s = "[";
  for (size_t i = 0; i < size_; ++i) s += (i ? "," : "") + std::to_string(data()[i]);
  return s + "]";
}

bool operator==(const Shape& a, const Shape& b) {
  return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
}

namespace {

// Appends `name` to `names` and points `t` at it. `name` may be a view of `names` itself (a name
// derived from another tensor's), which the append could move: copied first then.
void append_name(std::vector<char>& names, std::string_view name, TensorInfo& t) {
  const bool aliased = !names.empty() && name.data() >= names.data() && name.data() < names.data() + names.size();
  const std::string copy = aliased ? std::string(name) : std::string();
  if (aliased) name = copy;
  t.name_at = static_cast<uint32_t>(names.size());
  t.name_size = static_cast<uint32_t>(name.size());
  names.insert(names.end(), name.begin(), name.end());
}

}  // namespace

void Header::add_tensor(std::string_view name, TensorInfo t) {
  append_name(names, name, t);
  tensors.push_back(std::move(t));
}

void Header::rename(size_t i, std::string_view name) { append_name(names, name, tensors[i]); }

uint64_t TensorInfo::elements() const {
  uint64_t n = 1;
  for (uint64_t dim : shape)
    if (__builtin_mul_overflow(n, dim, &n)) return UINT64_MAX;  // only for unvalidated infos
  return n;
}

const std::string* Header::find_metadata(const std::string& key) const {
  for (const auto& [k, v] : metadata)
    if (k == key) return &v;
  return nullptr;
}

}  // namespace mp
