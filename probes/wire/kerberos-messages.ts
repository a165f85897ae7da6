// The Kerberos messages of a client's AS and TGS exchanges (RFC 4120 section 5), as DER over
// the shared BER layer: what the canary check sends and reads on its way to a service in a
// partner domain. No cryptography here: the encrypted parts go in and come out as EncryptedData,
// and their plaintexts (PA-ENC-TS-ENC, Authenticator, EncKDCRepPart) are encoded or decoded as
// bytes that someone else encrypts or has decrypted.
//
// Decoders never throw: whatever the network sent, they return a value or a Malformed naming
// the field, and every length is checked against its parent element (ber.ts). Encoders take our
// own values and throw a KerberosEncodeError for one that the message cannot carry (a nonce
// outside UInt32, a year past 9999): a bug in the caller, not something the network did.

import {
  explicit,
  expectTag,
  hexTag,
  integer,
  Malformed,
  readChildren,
  readFields,
  readInteger,
  readWhole,
  required,
  tlv,
  type BerElement,
} from './ber.js';
import {
  checkHeader,
  derFlags,
  derPrincipalName,
  derString,
  derTime,
  GENERAL_STRING,
  krbErrorName,
  OCTET_STRING,
  optional,
  readFlags,
  readMessage,
  readPrincipalName,
  readString,
  readTime,
  readWrappedFields,
  SEQUENCE,
  type PrincipalName,
} from './kerberos-der.js';

export type { PrincipalName };

// ---- constants (RFC 4120 7.5, RFC 6806, MS-KILE, MS-PAC)

/** Name types (RFC 4120 6.2, RFC 6806 for NT-ENTERPRISE). */
export const NT_PRINCIPAL = 1;
export const NT_SRV_INST = 2;
export const NT_SRV_HST = 3;
export const NT_ENTERPRISE = 10;

/** PA-DATA types (RFC 4120 7.5.2; MS-KILE 2.2.3 for PA-PAC-REQUEST). */
export const PA_TGS_REQ = 1;
export const PA_ENC_TIMESTAMP = 2;
export const PA_ETYPE_INFO2 = 19;
export const PA_PAC_REQUEST = 128;

/** KDCOptions bits (RFC 4120 5.4.1; canonicalize from RFC 6806), bit 0 the high bit of the 32. */
export const KDC_OPTION_FORWARDABLE = 0x40000000;
export const KDC_OPTION_FORWARDED = 0x20000000;
export const KDC_OPTION_PROXIABLE = 0x10000000;
export const KDC_OPTION_RENEWABLE = 0x00800000;
export const KDC_OPTION_CANONICALIZE = 0x00010000;
export const KDC_OPTION_RENEWABLE_OK = 0x00000010;

/** TicketFlags bits (RFC 4120 5.3; name-canonicalize as Windows sets it, RFC 6806). */
export const TICKET_FLAG_FORWARDABLE = 0x40000000;
export const TICKET_FLAG_RENEWABLE = 0x00800000;
export const TICKET_FLAG_INITIAL = 0x00400000;
export const TICKET_FLAG_PRE_AUTHENT = 0x00200000;
export const TICKET_FLAG_OK_AS_DELEGATE = 0x00040000;
export const TICKET_FLAG_NAME_CANONICALIZE = 0x00010000;

/** Key usage numbers of these exchanges (RFC 4120 7.5.1), for whoever encrypts. */
export const KEY_USAGE_AS_REQ_PA_ENC_TIMESTAMP = 1;
export const KEY_USAGE_KDC_REP_TICKET = 2;
export const KEY_USAGE_AS_REP_ENC_PART = 3;
export const KEY_USAGE_TGS_REQ_AUTH_CKSUM = 6;
export const KEY_USAGE_TGS_REQ_AUTH = 7;
export const KEY_USAGE_TGS_REP_ENC_PART_SESSION_KEY = 8;
export const KEY_USAGE_TGS_REP_ENC_PART_SUBKEY = 9;

/** KERB-ERROR-DATA data-type of an extended error carrying a KERB-EXT-ERROR (MS-KILE 2.2.2). */
export const KERB_ERR_TYPE_EXTENDED = 3;

// [APPLICATION n] tags, constructed.
const TICKET = 0x61;
const AUTHENTICATOR = 0x62;
const AS_REQ = 0x6a;
const AS_REP = 0x6b;
const TGS_REQ = 0x6c;
const TGS_REP = 0x6d;
const AP_REQ = 0x6e;
const ENC_AS_REP_PART = 0x79;
const ENC_TGS_REP_PART = 0x7a;
const KRB_ERROR = 0x7e;

const BOOLEAN = 0x01;

// ---- types

export interface PaData {
  type: number;
  value: Uint8Array;
}

export interface EncryptedData {
  etype: number;
  kvno?: number | undefined;
  cipher: Uint8Array;
}

export interface EncryptionKey {
  keytype: number;
  keyvalue: Uint8Array;
}

export interface Checksum {
  cksumtype: number;
  checksum: Uint8Array;
}

export interface KdcRequestBody {
  kdcOptions: number;
  /** AS-REQ only: a TGS-REQ names its client in the ticket. */
  cname?: PrincipalName | undefined;
  realm: string;
  sname: PrincipalName;
  from?: Date | undefined;
  till: Date;
  rtime?: Date | undefined;
  /** UInt32; Windows KDCs refuse one with the high bit set, so draw 31 bits. */
  nonce: number;
  /** Most preferred first. */
  etypes: readonly number[];
  /** Windows clients send their NetBIOS name (addr-type 20); left out when undefined. */
  addresses?: readonly HostAddress[] | undefined;
  /** Encrypted AuthorizationData of a TGS-REQ (Windows sends one); left out when undefined. */
  encAuthorizationData?: EncryptedData | undefined;
}

export interface HostAddress {
  addrType: number;
  address: Uint8Array;
}

