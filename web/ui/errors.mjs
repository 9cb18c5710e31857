// Errors from the worker (hub, engine, local files) -> words a person can act on. The raw message
// is kept as a detail line: it may come from a hub, so it is only ever shown as text.

const ROLE_FIELD = { suspect: 'Suspect model', parent: 'Parent model', base: 'Base model', control: 'Control model' };

/**
 * @param {{message:string, code?:string, status?:number, repo?:string, path?:string, role?:string}} e
 * @param {{ endpoint: string, hasToken: boolean }} ctx
 * @returns {{ title: string, advice: string, detail: string, role?: string }}
 */
export function explainError(e, ctx) {
  const who = e.repo ? `“${e.repo}”` : 'this model';
  const field = e.role ? ROLE_FIELD[e.role.replace(/ \d+$/, '')] ?? e.role : null;
  const where = field ? ` (${field}${/\d/.test(e.role ?? '') ? ' ' + e.role.replace(/\D+/g, '') : ''})` : '';
  let title, advice;
  switch (e.code) {
    case 'RepoNotFound':
      title = `No model ${who} on ${host(ctx.endpoint)}${where}.`;
      advice = 'Check the spelling (owner/name). A private repository also looks missing without an access token: add one under Advanced.';
      break;
    case 'GatedRepo':
      title = `${cap(who)} is gated${where}.`;
      advice = ctx.hasToken
        ? 'Your access token is not approved for it: accept the conditions on the model page with the account that owns the token, then try again.'
        : 'Accept its conditions on the model page, then paste an access token (Advanced → Access token) and verify again.';
      break;
    case 'Unauthorized':
      title = `The hub refused the request for ${who}${where}.`;
      advice = ctx.hasToken ? 'The access token is invalid or expired: create a new read token.' : 'This repository needs an access token (Advanced → Access token).';
      break;
    case 'RevisionNotFound':
      title = `${cap(who)} has no such revision${where}.`;
      advice = 'Use a branch, a tag or a full 40-character commit SHA after the @, or leave it out for main.';
      break;
    case 'EntryNotFound':
      title = `A file is missing in ${who}${where}${e.path ? `: ${e.path}` : ''}.`;
      advice = 'The repository may have been changed or its weights deleted at this revision: pin an older commit with @sha.';
      break;
    case 'GgufChoice':
      title = `No single GGUF file of ${who} fits${where}.`;
      advice = 'Put the type after a colon (owner/name:Q4_K_M) or the file’s path (owner/name:dir/file.gguf); the detail below lists the repository’s GGUF files.';
      break;
    case 'Disabled':
      title = `${cap(who)} has been disabled on the hub${where}.`;
      advice = 'Nothing can be read from it; if you know an older commit, try owner/name@sha.';
      break;
    case 'RateLimited':
      // Reached only after the page waited out several 5-minute windows (js/io/hub/transport.mjs _rateWait).
      title = 'The hub is still rate-limiting requests after several waits.';
      advice = 'The Hub counts requests in 5-minute windows: wait five minutes and verify again, or add an access token (Advanced), which raises the limit.';
      break;
    case 'Network':
      if (/stopped answering/.test(e.message ?? '')) {
        // Our own head/idle timeouts (hub-retry.mjs): the server was reached, then went silent.
        title = `${host(ctx.endpoint)} stopped sending data.`;
        advice = 'The connection or the server stalled several times in a row; verify again in a moment.';
        break;
      }
      if (!isHfHost(ctx.endpoint)) {
        // A page sees a CORS refusal only as a failed fetch (a TypeError, no status): with another
        // endpoint that is the likely cause, since mirrors do not allow pages to read them (§9).
        title = `Could not read ${host(ctx.endpoint)} from this page: it probably does not allow cross-origin requests (CORS).`;
        advice = 'A page can only use a hub that sends CORS headers to any site, as huggingface.co does. Mirrors such as hf-mirror.com ' +
          'do not: they work from the command line (HF_ENDPOINT=https://hf-mirror.com mergeprobe verify …), not from a page. ' +
          'Otherwise check your connection and the Hub endpoint under Advanced.';
        break;
      }
      title = `Could not reach ${host(ctx.endpoint)}.`;
      advice = 'Check your connection and the Hub endpoint under Advanced. A hub or proxy that does not allow cross-origin requests (CORS) also ends here.';
      break;
    case 'NotSupported':
      title = `${host(ctx.endpoint)} does not offer a listing mergeprobe needs${where}.`;
      advice = 'The endpoint is probably a mirror without the Hub\'s full API: try https://huggingface.co.';
      break;
    case 'RangeIgnored':
      title = 'The file server ignored byte-range requests.';
      advice = 'mergeprobe only reads small parts of each file and refuses to download whole checkpoints. Try another endpoint or local files.';
      break;
    case 'BadResponse':
      title = 'The hub sent a response mergeprobe could not understand.';
      advice = 'Check the Hub endpoint under Advanced.';
      break;
    case 'LocalFiles':
      title = 'These local files cannot be used.';
      advice = 'Drop one .safetensors file, or a folder holding model.safetensors.index.json and its shards.';
      break;
    case 'usage':
      title = 'Something in the form is not valid.';
      advice = 'Check the model fields and the budget.';
      break;
    case 'incomparable':
      title = 'These models cannot be compared.';
      advice = 'They share no tensor of the same name and shape: the parents and the base must have the suspect’s architecture.';
      break;
    case 'invalid-file':
      title = 'A weights file is not valid safetensors.';
      advice = 'The detail below names the file and the rule it breaks. Try another revision, or other files.';
      break;
    case 'budget':
      title = 'Not enough memory for this run.';
      advice = 'Lower the byte budget under Advanced and verify again.';
      break;
    case 'memory':
      title = 'This browser could not give the analysis the memory it needs.';
      advice = 'Close other tabs or windows and reload the page.';
      break;
    case 'setup':
      title = 'The analysis module could not be loaded.';
      advice = 'The site is missing its wasm files: rebuild it with npm run build.';
      break;
    default:
      title = 'The verification failed.';
      advice = 'The detail below says why. If a model is very large, a smaller byte budget or another revision may help.';
  }
  return { title, advice, detail: e.message ?? '', role: e.role };
}

/** huggingface.co and hf.co (and their subdomains): the hosts known to send CORS headers to pages. */
function isHfHost(endpoint) {
  try { return /(^|\.)(huggingface\.co|hf\.co)$/.test(new URL(endpoint).hostname); } catch { return false; }
}
function host(endpoint) {
  try { return new URL(endpoint).host; } catch { return String(endpoint); }
}
function cap(s) { return s.charAt(0).toUpperCase() + s.slice(1); }
