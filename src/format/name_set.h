// A set of tensor names for the index reader's duplicate check (safetensors_index.cpp). An index
// near the cap has half a million names, so the set does not fit in cache and each probe is a
// miss: open addressing over 8-byte slots (32 bits of hash, the entry's id) makes that one miss
// per name, and names (read back from the index through `name_of`) are only compared when the
// hashes match.
#pragma once
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace mp {

class NameSet {
 public:
  // Sized for `expected` names up front: growing holds the old table and the new one at once.
  explicit NameSet(size_t expected) {
    size_t cap = 1024;
    while (cap < expected * 2) cap <<= 1;
    slots_.assign(cap, Slot{});
  }
  // False when `name` is already in the set; else remembers it as entry `id`.
  template <typename NameOf>
  bool insert(std::string_view name, uint32_t id, const NameOf& name_of) {
    if ((count_ + 1) * 2 > slots_.size()) grow();
    const uint64_t h = std::hash<std::string_view>{}(name);
    const uint32_t tag = static_cast<uint32_t>(h >> 32);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      Slot& s = slots_[i];
      if (s.id == kEmpty) {
        s = Slot{tag, id, static_cast<uint32_t>(h)};
        ++count_;
        return true;
      }
      if (s.tag == tag && s.low == static_cast<uint32_t>(h) && name_of(s.id) == name) return false;
    }
  }

 private:
  static constexpr uint32_t kEmpty = UINT32_MAX;
  struct Slot {
    uint32_t tag = 0;
    uint32_t id = kEmpty;
    uint32_t low = 0;  // the hash's low half, to re-place the slot when the table grows
  };
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.size() * 2, Slot{});
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.id == kEmpty) continue;
      size_t i = s.low & mask;
      while (slots_[i].id != kEmpty) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  size_t count_ = 0;
};

}  // namespace mp
