// SMB2 (MS-SMB2) only as far as a logon needs it: Direct TCP framing (2.1), the 64-byte sync
// header (2.2.1.2), NEGOTIATE (2.2.3, 2.2.4), SESSION_SETUP (2.2.5, 2.2.6) and the ERROR
// response (2.2.2). Both sides, so that a loopback test server answers with the same code the
// probe reads. No signing, no dialect 3.1.1 (its negotiate contexts and preauth hash): the probe
// stops at the SESSION_SETUP status. Pure; the decoders never throw and hold every offset and
// count against the message.

import { Malformed } from './ber.js';

export const SMB2_NEGOTIATE = 0x0000;
export const SMB2_SESSION_SETUP = 0x0001;

export const STATUS_SUCCESS = 0x00000000;
export const STATUS_PENDING = 0x00000103;
export const STATUS_MORE_PROCESSING_REQUIRED = 0xc0000016;
export const STATUS_ACCESS_DENIED = 0xc0000022;
export const STATUS_LOGON_FAILURE = 0xc000006d;

/** NTSTATUS names (MS-ERREF 2.3.1) of what a SESSION_SETUP answers, for messages. */
const STATUS_NAMES: Readonly<Record<number, string>> = Object.freeze({
  [STATUS_SUCCESS]: 'STATUS_SUCCESS',
  [STATUS_PENDING]: 'STATUS_PENDING',
  0xc000000d: 'STATUS_INVALID_PARAMETER',
  [STATUS_MORE_PROCESSING_REQUIRED]: 'STATUS_MORE_PROCESSING_REQUIRED',
  [STATUS_ACCESS_DENIED]: 'STATUS_ACCESS_DENIED',
  0xc000005e: 'STATUS_NO_LOGON_SERVERS',
  0xc0000064: 'STATUS_NO_SUCH_USER',
  0xc000006a: 'STATUS_WRONG_PASSWORD',
  [STATUS_LOGON_FAILURE]: 'STATUS_LOGON_FAILURE',
  0xc000006e: 'STATUS_ACCOUNT_RESTRICTION',
  0xc000006f: 'STATUS_INVALID_LOGON_HOURS',
  0xc0000070: 'STATUS_INVALID_WORKSTATION',
  0xc0000071: 'STATUS_PASSWORD_EXPIRED',
  0xc0000072: 'STATUS_ACCOUNT_DISABLED',
  0xc00000bb: 'STATUS_NOT_SUPPORTED',
  0xc00000df: 'STATUS_NO_SUCH_DOMAIN',
  0xc000015b: 'STATUS_LOGON_TYPE_NOT_GRANTED',
  0xc000018b: 'STATUS_NO_TRUST_SAM_ACCOUNT',
  0xc000018c: 'STATUS_TRUSTED_DOMAIN_FAILURE',
  0xc000018d: 'STATUS_TRUSTED_RELATIONSHIP_FAILURE',
  0xc0000193: 'STATUS_ACCOUNT_EXPIRED',
  0xc0000203: 'STATUS_USER_SESSION_DELETED',
  0xc0000224: 'STATUS_PASSWORD_MUST_CHANGE',
  0xc0000234: 'STATUS_ACCOUNT_LOCKED_OUT',
  0xc0000192: 'STATUS_NETLOGON_NOT_STARTED',
  0xc0000198: 'STATUS_NOLOGON_INTERDOMAIN_TRUST_ACCOUNT',
  0xc0000199: 'STATUS_NOLOGON_WORKSTATION_TRUST_ACCOUNT',
  0xc0000413: 'STATUS_AUTHENTICATION_FIREWALL_FAILED',
  0xc0000418: 'STATUS_NTLM_BLOCKED',
});

/** The status's name, when it is one of those above. */
export function knownNtStatus(status: number): string | undefined {
  return STATUS_NAMES[status >>> 0];
}

export function ntStatusName(status: number): string {
  return knownNtStatus(status) ?? `0x${(status >>> 0).toString(16).padStart(8, '0')}`;
}

export const SMB2_FLAGS_SERVER_TO_REDIR = 0x00000001;
export const SMB2_FLAGS_ASYNC_COMMAND = 0x00000002;
export const SMB2_FLAGS_SIGNED = 0x00000008;

