// SPNEGO (RFC 4178, with the NegTokenInit2 of MS-SPNG 2.2.1) around an NTLM exchange: the
// client's first token in its GSS-API frame (RFC 2743 3.1), the NegTokenResp of every later
// leg, and a decoder for both that also takes what SMB servers put in the NEGOTIATE response.
// Over the shared BER layer (ber.ts); the decoder is pure and never throws.

import {
  expectTag,
  explicit,
  hexTag,
  Malformed,
  readChildren,
  readElement,
  readFields,
  readWhole,
  tlv,
  type BerElement,
} from './ber.js';

export const SPNEGO_OID = '1.3.6.1.5.5.2';
export const NTLMSSP_OID = '1.3.6.1.4.1.311.2.2.10';

const OBJECT_IDENTIFIER = 0x06;
const OCTET_STRING = 0x04;
const ENUMERATED = 0x0a;
const SEQUENCE = 0x30;
const GSS_FRAME = 0x60; // [APPLICATION 0], constructed
const NEG_TOKEN_INIT = 0xa0;
const NEG_TOKEN_RESP = 0xa1;

/** Windows offers four mechanisms; a longer list is not something to walk. */
export const MAX_MECH_TYPES = 16;
const MAX_OID_ARCS = 32;

export const NEG_STATE = { acceptCompleted: 0, acceptIncomplete: 1, reject: 2, requestMic: 3 } as const;

export type NegToken =
  | { kind: 'init'; mechTypes: string[]; mechToken?: Buffer; mechListMIC?: Buffer }
  | { kind: 'resp'; negState?: number; supportedMech?: string; responseToken?: Buffer; mechListMIC?: Buffer };

// ---------------------------------------------------------------- OIDs

const OID_TEXT = /^[0-2]\.(0|[1-9]\d*)(\.(0|[1-9]\d*))*$/;

/** The content octets of an OBJECT IDENTIFIER (X.690 8.19). Throws a RangeError for a string that is not one: a programming error. */
export function oidContent(oid: string): Buffer {
  if (!OID_TEXT.test(oid)) throw new RangeError(`not an OID: ${oid}`);
  const arcs = oid.split('.').map(BigInt);
  const [first = 0n, second = 0n, ...rest] = arcs;
  if (first < 2n && second > 39n) throw new RangeError(`not an OID: ${oid}`);
  const octets: number[] = [];
  for (const arc of [first * 40n + second, ...rest]) {
    const groups = [Number(arc & 0x7fn)];
    for (let value = arc >> 7n; value > 0n; value >>= 7n) groups.unshift(Number(value & 0x7fn) | 0x80);
    octets.push(...groups);
  }
  return Buffer.from(octets);
}

export function encodeOid(oid: string): Buffer {
  return tlv(OBJECT_IDENTIFIER, oidContent(oid));
}

/** The dotted text of an OBJECT IDENTIFIER's content: minimal base-128 arcs of at most 32 bits, at most 32 of them. */
export function decodeOidContent(content: Uint8Array, what: string): string | Malformed {
  if (content.length === 0) return new Malformed(`${what}: empty OBJECT IDENTIFIER`);
  const arcs: number[] = [];
  let value = 0;
  let started = false;
  for (const [index, byte] of content.entries()) {
    if (!started && byte === 0x80) return new Malformed(`${what}: OBJECT IDENTIFIER arc not minimally encoded`);
    started = true;
    value = value * 128 + (byte & 0x7f);
    if (value > 0xffffffff) return new Malformed(`${what}: OBJECT IDENTIFIER arc over 32 bits`);
    if ((byte & 0x80) !== 0) {
      if (index === content.length - 1) return new Malformed(`${what}: OBJECT IDENTIFIER ends inside an arc`);
      continue;
    }
    if (arcs.length >= MAX_OID_ARCS)
      return new Malformed(`${what}: OBJECT IDENTIFIER of more than ${MAX_OID_ARCS} arcs`);
    arcs.push(value);
    value = 0;
    started = false;
  }
  const [head = 0, ...rest] = arcs;
  const first = Math.min(Math.floor(head / 40), 2);
  return [first, head - first * 40, ...rest].join('.');
}

