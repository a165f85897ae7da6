// @ts-nocheck
// LDAP StartTLS (RFC 4511 4.14) on the wire: the ExtendedRequest and the resultCode of its
// ExtendedResponse, with the shared BER layer (ber.ts). Pure; malformed input is a value.

import { Malformed, readElement, readHeader, tlv } from './ber.js';

const STARTTLS_OID = '1.3.6.1.4.1.1466.20037';
const LDAP_MESSAGE = 0x30;
const EXTENDED_REQUEST = 0x77;
const EXTENDED_RESPONSE = 0x78;
const ENUMERATED = 0x0a;

/** LDAP ExtendedRequest for StartTLS, message id 1. */
export function encodeStartTls(): Buffer {
  return tlv(
    LDAP_MESSAGE,
    tlv(0x02, Buffer.from([1])),
    tlv(EXTENDED_REQUEST, tlv(0x80, Buffer.from(STARTTLS_OID, 'latin1'))),
  );
}

/**
 * How many bytes the LDAP message at the start of `buffered` takes: undefined while its
 * header has not all arrived, or why it is not an LDAP message.
 */
export function ldapMessageLength(buffered: Uint8Array): number | undefined | { malformed: string } {
  const header = readHeader(buffered, 0, buffered.length);
  if (header instanceof Malformed) return buffered.length >= 6 ? { malformed: 'not a BER message' } : undefined;
  if (header.tag !== LDAP_MESSAGE)
    return { malformed: `expected an LDAP message (0x30), got tag 0x${header.tag.toString(16)}` };
  return header.end;
}

/** The resultCode of an LDAP ExtendedResponse, or why it is not one. */
export function startTlsResult(bytes: Uint8Array): { resultCode: number } | { malformed: string } {
  const message = readElement(bytes, 0, bytes.length);
  if (message instanceof Malformed || message.tag !== LDAP_MESSAGE) return { malformed: 'not an LDAP message' };
  const id = readElement(bytes, message.contentStart, message.end);
  if (id instanceof Malformed || id.tag !== 0x02) return { malformed: 'no message id' };
  const response = readElement(bytes, id.end, message.end);
  if (response instanceof Malformed || response.tag !== EXTENDED_RESPONSE) {
    return {
      malformed: `expected an ExtendedResponse (0x78), got ${response instanceof Malformed ? 'nothing' : `tag 0x${response.tag.toString(16)}`}`,
    };
  }
  const code = readElement(bytes, response.contentStart, response.end);
  if (code instanceof Malformed || code.tag !== ENUMERATED || code.end - code.contentStart !== 1)
    return { malformed: 'no resultCode' };
  return { resultCode: bytes[code.contentStart] as number };
}
