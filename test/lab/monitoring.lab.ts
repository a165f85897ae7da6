// The monitoring stack end to end in the lab: `probe agent` in the client namespace, a
// real Prometheus (Debian's /usr/bin/prometheus) scraping it on loopback with the alert
// rules of deploy/prometheus/adtrust-alerts.yml, then every query of every dashboard under
// dashboards/ (variables filled in as Grafana does) must return data, and a rejected
// Kerberos port on dcb must fire AdtrustTrustPortUnreachable and resolve once unblocked.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closedPort } from '../support/tcp.js';
import {
  grafanaRegexEscape,
  interpolate,
  loadDashboards,
  parseLabelValues,
  queriesOf,
  variableQuery,
  variablesOf,
  type Dashboard,
} from './dashboards.js';
import { lab, LAB_CONFIG, PROBE, ROOT } from './support.js';

const PROMETHEUS = '/usr/bin/prometheus';
const ALERT_RULES = join(ROOT, 'deploy', 'prometheus', 'adtrust-alerts.yml');

/** What Grafana puts for its own interval variables (Grafana's $__rate_interval is at least 4 x its default 15 s scrape interval). */
const GRAFANA_BUILTINS: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '15s',
  __range: '1h',
  __range_s: '3600',
  __interval_ms: '15000',
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Started {
  name: string;
  child: ChildProcess;
  pid: number;
  log: string;
}

let dir = '';
const started: Started[] = [];
let prometheusBase = '';
let agentPort = 0;