function readOid(bytes: Uint8Array, element: BerElement, what: string): string | Malformed {
  const wrongTag = expectTag(element, OBJECT_IDENTIFIER, what);
  if (wrongTag) return wrongTag;
  return decodeOidContent(bytes.subarray(element.contentStart, element.end), what);
}

function readOctets(bytes: Uint8Array, element: BerElement, what: string): Buffer | Malformed {
  const wrongTag = expectTag(element, OCTET_STRING, what);
  if (wrongTag) return wrongTag;
  return Buffer.from(bytes.subarray(element.contentStart, element.end));
}

/** The OCTET STRING of field [n], if there is one. */
function octetsField(bytes: Uint8Array, element: BerElement | undefined, what: string): Buffer | undefined | Malformed {
  return element === undefined ? undefined : readOctets(bytes, element, what);
}

// ---------------------------------------------------------------- writing

/** The client's first token: the GSS-API frame with the SPNEGO OID around [0] NegTokenInit. */
export function encodeNegTokenInit(mechTypes: readonly string[], mechToken?: Uint8Array): Buffer {
  const fields = [explicit(0, tlv(SEQUENCE, ...mechTypes.map(encodeOid)))];
  if (mechToken !== undefined) fields.push(explicit(2, tlv(OCTET_STRING, mechToken)));
  return tlv(GSS_FRAME, encodeOid(SPNEGO_OID), explicit(0, tlv(SEQUENCE, ...fields)));
}

/** [1] NegTokenResp, bare: every token after the first goes without the GSS-API frame (RFC 4178 4.2). */
export function encodeNegTokenResp(input: {
  negState?: number;
  supportedMech?: string;
  responseToken?: Uint8Array;
  mechListMIC?: Uint8Array;
}): Buffer {
  const fields: Buffer[] = [];
  if (input.negState !== undefined) fields.push(explicit(0, tlv(ENUMERATED, Buffer.from([input.negState]))));
  if (input.supportedMech !== undefined) fields.push(explicit(1, encodeOid(input.supportedMech)));
  if (input.responseToken !== undefined) fields.push(explicit(2, tlv(OCTET_STRING, input.responseToken)));
  if (input.mechListMIC !== undefined) fields.push(explicit(3, tlv(OCTET_STRING, input.mechListMIC)));
  return tlv(NEG_TOKEN_RESP, tlv(SEQUENCE, ...fields));
}

// ---------------------------------------------------------------- reading

/**
 * A SPNEGO token: the GSS-API framed first token ([0] NegTokenInit, or NegTokenInit2 as SMB
 * servers send it in the NEGOTIATE response), or a bare [1] NegTokenResp (or bare [0]).
 * An empty security buffer is legal in SMB2 but is no token: the caller decides what it means.
 */
export function decodeNegToken(bytes: Uint8Array): NegToken | Malformed {
  const outer = readElement(bytes, 0, bytes.length);
  if (outer instanceof Malformed) return new Malformed(`SPNEGO token: ${outer.reason}`, outer.problem);
  if (outer.end !== bytes.length)
    return new Malformed(`SPNEGO token: ${bytes.length - outer.end} stray bytes after it`);
  if (outer.tag === GSS_FRAME) return readFramed(bytes, outer);
  return readNegotiationToken(bytes, outer);
}

function readFramed(bytes: Uint8Array, frame: BerElement): NegToken | Malformed {
  const what = 'SPNEGO token';
  const children = readChildren(bytes, frame, what);
  if (children instanceof Malformed) return children;
  const [mech, inner, ...extra] = children;
  if (mech === undefined || inner === undefined || extra.length > 0) {
    return new Malformed(`${what}: the GSS-API frame holds ${children.length} elements, not a mechanism and a token`);
  }
  const oid = readOid(bytes, mech, `${what} mechanism`);
  if (oid instanceof Malformed) return oid;
  if (oid !== SPNEGO_OID) return new Malformed(`${what}: mechanism ${oid}, not SPNEGO (${SPNEGO_OID})`);
  return readNegotiationToken(bytes, inner);
}

