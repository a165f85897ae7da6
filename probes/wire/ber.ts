// The one BER/DER reader and writer (X.690), shared by Kerberos (RFC 4120, DER), the CLDAP
// LDAP ping and StartTLS (RFC 4511, BER with definite lengths). Only what those protocols
// use: one-octet tags, definite lengths of at most 4 octets.
//
// Malformed input has one form here: a Malformed value, returned, never thrown. Its reason
// reads well on its own; `problem` carries the facts, for a codec whose messages word them
// in its protocol's terms (cldap.ts), or for a caller that must tell a wrong key from
// garbled bytes (kerberos-crypto.ts).

export class Malformed {
  constructor(
    readonly reason: string,
    readonly problem?: BerProblem | IntegrityProblem,
  ) {}
}

/** Encrypted data whose checksum does not match: a wrong key or key usage, or altered bytes. */
export interface IntegrityProblem {
  kind: 'integrity';
}

/** What is wrong with the element at `offset`, as facts. */
export type BerProblem =
  | { kind: 'missing'; offset: number }
  | { kind: 'high-tag'; offset: number; tag: number }
  | { kind: 'no-length'; offset: number; tag: number }
  | { kind: 'indefinite'; offset: number; tag: number }
  | { kind: 'long-length'; offset: number; tag: number; octets: number }
  | { kind: 'cut-length'; offset: number; tag: number }
  | { kind: 'overrun'; offset: number; tag: number; length: number; remain: number };

export interface BerElement {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  contentStart: number;
  /** Offset just past the content. */
  end: number;
}

export function hexTag(tag: number): string {
  return `0x${tag.toString(16).padStart(2, '0')}`;
}

function malformed(problem: BerProblem): Malformed {
  switch (problem.kind) {
    case 'missing':
      return new Malformed(`element expected at offset ${problem.offset}, but the data ends there`, problem);
    case 'high-tag':
      return new Malformed(`high-number tag form at offset ${problem.offset}`, problem);
    case 'no-length':
      return new Malformed(`tag ${hexTag(problem.tag)} at offset ${problem.offset} has no length`, problem);
    case 'indefinite':
      return new Malformed(`indefinite length at offset ${problem.offset + 1} (not DER)`, problem);
    case 'long-length':
      return new Malformed(`length of ${problem.octets} bytes at offset ${problem.offset + 1}`, problem);
    case 'cut-length':
      return new Malformed(`length at offset ${problem.offset + 1} runs past the end of its container`, problem);
    case 'overrun':
      return new Malformed(
        `tag ${hexTag(problem.tag)} at offset ${problem.offset} announces ${problem.length} bytes, only ${problem.remain} remain`,
        problem,
      );
  }
}

/** The tag and length at `offset`, whose header must end by `limit`; the content may not have arrived yet. */
export function readHeader(
  bytes: Uint8Array,
  offset: number,
  limit: number,
): (BerElement & { length: number }) | Malformed {
  const tag = bytes[offset];
  if (tag === undefined || offset >= limit) return malformed({ kind: 'missing', offset });
  // The multi-byte tag form is used by none of these protocols: not something to guess at.
  if ((tag & 0x1f) === 0x1f) return malformed({ kind: 'high-tag', offset, tag });
  const first = bytes[offset + 1];
  if (first === undefined || offset + 1 >= limit) return malformed({ kind: 'no-length', offset, tag });
  if (first < 0x80) return { tag, start: offset, contentStart: offset + 2, end: offset + 2 + first, length: first };
  const octets = first & 0x7f;
  if (octets === 0) return malformed({ kind: 'indefinite', offset, tag });
  // Five length octets could announce more than any datagram or frame here can hold.
  if (octets > 4) return malformed({ kind: 'long-length', offset, tag, octets });
  if (offset + 2 + octets > limit) return malformed({ kind: 'cut-length', offset, tag });
  let length = 0;
  for (let i = 0; i < octets; i += 1) length = length * 256 + (bytes[offset + 2 + i] ?? 0);
  const contentStart = offset + 2 + octets;
  return { tag, start: offset, contentStart, end: contentStart + length, length };
}

/** One TLV starting at `offset`, which must end at or before `limit`. Never trusts the length. */
export function readElement(bytes: Uint8Array, offset: number, limit: number): BerElement | Malformed {
  const header = readHeader(bytes, offset, limit);
  if (header instanceof Malformed) return header;
  if (header.length > limit - header.contentStart) {
    return malformed({
      kind: 'overrun',
      offset,
      tag: header.tag,
      length: header.length,
      remain: limit - header.contentStart,
    });
  }
  return { tag: header.tag, start: header.start, contentStart: header.contentStart, end: header.end };
}

/**
 * Every element in [start, end) fits its container, and so does every element inside each
 * constructed one (tag bit 0x20), down to `maxDepth` levels: a parser that trusts lengths can
 * then walk the whole tree without reading past any end. Linear in the bytes.
 */