export interface KdcRequest {
  /** Left out of the message when undefined; an empty list is written as an empty SEQUENCE. */
  padata?: readonly PaData[] | undefined;
  body: KdcRequestBody;
}

export interface EncodedKdcRequest {
  message: Buffer;
  /** The KDC-REQ-BODY exactly as it is in message: what the TGS authenticator's checksum covers. */
  reqBody: Buffer;
}

export interface DecodedKdcRequest {
  kind: 'as-req' | 'tgs-req';
  padata: PaData[] | undefined;
  body: KdcRequestBody;
  reqBody: Uint8Array;
}

export interface ApRequest {
  apOptions: number;
  /** A whole Ticket, [APPLICATION 1], exactly as the KDC sent it. */
  ticket: Uint8Array;
  authenticator: EncryptedData;
}

export interface Authenticator {
  crealm: string;
  cname: PrincipalName;
  cksum?: Checksum | undefined;
  /** Microseconds, 0 to 999999. */
  cusec: number;
  ctime: Date;
  subkey?: EncryptionKey | undefined;
  seqNumber?: number | undefined;
}

export interface EtypeInfo2Entry {
  etype: number;
  /** The string-to-key salt, byte for byte as sent (RFC 4120 says UTF-8); absent: the default salt. */
  salt: Uint8Array | undefined;
  s2kparams: Uint8Array | undefined;
}

export interface Ticket {
  /** The whole [APPLICATION 1] element, to be sent on untouched. */
  bytes: Uint8Array;
  realm: string;
  sname: PrincipalName;
  encPart: EncryptedData;
}

export interface KdcReply {
  kind: 'as-rep' | 'tgs-rep';
  padata: PaData[];
  /** The entries of the PA-ETYPE-INFO2 in padata; empty without one. */
  etypeInfo2: EtypeInfo2Entry[];
  crealm: string;
  cname: PrincipalName;
  ticket: Ticket;
  encPart: EncryptedData;
}

/** What e-data held, when a KRB-ERROR has it; `bytes` is its content as sent. */
export type KrbErrorData =
  | { kind: 'method-data'; bytes: Uint8Array; padata: PaData[]; etypeInfo2: EtypeInfo2Entry[] }
  | {
      kind: 'kerb-error-data';
      bytes: Uint8Array;
      dataType: number;
      dataValue: Uint8Array | undefined;
      /** The NTSTATUS of a KERB-EXT-ERROR (data-type 3, MS-KILE 2.2.1), e.g. 0xc0000072. */
      status: number | undefined;
    }
  /** Bytes that are neither, kept with the reason they did not read as METHOD-DATA. */
  | { kind: 'opaque'; bytes: Uint8Array; reason: string };

export interface KrbError {
  kind: 'krb-error';
  errorCode: number;
  errorName: string;
  ctime: Date | undefined;
  cusec: number | undefined;
  stime: Date | undefined;
  susec: number | undefined;
  /** stime plus susec, to the millisecond: the KDC's clock, for the skew offset. */
  serverTime: Date | undefined;
  crealm: string | undefined;
  cname: PrincipalName | undefined;
  realm: string | undefined;
  sname: PrincipalName | undefined;
  eText: string | undefined;
  eData: KrbErrorData | undefined;
}

export interface EncKdcRepPart {
  /**
   * Which tag the KDC wrote: [APPLICATION 25] EncASRepPart or [APPLICATION 26] EncTGSRepPart.
   * Both are accepted in either reply: Windows is known to write 25 in TGS replies too, and
   * MIT and Heimdal accept either.
   */
  kind: 'enc-as-rep-part' | 'enc-tgs-rep-part';
  key: EncryptionKey;
  nonce: number;
  keyExpiration: Date | undefined;
  flags: number;
  authtime: Date;
  starttime: Date | undefined;
  endtime: Date;
  renewTill: Date | undefined;
  srealm: string;
  sname: PrincipalName;
}

export interface PaEncTsEnc {
  patimestamp: Date;
  pausec: number | undefined;
}

// ---- PrincipalName helpers

/**
 * 'ldap/dc.wingtip.test' or 'krbtgt/WINGTIP.TEST' as a PrincipalName, split at each '/'. A
 * realm ('@REALM') is not part of it. The name type defaults to NT-PRINCIPAL for one component
 * and NT-SRV-INST for more; an NT-ENTERPRISE name ('user@wingtip.test') is one component.
 */
export function principalName(text: string, nameType?: number): PrincipalName | Malformed {
  const components = nameType === NT_ENTERPRISE ? [text] : text.split('/');
  if (components.some((component) => component === '')) {
    return new Malformed(`principal name ${JSON.stringify(text)} has an empty component`);
  }
  return { nameType: nameType ?? (components.length === 1 ? NT_PRINCIPAL : NT_SRV_INST), components };
}

/** 'krbtgt/PARTNER.TEST@OWN.TEST', for reports. */
export function formatPrincipal(name: PrincipalName, realm?: string): string {
  const text = name.components.join('/');
  return realm === undefined ? text : `${text}@${realm}`;
}

// ---- encoders

/** A value the caller gave that the message cannot carry. */
export class KerberosEncodeError extends RangeError {
  override readonly name = 'KerberosEncodeError';
}

const INT32: readonly [number, number] = [-0x80000000, 0x7fffffff];
const UINT32: readonly [number, number] = [0, 0xffffffff];
const MICROSECONDS: readonly [number, number] = [0, 999999];

function checkedInteger(value: number, [min, max]: readonly [number, number], what: string): Buffer {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new KerberosEncodeError(`${what}: ${String(value)} is not an integer from ${min} to ${max}`);
  }
  return integer(value);
}

function checkedTime(date: Date, what: string): Buffer {
  const year = date.getUTCFullYear();
  if (!(year >= 1 && year <= 9999)) throw new KerberosEncodeError(`${what}: ${String(date)} is not a KerberosTime`);
  return derTime(date);
}

