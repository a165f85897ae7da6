// Kerberos 5 bytes on the wire for the port probes of 88 (KDC) and 464 (kpasswd): one AS-REQ
// for a principal that cannot exist, and the decoding of what comes back. Any KRB-ERROR proves
// that a KDC answered; no key, no password and no real account is ever involved.
//
// The AS-REQ and the KRB-ERROR are the canary's codecs (kerberos-messages.ts), over the shared
// BER layer (ber.ts; RFC 4120 section 5, X.690). Everything here is pure and never throws: every
// length read from the wire is checked against the bytes that are actually there, and against
// its parent element.

import { hexTag, Malformed, readWhole, tlv } from './ber.js';
import {
  checkHeader,
  optional,
  printable,
  readMessage,
  readString,
  readU16,
  readU32,
  SEQUENCE,
} from './kerberos-der.js';
import { decodeKdcRequest, decodeKrbError as decodeFullKrbError, encodeAsRequest } from './kerberos-messages.js';

export { KRB_ERROR_NAMES, krbErrorName } from './kerberos-der.js';

/** kpasswd result codes (RFC 3244 2), carried in the e-data of its KRB-ERROR replies. */
const KPASSWD_RESULT_NAMES: Readonly<Record<number, string>> = Object.freeze({
  0: 'KRB5_KPASSWD_SUCCESS',
  1: 'KRB5_KPASSWD_MALFORMED',
  2: 'KRB5_KPASSWD_HARDERROR',
  3: 'KRB5_KPASSWD_AUTHERROR',
  4: 'KRB5_KPASSWD_SOFTERROR',
  5: 'KRB5_KPASSWD_ACCESSDENIED',
  6: 'KRB5_KPASSWD_BAD_VERSION',
  7: 'KRB5_KPASSWD_INITIAL_FLAG_NEEDED',
});

export interface AsReqOptions {
  realm: string;
  clientName: string;
  nonce: number;
  till?: Date;
  etypes?: number[];
}

export type KerberosReply =
  | {
      kind: 'krb-error';
      errorCode: number;
      errorName: string;
      realm: string | undefined;
      serverTime: Date | undefined;
      text: string | undefined;
    }
  | { kind: 'as-rep'; realm: string | undefined }
  | { kind: 'malformed'; reason: string };

/** What decodeAsReq reads back out of an AS-REQ: the fields that encodeAsReq writes. */
export interface DecodedAsReq {
  kind: 'as-req';
  kdcOptions: number;
  clientNameType: number;
  clientName: string[];
  realm: string;
  serverNameType: number;
  serverName: string[];
  till: Date;
  nonce: number;
  etypes: number[];
}

// Constructed [APPLICATION n] tags of the Kerberos messages.
const AS_REP = 0x6b;
const AP_REQ = 0x6e;
const AP_REP = 0x6f;
const KRB_PRIV = 0x75;
const KRB_ERROR = 0x7e;

const NT_PRINCIPAL = 1;
const NT_SRV_INST = 2;
// forwardable (bit 1), renewable (bit 8), canonicalize (bit 15): what Windows clients ask for,
// so the probe looks like an ordinary first AS exchange to the KDC.
const DEFAULT_KDC_OPTIONS = 0x40810000;
// aes256-cts-hmac-sha1-96, aes128-cts-hmac-sha1-96, rc4-hmac.
const DEFAULT_ETYPES: readonly number[] = [18, 17, 23];
// The "end of time" that MIT and Heimdal clients put in till: 2^31 - 1 seconds after the epoch.
const DEFAULT_TILL = new Date(Date.UTC(2037, 8, 13, 2, 48, 5));

/** A TCP reply longer than this is not a KDC answering a probe. */
const MAX_TCP_MESSAGE = 1024 * 1024;

function isInt32(value: number): boolean {
  return Number.isInteger(value) && value >= -0x80000000 && value <= 0x7fffffff;
}

/**
 * An AS-REQ without pre-authentication. Never throws: a nonce outside 31 bits is folded into
 * them (Windows KDCs reject nonces with the high bit set), a till that KerberosTime cannot
 * express falls back to the default, and etypes that are not Int32 are left out. The realm is
 * sent as given: an AD realm is the upper-cased DNS domain name.
 */
export function encodeAsReq(options: AsReqOptions): Buffer {
  const nonce = (options.nonce >>> 0) & 0x7fffffff;
  const tillYear = options.till?.getUTCFullYear() ?? Number.NaN;
  const till = options.till !== undefined && tillYear >= 1 && tillYear <= 9999 ? options.till : DEFAULT_TILL;
  const etypes = (options.etypes ?? DEFAULT_ETYPES).filter(isInt32);
  const body = {
    kdcOptions: DEFAULT_KDC_OPTIONS,
    cname: { nameType: NT_PRINCIPAL, components: [options.clientName] },
    realm: options.realm,
    sname: { nameType: NT_SRV_INST, components: ['krbtgt', options.realm] },
    till,
    nonce,
    etypes,
  };
  return encodeAsRequest({ body }).message;
}

