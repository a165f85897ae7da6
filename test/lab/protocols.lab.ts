// The protocol-level probes against the real Samba AD lab: every service answers its own
// protocol, and each fault shows exactly as it is on the wire.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { JsonFinding as Finding } from '../../agent/outputs/report.js';
import { findings, lab, LAB_CONFIG, probeRun, probeUntil, problems, tempConfig, type Report } from './support.js';

// The protocol probes are their own family since issue 10; these tests also read port.tcp.
const PORTS = ['--only', 'ports,protocols'];
const DCS = [
  { host: 'dca.tailspin.test', domain: 'tailspin.test', netbios: 'TAILSPIN' },
  { host: 'dcb.wingtip.test', domain: 'wingtip.test', netbios: 'WINGTIP' },
  { host: 'dcc.fabrikam.test', domain: 'fabrikam.test', netbios: 'FABRIKAM' },
];
const healthy = (report: Report) => problems(report).length === 0;

function one(report: Report, check: string, target: string): Finding {
  const found = findings(report, check, (f) => f.target === target);
  assert.equal(found.length, 1, `${check} ${target}: ${found.length} findings`);
  return found[0] as Finding;
}

before(async () => {
  await lab('reset');
  await probeUntil(PORTS, 'healthy ports', healthy, 90);
});

after(async () => {
  await lab('reset');
});

describe('healthy lab, protocol by protocol', () => {
  it('every UDP service answers its protocol; the LDAP ping names the right forest, domain and site; RPC, Kerberos, clocks and certificates ok', async () => {
    const report = await probeRun(PORTS);
    assert.deepEqual(problems(report), []);
    for (const dc of DCS) {
      for (const port of [53, 88, 123, 389, 464])
        assert.equal(one(report, 'port.udp', `${dc.host}:${port}`).observed['state'], 'open', `${dc.host} UDP ${port}`);
      const locator = one(report, 'dc.locator', dc.host).observed;
      assert.equal(locator['forest'], dc.domain);
      assert.equal(locator['domain'], dc.domain);
      assert.equal(locator['host_name'], dc.host);
      assert.equal(locator['netbios_domain'], dc.netbios);
      assert.equal(locator['dc_site'], 'Default-First-Site-Name');
      for (const flag of ['DS_DS_FLAG', 'DS_LDAP_FLAG', 'DS_KDC_FLAG', 'DS_GC_FLAG'])
        assert.ok((locator['flags'] as string[]).includes(flag), flag);
      for (const name of ['netlogon', 'lsarpc', 'drsuapi']) {
        const rpc = one(report, 'port.rpc', `${dc.host}/${name}`);
        assert.equal(rpc.observed['state'], 'open');
        assert.ok(Number(rpc.observed['port']) >= 49152);
      }
      assert.equal(one(report, 'port.kerberos', `${dc.host}:88/udp`).observed['error_code'], 6);
      assert.equal(one(report, 'port.kerberos', `${dc.host}:88/tcp`).observed['error_code'], 6);
      assert.ok(one(report, 'port.kerberos', `${dc.host}:464/tcp`).status === 'ok');
      assert.ok(Math.abs(Number(one(report, 'time.skew', dc.host).observed['offset_seconds'])) < 5);
      for (const port of [636, 3269, 389])
        assert.equal(one(report, 'tls.certificate', `${dc.host}:${port}`).observed['chain_verified'], true);
    }
  });
});