function checkedFlags(flags: number, what: string): Buffer {
  if (!Number.isSafeInteger(flags) || flags < 0 || flags > 0xffffffff) {
    throw new KerberosEncodeError(`${what}: ${String(flags)} is not 32 flag bits`);
  }
  return derFlags(flags);
}

function octets(value: Uint8Array): Buffer {
  return tlv(OCTET_STRING, value);
}

function principal(name: PrincipalName, what: string): Buffer {
  checkedInteger(name.nameType, INT32, `${what} name-type`);
  return derPrincipalName(name.nameType, name.components);
}

/** Explicit [n] fields of a SEQUENCE, skipping those left undefined. */
function sequence(...fields: (readonly [number, Buffer | undefined])[]): Buffer {
  return tlv(SEQUENCE, ...fields.flatMap(([n, value]) => (value === undefined ? [] : [explicit(n, value)])));
}

function ifDefined<T>(value: T | undefined, encode: (value: T) => Buffer): Buffer | undefined {
  return value === undefined ? undefined : encode(value);
}

export function encodePaData(padata: PaData): Buffer {
  return sequence([1, checkedInteger(padata.type, INT32, 'PA-DATA padata-type')], [2, octets(padata.value)]);
}

export function encodeEncryptedData(data: EncryptedData): Buffer {
  return sequence(
    [0, checkedInteger(data.etype, INT32, 'EncryptedData etype')],
    [1, ifDefined(data.kvno, (kvno) => checkedInteger(kvno, UINT32, 'EncryptedData kvno'))],
    [2, octets(data.cipher)],
  );
}

function encodeKey(key: EncryptionKey): Buffer {
  return sequence([0, checkedInteger(key.keytype, INT32, 'EncryptionKey keytype')], [1, octets(key.keyvalue)]);
}

/** KDC-REQ-BODY (RFC 4120 5.4.1): fields 0 to 10; no additional tickets (user-to-user). */
export function encodeKdcReqBody(body: KdcRequestBody): Buffer {
  const what = 'KDC-REQ-BODY';
  return sequence(
    [0, checkedFlags(body.kdcOptions, `${what} kdc-options`)],
    [1, ifDefined(body.cname, (cname) => principal(cname, `${what} cname`))],
    [2, derString(body.realm)],
    [3, principal(body.sname, `${what} sname`)],
    [4, ifDefined(body.from, (from) => checkedTime(from, `${what} from`))],
    [5, checkedTime(body.till, `${what} till`)],
    [6, ifDefined(body.rtime, (rtime) => checkedTime(rtime, `${what} rtime`))],
    [7, checkedInteger(body.nonce, UINT32, `${what} nonce`)],
    [8, tlv(SEQUENCE, ...body.etypes.map((etype) => checkedInteger(etype, INT32, `${what} etype`)))],
    [
      9,
      ifDefined(body.addresses, (addresses) =>
        tlv(
          SEQUENCE,
          ...addresses.map((address) =>
            sequence([0, checkedInteger(address.addrType, INT32, `${what} addr-type`)], [1, octets(address.address)]),
          ),
        ),
      ),
    ],
    [10, ifDefined(body.encAuthorizationData, encodeEncryptedData)],
  );
}

function encodeKdcRequest(applicationTag: number, msgType: number, request: KdcRequest): EncodedKdcRequest {
  const reqBody = encodeKdcReqBody(request.body);
  const padata = ifDefined(request.padata, (list) => tlv(SEQUENCE, ...list.map(encodePaData)));
  const message = tlv(applicationTag, sequence([1, integer(5)], [2, integer(msgType)], [3, padata], [4, reqBody]));
  return { message, reqBody };
}

/** AS-REQ, [APPLICATION 10]. */
export function encodeAsRequest(request: KdcRequest): EncodedKdcRequest {
  return encodeKdcRequest(AS_REQ, 10, request);
}

/** TGS-REQ, [APPLICATION 12]; its padata carries the PA-TGS-REQ (an AP-REQ). */
export function encodeTgsRequest(request: KdcRequest): EncodedKdcRequest {
  return encodeKdcRequest(TGS_REQ, 12, request);
}

/**
 * PA-ENC-TS-ENC, the plaintext of PA-ENC-TIMESTAMP (RFC 4120 5.2.7.2). KerberosTime has whole
 * seconds; pausec carries the rest, by default the milliseconds of `patimestamp`.
 */
export function encodePaEncTsEnc(patimestamp: Date, pausec = patimestamp.getUTCMilliseconds() * 1000): Buffer {
  return sequence(
    [0, checkedTime(patimestamp, 'PA-ENC-TS-ENC patimestamp')],
    [1, checkedInteger(pausec, MICROSECONDS, 'PA-ENC-TS-ENC pausec')],
  );
}

/** KERB-PA-PAC-REQUEST (MS-KILE 2.2.3), the value of PA-PAC-REQUEST. */
export function encodePaPacRequest(includePac: boolean): Buffer {
  return sequence([0, tlv(BOOLEAN, Buffer.of(includePac ? 0xff : 0x00))]);
}

/** AP-REQ, [APPLICATION 14] (RFC 4120 5.5.1): the ticket goes in byte for byte. */
export function encodeApReq(request: ApRequest): Buffer {
  return tlv(
    AP_REQ,
    sequence(
      [0, integer(5)],
      [1, integer(14)],
      [2, checkedFlags(request.apOptions, 'AP-REQ ap-options')],
      [3, Buffer.from(request.ticket)],
      [4, encodeEncryptedData(request.authenticator)],
    ),
  );
}

