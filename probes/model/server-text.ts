// Text a server chose (error messages, names, certificate subjects) on its way to a report,
// a log line, a metric label or the status page: bounded in length, without control
// characters (no terminal escapes, no forged log lines), and without any secret a server
// could have echoed back. The runner cleans every family's output with it before any output
// sees it, and the log formatter cleans every line.

/** Longer than any message a probe writes for a sane server; a hostile one is cut here. */
export const MAX_SERVER_TEXT = 2000;

export const REDACTED = '<redacted>';

// ANSI/VT escape sequences whole (CSI, OSC, and two-character escapes), so none of their
// parameters is left behind as text.
const ESCAPE_SEQUENCES =
  // eslint-disable-next-line no-control-regex
  /\x1b\[[0-?]*[ -/]*[@-~]?|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?|\x9b[0-?]*[ -/]*[@-~]?/g;
const LINE_BREAKS = /[\t\n\r\v\f\u2028\u2029]+/g;
// C0 and C1 controls, DEL, and the invisible format characters that reorder or hide text.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

function stripControls(text: string): string {
  return text.replace(ESCAPE_SEQUENCES, '').replace(LINE_BREAKS, ' ').replace(CONTROLS, '');
}

/**
 * `text` made safe to print: escapes and control characters removed (line breaks become
 * spaces), every secret replaced by <redacted>, at most `maxLength` characters kept.
 * Controls go first, so a secret a server splits with NULs or escapes is still found.
 */
export function cleanText(text: string, secrets: readonly string[], maxLength = MAX_SERVER_TEXT): string {
  let clean = stripControls(text);
  for (const secret of secrets) {
    for (const form of new Set([secret, stripControls(secret)])) {
      if (form !== '') clean = clean.split(form).join(REDACTED);
    }
  }
  if (clean.length <= maxLength) return clean;
  let cut = clean.slice(0, maxLength);
  // Never leave half of a surrogate pair at the end.
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}... (${clean.length - cut.length} more characters)`;
}

/**
 * Every string inside `value` (objects, arrays, nested) cleaned with cleanText; keys,
 * numbers, booleans, dates and the shape are kept. For findings and measurements, whose
 * strings may come from servers anywhere in them.
 */
export function cleanData<T>(value: T, secrets: readonly string[], maxLength = MAX_SERVER_TEXT): T {
  const visit = (item: unknown): unknown => {
    if (typeof item === 'string') return cleanText(item, secrets, maxLength);
    if (Array.isArray(item)) return item.map(visit);
    if (item !== null && typeof item === 'object' && Object.getPrototypeOf(item) === Object.prototype) {
      return Object.fromEntries(Object.entries(item).map(([key, field]) => [key, visit(field)]));
    }
    return item;
  };
  return visit(value) as T;
}
