// The analysis of what the domains said over LDAP, on reads shaped like the lab's: three
// forests, A<->B and B<->C forest trusts, and A trusting C one-way (external).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DomainRead, TrustRecord } from '../../../probes/analysis/domain-read.js';
import { analyseTrusts, passwordLastSet, trustGraph } from '../../../probes/analysis/trust-analysis.js';
import { describePath, findPath } from '../../../probes/analysis/trust-paths.js';
import type { Finding } from '../../../probes/model/finding.js';
import { configFrom, planOf, targetText } from '../../support/config.js';

type Read = Extract<DomainRead, { ok: true }>;
const NOW = new Date('2026-11-21T12:00:00Z');
const daysAgo = (days: number) => new Date(NOW.getTime() - days * 86_400_000);

const config = configFrom(
  `
domains:
  tailspin.test:
    ldap: { url: ldaps://dca.tailspin.test, bind_dn: probe@tailspin.test, password_env: PW }
  wingtip.test:
    ldap: { url: ldaps://dcb.wingtip.test, bind_dn: probe@wingtip.test, password_env: PW }
  fabrikam.test:
    ldap: { url: ldaps://dcc.fabrikam.test, bind_dn: probe@fabrikam.test, password_env: PW }
trusts:
  - between: [tailspin.test, wingtip.test]
    type: forest
  - between: [wingtip.test, fabrikam.test]
    type: forest
  - trusting: tailspin.test
    trusted: fabrikam.test
    type: external
preauth:
  allow: [tailspin.test/svc_legacy]
`,
  { readFile: () => '', env: { PW: 'secret-Pw-123' } },
);

const FLAT: Record<string, string> = {
  'tailspin.test': 'TAILSPIN',
  'wingtip.test': 'WINGTIP',
  'fabrikam.test': 'FABRIKAM',
};

/** msDS-TrustForestTrustInfo with one top-level name record per name (MS-ADTS 6.1.6.9.3). */
function forestInfo(names: { name: string; flags?: number }[]): Buffer {
  const records = names.map(({ name, flags = 0 }) => {
    const text = Buffer.from(name, 'utf8');
    const record = Buffer.alloc(4 + 4 + 8 + 1 + 4 + text.length);
    record.writeUInt32LE(record.length - 4, 0);
    record.writeUInt32LE(flags, 4);
    record.writeUInt8(0, 16);
    record.writeUInt32LE(text.length, 17);
    text.copy(record, 21);
    return record;
  });
  const header = Buffer.alloc(8);
  header.writeUInt32LE(1, 0);
  header.writeUInt32LE(records.length, 4);
  return Buffer.concat([header, ...records]);
}

type FtiRecord =
  | { type: 'tln'; name: string; flags?: number }
  | { type: 'domain_info' | 'scanner_info'; dnsName: string; netbiosName: string; flags?: number };

function counted(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32LE(bytes.length, 0);
  return Buffer.concat([length, bytes]);
}

/** msDS-TrustForestTrustInfo with any mix of TLN, domain-info and scanner-info records (timestamps 0). */
function forestInfoOf(records: FtiRecord[]): Buffer {
  const bodies = records.map((record) => {
    const fixed = Buffer.alloc(13);
    fixed.writeUInt32LE(record.flags ?? 0, 0);
    if (record.type === 'tln') {
      fixed.writeUInt8(0, 12);
      return counted(Buffer.concat([fixed, counted(Buffer.from(record.name, 'utf8'))]));
    }
    const domain = Buffer.concat([
      counted(Buffer.alloc(0)),
      counted(Buffer.from(record.dnsName, 'utf8')),
      counted(Buffer.from(record.netbiosName, 'utf8')),
    ]);
    fixed.writeUInt8(record.type === 'domain_info' ? 2 : 4, 12);
    return counted(
      Buffer.concat([
        fixed,
        record.type === 'domain_info' ? domain : counted(Buffer.concat([Buffer.from([4]), domain])),
      ]),
    );
  });
  const header = Buffer.alloc(8);
  header.writeUInt32LE(1, 0);
  header.writeUInt32LE(records.length, 4);
  return Buffer.concat([header, ...bodies]);
}

