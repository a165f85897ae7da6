// @ts-nocheck
// DCE/RPC over TCP, only as far as asking an endpoint mapper (TCP 135) for the port of an
// interface: a bind to the endpoint mapper, one ept_map request, and decoders for the replies.
// Pure functions over bytes. The decoders never throw and hold every length and count against
// the bytes that are really there: whatever listens on 135 wrote them, not necessarily a DC.
// References: DCE 1.1 RPC (C706) chapter 12 (connection-oriented PDUs), chapter 14 (NDR),
// appendices L (protocol towers) and O (ept_map); MS-RPCE 2.2.

export interface SyntaxId {
  uuid: string;
  major: number;
  minor: number;
}

export const EPMAPPER: SyntaxId = { uuid: 'e1af8308-5d1f-11c9-91a4-08002b14a0fa', major: 3, minor: 0 };
export const NDR: SyntaxId = { uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', major: 2, minor: 0 };

export const INTERFACES: Record<'netlogon' | 'lsarpc' | 'drsuapi', SyntaxId> = {
  netlogon: { uuid: '12345678-1234-abcd-ef00-01234567cffb', major: 1, minor: 0 },
  lsarpc: { uuid: '12345778-1234-abcd-ef00-0123456789ab', major: 0, minor: 0 },
  drsuapi: { uuid: 'e3514235-4b06-11d1-ab04-00c04fc2dcd2', major: 4, minor: 0 },
};

/** ept_map's status when no endpoint of the interface is registered. */
export const EPT_S_NOT_REGISTERED = 0x16c9a0d6;

const STATUS_NAMES: Record<number, string> = {
  0: 'ok',
  5: 'access denied',
  0x6f7: 'bad stub data',
  0x16c9a0d6: 'EPT_S_NOT_REGISTERED',
  0x1c010002: 'nca_s_op_rng_error (operation not supported)',
  0x1c010003: 'nca_s_unk_if (unknown interface)',
  0x1c01000b: 'nca_s_proto_error',
};

/** A readable name for an ept_map status or a fault status, for messages. */
export function statusName(status: number): string {
  return STATUS_NAMES[status] ?? `0x${status.toString(16).padStart(8, '0')}`;
}

const PTYPE = { request: 0, response: 2, fault: 3, bind: 11, bindAck: 12, bindNak: 13 } as const;

const PTYPE_NAMES: Record<number, string> = {
  0: 'request',
  1: 'ping',
  2: 'response',
  3: 'fault',
  4: 'working',
  5: 'nocall',
  6: 'reject',
  7: 'ack',
  8: 'cl_cancel',
  9: 'fack',
  10: 'cancel_ack',
  11: 'bind',
  12: 'bind_ack',
  13: 'bind_nak',
  14: 'alter_context',
  15: 'alter_context_resp',
  16: 'auth3',
  17: 'shutdown',
  18: 'co_cancel',
  19: 'orphaned',
};

function ptypeName(ptype: number): string {
  return PTYPE_NAMES[ptype] ?? `ptype ${ptype}`;
}

const HEADER_LENGTH = 16;
const PFC_FIRST_FRAG = 0x01;
const PFC_LAST_FRAG = 0x02;
// Integer representation little-endian, characters ASCII, floats IEEE: what Windows and Samba send.
const DREP_LITTLE_ENDIAN = 0x10;
// The usual Ethernet-sized fragment; ept_map replies for a handful of towers fit well inside it.
const MAX_FRAG = 5840;
// Every tower we ask for comes back in one fragment up to about 60 towers; the decoder does not
// reassemble fragments, so ask for no more than that.
const MAX_TOWERS_LIMIT = 32;
const DEFAULT_MAX_TOWERS = 4;
const EPT_MAP_OPNUM = 3;

// Protocol identifiers of tower floors (C706 appendix L).
const FLOOR_UUID = 0x0d;
const FLOOR_NCACN = 0x0b;
const FLOOR_TCP = 0x07;
const FLOOR_IP = 0x09;

// ---------------------------------------------------------------- encoding

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A UUID as NDR sends it in little-endian data representation: the first three fields are
 * integers, so byte-swapped; the last eight bytes go as they are written.
 * Throws a RangeError for a string that is not a UUID: that is a programming error in a
 * SyntaxId, never something read off the wire.
 */
function uuidBytes(uuid: string): Buffer {
  if (!UUID_PATTERN.test(uuid)) throw new RangeError(`not a UUID: ${uuid}`);
  const bytes = Buffer.from(uuid.replaceAll('-', ''), 'hex');
  bytes.subarray(0, 4).reverse();
  bytes.subarray(4, 6).reverse();
  bytes.subarray(6, 8).reverse();
  return bytes;
}

/** p_syntax_id_t: the UUID, then a 32-bit version with the major number in its low half. */
function syntaxBytes(syntax: SyntaxId): Buffer {
  const version = Buffer.alloc(4);
  version.writeUInt16LE(syntax.major & 0xffff, 0);
  version.writeUInt16LE(syntax.minor & 0xffff, 2);
  return Buffer.concat([uuidBytes(syntax.uuid), version]);
}

function header(ptype: number, fragLength: number, callId: number): Buffer {
  const bytes = Buffer.alloc(HEADER_LENGTH);
  bytes[0] = 5;
  bytes[1] = 0;
  bytes[2] = ptype;
  bytes[3] = PFC_FIRST_FRAG | PFC_LAST_FRAG;
  bytes[4] = DREP_LITTLE_ENDIAN;
  bytes.writeUInt16LE(fragLength, 8);
  bytes.writeUInt16LE(0, 10);
  // A call id is a wrapping counter: reduce it to 32 bits rather than let Buffer throw.
  bytes.writeUInt32LE(callId >>> 0, 12);
  return bytes;
}

function pdu(ptype: number, callId: number, body: Buffer): Buffer {
  return Buffer.concat([header(ptype, HEADER_LENGTH + body.length, callId), body]);
}

/** A bind to the endpoint mapper: one presentation context (id 0), EPMAPPER over NDR. */
export function encodeBind(callId: number): Buffer {
  const body = Buffer.alloc(12);
  body.writeUInt16LE(MAX_FRAG, 0); // max_xmit_frag
  body.writeUInt16LE(MAX_FRAG, 2); // max_recv_frag
  body.writeUInt32LE(0, 4); // assoc_group_id: 0 asks for a new association group
  body[8] = 1; // n_context_elem; three reserved bytes follow
  const context = Buffer.alloc(4);
  context.writeUInt16LE(0, 0); // p_cont_id
  context[2] = 1; // n_transfer_syn; one reserved byte follows
  return pdu(PTYPE.bind, callId, Buffer.concat([body, context, syntaxBytes(EPMAPPER), syntaxBytes(NDR)]));
}

function floor(lhs: Buffer, rhs: Buffer): Buffer {
  const lengths = Buffer.alloc(4);
  lengths.writeUInt16LE(lhs.length, 0);
  lengths.writeUInt16LE(rhs.length, 2);
  return Buffer.concat([lengths.subarray(0, 2), lhs, lengths.subarray(2, 4), rhs]);
}

function u16le(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16LE(value & 0xffff, 0);
  return bytes;
}

function u32le(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0, 0);
  return bytes;
}

