// Reachability of the trust ports on every partner DC: open, closed (refused) or
// filtered (no answer before the timeout), with the connect latency.

import { lookup as systemLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Config } from '../agent/config.js';
import { trustDomains } from '../agent/config.js';
import { addresses, formatSeconds, judgeLookup, lookup, resolveHost, serverLabel, srvTargets } from './dns.js';
import { probeDcProtocols } from './protocols.js';
import { TcpConversation, type ConnectFailure } from './transport.js';
import type { Endpoint, Finding, Measurement, PortState, ProbeContext, ProbeOutput } from './types.js';

export const TRUST_TCP_PORTS = [53, 88, 135, 389, 445, 464, 636, 3268, 3269] as const;

export const PORT_SERVICES: Record<number, string> = {
  53: 'DNS',
  88: 'Kerberos',
  135: 'RPC endpoint mapper',
  389: 'LDAP',
  445: 'SMB',
  464: 'Kerberos password change',
  636: 'LDAPS',
  3268: 'Global Catalog',
  3269: 'Global Catalog over TLS',
};

/** Ports a trust needs only while it is being created (KB179442): a failure is a warning. */
const CREATION_ONLY_PORTS = new Set([445]);

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

export type ConnectResult = { state: 'open' } | ConnectFailure;

export async function tcpConnect(address: string, port: number, signal: AbortSignal): Promise<ConnectResult> {
  const opened = await TcpConversation.open(address, port, signal);
  if (!(opened instanceof TcpConversation)) return opened;
  opened.close();
  return { state: 'open' };
}

export function portStatus(port: number, state: PortState): Finding['status'] {
  if (state === 'open') return 'ok';
  return CREATION_ONLY_PORTS.has(port) ? 'warning' : 'critical';
}

/** The DNS servers that may answer for a domain: its own first, then its trust partners'. */
function resolversFor(config: Config, domain: string): Endpoint[] {
  const servers = [...(config.domains.get(domain)?.dnsServers ?? [])];
  for (const trust of config.trusts) {
    const partner = trust.trusting === domain ? trust.trusted : trust.trusted === domain ? trust.trusting : undefined;
    if (partner !== undefined) servers.push(...(config.domains.get(partner)?.dnsServers ?? []));
  }
  return servers;
}

type Resolution = { ok: true; addresses: string[] } | { ok: false; problem: string };

