#include "report/report_json.h"

#include <cmath>
#include <cstdio>

#include "report/json_writer.h"
#include "report/verdict_json.h"
#include "stats/quant_floor.h"

namespace mp {
namespace {

// Reports list at most this many unmatched tensors (unrelated 397B models would list ~100k);
// the count is always exact.
constexpr size_t kMaxUnmatchedListed = 500;

// Sparsity evidence per parent: the share of elements where C kept B although A_i moved.
void sparsity_fields(JsonWriter& w, const MethodSignals& x, int k) {
  w.field_arr("sparsity", [&] {
    for (int i = 0; i < k; ++i) {
      const ParentSignals& p = x.p[i];
      w.begin_object();
      w.field("zero_share", share(p.zero_D_nonzero_d, p.d_nonzero));
      uint64_t kept = p.d_nonzero - p.zero_D_nonzero_d;
      w.field("mean_abs_d_dropped", p.zero_D_nonzero_d ? p.sum_abs_d_zero_D / p.zero_D_nonzero_d : NAN);
      w.field("mean_abs_d_kept", kept ? p.sum_abs_d_nonzero_D / kept : NAN);
      w.field("max_abs_d_dropped", p.zero_D_nonzero_d && p.max_abs_d_zero_D > 0 ? p.max_abs_d_zero_D : NAN);
      w.field("min_abs_d_kept", kept ? p.min_abs_d_nonzero_D : NAN);
      w.field("kept_alpha", p.kept_alpha());
      w.field("robust_alpha", p.robust_dd > 0 ? p.robust_Dd / p.robust_dd : NAN);
      w.field_int("robust_elements", p.robust_n);
      w.field_int("above_cut", p.above_cut);
      w.field_int("cut_elements", p.cut_elements);
      w.field_int("dropped_above_kept_min", p.dropped_above_kept_min);
      w.field_int("dropped_above_kept_max", p.dropped_above_kept_max);
      w.end_object();
    }
  });
}

void ci95_field(JsonWriter& w, const GroupResult& g, int k) {
  w.field_arr("alpha_ci95", [&] {
    for (int i = 0; i < k; ++i) {
      w.begin_array();
      w.num(g.alpha_ci95[i][0]);
      w.num(g.alpha_ci95[i][1]);
      w.end_array();
    }
  });
}

// C = sum p_i A_i + q B (the plane fit that tells SLERP from a linear merge).
void plane_field(JsonWriter& w, const Estimates& e, int k) {
  w.field_obj("plane", [&] {
    w.nums("p", e.plane_p, k);
    w.field("q", e.plane_q);
  });
}

void bit_exact_fields(JsonWriter& w, const BitExact& bx) {
  w.field_obj("bit_exact", [&] {
    w.field_bool("applicable", bx.applicable);
    w.field_int("elements", bx.n);
    w.field("fp32_order", share(bx.match_fp32, bx.n));
    w.field("bf16_order", share(bx.match_bf16, bx.n));
  });
}

// A degenerate fit (no finite elements, a parent equal to the base) has no alpha: null, not the
// zeros the estimator leaves behind.
void alphas_field(JsonWriter& w, const Estimates& e, int k) {
  if (e.degenerate) w.field_arr("alphas", [&] { for (int i = 0; i < k; ++i) w.null(); });
  else w.nums("alphas", e.alpha, k);
}

// `quant_floor`: null unless the suspect is in a ggml block type (stats/quant_floor.h).
void quant_floor_field(JsonWriter& w, const QuantFloor& q, double cos_fit, int k) {
  w.key("quant_floor");
  if (!q.quantized) { w.null(); return; }
  w.begin_object();
  w.field("noise", q.noise);
  w.field_int("elements", q.elements);
  w.field("cos_floor", q.cos_floor);
  w.nums("alpha_se", q.alpha_se, k);
  w.field("noise_ratio", noise_ratio(cos_fit, q));
  w.end_object();
}

void estimate_fields(JsonWriter& w, const Estimates& e, int k) {
  alphas_field(w, e, k);
  w.nums("alpha_se", e.alpha_se, k);
  w.field("cos_fit", e.degenerate ? NAN : e.cos_fit);
  w.field("r2", e.degenerate ? NAN : e.r2);
  w.field("residual_ratio", e.degenerate ? NAN : e.residual_ratio);
  plane_field(w, e, k);
  w.field("cos_cb", e.cos_cb);
  w.nums("cos_ab", e.cos_ab, k);
  w.field("rel_delta_c", e.rel_delta_c);
  w.nums("rel_delta_a", e.rel_delta_a, k);
  w.field("rounding_floor", e.rounding_floor);
  w.field("eq_cb_share", e.eq_cb_share);
  w.nums("eq_ca_share", e.eq_ca_share, k);
  w.field_bool("degenerate", e.degenerate);
}

void control_fields(JsonWriter& w, bool has, const Estimates& c, int k) {
  w.key("control");
  if (!has) { w.null(); return; }
  w.begin_object();
  alphas_field(w, c, k);
  w.field("cos_fit", c.degenerate ? NAN : c.cos_fit);
  w.field("r2", c.degenerate ? NAN : c.r2);
  w.field_bool("degenerate", c.degenerate);
  w.end_object();
}

void group_fields(JsonWriter& w, const GroupResult& g, int k) {
  w.field_int("tensors", g.tensors);
  w.field_int("usable_tensors", g.usable);
  w.field_int("rounding_dominated", g.rounding_dominated);
  w.field_int("elements", g.elements);
  // `alphas`: the pooled estimate over the group's elements (what the verdict quotes);
  // mean/median/spread: over tensors, one vote each (what shows consistency).
  alphas_field(w, g.est, k);
  w.nums("alpha_mean", g.alpha_mean, k);
  w.nums("alpha_median", g.alpha_median, k);
  w.nums("alpha_spread", g.alpha_spread, k);
  w.nums("alpha_min", g.alpha_min, k);
  w.nums("alpha_max", g.alpha_max, k);
  ci95_field(w, g, k);
  w.field("cos_fit", g.est.degenerate ? NAN : g.est.cos_fit);
  w.field("r2", g.est.degenerate ? NAN : g.est.r2);
  w.field("residual_ratio", g.est.degenerate ? NAN : g.est.residual_ratio);
  plane_field(w, g.est, k);
  w.field("rounding_floor", g.est.rounding_floor);
  quant_floor_field(w, g.qf, g.est.cos_fit, k);
  w.field("rel_delta_c", g.est.rel_delta_c);
  w.nums("rel_delta_a", g.est.rel_delta_a, k);
  w.field_int("outliers", g.outliers);
  w.field_int("identical_to_base", g.identical_to_base);
  w.field_int("identical_to_parent", g.identical_to_parent);
  w.field_int("copied", g.copied);
  sparsity_fields(w, g.x, k);
  bit_exact_fields(w, g.bx);
  control_fields(w, g.has_control, g.control_est, k);
}

}  // namespace

std::string report_json(const std::vector<Model>& models, const MatchResult& match,
                        const Plan& plan, const PlanOptions& options,
                        const std::vector<TensorResult>& tensors, const Aggregates& agg,
                        const Verdict& verdict, int k, bool has_control) {
  JsonWriter w;
  w.begin_object();

  w.field_obj("plan", [&] {
    w.field_int("seed", options.seed);
    w.field_int("budget_bytes", options.budget_bytes);
    w.field_int("tensors", tensors.size());
    w.field_int("tensors_matched", match.tensors.size());
    w.field_int("elements", plan.elements);
    w.field_int("bytes", plan.bytes);
    w.field_int("ranges", plan.ranges.size());
  });

  w.field_obj("summary", [&] {
    const GroupResult& o = agg.overall;
    // Undefined (a parent equal to the base, C equal to the base, one parent twice): null, never 0.
    if (o.est.degenerate || !verdict.undefined_reason.empty()) {
      w.field_arr("alphas", [&] { for (int i = 0; i < k; ++i) w.null(); });
    } else {
      w.nums("alphas", o.est.alpha, k);
    }
    ci95_field(w, o, k);
    w.field("cos_fit", o.est.degenerate ? NAN : o.est.cos_fit);
    w.field_str("verdict", verdict.kind);
    w.field_str("method", verdict.method);
    w.field_str("sentence", verdict.sentence);
    w.field_str("explanation", verdict.explanation);
    w.field_arr("caveats", [&] { for (const auto& c : verdict.caveats) w.str(c); });
    w.field_arr("flags", [&] { for (const auto& f : verdict.flags) w.str(f); });
    w.field("density", verdict.density >= 0 ? verdict.density : NAN);
    w.field("slerp_t", verdict.slerp_t >= 0 ? verdict.slerp_t : NAN);
    w.field("r2", o.est.degenerate ? NAN : o.est.r2);
    w.field("residual_ratio", o.est.degenerate ? NAN : o.est.residual_ratio);
    plane_field(w, o.est, k);
    w.field("rounding_floor", o.est.rounding_floor);
    quant_floor_field(w, o.qf, o.est.cos_fit, k);
    w.field_int("tensors", o.tensors);
    w.field_int("usable_tensors", o.usable);
    w.field_int("rounding_dominated", o.rounding_dominated);
    w.field_int("elements", o.elements);
    w.nums("alpha_spread", o.alpha_spread, k);
    w.field_int("outliers", o.outliers);
    w.field_int("nonfinite", o.pooled.nonfinite);
    bit_exact_fields(w, o.bx);
    sparsity_fields(w, o.x, k);
    control_fields(w, has_control, o.control_est, k);
  });

  verdict_json(w, verdict);

  w.field_arr("components", [&] {
    for (const auto& g : agg.components) {
      w.begin_object();
      w.field_str("name", g.component);
      group_fields(w, g, k);
      w.end_object();
    }
  });

  w.field_arr("layers", [&] {
    for (const auto& g : agg.layers) {
      w.begin_object();
      w.field_int("index", g.layer);
      w.field_str("component", g.component);
      w.field_int("tensors", g.tensors);
      w.field_int("elements", g.elements);
      alphas_field(w, g.est, k);
      w.nums("alpha_spread", g.alpha_spread, k);
      w.field("cos_fit", g.est.degenerate ? NAN : g.est.cos_fit);
      w.field("rounding_floor", g.est.rounding_floor);
      quant_floor_field(w, g.qf, g.est.cos_fit, k);
      w.key("control_cos_fit");
      if (g.has_control && !g.control_est.degenerate) w.num(g.control_est.cos_fit); else w.null();
      w.end_object();
    }
  });

  w.field_arr("tensors", [&] {
    for (const auto& t : tensors) {
      const MatchedTensor& mt = match.tensors[t.tensor];
      w.begin_object();
      w.field_str("name", std::string(mt.name));
      w.field_str("key", mt.cls.key);
      w.field_str("component", component_name(mt.cls.component));
      w.key("layer");
      if (mt.cls.layer >= 0) w.integer(mt.cls.layer); else w.null();
      w.key("expert");
      if (mt.cls.expert >= 0) w.integer(mt.cls.expert); else w.null();
      w.field_str("shape", mt.shape.str());
      w.field_arr("dtypes", [&] {
        for (size_t m = 0; m < mt.refs.size(); ++m) {
          const auto& ref = mt.refs[m];
          w.str(dtype_name(models[m].files[ref.file].header.tensors[ref.tensor].dtype));
        }
      });
      w.field_int("elements", t.elements);
      w.field_int("nonfinite", t.m.nonfinite);
      estimate_fields(w, t.est, k);
      quant_floor_field(w, t.qf, t.est.cos_fit, k);
      sparsity_fields(w, t.x, k);
      // TIES's joint test: elements with every parent's |d| at most its cut, and those left at B
      w.field_int("below_cuts", t.x.below_cuts);
      w.field_int("below_cuts_at_base", t.x.below_cuts_zero);
      bit_exact_fields(w, t.bx);
      w.field_bool("outlier", t.outlier);
      w.field_bool("rounding_dominated", t.rounding_dominated);
      w.nums("alpha_ls", t.alpha_ls, k);
      w.field_bool("robust_alpha_used", t.robust_alpha_used);
      w.field_bool("identical_to_base", t.identical_to_base);
      w.key("identical_to_parent");
      if (t.identical_to_parent >= 0) w.integer(t.identical_to_parent + 1); else w.null();
      w.key("copied_from");
      if (!t.copied_from.empty()) w.str(t.copied_from); else w.null();
      control_fields(w, t.has_control, t.cest, k);
      w.end_object();
    }
  });

  w.field_int("unmatched_count", match.unmatched.size());
  w.field_arr("unmatched", [&] {
    size_t n = 0;
    for (const auto& u : match.unmatched) {
      if (n++ >= kMaxUnmatchedListed) break;
      w.begin_object();
      w.field_str("name", u.name);
      w.field_int("model", u.model);
      w.field_str("reason", u.reason);
      w.end_object();
    }
  });

  w.end_object();
  return w.out;
}

}  // namespace mp
