// Turns what the domains said over LDAP into findings: the inventory, expected against
// actual, the two sides of each trust against each other, password age, the spec's
// verdicts, forest trust names, trust paths and accounts without pre-authentication.
// Pure: the reads and the clock come in, findings and measurements go out.

import { finding, type Finding, type Status, type Target } from '../model/finding.js';
import type { Measurement } from '../model/measurement.js';
import type { ProbeOutput } from '../model/probe.js';
import type { ExpectedTrust, LdapServer, LdapTargets } from '../model/targets.js';
import type { DomainRead, TrustAccount, TrustRecord } from './domain-read.js';
import {
  disabledNames,
  parseForestTrustInfo,
  predictCollisions,
  scannerValidationDisabled,
} from './forest-trust-info.js';
import { describePath, pathFinderSteps, runSteps, type Steps, type TrustEdge, type TrustGraph } from './trust-paths.js';
import {
  createFix,
  namesuffixes,
  passwordResetFix,
  recreateFix,
  refreshNames,
  verifyFix,
} from './trust-remediation.js';
import { scannerVerdict } from './trust-scanner.js';
import {
  attributeNames,
  directionName,
  encryptionTypeNames,
  includesInbound,
  includesOutbound,
  isTransitive,
  mirrorDirection,
  TrustAttribute,
  trustKind,
  trustTypeName,
  trustVerdicts,
} from './trust-rules.js';

type Read = Extract<DomainRead, { ok: true }>;

const DAY = 86_400_000;

function formatDate(date: Date | undefined): string {
  // toISOString always ends in .sssZ; slicing is cheaper than a pattern, once per date of every trust.
  return date === undefined ? 'unknown' : `${date.toISOString().slice(0, -5)}Z`;
}

// ---- binds ----

/** The LDAP server a read went to, as its URL names it (`host` or `host:port`): a label, not split further. */
function serverTarget(read: DomainRead): Target {
  return { kind: 'host', host: read.server };
}
const BIND_REMEDIATION: Record<string, (ldap: LdapServer, server: string) => string> = {
  'wrong credentials': (ldap) =>
    `check the password in password_file or password_env for ${ldap.bindDn}, and that the account exists`,
  'account disabled': (ldap) => `enable ${ldap.bindDn} (Enable-ADAccount)`,
  'account locked': (ldap) => `unlock ${ldap.bindDn} (Unlock-ADAccount) and find what locked it`,
  'account expired': (ldap) => `extend the expiry of ${ldap.bindDn}`,
  'password expired': (ldap) => `set a new password for ${ldap.bindDn} and update password_file or password_env`,
  'certificate name mismatch': (_ldap, server) =>
    `use the DC's host name as it appears in its certificate in ldap.url (not ${server}'s address), or set ldap.server_name`,
  'untrusted certificate': () => "set ldap.ca_file to the CA certificate that issued the DC's LDAPS certificate",
  'certificate expired': (_ldap, server) => `renew the LDAPS certificate of ${server}`,
  'TLS required': () => 'use ldaps:// or keep starttls: true',
  refused: (_ldap, server) => `check that the DC ${server} runs and that its LDAP port is open from this host`,
  unreachable: (_ldap, server) => `check the name and route to ${server} from this host`,
  timeout: (_ldap, server) =>
    `allow the LDAP port from this host to ${server}, and check that the DC answers (a hung DC accepts connections but answers nothing)`,
  'ca_file unreadable': (ldap) => `make ${ldap.ca?.file ?? 'ca_file'} readable by the agent`,
  'not retried': (ldap) =>
    `fix the password of ${ldap.bindDn} (or unlock the account); the agent binds again once password_file, password_env or the config changes`,
  'protocol violation': (_ldap, server) =>
    `check what answers on the LDAP port of ${server}: it is not behaving as a directory server (a proxy, another service, or an attack)`,
  'limit exceeded': () =>
    'if the directory really holds that many, raise the bound named above under limits: in the config',
  error: (_ldap, server) => `check the LDAP service of ${server}; the message above has the details`,
};