async function resolveAddress(ctx: ProbeContext, servers: Endpoint[], host: string): Promise<Resolution> {
  if (isIP(host) !== 0) return { ok: true, addresses: [host] };
  if (servers.length === 0) {
    // No DNS server is configured on either side: the operator's own resolver is all there is.
    const attempt = await ctx.attempt(() => systemLookup(host, { all: true }));
    if (attempt.ok && attempt.value.length > 0) return { ok: true, addresses: attempt.value.map((entry) => entry.address) };
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
async function globalCatalogs(config: Config, domain: string, servers: Endpoint[], ctx: ProbeContext): Promise<Set<string>> {
  const forest = config.domains.get(domain)?.forest ?? domain;
  for (const server of servers) {
    const result = await lookup(ctx, server, `_gc._tcp.${forest}`, 'SRV', 'udp');
    if (judgeLookup(result, ctx.timeoutMs).ok) return new Set(srvTargets(result));
  }
  return new Set();
}

/** Configured DCs, or the DCs the SRV record _ldap._tcp.dc._msdcs.<domain> names. */
export async function findDcs(config: Config, domain: string, ctx: ProbeContext): Promise<{ targets: DcTarget[]; problems: { target: string; problem: string }[]; globalCatalogs: Set<string> }> {
  const servers = resolversFor(config, domain);
  const configured = config.domains.get(domain)?.dcs ?? [];
  // Per host: the ports written as host:port, and whether it was also named without one.
  const wanted = new Map<string, { ports: number[]; everyPort: boolean }>();
  const discoveryProblems: string[] = [];
  if (configured.length > 0) {
    for (const dc of configured) {
      const entry = wanted.get(dc.host) ?? { ports: [], everyPort: false };
      if (dc.port === undefined) entry.everyPort = true;
      else entry.ports.push(dc.port);
      wanted.set(dc.host, entry);
    }
  } else if (servers.length === 0) {
    discoveryProblems.push(`no DNS server is configured for ${domain} or its partners, and no dcs: nothing to discover its DCs with`);
  } else {
    const record = `_ldap._tcp.dc._msdcs.${domain}`;
    for (const server of servers) {
      const result = await lookup(ctx, server, record, 'SRV', 'udp');
      const verdict = judgeLookup(result, ctx.timeoutMs);
      if (verdict.ok) {
        for (const host of srvTargets(result)) wanted.set(host, { ports: [], everyPort: true });
        break;
      }
      discoveryProblems.push(`${record} via ${serverLabel(server)}: ${verdict.problem}`);
    }
  }
  // A server that failed matters only when no other one named any DC.
  const problems = wanted.size === 0 && discoveryProblems.length > 0 ? [{ target: domain, problem: discoveryProblems.join('; ') }] : [];
  const targets: DcTarget[] = [];
  await Promise.all(
    [...wanted].map(async ([host, { ports, everyPort }]) => {
      const resolution = await resolveAddress(ctx, servers, host);
      if (!resolution.ok) {
        problems.push({ target: host, problem: resolution.problem });
        return;
      }
      const all = [...new Set([...(everyPort ? TRUST_TCP_PORTS : []), ...ports])].sort((a, b) => a - b);
      for (const address of resolution.addresses) targets.push({ domain, host, address, ports: all, everyPort });
    }),
  );
  targets.sort((a, b) => a.host.localeCompare(b.host) || a.address.localeCompare(b.address));
  return { targets, problems, globalCatalogs: targets.length > 0 ? await globalCatalogs(config, domain, servers, ctx) : new Set() };
}

export async function probePorts(config: Config, ctx: ProbeContext): Promise<ProbeOutput> {
  const findings: Finding[] = [];
  const measurements: Measurement[] = [];
  await Promise.all(
    trustDomains(config).map(async (domain) => {
      const { targets, problems, globalCatalogs: gcs } = await findDcs(config, domain, ctx);
      for (const { target, problem } of problems) {
        findings.push({
          check: 'port.discovery',
          status: 'critical',
          domain,
          target,
          message: target === domain ? `cannot find the DCs of ${domain}: ${problem}` : `cannot find the address of ${target}: ${problem}`,
          remediation: `fix DNS resolution of ${domain} (see the dns.* findings), or list its DCs under domains.${domain}.dcs`,
          observed: { problem },
        });
      }
      // A DC given only as host:port is probed on those ports only; the others get every protocol probe.
      const protocols = Promise.all(targets.filter((dc) => dc.everyPort).map((dc) => probeDcProtocols(config, ctx, dc, gcs.has(dc.host))));
      const probes = targets.flatMap((dc) => dc.ports.map((port) => ({ dc, port })));
      const results = await Promise.all(probes.map(({ dc, port }) => ctx.attempt((signal) => tcpConnect(dc.address, port, signal))));
      probes.forEach(({ dc, port }, index) => {
        const attempt = results[index];
        if (attempt === undefined) return;
        const result: ConnectResult = attempt.ok
          ? attempt.value
          : { state: 'filtered', reason: attempt.reason === 'timeout' ? `no answer in ${formatSeconds(ctx.timeoutMs / 1000)}` : attempt.reason };
        findings.push(portFinding(dc, port, result, attempt.seconds));
        measurements.push({ kind: 'port', partnerDomain: dc.domain, target: dc.host, port, transport: 'tcp', state: result.state, seconds: attempt.seconds });
      });
      for (const output of await protocols) {
        findings.push(...output.findings);
        measurements.push(...output.measurements);
      }
    }),
  );
  return { findings, measurements };
}

function portFinding(dc: DcTarget, port: number, result: ConnectResult, seconds: number): Finding {
  const service = PORT_SERVICES[port];
  const label = service === undefined ? `TCP ${port}` : `TCP ${port} (${service})`;
  const status = portStatus(port, result.state);
  const at = describeDc(dc);
  let message: string;
  if (result.state === 'open') {
    message = `${label} open on ${at}: connected in ${formatSeconds(seconds)}`;
  } else {
    const suffix = CREATION_ONLY_PORTS.has(port) ? ' (needed to create a trust, not to use it)' : '';
    message = `${label} ${result.state} on ${at}: ${result.reason}${suffix}`;
  }
  const remediation =
    result.state === 'open'
      ? ''
      : result.state === 'closed'
        ? `start the ${service ?? 'service'} on ${dc.host}, or remove the firewall rule that rejects TCP ${port}`
        : `allow TCP ${port} from this host to ${dc.host} (${dc.address}) in every firewall between them`;
  return {
    check: 'port.tcp',
    status,
    domain: dc.domain,
    target: `${dc.host}:${port}`,
    message,
    remediation,
    observed: { state: result.state, seconds: Number(seconds.toFixed(4)), address: dc.address, port, transport: 'tcp' },
  };
}
