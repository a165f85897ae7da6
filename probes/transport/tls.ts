// TLS on a DC: LDAPS (636), the Global Catalog over TLS (3269) and LDAP with StartTLS
// (389). The handshake is made without rejecting, so an expired or unverifiable
// certificate is still read, reported and its expiry exported.

import { checkServerIdentity, connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import { isIP, type Socket } from 'node:net';
import { abortable } from './abortable.js';
import { TcpConversation, type Framer } from './sockets.js';

export interface CertificateReport {
  subject: string;
  issuer: string;
  /** DNS and IP subjectAltNames; the subject CN when there are none. */
  names: string[];
  notBefore: Date;
  notAfter: Date;
  /** The chain verifies against the given CAs (or the system's). */
  chainVerified: boolean;
  chainError: string | undefined;
  /** The certificate carries the name it was checked against. */
  nameMatches: boolean;
  nameError: string | undefined;
  fingerprint256: string;
}

export type TlsOutcome = { kind: 'certificate'; certificate: CertificateReport; protocol: string } | { kind: 'failed'; reason: string };

/** LDAP ExtendedRequest for StartTLS (RFC 4511 4.14.1), message id 1. */
const STARTTLS_OID = '1.3.6.1.4.1.1466.20037';
export function encodeStartTls(): Buffer {
  const oid = Buffer.from(STARTTLS_OID, 'latin1');
  const name = Buffer.concat([Buffer.from([0x80, oid.length]), oid]);
  const request = Buffer.concat([Buffer.from([0x77, name.length]), name]);
  const body = Buffer.concat([Buffer.from([0x02, 0x01, 0x01]), request]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

/** BER tag and length at `offset`: where the content starts and how long it is; never trusts the length. */
export function berHeader(bytes: Uint8Array, offset: number): { tag: number; start: number; length: number } | undefined {
  if (offset + 2 > bytes.length) return undefined;
  const tag = bytes[offset] as number;
  const first = bytes[offset + 1] as number;
  if (first < 0x80) return { tag, start: offset + 2, length: first };
  const size = first & 0x7f;
  if (size === 0 || size > 4 || offset + 2 + size > bytes.length) return undefined;
  let length = 0;
  for (let index = 0; index < size; index++) length = length * 256 + (bytes[offset + 2 + index] as number);
  return { tag, start: offset + 2 + size, length };
}

export const frameBer: Framer = (buffered) => {
  const header = berHeader(buffered, 0);
  if (header === undefined) return buffered.length >= 6 ? { malformed: 'not a BER message' } : undefined;
  if (header.tag !== 0x30) return { malformed: `expected an LDAP message (0x30), got tag 0x${header.tag.toString(16)}` };
  return header.start + header.length;
};

/** The resultCode of an LDAP ExtendedResponse, or why it is not one. */
export function startTlsResult(bytes: Uint8Array): { resultCode: number } | { malformed: string } {
  const message = berHeader(bytes, 0);
  if (message?.tag !== 0x30 || message.start + message.length > bytes.length) return { malformed: 'not an LDAP message' };
  const id = berHeader(bytes, message.start);
  if (id?.tag !== 0x02) return { malformed: 'no message id' };
  const response = berHeader(bytes, id.start + id.length);
  if (response?.tag !== 0x78) return { malformed: `expected an ExtendedResponse (0x78), got ${response === undefined ? 'nothing' : `tag 0x${response.tag.toString(16)}`}` };
  const code = berHeader(bytes, response.start);
  if (code?.tag !== 0x0a || code.length !== 1 || code.start >= bytes.length) return { malformed: 'no resultCode' };
  return { resultCode: bytes[code.start] as number };
}

function describeName(entries: PeerCertificate['subject'] | undefined): string {
  if (entries === undefined) return '';
  return Object.entries(entries)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join('+') : String(value)}`)
    .join(', ');
}

function report(certificate: PeerCertificate, socket: TLSSocket, serverName: string): CertificateReport {
  const alt = (certificate.subjectaltname ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.startsWith('DNS:') || entry.startsWith('IP Address:'))
    .map((entry) => entry.replace(/^(DNS|IP Address):/, ''));
  const cn = certificate.subject.CN;
  const names = alt.length > 0 ? alt : cn === undefined ? [] : Array.isArray(cn) ? cn : [cn];
  const nameError = checkServerIdentity(serverName, certificate);
  const chainError = socket.authorizationError;
  return {
    subject: describeName(certificate.subject),
    issuer: describeName(certificate.issuer),
    names,
    notBefore: new Date(certificate.valid_from),
    notAfter: new Date(certificate.valid_to),
    chainVerified: socket.authorized,
    chainError: socket.authorized ? undefined : String(chainError),
    nameMatches: nameError === undefined,
    nameError: nameError === undefined ? undefined : ((nameError as NodeJS.ErrnoException).code ?? nameError.message),
    fingerprint256: certificate.fingerprint256,
  };
}

function handshake(socket: Socket, serverName: string, ca: Buffer[] | undefined, signal: AbortSignal): Promise<TlsOutcome> {
  return abortable<TlsOutcome>(signal, (settle) => {
    const tls = tlsConnect({
      socket,
      ...(isIP(serverName) === 0 ? { servername: serverName } : {}),
      ...(ca === undefined ? {} : { ca }),
      // Read every certificate, good or bad: verification is judged from authorized/authorizationError.
      rejectUnauthorized: false,
      // The chain alone decides `authorized`; the name is checked by report() against the name
      // the DC is known by. Node's own check would use the SNI name, which an address cannot be,
      // and so judge a DC named by its address against "localhost".
      checkServerIdentity: () => undefined,
    });
    tls.once('secureConnect', () => {
      const certificate = tls.getPeerCertificate();
      if (Object.keys(certificate).length === 0) settle({ kind: 'failed', reason: 'the server sent no certificate' });
      else settle({ kind: 'certificate', certificate: report(certificate, tls, serverName), protocol: tls.getProtocol() ?? 'unknown' });
    });
    tls.on('error', (error: NodeJS.ErrnoException) => {
      settle({ kind: 'failed', reason: `TLS handshake failed: ${error.code ?? error.message}` });
    });
    return () => {
      tls.destroy();
    };
  });
}

/**
 * TLS over a connection already open (so that an unreachable port stays port.tcp's
 * finding): directly (636, 3269), or after LDAP StartTLS (389).
 */
export async function probeTls(conversation: TcpConversation, serverName: string, ca: Buffer[] | undefined, startTls: boolean, signal: AbortSignal): Promise<TlsOutcome> {
  if (startTls) {
    const reply = await conversation.exchange(encodeStartTls(), frameBer, signal);
    if (reply.kind !== 'reply') return { kind: 'failed', reason: `StartTLS: ${reply.reason}` };
    const result = startTlsResult(reply.bytes);
    if ('malformed' in result) return { kind: 'failed', reason: `StartTLS: ${result.malformed}` };
    if (result.resultCode !== 0) return { kind: 'failed', reason: `StartTLS refused by the server (LDAP resultCode ${result.resultCode})` };
  }
  return handshake(conversation.detach(), serverName, ca, signal);
}
