// The report of one run: JSON as product.md fixes it, and text a person reads at a
// glance, grouped by trust, domain and DC, problems spelled out, successes counted.

import {
  renderTarget,
  targetHost,
  type CheckId,
  type Finding,
  type JsonValue,
  type Status,
} from '../../probes/model/finding.js';
import { compareText } from '../../probes/model/format.js';
import { describeTrust, type Config } from '../config/config.js';
import { worstStatus, type FamilyRun } from '../run/runner.js';

export interface Report {
  status: Status;
  started_at: string;
  duration_seconds: number;
  findings: Finding[];
}

/** A finding as `probe run --output json` prints it (product.md): the target as text. */
export type JsonFinding = Omit<Finding, 'target'> & { target: string };

export interface JsonReport extends Omit<Report, 'findings'> {
  findings: JsonFinding[];
}

const ORDER: Record<Status, number> = { critical: 0, warning: 1, unknown: 2, ok: 3 };

/** Worst first, then by check, domain and target: the order of the report and the status page. */
function inOrderOfImportance(findings: Finding[]): Finding[] {
  // Each target rendered once, not twice per comparison.
  const keyed = findings.map((finding) => ({ finding, target: renderTarget(finding.check, finding.target) }));
  keyed.sort(
    (a, b) =>
      ORDER[a.finding.status] - ORDER[b.finding.status] ||
      compareText(a.finding.check, b.finding.check) ||
      compareText(a.finding.domain, b.finding.domain) ||
      compareText(a.target, b.target),
  );
  return keyed.map(({ finding }) => finding);
}

/**
 * The findings of several runs. The ports and protocols families both find the DCs, and
 * both report a DC they cannot find: a finding one family has already reported (the same
 * check, domain and target, as adtrust_check_status knows it) is shown once. Inside one
 * family nothing is dropped (a DC with two addresses has two findings per port).
 */
export function distinctFindings(runs: FamilyRun[]): Finding[] {
  const reportedBy = new Map<string, FamilyRun['family']>();
  const findings: Finding[] = [];
  for (const run of runs) {
    for (const finding of run.findings) {
      const key = JSON.stringify([finding.check, finding.domain, renderTarget(finding.check, finding.target)]);
      const first = reportedBy.get(key);
      if (first !== undefined && first !== run.family) continue;
      reportedBy.set(key, run.family);
      findings.push(finding);
    }
  }
  return findings;
}

export function buildReport(runs: FamilyRun[], startedAt: Date, durationSeconds: number): Report {
  const findings = inOrderOfImportance(distinctFindings(runs));
  return {
    status: worstStatus(findings.map((finding) => finding.status)),
    started_at: startedAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    duration_seconds: Number(durationSeconds.toFixed(3)),
    findings,
  };
}

/** The JSON of product.md: the same fields in the same order, each target rendered once, here. */
export function reportJson(report: Report): JsonReport {
  return {
    ...report,
    findings: report.findings.map(({ check, status, domain, target, message, remediation, observed }) => ({
      check,
      status,
      domain,
      target: renderTarget(check, target),
      message,
      remediation,
      observed,
    })),
  };
}

const COLOURS: Record<Status, string> = {
  ok: '\x1b[32m',
  warning: '\x1b[33m',
  critical: '\x1b[31m',
  unknown: '\x1b[35m',
};

interface Group {
  title: string;
  sections: Map<string, Finding[]>;
}

function partnerOf(finding: Finding): string | undefined {
  const partner = finding.observed['partner_domain'];
  return typeof partner === 'string' ? partner : undefined;
}

/** The section of each protocol's findings under "Authentication across the trusts". */
const AUTH_PROTOCOL: Partial<Record<CheckId, string>> = { 'auth.kerberos': 'Kerberos', 'auth.ntlm': 'NTLM' };

