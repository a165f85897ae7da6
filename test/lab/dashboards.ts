// The Grafana dashboards under dashboards/ as data: their panels, queries and template
// variables, Grafana's variable interpolation for Prometheus, and the metric names and
// label names a PromQL expression uses. Shared by test/dashboards/dashboards.test.ts (static checks)
// and test/lab/monitoring.lab.ts (every query against a real Prometheus).

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const DASHBOARDS_DIR = join(ROOT, 'dashboards');
export const METRICS_DOC = join(ROOT, 'docs', 'metrics.md');

/** What every panel, target and query variable must name: the datasource variable. */
export const DATASOURCE = { type: 'prometheus', uid: '${datasource}' } as const;

export interface Datasource {
  type?: string;
  uid?: string;
}

export interface Target {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  datasource?: Datasource | string;
}

export interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: Datasource | string;
  targets?: Target[];
  panels?: Panel[];
  gridPos?: { x: number; y: number; w: number; h: number };
  links?: { title?: string; url?: string }[];
}

export interface Variable {
  name: string;
  type: string;
  query?: string | { query?: string };
  definition?: string;
  datasource?: Datasource | string;
  includeAll?: boolean;
  multi?: boolean;
  allValue?: string | null;
}

export interface Dashboard {
  uid: string;
  title: string;
  tags?: string[];
  schemaVersion?: number;
  panels?: Panel[];
  templating?: { list?: Variable[] };
  links?: { type?: string; tags?: string[]; url?: string }[];
  __inputs?: unknown;
  __requires?: unknown;
}

export interface DashboardFile {
  file: string;
  text: string;
  dashboard: Dashboard;
}

export function dashboardFiles(): string[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

export function loadDashboards(): DashboardFile[] {
  return dashboardFiles().map((file) => {
    const text = readFileSync(join(DASHBOARDS_DIR, file), 'utf8');
    try {
      return { file, text, dashboard: JSON.parse(text) as Dashboard };
    } catch (error) {
      throw new Error(`dashboards/${file} is not valid JSON: ${String(error)}`, { cause: error });
    }
  });
}

/** Every panel, including those inside (collapsed) rows. */
export function panelsOf(dashboard: Dashboard): Panel[] {
  const out: Panel[] = [];
  const walk = (panels: Panel[] | undefined): void => {
    for (const panel of panels ?? []) {
      out.push(panel);
      walk(panel.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** Panels that show no query: layout rows and text. */
export function isQueryless(panel: Panel): boolean {
  return panel.type === 'row' || panel.type === 'text';
}

export interface Query {
  dashboard: string;
  panel: string;
  refId: string;
  expr: string;
  legendFormat: string | undefined;
}

export function queriesOf(dashboard: Dashboard): Query[] {
  return panelsOf(dashboard).flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({
      dashboard: dashboard.uid,
      panel: panel.title ?? `panel ${String(panel.id)}`,
      refId: target.refId ?? '?',
      expr: target.expr ?? '',
      legendFormat: target.legendFormat,
    })),
  );
}

export function variablesOf(dashboard: Dashboard): Variable[] {
  return dashboard.templating?.list ?? [];
}

/** The query of a `query` variable, whether Grafana stored it as a string or an object. */
export function variableQuery(variable: Variable): string {
  if (typeof variable.query === 'string') return variable.query;
  return variable.query?.query ?? variable.definition ?? '';
}

/** `label_values(selector, label)` or `label_values(label)`. */
export function parseLabelValues(query: string): { selector: string | undefined; label: string } {
  const match = /^\s*label_values\(\s*(?:(.*)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/s.exec(query);
  if (!match?.[2]) throw new Error(`not a label_values(...) query: ${query}`);
  return { selector: match[1]?.trim(), label: match[2] };
}

/** Grafana's own variables that the Prometheus datasource fills in. */
export const BUILTIN_VARIABLES = ['__rate_interval', '__interval', '__range', '__range_s', '__interval_ms'];

const VARIABLE_REFERENCE =
  /\$\{([a-zA-Z_][a-zA-Z0-9_]*)(?::[^}]*)?\}|\$([a-zA-Z_][a-zA-Z0-9_]*)|\[\[([a-zA-Z_][a-zA-Z0-9_]*)\]\]/g;

export function referencedVariables(text: string): string[] {
  return [...text.matchAll(VARIABLE_REFERENCE)].map((match) => match[1] ?? match[2] ?? match[3] ?? '');
}

/** Replaces `$name`, `${name}`, `${name:format}` and `[[name]]` by `values[name]`; throws on an unknown name. */
export function interpolate(text: string, values: Record<string, string>): string {
  return text.replace(VARIABLE_REFERENCE, (whole, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    const value = values[name];
    if (value === undefined) throw new Error(`no value for the variable ${whole} in: ${text}`);
    return value;
  });
}

/**
 * What Grafana's Prometheus datasource puts in a query for one selected value of a
 * variable with multi-value or "All" enabled (its prometheusSpecialRegexEscape): regex
 * metacharacters escaped with a backslash that is itself escaped for the PromQL string.
 */
export function grafanaRegexEscape(value: string): string {
  return value.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');
}

// ---------------------------------------------------------------------------------------
// docs/metrics.md

/** Metric name to its documented labels, from the tables of docs/metrics.md. */
export function documentedMetrics(markdown: string): Map<string, Set<string>> {
  const metrics = new Map<string, Set<string>>();
  let previous = new Set<string>();
  for (const line of markdown.split('\n')) {
    const match = /^\|\s*`([a-zA-Z_:][a-zA-Z0-9_:]*)`\s*\|([^|]*)\|/.exec(line);
    if (!match?.[1]) continue;
    const cell = match[2] ?? '';
    // "same" and "the same, plus `state`" refer to the row above.
    const labels = new Set<string>(/\bsame\b/.test(cell) ? previous : []);
    for (const label of cell.matchAll(/`([a-zA-Z_][a-zA-Z0-9_]*)`/g)) labels.add(label[1] ?? '');
    metrics.set(match[1], labels);
    previous = labels;
  }
  return metrics;
}

// ---------------------------------------------------------------------------------------
// PromQL: just enough of a scanner to find metric names, label matchers and label lists.

export interface Selector {
  metric: string;
  labels: string[];
}

export interface ExprNames {
  selectors: Selector[];
  /** Labels in by/without/on/ignoring/group_left/group_right lists. */
  groupingLabels: string[];
  functions: string[];
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'atan2']);
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const AGGREGATIONS = new Set([
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
]);

type Token = { kind: 'ident'; text: string } | { kind: 'braces'; text: string } | { kind: 'other'; text: string };

function skipString(expr: string, start: number): number {
  const quote = expr[start];
  let i = start + 1;
  while (i < expr.length && expr[i] !== quote) i += expr[i] === '\\' && quote !== '`' ? 2 : 1;
  return i + 1;
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const ch = expr[i] ?? '';
    if (/\s/.test(ch)) {
      i++;
    } else if (ch === '"' || ch === "'" || ch === '`') {
      const end = skipString(expr, i);
      tokens.push({ kind: 'other', text: expr.slice(i, end) });
      i = end;
    } else if (ch === '{' || ch === '[') {
      // A label-matcher block or a range/subquery duration: up to the closing bracket,
      // skipping strings (a regex may contain a bracket).
      const close = ch === '{' ? '}' : ']';
      let j = i + 1;
      while (j < expr.length && expr[j] !== close)
        j = expr[j] === '"' || expr[j] === "'" || expr[j] === '`' ? skipString(expr, j) : j + 1;
      tokens.push({ kind: ch === '{' ? 'braces' : 'other', text: expr.slice(i, j + 1) });
      i = j + 1;
    } else if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      const number = /^(?:0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)/.exec(expr.slice(i))?.[0] ?? ch;
      tokens.push({ kind: 'other', text: number });
      i += number.length;
    } else if (/[a-zA-Z_:]/.test(ch)) {
      const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i))?.[0] ?? ch;
      tokens.push({ kind: 'ident', text: ident });
      i += ident.length;
    } else if (ch === '$') {
      // A Grafana variable left in the expression: not a name.
      const variable = /^\$(?:\{[^}]*\}|[a-zA-Z0-9_]+)/.exec(expr.slice(i))?.[0] ?? ch;
      tokens.push({ kind: 'other', text: variable });
      i += variable.length;
    } else {
      tokens.push({ kind: 'other', text: ch });
      i++;
    }
  }
  return tokens;
}

