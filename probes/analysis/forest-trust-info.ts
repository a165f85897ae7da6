// msDS-TrustForestTrustInfo (MS-ADTS 6.1.6.9.3): the namespaces a forest trust routes to the
// partner forest. The blob comes from a directory we do not control, so the parser is pure,
// never throws, never trusts a length field and never allocates more than the input size:
// every length is checked against the bytes that are actually there before it is used.

export type ForestTrustRecord =
  | { kind: 'tln'; flags: number; timestamp: Date | undefined; name: string }
  | { kind: 'tln_exclusion'; flags: number; timestamp: Date | undefined; name: string }
  | {
      kind: 'domain_info';
      flags: number;
      timestamp: Date | undefined;
      sid: string | undefined;
      dnsName: string;
      netbiosName: string;
    }
  | { kind: 'binary'; flags: number; timestamp: Date | undefined; data: Buffer }
  | {
      kind: 'scanner_info';
      flags: number;
      timestamp: Date | undefined;
      subType: number;
      sid: string | undefined;
      dnsName: string;
      netbiosName: string;
    }
  /** A record type this parser does not know; `length` is its record length field. */
  | { kind: 'unknown'; recordType: number; flags: number; timestamp: Date | undefined; length: number };

/**
 * On failure, `records` holds the records parsed before the error, and `error` names the
 * failing record by its index in that list (0-based, so it equals `records.length`).
 */
export type ForestTrustInfo =
  | { ok: true; version: number; records: ForestTrustRecord[] }
  | { ok: false; error: string; version: number | undefined; records: ForestTrustRecord[] };

export interface NameCollision {
  partnerName: string;
  localName: string;
  relation: 'same' | 'partner_covers_local' | 'local_covers_partner';
}

const HEADER_SIZE = 8;
const LENGTH_FIELD_SIZE = 4;
/** flags (4) + timestamp (8) + record type (1): what every record holds before its data. */
const FIXED_FIELDS_SIZE = 13;
const SUPPORTED_VERSION = 1;

const RECORD_KINDS: Readonly<Record<number, string>> = {
  0: 'tln',
  1: 'tln_exclusion',
  2: 'domain_info',
  3: 'binary',
  4: 'scanner_info',
};

/** A length field or a value inside one record that the record's own bytes cannot back. */
class MalformedRecord extends Error {}

/** Reads little-endian fields from bytes[pos, end), refusing to read past `end`. */
class BoundedReader {
  private pos: number;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly view: DataView,
    start: number,
    private readonly end: number,
  ) {
    this.pos = start;
  }

  private remaining(): number {
    return this.end - this.pos;
  }

  private need(size: number, what: string): void {
    if (size > this.remaining()) {
      throw new MalformedRecord(`${what} needs ${size} bytes but ${this.remaining()} remain in the record`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    const value = this.view.getUint8(this.pos);
    this.pos += 1;
    return value;
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return value;
  }

  /** A u32 length, then that many bytes; the length is checked before anything is sliced. */
  counted(what: string): Uint8Array {
    const length = this.u32(`${what} length`);
    if (length > this.remaining()) {
      throw new MalformedRecord(`${what} claims ${length} bytes but ${this.remaining()} remain in the record`);
    }
    const slice = this.bytes.subarray(this.pos, this.pos + length);
    this.pos += length;
    return slice;
  }

  /** A u32 length, then a reader confined to that many bytes (scanner info's sub-body). */
  countedReader(what: string): BoundedReader {
    const length = this.u32(`${what} length`);
    if (length > this.remaining()) {
      throw new MalformedRecord(`${what} claims ${length} bytes but ${this.remaining()} remain in the record`);
    }
    const reader = new BoundedReader(this.bytes, this.view, this.pos, this.pos + length);
    this.pos += length;
    return reader;
  }
}

// fatal: a DNS name that is not UTF-8 is a corrupt record, not a name to show with U+FFFD in it.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function readName(reader: BoundedReader, what: string): string {
  const bytes = reader.counted(what);
  try {
    return utf8.decode(bytes);
  } catch {
    throw new MalformedRecord(`${what} is not valid UTF-8`);
  }
}

