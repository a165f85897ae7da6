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

// Everything the three patterns above remove starts with one of these (ESC and CSI are C0 and
// C1 controls): text without any, nearly all of it, is returned as it is, with one scan.
// eslint-disable-next-line no-control-regex
const ANY_CONTROL = /[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2069\ufeff]/;

function stripControls(text: string): string {
  if (!ANY_CONTROL.test(text)) return text;
  return text.replace(ESCAPE_SEQUENCES, '').replace(LINE_BREAKS, ' ').replace(CONTROLS, '');
}

/** Each secret as given and as it reads once its controls are stripped, without empty ones. */
function secretForms(secrets: readonly string[]): string[] {
  return [...new Set(secrets.flatMap((secret) => [secret, stripControls(secret)]))].filter((form) => form !== '');
}

function cleanWithForms(text: string, forms: readonly string[], maxLength: number): string {
  let clean = stripControls(text);
  for (const form of forms) {
    if (clean.includes(form)) clean = clean.split(form).join(REDACTED);
  }
  if (clean.length <= maxLength) return clean;
  let cut = clean.slice(0, maxLength);
  // Never leave half of a surrogate pair at the end.
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}... (${clean.length - cut.length} more characters)`;
}

/**
 * `text` made safe to print: escapes and control characters removed (line breaks become
 * spaces), every secret replaced by <redacted>, at most `maxLength` characters kept.
 * Controls go first, so a secret a server splits with NULs or escapes is still found.
 */
export function cleanText(text: string, secrets: readonly string[], maxLength = MAX_SERVER_TEXT): string {
  return cleanWithForms(text, secretForms(secrets), maxLength);
}

/**
 * Every string inside `value` (objects, arrays, nested) cleaned with cleanText; keys,
 * numbers, booleans, dates and the shape are kept. For findings and measurements, whose
 * strings may come from servers anywhere in them. What needed no cleaning is returned as it
 * is, not copied: a run of thousands of findings makes no garbage here.
 */
export function cleanData<T>(value: T, secrets: readonly string[], maxLength = MAX_SERVER_TEXT): T {
  const forms = secretForms(secrets);
  return cleanStrings(value, (text) => cleanWithForms(text, forms, maxLength)) as T;
}

// Indexed loops and for-in, not forEach and Object.entries: a ports run at 500 DCs is 9,000
// objects, and the arrays Object.entries made for each were most of the time spent here.
function cleanStrings(item: unknown, clean: (text: string) => string): unknown {
  if (typeof item === 'string') return clean(item);
  if (typeof item !== 'object' || item === null) return item;
  if (Array.isArray(item)) {
    let copy: unknown[] | undefined;
    for (let index = 0; index < item.length; index++) {
      const element: unknown = item[index];
      const cleaned = cleanStrings(element, clean);
      if (cleaned !== element) (copy ??= [...(item as unknown[])])[index] = cleaned;
    }
    return copy ?? item;
  }
  if (Object.getPrototypeOf(item) !== Object.prototype) return item;
  const record = item as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    const field = record[key];
    const cleaned = cleanStrings(field, clean);
    if (cleaned !== field) (copy ??= { ...record })[key] = cleaned;
  }
  return copy ?? item;
}
