// mergekit's own config (spec §9): every mergekit run writes mergekit_config.yml (or
// mergekit_moe_config.yml for MoE) beside the weights, and its top-level `base_model:` is the base
// the merge was made over. Read without a YAML parser: the base is one plain value, and a file
// that is not in that shape gives null rather than a guess. A claim like any other: discovery
// (candidates.mjs) lists it and the weights decide.

/** mergekit writes one of these next to the weights (mergekit merge.py, scripts/moe.py). */
export const MERGEKIT_CONFIGS = ['mergekit_config.yml', 'mergekit_moe_config.yml'];
/** A config larger than this is not mergekit's (a few kB): it is not read. */
export const MAX_CONFIG_BYTES = 256 * 1024;
/** A YAML scalar as written: quotes and a trailing comment taken off. @param {string} v */
function scalar(v) {
  const s = v.trim();
  const q = /^(["'])(.*)\1\s*(?:#.*)?$/.exec(s);
  if (q) return q[2];
  return s.replace(/\s+#.*$/, '').trim();
}

/**
 * The top-level `base_model:` of a mergekit config, without a YAML parser: `base_model: org/name`
 * (quoted or not, `+lora` suffix dropped), or a block whose `model:` names it. null when the key is
 * absent, empty, repeated or not a plain value.
 * @param {string} text
 * @returns {string | null}
 */
export function parseMergekitBase(text) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const at = [];
  lines.forEach((l, i) => { if (/^base_model\s*:/.test(l)) at.push(i); });
  if (at.length !== 1) return null;
  let value = scalar(lines[at[0]].replace(/^base_model\s*:/, ''));
  if (value === '') {
    // Block form: the first deeper-indented `model:` (or `path:`) line under the key.
    for (let i = at[0] + 1; i < lines.length && (/^\s/.test(lines[i]) || lines[i].trim() === ''); i++) {
      const m = /^\s+(?:-\s+)?(?:model|path)\s*:\s*(.*)$/.exec(lines[i]);
      if (m && scalar(m[1]) !== '') { value = scalar(m[1]); break; }
    }
  }
  if (value === '' || /^[[{|>&*!]/.test(value) || value === 'null' || value === '~') return null;
  return value.split('+')[0].trim() || null;
}
