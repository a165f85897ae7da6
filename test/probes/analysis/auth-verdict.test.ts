// The verdicts of auth.kerberos, one table row per branch of judgeKerberos: where the exchange
// stopped (the canary's own logon, its own KDC's referral, the partner's KDC) decides whose
// problem it is, and the words of the message and of the fix. Messages are compared whole, so
// a changed word, a lost clause or a swapped domain fails here.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describeHops,
  etypeName,
  exchangeSeconds,
  judgeKerberos,
  reachedService,
  referralEtype,
  rejectsPassword,
  type Hop,
  type HopResult,
  type KerberosOutcome,
} from '../../../probes/analysis/auth-verdict.js';
import type { Finding, Status } from '../../../probes/model/finding.js';
import type { AuthDirection } from '../../../probes/model/targets.js';

const SERVICE = 'ldap/dcb.wingtip.test';
const ALLOWED: AuthDirection = { from: 'tailspin.test', to: 'wingtip.test', allowed: true, service: undefined };
const NOT_ALLOWED: AuthDirection = { ...ALLOWED, allowed: false };

const AES256 = 18;
const AES128 = 17;
const RC4 = 23;

function hop(step: Hop['step'], realm: string, result: HopResult, extra: Partial<Hop> = {}): Hop {
  const own = realm === 'TAILSPIN.TEST';
  return {
    step,
    realm,
    kdc: own ? 'dca.tailspin.test' : 'dcb.wingtip.test',
    address: own ? '198.51.100.10' : '198.51.100.20',
    transport: 'udp',
    udpFallback: undefined,
    asked: step === 'as' ? 'krbtgt/TAILSPIN.TEST@TAILSPIN.TEST' : `${SERVICE}@${realm}`,
    seconds: 0.0123456,
    result,
    ...extra,
  };
}

const error = (code: number, skewSeconds?: number, eText?: string): HopResult => ({
  kind: 'error',
  code,
  eText,
  skewSeconds,
});
const TGT = hop('as', 'TAILSPIN.TEST', {
  kind: 'ticket',
  principal: 'krbtgt/TAILSPIN.TEST@TAILSPIN.TEST',
  etype: AES256,
});
const referral = (etype = AES256, extra: Partial<Hop> = {}): Hop =>
  hop('tgs', 'TAILSPIN.TEST', { kind: 'referral', realm: 'WINGTIP.TEST', etype }, extra);
const serviceTicket = (extra: Partial<Hop> = {}): Hop =>
  hop('tgs', 'WINGTIP.TEST', { kind: 'ticket', principal: `${SERVICE}@WINGTIP.TEST`, etype: AES256 }, extra);
const atPartner = (result: HopResult): Hop[] => [TGT, referral(), hop('tgs', 'WINGTIP.TEST', result)];

const exchanged = (hops: Hop[]): KerberosOutcome => ({ kind: 'exchanged', hops });

interface Row {
  name: string;
  direction?: AuthDirection;
  outcome: KerberosOutcome;
  status: Status;
  message: string | RegExp;
  remediation: string | RegExp;
  observed?: Record<string, unknown>;
}

const PASSWORD_REMEDY =
  "fix or unlock the canary's account in tailspin.test; the agent tries again as soon as the canary's password (password_file or password_env) changes, or, for the same password, once its memory is cleared (restart the agent and remove its state file)";
const KEY_RESET =
  'reset the trust password to the same value on both sides: on a DC of wingtip.test: netdom trust wingtip.test /domain:tailspin.test /resetOneSide /passwordT:<new> /userO:<admin> /passwordO:*, then on a DC of tailspin.test: netdom trust tailspin.test /domain:wingtip.test /resetOneSide /passwordT:<the same> /userO:<admin> /passwordO:*; or remove and re-create the trust';
