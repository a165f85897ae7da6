// `probe run` and `probe agent` as processes against hostile and oversized LDAP servers on
// loopback (issue 15): a flood of tiny LDAP messages right after accept must not kill
// either; a directory of 20,000 trustedDomain objects must not block the agent's event
// loop, so /-/healthy answers during the run and SIGTERM stops it within 5 s.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { parseConfig } from '../../agent/config/config.js';
import { Daemon } from '../../agent/daemon.js';
import { PROBE, runProbe, tempDir } from '../support/cli.js';
import { quietLog } from '../support/context.js';
import { floodServer, startLdapServerProcess } from '../support/ldap-server.js';
import { closedPort } from '../support/tcp.js';
import { makeCertificate, type TestCertificate } from '../support/servers.js';

const BASE_DN = 'DC=tailspin,DC=test';
const PASSWORD = 'hostile-ldap-test-password';
/** The smallest LDAP message ldapts parses and recurses on: SearchResultEntry, messageID 77, empty. */
const FLOOD = Buffer.concat(
  Array.from({ length: 20_000 }, () => Buffer.from([0x30, 0x05, 0x02, 0x01, 0x4d, 0x64, 0x00])),
);
const TRUSTS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let certificate: TestCertificate;
let dir: string;

function ldapConfig(
  url: string,
  options: { startTls: boolean; listen?: number; schedule?: string; limits?: string },
): string {
  return [
    ...(options.listen === undefined ? [] : [`listen: 127.0.0.1:${options.listen}`]),
    'timeout: 10s',
    ...(options.schedule === undefined ? [] : ['schedule:', `  ldap: "${options.schedule}"`]),
    ...(options.limits === undefined ? [] : ['limits:', options.limits]),
    'domains:',
    '  tailspin.test:',
    '    ldap:',
    `      url: ${url}`,
    '      bind_dn: probe@tailspin.test',
    '      password_file: tailspin.pw',
    `      ca_file: ${certificate.caFile}`,
    '      server_name: dca.tailspin.test',
    `      starttls: ${String(options.startTls)}`,
    '      allow_plain_bind: true',
    '',
  ].join('\n');
}

