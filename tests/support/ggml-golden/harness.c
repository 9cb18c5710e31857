// Golden dequantization vectors from ggml's own C (make-golden.sh builds this against a ggml
// checkout's src/ggml-quants.c). For every input and type: ggml's reference quantizer makes the
// blocks, ggml's dequantize_row_* turns them back into floats; one line per (type, input):
//   TYPE <input name without spaces> <n elements> <blocks as hex> <f32 outputs as hex, LE>
// tests/cpp/stats/ggml_quant_test.cpp dequantizes the same blocks and compares bit for bit.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml.h"
#include "ggml-quants.h"

void ggml_abort(const char* file, int line, const char* fmt, ...) {
  fprintf(stderr, "abort %s:%d\n", file, line);
  exit(3);
}

#define N 512  // two K super-blocks, sixteen 32-element blocks

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static double uniform(void) {  // splitmix64 -> [0, 1)
  uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  return (z >> 11) * 0x1.0p-53;
}
static double gauss(void) { return sqrt(-2 * log(1 - uniform())) * cos(6.283185307179586 * uniform()); }

static void hex(const void* p, size_t n) {
  const unsigned char* b = p;
  for (size_t i = 0; i < n; ++i) printf("%02x", b[i]);
}

typedef void (*quant_fn)(const float*, void*, int64_t);
typedef void (*dequant_fn)(const void*, float*, int64_t);
struct type { const char* name; int block, bytes; quant_fn q; dequant_fn dq; };
#define T(NAME, BLK, BYTES, fn) {NAME, BLK, BYTES, (quant_fn)quantize_row_##fn##_ref, (dequant_fn)dequantize_row_##fn}
static const struct type types[] = {
    T("Q4_0", 32, 18, q4_0),   T("Q4_1", 32, 20, q4_1),   T("Q5_0", 32, 22, q5_0),  T("Q5_1", 32, 24, q5_1),
    T("Q8_0", 32, 34, q8_0),   T("Q2_K", 256, 84, q2_K),  T("Q3_K", 256, 110, q3_K), T("Q4_K", 256, 144, q4_K),
    T("Q5_K", 256, 176, q5_K), T("Q6_K", 256, 210, q6_K),
};

int main(void) {
  static float x[N], y[N];
  static unsigned char blocks[N * 2];
  const char* names[] = {"gaussian-0.02", "gaussian-1", "heavy-tailed", "all-positive", "all-negative", "zeros",
                         "constant-0.5", "one-spike", "fp16-subnormal", "large", "alternating", "half-steps"};
  for (size_t c = 0; c < sizeof names / sizeof *names; ++c) {
    for (int i = 0; i < N; ++i) {
      double g = gauss();
      switch (c) {
        case 0: x[i] = 0.02 * g; break;
        case 1: x[i] = g; break;
        case 2: x[i] = g * g * g * 0.1; break;
        case 3: x[i] = 0.2 + 0.05 * fabs(g); break;
        case 4: x[i] = -0.2 - 0.05 * fabs(g); break;
        case 5: x[i] = 0; break;
        case 6: x[i] = 0.5; break;
        case 7: x[i] = i % 97 == 5 ? 9.5 : 0.01 * g; break;
        case 8: x[i] = 1e-7 * g; break;
        case 9: x[i] = 3000 * g; break;
        case 10: x[i] = (i % 2 ? 1 : -1) * (1 + i % 5); break;
        case 11: x[i] = ((i % 17) - 8) * 0.125 + (i % 2 ? 0.0625 : 0); break;
      }
    }
    for (size_t t = 0; t < sizeof types / sizeof *types; ++t) {
      const struct type* ty = &types[t];
      memset(blocks, 0, sizeof blocks);
      ty->q(x, blocks, N);
      ty->dq(blocks, y, N);
      printf("%s %s %d ", ty->name, names[c], N);
      hex(blocks, (size_t)(N / ty->block * ty->bytes));
      printf(" ");
      hex(y, sizeof y);
      printf("\n");
    }
  }
  return 0;
}
