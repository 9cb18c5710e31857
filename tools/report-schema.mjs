// A small dependency-free validator for docs/report-schema.json: the subset of JSON Schema 2020-12
// that schema uses (type, required, properties, items, enum, const, pattern, minimum, maximum,
// minItems, maxItems, minLength, additionalProperties, $ref to #/$defs). It throws on any other
// validation keyword, so the schema cannot silently grow a rule this validator ignores.
// Plus checkReportConsistency(): the cross-field rules a schema cannot say (alphas per parent).

const ANNOTATIONS = new Set(['$schema', '$id', '$comment', 'title', 'description', 'examples', 'default', 'format', '$defs']);
const KEYWORDS = new Set(['type', 'required', 'properties', 'items', 'enum', 'const', 'pattern', 'minimum',
  'maximum', 'minItems', 'maxItems', 'minLength', 'additionalProperties', '$ref']);

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v, t) {
  const actual = typeOf(v);
  if (t === 'number') return actual === 'number' || actual === 'integer';
  return actual === t;
}

function resolveRef(root, ref) {
  const m = /^#\/\$defs\/([^/]+)$/.exec(ref);
  if (!m || !root.$defs || !(m[1] in root.$defs)) throw new Error(`unsupported or unknown $ref ${ref}`);
  return root.$defs[m[1]];
}

function walk(root, schema, value, path, errors) {
  for (const key of Object.keys(schema)) {
    if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key)) throw new Error(`schema keyword "${key}" at ${path} is not supported by cli-schema.mjs`);
  }
  if (schema.$ref) walk(root, resolveRef(root, schema.$ref), value, path, errors);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(value, t))) {
      errors.push(`${path}: expected ${types.join(' or ')}, got ${typeOf(value)}`);
      return;  // the other keywords would only repeat the problem
    }
  }
  if ('const' in schema && JSON.stringify(value) !== JSON.stringify(schema.const)) {
    errors.push(`${path}: expected ${JSON.stringify(schema.const)}, got ${JSON.stringify(value)}`);
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${path}: ${JSON.stringify(value)} is not one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) errors.push(`${path}: not a finite number`);
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: ${value} < minimum ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: ${value} > maximum ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${path}: shorter than ${schema.minLength}`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) {
      errors.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    }
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${path}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) errors.push(`${path}: more than ${schema.maxItems} items`);
    if (schema.items) value.forEach((item, i) => walk(root, schema.items, item, `${path}[${i}]`, errors));
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const name of schema.required ?? []) {
      if (!(name in value)) errors.push(`${path}: missing required field "${name}"`);
    }
    const props = schema.properties ?? {};
    for (const [name, v] of Object.entries(value)) {
      if (name in props) walk(root, props[name], v, `${path}.${name}`, errors);
      else if (schema.additionalProperties === false) errors.push(`${path}: unexpected field "${name}"`);
      else if (typeof schema.additionalProperties === 'object') walk(root, schema.additionalProperties, v, `${path}.${name}`, errors);
    }
  }
}

/**
 * @param {any} value      a parsed report
 * @param {object} schema  the parsed docs/report-schema.json
 * @returns {string[]}     problems, each "path: what"; empty when valid
 */
export function validateAgainstSchema(value, schema) {
  const errors = [];
  walk(schema, schema, value, '$', errors);
  return errors;
}

/**
 * Rules across fields: every alphas-like array has one entry per parent, intervals are ordered.
 * @param {any} report  a report that already passes the schema
 * @returns {string[]}
 */
export function checkReportConsistency(report) {
  const errors = [];
  const k = report.models.parents.length;
  const perParent = (arr, path) => {
    if (Array.isArray(arr) && arr.length !== k) errors.push(`${path}: ${arr.length} values for ${k} parent(s)`);
  };
  perParent(report.summary.alphas, '$.summary.alphas');
  perParent(report.summary.alpha_ci95, '$.summary.alpha_ci95');
  (report.summary.alpha_ci95 ?? []).forEach(([lo, hi], i) => {
    if (lo !== null && hi !== null && lo > hi) errors.push(`$.summary.alpha_ci95[${i}]: low ${lo} > high ${hi}`);
  });
  report.components.forEach((c, i) => {
    perParent(c.alphas, `$.components[${i}].alphas`);
    perParent(c.alpha_spread, `$.components[${i}].alpha_spread`);
  });
  report.layers.forEach((l, i) => perParent(l.alphas, `$.layers[${i}].alphas`));
  report.tensors.forEach((t, i) => perParent(t.alphas, `$.tensors[${i}].alphas`));
  if (report.plan.tensors < report.tensors.length) {
    errors.push(`$.plan.tensors: ${report.plan.tensors} < ${report.tensors.length} tensors listed`);
  }
  return errors;
}

/** Both checks; the consistency rules only run on a report that passes the schema. */
export function validateReport(report, schema) {
  const errors = validateAgainstSchema(report, schema);
  return errors.length ? errors : checkReportConsistency(report);
}

/**
 * Paths of fields a report carries that the schema does not declare (arrays: first item only).
 * The schema allows extra fields; this keeps it honest about the ones the engine writes.
 * @returns {string[]} e.g. ["$.tensors[].new_stat"]
 */
export function undocumentedFields(report, schema) {
  const missing = new Set();
  const visit = (s, v, path) => {
    while (s && s.$ref) s = resolveRef(schema, s.$ref);
    if (!s) return;
    if (Array.isArray(v)) {
      if (v.length && s.items) visit(s.items, v[0], `${path}[]`);
    } else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const sub = s.properties?.[k];
        if (sub) visit(sub, x, `${path}.${k}`);
        else missing.add(`${path}.${k}`);
      }
    }
  };
  visit(schema, report, '$');
  return [...missing];
}
