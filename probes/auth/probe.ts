// The auth family: for every direction a canary's logon should (or should not) cross a
// trust, one real Kerberos exchange, judged hop by hop, and, where a trust lets the canary
// in, one NTLM logon at a DC of the partner, which proves the trust's secure channel. Its
// findings answer the question the product exists for: will authentication across this
// trust work right now?

import { exchangeSeconds, judgeKerberos, referralEtype, type Hop } from '../analysis/auth-verdict.js';
import {
  describeAnswer,
  judgeNtlm,
  rejectsCanary,
  SMB_PORT,
  STATUS_LOGON_FAILURE,
  type NtlmOutcome,
} from '../analysis/ntlm-verdict.js';
import { findDcs, type DcTarget } from '../discovery/dcs.js';
import type { Finding } from '../model/finding.js';
import type { Measurement } from '../model/measurement.js';
import type { ProbeContext, ProbeOutput } from '../model/probe.js';
import type { AuthDirection, AuthTargets, Canary, DomainTargets } from '../model/targets.js';
import { Malformed } from '../wire/ber.js';
import { ntHash } from '../wire/ntlm.js';
import { KERBEROS_PORT } from './kdc.js';
import { canaryLogon, credentialKey, kerberosPath, keytabKeys, type KdcLookup, type Logon } from './kerberos.js';
import { ntlmLogon, type NtlmCredential } from './ntlm.js';

const RC4_HMAC = 23;

/** Port 88, unless the config names the DC only as `host:port` entries without 88 (a KDC elsewhere, as in tests): then its lowest. */
function kdcPort(dc: DcTarget): number {
  return dc.everyPort || dc.ports.includes(KERBEROS_PORT) ? KERBEROS_PORT : (dc.ports[0] ?? KERBEROS_PORT);
}

/** Port 445, unless the config names the DC only as `host:port` entries without 445: then its highest. */
function smbPort(dc: DcTarget): number {
  return dc.everyPort || dc.ports.includes(SMB_PORT) ? SMB_PORT : (dc.ports.at(-1) ?? SMB_PORT);
}

/** The DCs of a realm, found once per realm and run whichever directions pass through it. */
type DcLookup = (realm: string) => Promise<{ ok: true; dcs: DcTarget[] } | { ok: false; detail: string }>;

function dcLookup(targets: AuthTargets, ctx: ProbeContext): DcLookup {
  const known = new Map(targets.domains.map((domain) => [domain.domain, domain]));
  // A realm no trust of the config names (a child domain of a partner forest): ask every resolver.
  const everyResolver = [
    ...new Map(targets.domains.flatMap((d) => d.resolvers).map((r) => [`${r.host}:${r.port}`, r])).values(),
  ];
  const found = new Map<string, ReturnType<DcLookup>>();
  return (realm) => {
    const name = realm.toLowerCase();
    let lookup = found.get(name);
    if (lookup === undefined) {
      const domain: DomainTargets = known.get(name) ?? {
        domain: name,
        forest: name,
        resolvers: everyResolver,
        dcs: [],
      };
      lookup = findDcs(domain, targets.limits, ctx).then((dcs) =>
        dcs.targets.length > 0
          ? { ok: true as const, dcs: dcs.targets }
          : {
              ok: false as const,
              detail: dcs.problems.map((problem) => problem.problem).join('; ') || 'discovery found none',
            },
      );
      found.set(name, lookup);
    }
    return lookup;
  };
}

function kdcsOf(findDcsOf: DcLookup): KdcLookup {
  return async (realm) => {
    const found = await findDcsOf(realm);
    return found.ok
      ? { ok: true, kdcs: found.dcs.map((dc) => ({ host: dc.host, address: dc.address, port: kdcPort(dc) })) }
      : found;
  };
}

function kerberosMeasurement(from: string, to: string, status: Finding['status'], hops: Hop[]): Measurement {
  return {
    kind: 'auth',
    fromDomain: from,
    toDomain: to,
    protocol: 'kerberos',
    success: status === 'ok' || status === 'warning',
    seconds: exchangeSeconds(hops),
    referralEtype: referralEtype(hops),
  };
}

/** The canary's NTLM credential: the NT hash of its password, or its keytab's RC4-HMAC key (the same thing). */
function ntlmCredential(canary: Canary): NtlmCredential | Malformed {
  const credential = (hash: Uint8Array): NtlmCredential => ({ user: canary.user, domain: canary.realm, ntHash: hash });
  if (canary.secret.kind === 'password') return credential(ntHash(canary.secret.value.reveal()));
  const keys = keytabKeys({ ...canary, secret: canary.secret });
  if (keys instanceof Malformed) return keys;
  const hash = keys.get(RC4_HMAC);
  return hash === undefined
    ? new Malformed(`${canary.secret.file} holds no RC4-HMAC key of ${canary.user}, which is the NT hash NTLM needs`)
    : credential(hash);
}

/**
 * How the memory of rejected credentials names the canary's NTLM logons at one partner: an
 * account status (`account`), or a logon failure for a password its own KDC took (`partner`).
 */
function ntlmKey(canary: Canary, to: string, kind: 'account' | 'partner'): string[] {
  return [`ntlm-${kind}`, to, ...credentialKey(canary).slice(1)];
}