function bindFindings(targets: LdapTargets, reads: DomainRead[]): { findings: Finding[]; measurements: Measurement[] } {
  const findings: Finding[] = [];
  const measurements: Measurement[] = [];
  for (const read of reads) {
    const ldap = targets.servers.find((server) => server.domain === read.domain);
    if (ldap === undefined) continue;
    measurements.push({
      kind: 'ldap_bind',
      domain: read.domain,
      server: read.server,
      success: read.ok || read.afterBind === true,
      seconds: read.seconds,
    });
    if (!read.ok && read.afterBind === true) {
      // The bind worked; what failed is the read after it, so nothing of the domain was analysed.
      const fix = BIND_REMEDIATION[read.failure] ?? BIND_REMEDIATION['error'];
      findings.push(
        finding({
          check: 'ldap.bind',
          status: 'ok',
          domain: read.domain,
          target: serverTarget(read),
          message: `bound to ${read.server} as ${ldap.bindDn}`,
          observed: { seconds: Number(read.seconds.toFixed(3)) },
        }),
      );
      findings.push(
        finding({
          check: 'ldap.read',
          status: 'critical',
          domain: read.domain,
          target: serverTarget(read),
          message: `bound to ${read.server}, but reading ${read.domain} failed (${read.failure}): ${read.detail}; its trusts were not analysed`,
          remediation: fix?.(ldap, read.server) ?? '',
          observed: {
            failure: read.failure,
            detail: read.detail,
            ...(read.limit === undefined ? {} : { limit: read.limit.key, limit_value: read.limit.value }),
          },
        }),
      );
    } else if (read.ok) {
      findings.push(
        finding({
          check: 'ldap.bind',
          status: 'ok',
          domain: read.domain,
          target: serverTarget(read),
          message: `bound to ${read.server} as ${ldap.bindDn} and read the domain in ${read.seconds.toFixed(2)}s`,
          remediation: '',
          observed: { seconds: Number(read.seconds.toFixed(3)) },
        }),
      );
      for (const problem of read.problems) {
        findings.push(
          finding({
            check: 'ldap.read',
            status: 'warning',
            domain: read.domain,
            target: serverTarget(read),
            message: `${read.server}: ${problem}`,
            remediation: `grant ${ldap.bindDn} read access, or check the DC`,
            observed: { problem },
          }),
        );
      }
    } else {
      const fix = BIND_REMEDIATION[read.failure] ?? BIND_REMEDIATION['error'];
      findings.push(
        finding({
          check: 'ldap.bind',
          status: 'critical',
          domain: read.domain,
          target: serverTarget(read),
          message: `cannot bind to ${read.server} as ${ldap.bindDn}: ${read.failure} (${read.detail})`,
          remediation: fix?.(ldap, read.server) ?? '',
          observed: {
            failure: read.failure,
            detail: read.detail,
          },
        }),
      );
    }
  }
  return { findings, measurements };
}

// ---- one trust object ----

function kindLabel(trust: TrustRecord): string {
  return `${trustKind(trust).replace('_', ' ')}, ${directionName(trust.direction)}, ${isTransitive(trust) ? 'transitive' : 'non-transitive'}`;
}

/** The partner's domains whose scanner-info record turns authentication target validation off. */
function scannerDisabledOf(trust: TrustRecord): string[] {
  if (trust.forestTrustInfo === undefined || (trust.attributes & TrustAttribute.FOREST_TRANSITIVE) === 0) return [];
  const info = parseForestTrustInfo(trust.forestTrustInfo);
  // A blob that does not parse is reported by trust.forest_info; its records prove nothing here.
  return info.ok ? scannerValidationDisabled(info.records) : [];
}

function inventoryFindings(read: Read): { findings: Finding[]; measurements: Measurement[] } {
  const findings: Finding[] = [];
  const measurements: Measurement[] = [];
  for (const trust of read.trusts) {
    const attributes = attributeNames(trust.attributes);
    const encryption = encryptionTypeNames(trust.encryptionTypes);
    findings.push(
      finding({
        check: 'trust.inventory',
        status: 'ok',
        domain: trust.domain,
        target: { kind: 'host', host: trust.partner },
        message: `${trust.domain} -> ${trust.partner}: ${kindLabel(trust)}; attributes ${attributes.join(', ') || 'none'}; encryption ${encryption.join(', ') || 'unset'}; created ${formatDate(trust.whenCreated)}, changed ${formatDate(trust.whenChanged)}`,
        remediation: '',
        observed: {
          partner_domain: trust.partner,
          flat_name: trust.flatName,
          sid: trust.sid ?? null,
          direction: directionName(trust.direction),
          trust_type: trustTypeName(trust.type),
          kind: trustKind(trust),
          transitive: isTransitive(trust),
          attributes,
          encryption_types: encryption,
          when_created: formatDate(trust.whenCreated),
          when_changed: formatDate(trust.whenChanged),
        },
      }),
    );
    measurements.push({
      kind: 'trust_info',
      domain: trust.domain,
      partnerDomain: trust.partner,
      direction: directionName(trust.direction),
      trustType: trustTypeName(trust.type),
      trustKind: trustKind(trust),
      transitive: isTransitive(trust),
      attributes: attributes.join(','),
    });
    for (const verdict of trustVerdicts(trust, { scannerValidationDisabled: scannerDisabledOf(trust) })) {
      const status: Status = verdict.status === 'not_applicable' ? 'ok' : verdict.status;
      const prefix = verdict.status === 'not_applicable' ? 'not applicable: ' : '';
      findings.push(
        finding({
          check: verdict.check,
          status,
          domain: trust.domain,
          target: { kind: 'host', host: trust.partner },
          message: `${trust.domain} -> ${trust.partner}: ${prefix}${verdict.reason}`,
          remediation: verdict.remediation,
          observed: { partner_domain: trust.partner, verdict: verdict.status },
        }),
      );
    }
  }
  return { findings, measurements };
}

