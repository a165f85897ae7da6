// What a canary's NTLM logon at a partner DC says about one trust direction. Pure.
//
// NTLM does not follow referrals: the partner DC (of `to`) cannot check the canary's password
// itself and passes the logon through the trust's Netlogon secure channel to a DC of `from`.
// So an NTSTATUS from the partner DC is the secure channel's verdict, except the statuses that
// are the canary's own account speaking (wrong password, locked out): those are never the
// trust's, and never sent again until the password changes.

import { finding, type Finding, type Status } from '../model/finding.js';
import type { AuthDirection } from '../model/targets.js';
import { knownNtStatus } from '../wire/smb2.js';

export const SMB_PORT = 445;

/** A DC of `to` whose port 445 could not be used, before one answered (or none did). */
export interface NtlmUnreachable {
  dc: string;
  address: string;
  port: number;
  detail: string;
}

export type NtlmOutcome =
  /**
   * Nothing was sent, and why: the canary's password rejected (`rejected`), a keytab without an NT
   * hash. `trustFailure`: what was remembered is a partner DC's logon failure for a password the
   * canary's own KDC took, a trust failure that stays one until the password changes.
   */
  | { kind: 'not-tried'; why: string; rejected: boolean; trustFailure: boolean }
  /** No DC of `to` could be found. */
  | { kind: 'no-dc'; detail: string }
  /** No DC of `to` took a connection on 445. */
  | { kind: 'unreachable'; tried: NtlmUnreachable[] }
  /** A DC took the connection but the SMB2 exchange broke before a logon verdict. */
  | {
      kind: 'broken';
      dc: string;
      address: string;
      port: number;
      detail: string;
      tried: NtlmUnreachable[];
      seconds: number;
    }
  /** The DC's answer to the logon: an NTSTATUS (0 = accepted). */
  | {
      kind: 'answered';
      dc: string;
      address: string;
      port: number;
      status: number;
      /** The session the DC gave was its guest's (or anonymous), not the canary's. */
      guest: boolean;
      seconds: number;
      /** The canary's password was proven right by its own KDC in this run (Kerberos AS). */
      passwordProven: boolean;
      tried: NtlmUnreachable[];
    };

export const STATUS_SUCCESS = 0;
export const STATUS_LOGON_FAILURE = 0xc000006d;

interface StatusInfo {
  meaning: string;
  /** The canary's own account speaks: the password is not sent again until it changes. */
  account?: true;
}

/** What each NTSTATUS a DC answers to an NTLM network logon means across a trust (names: MS-ERREF 2.3.1, in wire/smb2.ts). */
const STATUSES: ReadonlyMap<number, StatusInfo> = new Map<number, StatusInfo>([
  [0xc000018d, { meaning: 'the secure channel to {from} is broken' }],
  [0xc000018c, { meaning: 'the trust with {from} failed on this DC' }],
  [0xc000018b, { meaning: "{from} has no interdomain trust account for {to}'s side" }],
  [0xc000005e, { meaning: 'the DC found no DC of {from} to pass the logon to' }],
  [
    0xc0000022,
    { meaning: 'the DC refused to pass the logon to {from} (how Samba DCs answer when the secure channel fails)' },
  ],
  [0xc0000413, { meaning: 'selective authentication: {from} users are not allowed to authenticate to this DC' }],
  [0xc0000418, { meaning: 'NTLM is blocked by policy on this DC or in {from}' }],
  [0xc0000192, { meaning: 'the Netlogon service is not running on the DC' }],
  [0xc0000198, { meaning: 'the canary is an interdomain trust account' }],
  [0xc0000199, { meaning: 'the canary is a computer account' }],
  [0xc00000df, { meaning: 'the DC does not know the domain {from}' }],
  [0xc000015b, { meaning: 'the canary may not log on over the network here' }],
  [STATUS_LOGON_FAILURE, { meaning: 'unknown user name or bad password', account: true }],
  [0xc000006a, { meaning: 'wrong password', account: true }],
  [0xc0000064, { meaning: 'no such user', account: true }],
  [0xc0000234, { meaning: 'the canary is locked out', account: true }],
  [0xc0000072, { meaning: 'the canary is disabled', account: true }],
  [0xc0000193, { meaning: 'the canary has expired', account: true }],
  [0xc0000071, { meaning: "the canary's password has expired", account: true }],
  [0xc0000224, { meaning: "the canary's password must change", account: true }],
  [0xc000006e, { meaning: 'an account restriction', account: true }],
  [0xc000006f, { meaning: 'outside its logon hours', account: true }],
  [0xc0000070, { meaning: 'not allowed from this workstation', account: true }],
]);

