// `probe agent` as a real process: HTTP endpoints, metrics from the last run, overlap
// counting, reload by POST and SIGHUP, stop on SIGTERM, no password in its output.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { PROBE, tempDir } from '../support/cli.js';
import { startDnsServer, type DnsTestServer } from '../support/dns-server.js';
import { parseMetrics, promtoolCheckMetrics, promtoolPath, sampleValue } from '../support/metrics.js';
import { closedPort, openPort, type Listener } from '../support/tcp.js';

const PASSWORD = 'agent-test-password-Zq9';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let dns: DnsTestServer;
let open: Listener;
let closed: number;
let dir: string;
let agent: ChildProcess;
let base: string;
let stderr = '';

function config(timeout: string): string {
  return `
listen: 127.0.0.1:${String(listenPort)}
vantage: site-a
log_level: debug
timeout: ${timeout}
schedule:
  dns: "* * * * * *"
  ports: "*/2 * * * * *"
domains:
  tailspin.test:
    dns_servers: [127.0.0.1:${dns.port}]
    dcs: [127.0.0.1:${open.port}]
    ldap:
      url: ldaps://dca.tailspin.test
      bind_dn: probe@tailspin.test
      password_file: tailspin.pw
  wingtip.test:
    dcs: [127.0.0.1:${open.port}, 127.0.0.1:${closed}]
trusts:
  - between: [tailspin.test, wingtip.test]
    type: forest
`;
}

let listenPort = 0;

async function get(path: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const response = await fetch(`${base}${path}`, { method });
  return { status: response.status, body: await response.text() };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n${stderr}`);
    await sleep(100);
  }
}

/** A GET whose headers are exactly these (fetch would add Accept-Encoding and decode the body). */
function rawGet(
  path: string,
  headers: Record<string, string>,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function metrics() {
  return parseMetrics((await get('/metrics')).body);
}

before(async () => {
  // _kerberos never answers, so each DNS run lasts one timeout (1.5s) and the
  // every-second schedule must skip runs rather than stack them.
  dns = await startDnsServer({
    srv: {
      '_ldap._tcp.dc._msdcs.wingtip.test': [{ target: 'dcb.wingtip.test', port: 389 }],
      '_gc._tcp.wingtip.test': [{ target: 'dcb.wingtip.test', port: 3268 }],
      '_kpasswd._tcp.wingtip.test': [{ target: 'dcb.wingtip.test', port: 464 }],
    },
    a: { 'dcb.wingtip.test': ['198.51.100.20'] },
    behaviour: { '_kerberos._tcp.wingtip.test': 'silent' },
  });
  open = await openPort();
  closed = await closedPort();
  listenPort = await closedPort();
  dir = tempDir({ 'tailspin.pw': `${PASSWORD}\n` });
  writeFileSync(join(dir, 'probe.yaml'), config('1500ms'));
  agent = spawn(process.execPath, [PROBE, 'agent', '--config', join(dir, 'probe.yaml'), '--web.enable-lifecycle'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  agent.stdout?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  agent.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  base = `http://127.0.0.1:${String(listenPort)}`;
  await waitFor('/-/healthy', async () => ((await get('/-/healthy')).status === 200 ? true : undefined));
});

after(async () => {
  if (agent.exitCode === null) agent.kill('SIGKILL');
  await dns.close();
  await open.close();
  rmSync(dir, { recursive: true });
});