const accountIndexes = new WeakMap<TrustAccount[], Map<string, TrustAccount>>();

/** The first trust account of a read with this name (in upper case): one lookup, not a scan per trust. */
function trustAccountNamed(read: Read, upperName: string): TrustAccount | undefined {
  let index = accountIndexes.get(read.trustAccounts);
  if (index === undefined) {
    index = new Map();
    for (const account of read.trustAccounts) {
      const name = account.name.toUpperCase();
      if (!index.has(name)) index.set(name, account);
    }
    accountIndexes.set(read.trustAccounts, index);
  }
  return index.get(upperName);
}

/** pwdLastSet of the trust account, else the replication metadata of trustAuth*, else whenChanged. */
export function passwordLastSet(trust: TrustRecord, read: Read): { at: Date; source: string } | undefined {
  if (includesInbound(trust.direction)) {
    const account = trustAccountNamed(read, `${trust.flatName.toUpperCase()}$`);
    if (account?.pwdLastSet !== undefined)
      return { at: account.pwdLastSet, source: `pwdLastSet of the trust account ${account.name}` };
  }
  const changed = trust.trustAuthChanged;
  const fromMetadata = [changed?.outgoing, changed?.incoming]
    .filter((date): date is Date => date !== undefined)
    .sort((a, b) => b.getTime() - a.getTime())[0];
  if (fromMetadata !== undefined)
    return { at: fromMetadata, source: 'replication metadata of trustAuthIncoming/trustAuthOutgoing' };
  if (trust.whenChanged !== undefined)
    return { at: trust.whenChanged, source: 'whenChanged of the trust object (last resort)' };
  return undefined;
}

function passwordFindings(
  targets: LdapTargets,
  read: Read,
  now: Date,
): { findings: Finding[]; measurements: Measurement[] } {
  const findings: Finding[] = [];
  const measurements: Measurement[] = [];
  for (const trust of read.trusts) {
    const last = passwordLastSet(trust, read);
    if (last === undefined) {
      findings.push(
        finding({
          check: 'trust.password_age',
          status: 'unknown',
          domain: trust.domain,
          target: { kind: 'host', host: trust.partner },
          message: `${trust.domain} -> ${trust.partner}: no date of the last trust password change is readable`,
          remediation: `grant the bind account read access to the trust object and the ${trust.flatName}$ account`,
        }),
      );
      continue;
    }
    measurements.push({
      kind: 'trust_password',
      domain: trust.domain,
      partnerDomain: trust.partner,
      lastSet: last.at,
      source: last.source,
    });
    const age = now.getTime() - last.at.getTime();
    const days = Math.floor(age / DAY);
    const status: Status =
      age >= targets.trustPasswordCriticalMs ? 'critical' : age >= targets.trustPasswordWarningMs ? 'warning' : 'ok';
    findings.push(
      finding({
        check: 'trust.password_age',
        status,
        domain: trust.domain,
        target: { kind: 'host', host: trust.partner },
        message: `${trust.domain} -> ${trust.partner}: trust password last changed ${formatDate(last.at)}, ${days} day(s) ago (${last.source})`,
        remediation: `the trusting side's PDC emulator changes it every 30 days: check its netlogon and the secure channel (nltest /sc_verify:${trust.partner}); ${passwordResetFix(trust)}`,
        observed: {
          partner_domain: trust.partner,
          last_set: formatDate(last.at),
          age_days: days,
          source: last.source,
        },
      }),
    );
  }
  return { findings, measurements };
}

/**
 * The trust objects whose partner is a domain that was read, by the domain holding them and
 * their partner, in the order the directory returned them (a directory may hold two for one
 * partner): the other side of a trust in constant time. Only those are ever asked for, and
 * there are a handful of them however many trusts a directory holds; built in steps.
 */