/** Authenticator, [APPLICATION 2] (RFC 4120 5.5.1): the plaintext of the AP-REQ's authenticator. */
export function encodeAuthenticator(authenticator: Authenticator): Buffer {
  const what = 'Authenticator';
  return tlv(
    AUTHENTICATOR,
    sequence(
      [0, integer(5)],
      [1, derString(authenticator.crealm)],
      [2, principal(authenticator.cname, `${what} cname`)],
      [
        3,
        ifDefined(authenticator.cksum, (cksum) =>
          sequence([0, checkedInteger(cksum.cksumtype, INT32, `${what} cksumtype`)], [1, octets(cksum.checksum)]),
        ),
      ],
      [4, checkedInteger(authenticator.cusec, MICROSECONDS, `${what} cusec`)],
      [5, checkedTime(authenticator.ctime, `${what} ctime`)],
      [6, ifDefined(authenticator.subkey, encodeKey)],
      [7, ifDefined(authenticator.seqNumber, (seq) => checkedInteger(seq, UINT32, `${what} seq-number`))],
    ),
  );
}

// ---- decoders: each reader takes the element it reads and names the field in its Malformed

type Fields = Map<number, BerElement>;

/** A required field read by `read`. */
function field<T>(
  fields: Fields,
  n: number,
  what: string,
  read: (element: BerElement) => T | Malformed,
): T | Malformed {
  const element = required(fields, n, what);
  return element instanceof Malformed ? element : read(element);
}

function readSequenceFields(bytes: Uint8Array, element: BerElement, what: string): Fields | Malformed {
  return expectTag(element, SEQUENCE, what) ?? readFields(bytes, element, what);
}

function readApplicationFields(bytes: Uint8Array, element: BerElement, tag: number, what: string): Fields | Malformed {
  return expectTag(element, tag, what) ?? readWrappedFields(bytes, element, what);
}

function readSequenceOf<T>(
  bytes: Uint8Array,
  element: BerElement,
  what: string,
  read: (element: BerElement) => T | Malformed,
): T[] | Malformed {
  const wrongTag = expectTag(element, SEQUENCE, what);
  if (wrongTag) return wrongTag;
  const children = readChildren(bytes, element, what);
  if (children instanceof Malformed) return children;
  const items: T[] = [];
  for (const child of children) {
    const item = read(child);
    if (item instanceof Malformed) return item;
    items.push(item);
  }
  return items;
}

/** Bytes of a message, copied (Buffer's slice would not): they outlive the caller's receive buffer. */
function copy(bytes: Uint8Array, start: number, end: number): Buffer {
  return Buffer.from(bytes.subarray(start, end));
}

/** The content of an OCTET STRING, copied: it outlives the caller's receive buffer. */
function readOctets(bytes: Uint8Array, element: BerElement, what: string): Uint8Array | Malformed {
  return expectTag(element, OCTET_STRING, what) ?? copy(bytes, element.contentStart, element.end);
}

/**
 * A UInt32. RFC 4120 5.2.4 warns that some implementations write one as a negative Int32 in
 * four bytes; that form reads as the same 32 bits.
 */
function readUInt32(bytes: Uint8Array, element: BerElement, what: string): number | Malformed {
  const value = readInteger(bytes, element, what, 5);
  if (value instanceof Malformed) return value;
  if (value < -0x80000000 || value > 0xffffffff) return new Malformed(`${what}: ${value} is not a UInt32`);
  return value >>> 0;
}

function readMicroseconds(bytes: Uint8Array, element: BerElement, what: string): number | Malformed {
  const value = readInteger(bytes, element, what);
  if (value instanceof Malformed) return value;
  return value < 0 || value > 999999 ? new Malformed(`${what}: ${value} is not 0 to 999999 microseconds`) : value;
}

/** Decodes `bytes` whole with `read`, the one element there. */
function whole<T>(bytes: Uint8Array, what: string, read: (element: BerElement) => T | Malformed): T | Malformed {
  const tag = bytes[0];
  if (tag === undefined) return new Malformed(`${what}: no bytes`);
  const element = readWhole(bytes, 0, bytes.length, tag, what);
  return element instanceof Malformed ? element : read(element);
}

function readPaData(bytes: Uint8Array, element: BerElement, what: string): PaData | Malformed {
  const fields = readSequenceFields(bytes, element, what);
  if (fields instanceof Malformed) return fields;
  const type = field(fields, 1, what, (e) => readInteger(bytes, e, `${what} padata-type`));
  if (type instanceof Malformed) return type;
  const value = field(fields, 2, what, (e) => readOctets(bytes, e, `${what} padata-value`));
  if (value instanceof Malformed) return value;
  return { type, value };
}

function readPaDataList(bytes: Uint8Array, element: BerElement, what: string): PaData[] | Malformed {
  return readSequenceOf(bytes, element, what, (e) => readPaData(bytes, e, `${what} PA-DATA`));
}

function readEtypeInfo2Entry(bytes: Uint8Array, element: BerElement, what: string): EtypeInfo2Entry | Malformed {
  const fields = readSequenceFields(bytes, element, what);
  if (fields instanceof Malformed) return fields;
  const etype = field(fields, 0, what, (e) => readInteger(bytes, e, `${what} etype`));
  if (etype instanceof Malformed) return etype;
  // The salt is key material input: its exact bytes, not the printable form of readString.
  const salt = optional(
    fields,
    1,
    (e) => expectTag(e, GENERAL_STRING, `${what} salt`) ?? copy(bytes, e.contentStart, e.end),
  );
  if (salt instanceof Malformed) return salt;
  const s2kparams = optional(fields, 2, (e) => readOctets(bytes, e, `${what} s2kparams`));
  if (s2kparams instanceof Malformed) return s2kparams;
  return { etype, salt, s2kparams };
}

/** METHOD-DATA (a SEQUENCE OF PA-DATA), as in a KRB-ERROR's e-data. */
export function decodeMethodData(bytes: Uint8Array): PaData[] | Malformed {
  return whole(bytes, 'METHOD-DATA', (element) => readPaDataList(bytes, element, 'METHOD-DATA'));
}

