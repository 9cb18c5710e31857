// How mergekit resolves a parameter for one tensor: mergekit/config.py evaluate_setting and
// ConfigReader.parameter, and the layer position t of mergekit/plan.py plan_slice.

/**
 * config.py evaluate_setting(tensor_name, setting, t): a number is itself; a list of numbers is a
 * gradient interpolated piecewise-linearly at t (i0 = int(t (n - 1)), frac the remainder); a list
 * of { filter, value } takes the first entry whose filter is absent, '*', or a substring of the
 * tensor name (its value evaluated the same way); nothing matching gives null.
 */
export function evaluateSetting(tensorName, setting, t = 0) {
  if (typeof setting === 'number' || typeof setting === 'boolean' || typeof setting === 'string') return setting;
  if (!Array.isArray(setting)) {
    if (setting && typeof setting === 'object' && 'value' in setting) return evaluateSetting(tensorName, [setting], t);
    throw new Error(`Unexpected setting value: ${JSON.stringify(setting)}`);
  }
  if (setting.every((e) => typeof e === 'number')) {
    const scaled = t * (setting.length - 1);
    const i0 = Math.trunc(scaled);
    const i1 = Math.min(setting.length - 1, i0 + 1);
    const frac = scaled - i0;
    return (1 - frac) * setting[i0] + frac * setting[i1];
  }
  if (setting.every((e) => ['number', 'boolean', 'string'].includes(typeof e))) return setting[Math.trunc(t * (setting.length - 1))];
  for (const cond of setting) {
    if (cond.filter === undefined || cond.filter === null || cond.filter === '*' || (tensorName && tensorName.includes(cond.filter))) {
      return evaluateSetting(tensorName, cond.value, t);
    }
  }
  return null;
}

/**
 * plan.py plan_slice: layer i of n gets t = i / (n - 1) (t = 1 when n = 1); tensors outside the
 * layers (embeddings, heads: pre/post weights) are planned with the module reader's t = 0.
 * `layerOf(name)` gives the layer index or null; default: `.layer.N.` / `.layers.N.`.
 */
export function layerT(name, numLayers, layerOf = defaultLayerOf) {
  const i = layerOf(name);
  if (i === null) return 0;
  return numLayers > 1 ? i / (numLayers - 1) : 1;
}

export function defaultLayerOf(name) {
  const m = /\.layers?\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : null;
}

/**
 * ConfigReader.parameter for one model: the model's own setting, else the global one, else the
 * default (mergekit's `models: [{ model, parameters }]` plus top-level `parameters:`).
 */
export function resolveParameter(name, tensorName, t, modelParams, globalParams, fallback) {
  for (const src of [modelParams, globalParams]) {
    if (src && name in src) {
      const v = evaluateSetting(tensorName, src[name], t);
      if (v !== null && v !== undefined) return v;
    }
  }
  return fallback;
}
