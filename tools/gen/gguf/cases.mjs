// The `gguf` evaluation set (tests/eval/run.mjs --set gguf): GGUF suspects checked against the
// safetensors models they claim, all from the real BERT-tiny weights (models.mjs):
// - a quantized copy of the claimed parent (real sst2), one case per type, and F16 / BF16 copies;
// - a quantized copy of a real linear merge (0.571 sst2 + 0.429 base), one case per block type:
//   alpha must come back within the type's tolerance (issue 16: 0.02 for Q8_0, 0.05 for the 4-bit
//   types, whose noise is far larger than a fine-tune's delta; 0.05 for Q3_K / Q2_K too, which
//   measure 0.003 off). BERT-tiny's rows are 128 wide except output.dense (512), so a K-quant
//   file holds that type in those two tensors (a third of the elements) and its fallback elsewhere
//   (convert.mjs: Q5_K -> Q5_1, Q3_K -> Q4_1, Q2_K -> Q4_0);
// - a TIES merge (one parent, density 0.5) in Q8_0 and Q4_K: the block grid hides its zeros, so
//   it is right named TIES, or read linear with the `method-hidden` caveat (the method cannot be
//   told at that quantization), never a plain linear merge;
// - an unrelated GGUF (a random init of the same shapes) whose card claims sst2;
// - the llama family (HF names: llama.cpp permutes q/k rows, the core must undo it): a quantized
//   copy of a synthetic fine-tune of real tinystories-656k and a quantized merge of the two;
// - MoE (qwen2moe, moe-models.mjs: experts stacked by the converter, cut back per expert by the
//   core): a quantized copy of a fine-tune of the tiny MoE at Q8_0 and Q4_K, and a quantized
//   0.571 merge of the fine-tune and the MoE it was tuned from; the same under Mixtral's names
//   (GGUF architecture llama, q/k permuted), a Q8_0 copy and a Q4_K merge. Its rows are 128 wide but the
//   experts' and shared expert's down_proj (256), so Q4_K is written in those and Q5_0 elsewhere;
// - Qwen3.5-style (qwen35): a Q8_0 copy of a fine-tune; its RMSNorms (1 + w) and A_log (-exp)
//   are excluded from the comparison, and reported as not compared.
// Each case has the roles of a manifest entry of tools/gen/merges.mjs (paths of local models).
import fs from 'node:fs';
import path from 'node:path';

import { encodeSafetensors } from '../safetensors-io.mjs';
import { EVAL_TYPES, MERGE_ALPHA, ggufBytes, sourceModels } from './models.mjs';

/** Alpha tolerance per file type: the 0.02 (8-bit) and 0.05 (4-bit), between them by bits. */
export const ALPHA_TOLERANCE = { Q8_0: 0.02, Q6_K: 0.02, Q5_K: 0.03, Q5_0: 0.03, Q5_1: 0.03, Q4_0: 0.05, Q4_1: 0.05, Q4_K: 0.05, Q4_K_M: 0.05, Q3_K: 0.05, Q2_K: 0.05 };
/** The types of the BERT-tiny copies: the mock hub's (EVAL_TYPES) and every other type the generator writes. */
const COPY_TYPES = [...EVAL_TYPES, 'Q5_0', 'Q4_1', 'Q5_K', 'Q3_K', 'Q2_K', 'F16', 'BF16'];
/** The merges: every block type (Q2_K too: on BERT-tiny's delta its alpha spread is 0.004). */
const MERGE_TYPES = [...EVAL_TYPES, 'Q5_0', 'Q4_1', 'Q5_K', 'Q3_K', 'Q2_K'];
/** Unrounded file types: a copy in them is a plain copy (no block noise to weigh). */
const PLAIN = ['F16', 'BF16'];

/**
 * Writes the GGUF suspects under `out` and returns manifest entries.
 * @param {{out: string, realDir: string, only?: string}} o
 */
