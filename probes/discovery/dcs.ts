// The DCs of a domain: the ones the config names, or the ones the SRV record
// _ldap._tcp.dc._msdcs.<domain> names, each resolved to its addresses. Shared by the
// ports and protocols families, which probe the same DCs in different ways.

import { lookup as systemLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { finding, type Finding } from '../model/finding.js';
import { compareText } from '../model/format.js';
import type { Endpoint, ProbeContext } from '../model/probe.js';
import type { DomainTargets } from '../model/targets.js';
import type { LimitReached, Limits } from '../model/limits.js';
import { ownsDc, WHOLE_ESTATE, type Shard } from '../model/shard.js';

// The DNS code (and dns-packet with it) loads only when a name must be looked up: a config
// that lists its DCs by address, as large estates do, probes their ports without it.
const dnsLookup = (): Promise<typeof import('./lookup.js')> => import('./lookup.js');

export const TRUST_TCP_PORTS = [53, 88, 135, 389, 445, 464, 636, 3268, 3269] as const;

export interface DcTarget {
  domain: string;
  host: string;
  address: string;
  ports: number[];
  /** Named without a port (or discovered): probed on every trust port and with every protocol. */
  everyPort: boolean;
}

/** How messages name a DC: its host name, with the address it was reached at. */
export function describeDc(dc: DcTarget): string {
  return dc.host === dc.address ? dc.host : `${dc.host} (${dc.address})`;
}

type Resolution = { ok: true; addresses: string[] } | { ok: false; problem: string };

async function resolveAddress(
  ctx: ProbeContext,
  servers: Endpoint[],
  host: string,
  maxAnswers: number,
): Promise<Resolution> {
  if (isIP(host) !== 0) return { ok: true, addresses: [host] };
  if (servers.length === 0) {
    // No DNS server is configured on either side: the operator's own resolver is all there is.
    const attempt = await ctx.attempt(() => systemLookup(host, { all: true }));
    if (attempt.ok && attempt.value.length > 0)
      return { ok: true, addresses: attempt.value.map((entry) => entry.address) };
    return { ok: false, problem: `the system resolver did not resolve ${host}` };
  }
  const { addresses, judgeLookup, resolveHost, serverLabel } = await dnsLookup();
  const problems: string[] = [];
  for (const server of servers) {
    const result = await resolveHost(ctx, server, host, maxAnswers);
    const found = addresses(result);
    if (found.length > 0) return { ok: true, addresses: found };
    problems.push(`${serverLabel(server)}: ${judgeLookup(result, ctx.timeoutMs).problem}`);
  }
  return { ok: false, problem: `${host} did not resolve (${problems.join('; ')})` };
}

/** The hosts `_gc._tcp.<forest>` names: those DCs must advertise the global catalog. */
export async function findGlobalCatalogs(
  domain: DomainTargets,
  limits: Limits,
  ctx: ProbeContext,
): Promise<Set<string>> {
  const { firstSrvAnswer } = await dnsLookup();
  const answer = await firstSrvAnswer(ctx, domain.resolvers, `_gc._tcp.${domain.forest}`, limits.dnsAnswersPerReply);
  return new Set(answer.ok ? answer.hosts : []);
}

export interface DiscoveryProblem {
  /** The domain when no DC was found, else the DC whose name did not resolve. */
  target: string;
  problem: string;
}

export interface FoundDcs {
  targets: DcTarget[];
  problems: DiscoveryProblem[];
  /** Bounds that cut the discovery short: each becomes a `run.limit` finding. */
  limitsReached: LimitReached[];
}

/**
 * Configured DCs, or the DCs the SRV record _ldap._tcp.dc._msdcs.<domain> names: at most
 * limits.dcsPerDomain of those (host and address pairs), whatever the answer holds.
 */
export async function findDcs(
  domain: DomainTargets,
  limits: Limits,
  ctx: ProbeContext,
  shard: Shard = WHOLE_ESTATE,
): Promise<FoundDcs> {
  const limitsReached: LimitReached[] = [];
  const tooMany = (seen: number, what: string): LimitReached => ({
    limit: 'dcsPerDomain',
    bound: limits.dcsPerDomain,
    seen,
    domain: domain.domain,
    what,
    remediation: `if ${domain.domain} really has more DCs, raise limits.dcs_per_domain or list the ones to probe under domains.${domain.domain}.dcs; otherwise find out why its DNS names so many`,
  });
  const servers = domain.resolvers;
  // Per host: the ports written as host:port, and whether it was also named without one.
  const wanted = new Map<string, { ports: number[]; everyPort: boolean }>();
  const discoveryProblems: string[] = [];
  if (domain.dcs.length > 0) {
    for (const dc of domain.dcs) {
      if (!ownsDc(shard, domain.domain, dc.host)) continue;
      const entry = wanted.get(dc.host) ?? { ports: [], everyPort: false };
      if (dc.port === undefined) entry.everyPort = true;
      else entry.ports.push(dc.port);
      wanted.set(dc.host, entry);
    }
  } else if (servers.length === 0) {
    discoveryProblems.push(
      `no DNS server is configured for ${domain.domain} or its partners, and no dcs: nothing to discover its DCs with`,
    );
  } else {
    const { answersLimit, firstSrvAnswer, serverLabel } = await dnsLookup();
    const record = `_ldap._tcp.dc._msdcs.${domain.domain}`;
    const answer = await firstSrvAnswer(ctx, servers, record, limits.dnsAnswersPerReply);
    if (answer.ok) {
      const answers = answersLimit(answer.result, domain.domain);
      if (answers !== undefined) limitsReached.push(answers);
      // Sharded once discovered, before the bound: limits.dcs_per_domain bounds what this agent probes.
      const hosts = [...new Set(answer.hosts)].filter((host) => ownsDc(shard, domain.domain, host));
      if (hosts.length > limits.dcsPerDomain)
        limitsReached.push(
          tooMany(hosts.length, `${record} via ${serverLabel(answer.result.server)} named ${hosts.length} DCs`),
        );
      for (const host of hosts.slice(0, limits.dcsPerDomain)) wanted.set(host, { ports: [], everyPort: true });
    } else {
      discoveryProblems.push(...answer.problems);
    }
  }
  // A server that failed matters only when no other one named any DC.
  const problems =
    wanted.size === 0 && discoveryProblems.length > 0
      ? [{ target: domain.domain, problem: discoveryProblems.join('; ') }]
      : [];
  const targets: DcTarget[] = [];
  await Promise.all(
    [...wanted].map(async ([host, { ports, everyPort }]) => {
      const resolution = await resolveAddress(ctx, servers, host, limits.dnsAnswersPerReply);
      if (!resolution.ok) {
        problems.push({ target: host, problem: resolution.problem });
        return;
      }
      const all = [...new Set([...(everyPort ? TRUST_TCP_PORTS : []), ...ports])].sort((a, b) => a - b);
      for (const address of resolution.addresses)
        targets.push({ domain: domain.domain, host, address, ports: all, everyPort });
    }),
  );
  targets.sort((a, b) => compareText(a.host, b.host) || compareText(a.address, b.address));
  // Discovered DCs with many addresses each: the bound is on what gets probed.
  if (domain.dcs.length === 0 && targets.length > limits.dcsPerDomain) {
    limitsReached.push(
      tooMany(targets.length, `the DCs discovered for ${domain.domain} resolved to ${targets.length} addresses`),
    );
    targets.length = limits.dcsPerDomain;
  }
  return { targets, problems, limitsReached };
}

/** A domain whose DCs were not found, or a DC whose name did not resolve. */
export function discoveryFinding(domain: string, { target, problem }: DiscoveryProblem): Finding {
  return finding({
    check: 'port.discovery',
    status: 'critical',
    domain,
    target: { kind: 'host', host: target },
    message:
      target === domain
        ? `cannot find the DCs of ${domain}: ${problem}`
        : `cannot find the address of ${target}: ${problem}`,
    remediation: `fix DNS resolution of ${domain} (see the dns.* findings), or list its DCs under domains.${domain}.dcs`,
    observed: { problem },
  });
}
