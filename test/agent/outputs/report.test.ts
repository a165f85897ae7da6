import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReport, renderNtlm, renderText, reportJson } from '../../../agent/outputs/report.js';
import type { FamilyRun } from '../../../agent/run/runner.js';
import type { Finding } from '../../../probes/model/finding.js';
import { configFrom } from '../../support/config.js';

const config = configFrom(`
domains:
  tailspin.test: {}
  wingtip.test: {}
trusts:
  - between: [tailspin.test, wingtip.test]
    type: forest
`);

const finding = (overrides: Partial<Finding>): Finding => ({
  check: 'port.tcp',
  status: 'ok',
  domain: 'wingtip.test',
  target: { kind: 'port', host: 'dcb.wingtip.test', port: 88, transport: 'tcp' },
  message: 'TCP 88 (Kerberos) open on dcb.wingtip.test: connected in 1 ms',
  remediation: '',
  observed: { state: 'open', seconds: 0.001, port: 88 },
  ...overrides,
});

const runs: FamilyRun[] = [
  {
    family: 'ports',
    startedAt: new Date('2026-11-21T10:00:00.123Z'),
    durationSeconds: 1.9,
    measurements: [],
    findings: [
      finding({}),
      finding({
        status: 'critical',
        target: { kind: 'port', host: 'dcb.wingtip.test', port: 636, transport: 'tcp' },
        message: 'TCP 636 (LDAPS) filtered on dcb.wingtip.test: no answer in 3s',
        remediation: 'allow TCP 636 from this host to dcb.wingtip.test',
        observed: { state: 'filtered', seconds: 3, port: 636 },
      }),
    ],
  },
  {
    family: 'dns',
    startedAt: new Date('2026-11-21T10:00:00.123Z'),
    durationSeconds: 0.2,
    measurements: [],
    findings: [
      finding({
        check: 'dns.srv',
        domain: 'tailspin.test',
        target: {
          kind: 'dns',
          record: '_kerberos._tcp.wingtip.test',
          server: { host: '198.51.100.10', port: 53 },
          transport: 'udp',
        },
        message: 'resolved',
        observed: { partner_domain: 'wingtip.test' },
      }),
      finding({
        check: 'dns.srv',
        status: 'warning',
        domain: 'wingtip.test',
        target: { kind: 'host', host: 'x' },
        message: 'odd',
        remediation: 'look',
        observed: { partner_domain: 'tailspin.test' },
      }),
    ],
  },
];

describe('report', () => {
  it('JSON has exactly the fields of product.md, worst first', () => {
    const report = reportJson(buildReport(runs, new Date('2026-11-21T10:00:00.123Z'), 1.9));
    assert.deepEqual(Object.keys(report), ['status', 'started_at', 'duration_seconds', 'findings']);
    assert.equal(report.status, 'critical');
    assert.equal(report.started_at, '2026-11-21T10:00:00Z');
    assert.deepEqual(Object.keys(report.findings[0] ?? {}), [
      'check',
      'status',
      'domain',
      'target',
      'message',
      'remediation',
      'observed',
    ]);
    assert.deepEqual(
      report.findings.map((f) => f.status),
      ['critical', 'warning', 'ok', 'ok'],
    );
    // The target is text in the JSON, as product.md shows it.
    assert.deepEqual(
      report.findings.map((f) => f.target),
      ['dcb.wingtip.test:636', 'x', '_kerberos._tcp.wingtip.test@198.51.100.10/udp', 'dcb.wingtip.test:88'],
    );
  });

  it('text groups by trust, domain and DC, spells out problems, counts successes, no colour off a terminal', () => {
    const report = buildReport(runs, new Date('2026-11-21T10:00:00Z'), 1.9);
    const text = renderText(report, config, ['dns', 'ports'], { colour: false, verbose: false });
    assert.equal(
      text,
      [
        'CRITICAL 1 critical, 1 warning, 2 ok   (dns, ports in 1.9s, 2026-11-21T10:00:00Z)',
        '',
        'Trust tailspin.test <-> wingtip.test (forest)',
        '  DNS of wingtip.test resolving tailspin.test',
        '    WARNING  odd  [dns.srv]',
        '             fix: look',
        '  DNS of tailspin.test resolving wingtip.test',
        '    OK       1 lookup answered',
        '',
        'Domain wingtip.test',
        '  dcb.wingtip.test',
        '    OK       TCP 88 open',
        '    CRITICAL TCP 636 (LDAPS) filtered on dcb.wingtip.test: no answer in 3s  [port.tcp]',
        '             fix: allow TCP 636 from this host to dcb.wingtip.test',
        '',
      ].join('\n'),
    );
    assert.ok(!text.includes('\x1b['));
    const coloured = renderText(report, config, ['dns', 'ports'], { colour: true, verbose: false });
    assert.ok(coloured.includes('\x1b[31mCRITICAL'));
  });

  it('--verbose lists every finding', () => {
    const report = buildReport(runs, new Date(), 1);
    const text = renderText(report, config, ['dns', 'ports'], { colour: false, verbose: true });
    assert.ok(text.includes('TCP 88 (Kerberos) open on dcb.wingtip.test'));
  });

  it('a DC that ports and protocols both cannot find is shown once; inside one family nothing is dropped', () => {
    const discovery = (message: string) =>
      finding({
        check: 'port.discovery',
        status: 'critical',
        target: { kind: 'host', host: 'wingtip.test' },
        message,
        observed: {},
      });
    const at = new Date('2026-11-21T10:00:00Z');
    const run = (family: FamilyRun['family'], findings: Finding[]): FamilyRun => ({
      family,
      startedAt: at,
      durationSeconds: 1,
      measurements: [],
      findings,
    });
    // Two addresses of one DC: two findings with one target, both kept.
    const twoAddresses = [
      finding({ observed: { address: '198.51.100.20' } }),
      finding({ observed: { address: '2001:db8::20' } }),
    ];
    const report = buildReport(
      [
        run('ports', [discovery('cannot find the DCs: a'), ...twoAddresses]),
        run('protocols', [discovery('cannot find the DCs: b')]),
      ],
      at,
      1,
    );
    assert.deepEqual(
      report.findings.map((f) => f.message),
      ['cannot find the DCs: a', twoAddresses[0]?.message, twoAddresses[1]?.message],
    );
  });
});