const ETYPE_REMEDY =
  'give both sides of the trust the same encryption types, AES (msDS-SupportedEncryptionTypes 0x18 on each side\'s trust object): tick "The other domain supports Kerberos AES Encryption" on the trust\'s properties in each domain, or on a DC of wingtip.test: ksetup /setenctypeattr tailspin.test AES256-CTS-HMAC-SHA1-96 AES128-CTS-HMAC-SHA1-96, and on a DC of tailspin.test: ksetup /setenctypeattr wingtip.test AES256-CTS-HMAC-SHA1-96 AES128-CTS-HMAC-SHA1-96';
const CANNOT = 'tailspin.test users cannot authenticate to wingtip.test: ';

const ROWS: Row[] = [
  {
    name: 'a password rejected in an earlier run: unknown, nothing sent',
    outcome: { kind: 'not-retried', why: "TAILSPIN.TEST's KDC dca answered KDC_ERR_PREAUTH_FAILED (24)" },
    status: 'unknown',
    message: "canary password rejected; not retried: TAILSPIN.TEST's KDC dca answered KDC_ERR_PREAUTH_FAILED (24)",
    remediation: PASSWORD_REMEDY,
    observed: { not_retried: true },
  },
  {
    name: 'no KDC of the own realm: unknown, the trust was not tried',
    outcome: { kind: 'no-kdc', realm: 'TAILSPIN.TEST', detail: 'NXDOMAIN' },
    status: 'unknown',
    message:
      'the canary could not log on in tailspin.test, so the trust was not tried: no KDC of TAILSPIN.TEST found: NXDOMAIN',
    remediation:
      'make the DCs of tailspin.test findable from this host (dns_servers or dcs: under domains.tailspin.test)',
    observed: { realm: 'TAILSPIN.TEST' },
  },
  {
    name: 'no DC of the partner, allowed: critical',
    outcome: { kind: 'no-service', detail: 'SERVFAIL' },
    status: 'critical',
    message: 'no DC of wingtip.test found, so no service of it could be asked for: SERVFAIL',
    remediation:
      "make wingtip.test's DCs findable from this host (DNS forwarding of wingtip.test, or dcs: under domains.wingtip.test), or name a service under the trust's service:",
  },
  {
    name: 'no DC of the partner, not allowed: unknown',
    direction: NOT_ALLOWED,
    outcome: { kind: 'no-service', detail: 'SERVFAIL' },
    status: 'unknown',
    message: 'no DC of wingtip.test found, so no service of it could be asked for: SERVFAIL',
    remediation: /^make wingtip\.test's DCs findable/,
  },
  {
    name: 'no hop at all: unknown',
    outcome: exchanged([]),
    status: 'unknown',
    message: 'no Kerberos request was sent',
    remediation: '',
    observed: { hops: [], path: '' },
  },
  {
    name: 'the service reached over one AES referral: ok',
    outcome: exchanged([TGT, referral(), serviceTicket()]),
    status: 'ok',
    message:
      'tailspin.test users authenticate to wingtip.test: service ticket for ldap/dcb.wingtip.test after 1 referral (aes256-cts-hmac-sha1-96)',
    remediation: '',
    observed: { referral_etype: 'aes256-cts-hmac-sha1-96' },
  },
  {
    name: 'two referrals: plural, the first referral etype',
    outcome: exchanged([
      TGT,
      referral(AES128),
      hop('tgs', 'WINGTIP.TEST', { kind: 'referral', realm: 'CHILD.WINGTIP.TEST', etype: AES256 }),
      serviceTicket({ realm: 'CHILD.WINGTIP.TEST' }),
    ]),
    status: 'ok',
    message:
      'tailspin.test users authenticate to wingtip.test: service ticket for ldap/dcb.wingtip.test after 2 referrals (aes128-cts-hmac-sha1-96)',
    remediation: '',
    observed: { referral_etype: 'aes128-cts-hmac-sha1-96' },
  },
  {
    name: 'a service ticket from the own realm without a referral: ok, 0 referrals, no etype named',
    outcome: exchanged([TGT, hop('tgs', 'TAILSPIN.TEST', { kind: 'ticket', principal: SERVICE, etype: AES256 })]),
    status: 'ok',
    message:
      'tailspin.test users authenticate to wingtip.test: service ticket for ldap/dcb.wingtip.test after 0 referrals',
    remediation: '',
    observed: { referral_etype: undefined },
  },
  {
    name: 'UDP silent at the partner, TCP worked: ok with a note',
    outcome: exchanged([
      TGT,
      referral(),
      serviceTicket({ transport: 'tcp', udpFallback: 'no answer over UDP 88 in 2 s' }),
    ]),
    status: 'ok',
    message:
      'tailspin.test users authenticate to wingtip.test: service ticket for ldap/dcb.wingtip.test after 1 referral (aes256-cts-hmac-sha1-96); UDP 88 failed at dcb.wingtip.test (no answer over UDP 88 in 2 s), TCP worked',
    remediation: '',
  },
  {
    name: 'UDP refused at two KDCs: both named',
    outcome: exchanged([
      TGT,
      referral(AES256, { udpFallback: 'UDP 88: ICMP port unreachable', transport: 'tcp' }),
      serviceTicket({ transport: 'tcp', udpFallback: 'UDP 88: ICMP port unreachable' }),
    ]),
    status: 'ok',
    message:
      'tailspin.test users authenticate to wingtip.test: service ticket for ldap/dcb.wingtip.test after 1 referral (aes256-cts-hmac-sha1-96); UDP 88 failed at dca.tailspin.test (UDP 88: ICMP port unreachable), dcb.wingtip.test (UDP 88: ICMP port unreachable), TCP worked',
    remediation: '',
  },
  {
    name: 'RESPONSE_TOO_BIG then TCP: ordinary Kerberos, no note',
    outcome: exchanged([
      TGT,
      referral(),
      serviceTicket({ transport: 'tcp', udpFallback: 'KRB_ERR_RESPONSE_TOO_BIG over UDP' }),
    ]),
    status: 'ok',
    message:
      'tailspin.test users authenticate to wingtip.test: service ticket for ldap/dcb.wingtip.test after 1 referral (aes256-cts-hmac-sha1-96)',
    remediation: '',
  },
  {
    name: 'an RC4 referral: warning, what breaks when RC4 is off',
    outcome: exchanged([TGT, referral(RC4), serviceTicket()]),
    status: 'warning',
    message:
      'tailspin.test users authenticate to wingtip.test, but the referral ticket was made with RC4 (rc4-hmac): once RC4 is turned off on the DCs (the default of newer Windows Server), every Kerberos logon across this trust fails',
    remediation:
      'enable AES on the trust on both sides (msDS-SupportedEncryptionTypes 0x18 on each trust object: "The other domain supports Kerberos AES Encryption"), then check this again',
    observed: { referral_etype: 'rc4-hmac' },
  },
  {
    name: 'the service reached though no trust allows it: warning',
    direction: NOT_ALLOWED,
    outcome: exchanged([TGT, referral(), serviceTicket()]),
    status: 'warning',
    message:
      'tailspin.test users authenticate to wingtip.test (ldap/dcb.wingtip.test), though no configured trust lets them: AS TAILSPIN.TEST at dca.tailspin.test/udp: ticket (aes256-cts-hmac-sha1-96) -> TGS TAILSPIN.TEST at dca.tailspin.test/udp: referral to WINGTIP.TEST (aes256-cts-hmac-sha1-96) -> TGS WINGTIP.TEST at dcb.wingtip.test/udp: ticket (aes256-cts-hmac-sha1-96)',
    remediation:
      'if this is meant, describe the trust under trusts:; if not, check the trust objects of wingtip.test (trust.unexpected)',
    observed: { referral_etype: 'aes256-cts-hmac-sha1-96' },
  },
  ...(
    [
      [24, 'KDC_ERR_PREAUTH_FAILED', 'wrong password'],
      [18, 'KDC_ERR_CLIENT_REVOKED', 'account disabled, locked out or expired'],
      [23, 'KDC_ERR_KEY_EXPIRED', 'password expired'],
    ] as const
  ).map(([code, name, why]): Row => ({
    name: `AS error ${code}: the canary's password rejected, not retried`,
    outcome: exchanged([hop('as', 'TAILSPIN.TEST', error(code))]),
    status: 'unknown',
    message: `canary password rejected; not retried: TAILSPIN.TEST's KDC dca.tailspin.test answered ${name} (${code}, ${why})`,
    remediation: PASSWORD_REMEDY,
    observed: { not_retried: true },
  })),
  {
    name: 'AS error 6: no such account, tried again',
    outcome: exchanged([hop('as', 'TAILSPIN.TEST', error(6))]),
    status: 'unknown',
    message:
      'the canary could not log on in tailspin.test, so the trust was not tried: KDC_ERR_C_PRINCIPAL_UNKNOWN (6, no such account)',
    remediation: 'check the canary account in tailspin.test',
    observed: { not_retried: false },
  },
  {
    name: 'AS error 37 with the offset: this host clock',
    outcome: exchanged([hop('as', 'TAILSPIN.TEST', error(37, -400.4))]),
    status: 'unknown',
    message:
      "the canary could not log on in tailspin.test, so the trust was not tried: KRB_AP_ERR_SKEW (37, TAILSPIN.TEST's KDC clock is 400 s behind this host's)",
    remediation: "set this host's clock to the domain's time source",
    observed: { not_retried: false },
  },
  {
    name: 'AS error 37 without the KDC time',
    outcome: exchanged([hop('as', 'TAILSPIN.TEST', error(37))]),
    status: 'unknown',
    message:
      "the canary could not log on in tailspin.test, so the trust was not tried: KRB_AP_ERR_SKEW (37, TAILSPIN.TEST's KDC clock is more than 5 minutes off this host's)",
    remediation: "set this host's clock to the domain's time source",
  },
  {
    name: 'another AS error: named',
    outcome: exchanged([hop('as', 'TAILSPIN.TEST', error(60, undefined, 'internal'))]),
    status: 'unknown',
    message:
      'the canary could not log on in tailspin.test, so the trust was not tried: KRB_ERR_GENERIC (60, the KDC refused the logon)',
    remediation: 'check the canary account in tailspin.test',
    observed: { not_retried: false },
  },
  {
    name: 'own KDC unreachable: unknown, which KDC and what to open',
    outcome: exchanged([hop('as', 'TAILSPIN.TEST', { kind: 'unreachable', detail: 'no answer in 2 s' })]),
    status: 'unknown',
    message:
      "the canary could not log on in tailspin.test, so the trust was not tried: TAILSPIN.TEST's KDC dca.tailspin.test (198.51.100.10) did not answer: no answer in 2 s",
    remediation: 'allow UDP and TCP 88 from this host to dca.tailspin.test',
  },
  {
    name: 'own KDC answered garbage: unknown',
    outcome: exchanged([hop('as', 'TAILSPIN.TEST', { kind: 'malformed', detail: 'not Kerberos' })]),
    status: 'unknown',
    message:
      "the canary could not log on in tailspin.test, so the trust was not tried: TAILSPIN.TEST's KDC dca.tailspin.test (198.51.100.10) answered something unusable: not Kerberos",
    remediation: 'allow UDP and TCP 88 from this host to dca.tailspin.test',
  },
  {
    name: 'own KDC has no referral (7), allowed: critical, check the trust object',
    outcome: exchanged([TGT, hop('tgs', 'TAILSPIN.TEST', error(7))]),
    status: 'critical',
    message: `${CANNOT}TAILSPIN.TEST's KDC has no referral to wingtip.test for ldap/dcb.wingtip.test: the trust is missing, disabled or one-way the other way on tailspin.test's side, or wingtip.test's name suffixes are not routed to it`,
    remediation:
      'check the trust object for wingtip.test in tailspin.test (trust.expected, trust.path) and its forest trust information',
  },
  {
    name: 'own KDC has no referral (7), not allowed: ok, not available',
    direction: NOT_ALLOWED,
    outcome: exchanged([TGT, hop('tgs', 'TAILSPIN.TEST', error(7))]),
    status: 'ok',
    message:
      "not available, as configured: tailspin.test users cannot reach wingtip.test (TAILSPIN.TEST's KDC has no referral for ldap/dcb.wingtip.test)",
    remediation: '',
  },
  {
    name: 'partner refuses, not allowed: ok, not available, with the path',
    direction: NOT_ALLOWED,
    outcome: exchanged(atPartner(error(12))),
    status: 'ok',
    message:
      'not available, as configured: tailspin.test users cannot reach wingtip.test (AS TAILSPIN.TEST at dca.tailspin.test/udp: ticket (aes256-cts-hmac-sha1-96) -> TGS TAILSPIN.TEST at dca.tailspin.test/udp: referral to WINGTIP.TEST (aes256-cts-hmac-sha1-96) -> TGS WINGTIP.TEST at dcb.wingtip.test/udp: KDC_ERR_POLICY)',
    remediation: '',
  },
  {
    name: 'the partner does not know the service (7), not allowed: ok, the path, not the own KDC',
    direction: NOT_ALLOWED,
    outcome: exchanged(atPartner(error(7))),
    status: 'ok',
    message:
      /^not available, as configured: tailspin\.test users cannot reach wingtip\.test \(AS TAILSPIN\.TEST .* -> TGS WINGTIP\.TEST at dcb\.wingtip\.test\/udp: KDC_ERR_S_PRINCIPAL_UNKNOWN\)$/,
    remediation: '',
  },
  {
    name: 'own KDC refuses otherwise (14), not allowed: ok, the path',
    direction: NOT_ALLOWED,
    outcome: exchanged([TGT, hop('tgs', 'TAILSPIN.TEST', error(14))]),
    status: 'ok',
    message:
      'not available, as configured: tailspin.test users cannot reach wingtip.test (AS TAILSPIN.TEST at dca.tailspin.test/udp: ticket (aes256-cts-hmac-sha1-96) -> TGS TAILSPIN.TEST at dca.tailspin.test/udp: KDC_ERR_ETYPE_NOSUPP)',
    remediation: '',
    observed: { referral_etype: undefined },
  },
  {
    name: 'own KDC silent on the TGS step, not allowed: ok, the path',
    direction: NOT_ALLOWED,
    outcome: exchanged([TGT, hop('tgs', 'TAILSPIN.TEST', { kind: 'unreachable', detail: 'x' })]),
    status: 'ok',
    message:
      'not available, as configured: tailspin.test users cannot reach wingtip.test (AS TAILSPIN.TEST at dca.tailspin.test/udp: ticket (aes256-cts-hmac-sha1-96) -> TGS TAILSPIN.TEST at dca.tailspin.test/udp: unreachable)',
    remediation: '',
  },
  {
    name: 'own KDC refuses the TGS-REQ otherwise (14), allowed: critical with the etype fix',
    outcome: exchanged([TGT, hop('tgs', 'TAILSPIN.TEST', error(14))]),
    status: 'critical',
    message: `${CANNOT}TAILSPIN.TEST's KDC refused the request for ldap/dcb.wingtip.test: KDC_ERR_ETYPE_NOSUPP (14)`,
    remediation: ETYPE_REMEDY,
  },
  {
    name: 'own KDC silent on the TGS step, allowed: critical, which KDC',
    outcome: exchanged([TGT, hop('tgs', 'TAILSPIN.TEST', { kind: 'unreachable', detail: 'no answer in 2 s' })]),
    status: 'critical',
    message:
      "TAILSPIN.TEST's KDC dca.tailspin.test (198.51.100.10) is unreachable: no answer in 2 s; tailspin.test users cannot get tickets for wingtip.test",
    remediation: 'allow UDP and TCP 88 from the clients of tailspin.test to dca.tailspin.test',
  },
  ...(
    [
      [31, 'KRB_AP_ERR_BAD_INTEGRITY'],
      [41, 'KRB_AP_ERR_MODIFIED'],
    ] as const
  ).map(([code, name]): Row => ({
    name: `partner ${code}: trust key mismatch, netdom with the trusting domain first`,
    outcome: exchanged(atPartner(error(code))),
    status: 'critical',
    message: `${CANNOT}trust key mismatch: WINGTIP.TEST's KDC could not decrypt the referral ticket tailspin.test issued, so the two sides no longer share the trust password (reset on one side only, a restore from backup, or replication not done) (${name}, ${code})`,
    remediation: KEY_RESET,
    observed: { referral_etype: 'aes256-cts-hmac-sha1-96' },
  })),
  {
    name: 'partner 44: no key of that version or etype',
    outcome: exchanged(atPartner(error(44))),
    status: 'critical',
    message: `${CANNOT}WINGTIP.TEST's KDC has no trust key of the version or encryption type the referral ticket was made with: the two sides disagree on the trust's encryption types (AES on one side, RC4 only on the other) or on the key (KRB_AP_ERR_BADKEYVER, 44)`,
    remediation: ETYPE_REMEDY,
  },
  {
    name: 'partner 14: no common etype',
    outcome: exchanged(atPartner(error(14))),
    status: 'critical',
    message: `${CANNOT}no common encryption type: WINGTIP.TEST's KDC supports none the referral or the request offered (KDC_ERR_ETYPE_NOSUPP, 14)`,
    remediation: ETYPE_REMEDY,
  },
  {
    name: 'partner 37 with the offset',
    outcome: exchanged(atPartner(error(37, 612.6))),
    status: 'critical',
    message: `${CANNOT}clock skew: WINGTIP.TEST's KDC clock is 613 s ahead of this host's (Kerberos allows 300 s) (KRB_AP_ERR_SKEW, 37)`,
    remediation:
      "set WINGTIP.TEST's DCs and this host to the same time source (w32tm /resync on the PDC emulator; chrony or w32time here)",
  },
  {
    name: 'partner 37 without the KDC time',
    outcome: exchanged(atPartner(error(37))),
    status: 'critical',
    message: `${CANNOT}clock skew: WINGTIP.TEST's KDC clock is more than 5 minutes off this host's (Kerberos allows 300 s) (KRB_AP_ERR_SKEW, 37)`,
    remediation: /^set WINGTIP\.TEST's DCs and this host to the same time source/,
  },
  {
    name: 'partner 7: the service is unknown there',
    outcome: exchanged(atPartner(error(7))),
    status: 'critical',
    message: `${CANNOT}WINGTIP.TEST does not know the service ldap/dcb.wingtip.test@WINGTIP.TEST (KDC_ERR_S_PRINCIPAL_UNKNOWN, 7)`,
    remediation: "name a service that exists in wingtip.test under the trust's service:, or check the SPN",
  },
  {
    name: 'partner 12: policy, selective authentication',
    outcome: exchanged(atPartner(error(12))),
    status: 'critical',
    message: `${CANNOT}WINGTIP.TEST's KDC refused by policy: selective authentication without "Allowed to authenticate" for the canary on the service's computer, or an account restriction (KDC_ERR_POLICY, 12)`,
    remediation:
      'grant the canary "Allowed to authenticate" on the service\'s computer in wingtip.test, or check the canary\'s account restrictions',
  },
  {
    name: 'partner, another error: named, the event log of that KDC',
    outcome: exchanged(atPartner(error(60))),
    status: 'critical',
    message: `${CANNOT}WINGTIP.TEST's KDC refused the request (KRB_ERR_GENERIC, 60)`,
    remediation: "look up KRB_ERR_GENERIC in the KDC's event log on dcb.wingtip.test",
  },
  {
    name: 'partner unreachable: critical, open 88 to it',
    outcome: exchanged(atPartner({ kind: 'unreachable', detail: 'UDP 88: ICMP port unreachable; TCP 88: refused' })),
    status: 'critical',
    message:
      "WINGTIP.TEST's KDC dcb.wingtip.test (198.51.100.20) is unreachable: UDP 88: ICMP port unreachable; TCP 88: refused; tailspin.test users cannot get tickets for wingtip.test",
    remediation: 'allow UDP and TCP 88 from the clients of tailspin.test to dcb.wingtip.test',
    observed: { referral_etype: 'aes256-cts-hmac-sha1-96' },
  },
  {
    name: 'partner answered garbage: critical',
    outcome: exchanged(atPartner({ kind: 'malformed', detail: 'the TGS-REP does not decrypt' })),
    status: 'critical',
    message:
      "WINGTIP.TEST's KDC dcb.wingtip.test (198.51.100.20) answered something unusable: the TGS-REP does not decrypt; tailspin.test users cannot get tickets for wingtip.test",
    remediation: '',
  },
  {
    name: 'the exchange stopped on a referral (no further KDC asked): unknown',
    outcome: exchanged([TGT, referral()]),
    status: 'unknown',
    message:
      'the exchange stopped after AS TAILSPIN.TEST at dca.tailspin.test/udp: ticket (aes256-cts-hmac-sha1-96) -> TGS TAILSPIN.TEST at dca.tailspin.test/udp: referral to WINGTIP.TEST (aes256-cts-hmac-sha1-96)',
    remediation: '',
  },
];

