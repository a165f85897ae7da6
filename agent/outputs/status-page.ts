// The agent's page at /, for a person at 3 DCs or at 500: whether authentication across
// each trust works, then the problems grouped by trust, domain and DC (alike ones in one
// row), the trust topology as a picture, the healthy part collapsed, and each family's
// last run. Filters by status and family are CSS (radio buttons and checkboxes that come
// before what they filter): the page carries no script, and its Content-Security-Policy
// allows its one style block and nothing else. Everything from the network is escaped.

import { createHash } from 'node:crypto';
import { renderTarget, targetHost, type Finding, type Status } from '../../probes/model/finding.js';
import { FAMILY_NAMES, type Family } from '../../probes/model/probe.js';
import type { Config } from '../config/config.js';
import { worstStatus, type FamilyRun } from '../run/runner.js';
import { compressibleBody, type CompressibleBody } from '../web/compressed.js';
import {
  buildPageModel,
  countStatuses,
  domainStatuses,
  isDcFinding,
  pageDomains,
  reportedFindings,
  STATUSES,
  trustAnchor,
  trustStatuses,
  type AuthDirection,
  type Counts,
  type DcLine,
  type Group,
  type Reported,
  type Row,
} from './status-page/groups.js';
import { escapeHtml } from './status-page/html.js';
import { layoutTopology, renderTopology, STATUS_COLOURS } from './status-page/topology.js';

export { escapeHtml };

/** The titles of dashboards/*.json, so a person finds them in Grafana; test/dashboards/dashboards.test.ts keeps the two equal. */
export const DASHBOARDS = [
  'AD trusts / Overview',
  'AD trusts / DNS',
  'AD trusts / Ports and protocols',
  'AD trusts / Trust objects',
  'AD trusts / Accounts without Kerberos pre-authentication',
];

/** Healthy findings are listed one per row up to this many on the page; beyond, each group counts them per check. */
export const HEALTHY_ROWS_LISTED = 300;

/** What the page shows of the completed runs and the config: it changes only when a run completes or the config reloads. */
export interface StatusPageContent {
  version: string;
  families: Family[];
  runs: FamilyRun[];
  /** The domains (with their forests) and the trusts of the config, for the groups and the topology. */
  config: Pick<Config, 'domains' | 'trusts'>;
}

/** What changes from one request to the next. */
export interface StatusPageMoment {
  now: Date;
  /** Families with a run under way. */
  running: Family[];
}

export type StatusPageInput = StatusPageContent & StatusPageMoment;

/** A family's last completed run, as the runs table gives it. */
interface RunLine {
  family: Family;
  run: { startedAt: Date; durationSeconds: number; worst: Status; findings: number } | undefined;
}

/**
 * The page rendered from its content alone: the HTML before the line that names the time,
 * the HTML between it and the runs table, and that table's lines, whose ages and "running
 * now" depend on the moment. Rendering it takes tens of milliseconds at 500 DCs; putting
 * the moment in takes microseconds.
 */
export interface RenderedContent {
  readonly version: string;
  readonly head: string;
  readonly body: string;
  readonly runs: readonly RunLine[];
}

/**
 * The families the filter offers. The CSS is one constant (its hash is in the CSP), so
 * its rules are made for a fixed list: the run families, and `auth`, which is coming.
 */
const FILTER_FAMILIES: readonly string[] = [...new Set<string>([...FAMILY_NAMES, 'auth'])];
const STATUS_FILTERS = ['all', ...STATUSES] as const;

