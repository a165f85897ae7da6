// What a canary's Kerberos exchange says about one trust direction: the hops as they happened
// (which KDC, which transport, what it answered) in, one `auth.kerberos` finding out. Pure.
//
// Where a failure sits decides whose problem it is: at the canary's own KDC before a ticket,
// it is the canary's (its password, its account, the agent's clock), never the trust's; at the
// own KDC's answer for the partner's service, it is the referral (the trust object); at the
// partner's KDC, it is the trust key and what the two sides agree on.

import { finding, type Finding, type Status } from '../model/finding.js';
import type { Transport } from '../model/measurement.js';
import type { AuthDirection } from '../model/targets.js';
import { krbErrorName } from '../wire/kerberos.js';
import { ENCTYPE_NAMES } from '../wire/kerberos-crypto.js';

/** What one KDC answered to one request. */
export type HopResult =
  /** A ticket for what was asked: the TGT (AS step) or the service ticket (last TGS step). */
  | { kind: 'ticket'; principal: string; etype: number }
  /** A cross-realm TGT: ask `realm` next. `etype` is the trust key's encryption type. */
  | { kind: 'referral'; realm: string; etype: number }
  | { kind: 'error'; code: number; eText: string | undefined; skewSeconds: number | undefined }
  /** No answer on either transport. */
  | { kind: 'unreachable'; detail: string }
  /** An answer that is not a Kerberos reply to this request, or that does not decrypt. */
  | { kind: 'malformed'; detail: string };

export interface Hop {
  step: 'as' | 'tgs';
  /** The realm whose KDC was asked. */
  realm: string;
  kdc: string;
  address: string;
  /** The transport the answer came on (the last one tried when there was none). */
  transport: Transport;
  /** Why UDP was left for TCP, when it was. */
  udpFallback: string | undefined;
  /** The principal asked for. */
  asked: string;
  seconds: number;
  result: HopResult;
}

export type KerberosOutcome =
  /** The canary's password was rejected in an earlier run: nothing was sent. */
  | { kind: 'not-retried'; why: string }
  /** No KDC of the canary's own realm could be found (DNS, config). */
  | { kind: 'no-kdc'; realm: string; detail: string }
  /** No DC of the partner was found to name the default service `ldap/<DC>` after. */
  | { kind: 'no-service'; detail: string }
  | { kind: 'exchanged'; hops: Hop[] };

/** KRB-ERROR codes by what they mean for the canary's own logon (AS step). */
const CANARY_REJECTED: ReadonlySet<number> = new Set([18, 23, 24]);

/** Codes that are the canary's own password being refused: never sent again until it changes. */
export function rejectsPassword(code: number): boolean {
  return CANARY_REJECTED.has(code);
}

const RC4 = 23;

/** `120 s ahead of`, `45 s behind`: the KDC's clock against this host's (from the error's stime). */
function describeSkew(seconds: number | undefined): string {
  if (seconds === undefined) return 'more than 5 minutes off';
  return `${Math.abs(Math.round(seconds))} s ${seconds >= 0 ? 'ahead of' : 'behind'}`;
}

export function etypeName(etype: number): string {
  return (ENCTYPE_NAMES as Readonly<Record<number, string>>)[etype] ?? `etype ${etype}`;
}

/** A plain meaning of a KRB-ERROR code seen at the partner's KDC on a referral ticket. */
function partnerMeaning(code: number, hop: Hop, from: string, skew: number | undefined): string {
  switch (code) {
    case 31:
    case 41:
      return `trust key mismatch: ${hop.realm}'s KDC could not decrypt the referral ticket ${from} issued, so the two sides no longer share the trust password (reset on one side only, a restore from backup, or replication not done)`;
    case 44:
      return `${hop.realm}'s KDC has no trust key of the version or encryption type the referral ticket was made with: the two sides disagree on the trust's encryption types (AES on one side, RC4 only on the other) or on the key`;
    case 14:
      return `no common encryption type: ${hop.realm}'s KDC supports none the referral or the request offered`;
    case 37:
      return `clock skew: ${hop.realm}'s KDC clock is ${describeSkew(skew)} this host's (Kerberos allows 300 s)`;
    case 7:
      return `${hop.realm} does not know the service ${hop.asked}`;
    case 12:
      return `${hop.realm}'s KDC refused by policy: selective authentication without "Allowed to authenticate" for the canary on the service's computer, or an account restriction`;
    default:
      return `${hop.realm}'s KDC refused the request`;
  }
}