function check(row: Row): Finding {
  const found = judgeKerberos(row.direction ?? ALLOWED, SERVICE, row.outcome);
  const direction = row.direction ?? ALLOWED;
  assert.equal(found.check, 'auth.kerberos');
  assert.equal(found.domain, 'tailspin.test');
  assert.deepEqual(found.target, { kind: 'path', from: 'tailspin.test', to: 'wingtip.test' });
  assert.equal(found.status, row.status);
  if (typeof row.message === 'string') assert.equal(found.message, row.message);
  else assert.match(found.message, row.message);
  if (typeof row.remediation === 'string') assert.equal(found.remediation, row.remediation);
  else assert.match(found.remediation, row.remediation);
  assert.equal(found.observed['protocol'], 'kerberos');
  assert.equal(found.observed['allowed'], direction.allowed);
  assert.equal(found.observed['service'], SERVICE);
  for (const [key, value] of Object.entries(row.observed ?? {})) assert.deepEqual(found.observed[key], value, key);
  return found;
}

describe('judgeKerberos: one row per branch', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      check(row);
    });
  }
});

describe('the hops as observed', () => {
  it('each result kind with its fields; seconds to the millisecond; no fallback as null', () => {
    const hops = [
      TGT,
      referral(RC4, { transport: 'tcp', udpFallback: 'KRB_ERR_RESPONSE_TOO_BIG over UDP' }),
      hop('tgs', 'WINGTIP.TEST', error(37, 400, 'skew')),
      hop('tgs', 'WINGTIP.TEST', { kind: 'unreachable', detail: 'silent' }),
      hop('tgs', 'WINGTIP.TEST', { kind: 'malformed', detail: 'garbage' }),
      hop('tgs', 'WINGTIP.TEST', error(14)),
    ];
    const found = judgeKerberos(ALLOWED, SERVICE, exchanged(hops));
    const base = (h: Hop) => ({
      step: h.step,
      realm: h.realm,
      kdc: h.kdc,
      address: h.address,
      transport: h.transport,
      udp_fallback: h.udpFallback ?? null,
      asked: h.asked,
      seconds: 0.012,
    });
    const [as, ref, skew, silent, garbage, nosupp] = hops as [Hop, Hop, Hop, Hop, Hop, Hop];
    assert.deepEqual(found.observed['hops'], [
      {
        ...base(as),
        result: 'ticket',
        principal: 'krbtgt/TAILSPIN.TEST@TAILSPIN.TEST',
        etype: 'aes256-cts-hmac-sha1-96',
      },
      { ...base(ref), result: 'referral', to_realm: 'WINGTIP.TEST', etype: 'rc4-hmac' },
      {
        ...base(skew),
        result: 'error',
        error_code: 37,
        error_name: 'KRB_AP_ERR_SKEW',
        e_text: 'skew',
        skew_seconds: 400,
      },
      { ...base(silent), result: 'unreachable', detail: 'silent' },
      { ...base(garbage), result: 'malformed', detail: 'garbage' },
      {
        ...base(nosupp),
        result: 'error',
        error_code: 14,
        error_name: 'KDC_ERR_ETYPE_NOSUPP',
        e_text: null,
        skew_seconds: null,
      },
    ]);
    assert.equal(found.observed['referral_etype'], 'rc4-hmac');
    assert.equal(
      found.observed['path'],
      'AS TAILSPIN.TEST at dca.tailspin.test/udp: ticket (aes256-cts-hmac-sha1-96) -> TGS TAILSPIN.TEST at dca.tailspin.test/tcp: referral to WINGTIP.TEST (rc4-hmac) -> TGS WINGTIP.TEST at dcb.wingtip.test/udp: KRB_AP_ERR_SKEW -> TGS WINGTIP.TEST at dcb.wingtip.test/udp: unreachable -> TGS WINGTIP.TEST at dcb.wingtip.test/udp: malformed -> TGS WINGTIP.TEST at dcb.wingtip.test/udp: KDC_ERR_ETYPE_NOSUPP',
    );
  });

  it('without a referral, no referral_etype', () => {
    const found = judgeKerberos(ALLOWED, SERVICE, exchanged([hop('as', 'TAILSPIN.TEST', error(6))]));
    assert.equal('referral_etype' in found.observed, false);
    assert.equal(found.observed['path'], 'AS TAILSPIN.TEST at dca.tailspin.test/udp: KDC_ERR_C_PRINCIPAL_UNKNOWN');
  });
});

