// Bounds on what a server can make one run do: how many DCs a discovery answer may add, how
// many answers of one DNS reply are read, how many RPC ports are followed, how many
// findings a run keeps. Past a bound a run goes on with what fits and says so in one
// `run.limit` finding, instead of growing with whatever a hostile or broken server sends.
// The two LDAP bounds instead stop that domain's analysis (a partial set of trust objects
// would give wrong verdicts): the ldap family reports them as a failed read.

import { finding, type Finding } from './finding.js';

export interface Limits {
  dcsPerDomain: number;
  dnsAnswersPerReply: number;
  findingsPerRun: number;
  /** Entries one LDAP search may return, over all its pages; past it the domain is not analysed. */
  ldapEntriesPerSearch: number;
  rpcPortsPerDc: number;
  /** trustedDomain objects read from one domain; past it the domain is not analysed. */
  trustedDomainObjects: number;
}

/** Each bound by its config key under `limits:`. */
export const LIMIT_KEYS = {
  dcsPerDomain: 'dcs_per_domain',
  dnsAnswersPerReply: 'dns_answers_per_reply',
  findingsPerRun: 'findings_per_run',
  ldapEntriesPerSearch: 'ldap_entries_per_search',
  rpcPortsPerDc: 'rpc_ports_per_dc',
  trustedDomainObjects: 'trusted_domain_objects',
} as const satisfies Record<keyof Limits, string>;

export type LimitKey = (typeof LIMIT_KEYS)[keyof Limits];

/** One bound reached: which one, how much there was, and where. */
export interface LimitReached {
  limit: keyof Limits;
  bound: number;
  /** How many there were (or at least, when counting stopped). */
  seen: number;
  domain: string;
  /** What went past the bound, in words: "_ldap._tcp.dc._msdcs.wingtip.test via 10.0.0.1 named 3330 DCs". */
  what: string;
  remediation: string;
}

export function limitFinding(reached: LimitReached): Finding {
  const key = LIMIT_KEYS[reached.limit];
  return finding({
    check: 'run.limit',
    status: 'warning',
    domain: reached.domain,
    target: { kind: 'limit', limit: key },
    message: `limits.${key} (${reached.bound}) reached: ${reached.what}; only the first ${reached.bound} were used`,
    remediation: reached.remediation,
    observed: { limit: key, bound: reached.bound, seen: reached.seen },
  });
}
