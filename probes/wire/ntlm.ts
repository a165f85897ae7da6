// NTLM (MS-NLMP) on the wire, only NTLMv2 and only authentication: the three messages
// (NEGOTIATE, CHALLENGE, AUTHENTICATE, 2.2.1), the AV pairs of the server's target info (2.2.2.1)
// and the NTLMv2 response (3.3.2). Both sides, so that a loopback test server speaks the same
// bytes as the probe. No signing, sealing or MIC: the probe only asks whether the logon is accepted.
// The decoders are pure, never throw, and hold every offset and length against the message.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { Malformed } from './ber.js';
import { md4 } from './md4.js';

// NegotiateFlags (2.2.2.5), by their spec names.
export const NTLMSSP_NEGOTIATE_UNICODE = 0x00000001;
export const NTLM_NEGOTIATE_OEM = 0x00000002;
export const NTLMSSP_REQUEST_TARGET = 0x00000004;
export const NTLMSSP_NEGOTIATE_SIGN = 0x00000010;
export const NTLMSSP_NEGOTIATE_SEAL = 0x00000020;
export const NTLMSSP_NEGOTIATE_NTLM = 0x00000200;
export const NTLMSSP_NEGOTIATE_ALWAYS_SIGN = 0x00008000;
export const NTLMSSP_TARGET_TYPE_DOMAIN = 0x00010000;
export const NTLMSSP_TARGET_TYPE_SERVER = 0x00020000;
export const NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY = 0x00080000;
export const NTLMSSP_NEGOTIATE_TARGET_INFO = 0x00800000;
export const NTLMSSP_NEGOTIATE_VERSION = 0x02000000;
export const NTLMSSP_NEGOTIATE_128 = 0x20000000;
export const NTLMSSP_NEGOTIATE_KEY_EXCH = 0x40000000;
export const NTLMSSP_NEGOTIATE_56 = 0x80000000;

/**
 * What the probe asks for: Unicode, NTLM with extended session security (what NTLMv2 needs),
 * the target info (the server's AV pairs, which the NTLMv2 response carries back), and SIGN,
 * as every SMB client sends it, because an SMB2 server that requires signing wants the session
 * key that comes with it. No KEY_EXCH, SEAL or VERSION: nothing is signed or sealed here.
 */
export const DEFAULT_NEGOTIATE_FLAGS =
  (NTLMSSP_NEGOTIATE_UNICODE |
    NTLMSSP_REQUEST_TARGET |
    NTLMSSP_NEGOTIATE_SIGN |
    NTLMSSP_NEGOTIATE_NTLM |
    NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
    NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
    NTLMSSP_NEGOTIATE_TARGET_INFO |
    NTLMSSP_NEGOTIATE_128 |
    NTLMSSP_NEGOTIATE_56) >>>
  0;

// AV pair ids (2.2.2.1).
export const MSV_AV_EOL = 0;
export const MSV_AV_NB_COMPUTER_NAME = 1;
export const MSV_AV_NB_DOMAIN_NAME = 2;
export const MSV_AV_DNS_COMPUTER_NAME = 3;
export const MSV_AV_DNS_DOMAIN_NAME = 4;
export const MSV_AV_DNS_TREE_NAME = 5;
export const MSV_AV_FLAGS = 6;
export const MSV_AV_TIMESTAMP = 7;
export const MSV_AV_SINGLE_HOST = 8;
export const MSV_AV_TARGET_NAME = 9;
export const MSV_AV_CHANNEL_BINDINGS = 10;

/** Windows sends about ten pairs; a list longer than this is not a server's target info. */
export const MAX_AV_PAIRS = 64;

const SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');
const MESSAGE_TYPE = { negotiate: 1, challenge: 2, authenticate: 3 } as const;
const VERSION_LENGTH = 8;
/** The Version field as written when VERSION is set and the caller gives none: 0.0 build 0, NTLMSSP_REVISION_W2K3. */
const DEFAULT_VERSION = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0x0f]);

export interface AvPair {
  id: number;
  value: Buffer;
}

export interface NtlmNegotiate {
  flags: number;
  domain: string;
  workstation: string;
  version?: Buffer;
}

export interface NtlmChallenge {
  flags: number;
  serverChallenge: Buffer;
  targetName: string;
  /** The raw bytes, which the NTLMv2 response carries back unchanged. */
  targetInfo: Buffer;
  avPairs: AvPair[];
  /** MsvAvTimestamp, a FILETIME (100 ns ticks since 1601), when the server sent one. */
  timestamp?: bigint;
  version?: Buffer;
}

