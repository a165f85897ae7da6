// DNS conditional forwarding between trusting domains: each DNS server of one side must
// resolve the other side's DC locator records and the addresses of the DCs they name.

import {
  answersLimit,
  answersOf,
  firstSrvAnswer,
  judgeLookup,
  locatorRecords,
  lookup,
  matchingAnswers,
  resolveHost,
  serverLabel,
  srvTargets,
  type LookupResult,
} from '../discovery/lookup.js';
import { finding, type CheckId, type Finding } from '../model/finding.js';
import { formatSeconds } from '../model/format.js';
import { limitFinding, type Limits } from '../model/limits.js';
import type { Measurement } from '../model/measurement.js';
import type { Endpoint, ProbeContext, ProbeOutput } from '../model/probe.js';
import type { DnsPair, DnsTargets } from '../model/targets.js';

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

function partnerServers(pair: DnsPair): string {
  return pair.partnerServers.length > 0
    ? pair.partnerServers.map(serverLabel).join(', ')
    : `the DNS servers of ${pair.partner}`;
}

function remediationFor(result: LookupResult, pair: DnsPair): string {
  const { local, partner } = pair;
  const server = serverLabel(result.server);
  const outcome = result.outcome;
  const forwarder = `add a conditional forwarder for ${partner} on ${server} (${local}) pointing at ${partnerServers(pair)}, e.g. Add-DnsServerConditionalForwarderZone -Name ${partner} -MasterServers <addresses>`;
  switch (outcome.kind) {
    case 'timeout':
    case 'refused-connection':
      return `allow ${result.transport.toUpperCase()} 53 from this host to ${server} and check that its DNS service runs`;
    case 'error':
    case 'malformed':
      return `check what answers on ${result.transport.toUpperCase()} 53 at ${server}: it is not a working DNS server`;
    case 'reply':
      if (outcome.rcode === 'REFUSED') return forwarder;
      if (outcome.rcode === 'SERVFAIL')
        return `check that ${server} reaches ${partnerServers(pair)} on UDP and TCP 53, and its forwarder for ${partner}`;
      if (outcome.truncated) return `allow TCP 53 from this host to ${server}: large answers need it`;
      return `check that the DCs of ${partner} register their DC locator records (dcdiag /test:dns, nltest /dsregdns), or ${forwarder}`;
  }
}

function lookupFinding(check: CheckId, result: LookupResult, pair: DnsPair, ctx: ProbeContext): Finding {
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
  return finding({
    check,
    status: verdict.ok ? 'ok' : 'critical',
    domain: pair.local,
    target: { kind: 'dns', record: result.name, server: result.server, transport: result.transport },
    message,
    remediation: remediationFor(result, pair),
    observed: observedOf(result, pair.partner),
  });
}

function lookupMeasurement(result: LookupResult, partnerDomain: string, timeoutMs: number): Measurement {
  return {
    kind: 'dns_lookup',
    server: serverLabel(result.server),
    partnerDomain,
    record: result.name,
    recordType: result.type,
    transport: result.transport,
    success: judgeLookup(result, timeoutMs).ok,
    seconds: result.seconds,
  };
}

export async function probeDns(targets: DnsTargets, ctx: ProbeContext): Promise<ProbeOutput> {
  const findings: Finding[] = [];
  const measurements: Measurement[] = [];
  const ownViews = new Map<string, Promise<Set<string> | undefined>>();
  const ownView = (pair: DnsPair): Promise<Set<string> | undefined> => {
    let view = ownViews.get(pair.partner);
    if (view === undefined) {
      view = ownDcSet(pair.partner, pair.partnerServers, targets.limits, ctx);
      ownViews.set(pair.partner, view);
    }
    return view;
  };

  await Promise.all(
    targets.pairs.flatMap((pair) =>
      pair.servers.map(async (server) => {
        const records = locatorRecords(pair.partner, pair.partnerForest);
        const maxAnswers = targets.limits.dnsAnswersPerReply;
        const results = await Promise.all(
          records.flatMap((name) =>
            (['udp', 'tcp'] as const).map((transport) => lookup(ctx, server, name, 'SRV', transport, maxAnswers)),
          ),
        );
        for (const result of results) {
          findings.push(lookupFinding('dns.srv', result, pair, ctx));
          measurements.push(lookupMeasurement(result, pair.partner, ctx.timeoutMs));
        }
        const allHosts = [...new Set(results.flatMap(srvTargets))].sort();
        const hosts = allHosts.slice(0, targets.limits.dcsPerDomain);
        if (allHosts.length > hosts.length) {
          findings.push(
            limitFinding({
              limit: 'dcsPerDomain',
              bound: hosts.length,
              seen: allHosts.length,
              domain: pair.local,
              what: `the locator records of ${pair.partner} via ${serverLabel(server)} named ${allHosts.length} hosts`,
              remediation: `if ${pair.partner} really has more DCs, raise limits.dcs_per_domain; otherwise find out why ${serverLabel(server)} names so many`,
            }),
          );
        }
        const hostResults = await Promise.all(hosts.map((host) => resolveHost(ctx, server, host, maxAnswers)));
        for (const result of [...results, ...hostResults]) {
          const reached = answersLimit(result, pair.local);
          if (reached !== undefined) findings.push(limitFinding(reached));
        }
        for (const result of hostResults) {
          findings.push(lookupFinding('dns.address', result, pair, ctx));
          measurements.push(lookupMeasurement(result, pair.partner, ctx.timeoutMs));
        }
        const dcRecord = records[0] as string;
        const forwarded = new Set(results.filter((result) => result.name === dcRecord).flatMap(srvTargets));
        const own = await ownView(pair);
        if (own !== undefined && forwarded.size > 0)
          findings.push(dcSetFinding(pair.local, pair.partner, server, forwarded, own));
      }),
    ),
  );
  return { findings, measurements };
}

/** The DCs a domain's own DNS servers list for it: the reference forwarded answers are compared with. */
async function ownDcSet(
  domain: string,
  servers: Endpoint[],
  limits: Limits,
  ctx: ProbeContext,
): Promise<Set<string> | undefined> {
  const answer = await firstSrvAnswer(ctx, servers, `_ldap._tcp.dc._msdcs.${domain}`, limits.dnsAnswersPerReply);
  return answer.ok ? new Set(answer.hosts) : undefined;
}

function dcSetFinding(
  local: string,
  partner: string,
  server: Endpoint,
  forwarded: Set<string>,
  own: Set<string>,
): Finding {
  const missing = [...own].filter((dc) => !forwarded.has(dc)).sort();
  const extra = [...forwarded].filter((dc) => !own.has(dc)).sort();
  const same = missing.length === 0 && extra.length === 0;
  const label = serverLabel(server);
  const parts = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    extra.length > 0 ? `extra ${extra.join(', ')}` : '',
  ].filter(Boolean);
  return finding({
    check: 'dns.dc_set',
    status: same ? 'ok' : 'warning',
    domain: local,
    target: { kind: 'dns', record: `_ldap._tcp.dc._msdcs.${partner}`, server },
    message: same
      ? `${label} lists the same ${own.size} DC(s) of ${partner} as ${partner}'s own DNS`
      : `${label} lists other DCs of ${partner} than ${partner}'s own DNS: ${parts.join('; ')}`,
    remediation: `a stale secondary zone or a forwarder to an old server: make ${label} forward ${partner} to ${partner}'s current DNS servers`,
    observed: { server: label, partner_domain: partner, forwarded: [...forwarded].sort(), own: [...own].sort() },
  });
}
