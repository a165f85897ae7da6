// The auth family as the runner calls it: a plan built from a config whose DCs are test KDCs on
// loopback (test/support/kdc.ts: a stand-in written for these tests, since no real KDC can be
// made to fail this way in a unit test; the lab tests run the family against the lab's Samba
// KDCs). One canary of a.test, two trusts: a.test users should reach b.test and c.test.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RejectedCredentials } from '../../../agent/run/credentials.js';
import { probeAuth } from '../../../probes/auth/probe.js';
import type { Finding } from '../../../probes/model/finding.js';
import type { ProbeContext, ProbeOutput } from '../../../probes/model/probe.js';
import { configFrom, findingFor, planOf } from '../../support/config.js';
import { contextFor } from '../../support/context.js';
import { RealmDatabase, startKdc, type KdcFaults, type TestKdc } from '../../support/kdc.js';
import { startSmbServer, type TestSmbServer } from '../../support/smb.js';

const PASSWORD = 'S3cret-Canary-Value';
// One network probe's budget: long enough that a loaded CI machine (the whole suite, mutation runs beside it)
// does not time out a healthy exchange; the faults that wait it out are few.
const TIMEOUT_MS = 1000;

let a: TestKdc;
let b: TestKdc;
let c: TestKdc;
/** The SMB servers of b.test's and c.test's DCs: the canary's NTLM logon passes through them to a.test. */
let smbB: TestSmbServer;
let smbC: TestSmbServer;
/** Whether a.test's KDC refers `ldap/127.0.0.1` (the default service named after c.test's DC) to C.TEST. */
let routeDefaultServiceToC = false;
/** The realms a.test's KDC holds an outgoing trust key for: a one-way trust c.test -> a.test gives none for C.TEST. */
const aTrusts = ['B.TEST', 'C.TEST'];

before(async () => {
  const db = new RealmDatabase({
    'A.TEST': {
      users: { canary: PASSWORD },
      trusts: aTrusts,
      referTo: (service) =>
        service.endsWith('.b.test')
          ? 'B.TEST'
          : service.endsWith('.c.test') || (routeDefaultServiceToC && service === 'ldap/127.0.0.1')
            ? 'C.TEST'
            : undefined,
    },
    'B.TEST': { services: ['ldap/dcb.b.test'] },
    'C.TEST': { services: ['ldap/dcc.c.test', 'ldap/127.0.0.1'] },
  });
  a = await startKdc(db, ['A.TEST']);
  b = await startKdc(db, ['B.TEST']);
  c = await startKdc(db, ['C.TEST']);
  smbB = await startSmbServer({ 'A.TEST\\CANARY': PASSWORD }, b.port);
  smbC = await startSmbServer({ 'A.TEST\\CANARY': PASSWORD }, c.port);
});

after(async () => {
  for (const server of [a, b, c, smbB, smbC]) await server.close();
});

const NO_FAULTS: KdcFaults = { udp: 'answer', reply: 'answer', wrongTrustKey: false, referralEtype: 18 };

function reset(): void {
  routeDefaultServiceToC = false;
  aTrusts.splice(0, aTrusts.length, 'B.TEST', 'C.TEST');
  for (const kdc of [a, b, c]) {
    Object.assign(kdc.faults, NO_FAULTS);
    kdc.requests.length = 0;
  }
  for (const smb of [smbB, smbC]) {
    Object.assign(smb.faults, { logonStatus: undefined, behaviour: 'answer' });
    smb.logons.length = 0;
  }
}

