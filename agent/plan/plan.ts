// The plan of a run: the validated config turned into the targets of each family, and
// nothing else. Pure, but for the CA files it reads through the reader it is given, so
// a CA replaced on disk is picked up at the next run, as before. `probe plan` prints it.

import { readFileSync } from 'node:fs';
import { LIMIT_KEYS, type Limits } from '../../probes/model/limits.js';
import type { Endpoint } from '../../probes/model/probe.js';
import { describeShard, WHOLE_ESTATE, type Shard } from '../../probes/model/shard.js';
import type { AuthDirection, CaBundle, DnsPair, DomainTargets, LdapServer, Plan } from '../../probes/model/targets.js';
import type { Config } from '../config/config.js';

export type ReadFile = (path: string) => Buffer;

export function buildPlan(config: Config, readFile: ReadFile = readFileSync, shard: Shard = WHOLE_ESTATE): Plan {
  const cache = new Map<string, CaBundle>();
  const ca = (file: string | undefined): CaBundle | undefined => {
    if (file === undefined) return undefined;
    let bundle = cache.get(file);
    if (bundle === undefined) {
      try {
        bundle = { file, ok: true, pem: readFile(file) };
      } catch (error) {
        bundle = { file, ok: false, error: (error as NodeJS.ErrnoException).code ?? String(error) };
      }
      cache.set(file, bundle);
    }
    return bundle;
  };
  const domains = trustDomains(config).map((domain) => domainTargets(config, domain));
  return {
    timeoutMs: config.timeoutMs,
    limits: config.limits,
    stateFile: config.stateFile,
    dns: { pairs: resolutionPairs(config), limits: config.limits },
    ports: { domains, limits: config.limits, shard },
    protocols: {
      domains: domains.map((domain) => {
        const settings = config.domains.get(domain.domain);
        return { ...domain, ca: ca(settings?.caFile ?? settings?.ldap?.caFile) };
      }),
      certificateWarningMs: config.certificateWarningMs,
      certificateCriticalMs: config.certificateCriticalMs,
      limits: config.limits,
      shard,
    },
    ldap: {
      servers: [...config.domains.values()].flatMap((domain): LdapServer[] =>
        domain.ldap === undefined
          ? []
          : [
              {
                domain: domain.name,
                url: domain.ldap.url,
                bindDn: domain.ldap.bindDn,
                password: domain.ldap.password,
                ca: ca(domain.ldap.caFile),
                startTls: domain.ldap.startTls,
                serverName: domain.ldap.serverName,
                baseDn: domain.ldap.baseDn,
              },
            ],
      ),
      limits: {
        trustedDomainObjects: config.limits.trustedDomainObjects,
        entriesPerSearch: config.limits.ldapEntriesPerSearch,
      },
      findingsPerRun: config.limits.findingsPerRun,
      trusts: config.trusts.map(({ trusting, trusted, twoWay, type }) => ({ trusting, trusted, twoWay, type })),
      forests: Object.fromEntries([...config.domains.values()].map((domain) => [domain.name, domain.forest])),
      preauthAllow: config.preauthAllow,
      trustPasswordWarningMs: config.trustPasswordWarningMs,
      trustPasswordCriticalMs: config.trustPasswordCriticalMs,
    },
    auth: {
      canaries: [...config.domains.values()].flatMap((domain) =>
        domain.canary === undefined
          ? []
          : [
              {
                domain: domain.name,
                user: domain.canary.user,
                realm: domain.canary.realm,
                secret: domain.canary.secret,
              },
            ],
      ),
      directions: authDirections(config),
      domains,
      limits: config.limits,
    },
  };
}

/**
 * Every direction a canary's logon is tried in: from its domain to each trust partner. A
 * direction no configured trust opens is tried too, to show that it is really closed.
 */
export function authDirections(config: Config): AuthDirection[] {
  const directions = new Map<string, AuthDirection>();
  for (const trust of config.trusts) {
    for (const [from, to] of [
      [trust.trusted, trust.trusting],
      [trust.trusting, trust.trusted],
    ] as const) {
      if (config.domains.get(from)?.canary === undefined) continue;
      const allowed = from === trust.trusted || trust.twoWay;
      const key = `${from} ${to}`;
      const known = directions.get(key);
      if (known !== undefined && (known.allowed || !allowed)) continue;
      directions.set(key, { from, to, allowed, service: trust.services[to] });
    }
  }
  return [...directions.values()];
}

/** Every domain that takes part in a trust, configured or not. */
export function trustDomains(config: Config): string[] {
  const names = new Set<string>();
  for (const trust of config.trusts) {
    names.add(trust.trusting);
    names.add(trust.trusted);
  }
  return [...names].sort();
}