export function ntStatusHex(status: number): string {
  return `0x${(status >>> 0).toString(16).toUpperCase().padStart(8, '0')}`;
}

export function ntStatusName(status: number): string {
  return knownNtStatus(status) ?? 'an NTSTATUS this agent does not know';
}

/**
 * The statuses that are the canary's own password or account refused: never sent again until the
 * password changes. A logon failure counts too, even when its own KDC took the password this run:
 * the partner DC may have checked it against an account of its own, whose bad-password count must
 * not grow either.
 */
export function rejectsCanary(status: number): boolean {
  return STATUSES.get(status >>> 0)?.account === true;
}

function fill(text: string, from: string, to: string): string {
  return text.replaceAll('{from}', from).replaceAll('{to}', to);
}

function remedy(status: number, from: string, to: string, dc: string): string {
  switch (status >>> 0) {
    case 0xc000018d:
    case 0xc0000022:
      return `on ${dc}: nltest /server:${dc} /sc_verify:${from}, then /sc_reset:${from}; if the two sides hold different trust passwords, reset them (netdom trust ${to} /domain:${from} /resetOneSide, on each side with the same password) or re-create the trust`;
    case 0xc000018b:
      return `the trust account of ${to}'s side is missing in ${from}: re-create the trust (both sides), then nltest /server:${dc} /sc_verify:${from}`;
    case 0xc000005e:
      return `let ${dc} find and reach a DC of ${from}: DNS for ${from} (conditional forwarder), and TCP/UDP 88, 389, TCP 135, 445 and the RPC ports from ${dc} to ${from}'s DCs; then nltest /server:${dc} /sc_verify:${from}`;
    case 0xc0000413:
      return `grant the canary's group (or ${from} users) "Allowed to authenticate" on ${dc}'s computer object in ${to}, or remove selective authentication from the trust if it is not meant`;
    case 0xc0000418:
      return `allow NTLM for this trust: "Network security: Restrict NTLM" policies on ${dc} and in ${from} (add exceptions), or accept that only Kerberos works across it`;
    case 0xc0000192:
      return `start the Netlogon service on ${dc}`;
    case STATUS_LOGON_FAILURE:
      return `the canary's own KDC took its password in this run, so ${dc} did not pass the logon to ${from}: check that ${to} trusts ${from} (trust objects, their direction, and the name ${from.toUpperCase()} in the trust), and nltest /server:${dc} /sc_verify:${from}; the agent tries again when the canary's password changes or its memory is cleared (restart the agent and remove its state file)`;
    default:
      return `look up ${ntStatusHex(status)} in the DC's Netlogon and security logs on ${dc}, and check the secure channel: nltest /server:${dc} /sc_verify:${from}`;
  }
}

function describeOne(t: NtlmUnreachable): string {
  return `${t.dc} (${t.address}) port ${t.port}: ${t.detail}`;
}

/** What the DC answered and what it means: `dcb (198.51.100.20) answered 0xC000018D STATUS_…: meaning`. */
export function describeAnswer(outcome: NtlmOutcome & { kind: 'answered' }, from: string, to: string): string {
  const { dc, address, status } = outcome;
  const info = STATUSES.get(status >>> 0);
  const meaning =
    status >>> 0 === STATUS_LOGON_FAILURE && outcome.passwordProven
      ? `the logon failed, though ${from}'s KDC took the same password in this run: ${dc} did not pass it to ${from}`
      : info === undefined
        ? 'the logon across the trust failed'
        : fill(info.meaning, from, to);
  return `${dc} (${address}) answered ${ntStatusHex(status)} ${ntStatusName(status)}: ${meaning}`;
}