/** Trusts first (their DNS findings), then each domain's DCs (port findings), then the rest. */
function groupFindings(findings: Finding[], config: Config): Group[] {
  const trustGroups = config.trusts.map((trust) => ({
    trust,
    group: { title: `Trust ${describeTrust(trust)} (${trust.type})`, sections: new Map<string, Finding[]>() },
  }));
  const domainGroups = new Map<string, Group>();
  const other: Group = { title: 'Other', sections: new Map() };
  // The answer to the main question comes first.
  const auth: Group = { title: 'Authentication across the trusts', sections: new Map() };
  const add = (group: Group, section: string, finding: Finding): void => {
    const list = group.sections.get(section) ?? [];
    list.push(finding);
    group.sections.set(section, list);
  };
  for (const finding of findings) {
    if (SECTION[finding.check] === 'auth') {
      add(auth, AUTH_PROTOCOL[finding.check] ?? 'Errors', finding);
      continue;
    }
    const partner = partnerOf(finding);
    if (finding.check.startsWith('dns.') && partner !== undefined) {
      const home = trustGroups.find(
        ({ trust }) =>
          [trust.trusting, trust.trusted].includes(finding.domain) && [trust.trusting, trust.trusted].includes(partner),
      );
      if (home) {
        add(home.group, `DNS of ${finding.domain} resolving ${partner}`, finding);
        continue;
      }
    }
    const section = domainSection(finding, partner);
    if (section !== undefined && finding.domain !== '') {
      const group = domainGroups.get(finding.domain) ?? { title: `Domain ${finding.domain}`, sections: new Map() };
      domainGroups.set(finding.domain, group);
      add(group, section, finding);
      continue;
    }
    add(other, finding.check, finding);
  }
  const sortedDomains = [...domainGroups.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([, group]) => ({
      ...group,
      sections: new Map([...group.sections].sort(([a], [b]) => sectionRank(a) - sectionRank(b) || compareText(a, b))),
    }));
  return [auth, ...trustGroups.map(({ group }) => group), ...sortedDomains, other].filter(
    (group) => group.sections.size > 0,
  );
}

type Section = 'auth' | 'discovery' | 'dc' | 'ldap' | 'trust' | 'paths' | 'accounts' | 'other';

/**
 * Where each check sits inside its domain's group. Every check id is listed, so a new
 * check that is not placed here does not compile (and cannot drop out of the report).
 */
const SECTION: Record<CheckId, Section> = {
  'dns.srv': 'other',
  'dns.address': 'other',
  'dns.dc_set': 'other',
  'dns.probe_error': 'other',
  'port.discovery': 'discovery',
  // Every probe of one DC (ports, protocols, clock, locator, certificates) sits under the DC.
  'port.tcp': 'dc',
  'port.udp': 'dc',
  'port.kerberos': 'dc',
  'port.rpc': 'dc',
  'port.probe_error': 'dc',
  'time.skew': 'dc',
  'dc.locator': 'dc',
  'tls.certificate': 'dc',
  'ldap.bind': 'ldap',
  'ldap.read': 'ldap',
  'ldap.probe_error': 'ldap',
  'trust.inventory': 'trust',
  'trust.expected': 'trust',
  'trust.unexpected': 'trust',
  'trust.consistent': 'trust',
  'trust.password_age': 'trust',
  'trust.forest_info': 'trust',
  'trust.name_collision': 'trust',
  'trust.scanner': 'trust',
  'trust.sid_filtering': 'trust',
  'trust.tgt_delegation': 'trust',
  'trust.selective_auth': 'trust',
  'trust.auth_target_validation': 'trust',
  'trust.encryption': 'trust',
  'trust.downlevel': 'trust',
  'trust.path': 'paths',
  'preauth.privileged': 'accounts',
  'preauth.unexpected': 'accounts',
  'auth.kerberos': 'auth',
  'auth.ntlm': 'auth',
  'auth.probe_error': 'auth',
  'run.limit': 'other',
};

/** Where a finding sits inside its domain's group: a DC, the LDAP bind, one trust, paths, accounts. */
function domainSection(finding: Finding, partner: string | undefined): string | undefined {
  switch (SECTION[finding.check]) {
    case 'discovery':
      return 'DC discovery';
    case 'dc':
      return targetHost(finding.target);
    case 'ldap':
      return 'LDAP';
    case 'paths':
      return 'Trust paths (users of this domain to others)';
    case 'trust':
      return partner === undefined ? undefined : `Trust with ${partner}`;
    case 'accounts':
      return 'Accounts without Kerberos pre-authentication';
    case 'auth':
    case 'other':
      return undefined;
  }
}