type Sides = Map<string, Map<string, TrustRecord[]>>;

function* sidesSteps(reads: Map<string, Read>): Steps<Sides> {
  const sides: Sides = new Map();
  for (const read of reads.values()) {
    const byPartner = new Map<string, TrustRecord[]>();
    let count = 0;
    for (const trust of read.trusts) {
      if (reads.has(trust.partner)) {
        const known = byPartner.get(trust.partner);
        if (known === undefined) byPartner.set(trust.partner, [trust]);
        else known.push(trust);
      }
      if (++count % TRUSTS_PER_PASS_STEP === 0) yield;
    }
    sides.set(read.domain, byPartner);
  }
  return sides;
}

/** The first trust object `domain` holds for `partner` (as Array.find would give), if both were read. */
function firstSide(sides: Sides, domain: string, partner: string): TrustRecord | undefined {
  return sides.get(domain)?.get(partner)?.[0];
}

function scannerFindings(read: Read, sides: Sides, now: Date): Finding[] {
  const findings: Finding[] = [];
  for (const trust of read.trusts) {
    if ((trust.attributes & TrustAttribute.FOREST_TRANSITIVE) === 0) continue;
    const partnerSide = sides.get(trust.partner)?.get(read.domain)?.at(-1);
    const verdict = scannerVerdict({
      trust,
      info: trust.forestTrustInfo === undefined ? undefined : parseForestTrustInfo(trust.forestTrustInfo),
      rootDse: read.rootDse,
      partnerSelectiveAuth:
        partnerSide === undefined ? undefined : (partnerSide.attributes & TrustAttribute.CROSS_ORGANIZATION) !== 0,
      now,
    });
    const status: Status = verdict.status === 'not_applicable' ? 'ok' : verdict.status;
    const prefix = verdict.status === 'not_applicable' ? 'not applicable: ' : '';
    findings.push(
      finding({
        check: 'trust.scanner',
        status,
        domain: trust.domain,
        target: { kind: 'host', host: trust.partner },
        message: `${trust.domain} -> ${trust.partner}: ${prefix}${verdict.reason}`,
        remediation: verdict.remediation,
        observed: {
          partner_domain: trust.partner,
          verdict: verdict.status,
          missing: verdict.missing,
        },
      }),
    );
  }
  return findings;
}

function forestInfoFindings(read: Read): Finding[] {
  const findings: Finding[] = [];
  for (const trust of read.trusts) {
    if ((trust.attributes & TrustAttribute.FOREST_TRANSITIVE) === 0) continue;
    const target: Target = { kind: 'host', host: trust.partner };
    if (trust.forestTrustInfo === undefined) {
      findings.push(
        finding({
          check: 'trust.forest_info',
          status: 'warning',
          domain: trust.domain,
          target,
          message: `${trust.domain} -> ${trust.partner}: forest trust without msDS-TrustForestTrustInfo: Kerberos cannot route names of ${trust.partner} across it`,
          remediation: refreshNames(trust.domain, trust.partner),
        }),
      );
      continue;
    }
    const info = parseForestTrustInfo(trust.forestTrustInfo);
    if (!info.ok) {
      findings.push(
        finding({
          check: 'trust.forest_info',
          status: 'warning',
          domain: trust.domain,
          target,
          message: `${trust.domain} -> ${trust.partner}: msDS-TrustForestTrustInfo does not parse: ${info.error}`,
          remediation: refreshNames(trust.domain, trust.partner),
          observed: { error: info.error },
        }),
      );
      continue;
    }
    const disabled = disabledNames(info.records);
    const names = info.records.flatMap((record) => (record.kind === 'tln' ? [record.name] : []));
    findings.push(
      finding({
        check: 'trust.forest_info',
        status: disabled.length > 0 ? 'warning' : 'ok',
        domain: trust.domain,
        target,
        message:
          disabled.length > 0
            ? `${trust.domain} -> ${trust.partner}: names of the partner disabled: ${disabled.join('; ')}`
            : `${trust.domain} -> ${trust.partner}: routes ${names.join(', ') || 'no name'}`,
        remediation: `list the name suffixes of ${trust.partner} with ${namesuffixes(trust.domain, trust.partner)}, then enable a disabled one with ${namesuffixes(trust.domain, trust.partner)} /togglesuffix:<number> (run the listing right before: the numbers can change), or resolve the conflict`,
        observed: {
          partner_domain: trust.partner,
          top_level_names: names,
          disabled,
        },
      }),
    );
    const collisions = predictCollisions(info.records, read.localNames);
    findings.push(
      finding({
        check: 'trust.name_collision',
        status: collisions.length > 0 ? 'warning' : 'ok',
        domain: trust.domain,
        target,
        message:
          collisions.length > 0
            ? `${trust.partner} claims names that collide with ${trust.domain}'s own: ${collisions.map((c) => `${c.partnerName} vs ${c.localName} (${c.relation.replaceAll('_', ' ')})`).join('; ')}`
            : `no name of ${trust.partner} collides with ${trust.domain}'s names and UPN suffixes`,
        remediation: `rename or exclude the colliding suffix (a TLN exclusion on the trust, or remove the UPN suffix) before the names are enabled`,
        observed: {
          partner_domain: trust.partner,
          collisions: collisions.map((c) => ({ partner: c.partnerName, local: c.localName, relation: c.relation })),
        },
      }),
    );
  }
  return findings;
}