export const SMB2_NEGOTIATE_SIGNING_ENABLED = 0x0001;
export const SMB2_NEGOTIATE_SIGNING_REQUIRED = 0x0002;

export const SMB2_SESSION_FLAG_IS_GUEST = 0x0001;
export const SMB2_SESSION_FLAG_IS_NULL = 0x0002;

/** 2.0.2, 2.1, 3.0, 3.0.2: every dialect that needs no negotiate contexts. */
export const DEFAULT_DIALECTS: readonly number[] = Object.freeze([0x0202, 0x0210, 0x0300, 0x0302]);

export const HEADER_LENGTH = 64;
const PROTOCOL_ID = Buffer.from([0xfe, 0x53, 0x4d, 0x42]);
/** The largest message Direct TCP can frame: a 24-bit length. */
export const MAX_FRAME_LENGTH = 0xffffff;
/** The dialects a client may offer; Windows offers at most five. */
const MAX_DIALECTS = 64;

const NEGOTIATE_REQUEST_SIZE = 36;
const NEGOTIATE_RESPONSE_SIZE = 65;
const SESSION_SETUP_REQUEST_SIZE = 25;
const SESSION_SETUP_RESPONSE_SIZE = 9;
const ERROR_RESPONSE_SIZE = 9;

const COMMAND_NAMES: Readonly<Record<number, string>> = {
  [SMB2_NEGOTIATE]: 'NEGOTIATE',
  [SMB2_SESSION_SETUP]: 'SESSION_SETUP',
};

function commandName(command: number): string {
  return COMMAND_NAMES[command] ?? `command ${command}`;
}

export interface Smb2Header {
  command: number;
  /** NTSTATUS, unsigned 32-bit; in requests the ChannelSequence/Reserved field, 0 here. */
  status: number;
  flags: number;
  creditCharge: number;
  /** CreditRequest in a request, CreditResponse in a response. */
  credits: number;
  nextCommand: number;
  messageId: bigint;
  treeId: number;
  sessionId: bigint;
}

// ---------------------------------------------------------------- framing

/** A message in its Direct TCP frame: a zero byte and the 24-bit big-endian length. */
export function frame(message: Uint8Array): Buffer {
  if (message.length > MAX_FRAME_LENGTH)
    throw new RangeError(`an SMB2 message of ${message.length} bytes does not fit a frame`);
  const head = Buffer.alloc(4);
  head.writeUIntBE(message.length, 1, 3);
  return Buffer.concat([head, message]);
}

/** The first message in the bytes received so far, and what follows it; 'incomplete' until all of it is there. */
export function readFrame(
  buffered: Buffer,
  maxLength: number,
): { message: Buffer; rest: Buffer } | 'incomplete' | Malformed {
  const zero = buffered[0];
  if (zero === undefined) return 'incomplete';
  if (zero !== 0) return new Malformed(`SMB2 frame: first byte 0x${zero.toString(16).padStart(2, '0')}, not 0x00`);
  if (buffered.length < 4) return 'incomplete';
  const length = buffered.readUIntBE(1, 3);
  if (length > maxLength)
    return new Malformed(`SMB2 frame: announces ${length} bytes, more than the ${maxLength} allowed`);
  if (buffered.length < 4 + length) return 'incomplete';
  return { message: buffered.subarray(4, 4 + length), rest: buffered.subarray(4 + length) };
}

// ---------------------------------------------------------------- writing

function encodeHeader(header: {
  command: number;
  messageId: bigint;
  status?: number;
  flags?: number;
  sessionId?: bigint;
  credits?: number;
}): Buffer {
  const bytes = Buffer.alloc(HEADER_LENGTH);
  PROTOCOL_ID.copy(bytes, 0);
  bytes.writeUInt16LE(HEADER_LENGTH, 4);
  // CreditCharge 0: a server takes it as 1 for messages of at most 64 KiB (3.3.5.2.5), and 2.0.2 wants 0.
  bytes.writeUInt16LE(0, 6);
  bytes.writeUInt32LE((header.status ?? 0) >>> 0, 8);
  bytes.writeUInt16LE(header.command, 12);
  bytes.writeUInt16LE(header.credits ?? 1, 14);
  bytes.writeUInt32LE((header.flags ?? 0) >>> 0, 16);
  bytes.writeBigUInt64LE(BigInt.asUintN(64, header.messageId), 24);
  bytes.writeBigUInt64LE(BigInt.asUintN(64, header.sessionId ?? 0n), 40);
  return bytes;
}

