// Untrusted text on a terminal. Tensor and shard names come from a file or a repo, repo ids and
// paths from arguments, messages from a server: printed raw, ESC sequences clear the screen, set
// the title or plant hyperlinks, and a CR or newline lets a repo print a fake "Verdict:" line.
// Every such string the CLI prints goes through termSafe() at formatting time (the core data and
// the JSON report keep the real names), as the page escapes them for HTML.

// C0 controls, DEL, C1 controls (U+0080-U+009F: U+009B is CSI on some terminals), the
// bidirectional overrides and isolates (text shown reversed: "Trojan Source"), zero-width and
// direction marks, the Unicode line and paragraph separators, and the BOM / zero-width no-break space.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
// The same set minus C0: JSON.stringify already writes C0 as \n, \u001b etc., and its own
// newlines and indentation are the output's layout.
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
const NAMED = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

const hex = (c, width) => c.charCodeAt(0).toString(16).toUpperCase().padStart(width, '0');

/**
 * `s` with every control or invisible direction character shown as an escape: ESC -> \x1B,
 * CR -> \r, LF -> \n, U+202E -> \u202E. Text without them comes back unchanged.
 * @param {unknown} s
 * @returns {string}
 */
export function termSafe(s) {
  return String(s).replace(UNSAFE, (c) => NAMED[c] ?? (c < '\u0100' ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/**
 * JSON.stringify(value, null, 2) with the characters termSafe() escapes written as \uXXXX: the
 * same JSON value (any parser reads it back unchanged), but nothing a terminal would act on.
 * @param {unknown} value
 */
export function jsonForTerminal(value) {
  return JSON.stringify(value, null, 2).replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c, 4).toLowerCase()}`);
}