/** The canary's NTLM logon across one allowed direction, unless its password is known to be refused. */
async function ntlmVerdict(
  direction: AuthDirection,
  canary: Canary,
  logon: Logon,
  findDcsOf: DcLookup,
  ctx: ProbeContext,
): Promise<{ finding: Finding; measurement: Measurement | undefined }> {
  const name = `${canary.user}@${canary.realm}`;
  const judged = (outcome: NtlmOutcome) => {
    const finding = judgeNtlm(direction, name, outcome);
    const measurement: Measurement | undefined =
      finding.status === 'unknown'
        ? undefined
        : {
            kind: 'auth',
            fromDomain: direction.from,
            toDomain: direction.to,
            protocol: 'ntlm',
            success: finding.status === 'ok',
            // Only an answered logon took a time a client waits; a verdict kept from before took none.
            seconds: outcome.kind === 'answered' ? outcome.seconds : undefined,
            referralEtype: undefined,
          };
    return { finding, measurement };
  };
  const notTried = (why: string, rejected: boolean, trustFailure = false) =>
    judged({ kind: 'not-tried', why, rejected, trustFailure });

  // The canary's Kerberos logon of this run has been made: a password its own KDC refused, now or
  // before, is in the memory of rejected credentials.
  const ownRejection = ctx.credentials.rejection(credentialKey(canary));
  if (ownRejection !== undefined) return notTried(`its own KDC refused it: ${ownRejection}`, true);
  const account = ctx.credentials.rejection(ntlmKey(canary, direction.to, 'account'));
  if (account !== undefined) return notTried(account, true);
  const partner = ctx.credentials.rejection(ntlmKey(canary, direction.to, 'partner'));
  if (partner !== undefined) return notTried(partner, true, true);
  const credential = ntlmCredential(canary);
  if (credential instanceof Malformed) return notTried(credential.reason, false);
  const found = await findDcsOf(direction.to);
  if (!found.ok) return judged({ kind: 'no-dc', detail: found.detail });
  const servers = found.dcs.map((dc) => ({ host: dc.host, address: dc.address, port: smbPort(dc) }));
  const outcome = await ntlmLogon(servers, credential, logon.kind === 'logged-on', ctx);
  const result = judged(outcome);
  if (outcome.kind === 'answered' && rejectsCanary(outcome.status)) {
    const kind = outcome.passwordProven && outcome.status === STATUS_LOGON_FAILURE ? 'partner' : 'account';
    ctx.credentials.reject(ntlmKey(canary, direction.to, kind), describeAnswer(outcome, direction.from, direction.to));
  }
  return result;
}

export async function probeAuth(targets: AuthTargets, ctx: ProbeContext): Promise<ProbeOutput> {
  const canaries = new Map(targets.canaries.map((canary) => [canary.domain, canary]));
  const findDcsOf = dcLookup(targets, ctx);
  const findKdcs = kdcsOf(findDcsOf);
  // One logon per canary and run: a wrong password then costs one failed attempt, not one per direction.
  const logons = new Map<string, Promise<Logon>>();
  const logonOf = (domain: string, canary: (typeof targets.canaries)[number]): Promise<Logon> => {
    let logon = logons.get(domain);
    if (logon === undefined) {
      logon = canaryLogon(canary, findKdcs, ctx);
      logons.set(domain, logon);
    }
    return logon;
  };
  const measurements: Measurement[] = [];
  const kerberos = async (direction: AuthDirection, canary: Canary): Promise<Finding> => {
    let service = direction.service;
    if (service === undefined) {
      const partner = await findKdcs(direction.to.toUpperCase());
      if (!partner.ok)
        return judgeKerberos(direction, `ldap/<a DC of ${direction.to}>`, {
          kind: 'no-service',
          detail: partner.detail,
        });
      service = `ldap/${partner.kdcs[0]?.host ?? direction.to}`;
    }
    const logon = await logonOf(direction.from, canary);
    const outcome = await kerberosPath(canary, logon, service, direction.to.toUpperCase(), findKdcs, ctx);
    const verdict = judgeKerberos(direction, service, outcome);
    if (direction.allowed && verdict.status !== 'unknown')
      measurements.push(
        kerberosMeasurement(
          direction.from,
          direction.to,
          verdict.status,
          outcome.kind === 'exchanged' ? outcome.hops : [],
        ),
      );
    return verdict;
  };
  const findings = await Promise.all(
    targets.directions.map(async (direction): Promise<Finding[]> => {
      const canary = canaries.get(direction.from);
      if (canary === undefined) throw new Error(`no canary for ${direction.from}: the plan is inconsistent`);
      // NTLM only where a trust lets the canary in: elsewhere a partner DC might check the password
      // against an account of its own by the same name, and count a bad password there.
      const [verdict, ntlm] = await Promise.all([
        kerberos(direction, canary),
        direction.allowed
          ? logonOf(direction.from, canary).then((logon) => ntlmVerdict(direction, canary, logon, findDcsOf, ctx))
          : undefined,
      ]);
      if (ntlm?.measurement !== undefined) measurements.push(ntlm.measurement);
      return ntlm === undefined ? [verdict] : [verdict, ntlm.finding];
    }),
  );
  return { findings: findings.flat(), measurements };
}
