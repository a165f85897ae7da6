// The LDAP family against the real Samba AD lab: the inventory on every side, consistency,
// trust paths, pre-auth accounts, each trust fault, and every kind of bind failure.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { JsonFinding as Finding } from '../../agent/outputs/report.js';
import { findings, lab, LAB_CONFIG, probeCommand, probeRun, probeUntil, tempConfig, type Report } from './support.js';

const LAB_PASSWORD = 'Lab-Pass-2026!';
const LDAP = ['--only', 'ldap'];
const labText = readFileSync(LAB_CONFIG, 'utf8');
const outputs: string[] = [];

async function ldapRun(config?: string): Promise<Report> {
  const report = await probeRun(LDAP, config);
  outputs.push(JSON.stringify(report));
  return report;
}

function one(report: Report, check: string, domain: string, target: string): Finding {
  const found = findings(report, check, (f) => f.domain === domain && f.target === target);
  assert.equal(found.length, 1, `${check} ${domain} ${target}: ${found.map((f) => f.message).join(' | ')}`);
  return found[0] as Finding;
}

/** Problems apart from the lab's roastable admin, which is critical by design. */
function problemsBesidesRoastAdmin(report: Report): Finding[] {
  return report.findings.filter(
    (f) => f.status !== 'ok' && !(f.check === 'preauth.privileged' && f.domain === 'tailspin.test'),
  );
}
const healthy = (report: Report) => problemsBesidesRoastAdmin(report).length === 0;

/** The lab config with tailspin.test's ldap section changed. */
function tailspinLdap(change: (section: string) => string): string {
  const start = labText.indexOf('  tailspin.test:');
  const end = labText.indexOf('  wingtip.test:');
  return tempConfig(labText.slice(0, start) + change(labText.slice(start, end)) + labText.slice(end));
}

before(async () => {
  await lab('reset');
  await probeUntil(LDAP, 'a healthy lab over LDAP', healthy, 90);
});

after(async () => {
  await lab('reset');
  const all = outputs.join('\n');
  assert.ok(!all.includes(LAB_PASSWORD), 'the lab password appeared in a report');
  assert.ok(!all.includes('Wrong-Pass-999'), 'a wrong password appeared in a report');
});

