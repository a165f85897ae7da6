// Issue 14's figures at 500 DCs: series on /metrics, body plain and gzip, /metrics latency
// while the probes run, log lines per run, `probe run --only ports` against a bare connect
// loop, and the agent's RSS after its first run and its slope over many runs.
// Run: npm run bench:scale [-- --dcs 500 --runs 1000]. Prints figures; asserts nothing.
// The DCs are loopback listeners on the nine trust TCP ports (127.1.x.y): root, or
// CAP_NET_BIND_SERVICE, is needed to bind ports below 1024.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import { DEFAULT_CONCURRENCY } from '../agent/config/config.js';
import { TRUST_TCP_PORTS } from '../probes/discovery/dcs.js';
import { DEPLOYED_NODE_FLAGS, sleep, startAgent } from '../test/support/agent.js';
import { PROBE, tempDir } from '../test/support/cli.js';
import { canBindLowPorts, dcAddress } from '../test/support/loopback-estate.js';
import { parseMetrics } from '../test/support/metrics.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at === -1 ? undefined : Number(process.argv[at + 1]);
  return value !== undefined && Number.isInteger(value) && value > 0 ? value : fallback;
}

const DCS = option('dcs', 500);
const RUNS = option('runs', 1000);
/** The DCs where the Global Catalog port answers; it is closed on the others. */
const WITH_GC = Math.max(1, Math.round(DCS / 25));
const MiB = 2 ** 20;

if (!(await canBindLowPorts())) {
  console.log('bench:scale needs to bind the trust ports (53, 88, ...) on 127.1.x.y: run it as root');
  process.exit(0);
}

const estateProcess = spawn(process.execPath, [join(import.meta.dirname, 'estate.js'), String(DCS), String(WITH_GC)], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise<void>((resolve) => {
  estateProcess.stdout.on('data', (chunk: Buffer) => {
    if (chunk.toString().includes('ready')) resolve();
  });
});
const estate = { dcs: Array.from({ length: DCS }, (_, index) => dcAddress(index)) };
const config = (listen: number): string => `listen: 127.0.0.1:${listen}
timeout: 2s
schedule:
  ports: "* * * * * *"
domains:
  wingtip.test:
    dcs: [${estate.dcs.join(', ')}]
  tailspin.test:
    dcs: [127.0.0.1:9]
trusts:
  - between: [tailspin.test, wingtip.test]
    type: forest
`;

interface Scrape {
  ms: number;
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function scrape(port: number, gzip = false): Promise<Scrape> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/metrics', headers: gzip ? { 'accept-encoding': 'gzip' } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({
            ms: performance.now() - started,
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          });
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('scrape timed out')));
    req.end();
  });
}

function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}

/** Least-squares slope of y over x. */
function slope(points: { x: number; y: number }[]): number {
  const n = points.length;
  const mx = points.reduce((sum, p) => sum + p.x, 0) / n;
  const my = points.reduce((sum, p) => sum + p.y, 0) / n;
  const sxy = points.reduce((sum, p) => sum + (p.x - mx) * (p.y - my), 0);
  const sxx = points.reduce((sum, p) => sum + (p.x - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}

function timed(args: string[]): Promise<{ seconds: number; stdout: string; stderr: string; code: number | null }> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      resolve({ seconds: (performance.now() - started) / 1000, stdout, stderr, code });
    });
  });
}

console.log(
  `bench:scale: ${DCS} DCs x ${TRUST_TCP_PORTS.length} TCP ports on loopback, ${RUNS} ports runs; ` +
    `the agent started as deployed: node ${DEPLOYED_NODE_FLAGS.join(' ')}`,
);