/** RFC 4120 7.2.2: over TCP each message is preceded by its length, 4 bytes big-endian. */
export function frameTcp(message: Buffer): Buffer {
  const frame = Buffer.alloc(4 + message.length);
  frame.writeUInt32BE(message.length >>> 0, 0);
  message.copy(frame, 4);
  return frame;
}

/** For TCP: reads the 4-byte length prefix; 'incomplete' until all bytes are there; malformed if the length is absurd (> 1 MiB) or the high bit is set. */
export function unframeTcp(
  buffered: Uint8Array,
):
  { kind: 'complete'; message: Buffer; rest: Buffer } | { kind: 'incomplete' } | { kind: 'malformed'; reason: string } {
  if (buffered.length < 4) return { kind: 'incomplete' };
  const length = readU32(buffered, 0);
  // RFC 4120 reserves the high bit for extensions no KDC here negotiates; a reply with it
  // set cannot be a plain Kerberos message.
  if (length >= 0x80000000)
    return { kind: 'malformed', reason: `TCP length prefix 0x${length.toString(16)} has the reserved high bit set` };
  if (length > MAX_TCP_MESSAGE)
    return { kind: 'malformed', reason: `TCP length prefix announces ${length} bytes, more than a KDC reply can be` };
  if (buffered.length - 4 < length) return { kind: 'incomplete' };
  // Copies, so that the caller may reuse or drop its receive buffer.
  return {
    kind: 'complete',
    message: Buffer.from(buffered.subarray(4, 4 + length)),
    rest: Buffer.from(buffered.subarray(4 + length)),
  };
}

// ---------------------------------------------------------------------------------------------
// Kerberos messages.

type KrbError = Extract<KerberosReply, { kind: 'krb-error' }>;

/** The fields the port probe reports, from the full decoder of the canary's messages. */
function readKrbError(bytes: Uint8Array): { reply: KrbError; eData: Uint8Array | undefined } | Malformed {
  const error = decodeFullKrbError(bytes);
  if (error instanceof Malformed) return error;
  const { errorCode, errorName, realm, stime, eText } = error;
  return {
    reply: { kind: 'krb-error', errorCode, errorName, realm, serverTime: stime, text: eText },
    eData: error.eData?.bytes,
  };
}

function decodeKrbError(bytes: Uint8Array): KerberosReply {
  const result = readKrbError(bytes);
  return result instanceof Malformed ? { kind: 'malformed', reason: result.reason } : result.reply;
}

function decodeAsRep(bytes: Uint8Array): KerberosReply {
  const what = 'AS-REP';
  const fields = readMessage(bytes, AS_REP, what);
  if (fields instanceof Malformed) return { kind: 'malformed', reason: fields.reason };
  const header = checkHeader(bytes, fields, 0, 11, what);
  if (header) return { kind: 'malformed', reason: header.reason };
  const realm = optional(fields, 3, (e) => readString(bytes, e, `${what} crealm`));
  if (realm instanceof Malformed) return { kind: 'malformed', reason: realm.reason };
  return { kind: 'as-rep', realm };
}

/** A reply from a KDC: KRB-ERROR [APPLICATION 30] or AS-REP [APPLICATION 11], filling all of bytes. */
export function decodeKerberosReply(bytes: Uint8Array): KerberosReply {
  const tag = bytes[0];
  if (tag === undefined) return { kind: 'malformed', reason: 'empty reply' };
  if (tag === KRB_ERROR) return decodeKrbError(bytes);
  if (tag === AS_REP) return decodeAsRep(bytes);
  return {
    kind: 'malformed',
    reason: `reply starts with tag ${hexTag(tag)}, neither KRB-ERROR (0x7e) nor AS-REP (0x6b)`,
  };
}

/**
 * kpasswd replies (RFC 3244): u16 message length, u16 version (0x0001 or 0xff80), u16 AP-REP
 * length, AP-REP, then KRB-PRIV or KRB-ERROR. A bare KRB-ERROR is accepted too. In the framed
 * form errorName names the kpasswd result code from e-data (e.g. KRB5_KPASSWD_HARDERROR) and
 * text falls back to the result string; errorCode stays what the KRB-ERROR says.
 */