describe('healthy lab over LDAP', () => {
  it('inventory on every side: A-B and B-C forest, A-C external one-way', async () => {
    const report = await ldapRun();
    const inventory = (domain: string, partner: string) => one(report, 'trust.inventory', domain, partner).observed;
    const forest = { direction: 'bidirectional', kind: 'forest', transitive: true, trust_type: 'uplevel' };
    for (const [domain, partner] of [
      ['tailspin.test', 'wingtip.test'],
      ['wingtip.test', 'tailspin.test'],
      ['wingtip.test', 'fabrikam.test'],
      ['fabrikam.test', 'wingtip.test'],
    ] as const) {
      const seen = inventory(domain, partner);
      assert.deepEqual(
        {
          direction: seen['direction'],
          kind: seen['kind'],
          transitive: seen['transitive'],
          trust_type: seen['trust_type'],
        },
        forest,
        `${domain} -> ${partner}`,
      );
      assert.deepEqual(seen['attributes'], ['FOREST_TRANSITIVE']);
      assert.deepEqual(seen['encryption_types'], ['AES128_CTS_HMAC_SHA1_96', 'AES256_CTS_HMAC_SHA1_96']);
      assert.match(seen['sid'] as string, /^S-1-5-21-\d+-\d+-\d+$/);
    }
    const trusting = inventory('tailspin.test', 'fabrikam.test');
    assert.equal(trusting['direction'], 'outbound');
    assert.equal(trusting['kind'], 'external');
    assert.equal(trusting['transitive'], false);
    assert.deepEqual(trusting['attributes'], ['QUARANTINED_DOMAIN']);
    assert.equal(inventory('fabrikam.test', 'tailspin.test')['direction'], 'inbound');
    assert.equal(findings(report, 'trust.inventory').length, 6);
    // No tailspin-fabrikam forest trust exists on either side.
    assert.ok(
      findings(report, 'trust.inventory').every(
        (f) => !(f.domain === 'tailspin.test' && f.target === 'fabrikam.test' && f.observed['kind'] === 'forest'),
      ),
    );
  });

  it('every configured side present and consistent; passwords fresh, dated from the right source', async () => {
    const report = await ldapRun();
    assert.equal(findings(report, 'trust.expected').length, 6);
    assert.ok(findings(report, 'trust.expected').every((f) => f.status === 'ok'));
    assert.equal(findings(report, 'trust.consistent').length, 6);
    assert.ok(findings(report, 'trust.consistent').every((f) => f.status === 'ok'));
    assert.match(
      one(report, 'trust.password_age', 'tailspin.test', 'wingtip.test').observed['source'] as string,
      /pwdLastSet of the trust account WINGTIP\$/,
    );
    // tailspin.test only trusts fabrikam.test (outbound): no FABRIKAM$ account there, so the metadata dates it.
    assert.match(
      one(report, 'trust.password_age', 'tailspin.test', 'fabrikam.test').observed['source'] as string,
      /replication metadata/,
    );
    assert.ok(findings(report, 'trust.forest_info').every((f) => f.status === 'ok'));
    assert.equal(findings(report, 'trust.forest_info').length, 4);
  });

  it('the spec verdicts on the lab trusts: none warns; trust.scanner not applicable, Samba 4.17 runs no scanner', async () => {
    const report = await ldapRun();
    for (const check of [
      'trust.sid_filtering',
      'trust.tgt_delegation',
      'trust.selective_auth',
      'trust.auth_target_validation',
      'trust.encryption',
      'trust.downlevel',
      'trust.scanner',
    ] as const) {
      assert.ok(
        findings(report, check).every((f) => f.status === 'ok'),
        `${check}: ${findings(report, check)
          .filter((f) => f.status !== 'ok')
          .map((f) => f.message)
          .join('; ')}`,
      );
    }
    // The rootDSE's vendorVersion (asked for by name) tells the Samba DCs apart.
    const scanner = findings(report, 'trust.scanner');
    assert.equal(scanner.length, 4);
    for (const f of scanner) {
      assert.equal(f.observed['verdict'], 'not_applicable');
      assert.match(
        f.message,
        /the DC runs Samba 4\.17\.\S+ \(vendorVersion\), and Samba has a forest trust scanner only from 4\.23 on/,
      );
    }
    // tailspin.test trusts fabrikam.test (outbound, QUARANTINED_DOMAIN): filtered there, judged nowhere else.
    assert.equal(one(report, 'trust.sid_filtering', 'tailspin.test', 'fabrikam.test').observed['verdict'], 'ok');
    assert.equal(
      one(report, 'trust.sid_filtering', 'fabrikam.test', 'tailspin.test').observed['verdict'],
      'not_applicable',
    );
    assert.equal(
      one(report, 'trust.tgt_delegation', 'tailspin.test', 'fabrikam.test').observed['verdict'],
      'not_applicable',
    );
  });

  it('paths: A<->B, B<->C, C users to A; no path from A users to C', async () => {
    const report = await ldapRun();
    const available = (from: string, to: string) =>
      one(report, 'trust.path', from, `${from}->${to}`).observed['available'];
    assert.equal(available('tailspin.test', 'wingtip.test'), true);
    assert.equal(available('wingtip.test', 'tailspin.test'), true);
    assert.equal(available('wingtip.test', 'fabrikam.test'), true);
    assert.equal(available('fabrikam.test', 'wingtip.test'), true);
    assert.equal(available('fabrikam.test', 'tailspin.test'), true);
    assert.equal(available('tailspin.test', 'fabrikam.test'), false);
    assert.equal(
      one(report, 'trust.path', 'tailspin.test', 'tailspin.test->fabrikam.test').status,
      'ok',
      'not expected by the config, so not a problem',
    );
  });

  it('probe path walks the referrals, or says where and why the path breaks', async () => {
    const through = await probeCommand(['path', 'fabrikam.test', 'tailspin.test', '--config', LAB_CONFIG]);
    assert.equal(through.code, 0, through.stderr);
    assert.match(through.stdout, /^users of fabrikam\.test -> resources in tailspin\.test: available\n/);
    assert.match(
      through.stdout,
      /tailspin\.test trusts fabrikam\.test \(external trust\): the KDC gives a referral ticket krbtgt\/TAILSPIN\.TEST@FABRIKAM\.TEST/,
    );
    const broken = await probeCommand(['path', 'tailspin.test', 'fabrikam.test', '--config', LAB_CONFIG]);
    assert.equal(broken.code, 2);
    assert.match(broken.stdout, /NOT available/);
    assert.match(broken.stdout, /breaks here: the trust runs the other way: tailspin\.test trusts fabrikam\.test/);
    assert.match(broken.stdout, /not transitive through a third forest/);
  });

  it('pre-auth: the privileged account critical, the allowed one ok, the disabled one ignored', async () => {
    const report = await ldapRun();
    const privileged = one(report, 'preauth.privileged', 'tailspin.test', 'tailspin.test');
    assert.equal(privileged.status, 'critical');
    assert.match(privileged.message, /roast_admin/);
    const unexpected = one(report, 'preauth.unexpected', 'tailspin.test', 'tailspin.test');
    assert.equal(unexpected.status, 'ok');
    assert.match(unexpected.message, /1 allowed: roast_user/);
    assert.ok(report.findings.every((f) => !f.message.includes('roast_disabled')));
    assert.equal(report.exitCode, 2);
  });
});