/**
 * The tower ept_map matches against: interface, NDR, connection-oriented RPC over TCP/IP.
 * Towers are unaligned and little-endian whatever the data representation, except the port
 * and the address, which are in network order (C706 appendix L).
 */
function mapTower(iface: SyntaxId): Buffer {
  const port = Buffer.alloc(2);
  port.writeUInt16BE(135, 0); // a placeholder: ept_map only matches on the protocols
  const floors = [
    floor(Buffer.concat([Buffer.of(FLOOR_UUID), uuidBytes(iface.uuid), u16le(iface.major)]), u16le(iface.minor)),
    floor(Buffer.concat([Buffer.of(FLOOR_UUID), uuidBytes(NDR.uuid), u16le(NDR.major)]), u16le(NDR.minor)),
    floor(Buffer.of(FLOOR_NCACN), u16le(0)),
    floor(Buffer.of(FLOOR_TCP), port),
    floor(Buffer.of(FLOOR_IP), Buffer.alloc(4)),
  ];
  return Buffer.concat([u16le(floors.length), ...floors]);
}

/**
 * ept_map (opnum 3) for the TCP endpoints of `iface`, in presentation context 0.
 * maxTowers is held to 1..32 (default 4) so that the reply fits in one fragment.
 */
export function encodeEptMap(callId: number, iface: SyntaxId, maxTowers = DEFAULT_MAX_TOWERS): Buffer {
  const towers = Number.isFinite(maxTowers)
    ? Math.min(Math.max(Math.trunc(maxTowers), 1), MAX_TOWERS_LIMIT)
    : DEFAULT_MAX_TOWERS;
  const tower = mapTower(iface);
  const towerPad = Buffer.alloc((4 - (tower.length % 4)) % 4);
  const stub = Buffer.concat([
    // object: a full pointer to the nil UUID, as Windows and Samba clients send it.
    u32le(1),
    Buffer.alloc(16),
    // map_tower: a full pointer to a twr_t, a conformant struct, so the array's size comes
    // first, then tower_length, then the octets.
    u32le(2),
    u32le(tower.length),
    u32le(tower.length),
    tower,
    towerPad,
    // entry_handle: a reference pointer (no referent id) to a zero context handle.
    Buffer.alloc(20),
    u32le(towers),
  ]);
  const request = Buffer.alloc(8);
  request.writeUInt32LE(stub.length, 0); // alloc_hint
  request.writeUInt16LE(0, 4); // p_cont_id
  request.writeUInt16LE(EPT_MAP_OPNUM, 6);
  return pdu(PTYPE.request, callId, Buffer.concat([request, stub]));
}