describe('the auth section of the text report', () => {
  const at = new Date('2026-11-21T10:00:00Z');
  const auth = (check: 'auth.kerberos' | 'auth.ntlm', from: string, to: string, overrides: Partial<Finding>): Finding =>
    finding({
      check,
      domain: from,
      target: { kind: 'path', from, to },
      observed: { protocol: check === 'auth.ntlm' ? 'ntlm' : 'kerberos', allowed: true },
      ...overrides,
    });
  const findings = [
    auth('auth.kerberos', 'tailspin.test', 'wingtip.test', {
      message:
        'tailspin.test users authenticate to wingtip.test: service ticket for ldap/dcb.wingtip.test after 1 referral',
    }),
    auth('auth.ntlm', 'tailspin.test', 'wingtip.test', {
      status: 'critical',
      message:
        'tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC000018D STATUS_TRUSTED_RELATIONSHIP_FAILURE: the secure channel to tailspin.test is broken',
      remediation: 'nltest /server:dcb.wingtip.test /sc_reset:tailspin.test',
      observed: { protocol: 'ntlm', dc: 'dcb.wingtip.test', port: 445, status: '0xC000018D' },
    }),
    auth('auth.ntlm', 'wingtip.test', 'tailspin.test', {
      status: 'unknown',
      message:
        'NTLM across the trust not tested: no DC of tailspin.test took a connection on its SMB port: dca.tailspin.test (198.51.100.10) port 445: no answer to the connect in 3 s',
      remediation:
        'allow TCP 445 (SMB) from this host to the DCs of tailspin.test; this says nothing about the trust itself',
    }),
    auth('auth.kerberos', 'wingtip.test', 'tailspin.test', { message: 'wingtip.test users authenticate' }),
  ];
  const report = buildReport(
    [{ family: 'auth', startedAt: at, durationSeconds: 1, measurements: [], findings }],
    at,
    1,
  );

  it('puts NTLM findings in a section "NTLM" beside "Kerberos"', () => {
    const text = renderText(report, config, ['auth'], { colour: false, verbose: false });
    assert.equal(
      text,
      [
        'CRITICAL 1 critical, 1 unknown, 2 ok   (auth in 1s, 2026-11-21T10:00:00Z)',
        '',
        'Authentication across the trusts',
        '  NTLM',
        '    CRITICAL tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC000018D STATUS_TRUSTED_RELATIONSHIP_FAILURE: the secure channel to tailspin.test is broken  [auth.ntlm]',
        '             fix: nltest /server:dcb.wingtip.test /sc_reset:tailspin.test',
        '    UNKNOWN  NTLM across the trust not tested: no DC of tailspin.test took a connection on its SMB port: dca.tailspin.test (198.51.100.10) port 445: no answer to the connect in 3 s  [auth.ntlm]',
        '             fix: allow TCP 445 (SMB) from this host to the DCs of tailspin.test; this says nothing about the trust itself',
        '  Kerberos',
        '    OK       2 checks ok: kerberos',
        '',
      ].join('\n'),
    );
  });

  it("--verbose lists each protocol's findings under its own section", () => {
    const text = renderText(report, config, ['auth'], { colour: false, verbose: true });
    const kerberos = text.indexOf('\n  Kerberos\n');
    const ntlm = text.indexOf('\n  NTLM\n');
    assert.ok(kerberos > 0 && ntlm > 0, text);
    assert.ok(text.indexOf('wingtip.test users authenticate') > kerberos);
    assert.ok(text.indexOf('in 3 s  [auth.ntlm]') > ntlm && text.indexOf('in 3 s  [auth.ntlm]') < kerberos);
  });

  it('probe path --live prints the NTLM logon after the Kerberos hops: the DC, the verdict and its fix', () => {
    assert.equal(
      renderNtlm(findings[1] as Finding),
      [
        'tailspin.test->wingtip.test (NTLM at dcb.wingtip.test:445):',
        'CRITICAL tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC000018D STATUS_TRUSTED_RELATIONSHIP_FAILURE: the secure channel to tailspin.test is broken',
        '  fix: nltest /server:dcb.wingtip.test /sc_reset:tailspin.test',
        '',
      ].join('\n'),
    );
    assert.equal(
      renderNtlm(findings[2] as Finding),
      'wingtip.test->tailspin.test (NTLM):\nUNKNOWN NTLM across the trust not tested: no DC of tailspin.test took a connection on its SMB port: dca.tailspin.test (198.51.100.10) port 445: no answer to the connect in 3 s\n  fix: allow TCP 445 (SMB) from this host to the DCs of tailspin.test; this says nothing about the trust itself\n',
    );
  });

  it('the JSON report renders the path target of an auth.ntlm finding as of auth.kerberos', () => {
    const json = reportJson(report).findings.filter((f) => f.check === 'auth.ntlm');
    assert.deepEqual(
      json.map((f) => [f.status, f.target]),
      [
        ['critical', 'tailspin.test->wingtip.test'],
        ['unknown', 'wingtip.test->tailspin.test'],
      ],
    );
  });
});