function withForestInfo(reads: Map<string, Read>, domain: string, partner: string, info: Buffer): void {
  const read = reads.get(domain) as Read;
  reads.set(domain, {
    ...read,
    trusts: read.trusts.map((trust) => (trust.partner === partner ? { ...trust, forestTrustInfo: info } : trust)),
  });
}

function tdo(
  domain: string,
  partner: string,
  direction: number,
  attributes: number,
  extra: Partial<TrustRecord> = {},
): TrustRecord {
  return {
    domain,
    partner,
    flatName: FLAT[partner] ?? partner.toUpperCase(),
    direction,
    type: 2,
    attributes,
    encryptionTypes: 24,
    sid: 'S-1-5-21-1-2-3',
    whenCreated: daysAgo(100),
    whenChanged: daysAgo(3),
    forestTrustInfo: (attributes & 8) !== 0 ? forestInfo([{ name: partner }]) : undefined,
    trustAuthChanged: undefined,
    ...extra,
  };
}

// The lab's DCs are Samba 4.17: they name their version in the rootDSE, and run no trust scanner.
const LAB_ROOT_DSE = { vendorVersion: '4.17.12-Debian' };

function labReads(rootDse: Read['rootDse'] = LAB_ROOT_DSE): Map<string, Read> {
  const read = (domain: string, trusts: TrustRecord[], accounts: string[]): Read => ({
    ok: true,
    domain,
    server: `dc.${domain}:636`,
    seconds: 0.05,
    trusts,
    trustAccounts: accounts.map((name) => ({ name, pwdLastSet: daysAgo(5) })),
    localNames: [domain],
    rootDse,
    preauth: [],
    problems: [],
  });
  return new Map([
    [
      'tailspin.test',
      read(
        'tailspin.test',
        [tdo('tailspin.test', 'wingtip.test', 3, 8), tdo('tailspin.test', 'fabrikam.test', 2, 4)],
        ['WINGTIP$'],
      ),
    ],
    [
      'wingtip.test',
      read(
        'wingtip.test',
        [tdo('wingtip.test', 'tailspin.test', 3, 8), tdo('wingtip.test', 'fabrikam.test', 3, 8)],
        ['TAILSPIN$', 'FABRIKAM$'],
      ),
    ],
    [
      'fabrikam.test',
      read(
        'fabrikam.test',
        [tdo('fabrikam.test', 'wingtip.test', 3, 8), tdo('fabrikam.test', 'tailspin.test', 1, 4)],
        ['WINGTIP$', 'TAILSPIN$'],
      ),
    ],
  ]);
}

function run(reads: Map<string, Read>, extra: DomainRead[] = []) {
  return analyseTrusts(planOf(config).ldap, [...reads.values(), ...extra], NOW);
}

function only(findings: Finding[], check: string, domain: string, target: string): Finding {
  const found = findings.filter(
    (finding) => finding.check === check && finding.domain === domain && targetText(finding) === target,
  );
  assert.equal(found.length, 1, `${check} ${domain} ${target}: ${found.length} findings`);
  return found[0] as Finding;
}

