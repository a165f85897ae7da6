// @ts-nocheck
// The DCs of a domain: the ones the config names, or the ones the SRV record
// _ldap._tcp.dc._msdcs.<domain> names, each resolved to its addresses. Shared by the
// ports and protocols families, which probe the same DCs in different ways.

import { lookup as systemLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { finding, type Finding } from '../model/finding.js';
import type { Endpoint, ProbeContext } from '../model/probe.js';
import type { DomainTargets } from '../model/targets.js';
import { addresses, firstSrvAnswer, judgeLookup, resolveHost, serverLabel } from './lookup.js';

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

async function resolveAddress(ctx: ProbeContext, servers: Endpoint[], host: string): Promise<Resolution> {
  if (isIP(host) !== 0) return { ok: true, addresses: [host] };
  if (servers.length === 0) {
    // No DNS server is configured on either side: the operator's own resolver is all there is.
    const attempt = await ctx.attempt(() => systemLookup(host, { all: true }));
    if (attempt.ok && attempt.value.length > 0)
      return { ok: true, addresses: attempt.value.map((entry) => entry.address) };
    return { ok: false, problem: `the system resolver did not resolve ${host}` };
  }
  const problems: string[] = [];
  for (const server of servers) {
    const result = await resolveHost(ctx, server, host);
    const found = addresses(result);
    if (found.length > 0) return { ok: true, addresses: found };
    problems.push(`${serverLabel(server)}: ${judgeLookup(result, ctx.timeoutMs).problem}`);
  }
  return { ok: false, problem: `${host} did not resolve (${problems.join('; ')})` };
}

/** The hosts `_gc._tcp.<forest>` names: those DCs must advertise the global catalog. */
export async function findGlobalCatalogs(domain: DomainTargets, ctx: ProbeContext): Promise<Set<string>> {
  const answer = await firstSrvAnswer(ctx, domain.resolvers, `_gc._tcp.${domain.forest}`);
  return new Set(answer.ok ? answer.hosts : []);
}

export interface DiscoveryProblem {
  /** The domain when no DC was found, else the DC whose name did not resolve. */
  target: string;
  problem: string;
}

/** Configured DCs, or the DCs the SRV record _ldap._tcp.dc._msdcs.<domain> names. */
export async function findDcs(
  domain: DomainTargets,
  ctx: ProbeContext,
): Promise<{ targets: DcTarget[]; problems: DiscoveryProblem[] }> {
  const servers = domain.resolvers;
  // Per host: the ports written as host:port, and whether it was also named without one.
  const wanted = new Map<string, { ports: number[]; everyPort: boolean }>();
  const discoveryProblems: string[] = [];
  if (domain.dcs.length > 0) {
    for (const dc of domain.dcs) {
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
    const record = `_ldap._tcp.dc._msdcs.${domain.domain}`;
    const answer = await firstSrvAnswer(ctx, servers, record);
    if (answer.ok) for (const host of answer.hosts) wanted.set(host, { ports: [], everyPort: true });
    else discoveryProblems.push(...answer.problems);
  }
  // A server that failed matters only when no other one named any DC.
  const problems =
    wanted.size === 0 && discoveryProblems.length > 0
      ? [{ target: domain.domain, problem: discoveryProblems.join('; ') }]
      : [];
  const targets: DcTarget[] = [];
  await Promise.all(
    [...wanted].map(async ([host, { ports, everyPort }]) => {
      const resolution = await resolveAddress(ctx, servers, host);
      if (!resolution.ok) {
        problems.push({ target: host, problem: resolution.problem });
        return;
      }
      const all = [...new Set([...(everyPort ? TRUST_TCP_PORTS : []), ...ports])].sort((a, b) => a - b);
      for (const address of resolution.addresses)
        targets.push({ domain: domain.domain, host, address, ports: all, everyPort });
    }),
  );
  targets.sort((a, b) => a.host.localeCompare(b.host) || a.address.localeCompare(b.address));
  return { targets, problems };
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
