// Pointers cross from JS as doubles (exact below 2^53: wasm32 addresses are far below), shared by
// the page's bindings and the bench hooks.
#pragma once
#include <cstdint>

namespace mp::bindings {

inline const uint8_t* ptr(double p) { return reinterpret_cast<const uint8_t*>(static_cast<uintptr_t>(p)); }

}  // namespace mp::bindings