export function ggufCases({ out, realDir, only }) {
  const m = sourceModels(realDir);
  const filter = only ? new RegExp(only) : null;
  const folder = (name) => path.join(realDir, name);
  const roles = (suspect) => ({ suspect, parents: [folder('bert-tiny-sst2-fhe')], base: folder('bert-tiny-fhe-v0-weights'), control: folder('bert-tiny-emotion-fhe') });
  const specs = [
    ...COPY_TYPES.map((t) => ({ id: `gguf-copy-sst2-${t}`, model: m.sst2, type: t, notes: `real sst2 ${PLAIN.includes(t) ? 'stored as' : 'quantized to'} ${t} (ggml reference quantizers)`,
      expected: PLAIN.includes(t) ? { kind: 'copy', accept: ['copy', 'quantized-copy'], method: '', quant: t }
        : { kind: 'quantized-copy', accept: ['quantized-copy', 'copy'], method: '', quant: t } })),
    ...MERGE_TYPES.map((t) => ({ id: `gguf-merge-sst2-a${MERGE_ALPHA}-${t}`, model: m.merge, type: t,
      notes: `C = ${MERGE_ALPHA} sst2 + ${(1 - MERGE_ALPHA).toFixed(3)} base (F32), quantized to ${t}`,
      expected: { kind: 'linear-merge', accept: ['linear-merge'], method: 'linear', alpha: [MERGE_ALPHA], alpha_tolerance: ALPHA_TOLERANCE[t], quant: t } })),
    ...['Q8_0', 'Q4_K'].map((t) => ({ id: `gguf-ties-sst2-d0.5-${t}`, model: m.ties, type: t, notes: `C = TIES(sst2 over base, density 0.5), quantized to ${t}`,
      expected: { kind: 'sparse-merge', accept: ['sparse-merge', 'linear-merge'], method: 'ties', quant: t, flags_if_linear: ['method-hidden'] } })),
    { id: 'gguf-unrelated-Q8_0', model: m.unrelated, type: 'Q8_0', notes: 'a random init of the same shapes, Q8_0, claimed to be sst2',
      expected: { kind: 'not-a-merge', accept: ['not-a-merge'], method: '', quant: 'Q8_0' } },
  ];
  const llamaTypes = ['Q8_0', 'Q4_0', 'Q4_K_M'];
  const ftFolder = path.join(out, '_inputs', 'tinystories-656k-ft');
  const llamaRoles = (suspect) => ({ suspect, parents: [ftFolder], base: folder('tinystories-656k'), control: null });
  specs.push(
    ...llamaTypes.map((t) => ({ id: `gguf-llama-copy-ft-${t}`, model: m.tinystoriesFt, type: t, roles: llamaRoles,
      notes: `tinystories-656k + a rank-4 5% delta, quantized to ${t} (q/k rows permuted as llama.cpp does)`,
      expected: { kind: 'quantized-copy', accept: ['quantized-copy', 'copy'], method: '', quant: t } })),
    ...llamaTypes.map((t) => ({ id: `gguf-llama-merge-a${MERGE_ALPHA}-${t}`, model: m.tinystoriesMerge, type: t, roles: llamaRoles,
      notes: `C = ${MERGE_ALPHA} ft + ${(1 - MERGE_ALPHA).toFixed(3)} tinystories-656k, quantized to ${t}`,
      expected: { kind: 'linear-merge', accept: ['linear-merge'], method: 'linear', alpha: [MERGE_ALPHA], alpha_tolerance: ALPHA_TOLERANCE[t], quant: t } })),
  );
  const inputs = { 'tinystories-656k-ft': m.tinystoriesFt, 'tiny-moe': m.moe, 'tiny-moe-ft': m.moeFt, 'tiny-mixtral': m.mixtral, 'tiny-mixtral-ft': m.mixtralFt, 'tiny-qwen35': m.qwen35, 'tiny-qwen35-ft': m.qwen35Ft };
  const input = (name) => path.join(out, '_inputs', name);
  const moeRoles = (suspect) => ({ suspect, parents: [input('tiny-moe-ft')], base: input('tiny-moe'), control: null });
  const mixtralRoles = (suspect) => ({ suspect, parents: [input('tiny-mixtral-ft')], base: input('tiny-mixtral'), control: null });
  const qwen35Roles = (suspect) => ({ suspect, parents: [input('tiny-qwen35-ft')], base: input('tiny-qwen35'), control: null });
  specs.push(
    ...['Q8_0', 'Q4_K'].map((t) => ({ id: `gguf-moe-copy-ft-${t}`, model: m.moeFt, type: t, roles: moeRoles,
      notes: `a fine-tune of a tiny MoE (4 experts of real tinystories MLP windows, router, shared expert), quantized to ${t}; experts stacked as llama.cpp does`,
      expected: { kind: 'quantized-copy', accept: ['quantized-copy', 'copy'], method: '', quant: t } })),
    ...['Q8_0', 'Q4_K'].map((t) => ({ id: `gguf-moe-merge-a${MERGE_ALPHA}-${t}`, model: m.moeMerge, type: t, roles: moeRoles,
      notes: `C = ${MERGE_ALPHA} MoE fine-tune + ${(1 - MERGE_ALPHA).toFixed(3)} MoE, quantized to ${t}, experts stacked`,
      expected: { kind: 'linear-merge', accept: ['linear-merge'], method: 'linear', alpha: [MERGE_ALPHA], alpha_tolerance: ALPHA_TOLERANCE[t], quant: t } })),
    { id: 'gguf-mixtral-copy-ft-Q8_0', model: m.mixtralFt, type: 'Q8_0', roles: mixtralRoles,
      notes: 'the MoE under Mixtral names (architecture llama: q/k rows permuted, block_sparse_moe experts stacked), Q8_0',
      expected: { kind: 'quantized-copy', accept: ['quantized-copy', 'copy'], method: '', quant: 'Q8_0' } },
    { id: `gguf-mixtral-merge-a${MERGE_ALPHA}-Q4_K`, model: m.mixtralMerge, type: 'Q4_K', roles: mixtralRoles,
      notes: `the MoE merge under Mixtral names, Q4_K`,
      expected: { kind: 'linear-merge', accept: ['linear-merge'], method: 'linear', alpha: [MERGE_ALPHA], alpha_tolerance: ALPHA_TOLERANCE.Q4_K, quant: 'Q4_K' } },
    { id: 'gguf-qwen35-copy-ft-Q8_0', model: m.qwen35Ft, type: 'Q8_0', roles: qwen35Roles,
      notes: 'a fine-tune of a Qwen3.5-style model (Gated DeltaNet + full attention), Q8_0; norms and A_log excluded (converter transforms)',
      expected: { kind: 'quantized-copy', accept: ['quantized-copy', 'copy'], method: '', quant: 'Q8_0' } },
  );
  fs.mkdirSync(out, { recursive: true });
  for (const [name, model] of Object.entries(inputs)) {
    fs.mkdirSync(input(name), { recursive: true });
    fs.writeFileSync(path.join(input(name), 'model.safetensors'), encodeSafetensors(model.tensors, 'F32', { format: 'pt' }));
    fs.writeFileSync(path.join(input(name), 'config.json'), JSON.stringify(model.config, null, 2) + '\n');
  }
  const entries = [];
  for (const s of specs) {
    if (filter && !filter.test(s.id)) continue;
    const file = path.join(out, `${s.id}.gguf`);
    fs.writeFileSync(file, ggufBytes(s.model, s.type, { name: s.id }));
    entries.push({ id: s.id, set: 'gguf', holdout: false, roles: (s.roles ?? roles)(file), dtype: s.type, expected: s.expected, notes: s.notes });
  }
  return { schema: 'mergeprobe.test-merges/1', generator: 'tools/gen/gguf/cases.mjs', cases: entries };
}