/** ETYPE-INFO2 (RFC 4120 5.2.7.5), the value of PA-ETYPE-INFO2: one entry per etype, the KDC's preference first. */
export function decodeEtypeInfo2(bytes: Uint8Array): EtypeInfo2Entry[] | Malformed {
  const what = 'ETYPE-INFO2';
  return whole(bytes, what, (element) =>
    readSequenceOf(bytes, element, what, (e) => readEtypeInfo2Entry(bytes, e, `${what} entry`)),
  );
}

/** The value of the first PA-DATA of `type`. */
export function findPaData(padata: readonly PaData[] | undefined, type: number): Uint8Array | undefined {
  return padata?.find((entry) => entry.type === type)?.value;
}

/** The entries of the PA-ETYPE-INFO2 in `padata`: none without one. */
function etypeInfo2Of(padata: readonly PaData[]): EtypeInfo2Entry[] | Malformed {
  const value = findPaData(padata, PA_ETYPE_INFO2);
  return value === undefined ? [] : decodeEtypeInfo2(value);
}

function readEncryptedData(bytes: Uint8Array, element: BerElement, what: string): EncryptedData | Malformed {
  const fields = readSequenceFields(bytes, element, what);
  if (fields instanceof Malformed) return fields;
  const etype = field(fields, 0, what, (e) => readInteger(bytes, e, `${what} etype`));
  if (etype instanceof Malformed) return etype;
  const kvno = optional(fields, 1, (e) => readUInt32(bytes, e, `${what} kvno`));
  if (kvno instanceof Malformed) return kvno;
  const cipher = field(fields, 2, what, (e) => readOctets(bytes, e, `${what} cipher`));
  if (cipher instanceof Malformed) return cipher;
  return { etype, kvno, cipher };
}

export function decodeEncryptedData(bytes: Uint8Array): EncryptedData | Malformed {
  return whole(bytes, 'EncryptedData', (element) => readEncryptedData(bytes, element, 'EncryptedData'));
}

function readTicket(bytes: Uint8Array, element: BerElement, what: string): Ticket | Malformed {
  const fields = readApplicationFields(bytes, element, TICKET, what);
  if (fields instanceof Malformed) return fields;
  const vno = field(fields, 0, what, (e) => readInteger(bytes, e, `${what} tkt-vno`));
  if (vno instanceof Malformed) return vno;
  if (vno !== 5) return new Malformed(`${what}: tkt-vno ${vno}, not 5`);
  const realm = field(fields, 1, what, (e) => readString(bytes, e, `${what} realm`));
  if (realm instanceof Malformed) return realm;
  const sname = field(fields, 2, what, (e) => readPrincipalName(bytes, e, `${what} sname`));
  if (sname instanceof Malformed) return sname;
  const encPart = field(fields, 3, what, (e) => readEncryptedData(bytes, e, `${what} enc-part`));
  if (encPart instanceof Malformed) return encPart;
  return { bytes: copy(bytes, element.start, element.end), realm, sname, encPart };
}

export function decodeTicket(bytes: Uint8Array): Ticket | Malformed {
  return whole(bytes, 'Ticket', (element) => readTicket(bytes, element, 'Ticket'));
}

function readKey(bytes: Uint8Array, element: BerElement, what: string): EncryptionKey | Malformed {
  const fields = readSequenceFields(bytes, element, what);
  if (fields instanceof Malformed) return fields;
  const keytype = field(fields, 0, what, (e) => readInteger(bytes, e, `${what} keytype`));
  if (keytype instanceof Malformed) return keytype;
  const keyvalue = field(fields, 1, what, (e) => readOctets(bytes, e, `${what} keyvalue`));
  if (keyvalue instanceof Malformed) return keyvalue;
  return new SessionKey(keytype, keyvalue);
}

/** A key read from a reply: printed or turned into JSON, it shows its type and length, never its bytes. */
class SessionKey implements EncryptionKey {
  constructor(
    readonly keytype: number,
    readonly keyvalue: Uint8Array,
  ) {}

  toJSON(): object {
    return { keytype: this.keytype, keyvalue: `[${this.keyvalue.length} bytes, not shown]` };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `EncryptionKey { keytype: ${this.keytype}, keyvalue: [${this.keyvalue.length} bytes, not shown] }`;
  }
}

// ---- replies

function readKdcReply(bytes: Uint8Array, kind: KdcReply['kind']): KdcReply | Malformed {
  const [tag, msgType, what] = kind === 'as-rep' ? [AS_REP, 11, 'AS-REP'] : [TGS_REP, 13, 'TGS-REP'];
  const fields = readMessage(bytes, tag, what);
  if (fields instanceof Malformed) return fields;
  const header = checkHeader(bytes, fields, 0, msgType, what);
  if (header) return header;
  const padata = optional(fields, 2, (e) => readPaDataList(bytes, e, `${what} padata`)) ?? [];
  if (padata instanceof Malformed) return padata;
  const etypeInfo2 = etypeInfo2Of(padata);
  if (etypeInfo2 instanceof Malformed) return new Malformed(`${what} padata: ${etypeInfo2.reason}`);
  const crealm = field(fields, 3, what, (e) => readString(bytes, e, `${what} crealm`));
  if (crealm instanceof Malformed) return crealm;
  const cname = field(fields, 4, what, (e) => readPrincipalName(bytes, e, `${what} cname`));
  if (cname instanceof Malformed) return cname;
  const ticket = field(fields, 5, what, (e) => readTicket(bytes, e, `${what} ticket`));
  if (ticket instanceof Malformed) return ticket;
  const encPart = field(fields, 6, what, (e) => readEncryptedData(bytes, e, `${what} enc-part`));
  if (encPart instanceof Malformed) return encPart;
  return { kind, padata, etypeInfo2, crealm, cname, ticket, encPart };
}