export function judgeNtlm(direction: AuthDirection, canary: string, outcome: NtlmOutcome): Finding {
  const { from, to } = direction;
  const make = (status: Status, message: string, remediation: string, observed: Finding['observed'] = {}): Finding =>
    finding({
      check: 'auth.ntlm',
      domain: from,
      target: { kind: 'path', from, to },
      status,
      message,
      remediation,
      observed: { protocol: 'ntlm', allowed: direction.allowed, ...observed },
    });
  const retryHint = `the agent tries again as soon as the canary's password (password_file or password_env) changes, or, for the same password, once its memory is cleared (restart the agent and remove its state file)`;

  switch (outcome.kind) {
    case 'not-tried':
      if (outcome.trustFailure)
        return make(
          'critical',
          `${from} users cannot log on to ${to} with NTLM: ${outcome.why}; not sent again until the canary's password changes`,
          remedy(STATUS_LOGON_FAILURE, from, to, `<a DC of ${to}>`),
          { not_retried: true },
        );
      return make(
        'unknown',
        outcome.rejected
          ? `canary password rejected; not retried: ${outcome.why}`
          : `NTLM across the trust not tried: ${outcome.why}`,
        outcome.rejected ? `fix or unlock the canary's account in ${from}; ${retryHint}` : '',
        { not_retried: outcome.rejected },
      );
    case 'no-dc':
      return make(
        'critical',
        `no DC of ${to} found to log on at: ${outcome.detail}`,
        `make ${to}'s DCs findable from this host (DNS forwarding of ${to}, or dcs: under domains.${to})`,
      );
    case 'unreachable':
      return make(
        'unknown',
        `NTLM across the trust not tested: no DC of ${to} took a connection on its SMB port: ${outcome.tried.map(describeOne).join('; ')}`,
        `allow TCP ${SMB_PORT} (SMB) from this host to the DCs of ${to}; this says nothing about the trust itself`,
        { tried: outcome.tried.map(describeOne) },
      );
    case 'broken':
      return make(
        'unknown',
        `NTLM across the trust not tested: ${outcome.dc} (${outcome.address}) port ${outcome.port} ${outcome.detail}`,
        `check that ${outcome.dc} serves SMB2 on TCP ${outcome.port} to this host`,
        { dc: outcome.dc, address: outcome.address, port: outcome.port, seconds: outcome.seconds },
      );
    case 'answered':
      break;
  }

  const { dc, address, port, status, seconds, passwordProven } = outcome;
  const observed = {
    dc,
    address,
    port,
    status: ntStatusHex(status),
    status_name: ntStatusName(status),
    seconds,
    ...(outcome.tried.length > 0 ? { tried: outcome.tried.map(describeOne) } : {}),
  };
  if (outcome.guest)
    return make(
      'critical',
      `${dc} (${address}) gave a guest session, not ${canary}'s: it did not verify the logon, so NTLM across the trust is not proven`,
      `turn guest mapping off on ${dc} (Samba: map to guest = never; Windows: keep the Guest account disabled), then check this again`,
      { ...observed, guest: true },
    );
  if (status === STATUS_SUCCESS)
    return make(
      'ok',
      `${from} users log on to ${to} with NTLM: ${dc} passed ${canary}'s logon through its secure channel to ${from} and accepted it`,
      '',
      observed,
    );
  const answered = describeAnswer(outcome, from, to);
  if (rejectsCanary(status) && !(status >>> 0 === STATUS_LOGON_FAILURE && passwordProven))
    return make(
      'unknown',
      `canary password rejected; not retried: ${answered}`,
      `fix or unlock the canary's account in ${from}; ${retryHint}`,
      { ...observed, not_retried: true },
    );
  return make('critical', `${from} users cannot log on to ${to} with NTLM: ${answered}`, remedy(status, from, to, dc), {
    ...observed,
    not_retried: rejectsCanary(status),
  });
}