/** Inside a domain: its DCs first, then what LDAP says, then accounts. */
function sectionRank(section: string): number {
  if (section === 'DC discovery') return 0;
  if (section === 'LDAP') return 2;
  if (section.startsWith('Trust with ')) return 3;
  if (section.startsWith('Trust paths')) return 4;
  if (section.startsWith('Accounts')) return 5;
  return 1;
}

/** An auth finding's hops, one line each, then its verdict: what `probe path --live` prints. */
export function renderHops(finding: Finding): string {
  const hops = Array.isArray(finding.observed['hops']) ? finding.observed['hops'] : [];
  const text = (value: JsonValue | undefined): string =>
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  const lines = hops.map((entry, index) => {
    const hop = (entry ?? {}) as Record<string, JsonValue>;
    const transport =
      hop['udp_fallback'] === null
        ? text(hop['transport'])
        : `${text(hop['transport'])} (${text(hop['udp_fallback'])})`;
    const answer =
      hop['result'] === 'ticket'
        ? `ticket ${text(hop['principal'])} (${text(hop['etype'])})`
        : hop['result'] === 'referral'
          ? `referral to ${text(hop['to_realm'])} (${text(hop['etype'])})`
          : hop['result'] === 'error'
            ? `${text(hop['error_name'])} (${text(hop['error_code'])})${hop['e_text'] === null ? '' : `: ${text(hop['e_text'])}`}`
            : `${text(hop['result'])}: ${text(hop['detail'])}`;
    const kdc = hop['kdc'] === '' ? 'no KDC' : `${text(hop['kdc'])} (${text(hop['address'])})`;
    return `  ${index + 1}. ${text(hop['step']).toUpperCase().padEnd(3)} ${text(hop['realm'])} at ${kdc} over ${transport}, ${Math.round(Number(hop['seconds']) * 1000)} ms: asked ${text(hop['asked'])}: ${answer}`;
  });
  const service = typeof finding.observed['service'] === 'string' ? finding.observed['service'] : '';
  const fix = finding.remediation === '' ? '' : `\n  fix: ${finding.remediation}`;
  return `${renderTarget(finding.check, finding.target)} (Kerberos, ${service}):\n${lines.join('\n')}${lines.length > 0 ? '\n' : ''}${finding.status.toUpperCase()} ${finding.message}${fix}\n`;
}

/** The canary's NTLM logon of `probe path --live`: the DC that answered and its verdict. */
export function renderNtlm(finding: Finding): string {
  const { dc, port } = finding.observed;
  const at = typeof dc === 'string' && typeof port === 'number' ? ` at ${dc}:${port}` : '';
  const fix = finding.remediation === '' ? '' : `\n  fix: ${finding.remediation}`;
  return `${renderTarget(finding.check, finding.target)} (NTLM${at}):\n${finding.status.toUpperCase()} ${finding.message}${fix}\n`;
}

export interface TextOptions {
  colour: boolean;
  verbose: boolean;
}

/** From this many findings on, the report opens with one summary line per trust and domain. */
const SUMMARY_FROM = 50;
/** A domain with more DCs than this shows its DCs collapsed (unless --verbose): alike problems on one line. */
const COLLAPSE_DCS = 10;
/** How many DCs a collapsed line names. */
const NAMED_DCS = 3;