describe('probe agent', () => {
  it('is not ready before its first complete run, then ready', async () => {
    const early = await get('/-/ready');
    assert.equal(early.status, 503);
    assert.match(early.body, /^Not ready: waiting for the first run of dns/);
    await waitFor('/-/ready', async () => ((await get('/-/ready')).status === 200 ? true : undefined));
  });

  it('serves the last run as metrics named as product.md names them', async () => {
    const samples = await metrics();
    const server = `127.0.0.1:${dns.port}`;
    assert.equal(
      sampleValue(samples, 'adtrust_dns_lookup_success', {
        server,
        partner_domain: 'wingtip.test',
        record: '_ldap._tcp.dc._msdcs.wingtip.test',
        transport: 'udp',
      }),
      1,
    );
    assert.equal(
      sampleValue(samples, 'adtrust_dns_lookup_success', {
        server,
        partner_domain: 'wingtip.test',
        record: '_kerberos._tcp.wingtip.test',
        transport: 'tcp',
      }),
      0,
    );
    assert.ok(
      (sampleValue(samples, 'adtrust_dns_lookup_duration_seconds', {
        record: '_kerberos._tcp.wingtip.test',
        transport: 'udp',
      }) ?? 0) >= 1.4,
    );
    const port = (p: number) => ({
      partner_domain: 'wingtip.test',
      target: '127.0.0.1',
      port: String(p),
      transport: 'tcp',
    });
    assert.equal(sampleValue(samples, 'adtrust_port_up', port(open.port)), 1);
    assert.equal(sampleValue(samples, 'adtrust_port_up', port(closed)), 0);
    // The series budget (docs/metrics.md): one series per port and DC, no state set beside
    // it, the connect times per partner domain, and the DC's findings summed up in its status.
    assert.equal(samples.filter((sample) => sample.name === 'adtrust_port_state').length, 0);
    assert.equal(
      sampleValue(samples, 'adtrust_port_connect_duration_seconds', {
        partner_domain: 'wingtip.test',
        transport: 'tcp',
        percentile: '100',
      }) !== undefined,
      true,
    );
    assert.equal(sampleValue(samples, 'adtrust_dc_status', { partner_domain: 'wingtip.test', target: '127.0.0.1' }), 2);
    assert.equal(samples.filter((sample) => sample.labels['check'] === 'port.tcp').length, 8);
    assert.equal(
      sampleValue(samples, 'adtrust_check_findings', { check: 'port.tcp', domain: 'wingtip.test', status: 'critical' }),
      1,
    );
    assert.equal(
      sampleValue(samples, 'adtrust_check_findings', { check: 'port.tcp', domain: 'wingtip.test', status: 'ok' }),
      1,
    );
    assert.equal(
      sampleValue(samples, 'adtrust_check_status', { check: 'dns.srv', domain: 'tailspin.test' }) !== undefined,
      true,
    );
    // Every series carries the vantage of the config.
    assert.deepEqual(
      samples.filter((sample) => sample.labels['vantage'] !== 'site-a').map((sample) => sample.name),
      [],
    );
    assert.equal(sampleValue(samples, 'adtrust_config_last_reload_successful'), 1);
    assert.equal(sampleValue(samples, 'adtrust_build_info', { version: '0.1.0' }), 1);
    assert.ok(
      (sampleValue(samples, 'adtrust_probe_last_run_timestamp_seconds', { family: 'dns' }) ?? 0) >
        Date.now() / 1000 - 60,
    );
    assert.ok((sampleValue(samples, 'adtrust_probe_duration_seconds', { family: 'dns' }) ?? 0) >= 1.4);
    assert.equal(sampleValue(samples, 'adtrust_probe_schedule_interval_seconds', { family: 'dns' }), 1);
    assert.equal(sampleValue(samples, 'adtrust_probe_schedule_interval_seconds', { family: 'ports' }), 2);
    const text = (await get('/metrics')).body;
    assert.match(text, /# HELP adtrust_port_up .*Values from the last completed run\./);
  });

  it('answers gzip when asked, with Vary, and the same text', async () => {
    const plain = await rawGet('/metrics', {});
    const zipped = await rawGet('/metrics', { 'accept-encoding': 'br;q=1.0, gzip;q=0.8' });
    const refused = await rawGet('/metrics', { 'accept-encoding': 'gzip;q=0, identity' });
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.equal(refused.headers['content-encoding'], undefined);
    for (const reply of [plain, zipped, refused]) assert.equal(reply.headers['vary'], 'Accept-Encoding');
    assert.equal(gunzipSync(zipped.body).toString(), plain.body.toString());
    assert.ok(zipped.body.length < plain.body.length / 3, `${zipped.body.length} of ${plain.body.length} bytes`);
  });

  it('passes promtool check metrics', async (t) => {
    const promtool = promtoolPath();
    if (promtool === undefined) {
      assert.notEqual(
        process.env['CI'],
        'true',
        "promtool is missing in CI: .ci/run must install Debian's prometheus package",
      );
      t.skip('promtool not installed (Debian package prometheus)');
      return;
    }
    promtoolCheckMetrics(promtool, (await get('/metrics')).body);
  });

  it('skips a scheduled run while the previous one of the family is still going, and counts it', async () => {
    const skipped = await waitFor('a skipped run', async () => {
      const value = sampleValue(await metrics(), 'adtrust_probe_skipped_runs_total', { family: 'dns' });
      return value !== undefined && value > 0 ? value : undefined;
    });
    assert.ok(skipped > 0);
    assert.equal(sampleValue(await metrics(), 'adtrust_probe_skipped_runs_total', { family: 'ports' }), 0);
  });

  it('answers only the right methods and paths', async () => {
    assert.equal((await get('/-/reload')).status, 405);
    assert.equal((await get('/nothing-here')).status, 404);
    assert.equal((await get('/metrics', 'POST')).status, 405);
  });

  it('a bad config on POST /-/reload keeps the old one and sets adtrust_config_last_reload_successful 0', async () => {
    writeFileSync(join(dir, 'probe.yaml'), 'domains:\n  tailspin.test:\n    dns_servers: [not a server]\n');
    const reload = await get('/-/reload', 'POST');
    assert.equal(reload.status, 500);
    assert.equal(reload.body, "config reload failed; the previous config stays in force; the agent's log says why\n");
    // The caller learns nothing of the files; the log has every problem.
    await waitFor('the problem in the log', () =>
      Promise.resolve(
        /domains\.tailspin\.test\.dns_servers\[0\]: \\"not a server\\" is not host or host:port/.test(stderr)
          ? true
          : undefined,
      ),
    );
    const samples = await metrics();
    assert.equal(sampleValue(samples, 'adtrust_config_last_reload_successful'), 0);
    assert.equal(
      sampleValue(samples, 'adtrust_port_up', { partner_domain: 'wingtip.test', port: String(open.port) }),
      1,
    );
  });

  it('SIGHUP reloads a good config', async () => {
    writeFileSync(join(dir, 'probe.yaml'), config('1s'));
    agent.kill('SIGHUP');
    await waitFor('a successful reload', async () =>
      sampleValue(await metrics(), 'adtrust_config_last_reload_successful') === 1 ? true : undefined,
    );
    await waitFor('a run under the new timeout', async () => {
      const seconds = sampleValue(await metrics(), 'adtrust_dns_lookup_duration_seconds', {
        record: '_kerberos._tcp.wingtip.test',
        transport: 'udp',
      });
      return seconds !== undefined && seconds < 1.4 ? true : undefined;
    });
  });

  it('stops on SIGTERM within 5 seconds, exit code 0', async () => {
    const started = Date.now();
    const exited = new Promise<number | null>((resolve) =>
      agent.once('exit', (code) => {
        resolve(code);
      }),
    );
    agent.kill('SIGTERM');
    const code = await exited;
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  });

  it('logged JSON lines (not a terminal), and never the password', () => {
    assert.ok(!stderr.includes(PASSWORD), 'the bind password appeared in the log');
    const lines = stderr.trim().split('\n');
    for (const line of lines) JSON.parse(line);
    assert.ok(lines.some((line) => line.includes('"message":"listening"')));
    assert.ok(lines.some((line) => line.includes('skipped a dns run')));
    // One summary per run with the counts by status; the closed port, critical at every run,
    // is no line of its own: its status never changed.
    const summaries = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line['message'] === 'ports run finished');
    assert.ok(summaries.length >= 2, `${summaries.length} ports runs`);
    for (const summary of summaries) {
      assert.equal(summary['critical'], 1);
      assert.equal(summary['ok'], 2);
      assert.equal(summary['changes'], 0);
    }
    assert.deepEqual(
      lines.filter((line) => line.includes('"check":"port.tcp"')),
      [],
    );
  });
});