describe('faults, exactly as they are on the wire', () => {
  it('UDP 88 dropped, TCP 88 open: UDP 88 filtered, TCP 88 open and the KDC still answers over TCP', async () => {
    await lab('block', 'dcb', '88/udp', 'drop');
    try {
      const report = await probeRun(PORTS);
      assert.deepEqual(
        problems(report).map((f) => `${f.check} ${f.target}`),
        ['port.udp dcb.wingtip.test:88'],
      );
      const udp = one(report, 'port.udp', 'dcb.wingtip.test:88');
      assert.equal(udp.observed['state'], 'filtered');
      assert.equal(udp.status, 'critical');
      assert.match(udp.remediation, /allow UDP 88 from this host to dcb\.wingtip\.test/);
      assert.equal(one(report, 'port.tcp', 'dcb.wingtip.test:88').observed['state'], 'open');
      assert.equal(one(report, 'port.kerberos', 'dcb.wingtip.test:88/tcp').observed['error_code'], 6);
    } finally {
      await lab('unblock', 'dcb', '88/udp');
    }
  });

  it('UDP 389 rejected: the LDAP ping port closed (ICMP), no locator answer', async () => {
    await lab('block', 'dcb', '389/udp', 'reject');
    try {
      const report = await probeRun(PORTS);
      const udp = one(report, 'port.udp', 'dcb.wingtip.test:389');
      assert.equal(udp.observed['state'], 'closed');
      assert.match(udp.message, /ICMP port unreachable/);
      assert.equal(findings(report, 'dc.locator', (f) => f.target === 'dcb.wingtip.test').length, 0);
      assert.equal(one(report, 'port.tcp', 'dcb.wingtip.test:389').observed['state'], 'open');
    } finally {
      await lab('unblock', 'dcb', '389/udp');
    }
  });

  it('NTP stopped: UDP 123 closed, a warning, no clock measured; back once started', async () => {
    // chronyd was started by the lab, which recorded its PID.
    const pid = Number(readFileSync('/var/lib/adtrust-lab/dcb/pids/chronyd.pid', 'utf8').trim());
    process.kill(pid, 'SIGTERM');
    try {
      const report = await probeUntil(
        PORTS,
        'UDP 123 closed',
        (r) =>
          findings(r, 'port.udp', (f) => f.target === 'dcb.wingtip.test:123' && f.observed['state'] === 'closed')
            .length === 1,
        20,
      );
      assert.equal(one(report, 'port.udp', 'dcb.wingtip.test:123').status, 'warning');
      assert.equal(findings(report, 'time.skew', (f) => f.target === 'dcb.wingtip.test').length, 0);
    } finally {
      await lab('start', 'dcb');
    }
    await probeUntil(PORTS, 'NTP back', healthy, 30);
  });

  it('the dynamic port the mapper names for Netlogon dropped: critical, naming the interface and what it breaks', async () => {
    const before = await probeRun(PORTS);
    const port = (one(before, 'port.rpc', 'dcb.wingtip.test/netlogon').observed['port'] as number).toString();
    await lab('block', 'dcb', `${port}/tcp`, 'drop');
    try {
      const report = await probeRun(PORTS);
      const netlogon = one(report, 'port.rpc', 'dcb.wingtip.test/netlogon');
      assert.equal(netlogon.status, 'critical');
      assert.equal(netlogon.observed['state'], 'filtered');
      assert.match(
        netlogon.message,
        new RegExp(
          `^Netlogon on dcb\\.wingtip\\.test \\(198\\.51\\.100\\.20\\): the endpoint mapper names TCP ${port}, but it is filtered: this breaks the secure channel`,
        ),
      );
      assert.match(netlogon.remediation, new RegExp(`allow TCP ${port}`));
      assert.equal(one(report, 'port.tcp', 'dcb.wingtip.test:135').observed['state'], 'open');
    } finally {
      await lab('unblock', 'dcb', `${port}/tcp`);
    }
  });

  it('a frozen DC (connections accepted, nothing answered): filtered and timeout findings, within the timeout', async () => {
    // Listed by address: a frozen DC's own DNS cannot name it.
    const byAddress = tempConfig(
      readFileSync(LAB_CONFIG, 'utf8').replace(
        'dns_servers: [198.51.100.30]',
        'dns_servers: [198.51.100.30]\n    dcs: [198.51.100.30]',
      ),
    );
    await lab('freeze', 'dcc');
    try {
      const started = Date.now();
      const report = await probeRun(PORTS, byAddress);
      const seconds = (Date.now() - started) / 1000;
      const udp = findings(report, 'port.udp', (f) => f.domain === 'fabrikam.test');
      assert.equal(udp.length, 5);
      assert.ok(
        udp.every((f) => f.observed['state'] === 'filtered'),
        udp.map((f) => f.message).join('\n'),
      );
      const rpc = findings(report, 'port.rpc', (f) => f.domain === 'fabrikam.test');
      assert.ok(
        rpc.length === 3 &&
          rpc.every((f) => f.status === 'critical' && /no answer from the endpoint mapper in 3s/.test(f.message)),
        rpc.map((f) => f.message).join('\n'),
      );
      assert.ok(
        findings(report, 'tls.certificate', (f) => f.domain === 'fabrikam.test').every((f) => f.status === 'critical'),
      );
      assert.ok(
        findings(report, 'port.kerberos', (f) => f.domain === 'fabrikam.test').every((f) =>
          /no reply in 3s/.test(f.message),
        ),
      );
      // Every wait is bounded by the 3 s timeout; discovery of the other domains through dcc adds a few.
      assert.ok(seconds < 30, `the run took ${seconds}s`);
    } finally {
      await lab('thaw', 'dcc');
    }
    await probeUntil(PORTS, 'healthy after the thaw', healthy, 60);
  });
});
