// Every message between the page (web/app.mjs) and its analysis worker (web/worker.mjs), typed in
// one place (issue 11; duckdb-wasm's worker_request.ts does the same). Both sides import these
// types, so tsc (tsconfig.web.json) checks what one side posts against what the other reads.
// One run at a time per worker; the page cancels by terminating the worker, so there is no
// 'cancel' message. Every message carries the run's id: the page drops replies of a replaced run.

/**
 * A model as the form gives it: a Hub id, or files the user dropped (read in the worker as Blobs).
 * @typedef {{kind: 'hub', id: string}} HubModelInput  id: 'owner/name[@rev]'
 * @typedef {{kind: 'local', label: string, entries: {file: File, path: string}[]}} LocalModelInput
 * @typedef {HubModelInput | LocalModelInput} ModelInput
 */

/**
 * What to run (web/ui/form.mjs readForm, plus the page's URL for the share link).
 * @typedef {Object} RunSpec
 * @property {string} endpoint
 * @property {string} token  '' for none
 * @property {number} budget  tensor bytes, all models together
 * @property {number} seed
 * @property {ModelInput} suspect
 * @property {ModelInput[]} parents
 * @property {ModelInput} [base]  absent: discovered
 * @property {ModelInput} [control]
 * @property {string} [pageUrl]
 * @property {boolean} [discover]  a role is left empty or other candidates are named (js/discover/)
 * @property {string[]} [candidates]  Other candidates, model ids without roles
 */

/**
 * page -> worker.
 * @typedef {{id: number, type: 'run', spec: RunSpec}} RunRequest
 * @typedef {{id: number, type: 'retry-now', spec?: undefined}} RetryNowRequest  end the current 429 wait
 * @typedef {RunRequest | RetryNowRequest} WorkerRequest
 */

/**
 * An error as it crosses postMessage (an Error's own fields do not survive structured clone as such).
 * @typedef {Object} SerialisedError
 * @property {string} message
 * @property {string} [code]  HubError / EngineError code, 'Aborted', 'setup' (module missing)
 * @property {number} [status]  HTTP status
 * @property {string} [repo]
 * @property {string} [path]
 * @property {string} [role]
 * @property {string} [name]
 */

/**
 * worker -> page, without the id (worker.mjs's post adds it).
 * @typedef {{type: 'progress', progress: {phase: string, bytes: number, requests: number, budget: number, done: number, total: number, plannedBytes?: number}}} ProgressReply  plannedBytes: what the plan reads (fetching phase on): the bar follows it
 * @typedef {{type: 'wait', wait: {host: string, ms: number, until: number, hinted: boolean}}} WaitReply  a 429: waiting for the window
 * @typedef {{type: 'stall', stall: {host: string, ms: number} | null}} StallReply  no byte from the hub for ms; null: bytes again
 * @typedef {{type: 'result', report: any}} ResultReply  the report JSON (docs/report schema, tools/report-schema.mjs)
 * @typedef {{type: 'error', error: SerialisedError}} ErrorReply
 * @typedef {ProgressReply | WaitReply | StallReply | ResultReply | ErrorReply} ReplyBody
 * @typedef {ReplyBody & {id: number}} WorkerReply
 */

export {};
