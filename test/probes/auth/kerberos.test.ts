// The canary's Kerberos exchange hop by hop, against the test KDC of test/support/kdc.ts on
// loopback: a stand-in written for these tests, because a real KDC cannot be made to misbehave
// this way inside a unit test. The lab tests (test/lab) run the same exchange against the lab's
// real Samba KDCs. Each fault must end in a hop that says what happened and in the verdict that
// follows from it, within the run's timeout, never in a throw or a hang.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { judgeKerberos, type Hop, type KerberosOutcome } from '../../../probes/analysis/auth-verdict.js';
import { canaryLogon, kerberosPath, MAX_HOPS, type KdcLookup } from '../../../probes/auth/kerberos.js';
import type { ProbeContext } from '../../../probes/model/probe.js';
import type { AuthDirection, Canary } from '../../../probes/model/targets.js';
import { configFrom } from '../../support/config.js';
import { contextFor } from '../../support/context.js';
import { RealmDatabase, startKdc, type KdcFaults, type Realm, type TestKdc } from '../../support/kdc.js';

const TIMEOUT_MS = 300;
const SERVICE = 'ldap/dcb.b.test';
const PASSWORD = 'Canary-Pa55word!';

const canary = (password = PASSWORD): Canary => ({
  domain: 'a.test',
  user: 'canary',
  realm: 'A.TEST',
  secret: { kind: 'password', value: { reveal: () => password } },
});
const DIRECTION: AuthDirection = { from: 'a.test', to: 'b.test', allowed: true, service: SERVICE };

function context(): ProbeContext {
  return contextFor(configFrom(`timeout: ${TIMEOUT_MS}ms\ndomains:\n  a.test: {}\n`));
}

const running: TestKdc[] = [];
after(async () => {
  for (const kdc of running) await kdc.close();
});

/** A.TEST (the canary's) refers ldap/*.b.test to B.TEST, which holds the service. */
function twoRealms(a: Realm = {}, b: Realm = {}): RealmDatabase {
  return new RealmDatabase({
    'A.TEST': {
      users: { canary: PASSWORD },
      trusts: ['B.TEST'],
      referTo: (service) => (service.endsWith('.b.test') ? 'B.TEST' : undefined),
      ...a,
    },
    'B.TEST': { services: [SERVICE], ...b },
  });
}

interface World {
  a: TestKdc;
  b: TestKdc;
  lookup: KdcLookup;
}

async function world(
  db: RealmDatabase,
  faults: { a?: Partial<KdcFaults>; b?: Partial<KdcFaults>; bTcpOnly?: boolean } = {},
): Promise<World> {
  const a = await startKdc(db, ['A.TEST'], { faults: faults.a ?? {} });
  const b = await startKdc(db, ['B.TEST'], { faults: faults.b ?? {}, tcpOnly: faults.bTcpOnly ?? false });
  running.push(a, b);
  const ports: Record<string, number> = { 'A.TEST': a.port, 'B.TEST': b.port };
  const lookup: KdcLookup = (realm) => {
    const port = ports[realm];
    return Promise.resolve(
      port === undefined
        ? { ok: false, detail: `no such realm ${realm}` }
        : { ok: true, kdcs: [{ host: `kdc.${realm.toLowerCase()}`, address: '127.0.0.1', port }] },
    );
  };
  return { a, b, lookup };
}

async function exchange(
  { lookup }: { lookup: KdcLookup },
  ctx: ProbeContext = context(),
  who: Canary = canary(),
  service = SERVICE,
): Promise<KerberosOutcome> {
  const logon = await canaryLogon(who, lookup, ctx);
  return kerberosPath(who, logon, service, 'B.TEST', lookup, ctx);
}

function hopsOf(outcome: KerberosOutcome): Hop[] {
  if (outcome.kind !== 'exchanged') assert.fail(`no exchange: ${JSON.stringify(outcome)}`);
  return outcome.hops;
}

/** step realm: result, for each hop, to compare paths whole. */
function shape(hops: Hop[]): string[] {
  return hops.map((hop) => {
    const { result } = hop;
    const what =
      result.kind === 'ticket'
        ? `ticket ${result.principal} ${result.etype}`
        : result.kind === 'referral'
          ? `referral ${result.realm} ${result.etype}`
          : result.kind === 'error'
            ? `error ${result.code}`
            : result.kind;
    return `${hop.step} ${hop.realm} ${hop.kdc}/${hop.transport}: ${what}`;
  });
}

const HEALTHY = [
  'as A.TEST kdc.a.test/udp: ticket krbtgt/A.TEST@A.TEST 18',
  'tgs A.TEST kdc.a.test/udp: referral B.TEST 18',
  'tgs B.TEST kdc.b.test/udp: ticket ldap/dcb.b.test@B.TEST 18',
];

