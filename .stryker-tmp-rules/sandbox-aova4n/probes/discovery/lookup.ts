// @ts-nocheck
// One DNS question asked directly of one server, and what its answer means: shared by
// the dns family (forwarding) and by DC discovery (ports, protocols).

import type { RecordType, SrvAnswer, StringAnswer } from 'dns-packet';
import { formatSeconds } from '../model/format.js';
import type { Transport } from '../model/measurement.js';
import type { Endpoint, ProbeContext } from '../model/probe.js';
import { queryDns, type DnsOutcome } from '../transport/dns-client.js';

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
  return [
    `_ldap._tcp.dc._msdcs.${partner}`,
    `_kerberos._tcp.${partner}`,
    `_kpasswd._tcp.${partner}`,
    `_gc._tcp.${partnerForest}`,
  ];
}

export async function lookup(
  ctx: ProbeContext,
  server: Endpoint,
  name: string,
  type: RecordType,
  transport: Transport,
): Promise<LookupResult> {
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

export function answersOf(result: LookupResult): (DnsOutcome & { kind: 'reply' }) | undefined {
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
    .filter(
      (answer): answer is StringAnswer =>
        answer.type === result.type && (answer.type === 'A' || answer.type === 'AAAA'),
    )
    .map((answer) => answer.data);
}

export function matchingAnswers(result: LookupResult): number {
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
      if (outcome.rcode !== 'NOERROR')
        return {
          ok: false,
          problem: `${outcome.rcode}: ${RCODE_MEANING[outcome.rcode] ?? 'the server returned an error'}`,
        };
      if (outcome.truncated) return { ok: false, problem: 'answer truncated even over TCP' };
      if (matchingAnswers(result) === 0)
        return { ok: false, problem: `no ${result.type} record: NOERROR with an empty answer` };
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

/** A then, when there is no A record, AAAA: the addresses of one DC, asked of one server. */
export async function resolveHost(ctx: ProbeContext, server: Endpoint, host: string): Promise<LookupResult> {
  const v4 = await lookup(ctx, server, host, 'A', 'udp');
  if (addresses(v4).length > 0 || v4.outcome.kind !== 'reply') return v4;
  const v6 = await lookup(ctx, server, host, 'AAAA', 'udp');
  return addresses(v6).length > 0 ? v6 : v4;
}

/**
 * Asks each server in turn for an SRV record over UDP, until one answers it: the hosts
 * that answer names, or what each server said instead.
 */
export async function firstSrvAnswer(
  ctx: ProbeContext,
  servers: Endpoint[],
  record: string,
): Promise<{ ok: true; hosts: string[] } | { ok: false; problems: string[] }> {
  const problems: string[] = [];
  for (const server of servers) {
    const result = await lookup(ctx, server, record, 'SRV', 'udp');
    const verdict = judgeLookup(result, ctx.timeoutMs);
    if (verdict.ok) return { ok: true, hosts: srvTargets(result) };
    problems.push(`${record} via ${serverLabel(server)}: ${verdict.problem}`);
  }
  return { ok: false, problems };
}