/** Time of one GET /-/healthy, or Infinity when it did not answer within its own timeout. */
async function healthyMs(base: string, timeoutMs = 1000): Promise<number> {
  const started = performance.now();
  try {
    const response = await fetch(`${base}/-/healthy`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.text();
    return response.status === 200 ? performance.now() - started : Number.POSITIVE_INFINITY;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function startAgent(configFile: string): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [PROBE, 'agent', '-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  return { child, output: () => output, exited };
}

async function waitHealthy(base: string): Promise<void> {
  const until = Date.now() + 10_000;
  while ((await healthyMs(base)) === Number.POSITIVE_INFINITY) {
    if (Date.now() > until) throw new Error('the agent never answered /-/healthy');
    await sleep(100);
  }
}

before(() => {
  certificate = makeCertificate('dca.tailspin.test', 30);
  dir = tempDir({ 'tailspin.pw': `${PASSWORD}\n` });
});
after(() => {
  certificate.cleanup();
});

describe('an LDAP server that floods 20,000 tiny messages right after accept', () => {
  for (const [label, startTls] of [
    ['ldap://', false],
    ['ldap:// with StartTLS', true],
  ] as const) {
    it(`${label}: probe run reports a protocol violation and exits 2`, async () => {
      const flood = await floodServer(FLOOD);
      try {
        const file = join(dir, `flood-run-${String(startTls)}.yaml`);
        writeFileSync(file, ldapConfig(`ldap://127.0.0.1:${flood.port}`, { startTls }));
        const result = await runProbe(['run', '-c', file, '--only', 'ldap', '--output', 'json']);
        assert.equal(result.code, 2, result.stderr);
        assert.doesNotMatch(result.stderr, /RangeError|Maximum call stack/);
        const report = JSON.parse(result.stdout) as { findings: { check: string; status: string; message: string }[] };
        const bind = report.findings.find((finding) => finding.check === 'ldap.bind');
        assert.equal(bind?.status, 'critical');
        assert.match(
          bind.message,
          /: protocol violation \(the server sent 65 unsolicited LDAP messages \(answers to no request\); the connection was dropped\)$/,
        );
        assert.ok(!result.stdout.includes(PASSWORD) && !result.stderr.includes(PASSWORD));
      } finally {
        await flood.close();
      }
    });
  }

  it('probe agent stays up through a flood on every run, over ldap:// and StartTLS', async () => {
    const plain = await floodServer(FLOOD);
    const upgrade = await floodServer(FLOOD);
    const listen = await closedPort();
    const file = join(dir, 'flood-agent.yaml');
    // Two domains: one floods a plain connection, the other the StartTLS request.
    const config = ldapConfig(`ldap://127.0.0.1:${plain.port}`, {
      startTls: false,
      listen,
      schedule: '* * * * * *',
    }).concat(
      [
        '  wingtip.test:',
        '    ldap:',
        `      url: ldap://127.0.0.1:${upgrade.port}`,
        '      bind_dn: probe@wingtip.test',
        '      password_file: tailspin.pw',
        `      ca_file: ${certificate.caFile}`,
        '      server_name: dca.tailspin.test',
        '',
      ].join('\n'),
    );
    writeFileSync(file, config);
    const agent = startAgent(file);
    const base = `http://127.0.0.1:${listen}`;
    try {
      await waitHealthy(base);
      // Runs every second: wait for several rounds of floods on both servers.
      const until = Date.now() + 15_000;
      while ((plain.connections < 3 || upgrade.connections < 3) && Date.now() < until) await sleep(200);
      assert.ok(
        plain.connections >= 3 && upgrade.connections >= 3,
        `connections: ${plain.connections}, ${upgrade.connections}\n${agent.output()}`,
      );
      assert.notEqual(await healthyMs(base), Number.POSITIVE_INFINITY, agent.output());
      assert.equal(agent.child.exitCode, null, agent.output());
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(
        metrics,
        /adtrust_ldap_bind_success\{domain="tailspin.test",server="127.0.0.1:\d+",vantage="[^"]+"\} 0/,
      );
      assert.match(
        metrics,
        /adtrust_ldap_bind_success\{domain="wingtip.test",server="127.0.0.1:\d+",vantage="[^"]+"\} 0/,
      );
      assert.doesNotMatch(agent.output(), /RangeError|Maximum call stack/);
    } finally {
      agent.child.kill('SIGTERM');
      await agent.exited;
      await plain.close();
      await upgrade.close();
    }
  });
});

describe(`a directory of ${TRUSTS} trustedDomain objects`, () => {
  // The server runs in a process of its own: encoding and paging 20,000 entries here would
  // count against the event loop delay measured for the agent.
  let ldap: Awaited<ReturnType<typeof startLdapServerProcess>>;
  before(async () => {
    ldap = await startLdapServerProcess(BASE_DN, TRUSTS);
  });
  after(async () => {
    await ldap.close();
  });
  const limits = '  trusted_domain_objects: 20000';

  // The loop delay is printed, not asserted: on a loaded 2-core machine the process itself can
  // wait 100 ms and more for a core, which the delay counts too (npm run bench:loop measures
  // it on a quiet machine). What is asserted is what the delay would break: /-/healthy answers.
  it('the agent in this process: the event loop keeps turning through the read and the analysis', async () => {
    const file = join(dir, 'big-inprocess.yaml');
    writeFileSync(
      file,
      ldapConfig(ldap.url, { startTls: false, listen: await closedPort(), schedule: '0 0 1 1 *', limits }),
    );
    const config = parseConfig(readFileSync(file, 'utf8'), file);
    const daemon = new Daemon({ log: quietLog, config, loadConfig: () => config, families: ['ldap'] });
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    await daemon.start();
    const address = daemon.address;
    assert.ok(address !== undefined);
    const base = `http://127.0.0.1:${address.port}`;
    let slowest = 0;
    try {
      while (!daemon.ready) {
        slowest = Math.max(slowest, await healthyMs(base));
        await sleep(25);
      }
    } finally {
      delay.disable();
      await daemon.stop();
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `# ${TRUSTS} trustedDomain objects read and analysed in ${seconds.toFixed(2)} s; event loop delay max ${(delay.max / 1e6).toFixed(0)} ms, p99 ${(delay.percentile(99) / 1e6).toFixed(0)} ms; slowest /-/healthy ${slowest.toFixed(0)} ms`,
    );
    assert.notEqual(
      slowest,
      Number.POSITIVE_INFINITY,
      `/-/healthy did not answer within 1 s during the run (event loop delay max ${(delay.max / 1e6).toFixed(0)} ms)`,
    );
    assert.ok(ldap.searches.some((base) => base.startsWith('CN=System')));
  });

  it('probe agent: /-/healthy answers during the analysis, and SIGTERM in the middle of it stops the agent within 5 s', async () => {
    const listen = await closedPort();
    const file = join(dir, 'big-agent.yaml');
    writeFileSync(file, ldapConfig(ldap.url, { startTls: false, listen, schedule: '0 0 1 1 *', limits }));
    const trustsServed = ldap.served();
    const agent = startAgent(file);
    const base = `http://127.0.0.1:${listen}`;
    try {
      await waitHealthy(base);
      await trustsServed;
      // The entries are on their way: ldapts parses them, then the analysis starts.
      let slowest = 0;
      for (let index = 0; index < 10; index++) {
        slowest = Math.max(slowest, await healthyMs(base));
        await sleep(50);
      }
      console.log(`# slowest /-/healthy while the agent read and analysed ${TRUSTS} objects: ${slowest.toFixed(0)} ms`);
      assert.notEqual(slowest, Number.POSITIVE_INFINITY, `/-/healthy did not answer within 1 s\n${agent.output()}`);
      assert.equal(agent.child.exitCode, null);
      const midRun = !agent.output().includes('ldap run finished');
      const stopping = performance.now();
      agent.child.kill('SIGTERM');
      const code = await agent.exited;
      const seconds = (performance.now() - stopping) / 1000;
      console.log(
        `# SIGTERM ${midRun ? 'during the ldap run' : 'after the ldap run'}; to exit: ${seconds.toFixed(2)} s`,
      );
      assert.equal(code, 0, agent.output());
      assert.ok(seconds < 5, `stopped after ${seconds.toFixed(2)} s`);
    } finally {
      if (agent.child.exitCode === null) agent.child.kill('SIGKILL');
    }
  });
});
