// GGUF repos of the mock hub, made from the real weights by the test GGUF writer
// (tools/gen/gguf/): what people publish as "<model>-GGUF" repos, one file per quantization type
// (`<name>-Q4_K_M.gguf`), a card with `base_model` and `base_model_relation: quantized`, the
// split layout of gguf-split, and the cases the id syntax must tell apart.
//
// | repo | what |
// |---|---|
// | gguf/bert-tiny-sst2-GGUF | real/bert-tiny-sst2 quantized, one file per EVAL_TYPES type |
// | gguf/bert-tiny-merge-GGUF | the linear merge 0.571 sst2 + 0.429 base, quantized per type |
// | gguf/bert-tiny-unrelated-GGUF | a random init of the same shapes, Q8_0, whose card claims sst2 |
// | gguf/tinystories-656k-GGUF | real/tinystories-656k (HF llama names: q/k rows permuted), Q8_0, Q4_0, Q4_K_M |
// | gguf/tinystories-656k-split-GGUF | the same, Q8_0, in 3 gguf-split parts; a 60,000-token vocabulary makes the first part's header over 1 MiB |
// | gguf/bert-tiny-sst2-both | model.safetensors and a Q8_0 .gguf side by side |
// | gguf/ambiguous-GGUF | two Q4_0 files (v1/, v2/): `:Q4_0` is ambiguous |
// | gguf/tiny-moe, gguf/tiny-moe-ft | a tiny MoE from real tinystories weights and its fine-tune (safetensors, per-expert names) |
// | gguf/tiny-moe-ft-fused | the fine-tune with fused experts (gate_up_proj, down_proj: Qwen3.5 BF16's form) |
// | gguf/tiny-moe-ft-GGUF | the fine-tune, Q8_0 and Q4_K, experts stacked as llama.cpp does |
// | gguf/tiny-moe-merge-GGUF | 0.571 fine-tune + 0.429 MoE, Q4_K |
// | gguf/tiny-qwen35, gguf/tiny-qwen35-ft | a Qwen3.5-style model (Gated DeltaNet layer) and its fine-tune |
// | gguf/tiny-qwen35-ft-GGUF | the fine-tune, Q8_0 (RMSNorm 1 + w and -exp(A_log) as the converter writes them) |

import { join } from 'node:path';
import { bufferFile, folderFiles } from './repo.mjs';
import { EVAL_TYPES, ggufBytes, ggufSplit, sourceModels } from '../gen/gguf/models.mjs';
import { fuseExperts } from '../gen/gguf/moe-models.mjs';
import { encodeSafetensors } from '../gen/safetensors-io.mjs';

const card = (base, note) => `---\nbase_model: ${base}\nbase_model_relation: quantized\nlibrary_name: gguf\ntags:\n- gguf\n---\n# ${note}\n`;

/** @type {Map<string, any[]>} built once per process: quantizing costs about a second */
const built = new Map();

/**
 * @param {string} realDir  shared/real-models
 * @returns {import('./repo.mjs').RepoSpec[]}
 */
