// safetensors layout: bytes 0-7 = N (u64 little-endian), bytes 8..8+N = UTF-8 JSON header,
// then the data buffer. data_offsets = [BEGIN, END) relative to byte 8+N (Header::data_offset).
// Validation follows huggingface/safetensors `read_metadata` + `Metadata::validate`, in that order
// (spec section 4). All offsets are uint64_t: wasm32's size_t is 32 bits and shards pass 4 GiB.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "format/header.h"
#include "error.h"

namespace mp {

constexpr uint64_t kMaxHeaderLength = 100'000'000;  // the reference reader's HeaderTooLarge limit
constexpr size_t kJsonPadding = 64;                 // == simdjson::SIMDJSON_PADDING (checked in .cpp)

// From the first bytes of a file (at least 8 are needed) and its total size, validate checks 1-3
// and return N. Callers read 8+N bytes, then call parse_header.
Result<uint64_t> read_header_length(const uint8_t* prefix, size_t prefix_len, uint64_t file_size);

// Parse and validate a whole header. `file_prefix` holds at least 8+N bytes of the file and the
// buffer must stay readable for kJsonPadding bytes past 8+N (simdjson reads ahead; allocate with
// padding and no copy is made). Returns NeedMoreBytes (message holds nothing useful) with
// `*needed` set when prefix_len < 8+N.
Result<Header> parse_header(const uint8_t* file_prefix, size_t prefix_len, uint64_t file_size,
                            uint64_t* needed = nullptr);

}  // namespace mp