export function renderText(report: Report, config: Config, families: string[], options: TextOptions): string {
  const paint = (status: Status, text: string): string => (options.colour ? `${COLOURS[status]}${text}\x1b[0m` : text);
  const word = (status: Status): string => paint(status, status.toUpperCase().padEnd(8));
  const lines = [
    `${word(report.status)} ${countByStatus(report.findings) || 'no findings'}   (${families.join(', ')} in ${report.duration_seconds}s, ${report.started_at})`,
  ];
  const groups = groupFindings(report.findings, config);
  if (report.findings.length >= SUMMARY_FROM) {
    lines.push('', 'Summary');
    for (const group of groups) {
      const findings = [...group.sections.values()].flat();
      lines.push(
        `  ${word(worstStatus(findings.map((finding) => finding.status)))} ${group.title}: ${groupSummary(group)}`,
      );
    }
  }
  const problem = (same: Finding[], text: string): void => {
    const [first] = same;
    if (first === undefined) return;
    lines.push(`    ${word(first.status)} ${text}  [${first.check}]`);
  };
  for (const group of groups) {
    lines.push('', group.title);
    const dcs = [...group.sections].filter(([, findings]) => isDcSection(findings));
    const collapse = !options.verbose && dcs.length > COLLAPSE_DCS;
    if (collapse) {
      const healthy = dcs.filter(([, findings]) => findings.every((finding) => finding.status === 'ok')).length;
      lines.push(`  ${dcs.length} DCs`);
      if (healthy > 0) lines.push(`    ${word('ok')} ${healthy} of ${dcs.length} DCs without a problem`);
      for (const same of alikeOnDcs(dcs.flatMap(([, findings]) => findings.filter((f) => f.status !== 'ok')))) {
        const [first] = same;
        if (first === undefined) continue;
        const names = same.map((finding) => targetHost(finding.target));
        const hosts = [...new Set(names)];
        problem(same, fillDc(first.message, first, `${hosts.length} of ${dcs.length} DCs`));
        const more = hosts.length - NAMED_DCS;
        lines.push(`             ${hosts.slice(0, NAMED_DCS).join(', ')}${more > 0 ? ` and ${more} more` : ''}`);
        if (first.remediation !== '')
          lines.push(`             fix: ${fillDc(first.remediation, first, 'each of them')}`);
      }
    }
    for (const [section, findings] of group.sections) {
      if (collapse && isDcSection(findings)) continue;
      lines.push(`  ${section}`);
      const ok = findings.filter((finding) => finding.status === 'ok');
      const problems = findings.filter((finding) => finding.status !== 'ok');
      if (ok.length > 0 && !options.verbose) lines.push(`    ${word('ok')} ${summariseOk(ok)}`);
      for (const same of options.verbose ? findings.map((finding) => [finding]) : alike(problems)) {
        const [first] = same;
        if (first === undefined) continue;
        problem(same, first.message);
        if (same.length > 1)
          lines.push(`             and ${same.length - 1} more the same: ${same.slice(1).map(shortName).join(', ')}`);
        if (first.remediation !== '') lines.push(`             fix: ${first.remediation}`);
      }
    }
  }
  if (report.findings.length === 0)
    lines.push('', 'No checks ran: configure trusts between domains (see docs/configuration.md).');
  return `${lines.join('\n')}\n`;
}

function countByStatus(findings: Finding[]): string {
  return (['critical', 'warning', 'unknown', 'ok'] as const)
    .map((status) => [status, findings.filter((finding) => finding.status === status).length] as const)
    .filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`)
    .join(', ');
}

function isDcSection(findings: Finding[]): boolean {
  return findings.every((finding) => SECTION[finding.check] === 'dc');
}

/** A group's summary line: its findings by status, and for a domain its DCs and how many have a problem. */
function groupSummary(group: Group): string {
  const dcs = [...group.sections.values()].filter(isDcSection);
  const troubled = dcs.filter((findings) => findings.some((finding) => finding.status !== 'ok')).length;
  const findings = [...group.sections.values()].flat();
  return [
    dcs.length > 0 ? `${dcs.length} DC${dcs.length === 1 ? '' : 's'}, ${troubled} with a problem` : '',
    countByStatus(findings),
  ]
    .filter(Boolean)
    .join('; ');
}

/** The DC a finding names in its text: its host, and the address in brackets after it. */
function dcMention(finding: Finding): RegExp {
  const escaped = targetHost(finding.target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escaped}( \\([^)]*\\))?`, 'g');
}

/** A message or fix with the DC it names replaced. */
function fillDc(text: string, finding: Finding, replacement: string): string {
  return text.replace(dcMention(finding), replacement);
}