export function ggufRepos(realDir) {
  if (built.has(realDir)) return built.get(realDir);
  const m = sourceModels(realDir);
  const files = (entries) => Object.fromEntries(entries.map(([p, b]) => [p, bufferFile(p, b)]));
  const safetensors = (id, model) => ({ id, commits: [files([['model.safetensors', encodeSafetensors(model.tensors, 'F32', { format: 'pt' })],
    ['config.json', new TextEncoder().encode(JSON.stringify(model.config, null, 2) + '\n')]])] });
  const quantized = (id, base, model, stem, types) => ({ id, baseModel: base, baseModelRelation: 'quantized',
    commits: [files([['README.md', card(base, `${stem} GGUF`)], ...types.map((t) => [`${stem}-${t}.gguf`, ggufBytes(model, t, { name: stem })])])] });
  const perType = (model, stem) => EVAL_TYPES.map((t) => [`${stem}-${t}.gguf`, ggufBytes(model, t, { name: stem })]);
  const repos = [
    {
      id: 'gguf/bert-tiny-sst2-GGUF', baseModel: 'real/bert-tiny-sst2', baseModelRelation: 'quantized',
      commits: [files([['README.md', card('real/bert-tiny-sst2', 'bert-tiny-sst2 GGUF')], ...perType(m.sst2, 'bert-tiny-sst2')])],
    },
    {
      id: 'gguf/bert-tiny-merge-GGUF', baseModel: ['real/bert-tiny-sst2', 'real/bert-tiny-base'], baseModelRelation: 'quantized',
      commits: [files([['README.md', card('real/bert-tiny-sst2', '0.571 sst2 + 0.429 base, quantized')], ...perType(m.merge, 'bert-tiny-merge')])],
    },
    {
      id: 'gguf/bert-tiny-unrelated-GGUF', baseModel: 'real/bert-tiny-sst2', baseModelRelation: 'quantized',
      commits: [files([['README.md', card('real/bert-tiny-sst2', 'claims sst2; is a random init')], ['bert-tiny-unrelated-Q8_0.gguf', ggufBytes(m.unrelated, 'Q8_0')]])],
    },
    {
      id: 'gguf/tinystories-656k-GGUF', baseModel: 'real/tinystories-656k', baseModelRelation: 'quantized',
      commits: [files([['README.md', card('real/tinystories-656k', 'tinystories-656k GGUF')],
        ...['Q8_0', 'Q4_0', 'Q4_K_M'].map((t) => [`tinystories-656k-${t}.gguf`, ggufBytes(m.tinystories, t, { name: 'tinystories-656k', vocab: 2048 })])])],
    },
    {
      id: 'gguf/tinystories-656k-split-GGUF', baseModel: 'real/tinystories-656k', baseModelRelation: 'quantized',
      commits: [files([['README.md', card('real/tinystories-656k', 'tinystories-656k Q8_0, split')],
        ...ggufSplit(m.tinystories, 'Q8_0', 'tinystories-656k-Q8_0', 3, { vocab: 60_000 }).map((f) => [f.name, f.bytes])])],
    },
    {
      id: 'gguf/bert-tiny-sst2-both',
      commits: [{ ...folderFiles(join(realDir, 'bert-tiny-sst2-fhe')), ...files([['bert-tiny-sst2-Q8_0.gguf', ggufBytes(m.sst2, 'Q8_0')]]) }],
    },
    {
      id: 'gguf/ambiguous-GGUF',
      commits: [files([['v1/bert-tiny-sst2-Q4_0.gguf', ggufBytes(m.sst2, 'Q4_0')], ['v2/bert-tiny-sst2-Q4_0.gguf', ggufBytes(m.sst2, 'Q4_0', { name: 'v2' })],
        ['bert-tiny-sst2-Q8_0.gguf', ggufBytes(m.sst2, 'Q8_0')]])],
    },
    safetensors('gguf/tiny-moe', m.moe),
    safetensors('gguf/tiny-moe-ft', m.moeFt),
    safetensors('gguf/tiny-moe-ft-fused', fuseExperts(m.moeFt)),
    quantized('gguf/tiny-moe-ft-GGUF', 'gguf/tiny-moe-ft', m.moeFt, 'tiny-moe-ft', ['Q8_0', 'Q4_K']),
    quantized('gguf/tiny-moe-merge-GGUF', 'gguf/tiny-moe-ft', m.moeMerge, 'tiny-moe-merge', ['Q4_K']),
    safetensors('gguf/tiny-qwen35', m.qwen35),
    safetensors('gguf/tiny-qwen35-ft', m.qwen35Ft),
    quantized('gguf/tiny-qwen35-ft-GGUF', 'gguf/tiny-qwen35-ft', m.qwen35Ft, 'tiny-qwen35-ft', ['Q8_0']),
  ];
  built.set(realDir, repos);
  return repos;
}