function start(name: string, command: string, args: string[]): Started {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${name} did not start: ${command}`);
  const proc: Started = { name, child, pid: child.pid, log: '' };
  child.stdout.on('data', (chunk: Buffer) => (proc.log = (proc.log + chunk.toString()).slice(-20_000)));
  child.stderr.on('data', (chunk: Buffer) => (proc.log = (proc.log + chunk.toString()).slice(-20_000)));
  started.push(proc);
  return proc;
}

/** SIGTERM to the PID this test started (SIGKILL after 10 s), and waits for it to exit. */
async function stop(proc: Started): Promise<void> {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.child.once('exit', resolve));
  process.kill(proc.pid, 'SIGTERM');
  if ((await Promise.race([exited, sleep(10_000).then(() => 'timeout')])) === 'timeout') {
    process.kill(proc.pid, 'SIGKILL');
    await exited;
  }
}

function logs(): string {
  return started
    .map(
      (p) =>
        `--- ${p.name} (pid ${String(p.pid)}${p.child.exitCode === null ? '' : `, exited ${String(p.child.exitCode)}`}):\n${p.log.slice(-3000)}`,
    )
    .join('\n');
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, seconds: number): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  let lastError = '';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = String(error);
    }
    if (Date.now() > deadline)
      throw new Error(
        `not seen within ${String(seconds)} s: ${what}${lastError === '' ? '' : `\nlast error: ${lastError}`}\n${logs()}`,
      );
    await sleep(500);
  }
}

// ---------------------------------------------------------------------------------------
// Prometheus' HTTP API

interface ApiResponse<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

async function api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  const response = await fetch(`${prometheusBase}${path}?${new URLSearchParams(params).toString()}`);
  const body = (await response.json()) as ApiResponse<T>;
  if (body.status !== 'success' || body.data === undefined)
    throw new Error(`${path} ${JSON.stringify(params)}: ${body.errorType ?? ''} ${body.error ?? response.statusText}`);
  return body.data;
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

interface QueryResult {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

function isEmpty(result: QueryResult): boolean {
  return (
    (result.resultType === 'vector' || result.resultType === 'matrix') && (result.result as unknown[]).length === 0
  );
}

async function instantQuery(expr: string): Promise<QueryResult> {
  return api<QueryResult>('/api/v1/query', { query: expr });
}

async function vector(expr: string): Promise<Sample[]> {
  const result = await instantQuery(expr);
  if (result.resultType !== 'vector') throw new Error(`${expr}: a ${result.resultType}, not a vector`);
  return result.result as Sample[];
}

async function labelValues(label: string, selector: string | undefined): Promise<string[]> {
  return api<string[]>(
    `/api/v1/label/${encodeURIComponent(label)}/values`,
    selector === undefined ? {} : { 'match[]': selector },
  );
}

interface Alert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

async function alerts(): Promise<Alert[]> {
  return (await api<{ alerts: Alert[] }>('/api/v1/alerts')).alerts;
}

// ---------------------------------------------------------------------------------------
// Dashboards: variables resolved as Grafana does, then every target run as an instant query

type Mode = 'all' | 'first';

/**
 * The value of every variable of the dashboard, in order (later variables' queries use the
 * earlier ones): "All" (its allValue, ".*"), or the first value label_values() returns,
 * escaped as Grafana's Prometheus datasource escapes a value of a multi-value variable.
 */
async function resolveVariables(dashboard: Dashboard, mode: Mode, problems: string[]): Promise<Record<string, string>> {
  const values: Record<string, string> = { ...GRAFANA_BUILTINS };
  for (const variable of variablesOf(dashboard)) {
    if (variable.type === 'datasource') {
      values[variable.name] = 'prometheus'; // only ever in datasource fields, never in an expr
      continue;
    }
    assert.equal(variable.type, 'query', `${dashboard.uid}: variable ${variable.name} of type ${variable.type}`);
    const query = interpolate(variableQuery(variable), values);
    const { selector, label } = parseLabelValues(query);
    const found = (await labelValues(label, selector)).sort();
    const first = found[0];
    if (first === undefined) {
      problems.push(`${dashboard.uid} / variable ${variable.name}: no value\n    ${query}`);
      values[variable.name] = '.*';
    } else if (mode === 'all') {
      values[variable.name] = variable.allValue ?? `(${found.map(grafanaRegexEscape).join('|')})`;
    } else {
      values[variable.name] =
        variable.multi === true || variable.includeAll === true
          ? grafanaRegexEscape(first)
          : first.replace(/\\/g, '\\\\');
    }
  }
  return values;
}

/** Runs every target of every dashboard; returns one line per target that has no data (retried for `seconds`). */
async function emptyQueries(mode: Mode, seconds: number): Promise<{ problems: string[]; count: number }> {
  const problems: string[] = [];
  let pending: { where: string; expr: string; reason: string }[] = [];
  for (const { dashboard } of loadDashboards()) {
    const values = await resolveVariables(dashboard, mode, problems);
    const shown = Object.entries(values)
      .filter(([name]) => !name.startsWith('__') && name !== 'datasource')
      .map(([name, value]) => `${name}=${value}`)
      .join(' ');
    for (const query of queriesOf(dashboard))
      pending.push({
        where: `${dashboard.uid} / "${query.panel}" / ${query.refId} [${shown}]`,
        expr: interpolate(query.expr, values),
        reason: 'not run',
      });
  }
  const count = pending.length;
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const still: typeof pending = [];
    for (const query of pending) {
      try {
        if (isEmpty(await instantQuery(query.expr))) still.push({ ...query, reason: 'no data' });
      } catch (error) {
        still.push({ ...query, reason: String(error) });
      }
    }
    pending = still;
    if (pending.length === 0 || Date.now() > deadline) break;
    await sleep(1000);
  }
  return { problems: [...problems, ...pending.map((q) => `${q.where}: ${q.reason}\n    ${q.expr}`)], count };
}

// ---------------------------------------------------------------------------------------

before(async () => {
  assert.ok(existsSync(PROMETHEUS), `${PROMETHEUS} is missing: apt-get install prometheus`);
  assert.ok(existsSync(ALERT_RULES), `${ALERT_RULES} is missing`);
  await lab('reset');
  dir = mkdtempSync(join(tmpdir(), 'adtrust-monitoring-'));
  agentPort = await closedPort();
  let prometheusPort = await closedPort();
  while (prometheusPort === agentPort) prometheusPort = await closedPort();

  // The agent: the lab config, on loopback, every 2 s for dns, ports and protocols, 5 s for
  // ldap, 10 s for auth (so that a first run cut short by the 1 s timeout is soon run again).
  const agentConfig = readFileSync(LAB_CONFIG, 'utf8')
    .replace(/^listen: .*$/m, `listen: 127.0.0.1:${String(agentPort)}`)
    .replace(
      /^timeout: .*$/m,
      'timeout: 1s\nschedule:\n  dns: "*/2 * * * * *"\n  ports: "*/2 * * * * *"\n  protocols: "*/2 * * * * *"\n  ldap: "*/5 * * * * *"\n  auth: "*/10 * * * * *"',
    );
  writeFileSync(join(dir, 'probe.yaml'), agentConfig);
  start('agent', process.execPath, [PROBE, 'agent', '--config', join(dir, 'probe.yaml')]);

  // The alert rules with every `for:` set to 0s: this test proves the rules' logic and
  // their wiring to the agent's metrics, not their durations (the promtool unit tests of
  // the rules cover those); with the real `for`s an alert would take minutes to fire.
  const rules = readFileSync(ALERT_RULES, 'utf8');
  const immediate = rules.replace(/^(\s*)for:\s*\S+/gm, '$1for: 0s');
  assert.ok(/^\s*for: 0s/m.test(immediate), 'no `for:` found in the alert rules');
  writeFileSync(join(dir, 'adtrust-alerts.yml'), immediate);
  // Scrapes only the agent, on loopback; no Alertmanager, no other target.
  writeFileSync(
    join(dir, 'prometheus.yml'),
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${JSON.stringify(join(dir, 'adtrust-alerts.yml'))}`,
      'scrape_configs:',
      '  - job_name: adtrust',
      '    static_configs:',
      `      - targets: ["127.0.0.1:${String(agentPort)}"]`,
      '',
    ].join('\n'),
  );
  mkdirSync(join(dir, 'tsdb'));
  start('prometheus', PROMETHEUS, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'tsdb')}`,
    `--web.listen-address=127.0.0.1:${String(prometheusPort)}`,
    '--storage.tsdb.retention.time=1h',
    '--log.level=warn',
  ]);
  prometheusBase = `http://127.0.0.1:${String(prometheusPort)}`;

  await until('Prometheus ready', async () => ((await fetch(`${prometheusBase}/-/ready`)).ok ? true : undefined), 30);
  // A complete agent run scraped: every family has run (ldap last, every 5 s).
  await until(
    'adtrust_probe_runs_total{family="ldap"} > 0 in Prometheus',
    async () =>
      (await vector('adtrust_probe_runs_total{job="adtrust", family="ldap"} > 0')).length > 0 ? true : undefined,
    60,
  );
  // ... and healthy: no finding but ok, except the lab's roastable admin (a known critical). A
  // first run can have timeouts (every family starts at once, with a 1 s timeout); the queries
  // below must see the lab as it is, not the start.
  await until(
    'every finding ok in Prometheus but preauth.privileged, every family run',
    async () =>
      (await vector('count(count by (family) (adtrust_probe_runs_total{job="adtrust"} > 0))'))[0]?.value[1] === '5' &&
      (await vector('adtrust_check_findings{job="adtrust", status!="ok", check!="preauth.privileged"} > 0')).length ===
        0
        ? true
        : undefined,
    90,
  );
});