// ---- the configured trusts against what was found ----

interface ExpectedSide {
  domain: string;
  partner: string;
  direction: number;
  trust: ExpectedTrust;
}

function expectedSides(trust: ExpectedTrust): ExpectedSide[] {
  const both = 3;
  return [
    { domain: trust.trusting, partner: trust.trusted, direction: trust.twoWay ? both : 2, trust },
    { domain: trust.trusted, partner: trust.trusting, direction: trust.twoWay ? both : 1, trust },
  ];
}

function kindMatches(trust: TrustRecord, expected: ExpectedTrust['type']): boolean {
  return trustKind(trust) === expected;
}

function expectedFindings(
  targets: LdapTargets,
  reads: Map<string, Read>,
): { findings: Finding[]; measurements: Measurement[] } {
  const findings: Finding[] = [];
  const measurements: Measurement[] = [];
  for (const trust of targets.trusts) {
    for (const side of expectedSides(trust)) {
      const read = reads.get(side.domain);
      if (read === undefined) continue;
      const found = read.trusts.find((candidate) => candidate.partner === side.partner);
      measurements.push({
        kind: 'trust_present',
        domain: side.domain,
        partnerDomain: side.partner,
        present: found !== undefined,
      });
      const want = `${trust.type}, ${directionName(side.direction)}`;
      if (found === undefined) {
        findings.push(
          finding({
            check: 'trust.expected',
            status: 'critical',
            domain: side.domain,
            target: { kind: 'host', host: side.partner },
            message: `${side.domain} has no trust object for ${side.partner} (expected ${want})`,
            remediation: createFix(trust),
            observed: { partner_domain: side.partner, expected: want },
          }),
        );
        continue;
      }
      const got = `${trustKind(found).replace('_', ' ')}, ${directionName(found.direction)}`;
      const same = found.direction === side.direction && kindMatches(found, trust.type);
      findings.push(
        finding({
          check: 'trust.expected',
          status: same ? 'ok' : 'critical',
          domain: side.domain,
          target: { kind: 'host', host: side.partner },
          message: same
            ? `${side.domain} -> ${side.partner}: ${got}, as configured`
            : `${side.domain} -> ${side.partner}: found ${got}, expected ${want}`,
          remediation: `${recreateFix(trust)}; or correct the config if the change is intended`,
          observed: {
            partner_domain: side.partner,
            expected: want,
            found: got,
          },
        }),
      );
    }
  }
  return { findings, measurements };
}

/** Trust objects of one read (a slice of its trusts) that the config does not list. */
function unexpectedFindings(targets: LdapTargets, read: Read): ProbeOutput {
  const configured = new Set(
    targets.trusts.flatMap((trust) => [`${trust.trusting} ${trust.trusted}`, `${trust.trusted} ${trust.trusting}`]),
  );
  const findings: Finding[] = [];
  for (const trust of read.trusts) {
    if (configured.has(`${trust.domain} ${trust.partner}`)) continue;
    findings.push(
      finding({
        check: 'trust.unexpected',
        status: 'ok',
        domain: trust.domain,
        target: { kind: 'host', host: trust.partner },
        message: `${trust.domain} -> ${trust.partner}: ${kindLabel(trust)} trust found that the config does not list`,
        remediation: '',
        observed: { partner_domain: trust.partner },
      }),
    );
  }
  return { findings, measurements: [] };
}

