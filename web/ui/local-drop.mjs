// What one drop on a role field holds, judged without the DOM: one model per field. Two folders
// (or a folder and loose files) are two models, whose files would land on the same paths.

/**
 * @param {{label: string, folders: number, roots: number, paths: string[]}} drop
 * @returns {string}  '' when the drop is one model, else the message for the field
 */
export function dropProblem({ label, folders, roots, paths }) {
  const mixed = folders > 1 || (folders === 1 && roots > 1);
  if (!mixed && new Set(paths).size === paths.length) return '';
  return `One model per field: this drop holds ${label}. Drop one model's folder, or the files of one model.`;
}