function guid(bytes: Uint8Array, what: string): Buffer {
  if (bytes.length !== 16) throw new RangeError(`${what} is 16 bytes, not ${bytes.length}`);
  return Buffer.from(bytes);
}

export function encodeNegotiateRequest(input: {
  messageId: bigint;
  clientGuid: Uint8Array;
  dialects?: readonly number[];
  securityMode?: number;
  capabilities?: number;
}): Buffer {
  const dialects = input.dialects ?? DEFAULT_DIALECTS;
  const body = Buffer.alloc(NEGOTIATE_REQUEST_SIZE + dialects.length * 2);
  body.writeUInt16LE(NEGOTIATE_REQUEST_SIZE, 0);
  body.writeUInt16LE(dialects.length, 2);
  body.writeUInt16LE(input.securityMode ?? SMB2_NEGOTIATE_SIGNING_ENABLED, 4);
  body.writeUInt32LE((input.capabilities ?? 0) >>> 0, 8);
  guid(input.clientGuid, 'a client GUID').copy(body, 12);
  // ClientStartTime (28..35) stays 0, as 2.2.3 asks of a client that offers no 3.1.1.
  dialects.forEach((dialect, i) => body.writeUInt16LE(dialect, NEGOTIATE_REQUEST_SIZE + i * 2));
  return Buffer.concat([encodeHeader({ command: SMB2_NEGOTIATE, messageId: input.messageId }), body]);
}

export function encodeSessionSetupRequest(input: {
  messageId: bigint;
  sessionId: bigint;
  securityBuffer: Uint8Array;
  securityMode?: number;
  capabilities?: number;
}): Buffer {
  const body = Buffer.alloc(SESSION_SETUP_REQUEST_SIZE - 1);
  body.writeUInt16LE(SESSION_SETUP_REQUEST_SIZE, 0);
  body[2] = 0; // Flags: no session binding
  body[3] = input.securityMode ?? SMB2_NEGOTIATE_SIGNING_ENABLED;
  body.writeUInt32LE((input.capabilities ?? 0) >>> 0, 4);
  body.writeUInt16LE(HEADER_LENGTH + body.length, 12);
  body.writeUInt16LE(input.securityBuffer.length, 14);
  const header = encodeHeader({ command: SMB2_SESSION_SETUP, messageId: input.messageId, sessionId: input.sessionId });
  return Buffer.concat([header, body, input.securityBuffer]);
}

export function encodeNegotiateResponse(input: {
  messageId: bigint;
  dialect: number;
  serverGuid: Uint8Array;
  securityBuffer: Uint8Array;
  securityMode?: number;
  capabilities?: number;
  maxSize?: number;
  systemTime?: bigint;
}): Buffer {
  const body = Buffer.alloc(NEGOTIATE_RESPONSE_SIZE - 1);
  body.writeUInt16LE(NEGOTIATE_RESPONSE_SIZE, 0);
  body.writeUInt16LE(input.securityMode ?? SMB2_NEGOTIATE_SIGNING_ENABLED, 2);
  body.writeUInt16LE(input.dialect, 4);
  guid(input.serverGuid, 'a server GUID').copy(body, 8);
  body.writeUInt32LE((input.capabilities ?? 0) >>> 0, 24);
  const maxSize = input.maxSize ?? 65536;
  body.writeUInt32LE(maxSize, 28); // MaxTransactSize
  body.writeUInt32LE(maxSize, 32); // MaxReadSize
  body.writeUInt32LE(maxSize, 36); // MaxWriteSize
  body.writeBigUInt64LE(input.systemTime ?? 0n, 40);
  body.writeUInt16LE(HEADER_LENGTH + body.length, 56);
  body.writeUInt16LE(input.securityBuffer.length, 58);
  const header = encodeHeader({
    command: SMB2_NEGOTIATE,
    messageId: input.messageId,
    flags: SMB2_FLAGS_SERVER_TO_REDIR,
  });
  return Buffer.concat([header, body, input.securityBuffer]);
}