/** Appends `finding` to its group. */
function addTo(groups: Map<string, Finding[]>, key: string, finding: Finding): void {
  const group = groups.get(key);
  if (group === undefined) groups.set(key, [finding]);
  else group.push(finding);
}

/** Problems of many DCs that read the same once the DC is taken out of them: one line each. */
function alikeOnDcs(findings: Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const mention = dcMention(finding);
    addTo(
      groups,
      `${finding.check}|${finding.status}|${finding.message.replace(mention, '')}|${finding.remediation.replace(mention, '')}`,
      finding,
    );
  }
  return [...groups.values()].sort((a, b) => b.length - a.length);
}

/** Problems with the same check, status and fix, together: one dead server is one line, not eight. */
function alike(findings: Finding[]): Finding[][] {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = `${finding.check}|${finding.status}|${finding.remediation}|${finding.message.slice(finding.message.indexOf(': '))}`;
    addTo(groups, key, finding);
  }
  return [...groups.values()];
}

function shortName(finding: Finding): string {
  const target = finding.target;
  return target.kind === 'dns' && target.transport !== undefined
    ? `${target.record} over ${target.transport.toUpperCase()}`
    : renderTarget(finding.check, target);
}

/** The checks the line of a healthy DC names one by one; the others are counted as "more ok". */
const DC_SUMMARY_CHECKS: readonly CheckId[] = [
  'port.tcp',
  'port.udp',
  'port.rpc',
  'time.skew',
  'tls.certificate',
  'port.kerberos',
  'dc.locator',
];

/** One line for a healthy DC: its open ports, what answered, its clock and certificates. */
function summariseDc(findings: Finding[]): string | undefined {
  const of = (check: CheckId) => findings.filter((finding) => finding.check === check);
  const ports = (check: CheckId) =>
    of(check)
      .map((finding) => Number(finding.observed['port']))
      .sort((a, b) => a - b)
      .join(' ');
  const parts: string[] = [];
  if (of('port.tcp').length > 0) parts.push(`TCP ${ports('port.tcp')} open`);
  if (of('port.udp').length > 0) parts.push(`UDP ${ports('port.udp')} answered`);
  const rpc = of('port.rpc').map(
    (finding) => `${finding.observed['interface'] as string} ${finding.observed['port'] as number}`,
  );
  if (rpc.length > 0) parts.push(`RPC ${rpc.join(', ')} open`);
  const clock = of('time.skew')[0]?.observed['offset_seconds'];
  if (typeof clock === 'number') parts.push(`clock ${clock >= 0 ? '+' : ''}${clock.toFixed(2)} s`);
  const days = of('tls.certificate')
    .map((finding) => finding.observed['days_left'])
    .filter((value): value is number => typeof value === 'number');
  if (days.length > 0) parts.push(`certificates valid ${Math.min(...days)}+ days`);
  if (of('port.kerberos').length > 0) parts.push('KDC and kpasswd answered');
  const site = of('dc.locator')[0]?.observed['dc_site'];
  if (typeof site === 'string') parts.push(`LDAP ping ok (site ${site})`);
  const rest = findings.length - DC_SUMMARY_CHECKS.reduce((sum, check) => sum + of(check).length, 0);
  if (parts.length === 0) return undefined;
  if (rest > 0) parts.push(`${rest} more ok`);
  return parts.join('; ');
}

function summariseOk(findings: Finding[]): string {
  const dc = summariseDc(findings);
  if (dc !== undefined) return dc;
  const lookups = findings.filter((finding) => finding.check === 'dns.srv' || finding.check === 'dns.address').length;
  const dcLists = findings.filter((finding) => finding.check === 'dns.dc_set').length;
  const rest = findings.filter((finding) => !finding.check.startsWith('dns.'));
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  const names = [...new Set(rest.map((finding) => finding.check.split('.').slice(1).join('.')))].join(', ');
  return [
    lookups > 0 ? `${plural(lookups, 'lookup')} answered` : '',
    dcLists > 0 ? "same DCs as the partner's own DNS" : '',
    rest.length > 0 ? `${plural(rest.length, 'check')} ok: ${names}` : '',
  ]
    .filter(Boolean)
    .join(', ');
}