describe('faults seen over LDAP', () => {
  it('DONT_REQ_PREAUTH set on alice@wingtip.test: a warning naming her; cleared: ok again', async () => {
    await lab('preauth-set', 'alice', 'wingtip.test');
    try {
      const report = await ldapRun();
      const unexpected = one(report, 'preauth.unexpected', 'wingtip.test', 'wingtip.test');
      assert.equal(unexpected.status, 'warning');
      assert.match(
        unexpected.message,
        /1 enabled account\(s\) without Kerberos pre-authentication, not on preauth\.allow: alice \(user\)/,
      );
    } finally {
      await lab('preauth-clear', 'alice', 'wingtip.test');
    }
    assert.equal(one(await ldapRun(), 'preauth.unexpected', 'wingtip.test', 'wingtip.test').status, 'ok');
  });

  it('one side of a trust deleted: expected and consistency critical, the path gone; restored: healthy', async () => {
    await lab('trust-delete', 'dcb', 'tailspin.test');
    try {
      const report = await ldapRun();
      const expected = one(report, 'trust.expected', 'wingtip.test', 'tailspin.test');
      assert.equal(expected.status, 'critical');
      assert.equal(
        expected.message,
        'wingtip.test has no trust object for tailspin.test (expected forest, bidirectional)',
      );
      assert.equal(one(report, 'trust.consistent', 'tailspin.test', 'wingtip.test').status, 'critical');
      assert.equal(one(report, 'trust.path', 'wingtip.test', 'wingtip.test->tailspin.test').status, 'critical');
      // The other trusts are untouched.
      assert.equal(one(report, 'trust.consistent', 'wingtip.test', 'fabrikam.test').status, 'ok');
    } finally {
      await lab('trust-restore');
    }
    await probeUntil(LDAP, 'trusts healthy after restore', healthy, 60);
  });

  it("one side's direction changed: expected and consistency critical, naming both directions", async () => {
    await lab('trust-direction', 'dca', 'wingtip.test', '1');
    try {
      const report = await ldapRun();
      const expected = one(report, 'trust.expected', 'tailspin.test', 'wingtip.test');
      assert.equal(expected.status, 'critical');
      assert.equal(
        expected.message,
        'tailspin.test -> wingtip.test: found forest, inbound, expected forest, bidirectional',
      );
      const consistent = one(report, 'trust.consistent', 'tailspin.test', 'wingtip.test');
      assert.match(
        consistent.message,
        /directions do not mirror: tailspin\.test says inbound, wingtip\.test says bidirectional/,
      );
      // tailspin.test no longer says it trusts wingtip.test: wingtip's users lose tailspin's resources.
      assert.equal(
        one(report, 'trust.path', 'wingtip.test', 'wingtip.test->tailspin.test').observed['available'],
        false,
      );
      assert.equal(
        one(report, 'trust.path', 'tailspin.test', 'tailspin.test->wingtip.test').observed['available'],
        true,
      );
    } finally {
      await lab('trust-restore');
    }
    await probeUntil(LDAP, 'trusts healthy after restore', healthy, 60);
  });
});