interface DomainBody {
  sid: string | undefined;
  dnsName: string;
  netbiosName: string;
}

function readDomainBody(reader: BoundedReader): DomainBody {
  const sidBytes = reader.counted('SID');
  let sid: string | undefined;
  if (sidBytes.length > 0) {
    sid = formatSid(sidBytes);
    if (sid === undefined) throw new MalformedRecord(`SID of ${sidBytes.length} bytes is malformed`);
  }
  const dnsName = readName(reader, 'DNS name');
  const netbiosName = readName(reader, 'NetBIOS name');
  return { sid, dnsName, netbiosName };
}

const FILETIME_TICKS_PER_MS = 10_000n;
const FILETIME_MS_BEFORE_UNIX_EPOCH = 11_644_473_600_000n;

/**
 * The record timestamp is a FILETIME stored high dword first (ad-trust-facts.md section 5),
 * unlike an NTTIME elsewhere. Any 64-bit value fits in a Date (2^64 ticks is about year
 * 60000), so no range check is needed; 0 means "never set".
 */
function filetime(high: number, low: number): Date | undefined {
  if (high === 0 && low === 0) return undefined;
  const ticks = (BigInt(high) << 32n) | BigInt(low);
  return new Date(Number(ticks / FILETIME_TICKS_PER_MS - FILETIME_MS_BEFORE_UNIX_EPOCH));
}

/** Parses the record in bytes[start, end), where start is just past its length field. */
function parseRecord(bytes: Uint8Array, view: DataView, start: number, end: number): ForestTrustRecord {
  const flags = view.getUint32(start, true);
  const timestamp = filetime(view.getUint32(start + 4, true), view.getUint32(start + 8, true));
  const recordType = view.getUint8(start + 12);
  const reader = new BoundedReader(bytes, view, start + FIXED_FIELDS_SIZE, end);
  switch (recordType) {
    case 0:
      return { kind: 'tln', flags, timestamp, name: readName(reader, 'name') };
    case 1:
      return { kind: 'tln_exclusion', flags, timestamp, name: readName(reader, 'name') };
    case 2:
      return { kind: 'domain_info', flags, timestamp, ...readDomainBody(reader) };
    case 3:
      // A copy, so the record does not pin or alias the caller's (possibly pooled) buffer.
      return { kind: 'binary', flags, timestamp, data: Buffer.from(reader.counted('data')) };
    case 4: {
      const sub = reader.countedReader('scanner info');
      const subType = sub.u8('scanner info sub-type');
      return { kind: 'scanner_info', flags, timestamp, subType, ...readDomainBody(sub) };
    }
    default:
      return { kind: 'unknown', recordType, flags, timestamp, length: end - start };
  }
}