// ---------------------------------------------------------------- decoding

/** Thrown inside this module only, and always caught before a decoder returns. */
class Malformed extends Error {}

/** Reads within [start, end) of `bytes`; every read checks that its bytes are there. */
class Reader {
  private readonly view: DataView;
  position: number;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly end: number,
    private readonly littleEndian: boolean,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.position = start;
  }

  get remaining(): number {
    return this.end - this.position;
  }

  private need(count: number, field: string): number {
    if (count > this.remaining) {
      throw new Malformed(
        `${this.what} ends inside ${field}: ${count} byte(s) needed at offset ${this.position}, ${Math.max(this.remaining, 0)} left`,
      );
    }
    const at = this.position;
    this.position += count;
    return at;
  }

  u8(field: string): number {
    return this.view.getUint8(this.need(1, field));
  }

  u16(field: string): number {
    return this.view.getUint16(this.need(2, field), this.littleEndian);
  }

  u16be(field: string): number {
    return this.view.getUint16(this.need(2, field), false);
  }

  u32(field: string): number {
    return this.view.getUint32(this.need(4, field), this.littleEndian);
  }

  bytesOf(count: number, field: string): Uint8Array {
    const at = this.need(count, field);
    return this.bytes.subarray(at, at + count);
  }

  /** Skips NDR padding; positions count from the start of the PDU, whose stub is 8-aligned. */
  align(boundary: number, field: string): void {
    const pad = (boundary - (this.position % boundary)) % boundary;
    this.need(pad, `padding before ${field}`);
  }

  /** A reader over the next `count` bytes, which this one skips. */
  sub(count: number, field: string, littleEndian: boolean, what: string): Reader {
    const at = this.need(count, field);
    return new Reader(this.bytes, at, at + count, littleEndian, what);
  }

  uuid(field: string): string {
    const first = this.u32(field);
    const second = this.u16(field);
    const third = this.u16(field);
    const rest = Buffer.from(this.bytesOf(8, field)).toString('hex');
    const hex = (value: number, digits: number) => value.toString(16).padStart(digits, '0');
    return `${hex(first, 8)}-${hex(second, 4)}-${hex(third, 4)}-${rest.slice(0, 4)}-${rest.slice(4)}`;
  }
}