/** a.test's users reach b.test (two-way) and c.test (c.test trusts a.test, one-way), or not (`cClosed`). */
function config(password: string, cClosed = false) {
  // Closed: c.test's users reach a.test, not the other way, and the canary asks for ldap/<c.test's DC>.
  const cTrust = cClosed
    ? 'trusting: a.test, trusted: c.test'
    : 'trusting: c.test, trusted: a.test, service: { c.test: ldap/dcc.c.test }';
  return configFrom(
    [
      `timeout: ${TIMEOUT_MS}ms`,
      'domains:',
      '  a.test:',
      `    dcs: ['127.0.0.1:${a.port}']`,
      '    canary: { user: canary@A.TEST, password_env: CANARY_A }',
      `  b.test: { dcs: ['127.0.0.1:${b.port}', '127.0.0.1:${smbB.port}'] }`,
      `  c.test: { dcs: ['127.0.0.1:${c.port}', '127.0.0.1:${smbC.port}'] }`,
      'trusts:',
      '  - { between: [a.test, b.test], type: forest, service: { b.test: ldap/dcb.b.test } }',
      `  - { ${cTrust}, type: external }`,
      '',
    ].join('\n'),
    { readFile: () => '', env: { CANARY_A: password } },
  );
}

async function run(
  password = PASSWORD,
  memory = new RejectedCredentials(),
  cClosed = false,
): Promise<{ output: ProbeOutput; ab: Finding; ac: Finding; abNtlm: Finding; acNtlm: Finding | undefined }> {
  const cfg = config(password, cClosed);
  const ctx: ProbeContext = { ...contextFor(cfg), credentials: memory };
  const output = await probeAuth(planOf(cfg).auth, ctx);
  // NTLM only in the directions a trust opens: a.test->c.test is closed when `cClosed`.
  assert.equal(output.findings.length, cClosed ? 3 : 4, JSON.stringify(output.findings));
  return {
    output,
    ab: findingFor(output.findings, 'auth.kerberos', 'a.test->b.test'),
    ac: findingFor(output.findings, 'auth.kerberos', 'a.test->c.test'),
    abNtlm: findingFor(output.findings, 'auth.ntlm', 'a.test->b.test'),
    acNtlm: cClosed ? undefined : findingFor(output.findings, 'auth.ntlm', 'a.test->c.test'),
  };
}

/** The auth measurements as [protocol, to, success], sorted. */
function measured(output: ProbeOutput): [string, string, boolean][] {
  return output.measurements
    .flatMap((m): [string, string, boolean][] => (m.kind === 'auth' ? [[m.protocol, m.toDomain, m.success]] : []))
    .sort();
}

function assertNoSecret(output: ProbeOutput): void {
  const text = JSON.stringify(output);
  assert.ok(!text.includes(PASSWORD), 'the password is in the output');
  assert.ok(!text.includes('wrong-one'), 'the wrong password is in the output');
}