export interface NtlmAuthenticate {
  flags: number;
  domain: string;
  user: string;
  workstation: string;
  lmResponse: Buffer;
  ntResponse: Buffer;
  encryptedRandomSessionKey: Buffer;
  version?: Buffer;
}

// ---------------------------------------------------------------- keys and responses

function hmacMd5(key: Uint8Array, ...data: Uint8Array[]): Buffer {
  const hmac = createHmac('md5', key);
  for (const part of data) hmac.update(part);
  return hmac.digest();
}

/** NTOWFv1 (3.3.1): MD4 of the UTF-16LE password. */
export function ntHash(password: string): Buffer {
  return md4(Buffer.from(password, 'utf16le'));
}

/** NTOWFv2 (3.3.2): HMAC-MD5 keyed with the NT hash over UTF-16LE(upper(user) + domain); the domain keeps its case. */
export function ntowfV2(ntHashBytes: Uint8Array, user: string, domain: string): Buffer {
  return hmacMd5(ntHashBytes, Buffer.from(user.toUpperCase() + domain, 'utf16le'));
}

export interface NtlmV2Response {
  ntChallengeResponse: Buffer;
  lmChallengeResponse: Buffer;
  sessionBaseKey: Buffer;
  ntProofStr: Buffer;
}

/** The NTLMv2_CLIENT_CHALLENGE ("temp" in 3.3.2): versions 1 and 1, the time, the client challenge, the server's AV pairs. */
function clientChallengeBlob(timestamp: bigint, clientChallenge: Uint8Array, targetInfo: Uint8Array): Buffer {
  const fixed = Buffer.alloc(28);
  fixed[0] = 1;
  fixed[1] = 1;
  fixed.writeBigUInt64LE(BigInt.asUintN(64, timestamp), 8);
  fixed.set(clientChallenge.subarray(0, 8), 16);
  return Buffer.concat([fixed, targetInfo, Buffer.alloc(4)]);
}

/**
 * The client's answer to a challenge (MS-NLMP 3.3.2). The LMv2 response is 24 zero bytes when
 * the server's target info carries a timestamp (3.1.5.1.2): targetInfo is expected to be what
 * decodeChallenge already checked.
 */
export function ntlmV2Response(input: {
  responseKeyNT: Uint8Array;
  serverChallenge: Uint8Array;
  clientChallenge: Uint8Array;
  timestamp: bigint;
  targetInfo: Uint8Array;
}): NtlmV2Response {
  const { responseKeyNT, serverChallenge, clientChallenge } = input;
  const temp = clientChallengeBlob(input.timestamp, clientChallenge, input.targetInfo);
  const ntProofStr = hmacMd5(responseKeyNT, serverChallenge, temp);
  const avPairs = decodeAvPairs(input.targetInfo);
  const serverTimestamp = !(avPairs instanceof Malformed) && avPairs.some((pair) => pair.id === MSV_AV_TIMESTAMP);
  const lmChallengeResponse = serverTimestamp
    ? Buffer.alloc(24)
    : Buffer.concat([hmacMd5(responseKeyNT, serverChallenge, clientChallenge), clientChallenge]);
  return {
    ntChallengeResponse: Buffer.concat([ntProofStr, temp]),
    lmChallengeResponse,
    sessionBaseKey: hmacMd5(responseKeyNT, ntProofStr),
    ntProofStr,
  };
}

/**
 * The server's check of an NTLMv2 NtChallengeResponse: the NTProofStr recomputed over the
 * client's own blob. True only for the user's key and this server challenge.
 */
export function verifyNtlmV2Response(input: {
  responseKeyNT: Uint8Array;
  serverChallenge: Uint8Array;
  ntChallengeResponse: Uint8Array;
}): boolean {
  const { ntChallengeResponse } = input;
  // NTProofStr (16) and the blob's fixed part (28) at least.
  if (ntChallengeResponse.length < 44) return false;
  const expected = hmacMd5(input.responseKeyNT, input.serverChallenge, ntChallengeResponse.subarray(16));
  return timingSafeEqual(expected, ntChallengeResponse.subarray(0, 16));
}

// ---------------------------------------------------------------- AV pairs