describe('bind failures, in words', () => {
  const bind = async (config: string): Promise<Finding> => {
    const found = findings(await ldapRun(config), 'ldap.bind', (f) => f.domain === 'tailspin.test');
    assert.equal(found.length, 1);
    return found[0] as Finding;
  };

  it('StartTLS on ldap:// binds and verifies like ldaps://', async () => {
    const finding = await bind(tailspinLdap((s) => s.replace('ldaps://dca.tailspin.test', 'ldap://dca.tailspin.test')));
    assert.equal(finding.status, 'ok', finding.message);
  });

  const cases: [string, (section: string) => string, string][] = [
    [
      'a wrong password',
      (s) => s.replace(/password_file: .*/, `password_file: ${tempConfig('Wrong-Pass-999\n')}`),
      'wrong credentials',
    ],
    [
      "the address instead of the certificate's name",
      (s) => s.replace('ldaps://dca.tailspin.test', 'ldaps://198.51.100.10'),
      'certificate name mismatch',
    ],
    ['no CA to verify the self-signed certificate', (s) => s.replace(/ {6}ca_file: .*\n/, ''), 'untrusted certificate'],
  ];
  for (const [what, change, failure] of cases) {
    it(`${what}: ${failure}`, async () => {
      const finding = await bind(tailspinLdap(change));
      assert.equal(finding.status, 'critical');
      assert.equal(finding.observed['failure'], failure, finding.message);
    });
  }

  it('a disabled bind account: account disabled', async () => {
    const config = tailspinLdap((s) =>
      s
        .replace('bind_dn: probe@tailspin.test', 'bind_dn: alice@tailspin.test')
        .replace(/password_file: .*/, `password_file: ${tempConfig(`${LAB_PASSWORD}\n`)}`),
    );
    await lab(
      'exec',
      'adtl-dca',
      'samba-tool',
      'user',
      'disable',
      'alice',
      '-s',
      '/var/lib/adtrust-lab/dca/etc/smb.conf',
    );
    try {
      const finding = await bind(config);
      assert.equal(finding.observed['failure'], 'account disabled', finding.message);
    } finally {
      await lab(
        'exec',
        'adtl-dca',
        'samba-tool',
        'user',
        'enable',
        'alice',
        '-s',
        '/var/lib/adtrust-lab/dca/etc/smb.conf',
      );
    }
  });

  it('636 rejected: refused; 636 dropped: timeout within the timeout', async () => {
    await lab('block', 'dca', '636/tcp', 'reject');
    try {
      assert.equal((await bind(LAB_CONFIG)).observed['failure'], 'refused');
    } finally {
      await lab('unblock', 'dca', '636/tcp');
    }
    await lab('block', 'dca', '636/tcp', 'drop');
    try {
      const started = Date.now();
      const finding = await bind(LAB_CONFIG);
      assert.equal(finding.observed['failure'], 'timeout', finding.message);
      assert.ok(Date.now() - started < 20_000);
    } finally {
      await lab('unblock', 'dca', '636/tcp');
    }
  });
});

describe('limits against the real lab (issue 15)', () => {
  it('limits.trusted_domain_objects below what tailspin holds: one ldap.read finding names the bound, no trust analysed there', async () => {
    const report = await ldapRun(tempConfig(`limits:\n  trusted_domain_objects: 1\n${labText}`));
    const reads = findings(report, 'ldap.read', (f) => f.domain === 'tailspin.test');
    assert.equal(reads.length, 1, reads.map((f) => f.message).join(' | '));
    assert.equal(reads[0]?.status, 'critical');
    assert.match(
      reads[0].message,
      /failed \(limit exceeded\): the trustedDomain objects number more than 1 \(limits\.trusted_domain_objects\); its trusts were not analysed$/,
    );
    assert.equal(one(report, 'ldap.bind', 'tailspin.test', reads[0].target).status, 'ok');
    assert.equal(findings(report, 'trust.inventory', (f) => f.domain === 'tailspin.test').length, 0);
  });
});