describe('the helpers', () => {
  it('etype names, known or by number', () => {
    assert.equal(etypeName(17), 'aes128-cts-hmac-sha1-96');
    assert.equal(etypeName(23), 'rc4-hmac');
    assert.equal(etypeName(3), 'etype 3');
  });

  it('the referral etype is the first referral', () => {
    assert.equal(referralEtype([TGT, referral(RC4), referral(AES128), serviceTicket()]), RC4);
    assert.equal(referralEtype([TGT, serviceTicket()]), undefined);
  });

  it('the seconds add up over the hops', () => {
    assert.equal(exchangeSeconds([]), 0);
    assert.equal(
      exchangeSeconds([TGT, referral(AES256, { seconds: 1.5 }), serviceTicket({ seconds: 0.25 })]),
      1.7623456,
    );
  });

  it('the service is reached by a TGS ticket after the AS step only', () => {
    assert.equal(reachedService([TGT, referral(), serviceTicket()]), true);
    assert.equal(reachedService([TGT]), false);
    assert.equal(reachedService([TGT, TGT]), false);
    assert.equal(reachedService([serviceTicket()]), false);
    assert.equal(reachedService([TGT, referral()]), false);
    assert.equal(reachedService([TGT, hop('tgs', 'WINGTIP.TEST', error(7))]), false);
    assert.equal(reachedService([]), false);
  });

  it('codes that reject the password: 18, 23, 24 and no other', () => {
    const rejecting = Array.from({ length: 100 }, (_, code) => code).filter(rejectsPassword);
    assert.deepEqual(rejecting, [18, 23, 24]);
  });

  it('describeHops of nothing is empty', () => {
    assert.equal(describeHops([]), '');
  });
});
