// DNS conditional forwarding between trusting domains: each DNS server of one side must
// resolve the other side's DC locator records and the addresses of the DCs they name.

import type { RecordType, SrvAnswer, StringAnswer } from 'dns-packet';
import type { Config } from '../agent/config.js';
import { queryDns, type DnsOutcome } from './dns-client.js';
import type { Endpoint, Finding, Measurement, ProbeContext, ProbeOutput, Transport } from './types.js';

export interface LookupResult {
  server: Endpoint;
  name: string;
  type: RecordType;
  /** The transport the question was first sent over. */
  transport: Transport;
  /** Set when a truncated UDP answer was asked again over TCP. */
  retriedOverTcp: boolean;
  seconds: number;
  outcome: DnsOutcome | { kind: 'timeout' } | { kind: 'error'; reason: string };
}

export function serverLabel(server: Endpoint): string {
  return server.port === 53 ? server.host : `${server.host}:${server.port}`;
}

/** The DC locator records one side must resolve for its partner (ad-trust-facts.md section 7). */
export function locatorRecords(partner: string, partnerForest: string): string[] {
  return [`_ldap._tcp.dc._msdcs.${partner}`, `_kerberos._tcp.${partner}`, `_kpasswd._tcp.${partner}`, `_gc._tcp.${partnerForest}`];
}

export async function lookup(ctx: ProbeContext, server: Endpoint, name: string, type: RecordType, transport: Transport): Promise<LookupResult> {
  const first = await ctx.attempt((signal) => queryDns(server, name, type, transport, signal));
  const base = { server, name, type, transport, retriedOverTcp: false };
  if (!first.ok) return { ...base, seconds: first.seconds, outcome: failure(first) };
  if (first.value.kind === 'reply' && first.value.truncated && transport === 'udp') {
    const retry = await ctx.attempt((signal) => queryDns(server, name, type, 'tcp', signal));
    const seconds = first.seconds + retry.seconds;
    return { ...base, retriedOverTcp: true, seconds, outcome: retry.ok ? retry.value : failure(retry) };
  }
  return { ...base, seconds: first.seconds, outcome: first.value };
}

function failure(attempt: { reason: string; error?: unknown }): LookupResult['outcome'] {
  if (attempt.reason === 'timeout') return { kind: 'timeout' };
  const error = attempt.error;
  return { kind: 'error', reason: error instanceof Error ? error.message : attempt.reason };
}

function answersOf(result: LookupResult): DnsOutcome & { kind: 'reply' } | undefined {
  return result.outcome.kind === 'reply' ? result.outcome : undefined;
}

export function srvTargets(result: LookupResult): string[] {
  const reply = answersOf(result);
  if (!reply) return [];
  return (reply.packet.answers ?? [])
    .filter((answer): answer is SrvAnswer => answer.type === 'SRV')
    .map((answer) => answer.data.target.toLowerCase().replace(/\.$/, ''))
    .filter((target) => target !== '');
}

export function addresses(result: LookupResult): string[] {
  const reply = answersOf(result);
  if (!reply) return [];
  return (reply.packet.answers ?? [])
    .filter((answer): answer is StringAnswer => answer.type === result.type && (answer.type === 'A' || answer.type === 'AAAA'))
    .map((answer) => answer.data);
}

function matchingAnswers(result: LookupResult): number {
  const reply = answersOf(result);
  return (reply?.packet.answers ?? []).filter((answer) => answer.type === result.type).length;
}

export interface Verdict {
  ok: boolean;
  /** What happened, in words: "REFUSED", "no answer in 3s". */
  problem: string;
}

/** Decides whether one lookup succeeded, and if not, says which failure it was. */
export function judgeLookup(result: LookupResult, timeoutMs: number): Verdict {
  const outcome = result.outcome;
  switch (outcome.kind) {
    case 'timeout':
      return { ok: false, problem: `no answer in ${formatSeconds(timeoutMs / 1000)}` };
    case 'error':
      return { ok: false, problem: `query failed: ${outcome.reason}` };
    case 'malformed':
      return { ok: false, problem: `malformed reply: ${outcome.reason}` };
    case 'refused-connection':
      return { ok: false, problem: outcome.reason };
    case 'reply': {
      if (outcome.rcode !== 'NOERROR') return { ok: false, problem: `${outcome.rcode}: ${RCODE_MEANING[outcome.rcode] ?? 'the server returned an error'}` };
      if (outcome.truncated) return { ok: false, problem: 'answer truncated even over TCP' };
      if (matchingAnswers(result) === 0) return { ok: false, problem: `no ${result.type} record: NOERROR with an empty answer` };
      return { ok: true, problem: '' };
    }
  }
}