function filterRules(): string {
  const rules: string[] = [];
  for (const status of STATUSES) {
    rules.push(
      `#show-${status}:checked ~ main :is(.row:not(.s-${status}), .group:not(.has-${status}), .part:not(.has-${status})) { display: none; }`,
    );
    if (status !== 'ok') rules.push(`#show-${status}:checked ~ main #healthy { display: none; }`);
  }
  for (const family of FILTER_FAMILIES) {
    rules.push(`#family-${family}:not(:checked) ~ main .row.f-${family} { display: none; }`);
    rules.push(
      `#family-${family}:not(:checked) ~ .filters label[for="family-${family}"] { opacity: 0.5; text-decoration: line-through; }`,
    );
  }
  for (const id of [
    ...STATUS_FILTERS.map((status) => `show-${status}`),
    ...FILTER_FAMILIES.map((family) => `family-${family}`),
  ]) {
    rules.push(`#${id}:focus-visible ~ .filters label[for="${id}"] { outline: 2px solid #1a5fb4; }`);
  }
  for (const status of STATUS_FILTERS)
    rules.push(`#show-${status}:checked ~ .filters label[for="show-${status}"] { background: #1b1b1b; color: #fff; }`);
  return rules.join('\n');
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.15rem; margin: 1.5rem 0 0.5rem; }
table { border-collapse: collapse; margin: 0.4rem 0 0.8rem; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.status { font-weight: bold; white-space: nowrap; }
.critical { background: #f8d7da; color: #721c24; }
.warning { background: #fff3cd; color: #7a5a00; }
.unknown { background: #e2d9f3; color: #40206a; }
.ok { background: #d4edda; color: #155724; }
.none { background: #eee; color: #555; }
.badge { font-weight: bold; padding: 0 0.4rem; border-radius: 0.2rem; }
p.summary { font-size: 1.1rem; }
details.group { border: 1px solid #ccc; border-left-width: 6px; border-radius: 4px; margin: 0.5rem 0; padding: 0.3rem 0.6rem; }
details.group.worst-critical { border-left-color: ${STATUS_COLOURS.critical}; }
details.group.worst-warning { border-left-color: ${STATUS_COLOURS.warning}; }
details.group.worst-unknown { border-left-color: ${STATUS_COLOURS.unknown}; }
details.group.worst-ok { border-left-color: ${STATUS_COLOURS.ok}; }
summary { cursor: pointer; }
summary h2 { display: inline; }
details.group > summary { font-weight: 600; }
.counts { font-weight: normal; color: #444; margin-left: 0.5rem; }
.healthy-part { margin: 0.3rem 0; color: #333; }
.hosts { color: #444; }
.note { color: #555; font-size: 0.9rem; }
input.filter { position: absolute; opacity: 0; width: 1px; height: 1px; }
.filters { position: sticky; top: 0; background: #fff; padding: 0.4rem 0; border-bottom: 1px solid #ddd; z-index: 1; }
.filters label { display: inline-block; border: 1px solid #999; border-radius: 1rem; padding: 0.05rem 0.6rem; margin: 0.1rem; cursor: pointer; }
.topology svg { max-width: 100%; height: auto; }
.swatch { display: inline-block; width: 1.6rem; height: 0.35rem; vertical-align: middle; margin: 0 0.2rem 0 0.6rem; }
${Object.entries(STATUS_COLOURS)
  .map(([status, colour]) => `.swatch.${status} { background: ${colour}; }`)
  .join('\n')}
${filterRules()}
`;

/** The page's Content-Security-Policy: its one style block, by hash; no script, no other source. */
export const STATUS_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The headers of the page, the same at each request. */
export const STATUS_PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': STATUS_PAGE_CSP,
} as const;

function age(from: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

function statusCell(status: Status): string {
  return `<td class="status ${status}">${status.toUpperCase()}</td>`;
}

function badge(status: Status): string {
  return `<span class="badge ${status}">${status.toUpperCase()}</span>`;
}

/** "2 critical · 1 warning · 300 ok": the problems that are there, and always the ok count. */
function countsText(counts: Counts): string {
  return STATUSES.filter((status) => status === 'ok' || counts[status] > 0)
    .map((status) => `${counts[status]} ${status}`)
    .join(' · ');
}

function rowClasses(status: Status, family: string): string {
  return `row s-${status} f-${family}`;
}

/** The CSS filter by status hides a table, or a group, with no row of that status. */
function partClasses(classes: string[], statuses: Iterable<Status>): string {
  return [...classes, ...[...new Set(statuses)].map((status) => `has-${status}`)].join(' ');
}

function authRows(directions: AuthDirection[]): string {
  return directions
    .map((direction) => {
      const lines = direction.findings
        .map(
          (finding) =>
            `${badge(finding.status)} <code>${escapeHtml(finding.check)}</code> ${escapeHtml(finding.message)}`,
        )
        .join('<br>');
      return `<tr class="${rowClasses(direction.worst, 'auth')}"><td>${escapeHtml(direction.from)}</td><td>${escapeHtml(direction.to)}</td>${statusCell(direction.worst)}<td>${lines}</td></tr>`;
    })
    .join('\n');
}

/** Problems in a table; the directions where authentication works, collapsed under it. */
function authSection(directions: AuthDirection[], families: Family[], canaries: number): string {
  if (directions.length === 0) {
    const why =
      canaries === 0
        ? 'no domain has a canary, so authentication itself is not tried (see canary: in docs/configuration.md)'
        : families.includes('auth')
          ? 'the auth family has not completed a run'
          : 'the agent runs no authentication checks (the auth family)';
    return `<p class="note">No answer yet: ${why}; the trusts' objects, DNS and ports are below.</p>`;
  }
  const head = '<thead><tr><th>From (users)</th><th>To (resources)</th><th>Status</th><th>Message</th></tr></thead>';
  const failing = directions.filter((direction) => direction.worst !== 'ok');
  const working = directions.filter((direction) => direction.worst === 'ok');
  const problems =
    failing.length === 0
      ? `<p>Authentication works in each of the ${directions.length} directions checked.</p>`
      : `<table class="${partClasses(
          ['auth', 'part'],
          failing.map((direction) => direction.worst),
        )}">
${head}
<tbody>
${authRows(failing)}
</tbody>
</table>`;
  const works =
    working.length === 0
      ? ''
      : `<details class="healthy-part"><summary>${working.length} direction${working.length === 1 ? '' : 's'} where it works</summary>
<table class="auth">
${head}
<tbody>
${authRows(working)}
</tbody>
</table>
</details>`;
  return `${problems}\n${works}`;
}

function problemRow(row: Row): string {
  const [first] = row.findings;
  if (first === undefined) return '';
  const many = row.findings.length > 1;
  let where: string;
  if (!many) {
    where = escapeHtml(renderTarget(first.check, first.target));
  } else {
    const dcs = row.findings.every(isDcFinding);
    const targets = row.findings.map((finding) =>
      dcs ? targetHost(finding.target) : renderTarget(finding.check, finding.target),
    );
    where = `${row.slot === '' ? '' : `${escapeHtml(row.slot)} `}on ${row.findings.length} ${dcs ? 'DCs' : 'targets'}: <span class="hosts">${targets.map(escapeHtml).join(', ')}</span>`;
  }
  const example = many ? 'e.g. ' : '';
  return `<tr class="${rowClasses(row.status, row.family)}">${statusCell(row.status)}<td><code>${escapeHtml(row.check)}</code></td><td>${where}</td><td>${example}${escapeHtml(first.message)}</td><td>${first.remediation === '' ? '' : example + escapeHtml(first.remediation)}</td></tr>`;
}

function healthyPart(group: Group, listed: boolean): string {
  const healthyDcs = group.dcs.filter((dc) => dc.worst === 'ok');
  if (group.healthy.length === 0 && healthyDcs.length === 0) return '';
  const dcs =
    healthyDcs.length === 0
      ? ''
      : `<p>Healthy DCs (${healthyDcs.length}): ${healthyDcs.map((dc) => escapeHtml(dc.host)).join(', ')}</p>`;
  let findings: string;
  if (listed) {
    findings = `<table>
<tbody>
${group.healthy
  .map(
    ({ finding, family }: Reported) =>
      `<tr class="${rowClasses('ok', family)}">${statusCell('ok')}<td><code>${escapeHtml(finding.check)}</code></td><td>${escapeHtml(renderTarget(finding.check, finding.target))}</td><td>${escapeHtml(finding.message)}</td></tr>`,
  )
  .join('\n')}
</tbody>
</table>`;
  } else {
    const perCheck = new Map<string, number>();
    for (const { finding } of group.healthy) perCheck.set(finding.check, (perCheck.get(finding.check) ?? 0) + 1);
    findings = `<p>${[...perCheck]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([check, count]) => `<code>${escapeHtml(check)}</code> ${count}`)
      .join(
        ' · ',
      )}</p><p class="note">Too many to list here: each one is in <a href="/metrics">/metrics</a> (adtrust_check_status) and in <code>probe run --verbose</code>.</p>`;
  }
  const dcText = healthyDcs.length === 0 ? '' : ` on ${healthyDcs.length} healthy DCs`;
  return `<details class="healthy-part"><summary>${group.healthy.length} ok${dcText}</summary>
${dcs}
${findings}
</details>`;
}

/** A domain's DCs with problems; DCs with the same problems share a line, so that a port closed on every DC is one line. */
function dcTable(group: Group): string {
  const failing = group.dcs.filter((dc) => dc.worst !== 'ok');
  if (failing.length === 0) return '';
  const alike = new Map<string, DcLine[]>();
  for (const dc of failing) {
    const key = JSON.stringify([dc.worst, dc.problems]);
    const list = alike.get(key);
    if (list === undefined) alike.set(key, [dc]);
    else list.push(dc);
  }
  const rows = [...alike.values()]
    .map((dcs) => {
      const [first] = dcs;
      if (first === undefined) return '';
      const problems = countsText({ ...first.counts, ok: 0 }).replace(/ · 0 ok$/, '');
      const names = dcs.map((dc) => escapeHtml(dc.host)).join(', ');
      return `<tr class="row s-${first.worst}"><td>${dcs.length === 1 ? names : `${dcs.length} DCs: <span class="hosts">${names}</span>`}</td>${statusCell(first.worst)}<td>${problems}${dcs.length === 1 ? '' : ' each'}: ${first.problems.map(escapeHtml).join(', ')}</td></tr>`;
    })
    .join('\n');
  return `<table class="${partClasses(
    ['dcs', 'part'],
    failing.map((dc) => dc.worst),
  )}">
<thead><tr><th>DCs with problems: ${failing.length} of ${group.dcs.length}</th><th>Worst</th><th>Not ok</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

function renderGroup(group: Group, listHealthy: boolean): string {
  const present = STATUSES.filter((status) => group.counts[status] > 0).map((status) => `has-${status}`);
  const classes = ['group', `worst-${group.worst}`, ...present].join(' ');
  const problems =
    group.rows.length === 0
      ? ''
      : `<table class="${partClasses(
          ['problems', 'part'],
          group.rows.map((row) => row.status),
        )}">
<thead><tr><th>Status</th><th>Check</th><th>Where</th><th>Message</th><th>Fix</th></tr></thead>
<tbody>
${group.rows.map(problemRow).join('\n')}
</tbody>
</table>`;
  return `<details class="${classes}" id="${escapeHtml(group.id)}"${group.worst === 'ok' ? '' : ' open'}>
<summary>${badge(group.worst)} ${escapeHtml(group.title)}<span class="counts">${countsText(group.counts)}</span></summary>
${problems}
${dcTable(group)}
${healthyPart(group, listHealthy)}
</details>`;
}

function filters(families: Family[]): string {
  const offered = FILTER_FAMILIES.filter((family) => (families as string[]).includes(family));
  const inputs = [
    ...STATUS_FILTERS.map(
      (status) =>
        `<input class="filter" type="radio" name="show" id="show-${status}"${status === 'all' ? ' checked' : ''}>`,
    ),
    ...offered.map((family) => `<input class="filter" type="checkbox" id="family-${family}" checked>`),
  ].join('\n');
  const labels = `<nav class="filters" aria-label="Filters">Show: ${STATUS_FILTERS.map((status) => `<label for="show-${status}">${status}</label>`).join(' ')} · Families: ${offered.map((family) => `<label for="family-${family}">${family}</label>`).join(' ')}</nav>`;
  return `${inputs}\n${labels}`;
}

function legend(): string {
  const swatches = (['critical', 'warning', 'unknown', 'ok', 'none'] as const)
    .map((status) => `<span class="swatch ${status}"></span>${status === 'none' ? 'nothing reported yet' : status}`)
    .join(' ');
  return `<p class="note">An arrow points from the trusting domain (which holds the resources) to the trusted domain (whose accounts it accepts), as <code>netdom trust</code> names them; authentication requests travel against the arrow. A head at both ends: a two-way trust. Solid: forest trust; dashed: external trust. Colour: the worst status of what crosses the trust (its trust objects, DNS between the two domains, authentication across it, and the DCs of both sides): ${swatches}. A domain's border: the worst of its own findings. Each arrow links to its trust's findings.</p>`;
}

/** The heavy part of the page: the groups, the topology and the tables, from the completed runs and the config. */
export function renderContent(input: StatusPageContent): RenderedContent {
  const reported = reportedFindings(input.runs);
  const findings = reported.map(({ finding }) => finding);
  const overall = worstStatus(findings.map((finding) => finding.status));
  const counts = countStatuses(findings);
  const model = buildPageModel(reported, input.config);
  const listHealthy = counts.ok <= HEALTHY_ROWS_LISTED;
  const problemGroups = model.groups.filter((group) => group.worst !== 'ok');
  const healthyGroups = model.groups.filter((group) => group.worst === 'ok');

  const trustStatus = trustStatuses(reported, input.config);
  const topology = renderTopology(
    layoutTopology({
      domains: pageDomains(input.config),
      domainStatus: domainStatuses(reported),
      trusts: input.config.trusts.map((trust, index) => ({
        trust,
        status: trustStatus[index],
        href: trustAnchor(index),
      })),
    }),
  );

  const runs = new Map(input.runs.map((run) => [run.family, run]));
  const runLines = input.families.map((family): RunLine => {
    const run = runs.get(family);
    return {
      family,
      run:
        run === undefined
          ? undefined
          : {
              startedAt: run.startedAt,
              durationSeconds: run.durationSeconds,
              worst: worstStatus(run.findings.map((finding: Finding) => finding.status)),
              findings: run.findings.length,
            },
    };
  });

  const failingTrusts = problemGroups.filter((group) => group.kind === 'trust').length;
  const failingDomains = problemGroups.filter((group) => group.kind === 'domain').length;
  const dcs = model.groups.flatMap((group) => group.dcs);
  const failingDcs = dcs.filter((dc) => dc.worst !== 'ok').length;
  const problemsBody =
    findings.length === 0
      ? '<p>No findings yet: the first runs have not completed.</p>'
      : problemGroups.length === 0
        ? '<p>None: every check is ok.</p>'
        : problemGroups.map((group) => renderGroup(group, listHealthy)).join('\n');

  const head = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>adtrust-agent: ${overall.toUpperCase()}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>adtrust-agent</h1>
<p class="summary">Overall: <span class="${overall}"><strong>${overall.toUpperCase()}</strong></span> (${STATUSES.map((status) => `${counts[status]} ${status}`).join(', ')}). Problems in ${failingTrusts} of ${input.config.trusts.length} trusts, ${failingDomains} of ${pageDomains(input.config).length} domains, ${failingDcs} of ${dcs.length} DCs.</p>`;
  const body = `${filters(input.families)}
<main>
<section id="auth">
<h2>Authentication across trusts</h2>
${authSection(model.auth, input.families, [...input.config.domains.values()].filter((domain) => domain.canary !== undefined).length)}
</section>
<section id="problems">
<h2>Problems, by trust, domain and DC</h2>
${problemsBody}
</section>
<section id="topology" class="topology">
<h2>Trust topology</h2>
${topology}
${legend()}
</section>
<section id="healthy">
<details>
<summary><h2>Healthy: ${healthyGroups.length} groups</h2></summary>
${healthyGroups.length === 0 ? '<p>None.</p>' : healthyGroups.map((group) => renderGroup(group, listHealthy)).join('\n')}
</details>
</section>`;
  return { version: input.version, head, body, runs: runLines };
}

/** The page at a moment: the rendered content with the time, each run's age and the runs under way put in. */
export function pageAt(content: RenderedContent, moment: StatusPageMoment): string {
  const familyRows = content.runs
    .map(({ family, run }) => {
      const state = moment.running.includes(family) ? 'running now' : '';
      if (run === undefined)
        return `<tr><td>${family}</td><td colspan="3">no completed run yet</td><td>${state}</td></tr>`;
      return `<tr><td>${family}</td><td>${escapeHtml(run.startedAt.toISOString())} (${age(run.startedAt, moment.now)})</td><td>${run.durationSeconds.toFixed(2)} s</td>${statusCell(run.worst)}<td>${run.findings} findings ${state}</td></tr>`;
    })
    .join('\n');
  return `${content.head}
<p>Version ${escapeHtml(content.version)}; page made ${escapeHtml(moment.now.toISOString())}. Machine-readable: <a href="/metrics">/metrics</a> · <a href="/-/healthy">/-/healthy</a> · <a href="/-/ready">/-/ready</a>. Grafana dashboards: ${DASHBOARDS.map(escapeHtml).join(', ')}. Jump to: <a href="#topology">topology</a> · <a href="#healthy">healthy</a> · <a href="#runs">runs</a>.</p>
${content.body}
<section id="runs">
<h2>Runs</h2>
<table>
<thead><tr><th>Family</th><th>Last completed run</th><th>Duration</th><th>Worst</th><th>Findings</th></tr></thead>
<tbody>
${familyRows}
</tbody>
</table>
</section>
</main>
</body>
</html>
`;
}

export function renderStatusPage(input: StatusPageInput): string {
  return pageAt(renderContent(input), input);
}

/**
 * The page at /. Its content is rendered on the first request after a change (a completed
 * run, a reload) and kept until the next change: a person reloading the page, or several
 * looking at it, cost one render per change, and a change that nobody looks at costs none.
 * Each request puts in its moment, and compresses the page when asked to: the moment is in
 * the page, so no compressed form outlives its request (at 500 DCs gzip takes under a
 * millisecond, against tens for the render).
 */
export class StatusPage {
  readonly #content: () => StatusPageContent;
  #rendered: RenderedContent | undefined;
  #renders = 0;

  constructor(content: () => StatusPageContent) {
    this.#content = content;
  }

  /** How many times the content was rendered since the start. */
  get renders(): number {
    return this.#renders;
  }

  /** The runs or the config changed: the next request renders the content again. */
  changed(): void {
    this.#rendered = undefined;
  }

  at(moment: StatusPageMoment): CompressibleBody {
    if (this.#rendered === undefined) {
      this.#rendered = renderContent(this.#content());
      this.#renders++;
    }
    return compressibleBody(pageAt(this.#rendered, moment));
  }
}
