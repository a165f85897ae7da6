// The LDAP ping (MS-ADTS 6.3.3) on the wire: a one-message LDAP search over UDP 389 whose
// answer is a NETLOGON_SAM_LOGON_RESPONSE_EX (6.3.1.9) in the rootDSE's Netlogon attribute.
// The BER is written and read with the shared BER layer (ber.ts), for one message shape, so that
// nothing here depends on an LDAP library's idea of connectionless LDAP. The reply comes from a
// host we do not control: the decoders are pure, never throw, and check every length against
// the bytes actually there.

import { integerOctets, Malformed, readElement as readBerElement, tlv, type BerElement } from './ber.js';

export interface NetlogonResponse {
  /** 23 LOGON_SAM_LOGON_RESPONSE_EX, 24 LOGON_SAM_PAUSE_RESPONSE_EX, 25 LOGON_SAM_USER_UNKNOWN_EX. */
  opcode: number;
  /** DS_FLAG bits (6.3.1.2), unsigned. */
  flags: number;
  /** The spec's DS_*_FLAG names of the set bits, lowest bit first; unnamed bits as hex. */
  flagNames: string[];
  /** Lower-case 8-4-4-4-12 text; the first three fields are little-endian on the wire. */
  domainGuid: string;
  forest: string;
  domain: string;
  hostName: string;
  netbiosDomain: string;
  netbiosComputer: string;
  userName: string;
  dcSite: string;
  clientSite: string;
  ntVersion: number;
}

export type LdapPingReply =
  | { kind: 'netlogon'; response: NetlogonResponse }
  | { kind: 'no-netlogon'; resultCode: number }
  | { kind: 'malformed'; reason: string };

/** NETLOGON_NT_VERSION_5 | NETLOGON_NT_VERSION_5EX: asks for the _EX response, without the optional IP and closest-site fields. */
export const DEFAULT_NT_VERSION = 6;

const DS_FLAGS: readonly (readonly [number, string])[] = [
  [0x1, 'DS_PDC_FLAG'],
  [0x4, 'DS_GC_FLAG'],
  [0x8, 'DS_LDAP_FLAG'],
  [0x10, 'DS_DS_FLAG'],
  [0x20, 'DS_KDC_FLAG'],
  [0x40, 'DS_TIMESERV_FLAG'],
  [0x80, 'DS_CLOSEST_FLAG'],
  [0x100, 'DS_WRITABLE_FLAG'],
  [0x200, 'DS_GOOD_TIMESERV_FLAG'],
  [0x400, 'DS_NDNC_FLAG'],
  [0x800, 'DS_SELECT_SECRET_DOMAIN_6_FLAG'],
  [0x1000, 'DS_FULL_SECRET_DOMAIN_6_FLAG'],
  [0x2000, 'DS_WS_FLAG'],
  [0x4000, 'DS_DS_8_FLAG'],
  [0x8000, 'DS_DS_9_FLAG'],
  [0x10000, 'DS_DS_10_FLAG'],
  [0x20000, 'DS_KEY_LIST_FLAG'],
  [0x20000000, 'DS_DNS_CONTROLLER_FLAG'],
  [0x40000000, 'DS_DNS_DOMAIN_FLAG'],
  [0x80000000, 'DS_DNS_FOREST_FLAG'],
];

/** Names every set bit, so that a bit a newer DC sets is shown rather than dropped. */
export function dsFlagNames(flags: number): string[] {
  const names: string[] = [];
  for (let bit = 0; bit < 32; bit++) {
    const mask = 2 ** bit;
    if (Math.floor(flags / mask) % 2 === 0) continue;
    const known = DS_FLAGS.find(([value]) => value === mask);
    names.push(known ? known[1] : `0x${mask.toString(16)}`);
  }
  return names;
}

// ---- Encoding (RFC 4511 4.1.1 and 4.5.1; BER definite lengths as X.690 8.1.3)

const TAG_BOOLEAN = 0x01;
const TAG_INTEGER = 0x02;
const TAG_OCTET_STRING = 0x04;
const TAG_ENUMERATED = 0x0a;
const TAG_SEQUENCE = 0x30;
const TAG_SEARCH_REQUEST = 0x63; // [APPLICATION 3], constructed
const TAG_SEARCH_RESULT_ENTRY = 0x64; // [APPLICATION 4]
const TAG_SEARCH_RESULT_DONE = 0x65; // [APPLICATION 5]
const TAG_FILTER_AND = 0xa0; // context [0], constructed
const TAG_FILTER_EQUALITY = 0xa3; // context [3], constructed
const TAG_SET = 0x31;