/** Decodes an msDS-TrustForestTrustInfo value. Pure; never throws. */
export function parseForestTrustInfo(bytes: Uint8Array): ForestTrustInfo {
  const records: ForestTrustRecord[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (error: string, version: number | undefined): ForestTrustInfo => ({
    ok: false,
    error,
    version,
    records,
  });

  if (bytes.length < HEADER_SIZE) {
    const version = bytes.length >= 4 ? view.getUint32(0, true) : undefined;
    return fail(`the header needs ${HEADER_SIZE} bytes but only ${bytes.length} are present`, version);
  }
  const version = view.getUint32(0, true);
  const count = view.getUint32(4, true);
  // Another version may lay records out differently; reading it as version 1 would invent names.
  if (version !== SUPPORTED_VERSION)
    return fail(`version ${version} is not ${SUPPORTED_VERSION}, the only one defined`, version);

  let pos = HEADER_SIZE;
  // Bounded by the input as well as by the count: every pass consumes at least 17 bytes or returns.
  for (let index = 0; index < count; index++) {
    const remaining = bytes.length - pos;
    if (remaining < LENGTH_FIELD_SIZE) {
      return fail(
        `the header claims ${count} records but the data ends after ${index} (${remaining} bytes remain)`,
        version,
      );
    }
    const recordLen = view.getUint32(pos, true);
    const start = pos + LENGTH_FIELD_SIZE;
    const available = bytes.length - start;
    if (recordLen > available)
      return fail(`record ${index} claims ${recordLen} bytes but ${available} remain`, version);
    if (recordLen < FIXED_FIELDS_SIZE) {
      return fail(
        `record ${index} claims ${recordLen} bytes, fewer than the ${FIXED_FIELDS_SIZE} of its flags, timestamp and type`,
        version,
      );
    }
    const end = start + recordLen;
    try {
      records.push(parseRecord(bytes, view, start, end));
    } catch (error) {
      if (!(error instanceof MalformedRecord)) throw error;
      const kind = RECORD_KINDS[view.getUint8(start + 12)] ?? 'unknown';
      return fail(`record ${index} (${kind}): ${error.message}`, version);
    }
    // By the length field, not by what was read: skips unknown types and any padding.
    pos = end;
  }
  if (pos !== bytes.length) return fail(`${bytes.length - pos} bytes follow the last of ${count} records`, version);
  return { ok: true, version, records };
}

const MAX_SUB_AUTHORITIES = 15;

/**
 * A binary SID (MS-DTYP 2.4.2.2) in its string form (MS-DTYP 2.4.2.1): "S-1-5-21-...".
 * Undefined unless the bytes are exactly one well-formed revision-1 SID.
 */
export function formatSid(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const revision = view.getUint8(0);
  const subCount = view.getUint8(1);
  if (revision !== 1 || subCount > MAX_SUB_AUTHORITIES || bytes.length !== 8 + 4 * subCount) return undefined;
  // 48-bit big-endian; fits a double exactly.
  const authority = view.getUint16(2) * 2 ** 32 + view.getUint32(4);
  const authorityText =
    authority < 2 ** 32 ? String(authority) : `0x${authority.toString(16).toUpperCase().padStart(12, '0')}`;
  const parts = [`S-1-${authorityText}`];
  for (let i = 0; i < subCount; i++) parts.push(String(view.getUint32(8 + 4 * i, true)));
  return parts.join('-');
}

const TLN_FLAGS: readonly (readonly [number, string])[] = [
  [0x1, 'disabled_new'],
  [0x2, 'disabled_admin'],
  [0x4, 'disabled_conflict'],
];

const DOMAIN_INFO_FLAGS: readonly (readonly [number, string])[] = [
  [0x1, 'sid_disabled_admin'],
  [0x2, 'sid_disabled_conflict'],
  [0x4, 'netbios_disabled_admin'],
  [0x8, 'netbios_disabled_conflict'],
];

function flagNames(flags: number, known: readonly (readonly [number, string])[]): string[] {
  const names: string[] = [];
  const bits = flags >>> 0;
  for (let shift = 0; shift < 32; shift++) {
    const bit = (1 << shift) >>> 0;
    if ((bits & bit) === 0) continue;
    const name = known.find(([value]) => value === bit)?.[1];
    names.push(name ?? `0x${bit.toString(16)}`);
  }
  return names;
}

/** Names of the flags of a 'tln' or 'tln_exclusion' record; unknown bits as '0x..'. */
export function tlnFlagNames(flags: number): string[] {
  return flagNames(flags, TLN_FLAGS);
}

/** Names of the flags of a 'domain_info' record (MS-LSAD 2.2.1.5); unknown bits as '0x..'. */
export function domainInfoFlagNames(flags: number): string[] {
  return flagNames(flags, DOMAIN_INFO_FLAGS);
}

/**
 * LSA_SCANNER_INFO_DISABLE_AUTH_TARGET_VALIDATION (ntsecapi.h; MS-LSAD 2.2.1.5): NTLM pass-through
 * authentication target validation is off for the domain the scanner-info record names
 * (KB5010576). The only scanner-info flag defined; the domain-info meanings of 0x1 do not apply.
 */
export const SCANNER_INFO_DISABLE_AUTH_TARGET_VALIDATION = 0x1;

const SCANNER_INFO_FLAGS: readonly (readonly [number, string])[] = [
  [SCANNER_INFO_DISABLE_AUTH_TARGET_VALIDATION, 'auth_target_validation_disabled'],
];

/** Names of the flags of a 'scanner_info' record; unknown bits as '0x..'. */
export function scannerInfoFlagNames(flags: number): string[] {
  return flagNames(flags, SCANNER_INFO_FLAGS);
}

/** The names a forest trust's records disable, each with its flags by name: what trust.forest_info reports. */
export function disabledNames(records: ForestTrustRecord[]): string[] {
  const names: string[] = [];
  for (const record of records) {
    if ((record.kind === 'tln' || record.kind === 'tln_exclusion') && record.flags !== 0)
      names.push(`${record.name} (${tlnFlagNames(record.flags).join(', ')})`);
    if (record.kind === 'domain_info' && record.flags !== 0)
      names.push(`${record.dnsName} (${domainInfoFlagNames(record.flags).join(', ')})`);
  }
  return names;
}

/** The DNS names of the domains whose scanner-info record turns authentication target validation off. */
export function scannerValidationDisabled(records: ForestTrustRecord[]): string[] {
  return records.flatMap((record) =>
    record.kind === 'scanner_info' && (record.flags & SCANNER_INFO_DISABLE_AUTH_TARGET_VALIDATION) !== 0
      ? [record.dnsName]
      : [],
  );
}

/** DNS names compare case-insensitively, and "tailspin.test." is "tailspin.test". */
function normalizeName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** True if `name` is a proper subdomain of `parent`: whole labels, so "atailspin.test" is not under "tailspin.test". */
function isUnder(name: string, parent: string): boolean {
  return name.length > parent.length && name.endsWith(`.${parent}`);
}

function isAtOrUnder(name: string, parent: string): boolean {
  return name === parent || isUnder(name, parent);
}

const TLN_DISABLED_BY_ADMIN_OR_CONFLICT = 0x2 | 0x4;

/**
 * Which of the partner's top-level names collide with a local name (the local forest's domain
 * DNS names and UPN suffixes). A TLN disabled by an admin or by a conflict routes nothing and
 * is ignored; one flagged disabled_new is included, since it is enabled once accepted and the
 * point is to predict the collision before it happens. A partner exclusion of X removes X and
 * every name under X: a TLN at or under it is skipped, and so is a local name at or under it
 * that the TLN would otherwise cover (the carve-out the exclusion exists for).
 * Names in the result are normalized: lower case, no trailing dot.
 */
export function predictCollisions(partnerRecords: ForestTrustRecord[], localNames: string[]): NameCollision[] {
  const exclusions: string[] = [];
  const partnerNames: string[] = [];
  for (const record of partnerRecords) {
    if (record.kind === 'tln_exclusion') exclusions.push(normalizeName(record.name));
    if (record.kind === 'tln' && (record.flags & TLN_DISABLED_BY_ADMIN_OR_CONFLICT) === 0) {
      partnerNames.push(normalizeName(record.name));
    }
  }
  // An empty name would be "above" every name; it is corrupt data, not a claim on the root.
  const usable = (name: string): boolean => name !== '';
  const excluded = (name: string): boolean =>
    exclusions.some((exclusion) => usable(exclusion) && isAtOrUnder(name, exclusion));
  const locals = [...new Set(localNames.map(normalizeName))].filter(usable);

  const collisions: NameCollision[] = [];
  for (const partnerName of new Set(partnerNames)) {
    if (!usable(partnerName) || excluded(partnerName)) continue;
    for (const localName of locals) {
      if (partnerName === localName) {
        collisions.push({ partnerName, localName, relation: 'same' });
      } else if (isUnder(localName, partnerName)) {
        if (!excluded(localName)) collisions.push({ partnerName, localName, relation: 'partner_covers_local' });
      } else if (isUnder(partnerName, localName)) {
        collisions.push({ partnerName, localName, relation: 'local_covers_partner' });
      }
    }
  }
  return collisions;
}