describe('probeAuth against test KDCs on loopback', () => {
  it('healthy: ok in both directions, one logon for both, the hops observed, measurements', async () => {
    reset();
    const { output, ab, ac } = await run();
    assert.equal(ab.status, 'ok', ab.message);
    assert.equal(ac.status, 'ok', ac.message);
    assert.equal(
      ab.message,
      'a.test users authenticate to b.test: service ticket for ldap/dcb.b.test after 1 referral (aes256-cts-hmac-sha1-96)',
    );
    assert.equal(
      ab.observed['path'],
      `AS A.TEST at 127.0.0.1/udp: ticket (aes256-cts-hmac-sha1-96) -> TGS A.TEST at 127.0.0.1/udp: referral to B.TEST (aes256-cts-hmac-sha1-96) -> TGS B.TEST at 127.0.0.1/udp: ticket (aes256-cts-hmac-sha1-96)`,
    );
    assert.equal(a.passwordAttempts(), 1, 'one AS exchange for both directions');
    assert.equal(a.requests.filter((request) => request.kind === 'tgs-req').length, 2);
    assert.deepEqual(
      output.measurements
        .map((m) => (m.kind === 'auth' ? [m.protocol, m.toDomain, m.success, m.referralEtype ?? null] : []))
        .sort(),
      [
        ['kerberos', 'b.test', true, 18],
        ['kerberos', 'c.test', true, 18],
        ['ntlm', 'b.test', true, null],
        ['ntlm', 'c.test', true, null],
      ],
    );
    const { abNtlm, acNtlm } = await run();
    assert.equal(abNtlm.status, 'ok', abNtlm.message);
    assert.equal(acNtlm?.status, 'ok', acNtlm?.message);
    assert.equal(
      abNtlm.message,
      "a.test users log on to b.test with NTLM: 127.0.0.1 passed canary@A.TEST's logon through its secure channel to a.test and accepted it",
    );
    assert.deepEqual(
      smbB.logons.map((logon) => [logon.domain, logon.user, logon.status]),
      [
        ['A.TEST', 'canary', 0],
        ['A.TEST', 'canary', 0],
      ],
      'the DC checked the NTLMv2 response made with the NT hash of the password, for A.TEST\\canary',
    );
    assertNoSecret(output);
  });

  it('a wrong password: one attempt per run whatever the directions, none the next run, again once changed', async () => {
    reset();
    const memory = new RejectedCredentials();
    const first = await run('wrong-one', memory);
    for (const found of [first.ab, first.ac]) {
      assert.equal(found.status, 'unknown');
      assert.match(
        found.message,
        /^canary password rejected; not retried: A\.TEST's KDC 127\.0\.0\.1 answered KDC_ERR_PREAUTH_FAILED \(24, wrong password\)$/,
      );
    }
    assert.equal(a.passwordAttempts(), 1);
    assert.deepEqual(first.output.measurements, [], 'no auth measurement: the trust was not tried');
    for (const target of ['a.test->b.test', 'a.test->c.test']) {
      const ntlm = findingFor(first.output.findings, 'auth.ntlm', target);
      assert.equal(ntlm.status, 'unknown');
      assert.equal(
        ntlm.message,
        "canary password rejected; not retried: its own KDC refused it: A.TEST's KDC 127.0.0.1 answered KDC_ERR_PREAUTH_FAILED (24)",
      );
    }
    assert.deepEqual(smbB.logons, [], 'the password its own KDC refused is not sent with NTLM either');
    assertNoSecret(first.output);

    const second = await run('wrong-one', memory);
    assert.equal(a.requests.length, 2, 'nothing sent: the two AS-REQs of the first run only');
    for (const found of [second.ab, second.ac]) {
      assert.equal(found.status, 'unknown');
      assert.match(
        found.message,
        /^canary password rejected; not retried: A\.TEST's KDC 127\.0\.0\.1 answered KDC_ERR_PREAUTH_FAILED \(24\)$/,
      );
      assert.equal(found.observed['not_retried'], true);
    }
    assertNoSecret(second.output);

    const fixed = await run(PASSWORD, memory);
    assert.equal(fixed.ab.status, 'ok');
    assert.equal(fixed.ac.status, 'ok');
    assert.equal(a.passwordAttempts(), 2);
  });

  it('a direction no trust opens: ok "not available" without a referral, a warning when the KDC refers anyway', async () => {
    reset();
    aTrusts.splice(1);
    const closed = await run(PASSWORD, new RejectedCredentials(), true);
    assert.equal(closed.ac.status, 'ok', closed.ac.message);
    assert.equal(
      closed.ac.message,
      "not available, as configured: a.test users cannot reach c.test (A.TEST's KDC has no referral for ldap/127.0.0.1)",
    );
    assert.deepEqual(
      measured(closed.output),
      [
        ['kerberos', 'b.test', true],
        ['ntlm', 'b.test', true],
      ],
      'measured only where a trust is configured',
    );
    assert.deepEqual(smbC.logons, [], 'no NTLM logon where no trust lets the canary in');

    routeDefaultServiceToC = true;
    const open = await run(PASSWORD, new RejectedCredentials(), true);

    assert.equal(open.ac.status, 'warning');
    assert.match(
      open.ac.message,
      /^a\.test users authenticate to c\.test \(ldap\/127\.0\.0\.1\), though no configured trust lets them: /,
    );
  });

  it('UDP silent at b.test: ok over TCP, the fallback said', async () => {
    reset();
    b.faults.udp = 'silent';
    const { ab, ac } = await run();
    assert.equal(ab.status, 'ok');
    assert.match(ab.message, /; UDP 88 failed at 127\.0\.0\.1 \(no answer over UDP \d+ in 1 s\), TCP worked$/);
    const hops = ab.observed['hops'] as { transport: string; udp_fallback: string | null }[];
    assert.deepEqual(
      hops.map((hop) => hop.transport),
      ['udp', 'udp', 'tcp'],
    );
    assert.equal(ac.status, 'ok');
    assert.doesNotMatch(ac.message, /UDP/);
  });

  it('RESPONSE_TOO_BIG everywhere: ok over TCP, no word about UDP', async () => {
    reset();
    for (const kdc of [a, b, c]) kdc.faults.udp = 'too-big';
    const { ab } = await run();
    assert.equal(ab.status, 'ok');
    assert.doesNotMatch(ab.message, /UDP/);
    const hops = ab.observed['hops'] as { transport: string; udp_fallback: string | null }[];
    assert.deepEqual(
      hops.map((hop) => [hop.transport, hop.udp_fallback]),
      [
        ['tcp', 'KRB_ERR_RESPONSE_TOO_BIG over UDP'],
        ['tcp', 'KRB_ERR_RESPONSE_TOO_BIG over UDP'],
        ['tcp', 'KRB_ERR_RESPONSE_TOO_BIG over UDP'],
      ],
    );
  });

  it('referrals made with the wrong trust key: critical in both directions, measured as failures', async () => {
    reset();
    // A's referrals to both partners are made with the wrong key: both partners refuse them.
    a.faults.wrongTrustKey = true;
    const { ab, ac, output } = await run();
    for (const found of [ab, ac]) {
      assert.equal(found.status, 'critical');
      assert.match(found.message, /trust key mismatch/);
    }
    assert.deepEqual(measured(output), [
      ['kerberos', 'b.test', false],
      ['kerberos', 'c.test', false],
      ['ntlm', 'b.test', true],
      ['ntlm', 'c.test', true],
    ]);
    assertNoSecret(output);
  });

  // Every hostile answer, at the canary's own KDC or at a partner's: a finding per direction, never a throw or a hang.
  const HOSTILE: [string, () => void, 'unknown' | 'critical'][] = [
    ['garbage from a.test', () => (a.faults.reply = 'garbage'), 'unknown'],
    ['a.test never answers', () => (a.faults.reply = 'never'), 'unknown'],
    ['an AS-REP for another nonce', () => (a.faults.reply = 'other-nonce'), 'unknown'],
    ['garbage from b.test and c.test', () => ((b.faults.reply = 'garbage'), (c.faults.reply = 'garbage')), 'critical'],
    ['b.test and c.test never answer', () => ((b.faults.reply = 'never'), (c.faults.reply = 'never')), 'critical'],
    [
      'TGS-REPs for another nonce',
      () => ((b.faults.reply = 'other-nonce'), (c.faults.reply = 'other-nonce')),
      'critical',
    ],
  ];
  for (const [name, fault, status] of HOSTILE) {
    it(`${name}: ${status} in each direction, within the timeouts`, { timeout: 30 * TIMEOUT_MS }, async () => {
      reset();
      fault();
      const { ab, ac, output } = await run();
      assert.equal(ab.status, status, ab.message);
      assert.equal(ac.status, status, ac.message);
      assertNoSecret(output);
    });
  }

  it('a broken secure channel at b.test: NTLM critical there with its NTSTATUS, Kerberos and c.test unaffected', async () => {
    reset();
    smbB.faults.logonStatus = 0xc000018d;
    const { ab, abNtlm, acNtlm, output } = await run();
    assert.equal(ab.status, 'ok');
    assert.equal(abNtlm.status, 'critical');
    assert.equal(
      abNtlm.message,
      'a.test users cannot log on to b.test with NTLM: 127.0.0.1 (127.0.0.1) answered 0xC000018D STATUS_TRUSTED_RELATIONSHIP_FAILURE: the secure channel to a.test is broken',
    );
    assert.equal(abNtlm.observed['port'], smbB.port);
    assert.equal(acNtlm?.status, 'ok');
    assert.deepEqual(measured(output), [
      ['kerberos', 'b.test', true],
      ['kerberos', 'c.test', true],
      ['ntlm', 'b.test', false],
      ['ntlm', 'c.test', true],
    ]);
    // Not a credential rejection: tried again next run.
    const again = await run();
    assert.equal(again.abNtlm.status, 'critical');
    assert.equal(smbB.logons.length, 2);
    assertNoSecret(output);
  });

  it('a logon failure for a password its own KDC took: critical, never sent again to that partner, still critical', async () => {
    reset();
    smbB.faults.logonStatus = 0xc000006d;
    const memory = new RejectedCredentials();
    const first = await run(PASSWORD, memory);
    assert.equal(first.abNtlm.status, 'critical');
    assert.match(
      first.abNtlm.message,
      /answered 0xC000006D STATUS_LOGON_FAILURE: the logon failed, though a\.test's KDC/,
    );
    const second = await run(PASSWORD, memory);
    assert.equal(smbB.logons.length, 1, 'not sent again');
    assert.equal(second.abNtlm.status, 'critical');
    assert.equal(second.abNtlm.message, `${first.abNtlm.message}; not sent again until the canary's password changes`);
    assert.deepEqual(
      measured(second.output).filter(([protocol]) => protocol === 'ntlm'),
      [
        ['ntlm', 'b.test', false],
        ['ntlm', 'c.test', true],
      ],
    );
    assert.equal(smbC.logons.length, 2, 'c.test is asked each run');
    const changed = await run(PASSWORD, memory);
    assert.equal(changed.abNtlm.status, 'critical', 'the same password: still not sent');
    assert.equal(smbB.logons.length, 1);
  });

  it('the canary locked out (an account status): unknown, not sent again', async () => {
    reset();
    smbB.faults.logonStatus = 0xc0000234;
    const memory = new RejectedCredentials();
    const first = await run(PASSWORD, memory);
    assert.equal(first.abNtlm.status, 'unknown');
    assert.match(first.abNtlm.message, /^canary password rejected; not retried: .* STATUS_ACCOUNT_LOCKED_OUT/);
    await run(PASSWORD, memory);
    assert.equal(smbB.logons.length, 1);
  });

  it("the canary's own KDC unreachable: NTLM still tried, and ok", { timeout: 30 * TIMEOUT_MS }, async () => {
    reset();
    a.faults.reply = 'never';
    const { ab, abNtlm } = await run();
    assert.equal(ab.status, 'unknown');
    assert.equal(abNtlm.status, 'ok', abNtlm.message);
  });

  it('a DC that maps the logon to its guest account: critical, the logon was not verified', async () => {
    reset();
    smbB.faults.behaviour = 'guest';
    const { abNtlm } = await run('wrong-for-ntlm-only');
    assert.equal(abNtlm.status, 'unknown', 'the own KDC refused this password: nothing sent with NTLM');
    const { abNtlm: guest } = await run();
    assert.equal(guest.status, 'critical', guest.message);
    assert.match(guest.message, /gave a guest session, not canary@A\.TEST's: it did not verify the logon/);
  });

  it('interim STATUS_PENDING answers before each real one: waited through, ok', async () => {
    reset();
    smbB.faults.behaviour = 'pending';
    const { abNtlm } = await run();
    assert.equal(abNtlm.status, 'ok', abNtlm.message);
  });

  for (const behaviour of ['silent-logon', 'garbage'] as const)
    it(`an SMB server that goes ${behaviour}: unknown, within the timeouts`, { timeout: 30 * TIMEOUT_MS }, async () => {
      reset();
      smbB.faults.behaviour = behaviour;
      const { abNtlm, acNtlm } = await run();
      assert.equal(abNtlm.status, 'unknown', abNtlm.message);
      assert.ok(
        abNtlm.message.startsWith(`NTLM across the trust not tested: 127.0.0.1 (127.0.0.1) port ${smbB.port} `),
        abNtlm.message,
      );
      assert.equal(acNtlm?.status, 'ok');
    });
});