describe('trust analysis on the lab topology', () => {
  it('healthy: every trust expected, consistent, no problem', () => {
    const output = run(labReads());
    const problems = output.findings.filter((finding) => finding.status !== 'ok');
    assert.deepEqual(
      problems.map((f) => `${f.check} ${f.domain} ${targetText(f)}: ${f.message}`),
      [],
    );
    assert.equal(output.findings.filter((f) => f.check === 'trust.expected').length, 6);
    assert.equal(output.findings.filter((f) => f.check === 'trust.consistent').length, 6);
    const present = output.measurements.filter((m) => m.kind === 'trust_present');
    assert.equal(present.length, 6);
    assert.ok(present.every((m) => m.present));
  });

  it('paths: A<->B, B<->C, C users to A; none from A users to C, and it says why', () => {
    const graph = trustGraph(planOf(config).ldap, labReads());
    const available = (from: string, to: string) => findPath(graph, from, to).available;
    assert.equal(available('tailspin.test', 'wingtip.test'), true);
    assert.equal(available('wingtip.test', 'tailspin.test'), true);
    assert.equal(available('wingtip.test', 'fabrikam.test'), true);
    assert.equal(available('fabrikam.test', 'wingtip.test'), true);
    assert.equal(available('fabrikam.test', 'tailspin.test'), true);
    const blocked = findPath(graph, 'tailspin.test', 'fabrikam.test');
    assert.equal(blocked.available, false);
    assert.ok(!blocked.available);
    assert.match(
      blocked.reason,
      /the trust runs the other way: tailspin\.test trusts fabrikam\.test \(external trust\)/,
    );
    assert.match(blocked.reason, /not transitive through a third forest/);
    assert.match(
      describePath('tailspin.test', 'fabrikam.test', blocked),
      /NOT available\n {2}1\. \[tailspin\.test\] .*\n {2}2\. \[tailspin\.test\] breaks here: /,
    );
    const chain = describePath('wingtip.test', 'tailspin.test', findPath(graph, 'wingtip.test', 'tailspin.test'));
    assert.match(chain, /referral ticket krbtgt\/TAILSPIN\.TEST@WINGTIP\.TEST/);
    const paths = run(labReads()).measurements.filter((m) => m.kind === 'trust_path');
    assert.equal(paths.length, 6);
    assert.deepEqual(
      paths.filter((m) => !m.available).map((m) => `${m.fromDomain}->${m.toDomain}`),
      ['tailspin.test->fabrikam.test'],
    );
  });

  it("two trust objects for one partner that was not read: one edge each way, of the first object's kind", () => {
    const reads = labReads();
    const tailspin = reads.get('tailspin.test') as Read;
    reads.set('tailspin.test', {
      ...tailspin,
      trusts: [
        ...tailspin.trusts,
        tdo('tailspin.test', 'partner.example', 3, 4),
        tdo('tailspin.test', 'partner.example', 3, 8),
        tdo('tailspin.test', 'partner.example', 1, 8),
      ],
    });
    const edges = trustGraph(planOf(config).ldap, reads).edges.filter(
      (edge) => edge.trusting === 'partner.example' || edge.trusted === 'partner.example',
    );
    assert.deepEqual(edges, [
      { trusting: 'tailspin.test', trusted: 'partner.example', kind: 'external' },
      { trusting: 'partner.example', trusted: 'tailspin.test', kind: 'external' },
    ]);
  });

  it('one side deleted: expected missing (critical), inconsistent on both sides, the path gone', () => {
    const reads = labReads();
    const wingtip = reads.get('wingtip.test') as Read;
    reads.set('wingtip.test', {
      ...wingtip,
      trusts: wingtip.trusts.filter((trust) => trust.partner !== 'tailspin.test'),
    });
    const output = run(reads);
    const expected = only(output.findings, 'trust.expected', 'wingtip.test', 'tailspin.test');
    assert.equal(expected.status, 'critical');
    assert.equal(
      expected.message,
      'wingtip.test has no trust object for tailspin.test (expected forest, bidirectional)',
    );
    const consistent = only(output.findings, 'trust.consistent', 'tailspin.test', 'wingtip.test');
    assert.equal(consistent.status, 'critical');
    assert.match(
      consistent.message,
      /wingtip\.test has no trust object for tailspin\.test, but tailspin\.test has one \(bidirectional\)/,
    );
    assert.equal(only(output.findings, 'trust.consistent', 'wingtip.test', 'tailspin.test').status, 'critical');
    const path = only(output.findings, 'trust.path', 'wingtip.test', 'wingtip.test->tailspin.test');
    assert.equal(path.status, 'critical');
    assert.match(path.message, /though the config expects it/);
    assert.ok(
      output.measurements.some(
        (m) =>
          m.kind === 'trust_present' &&
          m.domain === 'wingtip.test' &&
          m.partnerDomain === 'tailspin.test' &&
          !m.present,
      ),
    );
  });

  it('one direction changed: the directions no longer mirror', () => {
    const reads = labReads();
    const tailspin = reads.get('tailspin.test') as Read;
    reads.set('tailspin.test', {
      ...tailspin,
      trusts: tailspin.trusts.map((trust) => (trust.partner === 'wingtip.test' ? { ...trust, direction: 1 } : trust)),
    });
    const output = run(reads);
    const expected = only(output.findings, 'trust.expected', 'tailspin.test', 'wingtip.test');
    assert.equal(expected.status, 'critical');
    assert.equal(
      expected.message,
      'tailspin.test -> wingtip.test: found forest, inbound, expected forest, bidirectional',
    );
    const consistent = only(output.findings, 'trust.consistent', 'tailspin.test', 'wingtip.test');
    assert.match(
      consistent.message,
      /directions do not mirror: tailspin\.test says inbound, wingtip\.test says bidirectional/,
    );
  });

  it('a missing trust account on the inbound side is an inconsistency', () => {
    const reads = labReads();
    const fabrikam = reads.get('fabrikam.test') as Read;
    reads.set('fabrikam.test', {
      ...fabrikam,
      trustAccounts: fabrikam.trustAccounts.filter((account) => account.name !== 'TAILSPIN$'),
    });
    const consistent = only(run(reads).findings, 'trust.consistent', 'fabrikam.test', 'tailspin.test');
    assert.equal(consistent.status, 'critical');
    assert.match(consistent.message, /fabrikam\.test lacks the trust account TAILSPIN\$ its inbound direction needs/);
  });

  it('a trust found but not configured is reported as information', () => {
    const reads = labReads();
    const tailspin = reads.get('tailspin.test') as Read;
    reads.set('tailspin.test', {
      ...tailspin,
      trusts: [...tailspin.trusts, tdo('tailspin.test', 'contoso.test', 2, 4)],
    });
    const unexpected = only(run(reads).findings, 'trust.unexpected', 'tailspin.test', 'contoso.test');
    assert.equal(unexpected.status, 'ok');
    assert.match(unexpected.message, /trust found that the config does not list/);
  });
});