function remedyFor(code: number, direction: AuthDirection, hop: Hop): string {
  const { from, to } = direction;
  switch (code) {
    case 31:
    case 41:
      return `reset the trust password to the same value on both sides: on a DC of ${to}: netdom trust ${to} /domain:${from} /resetOneSide /passwordT:<new> /userO:<admin> /passwordO:*, then on a DC of ${from}: netdom trust ${from} /domain:${to} /resetOneSide /passwordT:<the same> /userO:<admin> /passwordO:*; or remove and re-create the trust`;
    case 44:
    case 14:
      return `give both sides of the trust the same encryption types, AES (msDS-SupportedEncryptionTypes 0x18 on each side's trust object): tick "The other domain supports Kerberos AES Encryption" on the trust's properties in each domain, or on a DC of ${to}: ksetup /setenctypeattr ${from} AES256-CTS-HMAC-SHA1-96 AES128-CTS-HMAC-SHA1-96, and on a DC of ${from}: ksetup /setenctypeattr ${to} AES256-CTS-HMAC-SHA1-96 AES128-CTS-HMAC-SHA1-96`;
    case 37:
      return `set ${hop.realm}'s DCs and this host to the same time source (w32tm /resync on the PDC emulator; chrony or w32time here)`;
    case 7:
      return `name a service that exists in ${to} under the trust's service:, or check the SPN`;
    case 12:
      return `grant the canary "Allowed to authenticate" on the service's computer in ${to}, or check the canary's account restrictions`;
    default:
      return `look up ${krbErrorName(code)} in the KDC's event log on ${hop.kdc}`;
  }
}

function hopsObserved(hops: Hop[]): Finding['observed'][string] {
  return hops.map((hop) => {
    const base = {
      step: hop.step,
      realm: hop.realm,
      kdc: hop.kdc,
      address: hop.address,
      transport: hop.transport,
      udp_fallback: hop.udpFallback ?? null,
      asked: hop.asked,
      seconds: Number(hop.seconds.toFixed(3)),
    };
    const { result } = hop;
    switch (result.kind) {
      case 'ticket':
        return { ...base, result: 'ticket', principal: result.principal, etype: etypeName(result.etype) };
      case 'referral':
        return { ...base, result: 'referral', to_realm: result.realm, etype: etypeName(result.etype) };
      case 'error':
        return {
          ...base,
          result: 'error',
          error_code: result.code,
          error_name: krbErrorName(result.code),
          e_text: result.eText ?? null,
          skew_seconds: result.skewSeconds ?? null,
        };
      default:
        return { ...base, result: result.kind, detail: result.detail };
    }
  });
}

/** How the hops read as one line: `AS TAILSPIN.TEST (dca, udp) -> TGS ... -> ticket`. */
export function describeHops(hops: Hop[]): string {
  return hops
    .map((hop) => {
      const { result } = hop;
      const answer =
        result.kind === 'ticket'
          ? `ticket (${etypeName(result.etype)})`
          : result.kind === 'referral'
            ? `referral to ${result.realm} (${etypeName(result.etype)})`
            : result.kind === 'error'
              ? krbErrorName(result.code)
              : result.kind;
      return `${hop.step.toUpperCase()} ${hop.realm} at ${hop.kdc}/${hop.transport}: ${answer}`;
    })
    .join(' -> ');
}

/** The etype of the first referral ticket: made with the trust key of the first trust crossed. */
export function referralEtype(hops: Hop[]): number | undefined {
  for (const hop of hops) if (hop.result.kind === 'referral') return hop.result.etype;
  return undefined;
}