export function encodeSessionSetupResponse(input: {
  messageId: bigint;
  sessionId: bigint;
  status: number;
  securityBuffer: Uint8Array;
  sessionFlags?: number;
}): Buffer {
  const body = Buffer.alloc(SESSION_SETUP_RESPONSE_SIZE - 1);
  body.writeUInt16LE(SESSION_SETUP_RESPONSE_SIZE, 0);
  body.writeUInt16LE(input.sessionFlags ?? 0, 2);
  body.writeUInt16LE(HEADER_LENGTH + body.length, 4);
  body.writeUInt16LE(input.securityBuffer.length, 6);
  const header = encodeHeader({
    command: SMB2_SESSION_SETUP,
    messageId: input.messageId,
    sessionId: input.sessionId,
    status: input.status,
    flags: SMB2_FLAGS_SERVER_TO_REDIR,
  });
  return Buffer.concat([header, body, input.securityBuffer]);
}

/** The ERROR response (2.2.2) with no error data: its one-byte ErrorData of zero. */
export function encodeErrorResponse(command: number, status: number, messageId: bigint, sessionId: bigint): Buffer {
  const body = Buffer.alloc(ERROR_RESPONSE_SIZE);
  body.writeUInt16LE(ERROR_RESPONSE_SIZE, 0);
  const header = encodeHeader({ command, messageId, sessionId, status, flags: SMB2_FLAGS_SERVER_TO_REDIR });
  return Buffer.concat([header, body]);
}

// ---------------------------------------------------------------- reading

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function decodeHeader(view: Buffer, what: string): Smb2Header | Malformed {
  if (view.length < HEADER_LENGTH) {
    return new Malformed(`${what}: ${view.length} bytes, shorter than the ${HEADER_LENGTH}-byte SMB2 header`);
  }
  if (!view.subarray(0, 4).equals(PROTOCOL_ID)) {
    const id = view.subarray(0, 4).toString('hex');
    // 0xFF 'SMB' is SMB1, 0xFD 'SMB' an encrypted (transform) message: both real, neither ours.
    return new Malformed(`${what}: protocol id ${id} at offset 0, not fe534d42 (SMB2)`);
  }
  const size = view.readUInt16LE(4);
  if (size !== HEADER_LENGTH) return new Malformed(`${what}: header StructureSize ${size} at offset 4, not 64`);
  return {
    creditCharge: view.readUInt16LE(6),
    status: view.readUInt32LE(8),
    command: view.readUInt16LE(12),
    credits: view.readUInt16LE(14),
    flags: view.readUInt32LE(16),
    nextCommand: view.readUInt32LE(20),
    messageId: view.readBigUInt64LE(24),
    treeId: view.readUInt32LE(36),
    sessionId: view.readBigUInt64LE(40),
  };
}

/** The header of a message from a client: SERVER_TO_REDIR clear. */
export function decodeRequestHeader(bytes: Uint8Array): Smb2Header | Malformed {
  const header = decodeHeader(asBuffer(bytes), 'SMB2 request');
  if (header instanceof Malformed) return header;
  if ((header.flags & SMB2_FLAGS_SERVER_TO_REDIR) !== 0)
    return new Malformed('SMB2 request: the header is flagged as a response');
  return header;
}

/** The header of a message from a server: SERVER_TO_REDIR set. */
export function decodeResponseHeader(bytes: Uint8Array): Smb2Header | Malformed {
  const header = decodeHeader(asBuffer(bytes), 'SMB2 response');
  if (header instanceof Malformed) return header;
  if ((header.flags & SMB2_FLAGS_SERVER_TO_REDIR) === 0)
    return new Malformed('SMB2 response: the header is not flagged as a response');
  return header;
}

/** A response's header, which must be flagged as a response to `command`. */
function openResponse(
  bytes: Uint8Array,
  command: number,
): { view: Buffer; header: Smb2Header; what: string } | Malformed {
  const what = `SMB2 ${commandName(command)} response`;
  const view = asBuffer(bytes);
  const header = decodeHeader(view, what);
  if (header instanceof Malformed) return header;
  if ((header.flags & SMB2_FLAGS_SERVER_TO_REDIR) === 0)
    return new Malformed(`${what}: the header is not flagged as a response`);
  if (header.command !== command)
    return new Malformed(`${what}: the header's command is ${commandName(header.command)}`);
  return { view, header, what };
}

