// The table of enum ggml_type (ggml/include/ggml.h), ids as stored in GGUF files.
#include "format/ggml_types.h"

#include <array>

namespace mp {
namespace {

struct GgmlType {
  uint32_t id;
  const char* name;
  std::optional<Dtype> dtype;  // what mergeprobe reads it as
};

constexpr std::array<GgmlType, 35> kGgmlTypes = {{
    {0, "F32", Dtype::F32},       {1, "F16", Dtype::F16},       {2, "Q4_0", Dtype::Q4_0},
    {3, "Q4_1", Dtype::Q4_1},     {6, "Q5_0", Dtype::Q5_0},     {7, "Q5_1", Dtype::Q5_1},
    {8, "Q8_0", Dtype::Q8_0},     {9, "Q8_1", std::nullopt},    {10, "Q2_K", Dtype::Q2_K},
    {11, "Q3_K", Dtype::Q3_K},    {12, "Q4_K", Dtype::Q4_K},    {13, "Q5_K", Dtype::Q5_K},
    {14, "Q6_K", Dtype::Q6_K},    {15, "Q8_K", std::nullopt},   {16, "IQ2_XXS", std::nullopt},
    {17, "IQ2_XS", std::nullopt}, {18, "IQ3_XXS", std::nullopt}, {19, "IQ1_S", std::nullopt},
    {20, "IQ4_NL", std::nullopt}, {21, "IQ3_S", std::nullopt},  {22, "IQ2_S", std::nullopt},
    {23, "IQ4_XS", std::nullopt}, {24, "I8", Dtype::I8},        {25, "I16", Dtype::I16},
    {26, "I32", Dtype::I32},      {27, "I64", Dtype::I64},      {28, "F64", Dtype::F64},
    {29, "IQ1_M", std::nullopt},  {30, "BF16", Dtype::BF16},    {34, "TQ1_0", std::nullopt},
    {35, "TQ2_0", std::nullopt},  {39, "MXFP4", std::nullopt},  {40, "NVFP4", std::nullopt},
    {41, "Q1_0", std::nullopt},   {42, "Q2_0", std::nullopt},
}};

const GgmlType* find(uint32_t id) {
  for (const auto& t : kGgmlTypes)
    if (t.id == id) return &t;
  return nullptr;
}

}  // namespace

const char* ggml_type_name(uint32_t id) {
  const GgmlType* t = find(id);
  return t ? t->name : nullptr;
}

std::optional<Dtype> ggml_type_dtype(uint32_t id) {
  const GgmlType* t = find(id);
  return t ? t->dtype : std::nullopt;
}

std::optional<uint32_t> ggml_type_id(Dtype d) {
  for (const auto& t : kGgmlTypes)
    if (t.dtype == d) return t.id;
  return std::nullopt;
}

}  // namespace mp
