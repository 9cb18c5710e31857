// The report of a run: the models as given, the core's report (tensors, aggregates, verdict),
// what the fetch cost, and the share link that reproduces it.
import { buildShareUrl } from '../report/share-link.mjs';
import { METHOD_VERSION, REPORT_SCHEMA } from './defaults.mjs';

const describe = (m, files) => ({
  repo: m.repo ?? m.label,
  revision: m.revision,
  requested_revision: m.requestedRevision ?? null,
  label: m.label,
  files,
  format: m.weights?.gguf ? 'gguf' : 'safetensors',
  // The GGUF file the id named (its first part): share links pin it as owner/name@sha:path.gguf.
  ...(m.weights?.gguf ? { gguf_file: m.weights.gguf[0] } : {}),
});

/**
 * @param {object} o
 * @param {{suspect: any, parents: any[], base: any, control: any}} o.roles
 * @param {string[][]} o.names each role's file names
 * @param {object} o.core the core's report (analysis.reportJson(), parsed)
 * @param {{bytes: number, requests: number}} o.counts what this run read
 * @param {{requests: number, resolveCalls: number} | null} o.hubStart @param {{requests: number, resolveCalls: number} | undefined} o.hubNow
 * @param {number} o.plannedBytes @param {string} [o.endpoint] @param {string} [o.pageUrl]
 */
export function assembleReport({ roles: { suspect, parents, base, control }, names, core, counts, hubStart, hubNow, plannedBytes, endpoint, pageUrl }) {
  const k = parents.length;
  const report = {
    schema: REPORT_SCHEMA,
    method_version: METHOD_VERSION,
    created: new Date().toISOString(),
    models: {
      suspect: describe(suspect, names[0]),
      parents: parents.map((p, i) => describe(p, names[1 + i])),
      base: describe(base, names[k + 1]),
      ...(control ? { control: describe(control, names[k + 2]) } : {}),
    },
    endpoint: endpoint ?? null,
    ...core,
    fetch: {
      bytes: counts.bytes,
      requests: hubNow ? hubNow.requests - hubStart.requests : counts.requests,
      resolve_calls: hubNow ? hubNow.resolveCalls - hubStart.resolveCalls : 0,
      planned_bytes: plannedBytes,
    },
  };
  report.share_url = buildShareUrl(pageUrl, report);
  return report;
}