/** The pairs in order, then MsvAvEOL, which is written here: an EOL among `pairs` is left out. */
export function encodeAvPairs(pairs: readonly AvPair[]): Buffer {
  const parts = pairs
    .filter((pair) => pair.id !== MSV_AV_EOL)
    .map((pair) => {
      const head = Buffer.alloc(4);
      head.writeUInt16LE(pair.id, 0);
      head.writeUInt16LE(pair.value.length, 2);
      return Buffer.concat([head, pair.value]);
    });
  return Buffer.concat([...parts, Buffer.alloc(4)]);
}

/** The AV pairs up to MsvAvEOL, which must end the bytes. An empty list (no target info at all) is no pairs. */
export function decodeAvPairs(bytes: Uint8Array): AvPair[] | Malformed {
  const view = asBuffer(bytes);
  const pairs: AvPair[] = [];
  if (view.length === 0) return pairs;
  for (let offset = 0; ;) {
    if (offset + 4 > view.length) return new Malformed(`AV pair list: no MsvAvEOL, the list ends at offset ${offset}`);
    const id = view.readUInt16LE(offset);
    const length = view.readUInt16LE(offset + 2);
    const start = offset + 4;
    if (length > view.length - start) {
      return new Malformed(
        `AV pair ${id} at offset ${offset} announces ${length} bytes, only ${view.length - start} remain`,
      );
    }
    if (id === MSV_AV_EOL) {
      if (length !== 0) return new Malformed(`AV pair list: MsvAvEOL at offset ${offset} has length ${length}, not 0`);
      if (start !== view.length)
        return new Malformed(`AV pair list: ${view.length - start} stray bytes after MsvAvEOL`);
      return pairs;
    }
    if (pairs.length >= MAX_AV_PAIRS) return new Malformed(`AV pair list: more than ${MAX_AV_PAIRS} pairs`);
    pairs.push({ id, value: Buffer.from(view.subarray(start, start + length)) });
    offset = start + length;
  }
}

function timestampOf(pairs: readonly AvPair[]): bigint | undefined | Malformed {
  const pair = pairs.find((candidate) => candidate.id === MSV_AV_TIMESTAMP);
  if (pair === undefined) return undefined;
  if (pair.value.length !== 8) return new Malformed(`MsvAvTimestamp of ${pair.value.length} bytes, not 8`);
  return pair.value.readBigUInt64LE(0);
}

// ---------------------------------------------------------------- messages: writing

interface Field {
  bytes: Uint8Array;
  /** Where its bytes go in the payload, lowest first; by default the order of the fields. */
  rank?: number;
}

function isField(part: Field | Buffer): part is Field {
  return !Buffer.isBuffer(part);
}

/**
 * A message: the signature, the type, then the fixed part in which each `Field` becomes its
 * Len/MaxLen/BufferOffset triple, the Version when VERSION is set, and the payload.
 */
function writeMessage(type: number, parts: readonly (Field | Buffer)[], flags: number, version?: Uint8Array): Buffer {
  const fixedLength = 12 + parts.reduce((sum, part) => sum + (isField(part) ? 8 : part.length), 0);
  const versionBytes = (flags & NTLMSSP_NEGOTIATE_VERSION) !== 0 ? Buffer.from(version ?? DEFAULT_VERSION) : undefined;
  if (versionBytes !== undefined && versionBytes.length !== VERSION_LENGTH) {
    throw new RangeError(`an NTLM Version is ${VERSION_LENGTH} bytes, not ${versionBytes.length}`);
  }
  const fields = parts.filter(isField);
  const payload = fields
    .map((field, index) => ({ field, rank: field.rank ?? index }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ field }) => field);
  const offsets = new Map<Field, number>();
  let payloadOffset = fixedLength + (versionBytes?.length ?? 0);
  for (const field of payload) {
    offsets.set(field, payloadOffset);
    payloadOffset += field.bytes.length;
  }
  const head = Buffer.alloc(12);
  SIGNATURE.copy(head);
  head.writeUInt32LE(type, 8);
  const fixed = parts.map((part) => {
    if (!isField(part)) return part;
    const triple = Buffer.alloc(8);
    triple.writeUInt16LE(part.bytes.length, 0);
    triple.writeUInt16LE(part.bytes.length, 2);
    triple.writeUInt32LE(offsets.get(part) ?? 0, 4);
    return triple;
  });
  return Buffer.concat([
    head,
    ...fixed,
    ...(versionBytes ? [versionBytes] : []),
    ...payload.map((field) => field.bytes),
  ]);
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0, 0);
  return bytes;
}