/** The differences between two sides of one trust, in words; empty when they agree. */
export function sideDifferences(
  mine: TrustRecord | undefined,
  theirs: TrustRecord | undefined,
  myRead: Read,
  theirRead: Read,
): string[] {
  if (mine === undefined && theirs === undefined) return [];
  if (mine === undefined)
    return [
      `${myRead.domain} has no trust object for ${theirRead.domain}, but ${theirRead.domain} has one (${directionName(theirs?.direction ?? 0)})`,
    ];
  if (theirs === undefined)
    return [
      `${theirRead.domain} has no trust object for ${myRead.domain}, but ${myRead.domain} has one (${directionName(mine.direction)})`,
    ];
  const differences: string[] = [];
  if (mine.direction !== mirrorDirection(theirs.direction)) {
    differences.push(
      `directions do not mirror: ${myRead.domain} says ${directionName(mine.direction)}, ${theirRead.domain} says ${directionName(theirs.direction)}`,
    );
  }
  if (trustKind(mine) !== trustKind(theirs))
    differences.push(
      `types differ: ${trustKind(mine)} on ${myRead.domain}, ${trustKind(theirs)} on ${theirRead.domain}`,
    );
  else if (
    (mine.attributes & TrustAttribute.FOREST_TRANSITIVE) !==
    (theirs.attributes & TrustAttribute.FOREST_TRANSITIVE)
  )
    differences.push('only one side has FOREST_TRANSITIVE');
  for (const [side, read] of [
    [mine, myRead],
    [theirs, theirRead],
  ] as const) {
    if (!includesInbound(side.direction)) continue;
    const account = `${side.flatName.toUpperCase()}$`;
    if (trustAccountNamed(read, account) === undefined)
      differences.push(`${read.domain} lacks the trust account ${account} its inbound direction needs`);
  }
  return differences;
}

function mirrorDirectionOf(trust: TrustRecord | undefined): number | undefined {
  return trust === undefined ? undefined : mirrorDirection(trust.direction);
}

function consistencyFindings(
  reads: Map<string, Read>,
  sides: Sides,
): { findings: Finding[]; measurements: Measurement[] } {
  const findings: Finding[] = [];
  const measurements: Measurement[] = [];
  for (const read of reads.values()) {
    // The partners that were read, in the order of this domain's trust objects, then the
    // read domains that hold a trust object for this one.
    const partners = new Set(sides.get(read.domain)?.keys());
    for (const other of reads.values())
      if (sides.get(other.domain)?.has(read.domain) === true) partners.add(other.domain);
    for (const partner of partners) {
      const theirRead = reads.get(partner);
      if (theirRead === undefined) continue;
      const mine = firstSide(sides, read.domain, partner);
      const theirs = firstSide(sides, partner, read.domain);
      const differences = sideDifferences(mine, theirs, read, theirRead);
      measurements.push({
        kind: 'trust_consistent',
        domain: read.domain,
        partnerDomain: partner,
        consistent: differences.length === 0,
      });
      findings.push(
        finding({
          check: 'trust.consistent',
          status: differences.length === 0 ? 'ok' : 'critical',
          domain: read.domain,
          target: { kind: 'host', host: partner },
          message:
            differences.length === 0
              ? `${read.domain} and ${partner} agree on their trust`
              : `${read.domain} and ${partner} disagree: ${differences.join('; ')}`,
          remediation: `the two trust objects must mirror each other: ${verifyFix(read.domain, partner, mine?.direction ?? mirrorDirectionOf(theirs))} shows the broken side; re-create it, or run samba-tool domain trust delete and create on both sides`,
          observed: {
            partner_domain: partner,
            differences,
          },
        }),
      );
    }
  }
  return { findings, measurements };
}

// ---- paths ----

/** A trust counts only if every readable side of it says so. */
export function trustGraph(targets: LdapTargets, reads: Map<string, Read>): TrustGraph {
  return runSteps(trustGraphSteps(targets, reads));
}

