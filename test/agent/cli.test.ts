import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runProbe, tempDir } from '../support/cli.js';
import { startDnsServer, WINGTIP_ZONE, type DnsTestServer } from '../support/dns-server.js';
import { closedPort, openPort, type Listener } from '../support/tcp.js';

const ZONE = WINGTIP_ZONE;

let dns: DnsTestServer;
let otherView: DnsTestServer;
let open: Listener;
let closed: number;
let dir: string;

function config(extra: { dcPorts: number[]; wingtipOwnDns?: boolean }): string {
  const dcs = extra.dcPorts.map((port) => `127.0.0.1:${port}`).join(', ');
  return `
timeout: 500ms
domains:
  tailspin.test:
    dns_servers: [127.0.0.1:${dns.port}]
    dcs: [${dcs}]
  wingtip.test:
    dcs: [${dcs}]
${extra.wingtipOwnDns === true ? `    dns_servers: [127.0.0.1:${otherView.port}]` : ''}
trusts:
  - trusting: tailspin.test
    trusted: wingtip.test
    type: external
`;
}

before(async () => {
  dns = await startDnsServer(ZONE);
  // wingtip.test's own DNS lists a DC the forwarded answer lacks: a dns.dc_set warning.
  // It also forwards tailspin.test, as a partner's DNS must.
  const tailspin = Object.fromEntries(
    Object.entries(ZONE.srv ?? {}).map(([name, targets]) => [
      name.replace('wingtip', 'tailspin'),
      targets.map((t) => ({ ...t, target: 'dca.tailspin.test' })),
    ]),
  );
  otherView = await startDnsServer({
    srv: {
      ...ZONE.srv,
      ...tailspin,
      '_ldap._tcp.dc._msdcs.wingtip.test': [
        { target: 'dcb.wingtip.test', port: 389 },
        { target: 'dcb2.wingtip.test', port: 389 },
      ],
    },
    a: { ...ZONE.a, 'dca.tailspin.test': ['198.51.100.10'] },
  });
  open = await openPort();
  closed = await closedPort();
  dir = tempDir({
    'ok.yaml': config({ dcPorts: [open.port] }),
    'critical.yaml': config({ dcPorts: [open.port, closed] }),
    'bad.yaml': 'domains:\n  tailspin.test:\n    dns_server: [1.2.3.4]\n',
    // A DC named without a port gets every trust port and every protocol probe.
    'every-port.yaml':
      'timeout: 500ms\ndomains:\n  tailspin.test:\n    dcs: [127.0.0.1]\n  wingtip.test:\n    dcs: [127.0.0.1]\ntrusts:\n  - between: [tailspin.test, wingtip.test]\n    type: forest\n',
    // Addresses of TEST-NET-1 (RFC 5737), which nothing answers: the plan must not need them.
    'plan.yaml': [
      'domains:',
      '  tailspin.test:',
      '    dns_servers: [192.0.2.10]',
      '    ldap: { url: ldaps://dca.tailspin.test, bind_dn: probe@tailspin.test, password_env: ADTRUST_TEST_PW }',
      '    canary: { user: canary@TAILSPIN.TEST, password_env: ADTRUST_TEST_PW }',
      '  wingtip.test:',
      '    forest: wingtip.test',
      '    dns_servers: [192.0.2.20:5353]',
      '    dcs: [dcb.wingtip.test, 192.0.2.21:636]',
      'trusts:',
      '  - between: [tailspin.test, wingtip.test]',
      '    type: forest',
      '',
    ].join('\n'),
  });
});

after(async () => {
  await dns.close();
  await otherView.close();
  await open.close();
  rmSync(dir, { recursive: true });
});

