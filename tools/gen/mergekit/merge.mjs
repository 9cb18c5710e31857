// A mergekit run over whole models, as mergekit/plan.py + merge.py drive it: for each tensor,
// resolve the per-model and global parameters at that tensor (params.mjs), cast the inputs to the
// compute dtype (`dtype:` or, unset, the inputs' own dtype), run the method, cast to `out_dtype`.
//
//   mergekitMerge({ method, base, models: [{ tensors, parameters }], parameters, dtype, inputDtype,
//                   outDtype, numLayers, rand }) -> Map(name -> { shape, data })
// Tensors are Maps name -> { shape, data: Float32Array } (bf16 inputs: values already bf16).
import { arithmetic } from './arith.mjs';
import { GTA_METHODS, gtaTensor } from './gta.mjs';
import { karcher, linearK, modelStock, multislerp, nearswap, nuslerp, slerp } from './methods.mjs';
import { layerT, resolveParameter } from './params.mjs';

export const METHODS = ['linear', 'slerp', 'nuslerp', 'multislerp', 'karcher', 'model_stock', 'nearswap', ...Object.keys(GTA_METHODS)];

export function mergekitMerge({ method, base, models, parameters = {}, dtype = null, inputDtype = 'float32', outDtype = null, numLayers = 2, rand }) {
  const ar = arithmetic(dtype || inputDtype);
  const out = arithmetic(outDtype || dtype || inputDtype);
  const res = new Map();
  for (const [name, bt] of base) {
    const t = layerT(name, numLayers);
    const p = (key, i, fallback) => resolveParameter(key, name, t, models[i].parameters, parameters, fallback);
    const g = (key, fallback) => resolveParameter(key, name, t, null, parameters, fallback);
    const B = ar.cast(bt.data);
    const X = models.map((m) => ar.cast(m.tensors.get(name).data));
    let C;
    if (method === 'linear') {
      C = linearK(X, X.map((_, i) => p('weight', i)), { normalize: g('normalize', true), ar });
    } else if (method === 'slerp') {
      C = slerp(g('t'), B, X[0], { ar });
    } else if (method === 'nuslerp') {
      C = nuslerp(B, X[0], X[1], p('weight', 0), p('weight', 1), { ar });
    } else if (method === 'multislerp') {
      C = multislerp(B, X, X.map((_, i) => p('weight', i)), { ar, normalizeWeights: g('normalize_weights', true) });
    } else if (method === 'karcher') {
      C = karcher(X, { ar, maxIter: g('max_iter', 10), tol: g('tol', 1e-5) });
    } else if (method === 'model_stock') {
      C = modelStock(B, X, { ar }).C;
    } else if (method === 'nearswap') {
      C = nearswap(B, X[0], g('t'), { ar });
    } else if (GTA_METHODS[method]) {
      const tp = X.map((_, i) => ({
        weight: p('weight', i), density: p('density', i, 1), gamma: p('gamma', i, undefined), epsilon: p('epsilon', i, undefined),
      }));
      C = gtaTensor(B, X, tp, {
        method, ar, rand, shape: bt.shape, lambda: g('lambda', 1),
        normalize: g('normalize', GTA_METHODS[method].normalize), rescale: g('rescale', GTA_METHODS[method].rescale),
      });
    } else {
      throw new Error(`unknown merge method ${method}`);
    }
    res.set(name, { shape: bt.shape, data: out === ar ? C : out.cast(C) });
  }
  return res;
}
