// What the status page shows, as data: the findings of the last runs sorted into the
// authentication answers, one group per configured trust, one per domain (with its DCs)
// and the rest; inside each group the problems collapsed where alike (one row for a check
// that fails the same way on many DCs) and the healthy findings apart. Pure: the page
// (../status-page.ts) only turns this into HTML.

import {
  DC_CHECKS,
  renderTarget,
  targetHost,
  type CheckId,
  type Finding,
  type Status,
  type Target,
} from '../../../probes/model/finding.js';
import type { Family } from '../../../probes/model/probe.js';
import { describeTrust, type Config, type TrustConfig } from '../../config/config.js';
import { worstStatus, type FamilyRun } from '../../run/runner.js';
import { distinctFindings } from '../report.js';

/** Worst first: the order of every list on the page. */
export const STATUSES = ['critical', 'warning', 'unknown', 'ok'] as const satisfies readonly Status[];
const RANK: Record<Status, number> = { critical: 0, warning: 1, unknown: 2, ok: 3 };

export type Counts = Record<Status, number>;

/** Adds a value to the list of a key. */
function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

export function countStatuses(findings: Iterable<{ status: Status }>): Counts {
  const counts: Counts = { critical: 0, warning: 0, unknown: 0, ok: 0 };
  for (const { status } of findings) counts[status]++;
  return counts;
}

/** A finding with the family whose run reported it (the family filter of the page). */
export interface Reported {
  finding: Finding;
  family: Family;
}

export function reportedFindings(runs: FamilyRun[]): Reported[] {
  const familyOf = new Map<Finding, Family>();
  for (const run of runs)
    for (const finding of run.findings) if (!familyOf.has(finding)) familyOf.set(finding, run.family);
  return distinctFindings(runs).map((finding) => ({ finding, family: familyOf.get(finding) ?? 'dns' }));
}

/**
 * "Will authentication across this trust work right now": the checks of the auth family,
 * `auth.kerberos` and `auth.ntlm`, whose target is the path from the users' domain to the
 * resources'. A prefix test, so that every check the family adds lands here too.
 */
export function isAuthFinding(finding: Finding): boolean {
  return (finding.check as string).startsWith('auth.');
}

/** The probes of one DC: each sits under its DC in its domain's group and colours the trusts of that domain. */
export function isDcFinding(finding: Finding): boolean {
  return DC_CHECKS.has(finding.check);
}

/** Two domains as one key, whichever comes first. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a} ${b}` : `${b} ${a}`;
}

/** The two domains a finding is about, when it is about a pair: a path (auth.*, trust.path), or a partner (trust.*, dns.*). */
export function pairOf(finding: Finding): string | undefined {
  if (finding.target.kind === 'path') return pairKey(finding.target.from, finding.target.to);
  const partner = finding.observed['partner_domain'];
  if (typeof partner !== 'string' || finding.domain === '') return undefined;
  return pairKey(finding.domain, partner);
}

/** One line of a group's problems: one finding, or several alike (the same check, status and port on many DCs). */
export interface Row {
  status: Status;
  check: string;
  family: Family;
  /** The port, interface or record they share ('' when the target is a host). */
  slot: string;
  findings: Finding[];
}

/** What alike findings share, whatever DC they are about. */
function slotOf(check: CheckId, target: Target): string {
  switch (target.kind) {
    case 'port':
      return `${target.port}/${target.transport}`;
    case 'rpc':
      return target.interface;
    case 'dns':
      return target.record;
    case 'host':
      return target.port === undefined ? '' : String(target.port);
    default:
      return renderTarget(check, target);
  }
}

/** The problems of a list of findings, alike ones in one row, worst first, then the widest. */
export function problemRows(reported: Reported[]): Row[] {
  const rows = new Map<string, Row>();
  for (const { finding, family } of reported) {
    if (finding.status === 'ok') continue;
    const slot = slotOf(finding.check, finding.target);
    const key = JSON.stringify([finding.status, finding.check, family, slot]);
    const row = rows.get(key) ?? { status: finding.status, check: finding.check, family, slot, findings: [] };
    row.findings.push(finding);
    rows.set(key, row);
  }
  return [...rows.values()].sort(
    (a, b) =>
      RANK[a.status] - RANK[b.status] ||
      b.findings.length - a.findings.length ||
      a.check.localeCompare(b.check) ||
      a.slot.localeCompare(b.slot, 'en', { numeric: true }),
  );
}