describe('forest trust info', () => {
  it('names disabled by conflict and a partner name that covers a local UPN suffix are warnings', () => {
    const reads = labReads();
    const tailspin = reads.get('tailspin.test') as Read;
    const info = forestInfo([{ name: 'wingtip.test' }, { name: 'partners.test', flags: 0x4 }, { name: 'corp.test' }]);
    reads.set('tailspin.test', {
      ...tailspin,
      localNames: ['tailspin.test', 'eu.corp.test'],
      trusts: tailspin.trusts.map((trust) =>
        trust.partner === 'wingtip.test' ? { ...trust, forestTrustInfo: info } : trust,
      ),
    });
    const output = run(reads);
    const names = only(output.findings, 'trust.forest_info', 'tailspin.test', 'wingtip.test');
    assert.equal(names.status, 'warning');
    assert.match(names.message, /partners\.test \(disabled_conflict\)/);
    const collision = only(output.findings, 'trust.name_collision', 'tailspin.test', 'wingtip.test');
    assert.equal(collision.status, 'warning');
    assert.match(collision.message, /corp\.test vs eu\.corp\.test \(partner covers local\)/);
  });

  it('a blob that does not parse is a warning that says where it breaks', () => {
    const reads = labReads();
    const tailspin = reads.get('tailspin.test') as Read;
    const broken = forestInfo([{ name: 'wingtip.test' }]).subarray(0, 20);
    reads.set('tailspin.test', {
      ...tailspin,
      trusts: tailspin.trusts.map((trust) =>
        trust.partner === 'wingtip.test' ? { ...trust, forestTrustInfo: broken } : trust,
      ),
    });
    const finding = only(run(reads).findings, 'trust.forest_info', 'tailspin.test', 'wingtip.test');
    assert.equal(finding.status, 'warning');
    assert.match(finding.message, /does not parse: record 0/);
  });
});

