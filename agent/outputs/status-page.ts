// The agent's page at /: the last run's findings as a table, each family's last run,
// and where to look next. Plain HTML and CSS, no JavaScript, everything escaped:
// findings carry text from the network (host names, DNS answers, LDAP values).

import { renderTarget, type Finding, type Status } from '../../probes/model/finding.js';
import type { Family } from '../../probes/model/probe.js';
import { worstStatus, type FamilyRun } from '../run/runner.js';
import { byImportance, distinctFindings } from './report.js';

/** The titles of dashboards/*.json, so a person finds them in Grafana; test/dashboards/dashboards.test.ts keeps the two equal. */
export const DASHBOARDS = [
  'AD trusts / Overview',
  'AD trusts / DNS',
  'AD trusts / Ports and protocols',
  'AD trusts / Trust objects',
  'AD trusts / Accounts without Kerberos pre-authentication',
];

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

export interface StatusPageInput {
  version: string;
  now: Date;
  families: Family[];
  runs: FamilyRun[];
  /** Families with a run under way. */
  running: Family[];
}

function age(from: Date, now: Date): string {
  const seconds = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  if (seconds < 120) return `${seconds} s ago`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}

function statusCell(status: Status): string {
  return `<td class="status ${status}">${status.toUpperCase()}</td>`;
}

export function renderStatusPage(input: StatusPageInput): string {
  const findings = distinctFindings(input.runs);
  const overall = worstStatus(findings.map((finding) => finding.status));
  const counts = (['critical', 'warning', 'unknown', 'ok'] as const)
    .map((status) => `${findings.filter((finding) => finding.status === status).length} ${status}`)
    .join(', ');
  const sorted = [...findings].sort(byImportance);
  const runs = new Map(input.runs.map((run) => [run.family, run]));

  const familyRows = input.families
    .map((family) => {
      const run = runs.get(family);
      const state = input.running.includes(family) ? 'running now' : '';
      if (run === undefined)
        return `<tr><td>${family}</td><td colspan="3">no completed run yet</td><td>${state}</td></tr>`;
      const worst = worstStatus(run.findings.map((finding) => finding.status));
      return `<tr><td>${family}</td><td>${escapeHtml(run.startedAt.toISOString())} (${age(run.startedAt, input.now)})</td><td>${run.durationSeconds.toFixed(2)} s</td>${statusCell(worst)}<td>${run.findings.length} findings ${state}</td></tr>`;
    })
    .join('\n');

  const findingRows = sorted
    .map(
      (finding: Finding) =>
        `<tr>${statusCell(finding.status)}<td><code>${escapeHtml(finding.check)}</code></td><td>${escapeHtml(finding.domain)}</td><td>${escapeHtml(renderTarget(finding.check, finding.target))}</td><td>${escapeHtml(finding.message)}</td><td>${escapeHtml(finding.remediation)}</td></tr>`,
    )
    .join('\n');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>adtrust-agent: ${overall.toUpperCase()}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #1b1b1b; }
h1 { font-size: 1.4rem; margin-bottom: 0.2rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.status { font-weight: bold; white-space: nowrap; }
.critical { background: #f8d7da; color: #721c24; }
.warning { background: #fff3cd; color: #7a5a00; }
.unknown { background: #e2d9f3; color: #40206a; }
.ok { background: #d4edda; color: #155724; }
p.summary { font-size: 1.1rem; }
</style>
</head>
<body>
<h1>adtrust-agent</h1>
<p class="summary">Overall: <span class="${overall}"><strong>${overall.toUpperCase()}</strong></span> (${counts}). Version ${escapeHtml(input.version)}; page made ${escapeHtml(input.now.toISOString())}.</p>
<p>Machine-readable: <a href="/metrics">/metrics</a> · <a href="/-/healthy">/-/healthy</a> · <a href="/-/ready">/-/ready</a>. Grafana dashboards: ${DASHBOARDS.map(escapeHtml).join(', ')}.</p>
<h2>Runs</h2>
<table>
<thead><tr><th>Family</th><th>Last completed run</th><th>Duration</th><th>Worst</th><th>Findings</th></tr></thead>
<tbody>
${familyRows}
</tbody>
</table>
<h2>Findings of the last runs</h2>
<table>
<thead><tr><th>Status</th><th>Check</th><th>Domain</th><th>Target</th><th>Message</th><th>Remediation</th></tr></thead>
<tbody>
${findingRows === '' ? '<tr><td colspan="6">No findings yet: the first runs have not completed.</td></tr>' : findingRows}
</tbody>
</table>
</body>
</html>
`;
}