/** KERB-ERROR-DATA (MS-KILE 2.2.2), with the NTSTATUS of a KERB-EXT-ERROR (2.2.1, little-endian). */
function readKerbErrorData(bytes: Uint8Array, element: BerElement): KrbErrorData | Malformed {
  const what = 'KERB-ERROR-DATA';
  const fields = readSequenceFields(bytes, element, what);
  if (fields instanceof Malformed) return fields;
  const dataType = field(fields, 1, what, (e) => readInteger(bytes, e, `${what} data-type`));
  if (dataType instanceof Malformed) return dataType;
  const dataValue = optional(fields, 2, (e) => readOctets(bytes, e, `${what} data-value`));
  if (dataValue instanceof Malformed) return dataValue;
  const status =
    dataType === KERB_ERR_TYPE_EXTENDED && dataValue?.length === 12
      ? new DataView(dataValue.buffer, dataValue.byteOffset, 12).getUint32(0, true)
      : undefined;
  return { kind: 'kerb-error-data', bytes: copy(bytes, element.start, element.end), dataType, dataValue, status };
}

/**
 * e-data is an OCTET STRING whose content RFC 4120 leaves open: METHOD-DATA after a
 * pre-authentication error, KERB-ERROR-DATA for Windows' extended errors, or anything else.
 * What reads as neither is kept as bytes, so the error code is never lost to it.
 */
function readErrorData(eData: Uint8Array): KrbErrorData {
  const element = readWhole(eData, 0, eData.length, SEQUENCE, 'e-data');
  if (element instanceof Malformed) return { kind: 'opaque', bytes: eData, reason: element.reason };
  // KERB-ERROR-DATA starts with its [1] data-type; METHOD-DATA with a PA-DATA SEQUENCE.
  if (eData[element.contentStart] === 0xa1) {
    const data = readKerbErrorData(eData, element);
    return data instanceof Malformed ? { kind: 'opaque', bytes: eData, reason: data.reason } : data;
  }
  const padata = readPaDataList(eData, element, 'METHOD-DATA');
  if (padata instanceof Malformed) return { kind: 'opaque', bytes: eData, reason: padata.reason };
  const etypeInfo2 = etypeInfo2Of(padata);
  if (etypeInfo2 instanceof Malformed) return { kind: 'opaque', bytes: eData, reason: etypeInfo2.reason };
  return { kind: 'method-data', bytes: eData, padata, etypeInfo2 };
}

export function decodeKrbError(bytes: Uint8Array): KrbError | Malformed {
  const what = 'KRB-ERROR';
  const fields = readMessage(bytes, KRB_ERROR, what);
  if (fields instanceof Malformed) return fields;
  const header = checkHeader(bytes, fields, 0, 30, what);
  if (header) return header;
  const errorCode = field(fields, 6, what, (e) => readInteger(bytes, e, `${what} error-code`));
  if (errorCode instanceof Malformed) return errorCode;
  // RFC 4120 makes stime, susec, realm and sname mandatory, but the error code alone proves that
  // a KDC answered (the port probe reads errors with this too): their absence is tolerated, a
  // wrong type is not, and microseconds out of range only stay out of serverTime.
  const ctime = optional(fields, 2, (e) => readTime(bytes, e, `${what} ctime`));
  if (ctime instanceof Malformed) return ctime;
  const cusec = optional(fields, 3, (e) => readInteger(bytes, e, `${what} cusec`));
  if (cusec instanceof Malformed) return cusec;
  const stime = optional(fields, 4, (e) => readTime(bytes, e, `${what} stime`));
  if (stime instanceof Malformed) return stime;
  const susec = optional(fields, 5, (e) => readInteger(bytes, e, `${what} susec`));
  if (susec instanceof Malformed) return susec;
  const crealm = optional(fields, 7, (e) => readString(bytes, e, `${what} crealm`));
  if (crealm instanceof Malformed) return crealm;
  const cname = optional(fields, 8, (e) => readPrincipalName(bytes, e, `${what} cname`));
  if (cname instanceof Malformed) return cname;
  const realm = optional(fields, 9, (e) => readString(bytes, e, `${what} realm`));
  if (realm instanceof Malformed) return realm;
  const sname = optional(fields, 10, (e) => readPrincipalName(bytes, e, `${what} sname`));
  if (sname instanceof Malformed) return sname;
  const eText = optional(fields, 11, (e) => readString(bytes, e, `${what} e-text`));
  if (eText instanceof Malformed) return eText;
  const eData = optional(fields, 12, (e) => readOctets(bytes, e, `${what} e-data`));
  if (eData instanceof Malformed) return eData;
  const subsecond = susec !== undefined && susec >= 0 && susec <= 999999 ? Math.floor(susec / 1000) : 0;
  const serverTime = stime === undefined ? undefined : new Date(stime.getTime() + subsecond);
  return {
    kind: 'krb-error',
    errorCode,
    errorName: krbErrorName(errorCode),
    ctime,
    cusec,
    stime,
    susec,
    serverTime,
    crealm,
    cname,
    realm,
    sname,
    eText,
    eData: eData === undefined ? undefined : readErrorData(eData),
  };
}

export function decodeAsRep(bytes: Uint8Array): KdcReply | Malformed {
  return readKdcReply(bytes, 'as-rep');
}

export function decodeTgsRep(bytes: Uint8Array): KdcReply | Malformed {
  return readKdcReply(bytes, 'tgs-rep');
}

/** What a KDC answered: AS-REP, TGS-REP or KRB-ERROR, filling all of bytes. */
export function decodeKdcReply(bytes: Uint8Array): KdcReply | KrbError | Malformed {
  const tag = bytes[0];
  if (tag === AS_REP) return readKdcReply(bytes, 'as-rep');
  if (tag === TGS_REP) return readKdcReply(bytes, 'tgs-rep');
  if (tag === KRB_ERROR) return decodeKrbError(bytes);
  return new Malformed(
    tag === undefined
      ? 'empty KDC reply'
      : `KDC reply starts with tag ${hexTag(tag)}, none of AS-REP (0x6b), TGS-REP (0x6d) or KRB-ERROR (0x7e)`,
  );
}