export interface DcLine {
  host: string;
  counts: Counts;
  worst: Status;
  /** The checks that are not ok, as `check slot`. */
  problems: string[];
}

export interface Group {
  /** The anchor of the group on the page (the topology links to trusts). */
  id: string;
  kind: 'trust' | 'domain' | 'other';
  title: string;
  counts: Counts;
  worst: Status;
  rows: Row[];
  /** Every family with a finding in the group. */
  families: Family[];
  healthy: Reported[];
  /** A domain's DCs, worst first (empty for the other kinds). */
  dcs: DcLine[];
}

export interface AuthDirection {
  from: string;
  to: string;
  worst: Status;
  /** Each auth.* check of the direction, worst first. */
  findings: Finding[];
}

export interface PageModel {
  /** One line per direction, worst first. */
  auth: AuthDirection[];
  /** Groups with a problem first (worst first; trusts, then domains, then the rest), then the healthy ones. */
  groups: Group[];
}

export function trustAnchor(index: number): string {
  return `trust-${index + 1}`;
}

export function domainAnchor(domain: string): string {
  return `domain-${domain.replace(/[^A-Za-z0-9.-]/g, '_')}`;
}

type Topology = Pick<Config, 'domains' | 'trusts'>;

/** Every domain of the page: the configured ones and those that only take part in a trust. */
export function pageDomains(config: Topology): { name: string; forest: string }[] {
  const names = new Set([
    ...config.domains.keys(),
    ...config.trusts.flatMap((trust) => [trust.trusting, trust.trusted]),
  ]);
  return [...names].sort().map((name) => ({ name, forest: config.domains.get(name)?.forest ?? name }));
}

export function buildPageModel(reported: Reported[], config: Topology): PageModel {
  const trustOfPair = new Map<string, number>();
  config.trusts.forEach((trust, index) => {
    const key = pairKey(trust.trusting, trust.trusted);
    if (!trustOfPair.has(key)) trustOfPair.set(key, index);
  });
  const auth: Finding[] = [];
  const trustMembers = new Map<number, Reported[]>();
  const domainMembers = new Map<string, Reported[]>(pageDomains(config).map(({ name }) => [name, []]));
  const other: Reported[] = [];
  for (const item of reported) {
    const { finding } = item;
    if (isAuthFinding(finding)) {
      auth.push(finding);
      continue;
    }
    const pair = pairOf(finding);
    const trust = pair === undefined ? undefined : trustOfPair.get(pair);
    if (trust !== undefined && (finding.check.startsWith('trust.') || finding.check.startsWith('dns.'))) {
      append(trustMembers, trust, item);
    } else if (finding.domain !== '') {
      append(domainMembers, finding.domain, item);
    } else {
      other.push(item);
    }
  }

  const groups: Group[] = [
    ...config.trusts.map((trust, index) =>
      makeGroup(trustAnchor(index), 'trust', trustTitle(trust), trustMembers.get(index) ?? [], []),
    ),
    ...[...domainMembers].map(([domain, members]) =>
      makeGroup(
        domainAnchor(domain),
        'domain',
        `Domain ${domain} (forest ${config.domains.get(domain)?.forest ?? domain})`,
        members,
        (config.domains.get(domain)?.dcs ?? []).map((dc) => dc.host),
      ),
    ),
    makeGroup('other', 'other', 'Other', other, []),
  ].filter((group) => group.rows.length + group.healthy.length > 0);
  const kindRank = { trust: 0, domain: 1, other: 2 };
  const problemsFirst = [...groups].sort(
    (a, b) =>
      Number(a.worst === 'ok') - Number(b.worst === 'ok') ||
      RANK[a.worst] - RANK[b.worst] ||
      kindRank[a.kind] - kindRank[b.kind],
  );
  return { auth: authDirections(auth), groups: problemsFirst };
}