type MalformedResult = { kind: 'malformed'; reason: string };

function guarded<T>(decode: () => T): T | MalformedResult {
  try {
    return decode();
  } catch (error) {
    if (error instanceof Malformed) return { kind: 'malformed', reason: error.message };
    // Not a property of the bytes but a bug here; still a value, since decoders never throw.
    return { kind: 'malformed', reason: `decoder failure: ${error instanceof Error ? error.message : String(error)}` };
  }
}

interface Header {
  ptype: number;
  flags: number;
  littleEndian: boolean;
  fragLength: number;
  authLength: number;
  callId: number;
}

/** The common header, or why it cannot be one; needs the 16 bytes to be there. */
function commonHeader(bytes: Uint8Array): Header | string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = view.getUint8(0);
  const minor = view.getUint8(1);
  // 5.0 is what everyone sends; MS-RPCE also allows 5.1.
  if (major !== 5 || minor > 1) return `not a connection-oriented DCE/RPC PDU: version ${major}.${minor}`;
  const integerRep = view.getUint8(4) & 0xf0;
  if (integerRep !== 0x00 && integerRep !== 0x10)
    return `unknown data representation 0x${view.getUint8(4).toString(16)}`;
  const littleEndian = integerRep === 0x10;
  const fragLength = view.getUint16(8, littleEndian);
  const authLength = view.getUint16(10, littleEndian);
  const trailer = authLength === 0 ? 0 : authLength + 8;
  if (fragLength < HEADER_LENGTH + trailer) {
    return `frag_length ${fragLength} is shorter than the header and its ${authLength}-byte authenticator`;
  }
  return {
    ptype: view.getUint8(2),
    flags: view.getUint8(3),
    littleEndian,
    fragLength,
    authLength,
    callId: view.getUint32(12, littleEndian),
  };
}

/**
 * A PDU's total length from its 16-byte common header (frag_length), to read whole PDUs off a
 * TCP stream; undefined until 16 bytes are there; malformed for impossible lengths.
 */
export function pduLength(buffered: Uint8Array): number | undefined | { malformed: string } {
  if (buffered.length < HEADER_LENGTH) return undefined;
  const parsed = commonHeader(buffered);
  return typeof parsed === 'string' ? { malformed: parsed } : parsed.fragLength;
}

/**
 * Checks the header of the one PDU that `bytes` should hold, and returns it with a reader over
 * its body (between the header and any authenticator). Bytes after frag_length are the next
 * PDU's and are not looked at.
 */
function openPdu(bytes: Uint8Array, callId: number, what: string): { header: Header; body: Reader } {
  if (bytes.length < HEADER_LENGTH)
    throw new Malformed(`${what} of ${bytes.length} bytes is shorter than the 16-byte PDU header`);
  const parsed = commonHeader(bytes);
  if (typeof parsed === 'string') throw new Malformed(`${what}: ${parsed}`);
  if (parsed.fragLength > bytes.length)
    throw new Malformed(`${what} is ${bytes.length} bytes, its frag_length says ${parsed.fragLength}`);
  if (parsed.callId !== callId >>> 0) throw new Malformed(`${what} has call id ${parsed.callId}, not ${callId >>> 0}`);
  const end = parsed.fragLength - (parsed.authLength === 0 ? 0 : parsed.authLength + 8);
  return { header: parsed, body: new Reader(bytes, HEADER_LENGTH, end, parsed.littleEndian, what) };
}

export type BindResult =
  | { kind: 'bind-ack'; accepted: boolean; reason: string }
  | { kind: 'bind-nak'; reason: string }
  | { kind: 'malformed'; reason: string };

const RESULTS: Record<number, string> = {
  0: 'acceptance',
  1: 'user rejection',
  2: 'provider rejection',
  3: 'negotiate ack',
};

