// The forest trust scanner (KB5010576, CVE-2022-21857): since the January 2022 update the PDC
// emulator of each forest root queries, every 8 hours, every domain of each forest that trusts
// it, and keeps what it found as scanner-info records in msDS-TrustForestTrustInfo of the trust
// object. Patched DCs enforce the NTLM pass-through protections from those records, so a forest
// trust without them is not protected. Pure: the object, its parsed records, what the rootDSE
// said and the clock come in; one verdict goes out.

import type { ForestTrustInfo, ForestTrustRecord } from './forest-trust-info.js';
import {
  directionName,
  includesInbound,
  netdom,
  TrustAttribute,
  type TrustObject,
  type VerdictStatus,
} from './trust-rules.js';

/**
 * How long a trust (or a domain newly listed in its forest trust info) may go without scanner
 * records before it is a fault: the scan runs every 8 hours and is not triggered by creating a
 * trust (KB5010576 FAQ Q2), and its write then replicates from the PDC to the DC read. Three scan
 * intervals, so one missed scan or a slow replication does not warn.
 */
export const SCANNER_GRACE_MS = 24 * 3_600_000;

/** Samba runs a forest trust scanner (the ft_scanner service, on by default) from 4.23 on. */
const SAMBA_SCANNER_SINCE = { major: 4, minor: 23 };

export type LocalScanner = { runs: true; by: string } | { runs: false; why: string };

/**
 * Whether the DCs of the domain read run a trust scanner, from the rootDSE's vendorVersion asked
 * for by name: Samba answers with its version string ("4.17.12-Debian"); Windows has no such
 * attribute, and every supported Windows DC has had the scanner since the January 2022 update.
 */
export function localScanner(vendorVersion: string | undefined): LocalScanner {
  if (vendorVersion === undefined) return { runs: true, by: 'a Windows DC (its rootDSE has no vendorVersion)' };
  const version = /^(\d+)\.(\d+)/.exec(vendorVersion);
  if (version === null)
    return {
      runs: false,
      why: `the DC names itself "${vendorVersion}" (vendorVersion), not Windows and no Samba version this agent can compare`,
    };
  const major = Number(version[1]);
  const minor = Number(version[2]);
  if (
    major > SAMBA_SCANNER_SINCE.major ||
    (major === SAMBA_SCANNER_SINCE.major && minor >= SAMBA_SCANNER_SINCE.minor)
  ) {
    return { runs: true, by: `Samba ${vendorVersion} (the ft_scanner service)` };
  }
  return {
    runs: false,
    why: `the DC runs Samba ${vendorVersion} (vendorVersion), and Samba has a forest trust scanner only from 4.23 on`,
  };
}

export interface ScannerInput {
  trust: Pick<TrustObject, 'domain' | 'partner' | 'direction' | 'type' | 'attributes'> & {
    whenCreated: Date | undefined;
  };
  /** msDS-TrustForestTrustInfo parsed; undefined when the object has none. */
  info: ForestTrustInfo | undefined;
  /** The rootDSE's vendorVersion; the outer undefined when the rootDSE could not be read. */
  rootDse: { vendorVersion: string | undefined } | undefined;
  /** Whether the partner's object for this trust has selective authentication; undefined when the partner was not read. */
  partnerSelectiveAuth: boolean | undefined;
  now: Date;
}

export interface ScannerVerdict {
  status: VerdictStatus | 'unknown';
  reason: string;
  remediation: string;
  /** The partner's domains the scanner has not recorded (past the grace period). */
  missing: string[];
}

function result(
  status: ScannerVerdict['status'],
  reason: string,
  remediation = '',
  missing: string[] = [],
): ScannerVerdict {
  return { status, reason, remediation, missing };
}

/** DNS names compare case-insensitively, and "wingtip.test." is "wingtip.test". */
function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function formatDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function withinGrace(since: Date | undefined, now: Date): boolean {
  return since !== undefined && now.getTime() - since.getTime() < SCANNER_GRACE_MS;
}

// A domain whose SID the local forest has set aside (disabled by an administrator or a conflict)
// is not asked for: such a domain_info record is not a domain the scanner must cover.
const SID_DISABLED = 0x1 | 0x2;

function causes(input: ScannerInput): string {
  const { domain, partner } = input.trust;
  const selective =
    input.partnerSelectiveAuth === true
      ? `; ${partner} uses selective authentication for this trust, so the PDC needs "Allowed to authenticate" on ${partner}'s DC computer accounts`
      : input.partnerSelectiveAuth === undefined
        ? `; if ${partner} uses selective authentication for this trust, the PDC needs "Allowed to authenticate" on ${partner}'s DC computer accounts`
        : '';
  return `likely causes: the PDC emulator of ${domain}'s forest root cannot reach ${partner}'s DCs on LDAP (TCP and UDP 389), Kerberos (88) or DNS (53), or lacks "Access this computer from the network" on them${selective}`;
}