function trustTitle(trust: TrustConfig): string {
  return `Trust ${describeTrust(trust)} (${trust.type}, ${trust.twoWay ? 'two-way' : 'one-way'})`;
}

function makeGroup(
  id: string,
  kind: Group['kind'],
  title: string,
  members: Reported[],
  configuredDcs: string[],
): Group {
  const counts = countStatuses(members.map(({ finding }) => finding));
  return {
    id,
    kind,
    title,
    counts,
    worst: worstStatus(members.map(({ finding }) => finding.status)),
    rows: problemRows(members),
    families: [...new Set(members.map(({ family }) => family))].sort(),
    healthy: members.filter(({ finding }) => finding.status === 'ok'),
    dcs: kind === 'domain' ? dcLines(members, configuredDcs) : [],
  };
}

function dcLines(members: Reported[], configuredDcs: string[]): DcLine[] {
  const byHost = new Map<string, Finding[]>(configuredDcs.map((host) => [host, []]));
  for (const { finding } of members) {
    if (!isDcFinding(finding)) continue;
    append(byHost, targetHost(finding.target), finding);
  }
  return [...byHost]
    .map(([host, findings]) => ({
      host,
      counts: countStatuses(findings),
      worst: worstStatus(findings.map((finding) => finding.status)),
      problems: findings
        .filter((finding) => finding.status !== 'ok')
        .map((finding) => `${finding.check} ${slotOf(finding.check, finding.target)}`.trim()),
    }))
    .sort((a, b) => RANK[a.worst] - RANK[b.worst] || a.host.localeCompare(b.host, 'en', { numeric: true }));
}

function authDirections(findings: Finding[]): AuthDirection[] {
  const directions = new Map<string, AuthDirection>();
  for (const finding of findings) {
    const [from, to] =
      finding.target.kind === 'path'
        ? [finding.target.from, finding.target.to]
        : [finding.domain, targetHost(finding.target)];
    const key = `${from} ${to}`;
    const direction = directions.get(key) ?? { from, to, worst: 'ok', findings: [] };
    direction.findings.push(finding);
    directions.set(key, direction);
  }
  return [...directions.values()]
    .map((direction) => ({
      ...direction,
      worst: worstStatus(direction.findings.map((finding) => finding.status)),
      findings: [...direction.findings].sort(
        (a, b) => RANK[a.status] - RANK[b.status] || a.check.localeCompare(b.check),
      ),
    }))
    .sort((a, b) => RANK[a.worst] - RANK[b.worst] || a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
}

/** The worst status of what crosses a trust, for its arrow; undefined when nothing was reported about it yet. */
export function trustStatuses(reported: Reported[], config: Topology): (Status | undefined)[] {
  const byPair = new Map<string, Status[]>();
  const dcByDomain = new Map<string, Status[]>();
  for (const { finding } of reported) {
    const pair = pairOf(finding);
    if (pair !== undefined && (isAuthFinding(finding) || /^(trust|dns)\./.test(finding.check)))
      append(byPair, pair, finding.status);
    if (isDcFinding(finding)) append(dcByDomain, finding.domain, finding.status);
  }
  return config.trusts.map((trust) => {
    const statuses = [
      ...(byPair.get(pairKey(trust.trusting, trust.trusted)) ?? []),
      ...(dcByDomain.get(trust.trusting) ?? []),
      ...(dcByDomain.get(trust.trusted) ?? []),
    ];
    return statuses.length === 0 ? undefined : worstStatus(statuses);
  });
}

/** The worst status of each domain's own findings, for its node. */
export function domainStatuses(reported: Reported[]): Map<string, Status> {
  const byDomain = new Map<string, Status[]>();
  for (const { finding } of reported) {
    if (isAuthFinding(finding) || finding.domain === '') continue;
    append(byDomain, finding.domain, finding.status);
  }
  return new Map([...byDomain].map(([domain, statuses]) => [domain, worstStatus(statuses)]));
}