/** The body's StructureSize must be `size` and its fixed part (size - 1 bytes, the odd one counts the buffer) present. */
function checkBody(view: Buffer, size: number, what: string): Malformed | undefined {
  if (view.length < HEADER_LENGTH + 2) return new Malformed(`${what}: no body after the header`);
  const actual = view.readUInt16LE(HEADER_LENGTH);
  if (actual !== size) return new Malformed(`${what}: StructureSize ${actual} at offset ${HEADER_LENGTH}, not ${size}`);
  const fixedEnd = HEADER_LENGTH + size - 1;
  if (view.length < fixedEnd) return new Malformed(`${what}: ${view.length} bytes, its fixed part ends at ${fixedEnd}`);
  return undefined;
}

/** The buffer of an offset (from the start of the header) and length pair, after the fixed part and inside the message. */
function securityBuffer(
  view: Buffer,
  offset: number,
  length: number,
  fixedEnd: number,
  what: string,
): Buffer | Malformed {
  if (length === 0) return Buffer.alloc(0);
  if (offset < fixedEnd || offset + length > view.length) {
    return new Malformed(
      `${what}: security buffer (${length} bytes at offset ${offset}) outside ${fixedEnd}..${view.length} of the message`,
    );
  }
  return Buffer.from(view.subarray(offset, offset + length));
}

export interface Smb2ErrorResponse {
  kind: 'error';
  header: Smb2Header;
  errorContextCount: number;
  errorData: Buffer;
}

function decodeErrorBody(view: Buffer, header: Smb2Header, what: string): Smb2ErrorResponse | Malformed {
  const wrongBody = checkBody(view, ERROR_RESPONSE_SIZE, `${what} (ERROR, ${ntStatusName(header.status)})`);
  if (wrongBody) return wrongBody;
  const byteCount = view.readUInt32LE(HEADER_LENGTH + 4);
  const start = HEADER_LENGTH + 8;
  if (byteCount > view.length - start) {
    return new Malformed(`${what} (ERROR): ByteCount ${byteCount}, only ${view.length - start} bytes follow`);
  }
  return {
    kind: 'error',
    header,
    errorContextCount: view.readUInt8(HEADER_LENGTH + 2),
    errorData: Buffer.from(view.subarray(start, start + byteCount)),
  };
}

export interface Smb2NegotiateResponse {
  kind: 'negotiate';
  header: Smb2Header;
  securityMode: number;
  dialect: number;
  serverGuid: Buffer;
  capabilities: number;
  maxTransactSize: number;
  maxReadSize: number;
  maxWriteSize: number;
  /** FILETIME. */
  systemTime: bigint;
  /** Empty when the server leaves the mechanism to the client (legal, 3.3.5.4). */
  securityBuffer: Buffer;
}

export function decodeNegotiateResponse(bytes: Uint8Array): Smb2NegotiateResponse | Smb2ErrorResponse | Malformed {
  const opened = openResponse(bytes, SMB2_NEGOTIATE);
  if (opened instanceof Malformed) return opened;
  const { view, header, what } = opened;
  if (header.status !== STATUS_SUCCESS) return decodeErrorBody(view, header, what);
  const wrongBody = checkBody(view, NEGOTIATE_RESPONSE_SIZE, what);
  if (wrongBody) return wrongBody;
  const body = HEADER_LENGTH;
  const buffer = securityBuffer(
    view,
    view.readUInt16LE(body + 56),
    view.readUInt16LE(body + 58),
    body + NEGOTIATE_RESPONSE_SIZE - 1,
    what,
  );
  if (buffer instanceof Malformed) return buffer;
  return {
    kind: 'negotiate',
    header,
    securityMode: view.readUInt16LE(body + 2),
    dialect: view.readUInt16LE(body + 4),
    serverGuid: Buffer.from(view.subarray(body + 8, body + 24)),
    capabilities: view.readUInt32LE(body + 24),
    maxTransactSize: view.readUInt32LE(body + 28),
    maxReadSize: view.readUInt32LE(body + 32),
    maxWriteSize: view.readUInt32LE(body + 36),
    systemTime: view.readBigUInt64LE(body + 40),
    securityBuffer: buffer,
  };
}

export interface Smb2SessionSetupResponse {
  kind: 'session-setup';
  header: Smb2Header;
  sessionFlags: number;
  securityBuffer: Buffer;
}

