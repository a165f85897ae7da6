// The DNS and port families against the real Samba AD lab: healthy, then each fault
// these families can see, then healthy again once the fault is removed.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import type { JsonFinding as Finding } from '../../agent/outputs/report.js';
import { findings, lab, LAB_CONFIG, probeRun, probeUntil, problems, tempConfig, type Report } from './support.js';

const DOMAINS = ['tailspin.test', 'wingtip.test', 'fabrikam.test'];
const DNS_SERVER: Record<string, string> = {
  'tailspin.test': '198.51.100.10',
  'wingtip.test': '198.51.100.20',
  'fabrikam.test': '198.51.100.30',
};
const healthy = (report: Report) => problems(report).length === 0;
// The LDAP family has tests of its own (ldap.lab.ts); the lab's roastable admin keeps it critical.
// protocols too: a healthy lab means every DNS, port and protocol check ok, as before issue 10 split them.
const FAMILIES = ['--only', 'dns,ports,protocols'];

before(async () => {
  await lab('reset');
  await probeUntil(FAMILIES, 'a healthy lab', healthy);
});

after(async () => {
  await lab('reset');
});

describe('healthy lab', () => {
  it('every DNS and port check is ok for every trust, exit 0', async () => {
    const report = await probeRun(FAMILIES);
    assert.equal(report.exitCode, 0);
    assert.deepEqual(problems(report), []);
    // Each side's DNS resolves each partner: A<->B, B<->C and A<->C (the external trust).
    for (const [local, partner] of [
      ['tailspin.test', 'wingtip.test'],
      ['wingtip.test', 'tailspin.test'],
      ['wingtip.test', 'fabrikam.test'],
      ['fabrikam.test', 'wingtip.test'],
      ['tailspin.test', 'fabrikam.test'],
      ['fabrikam.test', 'tailspin.test'],
    ] as const) {
      const srv = findings(report, 'dns.srv', (f) => f.domain === local && f.observed['partner_domain'] === partner);
      assert.equal(srv.length, 8, `${local} resolving ${partner}`);
      const addresses = findings(
        report,
        'dns.address',
        (f) => f.domain === local && f.observed['partner_domain'] === partner,
      );
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

  it('UDP 53 dropped on dca: UDP lookups via 198.51.100.10 time out, TCP ones answer; the partners can no longer forward tailspin.test', async () => {
    await lab('block', 'dca', '53/udp', 'drop');
    try {
      const report = await probeRun(['--only', 'dns']);
      const viaDca = (f: Finding) => f.observed['server'] === '198.51.100.10';
      const udpViaDca = findings(report, 'dns.srv', (f) => viaDca(f) && f.observed['transport'] === 'udp');
      assert.equal(udpViaDca.length, 8);
      assert.ok(
        udpViaDca.every((f) => f.status === 'critical' && f.observed['failure'] === 'timeout'),
        udpViaDca.map((f) => f.message).join('\n'),
      );
      const tcpViaDca = findings(report, 'dns.srv', (f) => viaDca(f) && f.observed['transport'] === 'tcp');
      assert.ok(
        tcpViaDca.length > 0 && tcpViaDca.every((f) => f.status === 'ok'),
        tcpViaDca.map((f) => f.message).join('\n'),
      );
      // The other DCs forward tailspin.test to dca over UDP: that breaks too, and nothing else.
      for (const finding of problems(report)) {
        assert.ok(
          (viaDca(finding) && finding.observed['transport'] === 'udp') ||
            finding.observed['partner_domain'] === 'tailspin.test',
          finding.message,
        );
      }
      assert.ok(
        findings(report, 'dns.srv', (f) => !viaDca(f) && f.observed['partner_domain'] === 'tailspin.test').some(
          (f) => f.status === 'critical',
        ),
      );
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
      assert.ok(
        findings(
          report,
          'dns.srv',
          (f) => f.domain === 'wingtip.test' && f.observed['partner_domain'] === 'tailspin.test',
        ).every((f) => f.status === 'ok'),
      );
      assert.ok(
        findings(
          report,
          'dns.srv',
          (f) => f.domain === 'tailspin.test' && f.observed['partner_domain'] === 'fabrikam.test',
        ).every((f) => f.status === 'ok'),
      );
      assert.equal(report.exitCode, 2);
    } finally {
      await lab('forwarder-restore', 'dca', 'wingtip.test');
    }
    await probeUntil(['--only', 'dns'], 'forwarding healthy again', healthy);
  });
});

describe('DC faults', () => {
  it('a stopped DC: its own records gone, its DCs undiscoverable, its ports closed; healthy once started', async () => {
    // Listed by address, dcc is probed even while DNS cannot name it.
    const byAddress = tempConfig(
      readFileSync(LAB_CONFIG, 'utf8').replace(
        'dns_servers: [198.51.100.30]',
        'dns_servers: [198.51.100.30]\n    dcs: [198.51.100.30]',
      ),
    );
    await lab('stop', 'dcc');
    try {
      const report = await probeRun(FAMILIES);
      const discovery = findings(report, 'port.discovery', (f) => f.domain === 'fabrikam.test');
      assert.equal(discovery.length, 1);
      assert.equal(discovery[0]?.status, 'critical');
      const viaOthers = findings(report, 'dns.srv', (f) => f.observed['partner_domain'] === 'fabrikam.test');
      assert.ok(viaOthers.length > 0 && viaOthers.every((f) => f.status === 'critical'));
      // dnsmasq (53) still runs in the DC's namespace; Samba's ports refuse.
      const ports = findings(
        await probeRun(['--only', 'ports'], byAddress),
        'port.tcp',
        (f) => f.domain === 'fabrikam.test',
      );
      assert.equal(ports.length, 9);
      for (const finding of ports) {
        const expected = finding.observed['port'] === 53 ? 'open' : 'closed';
        assert.equal(finding.observed['state'], expected, finding.message);
      }
    } finally {
      await lab('start', 'dcc');
    }
    await probeUntil(FAMILIES, 'the lab healthy after the DC started', healthy, 90);
  });

  it('a frozen DC: DNS through it times out within the timeout', async () => {
    await lab('freeze', 'dcb');
    try {
      const started = Date.now();
      const report = await probeRun(['--only', 'dns']);
      const viaDcb = findings(report, 'dns.srv', (f) => f.observed['server'] === DNS_SERVER['wingtip.test']);
      assert.ok(viaDcb.length > 0);
      assert.ok(
        viaDcb.every(
          (f) => f.status === 'critical' && ['timeout', 'malformed'].includes(f.observed['failure'] as string),
        ),
        viaDcb.map((f) => f.message).join('\n'),
      );
      assert.ok(Date.now() - started < 30_000, 'a frozen DC must not hang the run');
    } finally {
      await lab('thaw', 'dcb');
    }
    await probeUntil(FAMILIES, 'the lab healthy after the thaw', healthy, 90);
  });
});
