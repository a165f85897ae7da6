// The canary's Kerberos exchange against the Samba lab: one exchange per trust direction, many
// runs, with the median and p99 of each direction's whole exchange (the time a client waits),
// and the first run (string-to-key computed) against the later ones (keys cached once per
// secret). It must run in the lab's client namespace, so it starts itself there when run as
// root with the lab up; elsewhere it says why it cannot and exits 0. Run: npm run bench:auth
// (also part of npm run bench). Prints figures; asserts nothing.

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfigFile } from '../agent/config/config.js';
import { createLogger } from '../agent/log.js';
import { buildPlan } from '../agent/plan/plan.js';
import { Runner } from '../agent/run/runner.js';
import { measurementsOf } from '../probes/model/measurement.js';

const ROOT = join(import.meta.dirname, '..', '..');
const LAB = join(ROOT, 'test', 'lab', 'lab');
const RUNS = Number(process.env['AUTH_BENCH_RUNS'] ?? 30);

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

async function bench(): Promise<void> {
  const config = loadConfigFile(join(ROOT, 'test', 'lab', 'probe-lab.yaml'));
  const plan = buildPlan(config);
  const runner = new Runner(createLogger({ level: 'error', json: true }), config.concurrency);
  const byDirection = new Map<string, number[]>();
  const runSeconds: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const [result] = await runner.runAll(['auth'], plan, new AbortController().signal);
    runSeconds.push((performance.now() - started) / 1000);
    for (const m of measurementsOf(result?.measurements ?? [], 'auth')) {
      if (m.seconds === undefined) continue;
      const key = `${m.protocol} ${m.fromDomain} -> ${m.toDomain}${m.success ? '' : ' (failed)'}`;
      byDirection.set(key, [...(byDirection.get(key) ?? []), m.seconds]);
    }
  }
  const ms = (seconds: number): string => `${(seconds * 1000).toFixed(1)} ms`;
  console.log(`auth: ${RUNS} runs of ${plan.auth.directions.length} directions against the lab`);
  for (const [direction, seconds] of [...byDirection].sort()) {
    const sorted = [...seconds].sort((a, b) => a - b);
    console.log(
      `  ${direction.padEnd(36)} n=${sorted.length}  median ${ms(quantile(sorted, 0.5))}  p99 ${ms(quantile(sorted, 0.99))}`,
    );
  }
  const later = runSeconds.slice(1).sort((a, b) => a - b);
  console.log(
    `  whole run: first ${ms(runSeconds[0] ?? Number.NaN)} (string-to-key computed), later median ${ms(quantile(later, 0.5))}, p99 ${ms(quantile(later, 0.99))} (keys cached)`,
  );
}

if (process.env['ADTRUST_BENCH_IN_LAB'] === '1') {
  await bench();
} else if (process.getuid?.() !== 0 || !existsSync('/run/netns/adtl-client')) {
  console.log('auth: skipped: the lab is not up (as root: test/lab/lab up), and the canary needs its KDCs');
} else {
  const result = spawnSync(
    LAB,
    ['exec', 'adtl-client', 'env', 'ADTRUST_BENCH_IN_LAB=1', process.execPath, import.meta.filename],
    {
      stdio: 'inherit',
    },
  );
  process.exitCode = result.status ?? 1;
}