/** EncASRepPart or EncTGSRepPart (RFC 4120 5.4.2): the decrypted enc-part of either reply. */
export function decodeEncKdcRepPart(plaintext: Uint8Array): EncKdcRepPart | Malformed {
  const bytes = plaintext;
  const tag = bytes[0];
  const kind = tag === ENC_AS_REP_PART ? 'enc-as-rep-part' : tag === ENC_TGS_REP_PART ? 'enc-tgs-rep-part' : undefined;
  if (kind === undefined) {
    return new Malformed(
      `EncKDCRepPart: ${tag === undefined ? 'no bytes' : `tag ${hexTag(tag)}`}, neither [APPLICATION 25] (0x79) nor [APPLICATION 26] (0x7a)`,
    );
  }
  const what = kind === 'enc-as-rep-part' ? 'EncASRepPart' : 'EncTGSRepPart';
  const fields = readMessage(bytes, tag ?? 0, what);
  if (fields instanceof Malformed) return fields;
  const key = field(fields, 0, what, (e) => readKey(bytes, e, `${what} key`));
  if (key instanceof Malformed) return key;
  const lastReq = field(fields, 1, what, (e) => expectTag(e, SEQUENCE, `${what} last-req`));
  if (lastReq instanceof Malformed) return lastReq;
  const nonce = field(fields, 2, what, (e) => readUInt32(bytes, e, `${what} nonce`));
  if (nonce instanceof Malformed) return nonce;
  const keyExpiration = optional(fields, 3, (e) => readTime(bytes, e, `${what} key-expiration`));
  if (keyExpiration instanceof Malformed) return keyExpiration;
  const flags = field(fields, 4, what, (e) => readFlags(bytes, e, `${what} flags`));
  if (flags instanceof Malformed) return flags;
  const authtime = field(fields, 5, what, (e) => readTime(bytes, e, `${what} authtime`));
  if (authtime instanceof Malformed) return authtime;
  const starttime = optional(fields, 6, (e) => readTime(bytes, e, `${what} starttime`));
  if (starttime instanceof Malformed) return starttime;
  const endtime = field(fields, 7, what, (e) => readTime(bytes, e, `${what} endtime`));
  if (endtime instanceof Malformed) return endtime;
  const renewTill = optional(fields, 8, (e) => readTime(bytes, e, `${what} renew-till`));
  if (renewTill instanceof Malformed) return renewTill;
  const srealm = field(fields, 9, what, (e) => readString(bytes, e, `${what} srealm`));
  if (srealm instanceof Malformed) return srealm;
  const sname = field(fields, 10, what, (e) => readPrincipalName(bytes, e, `${what} sname`));
  if (sname instanceof Malformed) return sname;
  return { kind, key, nonce, keyExpiration, flags, authtime, starttime, endtime, renewTill, srealm, sname };
}

// ---- requests and plaintexts read back, as a KDC would: for tests and for fake KDCs

function readKdcReqBody(bytes: Uint8Array, element: BerElement, what: string): KdcRequestBody | Malformed {
  const fields = readSequenceFields(bytes, element, what);
  if (fields instanceof Malformed) return fields;
  const kdcOptions = field(fields, 0, what, (e) => readFlags(bytes, e, `${what} kdc-options`));
  if (kdcOptions instanceof Malformed) return kdcOptions;
  const cname = optional(fields, 1, (e) => readPrincipalName(bytes, e, `${what} cname`));
  if (cname instanceof Malformed) return cname;
  const realm = field(fields, 2, what, (e) => readString(bytes, e, `${what} realm`));
  if (realm instanceof Malformed) return realm;
  // Optional in RFC 4120 only for user-to-user, which nothing here sends.
  const sname = field(fields, 3, what, (e) => readPrincipalName(bytes, e, `${what} sname`));
  if (sname instanceof Malformed) return sname;
  const from = optional(fields, 4, (e) => readTime(bytes, e, `${what} from`));
  if (from instanceof Malformed) return from;
  const till = field(fields, 5, what, (e) => readTime(bytes, e, `${what} till`));
  if (till instanceof Malformed) return till;
  const rtime = optional(fields, 6, (e) => readTime(bytes, e, `${what} rtime`));
  if (rtime instanceof Malformed) return rtime;
  const nonce = field(fields, 7, what, (e) => readUInt32(bytes, e, `${what} nonce`));
  if (nonce instanceof Malformed) return nonce;
  const etypes = field(fields, 8, what, (e) =>
    readSequenceOf(bytes, e, `${what} etype`, (etype) => readInteger(bytes, etype, `${what} etype`)),
  );
  if (etypes instanceof Malformed) return etypes;
  const addresses = optional(fields, 9, (e) =>
    readSequenceOf(bytes, e, `${what} addresses`, (address) => readHostAddress(bytes, address, `${what} HostAddress`)),
  );
  if (addresses instanceof Malformed) return addresses;
  const encAuthorizationData = optional(fields, 10, (e) =>
    readEncryptedData(bytes, e, `${what} enc-authorization-data`),
  );
  if (encAuthorizationData instanceof Malformed) return encAuthorizationData;
  return { kdcOptions, cname, realm, sname, from, till, rtime, nonce, etypes, addresses, encAuthorizationData };
}

function readHostAddress(bytes: Uint8Array, element: BerElement, what: string): HostAddress | Malformed {
  const fields = readSequenceFields(bytes, element, what);
  if (fields instanceof Malformed) return fields;
  const addrType = field(fields, 0, what, (e) => readInteger(bytes, e, `${what} addr-type`));
  if (addrType instanceof Malformed) return addrType;
  const address = field(fields, 1, what, (e) => readOctets(bytes, e, `${what} address`));
  if (address instanceof Malformed) return address;
  return { addrType, address };
}

