// TLS on a DC: LDAPS (636), the Global Catalog over TLS (3269) and LDAP with StartTLS
// (389). The handshake is made without rejecting, so an expired or unverifiable
// certificate is still read, reported and its expiry exported.

import {
  checkServerIdentity,
  connect as tlsConnect,
  createSecureContext,
  type PeerCertificate,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import { isIP, type Socket } from 'node:net';
import { abortable } from './abortable.js';
import { encodeStartTls, ldapMessageLength, startTlsResult } from '../wire/starttls.js';
import { TcpConversation, type Framer } from './sockets.js';

/** An LDAP message is framed by its own BER length. */
const frameBer: Framer = ldapMessageLength;

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

export type TlsOutcome =
  { kind: 'certificate'; certificate: CertificateReport; protocol: string } | { kind: 'failed'; reason: string };

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

// A secure context per set of trusted CAs, made once: making one per handshake (OpenSSL's
// context, the CA certificates parsed again) was most of the main thread's time in a
// protocols run at 500 DCs, in blocks long enough to delay /metrics by hundreds of ms.
let defaultContext: SecureContext | undefined;
const contextsByCa = new WeakMap<Buffer, SecureContext>();

function secureContextFor(ca: Buffer | undefined): SecureContext {
  if (ca === undefined) return (defaultContext ??= createSecureContext());
  let context = contextsByCa.get(ca);
  if (context === undefined) {
    context = createSecureContext({ ca });
    contextsByCa.set(ca, context);
  }
  return context;
}

function handshake(
  socket: Socket,
  serverName: string,
  ca: Buffer | undefined,
  signal: AbortSignal,
): Promise<TlsOutcome> {
  return abortable<TlsOutcome>(signal, (settle) => {
    const tls = tlsConnect({
      socket,
      ...(isIP(serverName) === 0 ? { servername: serverName } : {}),
      secureContext: secureContextFor(ca),
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
      else
        settle({
          kind: 'certificate',
          certificate: report(certificate, tls, serverName),
          protocol: tls.getProtocol() ?? 'unknown',
        });
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
export async function probeTls(
  conversation: TcpConversation,
  serverName: string,
  ca: Buffer | undefined,
  startTls: boolean,
  signal: AbortSignal,
): Promise<TlsOutcome> {
  if (startTls) {
    const reply = await conversation.exchange(encodeStartTls(), frameBer, signal);
    if (reply.kind !== 'reply') return { kind: 'failed', reason: `StartTLS: ${reply.reason}` };
    const result = startTlsResult(reply.bytes);
    if ('malformed' in result) return { kind: 'failed', reason: `StartTLS: ${result.malformed}` };
    if (result.resultCode !== 0)
      return { kind: 'failed', reason: `StartTLS refused by the server (LDAP resultCode ${result.resultCode})` };
  }
  return handshake(conversation.detach(), serverName, ca, signal);
}