function text(value: string, flags: number, rank?: number): Field {
  const bytes = Buffer.from(value, (flags & NTLMSSP_NEGOTIATE_UNICODE) !== 0 ? 'utf16le' : 'latin1');
  return rank === undefined ? { bytes } : { bytes, rank };
}

/** NEGOTIATE_MESSAGE (2.2.1.1), with no domain or workstation: those are OEM strings nobody needs here. */
export function encodeNegotiate(flags = DEFAULT_NEGOTIATE_FLAGS, version?: Uint8Array): Buffer {
  const empty = { bytes: Buffer.alloc(0) };
  return writeMessage(MESSAGE_TYPE.negotiate, [u32(flags), empty, empty], flags, version);
}

/** CHALLENGE_MESSAGE (2.2.1.2), the server's side. */
export function encodeChallenge(input: {
  flags: number;
  serverChallenge: Uint8Array;
  targetName: string;
  targetInfo: Uint8Array;
  version?: Uint8Array;
}): Buffer {
  if (input.serverChallenge.length !== 8) throw new RangeError('a server challenge is 8 bytes');
  return writeMessage(
    MESSAGE_TYPE.challenge,
    [
      text(input.targetName, input.flags),
      u32(input.flags),
      Buffer.from(input.serverChallenge),
      Buffer.alloc(8),
      { bytes: input.targetInfo },
    ],
    input.flags,
    input.version,
  );
}

/** AUTHENTICATE_MESSAGE (2.2.1.3), without a MIC; the names before the responses in the payload, as Windows writes it (4.2.4.3). */
export function encodeAuthenticate(input: {
  flags: number;
  domain: string;
  user: string;
  workstation: string;
  lmResponse: Uint8Array;
  ntResponse: Uint8Array;
  encryptedRandomSessionKey?: Uint8Array;
  version?: Uint8Array;
}): Buffer {
  const { flags } = input;
  return writeMessage(
    MESSAGE_TYPE.authenticate,
    [
      { bytes: input.lmResponse, rank: 3 },
      { bytes: input.ntResponse, rank: 4 },
      text(input.domain, flags, 0),
      text(input.user, flags, 1),
      text(input.workstation, flags, 2),
      { bytes: input.encryptedRandomSessionKey ?? Buffer.alloc(0), rank: 5 },
      u32(flags),
    ],
    flags,
    input.version,
  );
}

// ---------------------------------------------------------------- messages: reading

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const NAMES = ['', 'NEGOTIATE', 'CHALLENGE', 'AUTHENTICATE'] as const;

/** The message after its signature and type are checked, and a reader of its fields that holds each to it. */
class MessageReader {
  readonly what: string;

  constructor(
    readonly bytes: Buffer,
    type: 1 | 2 | 3,
  ) {
    this.what = `NTLM ${NAMES[type]}`;
  }

  static open(bytes: Uint8Array, type: 1 | 2 | 3, fixedLength: number): MessageReader | Malformed {
    const reader = new MessageReader(asBuffer(bytes), type);
    const view = reader.bytes;
    if (view.length < 12 || !view.subarray(0, 8).equals(SIGNATURE)) {
      return new Malformed(`${reader.what}: no NTLMSSP signature at offset 0`);
    }
    const actual = view.readUInt32LE(8);
    if (actual !== type) return new Malformed(`${reader.what}: message type ${actual} at offset 8, not ${type}`);
    if (view.length < fixedLength) {
      return new Malformed(`${reader.what}: ${view.length} bytes, shorter than its ${fixedLength}-byte fixed part`);
    }
    return reader;
  }

  /** The payload of the Len/MaxLen/BufferOffset triple at `at`. */
  field(at: number, name: string): Buffer | Malformed {
    const length = this.bytes.readUInt16LE(at);
    const offset = this.bytes.readUInt32LE(at + 4);
    if (length === 0) return Buffer.alloc(0);
    if (offset > this.bytes.length || length > this.bytes.length - offset) {
      return new Malformed(
        `${this.what}: ${name} (${length} bytes at offset ${offset}) runs past the end of the ${this.bytes.length}-byte message`,
      );
    }
    return Buffer.from(this.bytes.subarray(offset, offset + length));
  }

  text(at: number, name: string, flags: number): string | Malformed {
    const bytes = this.field(at, name);
    if (bytes instanceof Malformed) return bytes;
    const unicode = (flags & NTLMSSP_NEGOTIATE_UNICODE) !== 0;
    if (unicode && bytes.length % 2 !== 0)
      return new Malformed(`${this.what}: ${name} of odd length ${bytes.length} in UTF-16`);
    // Names from the network end up in logs and reports: no control characters.
    return bytes.toString(unicode ? 'utf16le' : 'latin1').replace(/\p{Cc}/gu, '?');
  }

