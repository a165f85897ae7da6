// @ts-nocheck
// How long one ports run takes when every trust port of 50 DCs is filtered, at the
// default concurrency and at a low one: the default must finish in about one timeout.
// Run: npm run bench. Prints figures; asserts nothing.

import { DEFAULT_CONCURRENCY, parseConfig } from '../agent/config/config.js';
import { createLogger } from '../agent/log.js';
import { buildPlan } from '../agent/plan/plan.js';
import { Runner } from '../agent/run/runner.js';
// A port that drops every SYN: test infrastructure, nothing in the source makes one.
import { filteredPort, type Listener } from '../test/support/tcp.js';

const DCS = 50;
const PORTS = 9;
const TIMEOUT = '2s';

const holes: Listener[] = [];
for (let index = 0; index < PORTS; index++) holes.push(await filteredPort('0.0.0.0'));
// 127.0.0.0/8 is all loopback: 50 "DCs" at 127.0.1.1-50, each with the 9 black-hole ports.
const dcs = Array.from({ length: DCS }, (_, dc) => holes.map((hole) => `127.0.1.${dc + 1}:${hole.port}`)).flat();

for (const concurrency of [DEFAULT_CONCURRENCY, 64]) {
  const config = parseConfig(
    `timeout: ${TIMEOUT}\nconcurrency: ${concurrency}\ndomains:\n  tailspin.test:\n    dcs: [${dcs.join(', ')}]\n  wingtip.test:\n    dcs: [127.0.0.1:1]\ntrusts:\n  - between: [tailspin.test, wingtip.test]\n    type: forest\n`,
    'bench.yaml',
  );
  const runner = new Runner(createLogger({ level: 'error', json: false }), concurrency);
  const before = process.memoryUsage().rss;
  const run = await runner.runFamily('ports', buildPlan(config), new AbortController().signal);
  const filtered = run.findings.filter((finding) => finding.observed['state'] === 'filtered').length;
  console.log(
    `concurrency ${String(concurrency).padStart(4)}: ${filtered} filtered probes of ${DCS} DCs x ${PORTS} ports, timeout ${TIMEOUT}: ` +
      `${run.durationSeconds.toFixed(2)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB (+${((process.memoryUsage().rss - before) / 2 ** 20).toFixed(0)})`,
  );
}
for (const hole of holes) await hole.close();