/** SUCCESS and MORE_PROCESSING_REQUIRED carry a SESSION_SETUP body; every other status an ERROR body. */
export function decodeSessionSetupResponse(
  bytes: Uint8Array,
): Smb2SessionSetupResponse | Smb2ErrorResponse | Malformed {
  const opened = openResponse(bytes, SMB2_SESSION_SETUP);
  if (opened instanceof Malformed) return opened;
  const { view, header, what } = opened;
  if (header.status !== STATUS_SUCCESS && header.status !== STATUS_MORE_PROCESSING_REQUIRED) {
    return decodeErrorBody(view, header, what);
  }
  const wrongBody = checkBody(view, SESSION_SETUP_RESPONSE_SIZE, what);
  if (wrongBody) return wrongBody;
  const body = HEADER_LENGTH;
  const buffer = securityBuffer(
    view,
    view.readUInt16LE(body + 4),
    view.readUInt16LE(body + 6),
    body + SESSION_SETUP_RESPONSE_SIZE - 1,
    what,
  );
  if (buffer instanceof Malformed) return buffer;
  return { kind: 'session-setup', header, sessionFlags: view.readUInt16LE(body + 2), securityBuffer: buffer };
}

function openRequest(
  bytes: Uint8Array,
  command: number,
  size: number,
): { view: Buffer; header: Smb2Header; what: string } | Malformed {
  const what = `SMB2 ${commandName(command)} request`;
  const view = asBuffer(bytes);
  const header = decodeRequestHeader(view);
  if (header instanceof Malformed) return header;
  if (header.command !== command)
    return new Malformed(`${what}: the header's command is ${commandName(header.command)}`);
  const wrongBody = checkBody(view, size, what);
  if (wrongBody) return wrongBody;
  return { view, header, what };
}

export interface Smb2NegotiateRequest {
  header: Smb2Header;
  securityMode: number;
  capabilities: number;
  clientGuid: Buffer;
  dialects: number[];
}

export function decodeNegotiateRequest(bytes: Uint8Array): Smb2NegotiateRequest | Malformed {
  const opened = openRequest(bytes, SMB2_NEGOTIATE, NEGOTIATE_REQUEST_SIZE);
  if (opened instanceof Malformed) return opened;
  const { view, header, what } = opened;
  const body = HEADER_LENGTH;
  const count = view.readUInt16LE(body + 2);
  const start = body + NEGOTIATE_REQUEST_SIZE;
  if (count === 0 || count > MAX_DIALECTS)
    return new Malformed(`${what}: DialectCount ${count}, not 1 to ${MAX_DIALECTS}`);
  if (start + count * 2 > view.length) {
    return new Malformed(
      `${what}: ${count} dialects need ${count * 2} bytes at offset ${start}, only ${view.length - start} there`,
    );
  }
  return {
    header,
    securityMode: view.readUInt16LE(body + 4),
    capabilities: view.readUInt32LE(body + 8),
    clientGuid: Buffer.from(view.subarray(body + 12, body + 28)),
    dialects: Array.from({ length: count }, (_, i) => view.readUInt16LE(start + i * 2)),
  };
}

export interface Smb2SessionSetupRequest {
  header: Smb2Header;
  flags: number;
  securityMode: number;
  capabilities: number;
  previousSessionId: bigint;
  securityBuffer: Buffer;
}

export function decodeSessionSetupRequest(bytes: Uint8Array): Smb2SessionSetupRequest | Malformed {
  const opened = openRequest(bytes, SMB2_SESSION_SETUP, SESSION_SETUP_REQUEST_SIZE);
  if (opened instanceof Malformed) return opened;
  const { view, header, what } = opened;
  const body = HEADER_LENGTH;
  const buffer = securityBuffer(
    view,
    view.readUInt16LE(body + 12),
    view.readUInt16LE(body + 14),
    body + SESSION_SETUP_REQUEST_SIZE - 1,
    what,
  );
  if (buffer instanceof Malformed) return buffer;
  return {
    header,
    flags: view.readUInt8(body + 2),
    securityMode: view.readUInt8(body + 3),
    capabilities: view.readUInt32LE(body + 4),
    previousSessionId: view.readBigUInt64LE(body + 16),
    securityBuffer: buffer,
  };
}