export function checkNesting(bytes: Uint8Array, start: number, end: number, maxDepth = 32): Malformed | undefined {
  const levels = [{ offset: start, end }];
  for (let level = levels.at(-1); level !== undefined; level = levels.at(-1)) {
    if (level.offset >= level.end) {
      levels.pop();
      continue;
    }
    const element = readElement(bytes, level.offset, level.end);
    if (element instanceof Malformed) return element;
    level.offset = element.end;
    if ((element.tag & 0x20) === 0) continue;
    if (levels.length >= maxDepth) {
      return new Malformed(`elements nested more than ${maxDepth} deep at offset ${element.start}`);
    }
    levels.push({ offset: element.contentStart, end: element.end });
  }
  return undefined;
}

/** Exactly one element filling [start, end): nothing may be left over. */
export function readWhole(
  bytes: Uint8Array,
  start: number,
  end: number,
  expectedTag: number,
  what: string,
): BerElement | Malformed {
  const element = readElement(bytes, start, end);
  if (element instanceof Malformed) return new Malformed(`${what}: ${element.reason}`, element.problem);
  if (element.tag !== expectedTag)
    return new Malformed(`${what}: tag ${hexTag(element.tag)} where ${hexTag(expectedTag)} was expected`);
  if (element.end !== end) return new Malformed(`${what}: ${end - element.end} stray bytes after it`);
  return element;
}

/** The elements inside a constructed one, each within it. */
export function readChildren(bytes: Uint8Array, parent: BerElement, what: string): BerElement[] | Malformed {
  const children: BerElement[] = [];
  for (let offset = parent.contentStart; offset < parent.end;) {
    const child = readElement(bytes, offset, parent.end);
    if (child instanceof Malformed) return new Malformed(`${what}: ${child.reason}`, child.problem);
    children.push(child);
    offset = child.end;
  }
  return children;
}

/**
 * The fields of a SEQUENCE whose members are all EXPLICIT [n] tags: a map from n to the one
 * element inside each. DER puts them in ascending order, each at most once.
 */
export function readFields(bytes: Uint8Array, sequence: BerElement, what: string): Map<number, BerElement> | Malformed {
  const children = readChildren(bytes, sequence, what);
  if (children instanceof Malformed) return children;
  const fields = new Map<number, BerElement>();
  let previous = -1;
  for (const child of children) {
    if ((child.tag & 0xe0) !== 0xa0)
      return new Malformed(`${what}: member with tag ${hexTag(child.tag)} is not a context tag`);
    const n = child.tag & 0x1f;
    if (n <= previous) return new Malformed(`${what}: field [${n}] out of order or repeated`);
    previous = n;
    const inner = readElement(bytes, child.contentStart, child.end);
    if (inner instanceof Malformed) return new Malformed(`${what} [${n}]: ${inner.reason}`, inner.problem);
    if (inner.end !== child.end) return new Malformed(`${what} [${n}]: stray bytes after its value`);
    fields.set(n, inner);
  }
  return fields;
}

export function required(fields: Map<number, BerElement>, n: number, what: string): BerElement | Malformed {
  return fields.get(n) ?? new Malformed(`${what}: required field [${n}] is missing`);
}

export function expectTag(element: BerElement, tag: number, what: string): Malformed | undefined {
  return element.tag === tag
    ? undefined
    : new Malformed(`${what}: tag ${hexTag(element.tag)} where ${hexTag(tag)} was expected`);
}

export const INTEGER = 0x02;

/** An INTEGER of at most maxBytes content bytes (4 for Int32; 5 lets a UInt32 keep its sign byte). */
export function readInteger(bytes: Uint8Array, element: BerElement, what: string, maxBytes = 4): number | Malformed {
  const wrongTag = expectTag(element, INTEGER, what);
  if (wrongTag) return wrongTag;
  const length = element.end - element.contentStart;
  if (length === 0 || length > maxBytes) return new Malformed(`${what}: INTEGER of ${length} bytes`);
  const first = bytes[element.contentStart] ?? 0;
  let value = first >= 0x80 ? first - 0x100 : first;
  for (let i = element.contentStart + 1; i < element.end; i += 1) value = value * 256 + (bytes[i] ?? 0);
  return value;
}

// ---- writer: definite, minimal lengths and one-octet tags, as DER requires (and BER allows)

export function encodeLength(length: number): number[] {
  if (length < 0x80) return [length];
  const octets: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
  return [0x80 | octets.length, ...octets];
}

export function tlv(tag: number, ...content: Uint8Array[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag, ...encodeLength(body.length)]), body]);
}

/** EXPLICIT [n] context tag around one element. */
export function explicit(n: number, element: Uint8Array): Buffer {
  return tlv(0xa0 | n, element);
}

/** Minimal two's-complement content octets of a safe integer (X.690 8.3.2). */
export function integerOctets(value: number): Buffer {
  let rest = BigInt(value);
  const octets: number[] = [];
  for (;;) {
    octets.unshift(Number(rest & 0xffn));
    rest >>= 8n;
    const signBit = ((octets[0] ?? 0) & 0x80) !== 0;
    // Done once the rest only repeats the sign the first octet already carries.
    if ((rest === 0n && !signBit) || (rest === -1n && signBit)) return Buffer.from(octets);
  }
}

export function integer(value: number): Buffer {
  return tlv(INTEGER, integerOctets(value));
}