/** An AS-REQ or TGS-REQ read back. */
export function decodeKdcRequest(bytes: Uint8Array): DecodedKdcRequest | Malformed {
  const tag = bytes[0];
  if (tag !== AS_REQ && tag !== TGS_REQ) {
    return new Malformed(
      `KDC request starts with ${tag === undefined ? 'nothing' : `tag ${hexTag(tag)}`}, neither AS-REQ (0x6a) nor TGS-REQ (0x6c)`,
    );
  }
  const [kind, msgType, what] =
    tag === AS_REQ ? (['as-req', 10, 'AS-REQ'] as const) : (['tgs-req', 12, 'TGS-REQ'] as const);
  const fields = readMessage(bytes, tag, what);
  if (fields instanceof Malformed) return fields;
  const header = checkHeader(bytes, fields, 1, msgType, what);
  if (header) return header;
  const padata = optional(fields, 3, (e) => readPaDataList(bytes, e, `${what} padata`));
  if (padata instanceof Malformed) return padata;
  const bodyElement = required(fields, 4, what);
  if (bodyElement instanceof Malformed) return bodyElement;
  const body = readKdcReqBody(bytes, bodyElement, `${what} req-body`);
  if (body instanceof Malformed) return body;
  return { kind, padata, body, reqBody: copy(bytes, bodyElement.start, bodyElement.end) };
}

export function decodePaEncTsEnc(plaintext: Uint8Array): PaEncTsEnc | Malformed {
  const bytes = plaintext;
  const what = 'PA-ENC-TS-ENC';
  return whole(bytes, what, (element) => {
    const fields = readSequenceFields(bytes, element, what);
    if (fields instanceof Malformed) return fields;
    const patimestamp = field(fields, 0, what, (e) => readTime(bytes, e, `${what} patimestamp`));
    if (patimestamp instanceof Malformed) return patimestamp;
    const pausec = optional(fields, 1, (e) => readMicroseconds(bytes, e, `${what} pausec`));
    if (pausec instanceof Malformed) return pausec;
    return { patimestamp, pausec };
  });
}

/** KERB-PA-PAC-REQUEST: whether the client asked for a PAC. */
export function decodePaPacRequest(bytes: Uint8Array): boolean | Malformed {
  const what = 'KERB-PA-PAC-REQUEST';
  return whole(bytes, what, (element) => {
    const fields = readSequenceFields(bytes, element, what);
    if (fields instanceof Malformed) return fields;
    return field(fields, 0, what, (e) => {
      const wrongTag = expectTag(e, BOOLEAN, `${what} include-pac`);
      if (wrongTag) return wrongTag;
      if (e.end - e.contentStart !== 1)
        return new Malformed(`${what} include-pac: BOOLEAN of ${e.end - e.contentStart} bytes`);
      return bytes[e.contentStart] !== 0;
    });
  });
}

export function decodeApReq(bytes: Uint8Array): (ApRequest & { decodedTicket: Ticket }) | Malformed {
  const what = 'AP-REQ';
  const fields = readMessage(bytes, AP_REQ, what);
  if (fields instanceof Malformed) return fields;
  const header = checkHeader(bytes, fields, 0, 14, what);
  if (header) return header;
  const apOptions = field(fields, 2, what, (e) => readFlags(bytes, e, `${what} ap-options`));
  if (apOptions instanceof Malformed) return apOptions;
  const ticket = field(fields, 3, what, (e) => readTicket(bytes, e, `${what} ticket`));
  if (ticket instanceof Malformed) return ticket;
  const authenticator = field(fields, 4, what, (e) => readEncryptedData(bytes, e, `${what} authenticator`));
  if (authenticator instanceof Malformed) return authenticator;
  return { apOptions, ticket: ticket.bytes, authenticator, decodedTicket: ticket };
}

function readChecksum(bytes: Uint8Array, element: BerElement, what: string): Checksum | Malformed {
  const fields = readSequenceFields(bytes, element, what);
  if (fields instanceof Malformed) return fields;
  const cksumtype = field(fields, 0, what, (e) => readInteger(bytes, e, `${what} cksumtype`));
  if (cksumtype instanceof Malformed) return cksumtype;
  const checksum = field(fields, 1, what, (e) => readOctets(bytes, e, `${what} checksum`));
  if (checksum instanceof Malformed) return checksum;
  return { cksumtype, checksum };
}

export function decodeAuthenticator(plaintext: Uint8Array): Authenticator | Malformed {
  const bytes = plaintext;
  const what = 'Authenticator';
  const fields = readMessage(bytes, AUTHENTICATOR, what);
  if (fields instanceof Malformed) return fields;
  const vno = field(fields, 0, what, (e) => readInteger(bytes, e, `${what} authenticator-vno`));
  if (vno instanceof Malformed) return vno;
  if (vno !== 5) return new Malformed(`${what}: authenticator-vno ${vno}, not 5`);
  const crealm = field(fields, 1, what, (e) => readString(bytes, e, `${what} crealm`));
  if (crealm instanceof Malformed) return crealm;
  const cname = field(fields, 2, what, (e) => readPrincipalName(bytes, e, `${what} cname`));
  if (cname instanceof Malformed) return cname;
  const cksum = optional(fields, 3, (e) => readChecksum(bytes, e, `${what} cksum`));
  if (cksum instanceof Malformed) return cksum;
  const cusec = field(fields, 4, what, (e) => readMicroseconds(bytes, e, `${what} cusec`));
  if (cusec instanceof Malformed) return cusec;
  const ctime = field(fields, 5, what, (e) => readTime(bytes, e, `${what} ctime`));
  if (ctime instanceof Malformed) return ctime;
  const subkey = optional(fields, 6, (e) => readKey(bytes, e, `${what} subkey`));
  if (subkey instanceof Malformed) return subkey;
  const seqNumber = optional(fields, 7, (e) => readUInt32(bytes, e, `${what} seq-number`));
  if (seqNumber instanceof Malformed) return seqNumber;
  return { crealm, cname, cksum, cusec, ctime, subkey, seqNumber };
}