describe('the Kerberos path against a KDC on loopback', () => {
  it('two realms: AS with pre-authentication, a referral, a service ticket from the partner: ok', async () => {
    const kdcs = await world(twoRealms());
    const outcome = await exchange(kdcs);
    const hops = hopsOf(outcome);
    assert.deepEqual(shape(hops), HEALTHY);
    assert.deepEqual(
      hops.map((hop) => [hop.address, hop.udpFallback, hop.asked]),
      [
        ['127.0.0.1', undefined, 'krbtgt/A.TEST@A.TEST'],
        ['127.0.0.1', undefined, 'ldap/dcb.b.test@A.TEST'],
        ['127.0.0.1', undefined, 'ldap/dcb.b.test@B.TEST'],
      ],
    );
    // The AS step: one request to learn the salt, one with the encrypted timestamp.
    assert.deepEqual(
      kdcs.a.requests.map((request) => [request.kind, request.sname, request.preauth]),
      [
        ['as-req', 'krbtgt/A.TEST', false],
        ['as-req', 'krbtgt/A.TEST', true],
        ['tgs-req', SERVICE, false],
      ],
    );
    assert.deepEqual(
      kdcs.b.requests.map((request) => [request.kind, request.realm, request.sname]),
      [['tgs-req', 'B.TEST', SERVICE]],
    );
    const verdict = judgeKerberos(DIRECTION, SERVICE, outcome);
    assert.equal(verdict.status, 'ok', verdict.message);
    assert.equal(
      verdict.message,
      'a.test users authenticate to b.test: service ticket for ldap/dcb.b.test after 1 referral (aes256-cts-hmac-sha1-96)',
    );
  });

  it('a KDC that routes no service name (external trust on Samba): the explicit krbtgt/PARTNER, then ok', async () => {
    const kdcs = await world(twoRealms({ explicitOnly: true }));
    const hops = hopsOf(await exchange(kdcs));
    assert.deepEqual(shape(hops), [
      HEALTHY[0],
      'tgs A.TEST kdc.a.test/udp: error 7',
      'tgs A.TEST kdc.a.test/udp: referral B.TEST 18',
      HEALTHY[2],
    ]);
    assert.equal(hops[2]?.asked, 'krbtgt/B.TEST@A.TEST');
  });

  it('the referral made with another trust key: BAD_INTEGRITY at the partner, critical, trust key mismatch', async () => {
    const kdcs = await world(twoRealms(), { a: { wrongTrustKey: true } });
    const outcome = await exchange(kdcs);
    assert.deepEqual(shape(hopsOf(outcome)), [HEALTHY[0], HEALTHY[1], 'tgs B.TEST kdc.b.test/udp: error 31']);
    const verdict = judgeKerberos(DIRECTION, SERVICE, outcome);
    assert.equal(verdict.status, 'critical');
    assert.match(verdict.message, /^a\.test users cannot authenticate to b\.test: trust key mismatch: B\.TEST's KDC/);
    assert.match(verdict.remediation, /netdom trust b\.test \/domain:a\.test \/resetOneSide/);
  });

  it('an RC4 referral: the service is reached, a warning', async () => {
    const kdcs = await world(twoRealms(), { a: { referralEtype: 23 } });
    const outcome = await exchange(kdcs);
    assert.deepEqual(shape(hopsOf(outcome)), [HEALTHY[0], 'tgs A.TEST kdc.a.test/udp: referral B.TEST 23', HEALTHY[2]]);
    const verdict = judgeKerberos(DIRECTION, SERVICE, outcome);
    assert.equal(verdict.status, 'warning');
    assert.match(verdict.message, /referral ticket was made with RC4/);
  });

  it('RESPONSE_TOO_BIG over UDP: the same request over TCP, noted in the hop, no word in the verdict', async () => {
    const kdcs = await world(twoRealms(), { b: { udp: 'too-big' } });
    const outcome = await exchange(kdcs);
    const hops = hopsOf(outcome);
    assert.deepEqual(shape(hops), [
      HEALTHY[0],
      HEALTHY[1],
      'tgs B.TEST kdc.b.test/tcp: ticket ldap/dcb.b.test@B.TEST 18',
    ]);
    assert.equal(hops[2]?.udpFallback, 'KRB_ERR_RESPONSE_TOO_BIG over UDP');
    assert.deepEqual(
      kdcs.b.requests.map((request) => request.transport),
      ['udp', 'tcp'],
    );
    const verdict = judgeKerberos(DIRECTION, SERVICE, outcome);
    assert.equal(verdict.status, 'ok');
    assert.doesNotMatch(verdict.message, /UDP/);
  });

  it('UDP silent: TCP after the timeout, the fallback in the hop and in the verdict', async () => {
    const kdcs = await world(twoRealms(), { b: { udp: 'silent' } });
    const outcome = await exchange(kdcs);
    const hops = hopsOf(outcome);
    assert.deepEqual(shape(hops), [
      HEALTHY[0],
      HEALTHY[1],
      'tgs B.TEST kdc.b.test/tcp: ticket ldap/dcb.b.test@B.TEST 18',
    ]);
    assert.equal(hops[2]?.udpFallback, `no answer over UDP ${kdcs.b.port} in 0.3 s`);
    assert.ok(hops[2].seconds >= TIMEOUT_MS / 1000, `${hops[2].seconds}`);
    const verdict = judgeKerberos(DIRECTION, SERVICE, outcome);
    assert.equal(verdict.status, 'ok');
    assert.match(verdict.message, /failed at kdc\.b\.test \(no answer over UDP \d+ in 0\.3 s\), TCP worked$/);
  });

  it('nothing on UDP (ICMP port unreachable): TCP at once', async () => {
    const kdcs = await world(twoRealms(), { bTcpOnly: true });
    const hops = hopsOf(await exchange(kdcs));
    assert.deepEqual(shape(hops), [
      HEALTHY[0],
      HEALTHY[1],
      'tgs B.TEST kdc.b.test/tcp: ticket ldap/dcb.b.test@B.TEST 18',
    ]);
    assert.equal(hops[2]?.udpFallback, `UDP ${kdcs.b.port}: ICMP port unreachable`);
  });

  it('garbage from the partner: a malformed hop, critical', async () => {
    const kdcs = await world(twoRealms(), { b: { reply: 'garbage' } });
    const outcome = await exchange(kdcs);
    const hops = hopsOf(outcome);
    assert.deepEqual(shape(hops), [HEALTHY[0], HEALTHY[1], 'tgs B.TEST kdc.b.test/udp: malformed']);
    assert.match(JSON.stringify(hops[2]?.result), /KDC reply starts with tag 0x48/);
    assert.equal(judgeKerberos(DIRECTION, SERVICE, outcome).status, 'critical');
  });

  it('garbage from the own KDC: the canary could not log on, unknown', async () => {
    const kdcs = await world(twoRealms(), { a: { reply: 'garbage' } });
    const outcome = await exchange(kdcs);
    assert.deepEqual(shape(hopsOf(outcome)), ['as A.TEST kdc.a.test/udp: malformed']);
    assert.equal(judgeKerberos(DIRECTION, SERVICE, outcome).status, 'unknown');
  });

  it('an AS-REP for another nonce: malformed, never taken as the TGT', async () => {
    const kdcs = await world(twoRealms(), { a: { reply: 'other-nonce' } });
    const hops = hopsOf(await exchange(kdcs));
    assert.deepEqual(shape(hops), ['as A.TEST kdc.a.test/udp: malformed']);
    assert.match(JSON.stringify(hops[0]?.result), /the AS-REP answers nonce \d+, not ours/);
  });

  it('a TGS-REP for another nonce at the partner: malformed, critical', async () => {
    const kdcs = await world(twoRealms(), { b: { reply: 'other-nonce' } });
    const outcome = await exchange(kdcs);
    const hops = hopsOf(outcome);
    assert.deepEqual(shape(hops), [HEALTHY[0], HEALTHY[1], 'tgs B.TEST kdc.b.test/udp: malformed']);
    assert.match(JSON.stringify(hops[2]?.result), /the TGS-REP answers nonce \d+, not ours/);
    assert.equal(judgeKerberos(DIRECTION, SERVICE, outcome).status, 'critical');
  });

  // The test's own timeout is the hang guard: one wait of the timeout per transport, then a finding.
  it(
    'a partner KDC that never answers: unreachable on both transports, critical',
    { timeout: 30 * TIMEOUT_MS },
    async () => {
      const kdcs = await world(twoRealms(), { b: { reply: 'never' } });
      const outcome = await exchange(kdcs);
      const hops = hopsOf(outcome);
      assert.deepEqual(shape(hops), [HEALTHY[0], HEALTHY[1], 'tgs B.TEST kdc.b.test/tcp: unreachable']);
      assert.match(JSON.stringify(hops[2]?.result), /no answer over UDP \d+ in 0\.3 s; TCP \d+: no answer in 0\.3 s/);
      const verdict = judgeKerberos(DIRECTION, SERVICE, outcome);
      assert.equal(verdict.status, 'critical');
      assert.match(verdict.message, /^B\.TEST's KDC kdc\.b\.test \(127\.0\.0\.1\) is unreachable: /);
    },
  );

  it('a referral loop A -> B -> A: detected, critical, the loop named', async () => {
    const kdcs = await world(twoRealms({}, { services: [], referTo: () => 'A.TEST' }));
    const outcome = await exchange(kdcs);
    const hops = hopsOf(outcome);
    assert.deepEqual(shape(hops), [
      HEALTHY[0],
      HEALTHY[1],
      'tgs B.TEST kdc.b.test/udp: referral A.TEST 18',
      'tgs B.TEST kdc.b.test/udp: malformed',
    ]);
    assert.match(JSON.stringify(hops[3]?.result), /referral loop: A\.TEST was already visited/);
    assert.equal(kdcs.a.requests.filter((request) => request.kind === 'tgs-req').length, 1);
    assert.equal(judgeKerberos(DIRECTION, SERVICE, outcome).status, 'critical');
  });

  it('endless referrals A -> R1 -> R2 -> ...: stopped at the hop bound, critical, said so', async () => {
    const realms: Record<string, Realm> = { 'A.TEST': { users: { canary: PASSWORD }, referTo: () => 'R1.TEST' } };
    for (let n = 1; n <= 3 * MAX_HOPS; n++) realms[`R${n}.TEST`] = { referTo: () => `R${n + 1}.TEST` };
    const db = new RealmDatabase(realms);
    const kdc = await startKdc(db, Object.keys(realms));
    running.push(kdc);
    const lookup: KdcLookup = () =>
      Promise.resolve({ ok: true, kdcs: [{ host: 'kdc', address: '127.0.0.1', port: kdc.port }] });
    const outcome = await exchange({ lookup });
    const hops = hopsOf(outcome);
    assert.ok(hops.length <= MAX_HOPS + 2, `${hops.length} hops`);
    const tgsRequests = kdc.requests.filter((request) => request.kind === 'tgs-req').length;
    assert.ok(tgsRequests <= MAX_HOPS, `${tgsRequests} TGS-REQs`);
    const last = hops.at(-1);
    assert.equal(last?.result.kind, 'malformed', JSON.stringify(last));
    assert.match(JSON.stringify(last.result), new RegExp(`more than ${MAX_HOPS} hops`));
    const verdict = judgeKerberos(DIRECTION, SERVICE, outcome);
    assert.equal(verdict.status, 'critical', verdict.message);
  });

  it('a wrong password: PREAUTH_FAILED once, remembered, and not sent again', async () => {
    const kdcs = await world(twoRealms());
    const ctx = context();
    const outcome = await exchange(kdcs, ctx, canary('wrong'));
    assert.deepEqual(shape(hopsOf(outcome)), ['as A.TEST kdc.a.test/udp: error 24']);
    const verdict = judgeKerberos(DIRECTION, SERVICE, outcome);
    assert.equal(verdict.status, 'unknown');
    assert.match(verdict.message, /^canary password rejected; not retried: /);
    assert.equal(kdcs.a.passwordAttempts(), 1);

    const again = await exchange(kdcs, ctx, canary('wrong'));
    assert.equal(again.kind, 'not-retried');
    assert.equal(kdcs.a.requests.length, 2, 'nothing more sent');
    assert.equal(judgeKerberos(DIRECTION, SERVICE, again).status, 'unknown');

    const fixed = await exchange(kdcs, ctx, canary());
    assert.deepEqual(shape(hopsOf(fixed)), HEALTHY);
    assert.equal(kdcs.a.passwordAttempts(), 2);
  });

  it('an unknown canary (6): tried again next time, nothing remembered', async () => {
    const kdcs = await world(twoRealms({ users: {} }));
    const ctx = context();
    assert.deepEqual(shape(hopsOf(await exchange(kdcs, ctx))), ['as A.TEST kdc.a.test/udp: error 6']);
    assert.deepEqual(shape(hopsOf(await exchange(kdcs, ctx))), ['as A.TEST kdc.a.test/udp: error 6']);
    assert.equal(kdcs.a.requests.length, 2);
  });

  it('the partner does not know the service: 7 at the partner, critical', async () => {
    const kdcs = await world(twoRealms({}, { services: [] }));
    const outcome = await exchange(kdcs);
    assert.deepEqual(shape(hopsOf(outcome)), [HEALTHY[0], HEALTHY[1], 'tgs B.TEST kdc.b.test/udp: error 7']);
    assert.match(judgeKerberos(DIRECTION, SERVICE, outcome).message, /B\.TEST does not know the service/);
  });

  it('no KDC of the partner found after the referral: an unreachable hop that says so', async () => {
    const kdcs = await world(twoRealms());
    const lookup: KdcLookup = (realm) =>
      realm === 'A.TEST' ? kdcs.lookup(realm) : Promise.resolve({ ok: false, detail: 'NXDOMAIN' });
    const outcome = await exchange({ lookup });
    const hops = hopsOf(outcome);
    assert.deepEqual(shape(hops), [HEALTHY[0], HEALTHY[1], 'tgs B.TEST /udp: unreachable']);
    assert.match(JSON.stringify(hops[2]?.result), /no KDC of B\.TEST found: NXDOMAIN/);
  });
});
