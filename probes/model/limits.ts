// Bounds on what a server can make one run do: how many DCs a discovery answer may add, how
// many answers of one DNS reply are read, how many RPC ports are followed, how many
// findings a run keeps. Past a bound a run goes on with what fits and says so in one
// `run.limit` finding, instead of growing with whatever a hostile or broken server sends.
// The two LDAP bounds instead stop that domain's analysis (a partial set of trust objects
// would give wrong verdicts): the ldap family reports them as a failed read.

import { finding, renderTarget, type Finding, type Status } from './finding.js';

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

const WORST_FIRST: readonly Status[] = ['critical', 'warning', 'unknown', 'ok'];

/**
 * At most `max` findings, the worst ones (critical, warning, unknown, ok; in their order
 * within a status), kept as they arrive: memory stays that of `max` findings however many
 * a run makes. `run.limit` findings are kept aside, once per bound and domain, and never
 * dropped. Past `max`, one more `run.limit` finding says so. The same result as sorting
 * all the findings worst first and cutting, found in one pass.
 */
export class WorstFindings {
  /** Kept findings by status, each with its arrival number (to give them back in order when none was dropped). */
  readonly #byStatus: Record<Status, [number, Finding][]> = { critical: [], warning: [], unknown: [], ok: [] };
  readonly #limits = new Map<string, [number, Finding]>();
  #kept = 0;
  #seen = 0;

  constructor(readonly max: number) {}

  add(item: Finding): void {
    const arrival = this.#seen + this.#limits.size;
    if (item.check === 'run.limit') {
      const key = `${item.domain} ${renderTarget(item.check, item.target)}`;
      if (!this.#limits.has(key)) this.#limits.set(key, [arrival, item]);
      return;
    }
    this.#seen++;
    if (this.#kept === this.max) {
      // Full: the last of the least severe status kept goes, as a cut of the sorted list would
      // drop it, unless this one is no worse (then it is that last one). Decided before anything
      // is allocated for it: V8 learns that what this method allocates lives long and allocates
      // it in the old generation, where whatever it refers to would pile up until a full
      // collection (380 MB of heap at 100,000 trust objects instead of 120; npm run bench:trusts).
      const least = this.#leastSevereKept();
      if (WORST_FIRST.indexOf(item.status) >= WORST_FIRST.indexOf(least)) return;
      this.#byStatus[least].pop();
      this.#kept--;
    }
    this.#byStatus[item.status].push([arrival, { ...item }]);
    this.#kept++;
  }

  #leastSevereKept(): Status {
    return WORST_FIRST.findLast((status) => this.#byStatus[status].length > 0) ?? 'ok';
  }

  /** The findings kept: all of them in arrival order when they fit, else the worst first and one `run.limit` for `family`. */
  findings(family: string): Finding[] {
    const kept = WORST_FIRST.flatMap((status) => this.#byStatus[status]);
    if (this.#seen <= this.max)
      return [...kept, ...this.#limits.values()].sort((a, b) => a[0] - b[0]).map(([, item]) => item);
    const bound = limitFinding({
      limit: 'findingsPerRun',
      bound: this.max,
      seen: this.#seen,
      domain: '',
      what: `the ${family} run made ${this.#seen} findings, the worst of which were kept`,
      remediation: 'the worst findings were kept; if the domains really need more, raise limits.findings_per_run',
    });
    return [...kept.map(([, item]) => item), ...[...this.#limits.values()].map(([, item]) => item), bound];
  }
}