describe('trust password age', () => {
  const read = labReads().get('tailspin.test') as Read;

  it('uses pwdLastSet of the trust account when the direction includes inbound', () => {
    const last = passwordLastSet(tdo('tailspin.test', 'wingtip.test', 3, 8), read);
    assert.deepEqual(last, { at: daysAgo(5), source: 'pwdLastSet of the trust account WINGTIP$' });
  });
  it('else the replication metadata of trustAuth*, else whenChanged, and says which', () => {
    const outbound = tdo('tailspin.test', 'fabrikam.test', 2, 4, {
      trustAuthChanged: { incoming: daysAgo(40), outgoing: daysAgo(10) },
    });
    assert.deepEqual(passwordLastSet(outbound, read), {
      at: daysAgo(10),
      source: 'replication metadata of trustAuthIncoming/trustAuthOutgoing',
    });
    assert.deepEqual(passwordLastSet(tdo('tailspin.test', 'fabrikam.test', 2, 4), read), {
      at: daysAgo(3),
      source: 'whenChanged of the trust object (last resort)',
    });
  });
  for (const [days, status] of [
    [44, 'ok'],
    [46, 'warning'],
    [61, 'critical'],
  ] as const) {
    it(`${days} days old: ${status}`, () => {
      const reads = labReads();
      const tailspin = reads.get('tailspin.test') as Read;
      reads.set('tailspin.test', { ...tailspin, trustAccounts: [{ name: 'WINGTIP$', pwdLastSet: daysAgo(days) }] });
      const finding = only(run(reads).findings, 'trust.password_age', 'tailspin.test', 'wingtip.test');
      assert.equal(finding.status, status);
      assert.equal(finding.observed['age_days'], days);
    });
  }
});

describe('accounts without pre-authentication', () => {
  it('privileged critical, unlisted warning, allow-listed ok; names in messages, never in targets', () => {
    const reads = labReads();
    const tailspin = reads.get('tailspin.test') as Read;
    reads.set('tailspin.test', {
      ...tailspin,
      preauth: [
        { name: 'roast_admin', privileged: true, kind: 'user' },
        { name: 'roast_user', privileged: false, kind: 'user' },
        { name: 'svc_legacy', privileged: false, kind: 'user' },
      ],
    });
    const output = run(reads);
    const privileged = only(output.findings, 'preauth.privileged', 'tailspin.test', 'tailspin.test');
    assert.equal(privileged.status, 'critical');
    assert.match(privileged.message, /roast_admin \(user\)/);
    const unexpected = only(output.findings, 'preauth.unexpected', 'tailspin.test', 'tailspin.test');
    assert.equal(unexpected.status, 'warning');
    assert.match(unexpected.message, /: roast_user \(user\)$/);
    assert.ok(!unexpected.message.includes('svc_legacy'));
    assert.ok(output.findings.every((finding) => !/roast|svc_legacy/.test(targetText(finding))));
    assert.deepEqual(
      output.measurements.filter((m) => m.kind === 'preauth' && m.domain === 'tailspin.test'),
      [{ kind: 'preauth', domain: 'tailspin.test', accounts: 3, unexpected: 1, privileged: 1 }],
    );
  });
});