const PROVIDER_REASONS: Record<number, string> = {
  0: 'reason not specified',
  1: 'abstract syntax not supported',
  2: 'proposed transfer syntaxes not supported',
  3: 'local limit exceeded',
};

const NAK_REASONS: Record<number, string> = {
  0: 'reason not specified',
  1: 'temporary congestion',
  2: 'local limit exceeded',
  3: 'called presentation address unknown',
  4: 'protocol version not supported',
  5: 'default context not supported',
  6: 'user data not readable',
  7: 'no presentation service access point available',
  8: 'authentication type not recognized',
  9: 'invalid checksum',
};

function sameSyntax(uuid: string, version: number, syntax: SyntaxId): boolean {
  return uuid === syntax.uuid.toLowerCase() && version === ((syntax.minor << 16) | syntax.major) >>> 0;
}

/** The reply to encodeBind(callId): whether the endpoint mapper took the EPMAPPER/NDR context. */
export function decodeBindReply(bytes: Uint8Array, callId: number): BindResult {
  return guarded((): BindResult => {
    const { header: pduHeader, body } = openPdu(bytes, callId, 'bind reply');
    if (pduHeader.ptype === PTYPE.bindNak) {
      const reason = body.u16('provider_reject_reason');
      return { kind: 'bind-nak', reason: NAK_REASONS[reason] ?? `reject reason ${reason}` };
    }
    if (pduHeader.ptype !== PTYPE.bindAck)
      throw new Malformed(`bind reply is a ${ptypeName(pduHeader.ptype)} PDU, not bind_ack or bind_nak`);
    body.u16('max_xmit_frag');
    body.u16('max_recv_frag');
    body.u32('assoc_group_id');
    const secondaryAddress = body.u16('sec_addr length');
    body.bytesOf(secondaryAddress, 'sec_addr');
    body.align(4, 'p_result_list');
    const count = body.u8('n_results');
    body.bytesOf(3, 'p_result_list reserved bytes');
    if (count === 0) throw new Malformed('bind_ack has no result for the presentation context');
    if (count * 24 > body.remaining)
      throw new Malformed(`bind_ack claims ${count} results, only ${body.remaining} bytes follow`);
    const result = body.u16('result');
    const reason = body.u16('reason');
    const transferUuid = body.uuid('transfer syntax');
    const transferVersion = body.u32('transfer syntax version');
    if (result !== 0) {
      const why = result === 2 ? (PROVIDER_REASONS[reason] ?? `reason ${reason}`) : `reason ${reason}`;
      return { kind: 'bind-ack', accepted: false, reason: `${RESULTS[result] ?? `result ${result}`}: ${why}` };
    }
    if (!sameSyntax(transferUuid, transferVersion, NDR)) {
      return { kind: 'bind-ack', accepted: false, reason: `accepted with transfer syntax ${transferUuid}, not NDR` };
    }
    return { kind: 'bind-ack', accepted: true, reason: 'acceptance' };
  });
}

export type EptMapResult =
  | { kind: 'towers'; status: number; endpoints: { protocol: 'tcp'; port: number; address: string | undefined }[] }
  | { kind: 'fault'; status: number }
  | { kind: 'malformed'; reason: string };

type Endpoint = { protocol: 'tcp'; port: number; address: string | undefined };