const MAX_MESSAGE_ID = 0x7fffffff; // RFC 4511 MessageID ::= INTEGER (0 .. maxInt)

function octetString(value: string | Buffer): Buffer {
  return tlv(TAG_OCTET_STRING, typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
}

/**
 * The LDAP ping for `dnsDomain`: `(&(DnsDomain=<domain>)(NtVer=<ntVersion as 4 bytes LE>))`
 * on the rootDSE, asking only for Netlogon. The only throw is a RangeError for a message id
 * or NtVer that cannot be put on the wire, which is the caller's bug, not the network's.
 */
export function encodeLdapPing(messageId: number, dnsDomain: string, ntVersion: number = DEFAULT_NT_VERSION): Buffer {
  if (!Number.isInteger(messageId) || messageId < 0 || messageId > MAX_MESSAGE_ID) {
    throw new RangeError(`LDAP message id ${messageId} is not an integer in 0..${MAX_MESSAGE_ID}`);
  }
  if (!Number.isInteger(ntVersion) || ntVersion < 0 || ntVersion > 0xffffffff) {
    throw new RangeError(`NtVer ${ntVersion} is not an unsigned 32-bit integer`);
  }
  const ntVer = Buffer.alloc(4);
  ntVer.writeUInt32LE(ntVersion, 0);
  const zero = Buffer.from([0]);
  const searchRequest = tlv(
    TAG_SEARCH_REQUEST,
    octetString(''), // baseObject: the rootDSE
    tlv(TAG_ENUMERATED, zero), // scope: baseObject
    tlv(TAG_ENUMERATED, zero), // derefAliases: neverDerefAliases
    tlv(TAG_INTEGER, zero), // sizeLimit
    tlv(TAG_INTEGER, zero), // timeLimit
    tlv(TAG_BOOLEAN, zero), // typesOnly: FALSE
    tlv(
      TAG_FILTER_AND,
      tlv(TAG_FILTER_EQUALITY, octetString('DnsDomain'), octetString(dnsDomain)),
      tlv(TAG_FILTER_EQUALITY, octetString('NtVer'), octetString(ntVer)),
    ),
    tlv(TAG_SEQUENCE, octetString('Netlogon')),
  );
  return tlv(TAG_SEQUENCE, tlv(TAG_INTEGER, integerOctets(messageId)), searchRequest);
}

// ---- Decoding the LDAP envelope, with the shared BER reader (ber.ts)

/** LDAP's words (RFC 4511 5.1) for what the shared reader found wrong with `what`. */
function ldapMalformed(what: string, found: Malformed): Malformed {
  const problem = found.problem;
  switch (problem?.kind) {
    case 'missing':
      return new Malformed(`${what} is missing`, problem);
    case 'high-tag':
      return new Malformed(`${what} has a multi-octet tag`, problem);
    case 'no-length':
      return new Malformed(`${what} has no length`, problem);
    case 'indefinite':
      return new Malformed(`${what} has an indefinite length, which LDAP forbids`, problem);
    case 'long-length':
      // A length field longer than 4 octets could not be backed by a datagram.
      return new Malformed(`${what} has a ${problem.octets}-octet length field`, problem);
    case 'cut-length':
      return new Malformed(`${what} length field is cut off`, problem);
    case 'overrun':
      return new Malformed(`${what} claims ${problem.length} bytes but ${problem.remain} remain`, problem);
    case 'integrity':
    case undefined:
      return new Malformed(`${what}: ${found.reason}`);
  }
}

/** One TLV at `offset`, which must end by `limit`. */
function readElement(bytes: Uint8Array, offset: number, limit: number, what: string): BerElement | Malformed {
  const element = readBerElement(bytes, offset, limit);
  return element instanceof Malformed ? ldapMalformed(what, element) : element;
}

function expectElement(
  bytes: Uint8Array,
  offset: number,
  limit: number,
  tag: number,
  what: string,
): BerElement | Malformed {
  const element = readElement(bytes, offset, limit, what);
  if (element instanceof Malformed) return element;
  if (element.tag !== tag)
    return new Malformed(`${what} has tag 0x${element.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return element;
}

/** A non-negative INTEGER or ENUMERATED that fits in 31 bits. */
function readSmallInteger(bytes: Uint8Array, element: BerElement, what: string): number | Malformed {
  const length = element.end - element.contentStart;
  if (length === 0) return new Malformed(`${what} is empty`);
  if (length > 5) return new Malformed(`${what} is ${length} octets long`);
  if ((bytes[element.contentStart] ?? 0) >= 0x80) return new Malformed(`${what} is negative`);
  let value = 0;
  for (let i = element.contentStart; i < element.end; i++) value = value * 256 + (bytes[i] ?? 0);
  if (value > MAX_MESSAGE_ID) return new Malformed(`${what} ${value} is above 2^31-1`);
  return value;
}

function asciiLower(bytes: Uint8Array, element: BerElement): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + element.contentStart, element.end - element.contentStart)
    .toString('latin1')
    .toLowerCase();
}

/** The Netlogon values of a SearchResultEntry: `[]` when the attribute is absent. */
function netlogonValues(bytes: Uint8Array, entry: BerElement): Uint8Array[] | Malformed {
  const objectName = expectElement(
    bytes,
    entry.contentStart,
    entry.end,
    TAG_OCTET_STRING,
    'SearchResultEntry objectName',
  );
  if (objectName instanceof Malformed) return objectName;
  const attributes = expectElement(bytes, objectName.end, entry.end, TAG_SEQUENCE, 'SearchResultEntry attributes');
  if (attributes instanceof Malformed) return attributes;
  const found: Uint8Array[] = [];
  for (let offset = attributes.contentStart; offset < attributes.end;) {
    const attribute = expectElement(bytes, offset, attributes.end, TAG_SEQUENCE, 'PartialAttribute');
    if (attribute instanceof Malformed) return attribute;
    const type = expectElement(bytes, attribute.contentStart, attribute.end, TAG_OCTET_STRING, 'attribute type');
    if (type instanceof Malformed) return type;
    const values = expectElement(bytes, type.end, attribute.end, TAG_SET, 'attribute values');
    if (values instanceof Malformed) return values;
    // Attribute descriptions compare case-insensitively (RFC 4512 2.5).
    const isNetlogon = asciiLower(bytes, type) === 'netlogon';
    for (let at = values.contentStart; at < values.end;) {
      const value = expectElement(bytes, at, values.end, TAG_OCTET_STRING, 'attribute value');
      if (value instanceof Malformed) return value;
      if (isNetlogon) found.push(bytes.subarray(value.contentStart, value.end));
      at = value.end;
    }
    offset = attribute.end;
  }
  return found;
}

/**
 * The reply to an LDAP ping sent with `messageId`. One datagram may carry the SearchResultEntry
 * and the SearchResultDone back to back: every message in it must be whole and carry our id,
 * since a truncated or foreign datagram says nothing reliable about the DC.
 */
export function decodeLdapPingReply(bytes: Uint8Array, messageId: number): LdapPingReply {
  if (bytes.length === 0) return { kind: 'malformed', reason: 'empty datagram' };
  let netlogon: Uint8Array | undefined;
  let entries = 0;
  let resultCode: number | undefined;
  for (let offset = 0, index = 1; offset < bytes.length; index++) {
    const message = expectElement(bytes, offset, bytes.length, TAG_SEQUENCE, `LDAPMessage ${index}`);
    if (message instanceof Malformed) return { kind: 'malformed', reason: message.reason };
    const idElement = expectElement(
      bytes,
      message.contentStart,
      message.end,
      TAG_INTEGER,
      `LDAPMessage ${index} messageID`,
    );
    if (idElement instanceof Malformed) return { kind: 'malformed', reason: idElement.reason };
    const id = readSmallInteger(bytes, idElement, `LDAPMessage ${index} messageID`);
    if (id instanceof Malformed) return { kind: 'malformed', reason: id.reason };
    if (id !== messageId)
      return { kind: 'malformed', reason: `LDAPMessage ${index} has messageID ${id}, not ${messageId}` };
    // Controls may follow the operation; the ping asks for none and needs none.
    const op = readElement(bytes, idElement.end, message.end, `LDAPMessage ${index} protocolOp`);
    if (op instanceof Malformed) return { kind: 'malformed', reason: op.reason };
    if (op.tag === TAG_SEARCH_RESULT_ENTRY) {
      entries++;
      if (entries > 1) return { kind: 'malformed', reason: 'more than one SearchResultEntry for a base-object search' };
      const values = netlogonValues(bytes, op);
      if (values instanceof Malformed) return { kind: 'malformed', reason: values.reason };
      if (values.length > 1) return { kind: 'malformed', reason: `Netlogon has ${values.length} values, expected one` };
      netlogon = values[0];
    } else if (op.tag === TAG_SEARCH_RESULT_DONE) {
      if (resultCode !== undefined) return { kind: 'malformed', reason: 'more than one SearchResultDone' };
      const code = expectElement(bytes, op.contentStart, op.end, TAG_ENUMERATED, 'SearchResultDone resultCode');
      if (code instanceof Malformed) return { kind: 'malformed', reason: code.reason };
      const value = readSmallInteger(bytes, code, 'SearchResultDone resultCode');
      if (value instanceof Malformed) return { kind: 'malformed', reason: value.reason };
      resultCode = value;
    } else {
      return {
        kind: 'malformed',
        reason: `LDAPMessage ${index} carries protocolOp tag 0x${op.tag.toString(16)}, not a search result`,
      };
    }
    offset = message.end;
  }
  if (netlogon !== undefined) {
    const response = parseNetlogonSamLogonResponseEx(netlogon);
    if ('error' in response) return { kind: 'malformed', reason: `Netlogon value: ${response.error}` };
    return { kind: 'netlogon', response };
  }
  if (resultCode !== undefined) return { kind: 'no-netlogon', resultCode };
  return { kind: 'malformed', reason: 'a SearchResultEntry without Netlogon and no SearchResultDone' };
}

// ---- NETLOGON_SAM_LOGON_RESPONSE_EX (6.3.1.9)

const HEADER_SIZE = 24; // opcode u16, Sbz u16, Flags u32, DomainGuid 16
const TRAILER_SIZE = 8; // NtVersion u32, LmNtToken u16, Lm20Token u16
/** RFC 1035 4.1.4 puts no bound on a pointer chain; this one is far above any real name. */
const MAX_POINTER_JUMPS = 32;
/** RFC 1035 2.3.4: a name's wire form, length octets included, is at most 255 octets. */
const MAX_NAME_OCTETS = 255;
const EX_OPCODES = new Set([23, 24, 25]);
const NAME_FIELDS = [
  'forest',
  'domain',
  'hostName',
  'netbiosDomain',
  'netbiosComputer',
  'userName',
  'dcSite',
  'clientSite',
] as const;

/**
 * One RFC 1035 name at `offset`; pointers are offsets from the start of `bytes` (the NETLOGON
 * structure). `next` is where the following field starts: just past the first pointer, or the
 * terminating zero octet when the name has no pointer.
 */
function readCompressedName(bytes: Uint8Array, offset: number): { name: string; next: number } | string {
  const labels: string[] = [];
  let position = offset;
  let next: number | undefined;
  let jumps = 0;
  let octets = 1; // the terminating zero
  for (;;) {
    if (position >= bytes.length) return `runs past the end at offset ${position}`;
    const length = bytes[position] ?? 0;
    if (length === 0) {
      next ??= position + 1;
      break;
    }
    const kind = length & 0xc0;
    if (kind === 0xc0) {
      if (position + 1 >= bytes.length) return `pointer at offset ${position} is cut off`;
      const target = ((length & 0x3f) << 8) | (bytes[position + 1] ?? 0);
      next ??= position + 2;
      jumps++;
      if (jumps > MAX_POINTER_JUMPS) return `more than ${MAX_POINTER_JUMPS} compression pointers: a pointer loop`;
      if (target >= bytes.length)
        return `pointer at offset ${position} points to ${target}, past the end (${bytes.length})`;
      position = target;
      continue;
    }
    if (kind !== 0) return `label type 0x${kind.toString(16)} at offset ${position} is reserved`;
    if (position + 1 + length > bytes.length) return `label at offset ${position} claims ${length} bytes past the end`;
    octets += 1 + length;
    if (octets > MAX_NAME_OCTETS) return `name is longer than ${MAX_NAME_OCTETS} octets`;
    labels.push(Buffer.from(bytes.buffer, bytes.byteOffset + position + 1, length).toString('utf8'));
    position += 1 + length;
  }
  return { name: labels.join('.'), next };
}

function hex(bytes: Uint8Array, from: number, to: number, reverse: boolean): string {
  const part = Array.from(bytes.subarray(from, to), (byte) => byte.toString(16).padStart(2, '0'));
  return (reverse ? part.reverse() : part).join('');
}

/** Windows GUID layout: Data1 u32, Data2 u16, Data3 u16 little-endian, then 8 bytes as they are. */
function formatGuid(bytes: Uint8Array, offset: number): string {
  return [
    hex(bytes, offset, offset + 4, true),
    hex(bytes, offset + 4, offset + 6, true),
    hex(bytes, offset + 6, offset + 8, true),
    hex(bytes, offset + 8, offset + 10, false),
    hex(bytes, offset + 10, offset + 16, false),
  ].join('-');
}

const SOCKADDR_SIZE = 16; // DcSockAddrSize MUST be 0x10: a sockaddr_in

/**
 * Parses the Netlogon attribute value: header, eight names, then fields only some requests get
 * (DcSockAddrSize + DcSockAddr with NETLOGON_NT_VERSION_5EX_WITH_IP, NextClosestSiteName with
 * NETLOGON_NT_VERSION_WITH_CLOSEST_SITE), then NtVersion, LmNtToken, Lm20Token. Whatever follows
 * the tokens is ignored. Returns the error as a value; never throws.
 */
export function parseNetlogonSamLogonResponseEx(bytes: Uint8Array): NetlogonResponse | { error: string } {
  if (bytes.length < HEADER_SIZE)
    return { error: `${bytes.length} bytes, shorter than the ${HEADER_SIZE}-byte header` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const opcode = view.getUint16(0, true);
  // Another opcode means another layout (e.g. 19, NETLOGON_SAM_LOGON_RESPONSE, for NtVer without 5EX).
  if (!EX_OPCODES.has(opcode)) return { error: `opcode ${opcode} is not an _EX response (23, 24 or 25)` };
  const flags = view.getUint32(4, true);
  const names: string[] = [];
  let offset = HEADER_SIZE;
  for (const field of NAME_FIELDS) {
    const read = readCompressedName(bytes, offset);
    if (typeof read === 'string') return { error: `${field} ${read}` };
    names.push(read.name);
    offset = read.next;
  }
  // The reply does not say which optional fields it carries, but NtVersion always has the
  // V1 and V5EX bits, so its first byte is never 0x10: a 0x10 here is DcSockAddrSize.
  if (bytes[offset] === SOCKADDR_SIZE) {
    if (bytes.length - offset < 1 + SOCKADDR_SIZE + TRAILER_SIZE)
      return {
        error: `DcSockAddr and the fields after it need ${1 + SOCKADDR_SIZE + TRAILER_SIZE} bytes, ${bytes.length - offset} remain`,
      };
    offset += 1 + SOCKADDR_SIZE;
  }
  if (bytes.length - offset < TRAILER_SIZE)
    return {
      error: `${bytes.length - offset} bytes after the names; NtVersion, LmNtToken and Lm20Token need ${TRAILER_SIZE}`,
    };
  const tokensAt = (at: number): boolean =>
    at + TRAILER_SIZE <= bytes.length && view.getUint32(at + 4, true) === 0xffffffff;
  // Both tokens SHOULD be 0xFFFF; when they are not where the trailer would start, a
  // NextClosestSiteName followed by them is the other layout the spec allows.
  if (!tokensAt(offset)) {
    const closest = readCompressedName(bytes, offset);
    if (typeof closest !== 'string' && tokensAt(closest.next)) offset = closest.next;
  }
  const ntVersion = view.getUint32(offset, true);
  const [
    forest = '',
    domain = '',
    hostName = '',
    netbiosDomain = '',
    netbiosComputer = '',
    userName = '',
    dcSite = '',
    clientSite = '',
  ] = names;
  return {
    opcode,
    flags,
    flagNames: dsFlagNames(flags),
    domainGuid: formatGuid(bytes, 8),
    forest,
    domain,
    hostName,
    netbiosDomain,
    netbiosComputer,
    userName,
    dcSite,
    clientSite,
    ntVersion,
  };
}