after(async () => {
  for (const proc of [...started].reverse()) await stop(proc);
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  await lab('reset');
});

describe('Prometheus scraping probe agent in the lab, with the dashboards and the alert rules', () => {
  it('scrapes the agent and has loaded the alert rules', async () => {
    const up = await vector(`up{job="adtrust", instance="127.0.0.1:${String(agentPort)}"}`);
    assert.equal(up[0]?.value[1], '1', `the agent is not up in Prometheus\n${logs()}`);
    const groups = (await api<{ groups: { rules: { name: string; type: string }[] }[] }>('/api/v1/rules')).groups;
    const names = groups.flatMap((group) =>
      group.rules.filter((rule) => rule.type === 'alerting').map((rule) => rule.name),
    );
    assert.ok(names.includes('AdtrustTrustPortUnreachable'), `alerting rules loaded: ${names.join(', ')}`);
  });

  it('every query of every dashboard returns data, every variable at "All"', async () => {
    const { problems, count } = await emptyQueries('all', 20);
    assert.ok(count >= 40, `only ${String(count)} queries found`);
    assert.ok(
      problems.length === 0,
      `${String(problems.length)} of ${String(count)} dashboard queries have no data:\n${problems.join('\n')}`,
    );
  });

  it('every query of every dashboard returns data, every variable at its first value', async () => {
    const { problems, count } = await emptyQueries('first', 20);
    assert.ok(
      problems.length === 0,
      `${String(problems.length)} of ${String(count)} dashboard queries have no data:\n${problems.join('\n')}`,
    );
  });

  it('TCP 88 rejected on dcb: AdtrustTrustPortUnreachable fires for dcb.wingtip.test:88 and the ports grid shows it; it resolves once unblocked', async () => {
    const matching = (alert: Alert) =>
      alert.labels['alertname'] === 'AdtrustTrustPortUnreachable' &&
      alert.labels['target'] === 'dcb.wingtip.test' &&
      alert.labels['port'] === '88';
    assert.deepEqual((await alerts()).filter(matching), [], 'AdtrustTrustPortUnreachable is active before the fault');
    const grid = loadDashboards()
      .flatMap(({ dashboard }) => queriesOf(dashboard))
      .find((query) => query.dashboard === 'adtrust-ports' && query.panel === 'Partner DC × port');
    assert.ok(grid, 'the panel "Partner DC × port" of adtrust-ports is gone: adapt this test');
    const gridExpr = interpolate(grid.expr, {
      ...GRAFANA_BUILTINS,
      instance: '.*',
      partner_domain: '.*',
      target: '.*',
      transport: '.*',
    });

    await lab('block', 'dcb', '88/tcp', 'reject');
    try {
      const alert = await until(
        'AdtrustTrustPortUnreachable firing for dcb.wingtip.test:88',
        async () => (await alerts()).find((a) => matching(a) && a.state === 'firing'),
        60,
      );
      assert.equal(alert.labels['transport'], 'tcp');
      assert.equal(alert.labels['partner_domain'], 'wingtip.test');
      assert.equal(alert.labels['severity'], 'critical');
      const cell = (await vector(gridExpr)).find(
        (s) => s.metric['target'] === 'dcb.wingtip.test' && s.metric['port_transport'] === '88/tcp',
      );
      assert.equal(cell?.value[1], '0', 'the ports grid does not show dcb 88/tcp down');
    } finally {
      await lab('unblock', 'dcb', '88/tcp');
    }
    await until(
      'AdtrustTrustPortUnreachable for dcb.wingtip.test:88 no longer firing',
      async () => ((await alerts()).some((a) => matching(a) && a.state === 'firing') ? undefined : true),
      60,
    );
  });
});