const RCODE_MEANING: Record<string, string> = {
  NXDOMAIN: 'the name does not exist there',
  SERVFAIL: 'the server could not get an answer (its forwarder or the partner DNS failed)',
  REFUSED: 'the server will not answer for this zone (no conditional forwarder for it)',
  FORMERR: 'the server did not understand the query',
  NOTIMP: 'the server does not implement this query',
};

export function formatSeconds(seconds: number): string {
  return seconds < 1 ? `${Math.round(seconds * 1000)} ms` : `${Number(seconds.toFixed(2))}s`;
}

function observedOf(result: LookupResult, partnerDomain: string): Finding['observed'] {
  const reply = answersOf(result);
  const outcome = result.outcome;
  return {
    server: serverLabel(result.server),
    partner_domain: partnerDomain,
    record: result.name,
    type: result.type,
    transport: result.transport,
    rcode: reply?.rcode ?? null,
    answers: matchingAnswers(result),
    authoritative: reply?.authoritative ?? null,
    truncated: result.retriedOverTcp || (reply?.truncated ?? false),
    retried_over_tcp: result.retriedOverTcp,
    seconds: Number(result.seconds.toFixed(4)),
    ...(outcome.kind === 'reply' ? {} : { failure: outcome.kind }),
  };
}

interface Pair {
  local: string;
  partner: string;
}

