// The DNS and port families against the real Samba AD lab: healthy, then each fault
// these families can see, then healthy again once the fault is removed.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findings, lab, probeRun, probeUntil, problems, type Report } from './support.js';

const DOMAINS = ['tailspin.test', 'wingtip.test', 'fabrikam.test'];
const DNS_SERVER: Record<string, string> = { 'tailspin.test': '198.51.100.10', 'wingtip.test': '198.51.100.20', 'fabrikam.test': '198.51.100.30' };
const healthy = (report: Report) => problems(report).length === 0;

before(async () => {
  await lab('reset');
  await probeUntil([], 'a healthy lab', healthy);
});

after(async () => {
  await lab('reset');
});

describe('healthy lab', () => {
  it('every DNS and port check is ok for every trust, exit 0', async () => {
    const report = await probeRun([]);
    assert.equal(report.exitCode, 0);
    assert.deepEqual(problems(report), []);
    // Each side's DNS resolves each partner: A<->B, B<->C and A<->C (the external trust).
    for (const [local, partner] of [['tailspin.test', 'wingtip.test'], ['wingtip.test', 'tailspin.test'], ['wingtip.test', 'fabrikam.test'], ['fabrikam.test', 'wingtip.test'], ['tailspin.test', 'fabrikam.test'], ['fabrikam.test', 'tailspin.test']] as const) {
      const srv = findings(report, 'dns.srv', (f) => f.domain === local && f.observed['partner_domain'] === partner);
      assert.equal(srv.length, 8, `${local} resolving ${partner}`);
      const addresses = findings(report, 'dns.address', (f) => f.domain === local && f.observed['partner_domain'] === partner);
      assert.ok(addresses.length >= 1);
    }
    for (const domain of DOMAINS) {
      const ports = findings(report, 'port.tcp', (f) => f.domain === domain);
      assert.equal(ports.length, 9, `ports of ${domain}`);
      assert.ok(ports.every((f) => f.observed['state'] === 'open'));
    }
  });
});

describe('port faults', () => {
  const cases: { rule: string; port: number; state: string; status: string; exit: number }[] = [
    { rule: '636/tcp drop', port: 636, state: 'filtered', status: 'critical', exit: 2 },
    { rule: '88/tcp reject', port: 88, state: 'closed', status: 'critical', exit: 2 },
    { rule: '445/tcp reject', port: 445, state: 'closed', status: 'warning', exit: 1 },
  ];
  for (const { rule, port, state, status, exit } of cases) {
    it(`block dcb ${rule}: port.tcp dcb.wingtip.test:${port} ${state} (${status}), then open again`, async () => {
      const [spec, action] = rule.split(' ') as [string, string];
      await lab('block', 'dcb', spec, action);
      try {
        const report = await probeRun(['--only', 'ports']);
        const broken = problems(report);
        assert.equal(broken.length, 1, broken.map((f) => f.message).join('\n'));
        const [finding] = broken;
        assert.ok(finding);
        assert.equal(finding.check, 'port.tcp');
        assert.equal(finding.target, `dcb.wingtip.test:${port}`);
        assert.equal(finding.domain, 'wingtip.test');
        assert.equal(finding.status, status);
        assert.equal(finding.observed['state'], state);
        assert.equal(report.exitCode, exit);
      } finally {
        await lab('unblock', 'dcb', spec);
      }
      const again = await probeRun(['--only', 'ports']);
      assert.deepEqual(problems(again), []);
    });
  }

  it('UDP 53 dropped on dca: the UDP lookups via 198.51.100.10 time out, TCP ones still answer', async () => {
    await lab('block', 'dca', '53/udp', 'drop');
    try {
      const report = await probeRun(['--only', 'dns']);
      const failed = problems(report);
      assert.ok(failed.length > 0);
      for (const finding of failed) {
        assert.equal(finding.observed['server'], '198.51.100.10', finding.message);
        assert.equal(finding.observed['transport'], 'udp');
        assert.equal(finding.observed['failure'], 'timeout');
      }
      const tcp = findings(report, 'dns.srv', (f) => f.observed['server'] === '198.51.100.10' && f.observed['transport'] === 'tcp');
      assert.ok(tcp.length > 0 && tcp.every((f) => f.status === 'ok'));
    } finally {
      await lab('unblock', 'dca', '53/udp');
    }
    await probeUntil(['--only', 'dns'], 'DNS healthy again', healthy);
  });
});

describe('conditional forwarder faults', () => {
  it('a forwarder cut on one side fails only on that side, with REFUSED, and heals', async () => {
    await lab('forwarder-cut', 'dca', 'wingtip.test');
    try {
      const report = await probeRun(['--only', 'dns']);
      const failed = problems(report);
      assert.ok(failed.length > 0);
      for (const finding of failed) {
        assert.equal(finding.domain, 'tailspin.test', finding.message);
        assert.equal(finding.observed['partner_domain'], 'wingtip.test');
        assert.equal(finding.observed['rcode'], 'REFUSED');
        assert.match(finding.remediation, /add a conditional forwarder for wingtip\.test on 198\.51\.100\.10/);
      }
      // Every locator record, over both transports.
      assert.equal(findings(report, 'dns.srv', (f) => f.status === 'critical').length, 8);
      // The other side still resolves tailspin.test; tailspin still resolves fabrikam.test.
      assert.ok(findings(report, 'dns.srv', (f) => f.domain === 'wingtip.test' && f.observed['partner_domain'] === 'tailspin.test').every((f) => f.status === 'ok'));
      assert.ok(findings(report, 'dns.srv', (f) => f.domain === 'tailspin.test' && f.observed['partner_domain'] === 'fabrikam.test').every((f) => f.status === 'ok'));
      assert.equal(report.exitCode, 2);
    } finally {
      await lab('forwarder-restore', 'dca', 'wingtip.test');
    }
    await probeUntil(['--only', 'dns'], 'forwarding healthy again', healthy);
  });
});

describe('DC faults', () => {
  it('a stopped DC: its ports closed, DNS through it fails; healthy once started', async () => {
    await lab('stop', 'dcc');
    try {
      const report = await probeRun([]);
      const ports = findings(report, 'port.tcp', (f) => f.domain === 'fabrikam.test' && f.observed['port'] !== 53);
      assert.equal(ports.length, 8);
      assert.ok(ports.every((f) => f.observed['state'] === 'closed' && f.status !== 'ok'), ports.map((f) => f.message).join('\n'));
      // Its front DNS still forwards, but the forest's own records are gone.
      const viaOthers = findings(report, 'dns.srv', (f) => f.observed['partner_domain'] === 'fabrikam.test');
      assert.ok(viaOthers.some((f) => f.status === 'critical'));
    } finally {
      await lab('start', 'dcc');
    }
    await probeUntil([], 'the lab healthy after the DC started', healthy, 90);
  });

  it('a frozen DC: DNS through it times out within the timeout', async () => {
    await lab('freeze', 'dcb');
    try {
      const started = Date.now();
      const report = await probeRun(['--only', 'dns']);
      const viaDcb = findings(report, 'dns.srv', (f) => f.observed['server'] === DNS_SERVER['wingtip.test']);
      assert.ok(viaDcb.length > 0);
      assert.ok(viaDcb.every((f) => f.status === 'critical' && ['timeout', 'malformed'].includes(f.observed['failure'] as string)), viaDcb.map((f) => f.message).join('\n'));
      assert.ok(Date.now() - started < 30_000, 'a frozen DC must not hang the run');
    } finally {
      await lab('thaw', 'dcb');
    }
    await probeUntil([], 'the lab healthy after the thaw', healthy, 90);
  });
});