function* trustGraphSteps(targets: LdapTargets, reads: Map<string, Read>): Steps<TrustGraph> {
  // Every edge once, in the order it was first claimed. The domain that claims an edge is
  // always one of its ends. An edge between two read domains counts only if each claims it:
  // keyed by both ends (the first one's length first, so that no two pairs of names share a
  // key), two flags say which did. Any other edge has one read end, the only domain that can
  // claim it, and is told apart by its other end and its direction, per claiming domain: a
  // name the read already holds, where a key and a record per edge would cost the young
  // generation three objects per trust (the garbage collector's pauses grow with them).
  const edges: TrustEdge[] = [];
  const betweenRead = new Map<string, { edge: TrustEdge; byTrusting: boolean; byTrusted: boolean }>();
  for (const read of reads.values()) {
    // The directions already claimed towards each unread domain: 1 trusting it, 2 trusted by it.
    const claimed = new Map<string, number>();
    const claim = (trusting: string, trusted: string, kind: TrustEdge['kind']): void => {
      const other = trusting === read.domain ? trusted : trusting;
      if (!reads.has(other)) {
        const direction = trusting === read.domain ? 1 : 2;
        const seen = claimed.get(other) ?? 0;
        if ((seen & direction) === 0) {
          claimed.set(other, seen | direction);
          edges.push({ trusting, trusted, kind });
        }
        return;
      }
      const key = `${trusting.length}:${trusting}${trusted}`;
      const entry = betweenRead.get(key);
      if (entry === undefined) {
        const edge = { trusting, trusted, kind };
        betweenRead.set(key, { edge, byTrusting: read.domain === trusting, byTrusted: read.domain === trusted });
        edges.push(edge);
      } else {
        entry.byTrusting ||= read.domain === trusting;
        entry.byTrusted ||= read.domain === trusted;
      }
    };
    let count = 0;
    for (const trust of read.trusts) {
      if (includesOutbound(trust.direction)) claim(read.domain, trust.partner, trustKind(trust));
      if (includesInbound(trust.direction)) claim(trust.partner, read.domain, trustKind(trust));
      if (++count % TRUSTS_PER_STEP === 0) yield;
    }
  }
  const unconfirmed = new Set<TrustEdge>();
  for (const { edge, byTrusting, byTrusted } of betweenRead.values())
    if (!byTrusting || !byTrusted) unconfirmed.add(edge);
  const counted: TrustEdge[] = [];
  let count = 0;
  for (const edge of edges) {
    if (!unconfirmed.has(edge)) counted.push(edge);
    if (++count % TRUSTS_PER_PASS_STEP === 0) yield;
  }
  return { edges: counted, forestOf: forestLookup(targets.forests) };
}

/**
 * Forest root by domain, from the config. A function of its own: a closure made inside
 * trustGraphSteps would share its scope with its claims, and so keep them alive as long as
 * the graph.
 */
function forestLookup(forests: LdapTargets['forests']): TrustGraph['forestOf'] {
  // Own keys only: a partner named by the directory ("constructor") must not find Object's properties.
  return (domain) => (Object.hasOwn(forests, domain) ? (forests[domain] ?? domain) : domain);
}

function* pathFindings(targets: LdapTargets, reads: Map<string, Read>): Steps<ProbeOutput> {
  const findings: Finding[] = [];
  const measurements: Measurement[] = [];
  if (reads.size === 0) return { findings, measurements };
  const domains = [
    ...new Set([...reads.keys(), ...targets.trusts.flatMap((trust) => [trust.trusting, trust.trusted])]),
  ].sort();
  const graph = yield* trustGraphSteps(targets, reads);
  const findPath = yield* pathFinderSteps(graph, domains);
  const expected = new Set(
    targets.trusts.flatMap((trust) => [
      `${trust.trusted} ${trust.trusting}`,
      ...(trust.twoWay ? [`${trust.trusting} ${trust.trusted}`] : []),
    ]),
  );
  for (const from of domains) {
    for (const to of domains) {
      if (from === to) continue;
      const result = findPath(from, to);
      measurements.push({ kind: 'trust_path', fromDomain: from, toDomain: to, available: result.available });
      const wanted = expected.has(`${from} ${to}`);
      const status: Status = wanted && !result.available ? 'critical' : 'ok';
      const message = result.available
        ? `users of ${from} can authenticate to ${to}: ${result.hops.length - 1} referral step(s)`
        : `users of ${from} cannot authenticate to ${to}${wanted ? ', though the config expects it' : ''}: ${result.reason}`;
      findings.push(
        finding({
          check: 'trust.path',
          status,
          domain: from,
          target: { kind: 'path', from, to },
          message,
          remediation: `see probe path ${from} ${to}; fix the trust objects reported by trust.expected and trust.consistent`,
          observed: {
            from_domain: from,
            to_domain: to,
            available: result.available,
            chain: describePath(from, to, result),
          },
        }),
      );
    }
  }
  return { findings, measurements };
}

// ---- pre-authentication ----