describe('probe (the built command)', () => {
  it('--help lists the commands and exits 0', async () => {
    const result = await runProbe(['--help']);
    assert.equal(result.code, 0);
    for (const command of ['run', 'agent', 'config']) assert.match(result.stdout, new RegExp(`\\b${command}\\b`));
    for (const args of [
      ['run', '--help'],
      ['agent', '--help'],
      ['config', 'check', '--help'],
    ]) {
      const sub = await runProbe(args);
      assert.equal(sub.code, 0, args.join(' '));
      assert.match(sub.stdout, /--config/);
    }
  });

  it('an unknown command or option exits 3', async () => {
    assert.equal((await runProbe(['frobnicate'])).code, 3);
    assert.equal((await runProbe(['run', '--colour'])).code, 3);
    const badOutput = await runProbe(['run', '--output', 'xml', '-c', join(dir, 'ok.yaml')]);
    assert.equal(badOutput.code, 3);
    assert.match(badOutput.stderr, /xml/);
  });

  it('config check: 0 and a summary for a good file, 3 and the problem with its path for a bad one', async () => {
    const good = await runProbe(['config', 'check', '--config', join(dir, 'ok.yaml')]);
    assert.equal(good.code, 0);
    assert.equal(good.stdout, `${join(dir, 'ok.yaml')}: ok (2 domain(s), 1 trust(s))\n`);
    const bad = await runProbe(['config', 'check', '--config', join(dir, 'bad.yaml')]);
    assert.equal(bad.code, 3);
    assert.equal(
      bad.stderr,
      `${join(dir, 'bad.yaml')}:3: domains.tailspin.test.dns_server: unknown key "dns_server"\n`,
    );
  });

  it('a missing config file exits 3 and says so; the default is ./probe.yaml', async () => {
    const result = await runProbe(['run'], { cwd: dir });
    assert.equal(result.code, 3);
    assert.equal(result.stderr, './probe.yaml: cannot read the config file: no such file\n');
  });

  it('run: all ok exits 0 with a plain-text report', async () => {
    const result = await runProbe(['run', '-c', join(dir, 'ok.yaml')]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^OK {7}\d+ ok {3}\(dns, ports, protocols, ldap, auth in /);
    assert.match(result.stdout, /Trust tailspin\.test -> wingtip\.test \(external\)/);
    assert.match(result.stdout, /DNS of tailspin\.test resolving wingtip\.test\n {4}OK {7}9 lookups answered/);
    assert.ok(!result.stdout.includes('\x1b['), 'no colour when stdout is not a terminal');
  });

  it('run: a warning exits 1', async () => {
    const file = join(dir, 'warning.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, config({ dcPorts: [open.port], wingtipOwnDns: true }));
    const result = await runProbe(['run', '-c', file, '--only', 'dns']);
    assert.equal(result.code, 1, result.stdout);
    assert.match(
      result.stdout,
      /WARNING .*lists other DCs of wingtip\.test than wingtip\.test's own DNS: missing dcb2\.wingtip\.test/,
    );
  });

  it('run: a closed trust port exits 2; --output json is the contract of product.md', async () => {
    const result = await runProbe(['run', '-c', join(dir, 'critical.yaml'), '--output', 'json']);
    assert.equal(result.code, 2);
    const report = JSON.parse(result.stdout) as {
      status: string;
      started_at: string;
      duration_seconds: number;
      findings: Record<string, unknown>[];
    };
    assert.deepEqual(Object.keys(report), ['status', 'started_at', 'duration_seconds', 'findings']);
    assert.equal(report.status, 'critical');
    assert.match(report.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const worst = report.findings[0];
    assert.ok(worst);
    assert.deepEqual(Object.keys(worst), ['check', 'status', 'domain', 'target', 'message', 'remediation', 'observed']);
    assert.equal(worst['check'], 'port.tcp');
    assert.equal(worst['target'], `127.0.0.1:${closed}`);
    assert.deepEqual((worst['observed'] as Record<string, unknown>)['state'], 'closed');
  });

  it('--only runs only the named families; an unknown family exits 3', async () => {
    const result = await runProbe(['run', '-c', join(dir, 'critical.yaml'), '--only', 'dns', '-o', 'json']);
    assert.equal(result.code, 0);
    const report = JSON.parse(result.stdout) as { findings: { check: string }[] };
    assert.ok(report.findings.length > 0);
    assert.ok(report.findings.every((finding) => finding.check.startsWith('dns.')));
    const bad = await runProbe(['run', '-c', join(dir, 'ok.yaml'), '--only', 'dns,ldapp']);
    assert.equal(bad.code, 3);
    assert.equal(bad.stderr, '--only: unknown family "ldapp"; choose from dns, ports, protocols, ldap, auth\n');
  });

  it('--only ports is TCP reachability alone; --only port is the same; --only protocols asks each service in its protocol', async () => {
    const families = (report: { findings: { check: string }[] }) =>
      [...new Set(report.findings.map((finding) => finding.check))].sort();
    const ports = await runProbe(['run', '-c', join(dir, 'every-port.yaml'), '--only', 'ports', '-o', 'json']);
    assert.deepEqual(families(JSON.parse(ports.stdout) as { findings: { check: string }[] }), ['port.tcp']);
    const port = await runProbe(['run', '-c', join(dir, 'every-port.yaml'), '--only', 'port', '-o', 'json']);
    assert.deepEqual(families(JSON.parse(port.stdout) as { findings: { check: string }[] }), ['port.tcp']);
    const protocols = await runProbe(['run', '-c', join(dir, 'every-port.yaml'), '--only', 'protocols', '-o', 'json']);
    const checks = families(JSON.parse(protocols.stdout) as { findings: { check: string }[] });
    assert.ok(!checks.includes('port.tcp'), checks.join(' '));
    assert.ok(checks.includes('port.udp') && checks.includes('port.rpc'), checks.join(' '));
  });

  it('plan prints the targets of each family from the config alone, with no secret', async () => {
    const started = performance.now();
    const result = await runProbe(['plan', '-c', join(dir, 'plan.yaml')], {
      env: { ADTRUST_TEST_PW: 'Hunter2-do-not-echo' },
    });
    assert.equal(result.code, 0, result.stderr);
    // Nothing answers at 192.0.2.0/24: a plan that asked the network would wait for its timeout (5s).
    assert.ok(performance.now() - started < 4000);
    assert.ok(!result.stdout.includes('Hunter2'));
    const plan = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(plan), ['timeout_seconds', 'limits', 'dns', 'ports', 'protocols', 'ldap', 'auth']);
    // The canary by its principal only; the password (the same variable as the bind's) never shows.
    assert.deepEqual(plan['auth'], {
      canaries: [{ domain: 'tailspin.test', principal: 'canary@TAILSPIN.TEST' }],
      directions: [
        {
          from: 'tailspin.test',
          to: 'wingtip.test',
          allowed: true,
          service: 'ldap/<the first DC of wingtip.test found>',
        },
      ],
    });
    assert.deepEqual(plan['limits'], {
      dcs_per_domain: 50,
      dns_answers_per_reply: 100,
      findings_per_run: 20000,
      ldap_entries_per_search: 20000,
      rpc_ports_per_dc: 10,
      trusted_domain_objects: 1000,
    });
    assert.deepEqual(plan['dns'], [
      {
        local: 'tailspin.test',
        partner: 'wingtip.test',
        partner_forest: 'wingtip.test',
        servers: ['192.0.2.10'],
        partner_servers: ['192.0.2.20:5353'],
      },
      {
        local: 'wingtip.test',
        partner: 'tailspin.test',
        partner_forest: 'tailspin.test',
        servers: ['192.0.2.20:5353'],
        partner_servers: ['192.0.2.10'],
      },
    ]);
    assert.deepEqual(plan['ports'], [
      {
        domain: 'tailspin.test',
        forest: 'tailspin.test',
        resolvers: ['192.0.2.10', '192.0.2.20:5353'],
        dcs: 'discovered through _ldap._tcp.dc._msdcs',
      },
      {
        domain: 'wingtip.test',
        forest: 'wingtip.test',
        resolvers: ['192.0.2.20:5353', '192.0.2.10'],
        dcs: ['dcb.wingtip.test', '192.0.2.21:636'],
      },
    ]);
    const only = await runProbe(['plan', '-c', join(dir, 'plan.yaml'), '--only', 'port'], {
      env: { ADTRUST_TEST_PW: 'x' },
    });
    assert.deepEqual(Object.keys(JSON.parse(only.stdout) as Record<string, unknown>), [
      'timeout_seconds',
      'limits',
      'ports',
    ]);
  });
});