// ---- the daemon: /metrics while the ports family runs every second ----
const agent = await startAgent(config);
const latencies: number[] = [];
const rss: { x: number; y: number }[] = [];
let runs = 0;
let firstRunRss = 0;
let portsLinesAtFirstRun = 0;
const linesOf = (): number => agent.log().split('\n').filter(Boolean).length;
let linesAtFirstRun = 0;
const started = performance.now();
while (runs < RUNS) {
  const result = await scrape(agent.port);
  latencies.push(result.ms);
  const samples = parseMetrics(result.body.toString());
  runs = samples.find((s) => s.name === 'adtrust_probe_runs_total' && s.labels['family'] === 'ports')?.value ?? runs;
  if (runs >= 1) {
    const now = rssOf(agent.pid);
    if (firstRunRss === 0) {
      firstRunRss = now;
      linesAtFirstRun = linesOf();
      portsLinesAtFirstRun = runs;
    }
    rss.push({ x: runs, y: now });
  }
  await sleep(200);
}
const elapsed = (performance.now() - started) / 1000;
const plain = await scrape(agent.port);
const zipped = await scrape(agent.port, true);
const series = parseMetrics(plain.body.toString());
const byName = new Map<string, number>();
for (const sample of series) byName.set(sample.name, (byName.get(sample.name) ?? 0) + 1);
const lines = linesOf() - linesAtFirstRun;
const logged = agent
  .log()
  .split('\n')
  .filter(Boolean)
  .slice(linesAtFirstRun)
  .map((line) => {
    const message = (JSON.parse(line) as { message?: string }).message ?? '';
    return / run finished$/.test(message)
      ? 'run summaries'
      : /^skipped a /.test(message)
        ? 'skipped runs'
        : / -> |^gone while /.test(message)
          ? 'status changes'
          : 'other';
  });
const kinds = new Map<string, number>();
for (const kind of logged) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
const sorted = [...latencies].sort((a, b) => a - b);
const settled = rss.filter((point) => point.x >= Math.max(2, RUNS / 10));
await agent.stop();

console.log(`series on /metrics: ${series.length} (${(series.length / DCS).toFixed(1)} per DC)`);
for (const [name, count] of [...byName].sort((a, b) => b[1] - a[1]).slice(0, 6)) console.log(`  ${name} ${count}`);
console.log(
  `/metrics body: ${(plain.body.length / 1024).toFixed(0)} KiB plain, ${(zipped.body.length / 1024).toFixed(0)} KiB gzip ` +
    `(content-encoding ${String(zipped.headers['content-encoding'])}, vary ${String(zipped.headers['vary'])}, ` +
    `gunzips to the same text: ${gunzipSync(zipped.body).equals(plain.body)})`,
);
console.log(
  `/metrics latency over ${latencies.length} scrapes every 0.2 s while the ports family ran every second: ` +
    `p50 ${quantile(sorted, 0.5).toFixed(1)} ms, p99 ${quantile(sorted, 0.99).toFixed(1)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms`,
);
console.log(
  `log lines: ${lines} over ${runs - portsLinesAtFirstRun} runs after the first (${((runs - portsLinesAtFirstRun) / elapsed).toFixed(2)} runs/s): ` +
    `${(lines / Math.max(1, runs - portsLinesAtFirstRun)).toFixed(2)} per run (${[...kinds].map(([kind, count]) => `${count} ${kind}`).join(', ')}; every family's runs count)`,
);
console.log(
  `agent RSS: ${(firstRunRss / MiB).toFixed(0)} MiB after the first run, ${((rss.at(-1)?.y ?? 0) / MiB).toFixed(0)} MiB after run ${runs}; ` +
    `slope from run ${settled[0]?.x ?? '-'}: ${((slope(settled) * 1000) / MiB).toFixed(2)} MiB per 1,000 runs`,
);

// ---- `probe run --only ports` against a bare connect loop, seven of each, in turn ----
// probe run reads listen: but does not use it.
const dir = tempDir({ 'probe.yaml': config(9788) });
const targets = estate.dcs.flatMap((dc) => TRUST_TCP_PORTS.map((port) => `${dc}:${port}`));
const probeTimes: number[] = [];
const rawTimes: number[] = [];
let report = '';
// On a shared 2-core machine one pair can differ by a third: the medians of seven.
const ROUNDS = 7;
for (let round = 0; round < ROUNDS; round++) {
  const run = await timed([PROBE, 'run', '--only', 'ports', '--config', join(dir, 'probe.yaml')]);
  probeTimes.push(run.seconds);
  report = run.stdout === '' ? `(exit ${String(run.code)}) ${run.stderr}` : run.stdout;
  rawTimes.push(
    (await timed([join(import.meta.dirname, 'raw-connect.js'), String(DEFAULT_CONCURRENCY), ...targets])).seconds,
  );
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
console.log(
  `probe run --only ports (${targets.length} probes), wall clock with Node's start: ${probeTimes.map((s) => s.toFixed(2)).join(', ')} s; ` +
    `bare connect loop: ${rawTimes.map((s) => s.toFixed(2)).join(', ')} s; median ratio ${(median(probeTimes) / median(rawTimes)).toFixed(2)}x`,
);
console.log(`probe run --only ports report: ${report.split('\n').length} lines, the first 20:`);
console.log(report.split('\n').slice(0, 20).join('\n'));
estateProcess.kill('SIGTERM');