describe('bind failures', () => {
  it('a failed bind is critical, says why in words, and never carries the password', () => {
    const reads = labReads();
    reads.delete('fabrikam.test');
    const failed: DomainRead = {
      ok: false,
      domain: 'fabrikam.test',
      server: 'dcc.fabrikam.test:636',
      seconds: 0.1,
      failure: 'wrong credentials',
      detail: 'the server rejected the bind (invalidCredentials)',
    };
    const output = run(reads, [failed]);
    const bind = only(output.findings, 'ldap.bind', 'fabrikam.test', 'dcc.fabrikam.test:636');
    assert.equal(bind.status, 'critical');
    assert.equal(
      bind.message,
      'cannot bind to dcc.fabrikam.test:636 as probe@fabrikam.test: wrong credentials (the server rejected the bind (invalidCredentials))',
    );
    assert.match(bind.remediation, /password_file or password_env for probe@fabrikam\.test/);
    assert.ok(!JSON.stringify(output).includes('secret-Pw-123'));
    // Consistency needs both sides; with one unreadable it is not claimed either way.
    assert.ok(
      !output.findings.some(
        (finding) => finding.check === 'trust.consistent' && targetText(finding) === 'fabrikam.test',
      ),
    );
    assert.ok(output.measurements.some((m) => m.kind === 'ldap_bind' && m.domain === 'fabrikam.test' && !m.success));
  });
});

describe('remediation lines in the findings name the trusting domain first', () => {
  it('a missing side of an external trust: both findings create it from the trusting side', () => {
    const reads = labReads();
    for (const [domain, partner] of [
      ['tailspin.test', 'fabrikam.test'],
      ['fabrikam.test', 'tailspin.test'],
    ] as const) {
      const read = reads.get(domain) as Read;
      reads.set(domain, { ...read, trusts: read.trusts.filter((trust) => trust.partner !== partner) });
    }
    const output = run(reads);
    for (const [domain, partner] of [
      ['tailspin.test', 'fabrikam.test'],
      ['fabrikam.test', 'tailspin.test'],
    ] as const) {
      const expected = only(output.findings, 'trust.expected', domain, partner);
      assert.equal(expected.status, 'critical');
      assert.equal(
        expected.remediation,
        'create the trust (both sides at once): netdom trust tailspin.test /domain:fabrikam.test /add /userD:fabrikam.test\\<admin> /passwordD:* /userO:tailspin.test\\<admin> /passwordO:*',
      );
    }
  });

  it('a missing side of a forest trust: no netdom line, which cannot create one', () => {
    const reads = labReads();
    const wingtip = reads.get('wingtip.test') as Read;
    reads.set('wingtip.test', {
      ...wingtip,
      trusts: wingtip.trusts.filter((trust) => trust.partner !== 'tailspin.test'),
    });
    const expected = only(run(reads).findings, 'trust.expected', 'wingtip.test', 'tailspin.test');
    assert.match(
      expected.remediation,
      /^create the forest trust on the forest roots in Active Directory Domains and Trusts \(New Trust Wizard: tailspin\.test trusts wingtip\.test, two-way\)/,
    );
    assert.doesNotMatch(expected.remediation, /netdom trust/);
  });

  it('a changed direction: re-create from the trusting side', () => {
    const reads = labReads();
    const fabrikam = reads.get('fabrikam.test') as Read;
    reads.set('fabrikam.test', {
      ...fabrikam,
      trusts: fabrikam.trusts.map((trust) => (trust.partner === 'tailspin.test' ? { ...trust, direction: 3 } : trust)),
    });
    const expected = only(run(reads).findings, 'trust.expected', 'fabrikam.test', 'tailspin.test');
    assert.equal(expected.status, 'critical');
    assert.match(
      expected.remediation,
      /^re-create the trust: netdom trust tailspin\.test \/domain:fabrikam\.test \/remove, then netdom trust tailspin\.test \/domain:fabrikam\.test \/add \/userD:fabrikam\.test/,
    );
  });

  it('sides that disagree, read on the trusted side: /verify names the trusting domain first', () => {
    const reads = labReads();
    const fabrikam = reads.get('fabrikam.test') as Read;
    reads.set('fabrikam.test', {
      ...fabrikam,
      trustAccounts: fabrikam.trustAccounts.filter((account) => account.name !== 'TAILSPIN$'),
    });
    const output = run(reads);
    for (const domain of ['fabrikam.test', 'tailspin.test']) {
      const partner = domain === 'fabrikam.test' ? 'tailspin.test' : 'fabrikam.test';
      const consistent = only(output.findings, 'trust.consistent', domain, partner);
      assert.equal(consistent.status, 'critical');
      assert.match(
        consistent.remediation,
        /: netdom trust tailspin\.test \/domain:fabrikam\.test \/verify shows the broken side/,
      );
      assert.doesNotMatch(consistent.remediation, /netdom trust fabrikam\.test \/domain:tailspin\.test/);
    }
  });

  it('an old trust password: /reset from the trusting side', () => {
    const reads = labReads();
    const fabrikam = reads.get('fabrikam.test') as Read;
    reads.set('fabrikam.test', {
      ...fabrikam,
      trustAccounts: fabrikam.trustAccounts.map((account) => ({ ...account, pwdLastSet: daysAgo(50) })),
    });
    const age = only(run(reads).findings, 'trust.password_age', 'fabrikam.test', 'tailspin.test');
    assert.equal(age.status, 'warning');
    assert.match(
      age.remediation,
      /reset it with netdom trust tailspin\.test \/domain:fabrikam\.test \/reset \/userD:fabrikam\.test\\<admin> \/passwordD:\*/,
    );
  });

  it('disabled names: list them with /namesuffixes:<partner>, no /domain:', () => {
    const reads = labReads();
    withForestInfo(
      reads,
      'tailspin.test',
      'wingtip.test',
      forestInfo([{ name: 'wingtip.test' }, { name: 'partners.test', flags: 0x2 }]),
    );
    const names = only(run(reads).findings, 'trust.forest_info', 'tailspin.test', 'wingtip.test');
    assert.equal(names.status, 'warning');
    assert.match(
      names.remediation,
      /^list the name suffixes of wingtip\.test with netdom trust tailspin\.test \/namesuffixes:wingtip\.test, then enable a disabled one with netdom trust tailspin\.test \/namesuffixes:wingtip\.test \/togglesuffix:<number>/,
    );
    const reads2 = labReads();
    withForestInfo(reads2, 'tailspin.test', 'wingtip.test', forestInfo([{ name: 'wingtip.test' }]).subarray(0, 12));
    assert.match(
      only(run(reads2).findings, 'trust.forest_info', 'tailspin.test', 'wingtip.test').remediation,
      /Name Suffix Routing, Refresh\) on tailspin\.test's forest root, then check them with netdom trust tailspin\.test \/namesuffixes:wingtip\.test$/,
    );
  });
});