/** Each ordered pair of domains that must resolve each other, whatever the trust direction. */
export function resolutionPairs(config: Config): Pair[] {
  const seen = new Set<string>();
  const pairs: Pair[] = [];
  for (const trust of config.trusts) {
    for (const [local, partner] of [
      [trust.trusting, trust.trusted],
      [trust.trusted, trust.trusting],
    ] as const) {
      const key = `${local} ${partner}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pairs.push({ local, partner });
    }
  }
  return pairs;
}

function forestOf(config: Config, domain: string): string {
  return config.domains.get(domain)?.forest ?? domain;
}

function partnerServers(config: Config, partner: string): string {
  const servers = config.domains.get(partner)?.dnsServers ?? [];
  return servers.length > 0 ? servers.map(serverLabel).join(', ') : `the DNS servers of ${partner}`;
}

function remediationFor(result: LookupResult, local: string, partner: string, config: Config): string {
  const server = serverLabel(result.server);
  const outcome = result.outcome;
  const forwarder = `add a conditional forwarder for ${partner} on ${server} (${local}) pointing at ${partnerServers(config, partner)}, e.g. Add-DnsServerConditionalForwarderZone -Name ${partner} -MasterServers <addresses>`;
  switch (outcome.kind) {
    case 'timeout':
    case 'refused-connection':
      return `allow ${result.transport.toUpperCase()} 53 from this host to ${server} and check that its DNS service runs`;
    case 'error':
    case 'malformed':
      return `check what answers on ${result.transport.toUpperCase()} 53 at ${server}: it is not a working DNS server`;
    case 'reply':
      if (outcome.rcode === 'REFUSED') return forwarder;
      if (outcome.rcode === 'SERVFAIL') return `check that ${server} reaches ${partnerServers(config, partner)} on UDP and TCP 53, and its forwarder for ${partner}`;
      if (outcome.truncated) return `allow TCP 53 from this host to ${server}: large answers need it`;
      return `check that the DCs of ${partner} register their DC locator records (dcdiag /test:dns, nltest /dsregdns), or ${forwarder}`;
  }
}

function lookupFinding(check: string, result: LookupResult, local: string, partner: string, config: Config, ctx: ProbeContext): Finding {
  const verdict = judgeLookup(result, ctx.timeoutMs);
  const server = serverLabel(result.server);
  const what = `${result.name} ${result.type} via ${server} over ${result.transport.toUpperCase()}${result.retriedOverTcp ? ' (truncated, retried over TCP)' : ''}`;
  const reply = answersOf(result);
  // The AA bit usually means the server hosts the zone (a secondary zone); some forwarders
  // (dnsmasq) pass the partner's AA bit through, so the message says what the bit says.
  const source = reply?.authoritative ? 'authoritative answer' : 'non-authoritative: forwarded';
  const message = verdict.ok
    ? `${what}: ${matchingAnswers(result)} record(s) in ${formatSeconds(result.seconds)} (${source})`
    : `${what}: ${verdict.problem}`;
  return {
    check,
    status: verdict.ok ? 'ok' : 'critical',
    domain: local,
    target: `${result.name}@${server}/${result.transport}`,
    message,
    remediation: verdict.ok ? '' : remediationFor(result, local, partner, config),
    observed: observedOf(result, partner),
  };
}

function lookupMeasurement(result: LookupResult, partnerDomain: string, timeoutMs: number): Measurement {
  return {
    kind: 'dns_lookup',
    server: serverLabel(result.server),
    partnerDomain,
    record: result.name,
    transport: result.transport,
    success: judgeLookup(result, timeoutMs).ok,
    seconds: result.seconds,
  };
}

/** A then, when there is no A record, AAAA: the addresses of one DC, asked of one server. */
export async function resolveHost(ctx: ProbeContext, server: Endpoint, host: string): Promise<LookupResult> {
  const v4 = await lookup(ctx, server, host, 'A', 'udp');
  if (addresses(v4).length > 0 || v4.outcome.kind !== 'reply') return v4;
  const v6 = await lookup(ctx, server, host, 'AAAA', 'udp');
  return addresses(v6).length > 0 ? v6 : v4;
}

export async function probeDns(config: Config, ctx: ProbeContext): Promise<ProbeOutput> {
  const findings: Finding[] = [];
  const measurements: Measurement[] = [];
  const ownViews = new Map<string, Promise<Set<string> | undefined>>();
  const ownView = (domain: string): Promise<Set<string> | undefined> => {
    let view = ownViews.get(domain);
    if (view === undefined) {
      view = ownDcSet(config, domain, ctx);
      ownViews.set(domain, view);
    }
    return view;
  };

  await Promise.all(
    resolutionPairs(config).flatMap(({ local, partner }) =>
      (config.domains.get(local)?.dnsServers ?? []).map(async (server) => {
        const records = locatorRecords(partner, forestOf(config, partner));
        const results = await Promise.all(records.flatMap((name) => (['udp', 'tcp'] as const).map((transport) => lookup(ctx, server, name, 'SRV', transport))));
        for (const result of results) {
          findings.push(lookupFinding('dns.srv', result, local, partner, config, ctx));
          measurements.push(lookupMeasurement(result, partner, ctx.timeoutMs));
        }
        const targets = [...new Set(results.flatMap(srvTargets))].sort();
        const hostResults = await Promise.all(targets.map((target) => resolveHost(ctx, server, target)));
        for (const result of hostResults) {
          findings.push(lookupFinding('dns.address', result, local, partner, config, ctx));
          measurements.push(lookupMeasurement(result, partner, ctx.timeoutMs));
        }
        const dcRecord = records[0] as string;
        const forwarded = new Set(results.filter((result) => result.name === dcRecord).flatMap(srvTargets));
        const own = await ownView(partner);
        if (own !== undefined && forwarded.size > 0) findings.push(dcSetFinding(local, partner, server, forwarded, own));
      }),
    ),
  );
  return { findings, measurements };
}

/** The DCs a domain's own DNS servers list for it: the reference forwarded answers are compared with. */
async function ownDcSet(config: Config, domain: string, ctx: ProbeContext): Promise<Set<string> | undefined> {
  for (const server of config.domains.get(domain)?.dnsServers ?? []) {
    const result = await lookup(ctx, server, `_ldap._tcp.dc._msdcs.${domain}`, 'SRV', 'udp');
    if (judgeLookup(result, ctx.timeoutMs).ok) return new Set(srvTargets(result));
  }
  return undefined;
}

function dcSetFinding(local: string, partner: string, server: Endpoint, forwarded: Set<string>, own: Set<string>): Finding {
  const missing = [...own].filter((dc) => !forwarded.has(dc)).sort();
  const extra = [...forwarded].filter((dc) => !own.has(dc)).sort();
  const same = missing.length === 0 && extra.length === 0;
  const label = serverLabel(server);
  const parts = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', extra.length > 0 ? `extra ${extra.join(', ')}` : ''].filter(Boolean);
  return {
    check: 'dns.dc_set',
    status: same ? 'ok' : 'warning',
    domain: local,
    target: `_ldap._tcp.dc._msdcs.${partner}@${label}`,
    message: same
      ? `${label} lists the same ${own.size} DC(s) of ${partner} as ${partner}'s own DNS`
      : `${label} lists other DCs of ${partner} than ${partner}'s own DNS: ${parts.join('; ')}`,
    remediation: same ? '' : `a stale secondary zone or a forwarder to an old server: make ${label} forward ${partner} to ${partner}'s current DNS servers`,
    observed: { server: label, partner_domain: partner, forwarded: [...forwarded].sort(), own: [...own].sort() },
  };
}
