// CSV export of a report: one row per tensor, RFC 4180 quoting, no formula a spreadsheet would run.

// A text cell a spreadsheet would read as a formula: = + - @ first, or a tab or CR first (some
// importers drop them and then see the formula), also after leading spaces (OWASP "CSV Injection").
const FORMULA_START = /^[ \t\r]*[=+\-@]|^[\t\r]/;

/** One CSV cell (RFC 4180 quoting). Numbers stay numbers; formula-like text gets a leading '. */
export function csvCell(v) {
  if (v == null) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const text = Array.isArray(v) ? v.join(' ') : String(v);
  const formula = FORMULA_START.test(text);
  const s = formula ? `'${text}` : text;
  return formula || /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * The lines before the table, each starting with '#' (pandas: comment='#'; R: comment.char): what
 * was compared, at which commits, so a CSV separated from its JSON still says what it measured.
 */
function headerBlock(report) {
  const m = report.models ?? {};
  const k = (m.parents ?? []).length;
  const roles = [['suspect', m.suspect], ...(m.parents ?? []).map((p, i) => [k > 1 ? `parent ${i + 1}` : 'parent', p]),
    ['base', m.base], ...(m.control ? [['control', m.control]] : [])];
  const line = (...cells) => `# ${cells.map(csvCell).join(',')}`;
  return [
    line('mergeprobe report', report.schema, `method ${report.method_version ?? ''}`, report.created ?? ''),
    line('role', 'model', 'commit', 'requested revision'),
    ...roles.filter(([, x]) => x).map(([role, x]) => line(role, x.repo ?? x.label ?? '', x.revision ?? '', x.requested_revision ?? '')),
    ...(report.endpoint ? [line('endpoint', report.endpoint)] : []),
    line('seed', report.plan?.seed, 'budget bytes', report.plan?.budget_bytes),
  ];
}

/**
 * A '#' header block (models and commits), then one row per tensor. Text cells that would start a
 * formula are neutralised (csvCell).
 */
export function reportToCsv(report) {
  const k = report.models.parents.length;
  const head = ['name', 'component', 'layer', 'expert', 'shape', 'elements'];
  for (let i = 1; i <= k; ++i) head.push(`alpha_${i}`, `alpha_se_${i}`);
  head.push('cos_fit', 'r2', 'residual_ratio', 'rel_delta_c', 'rounding_floor', 'bit_exact_fp32', 'bit_exact_bf16',
    'zero_share', 'outlier', 'identical_to_base', 'identical_to_parent', 'copied_from', 'control_cos_fit',
    'dtypes', 'rounding_dominated', 'degenerate');
  const rows = [...headerBlock(report), head.join(',')];
  for (const t of report.tensors) {
    const row = [t.name, t.component, t.layer, t.expert, t.shape, t.elements];
    for (let i = 0; i < k; ++i) row.push(t.alphas[i], t.alpha_se[i]);
    row.push(t.cos_fit, t.r2, t.residual_ratio, t.rel_delta_c, t.rounding_floor, t.bit_exact?.fp32_order,
      t.bit_exact?.bf16_order, t.sparsity?.[0]?.zero_share, t.outlier, t.identical_to_base, t.identical_to_parent,
      t.copied_from, t.control?.cos_fit, (t.dtypes ?? []).join('/'), !!t.rounding_dominated, !!t.degenerate);
    rows.push(row.map(csvCell).join(','));
  }
  return rows.join('\n') + '\n';
}