describe('forest trust info flags in the findings', () => {
  it('a domain-info record with flag 0x1 is a SID disabled by the admin; a scanner-info record with 0x1 is target validation off', () => {
    const reads = labReads();
    withForestInfo(
      reads,
      'tailspin.test',
      'wingtip.test',
      forestInfoOf([
        { type: 'tln', name: 'wingtip.test' },
        { type: 'domain_info', dnsName: 'wingtip.test', netbiosName: 'WINGTIP' },
        { type: 'domain_info', dnsName: 'old.wingtip.test', netbiosName: 'OLD', flags: 0x1 },
        { type: 'scanner_info', dnsName: 'wingtip.test', netbiosName: 'WINGTIP' },
        { type: 'scanner_info', dnsName: 'child.wingtip.test', netbiosName: 'CHILD', flags: 0x1 },
      ]),
    );
    const output = run(reads);
    const names = only(output.findings, 'trust.forest_info', 'tailspin.test', 'wingtip.test');
    assert.equal(names.status, 'warning');
    assert.match(names.message, /names of the partner disabled: old\.wingtip\.test \(sid_disabled_admin\)$/);
    const atv = only(output.findings, 'trust.auth_target_validation', 'tailspin.test', 'wingtip.test');
    assert.equal(atv.status, 'warning');
    assert.match(atv.message, /for child\.wingtip\.test/);
    assert.equal(
      atv.remediation,
      'netdom trust tailspin.test /domain:wingtip.test /AuthTargetValidation:yes /ChildDomain:child.wingtip.test',
    );
  });

  it('NetBIOS disabled by the admin is named too', () => {
    const reads = labReads();
    withForestInfo(
      reads,
      'tailspin.test',
      'wingtip.test',
      forestInfoOf([
        { type: 'tln', name: 'wingtip.test' },
        { type: 'domain_info', dnsName: 'wingtip.test', netbiosName: 'WINGTIP', flags: 0x4 },
      ]),
    );
    assert.match(
      only(run(reads).findings, 'trust.forest_info', 'tailspin.test', 'wingtip.test').message,
      /wingtip\.test \(netbios_disabled_admin\)/,
    );
  });
});