  /** The Version, when VERSION is set and the payload leaves room for it after the fixed part. */
  version(flags: number, fixedLength: number, payloadFields: readonly number[]): Buffer | undefined {
    if ((flags & NTLMSSP_NEGOTIATE_VERSION) === 0 || this.bytes.length < fixedLength + VERSION_LENGTH) return undefined;
    const firstPayload = Math.min(
      ...payloadFields.filter((at) => this.bytes.readUInt16LE(at) > 0).map((at) => this.bytes.readUInt32LE(at + 4)),
    );
    if (firstPayload < fixedLength + VERSION_LENGTH) return undefined;
    return Buffer.from(this.bytes.subarray(fixedLength, fixedLength + VERSION_LENGTH));
  }
}

function withVersion<T extends object>(value: T, version: Buffer | undefined): T & { version?: Buffer } {
  return version === undefined ? value : { ...value, version };
}

/** A client's NEGOTIATE_MESSAGE (the server's side). Domain and workstation are OEM strings. */
export function decodeNegotiate(bytes: Uint8Array): NtlmNegotiate | Malformed {
  const reader = MessageReader.open(bytes, MESSAGE_TYPE.negotiate, 32);
  if (reader instanceof Malformed) return reader;
  const flags = reader.bytes.readUInt32LE(12);
  const domain = reader.text(16, 'DomainName', 0);
  if (domain instanceof Malformed) return domain;
  const workstation = reader.text(24, 'Workstation', 0);
  if (workstation instanceof Malformed) return workstation;
  return withVersion({ flags, domain, workstation }, reader.version(flags, 32, [16, 24]));
}

export function decodeChallenge(bytes: Uint8Array): NtlmChallenge | Malformed {
  const reader = MessageReader.open(bytes, MESSAGE_TYPE.challenge, 48);
  if (reader instanceof Malformed) return reader;
  const flags = reader.bytes.readUInt32LE(20);
  const targetName = reader.text(12, 'TargetName', flags);
  if (targetName instanceof Malformed) return targetName;
  const targetInfo = reader.field(40, 'TargetInfo');
  if (targetInfo instanceof Malformed) return targetInfo;
  const avPairs = decodeAvPairs(targetInfo);
  if (avPairs instanceof Malformed) return new Malformed(`${reader.what}: TargetInfo: ${avPairs.reason}`);
  const timestamp = timestampOf(avPairs);
  if (timestamp instanceof Malformed) return new Malformed(`${reader.what}: TargetInfo: ${timestamp.reason}`);
  const challenge: NtlmChallenge = {
    flags,
    serverChallenge: Buffer.from(reader.bytes.subarray(24, 32)),
    targetName,
    targetInfo,
    avPairs,
  };
  if (timestamp !== undefined) challenge.timestamp = timestamp;
  return withVersion(challenge, reader.version(flags, 48, [12, 40]));
}

/** A client's AUTHENTICATE_MESSAGE (the server's side). A MIC, if the client sent one, is not read. */
export function decodeAuthenticate(bytes: Uint8Array): NtlmAuthenticate | Malformed {
  const reader = MessageReader.open(bytes, MESSAGE_TYPE.authenticate, 64);
  if (reader instanceof Malformed) return reader;
  const flags = reader.bytes.readUInt32LE(60);
  const lmResponse = reader.field(12, 'LmChallengeResponse');
  if (lmResponse instanceof Malformed) return lmResponse;
  const ntResponse = reader.field(20, 'NtChallengeResponse');
  if (ntResponse instanceof Malformed) return ntResponse;
  const domain = reader.text(28, 'DomainName', flags);
  if (domain instanceof Malformed) return domain;
  const user = reader.text(36, 'UserName', flags);
  if (user instanceof Malformed) return user;
  const workstation = reader.text(44, 'Workstation', flags);
  if (workstation instanceof Malformed) return workstation;
  const encryptedRandomSessionKey = reader.field(52, 'EncryptedRandomSessionKey');
  if (encryptedRandomSessionKey instanceof Malformed) return encryptedRandomSessionKey;
  return withVersion(
    { flags, domain, user, workstation, lmResponse, ntResponse, encryptedRandomSessionKey },
    reader.version(flags, 64, [12, 20, 28, 36, 44, 52]),
  );
}
