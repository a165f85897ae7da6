// The auth family: for every direction a canary's logon should (or should not) cross a
// trust, one real Kerberos exchange, judged hop by hop. Its findings answer the question
// the product exists for: will authentication across this trust work right now?

import { exchangeSeconds, judgeKerberos, referralEtype, type Hop } from '../analysis/auth-verdict.js';
import { findDcs, type DcTarget } from '../discovery/dcs.js';
import type { Finding } from '../model/finding.js';
import type { Measurement } from '../model/measurement.js';
import type { ProbeContext, ProbeOutput } from '../model/probe.js';
import type { AuthTargets, DomainTargets } from '../model/targets.js';
import { KERBEROS_PORT } from './kdc.js';
import { canaryLogon, kerberosPath, type KdcLookup, type Logon } from './kerberos.js';

/** Port 88, unless the config names the DC only as `host:port` without 88 (a KDC elsewhere, as in tests). */
function kdcPort(dc: DcTarget): number {
  return dc.everyPort || dc.ports.includes(KERBEROS_PORT) ? KERBEROS_PORT : (dc.ports[0] ?? KERBEROS_PORT);
}

/** KDCs found once per realm and run, whichever directions pass through it. */
function kdcLookup(targets: AuthTargets, ctx: ProbeContext): KdcLookup {
  const known = new Map(targets.domains.map((domain) => [domain.domain, domain]));
  // A realm no trust of the config names (a child domain of a partner forest): ask every resolver.
  const everyResolver = [
    ...new Map(targets.domains.flatMap((d) => d.resolvers).map((r) => [`${r.host}:${r.port}`, r])).values(),
  ];
  const found = new Map<string, ReturnType<KdcLookup>>();
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
          ? {
              ok: true as const,
              kdcs: dcs.targets.map((dc) => ({ host: dc.host, address: dc.address, port: kdcPort(dc) })),
            }
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

function authMeasurement(from: string, to: string, status: Finding['status'], hops: Hop[]): Measurement {
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

export async function probeAuth(targets: AuthTargets, ctx: ProbeContext): Promise<ProbeOutput> {
  const canaries = new Map(targets.canaries.map((canary) => [canary.domain, canary]));
  const findKdcs = kdcLookup(targets, ctx);
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
  const findings = await Promise.all(
    targets.directions.map(async (direction): Promise<Finding> => {
      const canary = canaries.get(direction.from);
      if (canary === undefined) throw new Error(`no canary for ${direction.from}: the plan is inconsistent`);
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
          authMeasurement(
            direction.from,
            direction.to,
            verdict.status,
            outcome.kind === 'exchanged' ? outcome.hops : [],
          ),
        );
      return verdict;
    }),
  );
  return { findings, measurements };
}