describe('trust.scanner in the findings', () => {
  it('the Samba 4.17 lab: not applicable on every forest trust, so the healthy lab stays ok', () => {
    const scanner = run(labReads()).findings.filter((finding) => finding.check === 'trust.scanner');
    assert.equal(scanner.length, 4);
    for (const finding of scanner) {
      assert.equal(finding.status, 'ok');
      assert.match(finding.message, /: not applicable: No trust scanner is expected in .*Samba 4\.17\.12-Debian/);
      assert.equal(finding.observed['verdict'], 'not_applicable');
    }
  });

  it('Windows forest roots without scanner records: a warning on each inbound side, naming "Allowed to authenticate" only where the partner uses selective authentication', () => {
    const reads = labReads({ vendorVersion: undefined });
    const wingtip = reads.get('wingtip.test') as Read;
    reads.set('wingtip.test', {
      ...wingtip,
      trusts: wingtip.trusts.map((trust) =>
        trust.partner === 'tailspin.test' ? { ...trust, attributes: 0x18 } : trust,
      ),
    });
    const output = run(reads);
    const scanner = output.findings.filter((finding) => finding.check === 'trust.scanner');
    assert.deepEqual(
      scanner.map((finding) => finding.status),
      ['warning', 'warning', 'warning', 'warning'],
    );
    const selective = only(output.findings, 'trust.scanner', 'tailspin.test', 'wingtip.test');
    assert.match(
      selective.message,
      /wingtip\.test uses selective authentication for this trust, so the PDC needs "Allowed to authenticate"/,
    );
    assert.match(selective.remediation, /netdom trust tailspin\.test \/domain:wingtip\.test \/InvokeTrustScanner/);
    assert.deepEqual(selective.observed['missing'], ['wingtip.test']);
    assert.doesNotMatch(
      only(output.findings, 'trust.scanner', 'wingtip.test', 'tailspin.test').message,
      /Allowed to authenticate/,
    );
  });

  it('Windows with scanner records covering the partner: ok; an unreadable rootDSE: unknown', () => {
    const reads = labReads({ vendorVersion: undefined });
    withForestInfo(
      reads,
      'tailspin.test',
      'wingtip.test',
      forestInfoOf([
        { type: 'tln', name: 'wingtip.test' },
        { type: 'domain_info', dnsName: 'wingtip.test', netbiosName: 'WINGTIP' },
        { type: 'scanner_info', dnsName: 'wingtip.test', netbiosName: 'WINGTIP' },
      ]),
    );
    assert.equal(only(run(reads).findings, 'trust.scanner', 'tailspin.test', 'wingtip.test').status, 'ok');
    const unreadable = new Map([...labReads()].map(([domain, read]) => [domain, { ...read, rootDse: undefined }]));
    const unknown = only(run(unreadable).findings, 'trust.scanner', 'tailspin.test', 'wingtip.test');
    assert.equal(unknown.status, 'unknown');
  });

  it('external trusts get no trust.scanner finding', () => {
    assert.equal(
      run(labReads()).findings.filter(
        (finding) =>
          finding.check === 'trust.scanner' &&
          targetText(finding) === 'fabrikam.test' &&
          finding.domain === 'tailspin.test',
      ).length,
      0,
    );
  });
});