function readNegotiationToken(bytes: Uint8Array, choice: BerElement): NegToken | Malformed {
  if (choice.tag === NEG_TOKEN_INIT) return readInit(bytes, choice);
  if (choice.tag === NEG_TOKEN_RESP) return readResp(bytes, choice);
  return new Malformed(
    `SPNEGO token: tag ${hexTag(choice.tag)} at offset ${choice.start} is neither [0] NegTokenInit nor [1] NegTokenResp`,
  );
}

function sequenceFields(bytes: Uint8Array, wrapper: BerElement, what: string): Map<number, BerElement> | Malformed {
  const sequence = readWhole(bytes, wrapper.contentStart, wrapper.end, SEQUENCE, what);
  if (sequence instanceof Malformed) return sequence;
  return readFields(bytes, sequence, what);
}

function readInit(bytes: Uint8Array, wrapper: BerElement): NegToken | Malformed {
  const what = 'NegTokenInit';
  const fields = sequenceFields(bytes, wrapper, what);
  if (fields instanceof Malformed) return fields;
  const list = fields.get(0);
  if (list === undefined) return new Malformed(`${what}: required field [0] mechTypes is missing`);
  const wrongList = expectTag(list, SEQUENCE, `${what} mechTypes`);
  if (wrongList) return wrongList;
  const mechElements = readChildren(bytes, list, `${what} mechTypes`);
  if (mechElements instanceof Malformed) return mechElements;
  if (mechElements.length > MAX_MECH_TYPES) {
    return new Malformed(`${what}: ${mechElements.length} mechTypes, more than ${MAX_MECH_TYPES}`);
  }
  const mechTypes: string[] = [];
  for (const element of mechElements) {
    const oid = readOid(bytes, element, `${what} mechTypes`);
    if (oid instanceof Malformed) return oid;
    mechTypes.push(oid);
  }
  const token: NegToken = { kind: 'init', mechTypes };
  // [1] reqFlags is read by nobody (RFC 4178 4.2.1 says to ignore it).
  const mechToken = octetsField(bytes, fields.get(2), `${what} mechToken`);
  if (mechToken instanceof Malformed) return mechToken;
  if (mechToken !== undefined) token.mechToken = mechToken;
  // [3] is mechListMIC in RFC 4178 but negHints (a SEQUENCE) in MS-SPNG's NegTokenInit2, whose
  // mechListMIC is [4]; the hints ("not_defined_in_RFC4178@please_ignore") are ignored.
  const third = fields.get(3);
  const micElement = third !== undefined && third.tag !== SEQUENCE ? third : fields.get(4);
  const mechListMIC = octetsField(bytes, micElement, `${what} mechListMIC`);
  if (mechListMIC instanceof Malformed) return mechListMIC;
  if (mechListMIC !== undefined) token.mechListMIC = mechListMIC;
  return token;
}

function readResp(bytes: Uint8Array, wrapper: BerElement): NegToken | Malformed {
  const what = 'NegTokenResp';
  const fields = sequenceFields(bytes, wrapper, what);
  if (fields instanceof Malformed) return fields;
  const token: NegToken = { kind: 'resp' };
  const state = fields.get(0);
  if (state !== undefined) {
    const wrongTag = expectTag(state, ENUMERATED, `${what} negState`);
    if (wrongTag) return wrongTag;
    const value = bytes[state.contentStart];
    if (state.end - state.contentStart !== 1 || value === undefined || value > NEG_STATE.requestMic) {
      return new Malformed(`${what}: negState at offset ${state.start} is not one of 0 to 3`);
    }
    token.negState = value;
  }
  const mech = fields.get(1);
  if (mech !== undefined) {
    const oid = readOid(bytes, mech, `${what} supportedMech`);
    if (oid instanceof Malformed) return oid;
    token.supportedMech = oid;
  }
  const responseToken = octetsField(bytes, fields.get(2), `${what} responseToken`);
  if (responseToken instanceof Malformed) return responseToken;
  if (responseToken !== undefined) token.responseToken = responseToken;
  const mechListMIC = octetsField(bytes, fields.get(3), `${what} mechListMIC`);
  if (mechListMIC instanceof Malformed) return mechListMIC;
  if (mechListMIC !== undefined) token.mechListMIC = mechListMIC;
  return token;
}
