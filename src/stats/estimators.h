// Estimators from pooled Moments: per tensor, per component, per layer, per run.
#pragma once
#include "format/dtype.h"
#include "stats/method_signals.h"
#include "stats/kernel.h"

namespace mp {

struct Estimates {
  int k = 1;
  uint64_t n = 0;
  bool degenerate = false;            // ||d|| or ||D|| ~ 0: alpha undefined (reported, not averaged)
  double alpha[kMaxParents] = {};     // least squares of D on d_1..d_k (one parent: <D,d>/<d,d>)
  double alpha_se[kMaxParents] = {};  // standard error of alpha (i.i.d. residuals assumption)
  double cos_fit = 0;                 // one parent: cos(D, d); several: sqrt(R^2)
  double r2 = 0;
  double residual_ratio = 0;          // ||D - sum alpha_i d_i|| / ||D||
  double plane_p[kMaxParents] = {};   // C = sum p_i A_i + q B  (regress D on d_i and B)
  double plane_q = 0;
  double cos_cb = 0;                  // raw-weight cosine cos(C, B)
  double cos_ab[kMaxParents] = {};    // cos(A_i, B)
  double rel_delta_c = 0;             // ||C - B|| / ||B||
  double rel_delta_a[kMaxParents] = {};  // ||A_i - B|| / ||B||
  double rounding_floor = 1;          // cos_fit ceiling implied by rounding C to its dtype
  double eq_cb_share = 0;             // share of elements with C == B
  double eq_ca_share[kMaxParents] = {};
};

Estimates estimate(const Moments& m, Dtype suspect_dtype);

}  // namespace mp
