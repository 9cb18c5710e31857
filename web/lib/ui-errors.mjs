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
    case 'Disabled':
      title = `${cap(who)} has been disabled on the hub${where}.`;
      advice = 'Nothing can be read from it; if you know an older commit, try owner/name@sha.';
      break;
    case 'RateLimited':
      title = 'The hub is rate-limiting requests.';
      advice = 'Wait a few minutes, or add an access token (Advanced), which raises the limit.';
      break;
    case 'Network':
      title = `Could not reach ${host(ctx.endpoint)}.`;
      advice = 'Check your connection and the Hub endpoint under Advanced. A hub or proxy that does not allow cross-origin requests also ends here.';
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

function host(endpoint) {
  try { return new URL(endpoint).host; } catch { return String(endpoint); }
}
function cap(s) { return s.charAt(0).toUpperCase() + s.slice(1); }