function matcherLabels(braces: string): string[] {
  const inner = braces.slice(1, -1);
  const labels: string[] = [];
  for (const match of inner.matchAll(
    /([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)/g,
  ))
    labels.push(match[1] ?? '');
  return labels;
}

export function exprNames(expr: string): ExprNames {
  const tokens = tokenize(expr);
  const names: ExprNames = { selectors: [], groupingLabels: [], functions: [] };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === undefined) continue;
    const next = tokens[i + 1];
    if (token.kind === 'braces') {
      // A selector without a metric name ({__name__=...}): its labels still count.
      names.selectors.push({ metric: '', labels: matcherLabels(token.text) });
      continue;
    }
    if (token.kind !== 'ident') continue;
    if (LABEL_LIST_KEYWORDS.has(token.text)) {
      if (next?.text !== '(') continue;
      let j = i + 2;
      for (; j < tokens.length && tokens[j]?.text !== ')'; j++) {
        const label = tokens[j];
        if (label?.kind === 'ident') names.groupingLabels.push(label.text);
      }
      i = j;
    } else if (KEYWORDS.has(token.text.toLowerCase())) {
      continue;
    } else if (
      next?.text === '(' ||
      (AGGREGATIONS.has(token.text) && (next?.text === 'by' || next?.text === 'without'))
    ) {
      names.functions.push(token.text);
    } else {
      const labels = next?.kind === 'braces' ? matcherLabels(next.text) : [];
      names.selectors.push({ metric: token.text, labels });
      if (next?.kind === 'braces') i++;
    }
  }
  return names;
}

/** Labels of the series a query returns: the documented labels of its metrics, plus Prometheus' own. */
export function labelsAvailable(expr: string, documented: Map<string, Set<string>>): Set<string> {
  const labels = new Set(['job', 'instance']);
  for (const selector of exprNames(expr).selectors)
    for (const label of documented.get(selector.metric) ?? []) labels.add(label);
  for (const label of addedLabels(expr)) labels.add(label);
  return labels;
}

/** The destination labels of label_join(v, "dst", ...) and label_replace(v, "dst", ...). */
export function addedLabels(expr: string): string[] {
  const tokens = tokenize(expr);
  const added: string[] = [];
  tokens.forEach((token, i) => {
    if (token.kind !== 'ident' || !['label_join', 'label_replace'].includes(token.text) || tokens[i + 1]?.text !== '(')
      return;
    // The second argument: the first string after the first comma at this call's depth.
    let depth = 0;
    for (let j = i + 1; j < tokens.length; j++) {
      const text = tokens[j]?.text ?? '';
      if (text === '(') depth++;
      else if (text === ')') depth--;
      if (depth === 0) return;
      if (depth === 1 && text === ',') {
        const dst = tokens[j + 1]?.text ?? '';
        if (/^["'`]/.test(dst)) added.push(dst.slice(1, -1));
        return;
      }
    }
  });
  return added;
}