function fix(input: ScannerInput): string {
  const { domain, partner } = input.trust;
  return `on the PDC emulator of ${domain}'s forest root, fix the cause and run ${netdom(domain, partner, '/InvokeTrustScanner')} (KB5010576 gives this order: local forest first), then read the LSA events in its System log`;
}

/** The verdict on the scanner records of one trust object. */
export function scannerVerdict(input: ScannerInput): ScannerVerdict {
  const { trust, now } = input;
  const { domain, partner } = trust;
  if (trust.direction === 0)
    return result('not_applicable', 'The trust is disabled (trustDirection 0): nothing is scanned.');
  if (trust.type === 3)
    return result(
      'not_applicable',
      'Trust with an MIT Kerberos realm (trustType 3): the scanner queries Active Directory forests only.',
    );
  if (trust.type !== 2)
    return result(
      'not_applicable',
      `trustType ${trust.type}: not an Active Directory forest trust, nothing is scanned.`,
    );
  if ((trust.attributes & TrustAttribute.FOREST_TRANSITIVE) === 0)
    return result(
      'not_applicable',
      'Not a forest trust (no FOREST_TRANSITIVE): the scanner covers forest trusts only.',
    );
  if (!includesInbound(trust.direction)) {
    return result(
      'not_applicable',
      `Outbound-only forest trust (${directionName(trust.direction)}): ${domain} trusts ${partner}, so the scanner records of this trust are kept on ${partner}'s side, which scans ${domain}'s forest.`,
    );
  }
  if (input.rootDse === undefined) {
    return result(
      'unknown',
      `The rootDSE of ${domain}'s DC could not be read, so whether its forest runs a trust scanner is not known.`,
      `let the bind account read the rootDSE of ${domain}'s DC`,
    );
  }
  const scanner = localScanner(input.rootDse.vendorVersion);
  if (!scanner.runs)
    return result('not_applicable', `No trust scanner is expected in ${domain}'s forest: ${scanner.why}.`);
  const info = input.info;
  if (info !== undefined && !info.ok) {
    return result(
      'unknown',
      'msDS-TrustForestTrustInfo does not parse (see trust.forest_info), so its scanner records cannot be read.',
      `see trust.forest_info for ${partner}`,
    );
  }
  const records: ForestTrustRecord[] = info === undefined ? [] : info.records;
  const scanned = records.flatMap((record) => (record.kind === 'scanner_info' ? [record] : []));
  if (scanned.length === 0) {
    if (withinGrace(trust.whenCreated, now)) {
      return result(
        'ok',
        `No scanner records yet, but the trust was created ${formatDate(trust.whenCreated as Date)}, less than ${SCANNER_GRACE_MS / 3_600_000} hours ago: the first scan is pending (it runs every 8 hours, KB5010576).`,
      );
    }
    const created = trust.whenCreated === undefined ? 'at an unknown date' : formatDate(trust.whenCreated);
    return result(
      'warning',
      `No scanner-info records in msDS-TrustForestTrustInfo, though the trust was created ${created} and ${scanner.by} scans every trusting forest every 8 hours (KB5010576): ${partner}'s forest has never been recorded, so NTLM pass-through from it is not checked against its domains; ${causes(input)}.`,
      fix(input),
      [normalizeName(partner)],
    );
  }
  const names = new Set(scanned.flatMap((record) => [normalizeName(record.dnsName), record.netbiosName.toUpperCase()]));
  const missing = records
    .flatMap((record) => (record.kind === 'domain_info' && (record.flags & SID_DISABLED) === 0 ? [record] : []))
    .filter((record) => !names.has(normalizeName(record.dnsName)) && !names.has(record.netbiosName.toUpperCase()))
    .filter((record) => !withinGrace(record.timestamp, now))
    .map((record) => normalizeName(record.dnsName));
  if (missing.length > 0) {
    return result(
      'warning',
      `The scanner has not recorded ${missing.join(', ')}, though ${missing.length > 1 ? 'they are' : 'it is'} listed among ${partner}'s domains in msDS-TrustForestTrustInfo: NTLM pass-through from ${missing.length > 1 ? 'them' : 'it'} is not checked; ${causes(input)}.`,
      fix(input),
      missing,
    );
  }
  // Deliberately no age test: a record's time is "when this entry was created" (MS-LSAD 2.2.7.21),
  // and a scanner rewrites nothing while the partner's domains stay the same.
  return result(
    'ok',
    `The scanner has recorded ${partner}'s forest: ${scanned.map((record) => normalizeName(record.dnsName)).join(', ')} (${scanner.by}).`,
  );
}