function preauthFindings(targets: LdapTargets, read: Read): { findings: Finding[]; measurements: Measurement[] } {
  const allowed = new Set(targets.preauthAllow.map((entry) => entry.toLowerCase()));
  const privileged = read.preauth.filter((account) => account.privileged);
  const unexpected = read.preauth.filter(
    (account) => !account.privileged && !allowed.has(`${read.domain}/${account.name.toLowerCase()}`),
  );
  const permitted = read.preauth.filter(
    (account) => !account.privileged && allowed.has(`${read.domain}/${account.name.toLowerCase()}`),
  );
  const list = (accounts: typeof read.preauth): string =>
    accounts.map((account) => `${account.name} (${account.kind})`).join(', ');
  const fix =
    'clear "Do not require Kerberos preauthentication" (Set-ADAccountControl -DoesNotRequirePreAuth $false); such accounts hand out crackable AS-REPs';
  const findings: Finding[] = [
    // Targets name the domain, never an account: targets become metric labels.
    finding({
      check: 'preauth.privileged',
      status: privileged.length > 0 ? 'critical' : 'ok',
      domain: read.domain,
      target: { kind: 'host', host: read.domain },
      message:
        privileged.length > 0
          ? `${privileged.length} privileged account(s) (adminCount=1) without Kerberos pre-authentication: ${list(privileged)}`
          : 'no privileged account without Kerberos pre-authentication',
      remediation: fix,
      observed: { count: privileged.length },
    }),
    finding({
      check: 'preauth.unexpected',
      status: unexpected.length > 0 ? 'warning' : 'ok',
      domain: read.domain,
      target: { kind: 'host', host: read.domain },
      message:
        unexpected.length > 0
          ? `${unexpected.length} enabled account(s) without Kerberos pre-authentication, not on preauth.allow: ${list(unexpected)}`
          : `no unexpected account without Kerberos pre-authentication${permitted.length > 0 ? ` (${permitted.length} allowed: ${list(permitted)})` : ''}`,
      remediation: `${fix}, or add domain/account to preauth.allow if it must stay`,
      observed: { count: unexpected.length, allowed: permitted.length },
    }),
  ];
  return {
    findings,
    measurements: [
      {
        kind: 'preauth',
        domain: read.domain,
        accounts: read.preauth.length,
        unexpected: unexpected.length,
        privileged: privileged.length,
      },
    ],
  };
}

/** Trusts analysed in one step; the ldap family lets the event loop turn between steps. */
const TRUSTS_PER_STEP = 25;
/** Trusts looked at in one step of a pass that only indexes them (a lookup or two each). */
const TRUSTS_PER_PASS_STEP = 2000;

/**
 * The analysis as a sequence of small parts of its output, in the report's order, with
 * undefined where a long part pauses. Pure: the ldap family runs it step by step, letting
 * the event loop turn between steps, so that a directory with tens of thousands of trusts
 * never blocks the agent for long (issue 15).
 */
export function* analysisSteps(
  targets: LdapTargets,
  results: DomainRead[],
  now: Date,
): Generator<ProbeOutput | undefined> {
  const reads = new Map(results.filter((read): read is Read => read.ok).map((read) => [read.domain, read]));
  yield bindFindings(targets, results);
  yield expectedFindings(targets, reads);
  for (const read of reads.values()) {
    for (let start = 0; start < read.trusts.length; start += TRUSTS_PER_STEP)
      yield unexpectedFindings(targets, { ...read, trusts: read.trusts.slice(start, start + TRUSTS_PER_STEP) });
  }
  const sides = yield* sidesSteps(reads);
  yield consistencyFindings(reads, sides);
  yield yield* pathFindings(targets, reads);
  const perTrust: ((read: Read) => ProbeOutput)[] = [
    inventoryFindings,
    (read) => passwordFindings(targets, read, now),
    (read) => ({ findings: [...forestInfoFindings(read), ...scannerFindings(read, sides, now)], measurements: [] }),
  ];
  for (const read of reads.values()) {
    for (const part of perTrust) {
      for (let start = 0; start < read.trusts.length; start += TRUSTS_PER_STEP)
        yield part({ ...read, trusts: read.trusts.slice(start, start + TRUSTS_PER_STEP) });
    }
    yield preauthFindings(targets, read);
  }
}

export function analyseTrusts(targets: LdapTargets, results: DomainRead[], now: Date): ProbeOutput {
  const output: ProbeOutput = { findings: [], measurements: [] };
  for (const part of analysisSteps(targets, results, now)) if (part !== undefined) appendOutput(output, part);
  return output;
}

/** Appends one part to an output in place (a loop: spreading 100,000 items overflows the stack). */
function appendOutput(output: ProbeOutput, part: ProbeOutput): void {
  for (const item of part.findings) output.findings.push(item);
  for (const item of part.measurements) output.measurements.push(item);
}