function forestOf(config: Config, domain: string): string {
  return config.domains.get(domain)?.forest ?? domain;
}

function dnsServers(config: Config, domain: string): Endpoint[] {
  return config.domains.get(domain)?.dnsServers ?? [];
}

/** Each ordered pair of domains that must resolve each other, whatever the trust direction. */
export function resolutionPairs(config: Config): DnsPair[] {
  const seen = new Set<string>();
  const pairs: DnsPair[] = [];
  for (const trust of config.trusts) {
    for (const [local, partner] of [
      [trust.trusting, trust.trusted],
      [trust.trusted, trust.trusting],
    ] as const) {
      const key = `${local} ${partner}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pairs.push({
        local,
        partner,
        partnerForest: forestOf(config, partner),
        servers: dnsServers(config, local),
        partnerServers: dnsServers(config, partner),
      });
    }
  }
  return pairs;
}

/** Where to find a domain's DCs: the configured ones, and the DNS servers that may name them (its own first, then its partners'). */
function domainTargets(config: Config, domain: string): DomainTargets {
  const resolvers = [...dnsServers(config, domain)];
  for (const trust of config.trusts) {
    const partner = trust.trusting === domain ? trust.trusted : trust.trusted === domain ? trust.trusting : undefined;
    if (partner !== undefined) resolvers.push(...dnsServers(config, partner));
  }
  return { domain, forest: forestOf(config, domain), resolvers, dcs: config.domains.get(domain)?.dcs ?? [] };
}

/** The plan as data a person can read: secrets and CA bytes are never printed, only where they come from. */
export function describePlan(plan: Plan): Record<string, unknown> {
  const endpoint = ({ host, port }: Endpoint): string => (port === 53 ? host : `${host}:${port}`);
  const ca = (bundle: CaBundle | undefined): string | null =>
    bundle === undefined
      ? null
      : bundle.ok
        ? `${bundle.file} (${bundle.pem.length} bytes)`
        : `${bundle.file} (unreadable: ${bundle.error})`;
  const domain = (target: DomainTargets) => ({
    domain: target.domain,
    forest: target.forest,
    resolvers: target.resolvers.map(endpoint),
    dcs:
      target.dcs.length === 0
        ? 'discovered through _ldap._tcp.dc._msdcs'
        : target.dcs.map((dc) => (dc.port === undefined ? dc.host : `${dc.host}:${dc.port}`)),
  });
  return {
    timeout_seconds: plan.timeoutMs / 1000,
    state_file: plan.stateFile ?? null,
    limits: Object.fromEntries(
      Object.entries(plan.limits).map(([name, bound]) => [LIMIT_KEYS[name as keyof Limits], bound]),
    ),
    dns: plan.dns.pairs.map((pair) => ({
      local: pair.local,
      partner: pair.partner,
      partner_forest: pair.partnerForest,
      servers: pair.servers.map(endpoint),
      partner_servers: pair.partnerServers.map(endpoint),
    })),
    shard: describeShard(plan.ports.shard),
    ports: plan.ports.domains.map(domain),
    protocols: {
      domains: plan.protocols.domains.map((target) => ({ ...domain(target), ca_file: ca(target.ca) })),
      certificate_warning_days: plan.protocols.certificateWarningMs / 86_400_000,
      certificate_critical_days: plan.protocols.certificateCriticalMs / 86_400_000,
    },
    ldap: {
      servers: plan.ldap.servers.map((server) => ({
        domain: server.domain,
        url: server.url,
        bind_dn: server.bindDn,
        ca_file: ca(server.ca),
        starttls: server.startTls,
        server_name: server.serverName ?? null,
        base_dn: server.baseDn,
      })),
      limits: {
        trusted_domain_objects: plan.ldap.limits.trustedDomainObjects,
        ldap_entries_per_search: plan.ldap.limits.entriesPerSearch,
      },
      trusts: plan.ldap.trusts,
      forests: plan.ldap.forests,
      preauth_allow: plan.ldap.preauthAllow,
      trust_password_warning_days: plan.ldap.trustPasswordWarningMs / 86_400_000,
      trust_password_critical_days: plan.ldap.trustPasswordCriticalMs / 86_400_000,
    },
    auth: {
      canaries: plan.auth.canaries.map(({ domain, user, realm }) => ({ domain, principal: `${user}@${realm}` })),
      directions: plan.auth.directions.map(({ from, to, allowed, service }) => ({
        from,
        to,
        allowed,
        service: service ?? `ldap/<the first DC of ${to} found>`,
      })),
    },
  };
}