describe('the text report of a large estate', () => {
  const dcs = Array.from({ length: 500 }, (_, index) => `dc${String(index).padStart(3, '0')}.wingtip.test`);
  const portFinding = (host: string, port: number, state: 'open' | 'filtered'): Finding =>
    finding({
      check: 'port.tcp',
      status: state === 'open' ? 'ok' : 'critical',
      target: { kind: 'port', host, port, transport: 'tcp' },
      message:
        state === 'open'
          ? `TCP ${port} open on ${host}: connected in 1 ms`
          : `TCP ${port} (Global Catalog) filtered on ${host} (198.51.100.7): no answer in 3s`,
      remediation:
        state === 'open' ? '' : `allow TCP ${port} from this host to ${host} (198.51.100.7) in every firewall`,
      observed: { state, port },
    });
  // 480 of the 500 DCs have 3268 filtered; every DC has 389 open.
  const findings = dcs.flatMap((host, index) => [
    portFinding(host, 389, 'open'),
    portFinding(host, 3268, index < 20 ? 'open' : 'filtered'),
  ]);
  const at = new Date('2026-11-21T10:00:00Z');
  const report = buildReport(
    [{ family: 'ports', startedAt: at, durationSeconds: 2, measurements: [], findings }],
    at,
    2,
  );

  it('opens with a summary by domain, then collapses alike problems of many DCs into one line with a few names', () => {
    const text = renderText(report, config, ['ports'], { colour: false, verbose: false });
    assert.equal(
      text,
      [
        'CRITICAL 480 critical, 520 ok   (ports in 2s, 2026-11-21T10:00:00Z)',
        '',
        'Summary',
        '  CRITICAL Domain wingtip.test: 500 DCs, 480 with a problem; 480 critical, 520 ok',
        '',
        'Domain wingtip.test',
        '  500 DCs',
        '    OK       20 of 500 DCs without a problem',
        '    CRITICAL TCP 3268 (Global Catalog) filtered on 480 of 500 DCs: no answer in 3s  [port.tcp]',
        '             dc020.wingtip.test, dc021.wingtip.test, dc022.wingtip.test and 477 more',
        '             fix: allow TCP 3268 from this host to each of them in every firewall',
        '',
      ].join('\n'),
    );
  });

  it('--verbose lists every finding of every DC, as before', () => {
    const text = renderText(report, config, ['ports'], { colour: false, verbose: true });
    for (const host of dcs) assert.ok(text.includes(`TCP 389 open on ${host}`), host);
    assert.equal(text.split('\n').filter((line) => line.includes('filtered on dc')).length, 480);
  });

  it('the JSON report keeps every finding, as product.md fixes it', () => {
    assert.equal(reportJson(report).findings.length, 1000);
  });
});