/** The seconds from the first request to the last answer, as a client waits them. */
export function exchangeSeconds(hops: Hop[]): number {
  return hops.reduce((sum, hop) => sum + hop.seconds, 0);
}

/** Whether the canary reached the service: the last hop gave a service ticket after the AS step. */
export function reachedService(hops: Hop[]): boolean {
  const last = hops.at(-1);
  return hops.length >= 2 && last?.step === 'tgs' && last.result.kind === 'ticket';
}

export function judgeKerberos(direction: AuthDirection, service: string, outcome: KerberosOutcome): Finding {
  const { from, to, allowed } = direction;
  const base = {
    check: 'auth.kerberos' as const,
    domain: from,
    target: { kind: 'path' as const, from, to },
  };
  const make = (status: Status, message: string, remediation: string, observed: Finding['observed'] = {}): Finding =>
    finding({
      ...base,
      status,
      message,
      remediation,
      observed: { protocol: 'kerberos', allowed, service, ...observed },
    });

  if (outcome.kind === 'not-retried')
    return make(
      'unknown',
      `canary password rejected; not retried: ${outcome.why}`,
      `fix or unlock the canary's account in ${from}; the agent tries again as soon as the canary's password (password_file or password_env) changes, or, for the same password, once its memory is cleared (restart the agent and remove its state file)`,
      { not_retried: true },
    );
  if (outcome.kind === 'no-kdc')
    return make(
      'unknown',
      `the canary could not log on in ${from}, so the trust was not tried: no KDC of ${outcome.realm} found: ${outcome.detail}`,
      `make the DCs of ${from} findable from this host (dns_servers or dcs: under domains.${from})`,
      { realm: outcome.realm },
    );

  if (outcome.kind === 'no-service')
    return make(
      allowed ? 'critical' : 'unknown',
      `no DC of ${to} found, so no service of it could be asked for: ${outcome.detail}`,
      `make ${to}'s DCs findable from this host (DNS forwarding of ${to}, or dcs: under domains.${to}), or name a service under the trust's service:`,
    );

  const { hops } = outcome;
  const observed = { hops: hopsObserved(hops), path: describeHops(hops) };
  const referral = referralEtype(hops);
  const withReferral = referral === undefined ? observed : { ...observed, referral_etype: etypeName(referral) };
  const last = hops.at(-1);
  if (last === undefined) return make('unknown', 'no Kerberos request was sent', '', observed);

  if (reachedService(hops)) {
    if (!allowed)
      return make(
        'warning',
        `${from} users authenticate to ${to} (${service}), though no configured trust lets them: ${describeHops(hops)}`,
        `if this is meant, describe the trust under trusts:; if not, check the trust objects of ${to} (trust.unexpected)`,
        withReferral,
      );
    // TCP after a too-big UDP reply is ordinary Kerberos (tickets with a PAC rarely fit); TCP
    // after UDP went unanswered or was refused means UDP 88 is blocked somewhere: worth a word.
    const blocked = hops.filter((hop) => hop.udpFallback !== undefined && !hop.udpFallback.includes('TOO_BIG'));
    const referrals = hops.filter((hop) => hop.result.kind === 'referral').length;
    const note =
      blocked.length === 0
        ? ''
        : `; UDP 88 failed at ${blocked.map((hop) => `${hop.kdc} (${hop.udpFallback ?? ''})`).join(', ')}, TCP worked`;
    if (referral === RC4)
      return make(
        'warning',
        `${from} users authenticate to ${to}, but the referral ticket was made with RC4 (rc4-hmac): once RC4 is turned off on the DCs (the default of newer Windows Server), every Kerberos logon across this trust fails`,
        `enable AES on the trust on both sides (msDS-SupportedEncryptionTypes 0x18 on each trust object: "The other domain supports Kerberos AES Encryption"), then check this again`,
        withReferral,
      );
    return make(
      'ok',
      `${from} users authenticate to ${to}: service ticket for ${service} after ${referrals} referral${referrals === 1 ? '' : 's'}${referral === undefined ? '' : ` (${etypeName(referral)})`}${note}`,
      '',
      withReferral,
    );
  }

  const { result } = last;
  // The canary's own logon: nothing about the trust is known yet.
  if (last.step === 'as') {
    if (result.kind === 'error') {
      const name = krbErrorName(result.code);
      const why =
        result.code === 24
          ? 'wrong password'
          : result.code === 18
            ? 'account disabled, locked out or expired'
            : result.code === 23
              ? 'password expired'
              : result.code === 6
                ? 'no such account'
                : result.code === 37
                  ? `${last.realm}'s KDC clock is ${describeSkew(result.skewSeconds)} this host's`
                  : 'the KDC refused the logon';
      return make(
        'unknown',
        rejectsPassword(result.code)
          ? `canary password rejected; not retried: ${last.realm}'s KDC ${last.kdc} answered ${name} (${result.code}, ${why})`
          : `the canary could not log on in ${from}, so the trust was not tried: ${name} (${result.code}, ${why})`,
        rejectsPassword(result.code)
          ? `fix or unlock the canary's account in ${from}; the agent tries again as soon as the canary's password (password_file or password_env) changes, or, for the same password, once its memory is cleared (restart the agent and remove its state file)`
          : result.code === 37
            ? `set this host's clock to the domain's time source`
            : `check the canary account in ${from}`,
        { ...observed, not_retried: rejectsPassword(result.code) },
      );
    }
    return make(
      'unknown',
      `the canary could not log on in ${from}, so the trust was not tried: ${last.realm}'s KDC ${last.kdc} (${last.address}) ${result.kind === 'unreachable' ? `did not answer: ${result.detail}` : `answered something unusable: ${result.kind === 'malformed' ? result.detail : result.kind}`}`,
      `allow UDP and TCP 88 from this host to ${last.kdc}`,
      observed,
    );
  }

  const atOwnKdc = last.realm === hops[0]?.realm;
  if (!allowed)
    return make(
      'ok',
      `not available, as configured: ${from} users cannot reach ${to} (${atOwnKdc && result.kind === 'error' && result.code === 7 ? `${last.realm}'s KDC has no referral for ${service}` : describeHops(hops)})`,
      '',
      withReferral,
    );
  if (result.kind === 'unreachable' || result.kind === 'malformed')
    return make(
      'critical',
      `${last.realm}'s KDC ${last.kdc} (${last.address}) ${result.kind === 'unreachable' ? `is unreachable: ${result.detail}` : `answered something unusable: ${result.detail}`}; ${from} users cannot get tickets for ${to}`,
      result.kind === 'unreachable' ? `allow UDP and TCP 88 from the clients of ${from} to ${last.kdc}` : '',
      withReferral,
    );
  if (result.kind !== 'error') return make('unknown', `the exchange stopped after ${describeHops(hops)}`, '', observed);
  const name = krbErrorName(result.code);
  if (atOwnKdc) {
    const meaning =
      result.code === 7
        ? `${last.realm}'s KDC has no referral to ${to} for ${service}: the trust is missing, disabled or one-way the other way on ${from}'s side, or ${to}'s name suffixes are not routed to it`
        : `${last.realm}'s KDC refused the request for ${service}: ${name} (${result.code})`;
    return make(
      'critical',
      `${from} users cannot authenticate to ${to}: ${meaning}`,
      result.code === 7
        ? `check the trust object for ${to} in ${from} (trust.expected, trust.path) and its forest trust information`
        : remedyFor(result.code, direction, last),
      withReferral,
    );
  }
  return make(
    'critical',
    `${from} users cannot authenticate to ${to}: ${partnerMeaning(result.code, last, from, result.skewSeconds)} (${name}, ${result.code})`,
    remedyFor(result.code, direction, last),
    withReferral,
  );
}
