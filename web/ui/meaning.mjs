// One sentence under the verdict that says what it means for the model's claim, in plain words,
// for a reader who is not a statistician. Rendered from the verdict's data (kind, the fitted
// weights, which models played which role); never parsed from the technical sentence. No DOM.

import { percent } from '../../js/report/percent.mjs';

/** @typedef {ReturnType<import('../../js/report/view.mjs').buildView>} View */

/**
 * @param {View} v
 * @returns {string}
 */
export function plainMeaning(v) {
  const label = (/** @type {string} */ role) => v.models.find((m) => m.role === role)?.label ?? role;
  const parents = v.models.filter((m) => m.role.startsWith('parent')).map((m) => m.label);
  const base = label('base');
  // the parent the verdict names (the one C copies or fine-tunes)
  const named = parents[v.verdict.parent] ?? parents[0];
  const fitted = v.verdict.params.weights.some(Number.isFinite) ? v.verdict.params.weights : v.overall.alpha;
  const weights = fitted.filter(Number.isFinite);
  switch (v.verdict.kind) {
    case 'linear-merge':
    case 'slerp-merge': {
      if (v.k === 1 && weights.length === 1 && weights[0] > 0 && weights[0] < 1) {
        const [a, b] = [weights[0], 1 - weights[0]].map((x) => percent(x, 0).replace('%', ''));
        return `Most of this model's weights are a fixed ${a}/${b} blend of ${parents[0]} and ${base}; ` +
          'a model trained on its own would not look like this.';
      }
      return `Most of this model's weights are a fixed blend of ${base} with ${parents.join(', ')}; ` +
        'a model trained on its own would not look like this.';
    }
    case 'sparse-merge':
      return `This model's changes from ${base} are those of ${parents.join(', ')}, partly dropped and rescaled ` +
        'the way merge tools do it; training on its own would not leave that pattern.';
    case 'nearswap-merge':
      return `This model takes ${parents[0]}'s weights wherever they are close to ${base} and moves a fixed ` +
        'small step elsewhere: a merge tool\'s recipe, not training.';
    case 'passthrough':
      return 'Whole tensors of this model are copied unchanged from the models given: it was assembled from them, not trained.';
    case 'copy':
      // suspect = parent = base: the weights settle nothing about a merge
      if (v.verdict.undefinedReason) return 'The models given are all the same model: there is nothing to tell apart, and no merge to find.';
      return `This model's weights are those of ${named ?? base}, unchanged or only saved again in another precision.`;
    case 'quantized-copy':
      return `This file is ${named ?? base} quantized: what differs from ${named ?? base} is the rounding ` +
        'the quantization itself leaves, nothing more.';
    case 'fine-tune':
      return `This model looks like ${named} trained further: it keeps ${named}'s changes and adds changes ` +
        'of its own that none of the models given explains.';
    case 'not-a-merge':
      return 'These weights are not a blend of the models given. It may still share a base with them, as most ' +
        'fine-tunes do; this check alone does not say where it came from.';
    default:
      return 'The weights do not settle the question with the models given; the evidence below says why.';
  }
}