/** The TCP endpoint a tower names, if it has a TCP floor; towers of other protocols are skipped. */
function towerEndpoint(tower: Reader, index: number): Endpoint | undefined {
  const floors = tower.u16(`tower ${index} floor count`);
  // Each floor takes at least 4 bytes (two lengths): a count beyond that is a lie, told before
  // any loop runs on it.
  if (floors * 4 > tower.remaining)
    throw new Malformed(`tower ${index} claims ${floors} floors in ${tower.remaining} bytes`);
  let port: number | undefined;
  let address: string | undefined;
  for (let n = 0; n < floors; n++) {
    const where = `tower ${index} floor ${n + 1}`;
    // Towers are little-endian whatever the PDU's data representation.
    const lhs = tower.sub(tower.u16(`${where} lhs length`), `${where} lhs`, true, where);
    const rhs = tower.sub(tower.u16(`${where} rhs length`), `${where} rhs`, false, where);
    if (lhs.remaining === 0) throw new Malformed(`${where} has an empty left-hand side, no protocol identifier`);
    const protocol = lhs.u8('protocol identifier');
    if (protocol === FLOOR_TCP) {
      if (rhs.remaining !== 2) throw new Malformed(`${where}: a TCP port takes 2 bytes, not ${rhs.remaining}`);
      port = rhs.u16be('TCP port');
    } else if (protocol === FLOOR_IP) {
      if (rhs.remaining !== 4) throw new Malformed(`${where}: an IPv4 address takes 4 bytes, not ${rhs.remaining}`);
      address = Array.from(rhs.bytesOf(4, 'IPv4 address')).join('.');
    }
  }
  return port === undefined ? undefined : { protocol: 'tcp', port, address };
}

/** The reply to encodeEptMap(callId, ...): the TCP endpoints the endpoint mapper names, or its fault. */
export function decodeEptMapResponse(bytes: Uint8Array, callId: number): EptMapResult {
  return guarded((): EptMapResult => {
    const { header: pduHeader, body } = openPdu(bytes, callId, 'ept_map reply');
    if (pduHeader.ptype !== PTYPE.response && pduHeader.ptype !== PTYPE.fault) {
      throw new Malformed(`ept_map reply is a ${ptypeName(pduHeader.ptype)} PDU, not response or fault`);
    }
    if ((pduHeader.flags & (PFC_FIRST_FRAG | PFC_LAST_FRAG)) !== (PFC_FIRST_FRAG | PFC_LAST_FRAG)) {
      throw new Malformed('ept_map reply is one fragment of several; fragments are not reassembled');
    }
    body.u32('alloc_hint');
    body.u16('p_cont_id');
    body.u8('cancel_count');
    body.u8('reserved');
    if (pduHeader.ptype === PTYPE.fault) return { kind: 'fault', status: body.u32('fault status') };

    body.bytesOf(20, 'entry_handle');
    const numTowers = body.u32('num_towers');
    const maxCount = body.u32('towers maximum count');
    const offset = body.u32('towers offset');
    const actualCount = body.u32('towers actual count');
    if (offset !== 0) throw new Malformed(`towers array starts at offset ${offset}, not 0`);
    if (actualCount !== numTowers)
      throw new Malformed(`num_towers is ${numTowers}, the towers array holds ${actualCount}`);
    if (actualCount > maxCount) throw new Malformed(`towers array holds ${actualCount} of at most ${maxCount}`);
    // Each element is at least a 4-byte pointer: check the count against the bytes before looping.
    if (actualCount * 4 > body.remaining)
      throw new Malformed(`towers array claims ${actualCount} pointers, only ${body.remaining} bytes follow`);
    const referents: number[] = [];
    for (let n = 0; n < actualCount; n++) referents.push(body.u32(`tower pointer ${n + 1}`));

    const endpoints: Endpoint[] = [];
    // Full pointers: a null one has no tower, and one seen before points to a tower already sent.
    const seen = new Set<number>();
    for (const [index, referent] of referents.entries()) {
      if (referent === 0 || seen.has(referent)) continue;
      seen.add(referent);
      const where = `tower ${index + 1}`;
      body.align(4, where);
      const size = body.u32(`${where} conformance`);
      const length = body.u32(`${where} length`);
      if (size !== length) throw new Malformed(`${where} length ${length} differs from its array size ${size}`);
      const tower = body.sub(length, `${where} octets`, true, where);
      const endpoint = towerEndpoint(tower, index + 1);
      if (endpoint !== undefined) endpoints.push(endpoint);
    }
    body.align(4, 'status');
    const status = body.u32('status');
    return { kind: 'towers', status, endpoints };
  });
}
