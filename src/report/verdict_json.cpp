// The structured verdict in the report (`verdict`: kind, method, params, tests, groups, caveats).
#include "report/verdict_json.h"

#include <cmath>

namespace mp {

// The structured verdict (verdict/verdict.h): what the sentence says, as data.
void verdict_json(JsonWriter& w, const Verdict& v) {
  const auto vec = [&](const char* key, const std::vector<double>& x) {
    w.field_arr(key, [&] { for (double d : x) w.num(d); });
  };
  w.field_obj("verdict", [&] {
    w.field_str("kind", v.kind);
    w.field_str("method", v.method);
    w.key("parent");
    if (v.parent >= 0) w.integer(v.parent + 1); else w.null();
    w.field_obj("params", [&] {
      vec("weights", v.weights.empty() && v.undefined_reason.empty() ? v.alphas : v.weights);
      vec("density", v.densities);
      w.field("lambda", v.lambda);
      // SLERP's t, nearswap's clip level, or model_stock's t (its mean over tensors: the weight
      // is set per tensor from the parents' cosines, so the pooled weights are neither's)
      w.field("t", std::isfinite(v.slerp_t) ? v.slerp_t : std::isfinite(v.nearswap_t) ? v.nearswap_t
                   : v.rule == VerdictRule::ModelStock ? v.evidence.stock_t : NAN);
      w.field("gamma", v.gamma);
      w.field("epsilon", v.epsilon);
    });
    w.field_arr("groups", [&] {
      for (const auto& g : v.groups) {
        w.begin_object();
        w.field_str("component", g.component);
        w.key("layer");
        if (g.layer >= 0) w.integer(uint64_t(g.layer)); else w.null();
        vec("weights", g.alphas);
        vec("density", g.densities);
        w.field("cos_fit", g.cos_fit);
        w.field("t", g.t);  // SLERP's t in the group (null for weight groups)
        w.end_object();
      }
    });
    w.field_arr("flags", [&] { for (const auto& f : v.flags) w.str(f); });
    w.field_arr("caveats", [&] { for (auto c : v.caveat_codes) w.str(caveat_code_name(c)); });
    w.key("undefined");
    if (v.undefined_reason.empty()) w.null(); else w.str(v.undefined_reason);
    // The wrong-base signal: null, or the role assignment that explains the models better (roles
    // named as in the sentences: "B" the given base, "A1".. the given parents).
    w.key("wrong_base");
    if (!v.wrong_base.flagged) {
      w.null();
    } else {
      const WrongBase& wb = v.wrong_base;
      const int k = v.evidence.k;
      const auto label = [&](int i) { return k == 1 ? std::string("A") : "A" + std::to_string(i + 1); };
      w.begin_object();
      w.field_str("signal", wb.signal);
      w.key("base");
      if (wb.base >= 0) w.str(label(wb.base)); else w.null();
      w.field_arr("parents", [&] {
        if (wb.base >= 0) for (int i = 0; i < k; ++i) w.str(i == wb.base ? std::string("B") : label(i));
      });
      vec("alphas", wb.base >= 0 ? wb.fit.alphas : std::vector<double>{});
      w.field("cos_fit", wb.base >= 0 ? wb.fit.cos_fit : NAN);
      w.field("parent_cos", wb.base >= 0 ? wb.fit.parent_cos : NAN);
      w.field("given_parent_cos", wb.given_parent_cos);
      w.field("kept_share", wb.kept_share);
      w.end_object();
    }
    // The method tests' measurements (verdict/evidence.h), so the report shows what decided.
    const verdict::Evidence& ev = v.evidence;
    w.field_obj("tests", [&] {
      w.field("zero_share", ev.sparsity.share());
      w.field("hard_threshold_share", ev.tensors_with_drops ? ev.hard_share() : NAN);
      w.field("band_share", ev.sparsity.tensors_with_drops ? ev.sparsity.band_share() : NAN);
      w.field("drop_ratio", ev.sparsity.dropped ? ev.sparsity.ratio() : NAN);
      w.field("resolvable_drop_ratio", ev.sparsity.dropped ? ev.sparsity.resolvable_ratio() : NAN);
      w.field_bool("reproduced", ev.reproduced);
      w.field("consensus_gap", ev.consensus_gap);
      w.field("conflict_ratio", ev.conflict_ratio);
      vec("kept_share", ev.kept_share);
      vec("kept_share_same_sign", ev.reads.kept_share_ss);
      vec("kept_share_resolvable", ev.reads.kept_share_res);
      vec("kept_share_soft", ev.reads.kept_share_soft);
      vec("rank_epsilon", ev.reads.rank_epsilon);
      vec("rank_density", ev.reads.rank_density);
      vec("kept_share_band", ev.reads.kept_share_band);
      w.field("subset_residual", ev.subset_residual);
      vec("kept_weight_l1", ev.reads.kept_weight_l1);
      vec("kept_weight_l1_same_sign", ev.reads.kept_weight_l1_ss);
      vec("kept_weight_l1_soft", ev.reads.kept_weight_l1_soft);
      vec("kept_weight_ratio", ev.reads.kept_ratio);
      vec("kept_weight_single", ev.reads.kept_single);
      vec("ties_set_weights", ev.reads.ties_set_weights);
      w.key("ties_set_normalised");
      if (ev.reads.ties_set_weights.empty()) w.null(); else w.boolean(ev.reads.ties_set_normalised);
      vec("band_inside", ev.band_inside);
      vec("band_above", ev.band_above);
      vec("band_below", ev.band_below);
      vec("top_dropped", ev.top_dropped);
      w.field("far_drop_share", ev.far_drop_share);
      w.field("group_weight_spread", v.group_weight_spread);
      w.field("group_density_spread", v.group_density_spread);
      w.field("stock_cos", ev.stock_cos);
      w.field("nuslerp_err", ev.nuslerp_err);
      vec("multislerp_weights", ev.mslerp_weights);
      w.field("multislerp_spread", ev.mslerp_spread);
      w.field("multislerp_norm_err", ev.mslerp_norm_err);
      w.field("karcher_cos", ev.karcher_cos);
      w.field("slerp_slope", ev.slerp_slope);
      w.field("slerp_z", ev.slerp_tensors ? ev.slerp_z : NAN);
      w.field("slerp_explained", ev.slerp_explained);
      w.field("lerp_offset_slope", ev.lerp_offset_slope);
      w.field("lerp_offset_z", ev.slerp_tensors ? ev.lerp_offset_z : NAN);
      w.field("slerp_group_spread", ev.slerp_groups.empty() ? NAN : ev.slerp_group_spread);
      w.field("karcher_scale", ev.karcher_scale);
      w.field("stock_scale", ev.stock_scale);
      w.field("stock_spread", ev.stock_spread);
      w.field("equal_a_share", ev.equal_a_share);
      // nearswap's shares are of the changed elements C's rounding can tell (nearswap_informative)
      w.field("nearswap_informative", ev.nearswap_informative);
      w.field("nearswap_equal_share", ev.nearswap_equal_share);
      w.field("clipped_share", ev.clipped_share);
      w.field("fit_cos", ev.fit_cos);
      w.field("control_cos", ev.overall.has_control ? ev.ctrl_cos : NAN);
      w.field("parent_cos", ev.given_roles.parent_cos);
      w.field("kept_a_share", ev.kept_a_share);
      // the fit with each parent taken as the base (wrong-base test)
      w.field_arr("role_fits", [&] {
        for (const auto& r : ev.role_fits) {
          w.begin_object();
          w.field_int("base", r.base + 1);
          w.field("cos_fit", r.cos_fit);
          vec("alphas", r.alphas);
          w.field("parent_cos", r.parent_cos);
          w.end_object();
        }
      });
    });
  });
}

}  // namespace mp