export function decodeKpasswdReply(bytes: Uint8Array): KerberosReply {
  const first = bytes[0];
  if (first === KRB_ERROR || first === AS_REP) {
    const bare = decodeKerberosReply(bytes);
    // 0x7e or 0x6b could also be the high byte of a framed length of about 30 KiB: try the
    // framing too before giving up, when the length would fit.
    if (bare.kind !== 'malformed' || bytes.length < 6 || readU16(bytes, 0) !== bytes.length) return bare;
  }
  if (bytes.length < 6)
    return { kind: 'malformed', reason: `kpasswd reply of ${bytes.length} bytes is shorter than its header` };
  const length = readU16(bytes, 0);
  if (length !== bytes.length)
    return { kind: 'malformed', reason: `kpasswd header announces ${length} bytes, the reply has ${bytes.length}` };
  const version = readU16(bytes, 2);
  if (version !== 0x0001 && version !== 0xff80)
    return {
      kind: 'malformed',
      reason: `kpasswd version 0x${version.toString(16).padStart(4, '0')} is neither 0x0001 nor 0xff80`,
    };
  const apRepLength = readU16(bytes, 4);
  if (apRepLength > bytes.length - 6)
    return { kind: 'malformed', reason: `kpasswd AP-REP length ${apRepLength} runs past the end of the reply` };
  if (apRepLength > 0) {
    const apRep = readWhole(bytes, 6, 6 + apRepLength, AP_REP, 'kpasswd AP-REP');
    if (apRep instanceof Malformed) return { kind: 'malformed', reason: apRep.reason };
  }
  const body = bytes.subarray(6 + apRepLength);
  const tag = body[0];
  if (tag === KRB_PRIV) {
    return {
      kind: 'malformed',
      reason: 'kpasswd sent KRB-PRIV, a password change result, which cannot answer an AS-REQ',
    };
  }
  if (tag !== KRB_ERROR)
    return {
      kind: 'malformed',
      reason: `kpasswd body starts with ${tag === undefined ? 'nothing' : `tag ${hexTag(tag)}`}, not KRB-ERROR`,
    };
  const result = readKrbError(body);
  if (result instanceof Malformed) return { kind: 'malformed', reason: result.reason };
  // RFC 3244 2: e-data carries the kpasswd result code (u16) and a result string. That code is
  // what the server meant (Samba puts the same number in error-code, where 2 would otherwise
  // read as KDC_ERR_SERVICE_EXP), so it names the error; the string stands in for e-text.
  const { reply, eData } = result;
  if (eData === undefined || eData.length < 2) return reply;
  const resultCode = readU16(eData, 0);
  const resultString = printable(eData.subarray(2));
  return {
    ...reply,
    errorName: KPASSWD_RESULT_NAMES[resultCode] ?? `KRB5_KPASSWD_${resultCode}`,
    text: reply.text ?? (resultString === '' ? undefined : resultString),
  };
}

/**
 * A request that any kpasswd server (RFC 3244) must refuse with an error reply: version 0x0001,
 * an empty AP-REQ and an empty KRB-PRIV. It names no principal and authenticates nothing, so it
 * can change no password. Samba 4.17 drops a bare AS-REQ on 464 (no reply on UDP, the TCP
 * connection closed) and a request without a KRB-PRIV part; this one gets a framed KRB-ERROR.
 */
export function encodeKpasswdProbe(): Buffer {
  const apReq = tlv(AP_REQ, tlv(SEQUENCE));
  const krbPriv = tlv(KRB_PRIV, tlv(SEQUENCE));
  const header = Buffer.alloc(6);
  header.writeUInt16BE(6 + apReq.length + krbPriv.length, 0);
  header.writeUInt16BE(0x0001, 2);
  header.writeUInt16BE(apReq.length, 4);
  return Buffer.concat([header, apReq, krbPriv]);
}

/** Reads an AS-REQ back, as a KDC would; for tests and for fake KDCs. Never throws. */
export function decodeAsReq(bytes: Uint8Array): DecodedAsReq | { kind: 'malformed'; reason: string } {
  const result = readAsReq(bytes);
  return result instanceof Malformed ? { kind: 'malformed', reason: result.reason } : result;
}

function readAsReq(bytes: Uint8Array): DecodedAsReq | Malformed {
  const request = decodeKdcRequest(bytes);
  if (request instanceof Malformed) return request;
  const { kind, body } = request;
  if (kind !== 'as-req') return new Malformed('AS-REQ: a TGS-REQ (tag 0x6c) where an AS-REQ was expected');
  if (body.cname === undefined) return new Malformed('AS-REQ req-body: required field [1] is missing');
  return {
    kind,
    kdcOptions: body.kdcOptions,
    clientNameType: body.cname.nameType,
    clientName: body.cname.components,
    realm: body.realm,
    serverNameType: body.sname.nameType,
    serverName: body.sname.components,
    till: body.till,
    nonce: body.nonce,
    etypes: [...body.etypes],
  };
}
