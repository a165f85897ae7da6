// Kerberos' own DER types (RFC 4120 section 5.2) over the shared BER layer (ber.ts): the
// KerberosString, KerberosTime, PrincipalName and the [APPLICATION n] message frame, written and
// read the same way by the port probe (kerberos.ts) and the message codecs (kerberos-messages.ts).
// Readers return a Malformed instead of throwing, and check every length against its parent.

import {
  expectTag,
  explicit,
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

// Universal tags.
export const BIT_STRING = 0x03;
export const OCTET_STRING = 0x04;
export const SEQUENCE = 0x30;
export const GENERALIZED_TIME = 0x18;
export const GENERAL_STRING = 0x1b;

export interface PrincipalName {
  nameType: number;
  components: string[];
}

export function derString(value: string): Buffer {
  return tlv(GENERAL_STRING, Buffer.from(value, 'utf8'));
}

export function derPrincipalName(nameType: number, components: readonly string[]): Buffer {
  return tlv(SEQUENCE, explicit(0, integer(nameType)), explicit(1, tlv(SEQUENCE, ...components.map(derString))));
}

function two(value: number): string {
  return String(value).padStart(2, '0');
}

export function kerberosTime(date: Date): string {
  return `${String(date.getUTCFullYear()).padStart(4, '0')}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`;
}

/** A KerberosTime: GeneralizedTime, whole seconds, UTC. */
export function derTime(date: Date): Buffer {
  return tlv(GENERALIZED_TIME, Buffer.from(kerberosTime(date), 'latin1'));
}

/** KerberosFlags as DER writes 32 of them: a BIT STRING with no unused bits, bit 0 the high bit. */
export function derFlags(flags: number): Buffer {
  const content = Buffer.alloc(5);
  content.writeUInt32BE(flags >>> 0, 1);
  return tlv(BIT_STRING, content);
}

export function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset] ?? 0) * 0x100 + (bytes[offset + 1] ?? 0);
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return readU16(bytes, offset) * 0x10000 + readU16(bytes, offset + 2);
}

const textDecoder = new TextDecoder('utf-8', { fatal: false });

/** A KerberosString, with control characters replaced: it comes from the network and ends up in logs. */
export function readString(bytes: Uint8Array, element: BerElement, what: string): string | Malformed {
  const wrongTag = expectTag(element, GENERAL_STRING, what);
  if (wrongTag) return wrongTag;
  return printable(bytes.subarray(element.contentStart, element.end));
}

export function printable(bytes: Uint8Array): string {
  // Samba ends its result strings with a newline; that one is noise, not a control character.
  return textDecoder
    .decode(bytes)
    .trimEnd()
    .replace(/\p{Cc}/gu, '?');
}

const KERBEROS_TIME = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/;

export function readTime(bytes: Uint8Array, element: BerElement, what: string): Date | Malformed {
  const wrongTag = expectTag(element, GENERALIZED_TIME, what);
  if (wrongTag) return wrongTag;
  const text = Buffer.from(bytes.subarray(element.contentStart, element.end)).toString('latin1');
  const parts = KERBEROS_TIME.exec(text)?.slice(1).map(Number);
  const [year, month, day, hour, minute, second] = parts ?? [];
  if (
    year === undefined ||
    month === undefined ||
    day === undefined ||
    hour === undefined ||
    minute === undefined ||
    second === undefined
  ) {
    return new Malformed(`${what}: ${JSON.stringify(text.replace(/\p{Cc}/gu, '?'))} is not a KerberosTime`);
  }
  // setUTCFullYear, unlike Date.UTC, does not read years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  // Date rolls 31 February over into March; a time that does not come back unchanged is not a time.
  if (kerberosTime(date) !== text) return new Malformed(`${what}: ${text} is not a valid date`);
  return date;
}

export function readPrincipalName(bytes: Uint8Array, element: BerElement, what: string): PrincipalName | Malformed {
  const wrongTag = expectTag(element, SEQUENCE, what);
  if (wrongTag) return wrongTag;
  const fields = readFields(bytes, element, what);
  if (fields instanceof Malformed) return fields;
  const typeElement = required(fields, 0, what);
  if (typeElement instanceof Malformed) return typeElement;
  const nameType = readInteger(bytes, typeElement, `${what} name-type`);
  if (nameType instanceof Malformed) return nameType;
  const stringsElement = required(fields, 1, what);
  if (stringsElement instanceof Malformed) return stringsElement;
  const wrongStrings = expectTag(stringsElement, SEQUENCE, `${what} name-string`);
  if (wrongStrings) return wrongStrings;
  const children = readChildren(bytes, stringsElement, `${what} name-string`);
  if (children instanceof Malformed) return children;
  const components: string[] = [];
  for (const child of children) {
    const component = readString(bytes, child, `${what} name-string`);
    if (component instanceof Malformed) return component;
    components.push(component);
  }
  return { nameType, components };
}

/** The outer [APPLICATION n] and its SEQUENCE, which together must fill all of bytes. */
export function readMessage(
  bytes: Uint8Array,
  applicationTag: number,
  what: string,
): Map<number, BerElement> | Malformed {
  const outer = readWhole(bytes, 0, bytes.length, applicationTag, what);
  if (outer instanceof Malformed) return outer;
  return readWrappedFields(bytes, outer, what);
}

/** The fields of the one SEQUENCE that fills a wrapping element, such as an [APPLICATION n]. */
export function readWrappedFields(
  bytes: Uint8Array,
  wrapper: BerElement,
  what: string,
): Map<number, BerElement> | Malformed {
  const sequence = readWhole(bytes, wrapper.contentStart, wrapper.end, SEQUENCE, what);
  if (sequence instanceof Malformed) return sequence;
  return readFields(bytes, sequence, what);
}

export function checkHeader(
  bytes: Uint8Array,
  fields: Map<number, BerElement>,
  pvnoField: number,
  msgType: number,
  what: string,
): Malformed | undefined {
  const pvnoElement = required(fields, pvnoField, what);
  if (pvnoElement instanceof Malformed) return pvnoElement;
  const pvno = readInteger(bytes, pvnoElement, `${what} pvno`);
  if (pvno instanceof Malformed) return pvno;
  if (pvno !== 5) return new Malformed(`${what}: pvno ${pvno}, not 5`);
  const typeElement = required(fields, pvnoField + 1, what);
  if (typeElement instanceof Malformed) return typeElement;
  const type = readInteger(bytes, typeElement, `${what} msg-type`);
  if (type instanceof Malformed) return type;
  if (type !== msgType) return new Malformed(`${what}: msg-type ${type}, not ${msgType}`);
  return undefined;
}

export function optional<T>(
  fields: Map<number, BerElement>,
  n: number,
  read: (element: BerElement) => T | Malformed,
): T | undefined | Malformed {
  const element = fields.get(n);
  return element === undefined ? undefined : read(element);
}

/** KerberosFlags of 32 bits (RFC 4120 5.2.8: DER senders write exactly 32). */
export function readFlags(bytes: Uint8Array, element: BerElement, what: string): number | Malformed {
  const wrongTag = expectTag(element, BIT_STRING, what);
  if (wrongTag) return wrongTag;
  if (element.end - element.contentStart !== 5 || bytes[element.contentStart] !== 0) {
    return new Malformed(`${what}: not a 32-bit BIT STRING`);
  }
  return readU32(bytes, element.contentStart + 1);
}
