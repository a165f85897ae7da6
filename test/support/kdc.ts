// A small Kerberos KDC on loopback, over UDP and TCP on one port, for the auth family's tests.
//
// This is a stand-in written here, not a real KDC: the faults the tests need (a referral made
// with the wrong trust key, RESPONSE_TOO_BIG on every UDP reply, a silent UDP port, garbage, a
// reply for another nonce, referral loops, endless referrals, a KDC that never answers) cannot
// be made with a real KDC inside a unit test. The real KDCs are the lab's Samba DCs, and the lab
// tests (test/lab) run the same exchanges against them. It is built on the project's own codecs
// and crypto (probes/wire/kerberos-messages.ts, kerberos-crypto.ts): it reads requests with the
// decoders a KDC would use, and writes the replies with the few encoders below, which the agent
// has no use for. It answers as RFC 4120 says a KDC does, with the pieces a client sees:
// PREAUTH_REQUIRED with ETYPE-INFO2 (the salt), an AS-REP encrypted with the password's key, a
// TGS-REP with a referral (krbtgt/B@A) or a service ticket, and tickets that really are
// encrypted with the krbtgt or trust key that the next KDC decrypts them with.

import { randomBytes } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { explicit, integer, Malformed, readFields, readInteger, tlv } from '../../probes/wire/ber.js';
import {
  decrypt,
  encrypt,
  keyFromBytes,
  stringToKey,
  verifyChecksum,
  type EncType,
  type KerberosKey,
} from '../../probes/wire/kerberos-crypto.js';
import {
  derFlags,
  derPrincipalName,
  derString,
  derTime,
  readMessage,
  readPrincipalName,
  readString,
  SEQUENCE,
  type PrincipalName,
} from '../../probes/wire/kerberos-der.js';
import {
  decodeApReq,
  decodeAuthenticator,
  decodeEncryptedData,
  decodeKdcRequest,
  decodePaEncTsEnc,
  encodeEncryptedData,
  encodePaData,
  findPaData,
  formatPrincipal,
  KEY_USAGE_AS_REP_ENC_PART,
  KEY_USAGE_AS_REQ_PA_ENC_TIMESTAMP,
  KEY_USAGE_KDC_REP_TICKET,
  KEY_USAGE_TGS_REP_ENC_PART_SESSION_KEY,
  KEY_USAGE_TGS_REQ_AUTH,
  KEY_USAGE_TGS_REQ_AUTH_CKSUM,
  NT_PRINCIPAL,
  NT_SRV_INST,
  PA_ENC_TIMESTAMP,
  PA_ETYPE_INFO2,
  PA_TGS_REQ,
  type DecodedKdcRequest,
} from '../../probes/wire/kerberos-messages.js';
import { frameTcp, unframeTcp } from '../../probes/wire/kerberos.js';

// ---- the realms' database, shared by every KDC of a test, as AD replicates it

export interface Realm {
  /** The user accounts: name (without realm) to password. */
  users?: Record<string, string>;
  /** Service principals of this realm, such as `ldap/dcb.b.test`. */
  services?: string[];
  /**
   * The realm to refer a service of another realm to, by its name (a forest trust's name
   * suffix routing). Undefined: KDC_ERR_S_PRINCIPAL_UNKNOWN for it.
   */
  referTo?: (service: string) => string | undefined;
  /** The realms this one has a trust with: an explicit `krbtgt/<realm>` is answered only for these. */
  trusts?: string[];
  /**
   * Referral by the service's name off: only an explicit `krbtgt/<trusted realm>` is answered
   * with a cross-realm TGT (Samba's KDC on an external trust).
   */
  explicitOnly?: boolean;
}

/** Every realm of a test, with the krbtgt keys and the trust keys both sides of a trust share. */
export class RealmDatabase {
  readonly #realms: Map<string, Realm>;
  readonly #keys = new Map<string, KerberosKey>();

  constructor(realms: Record<string, Realm>) {
    this.#realms = new Map(Object.entries(realms));
  }

  realm(name: string): Realm | undefined {
    return this.#realms.get(name);
  }

  /** The key of `krbtgt/<of>@<issuer>`: the realm's own TGT key when they are the same, else the trust key. */
  krbtgtKey(of: string, issuer: string, etype: EncType = 18): KerberosKey {
    const id = `krbtgt/${of}@${issuer} ${etype}`;
    let key = this.#keys.get(id);
    if (key === undefined) {
      key = randomKey(etype);
      this.#keys.set(id, key);
    }
    return key;
  }
}

function randomKey(etype: EncType): KerberosKey {
  return sessionKey(etype, randomBytes(etype === 17 || etype === 23 ? 16 : 32)).key;
}

/** A key with its bytes at hand: the KDC writes session keys into tickets and replies. */
interface SessionKey {
  key: KerberosKey;
  bytes: Buffer;
}

function sessionKey(etype: EncType, bytes: Buffer): SessionKey {
  const key = keyFromBytes(etype, bytes);
  if (key instanceof Malformed) throw new Error(key.reason);
  return { key, bytes };
}

// ---- the few reply encoders a KDC needs and the agent does not (RFC 4120 5.3, 5.4.2, 5.9.1)

const TICKET = 0x61;
const ENC_TICKET_PART = 0x63;
const AS_REP = 0x6b;
const TGS_REP = 0x6d;
const ENC_AS_REP_PART = 0x79;
const ENC_TGS_REP_PART = 0x7a;
const KRB_ERROR = 0x7e;
const OCTET_STRING = 0x04;

function sequence(...fields: (readonly [number, Buffer])[]): Buffer {
  return tlv(SEQUENCE, ...fields.map(([n, value]) => explicit(n, value)));
}

function encodeKey({ key, bytes }: SessionKey): Buffer {
  return sequence([0, integer(key.etype)], [1, tlv(OCTET_STRING, bytes)]);
}

function ticketBytes(realm: string, sname: PrincipalName, etype: number, cipher: Uint8Array): Buffer {
  return tlv(
    TICKET,
    sequence(
      [0, integer(5)],
      [1, derString(realm)],
      [2, derPrincipalName(sname.nameType, sname.components)],
      [3, encodeEncryptedData({ etype, kvno: 1, cipher })],
    ),
  );
}

interface TicketContent {
  session: SessionKey;
  crealm: string;
  cname: PrincipalName;
}

const HOUR = 60 * 60 * 1000;

/** A ticket for `sname@realm`, its EncTicketPart encrypted with `key`. */
function makeTicket(realm: string, sname: PrincipalName, key: KerberosKey, content: TicketContent): Buffer {
  const now = new Date();
  const plain = tlv(
    ENC_TICKET_PART,
    sequence(
      [0, derFlags(0x40e10000)],
      [1, encodeKey(content.session)],
      [2, derString(content.crealm)],
      [3, derPrincipalName(content.cname.nameType, content.cname.components)],
      [4, sequence([0, integer(1)], [1, tlv(OCTET_STRING, Buffer.alloc(0))])],
      [5, derTime(now)],
      [7, derTime(new Date(now.getTime() + 10 * HOUR))],
    ),
  );
  return ticketBytes(realm, sname, key.etype, encrypt(key, KEY_USAGE_KDC_REP_TICKET, plain));
}

/** The session key and client of a ticket this KDC's realm can decrypt; Malformed when it cannot. */
function openTicket(cipher: Uint8Array, key: KerberosKey): TicketContent | Malformed {
  const plain = decrypt(key, KEY_USAGE_KDC_REP_TICKET, cipher);
  if (plain instanceof Malformed) return plain;
  const fields = readMessage(plain, ENC_TICKET_PART, 'EncTicketPart');
  if (fields instanceof Malformed) return fields;
  const [keyField, crealmField, cnameField] = [fields.get(1), fields.get(2), fields.get(3)];
  if (keyField === undefined || crealmField === undefined || cnameField === undefined)
    return new Malformed('EncTicketPart: a field is missing');
  const keyFields = readFields(plain, keyField, 'EncTicketPart key');
  if (keyFields instanceof Malformed) return keyFields;
  const [keytype, keyvalue] = [keyFields.get(0), keyFields.get(1)];
  if (keytype === undefined || keyvalue === undefined) return new Malformed('EncryptionKey: a field is missing');
  const etype = readInteger(plain, keytype, 'keytype');
  if (etype instanceof Malformed) return etype;
  const session = sessionKey(etype as EncType, Buffer.from(plain.subarray(keyvalue.contentStart, keyvalue.end)));
  const crealm = readString(plain, crealmField, 'crealm');
  if (crealm instanceof Malformed) return crealm;
  const cname = readPrincipalName(plain, cnameField, 'cname');
  if (cname instanceof Malformed) return cname;
  return { session, crealm, cname };
}

function encPart(tag: number, session: SessionKey, nonce: number, srealm: string, sname: PrincipalName): Buffer {
  const now = new Date();
  return tlv(
    tag,
    sequence(
      [0, encodeKey(session)],
      [1, tlv(SEQUENCE)],
      [2, integer(nonce)],
      [4, derFlags(0x40e10000)],
      [5, derTime(now)],
      [7, derTime(new Date(now.getTime() + 10 * HOUR))],
      [9, derString(srealm)],
      [10, derPrincipalName(sname.nameType, sname.components)],
    ),
  );
}

function kdcRep(
  tag: number,
  msgType: number,
  crealm: string,
  cname: PrincipalName,
  ticket: Buffer,
  etype: number,
  cipher: Buffer,
): Buffer {
  return tlv(
    tag,
    sequence(
      [0, integer(5)],
      [1, integer(msgType)],
      [3, derString(crealm)],
      [4, derPrincipalName(cname.nameType, cname.components)],
      [5, ticket],
      [6, encodeEncryptedData({ etype, cipher })],
    ),
  );
}

/** KRB-ERROR (RFC 4120 5.9.1), with the KDC's time and, when given, e-data. */
export function krbError(code: number, realm: string, eData?: Buffer): Buffer {
  const now = new Date();
  const fields: [number, Buffer][] = [
    [0, integer(5)],
    [1, integer(30)],
    [4, derTime(now)],
    [5, integer(now.getUTCMilliseconds() * 1000)],
    [6, integer(code)],
    [9, derString(realm)],
    [10, derPrincipalName(NT_SRV_INST, ['krbtgt', realm])],
  ];
  if (eData !== undefined) fields.push([12, tlv(OCTET_STRING, eData)]);
  return tlv(KRB_ERROR, sequence(...fields));
}

/** METHOD-DATA with the PA-ETYPE-INFO2 of one AES256 key and its salt. */
function etypeInfo2(salt: string): Buffer {
  const entry = sequence([0, integer(18)], [1, tlv(0x1b, Buffer.from(salt, 'utf8'))]);
  return tlv(SEQUENCE, encodePaData({ type: PA_ETYPE_INFO2, value: tlv(SEQUENCE, entry) }));
}

// ---- the KDC

export interface KdcFaults {
  /** What UDP does: answer, answer RESPONSE_TOO_BIG to everything, or nothing. */
  udp: 'answer' | 'too-big' | 'silent';
  /** What a request gets: a real answer, bytes that are no Kerberos, an answer to another nonce, or nothing at all. */
  reply: 'answer' | 'garbage' | 'other-nonce' | 'never';
  /** Referral tickets made with a key the partner does not have (the trust key reset on one side). */
  wrongTrustKey: boolean;
  /** The etype of the referral tickets this KDC issues (23: an RC4-only trust). */
  referralEtype: EncType;
}

export interface KdcRequestSeen {
  transport: 'udp' | 'tcp';
  kind: 'as-req' | 'tgs-req' | 'unreadable';
  realm: string;
  sname: string;
  /** An AS-REQ carrying PA-ENC-TIMESTAMP: a password attempt, as the KDC's lockout counts them. */
  preauth: boolean;
}

export interface TestKdc {
  port: number;
  /** Changed by a test between runs. */
  faults: KdcFaults;
  requests: KdcRequestSeen[];
  /** The password attempts seen (AS-REQs with PA-ENC-TIMESTAMP). */
  passwordAttempts(): number;
  close(): Promise<void>;
}

const NO_FAULTS: KdcFaults = { udp: 'answer', reply: 'answer', wrongTrustKey: false, referralEtype: 18 };
const PREAUTH_REQUIRED = 25;
const PREAUTH_FAILED = 24;
const C_PRINCIPAL_UNKNOWN = 6;
const S_PRINCIPAL_UNKNOWN = 7;
const BAD_INTEGRITY = 31;
const MODIFIED = 41;
const WRONG_REALM = 68;
const RESPONSE_TOO_BIG = 52;

const text = (name: PrincipalName): string => formatPrincipal(name);

class Kdc {
  constructor(
    readonly db: RealmDatabase,
    readonly realms: readonly string[],
    readonly faults: KdcFaults,
  ) {}

  answer(request: DecodedKdcRequest): Buffer {
    const realm = request.body.realm;
    if (!this.realms.includes(realm) || this.db.realm(realm) === undefined)
      return krbError(WRONG_REALM, this.realms[0] ?? realm);
    return request.kind === 'as-req' ? this.asReply(request, realm) : this.tgsReply(request, realm);
  }

  private nonceOf(request: DecodedKdcRequest): number {
    return this.faults.reply === 'other-nonce' ? (request.body.nonce + 1) >>> 0 : request.body.nonce;
  }

  private asReply(request: DecodedKdcRequest, realm: string): Buffer {
    const user = request.body.cname?.components[0] ?? '';
    const password = this.db.realm(realm)?.users?.[user];
    if (password === undefined) return krbError(C_PRINCIPAL_UNKNOWN, realm);
    const salt = `${realm}${user}`;
    const timestamp = findPaData(request.padata, PA_ENC_TIMESTAMP);
    if (timestamp === undefined) return krbError(PREAUTH_REQUIRED, realm, etypeInfo2(salt));
    const key = stringToKey(18, password, salt);
    if (key instanceof Malformed) throw new Error(key.reason);
    const encrypted = decodeEncryptedData(timestamp);
    const plain =
      encrypted instanceof Malformed ? encrypted : decrypt(key, KEY_USAGE_AS_REQ_PA_ENC_TIMESTAMP, encrypted.cipher);
    if (plain instanceof Malformed || decodePaEncTsEnc(plain) instanceof Malformed)
      return krbError(PREAUTH_FAILED, realm);
    const session = sessionKey(18, randomBytes(32));
    const cname = { nameType: NT_PRINCIPAL, components: [user] };
    const sname = { nameType: NT_SRV_INST, components: ['krbtgt', realm] };
    const ticket = makeTicket(realm, sname, this.db.krbtgtKey(realm, realm), { session, crealm: realm, cname });
    const enc = encrypt(
      key,
      KEY_USAGE_AS_REP_ENC_PART,
      encPart(ENC_AS_REP_PART, session, this.nonceOf(request), realm, sname),
    );
    return kdcRep(AS_REP, 11, realm, cname, ticket, key.etype, enc);
  }

  private tgsReply(request: DecodedKdcRequest, realm: string): Buffer {
    const apReqBytes = findPaData(request.padata, PA_TGS_REQ);
    const apReq = apReqBytes === undefined ? new Malformed('no PA-TGS-REQ') : decodeApReq(apReqBytes);
    if (apReq instanceof Malformed) return krbError(MODIFIED, realm);
    const tgt = apReq.decodedTicket;
    // A TGT of this realm: issued here (krbtgt/R@R) or by a trusting realm's KDC (krbtgt/R@OTHER).
    const [krbtgt, of] = tgt.sname.components;
    if (krbtgt !== 'krbtgt' || of !== realm) return krbError(WRONG_REALM, realm);
    const tgtKey = this.db.krbtgtKey(realm, tgt.realm, tgt.encPart.etype as EncType);
    const content = openTicket(tgt.encPart.cipher, tgtKey);
    if (content instanceof Malformed) return krbError(BAD_INTEGRITY, realm);
    const authenticator = decrypt(content.session.key, KEY_USAGE_TGS_REQ_AUTH, apReq.authenticator.cipher);
    if (authenticator instanceof Malformed) return krbError(MODIFIED, realm);
    const decoded = decodeAuthenticator(authenticator);
    if (
      decoded instanceof Malformed ||
      decoded.cksum === undefined ||
      !verifyChecksum(
        content.session.key,
        KEY_USAGE_TGS_REQ_AUTH_CKSUM,
        request.reqBody,
        decoded.cksum.cksumtype,
        decoded.cksum.checksum,
      )
    )
      return krbError(MODIFIED, realm);

    const sname = request.body.sname;
    const asked = text(sname);
    const own = this.db.realm(realm);
    let ticketRealm = realm;
    let ticketName = sname;
    let ticketKey: KerberosKey;
    if (own?.services?.includes(asked) === true) {
      ticketKey = this.db.krbtgtKey(`service ${asked}`, realm);
    } else {
      const explicit = sname.components[0] === 'krbtgt' && sname.components.length === 2;
      const target = explicit
        ? own?.trusts?.find((trusted) => trusted === sname.components[1])
        : own?.explicitOnly === true
          ? undefined
          : own?.referTo?.(asked);
      if (target === undefined || target === realm) return krbError(S_PRINCIPAL_UNKNOWN, realm);
      ticketName = { nameType: NT_SRV_INST, components: ['krbtgt', target] };
      ticketRealm = realm;
      ticketKey = this.faults.wrongTrustKey
        ? randomKey(this.faults.referralEtype)
        : this.db.krbtgtKey(target, realm, this.faults.referralEtype);
    }
    const session = sessionKey(18, randomBytes(32));
    const ticket = makeTicket(ticketRealm, ticketName, ticketKey, {
      session,
      crealm: content.crealm,
      cname: content.cname,
    });
    const enc = encrypt(
      content.session.key,
      KEY_USAGE_TGS_REP_ENC_PART_SESSION_KEY,
      encPart(ENC_TGS_REP_PART, session, this.nonceOf(request), ticketRealm, ticketName),
    );
    return kdcRep(TGS_REP, 13, content.crealm, content.cname, ticket, content.session.key.etype, enc);
  }
}

/** Bytes that are not Kerberos, the same every time. */
const GARBAGE = Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\nthis is no KDC');

/**
 * A KDC for `realms` (of `db`) on 127.0.0.1, port 0, UDP and TCP. `tcpOnly`: nothing listens
 * on UDP, so a datagram gets ICMP port unreachable.
 */
export async function startKdc(
  db: RealmDatabase,
  realms: readonly string[],
  options: { faults?: Partial<KdcFaults>; tcpOnly?: boolean } = {},
): Promise<TestKdc> {
  const faults: KdcFaults = { ...NO_FAULTS, ...options.faults };
  const kdc = new Kdc(db, realms, faults);
  const requests: KdcRequestSeen[] = [];

  const handle = (bytes: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined => {
    const request = decodeKdcRequest(bytes);
    requests.push(
      request instanceof Malformed
        ? { transport, kind: 'unreadable', realm: '', sname: '', preauth: false }
        : {
            transport,
            kind: request.kind,
            realm: request.body.realm,
            sname: text(request.body.sname),
            preauth: request.kind === 'as-req' && findPaData(request.padata, PA_ENC_TIMESTAMP) !== undefined,
          },
    );
    if (kdc.faults.reply === 'never') return undefined;
    if (kdc.faults.reply === 'garbage') return GARBAGE;
    if (transport === 'udp' && kdc.faults.udp === 'silent') return undefined;
    if (request instanceof Malformed) return krbError(60, realms[0] ?? '');
    if (transport === 'udp' && kdc.faults.udp === 'too-big') return krbError(RESPONSE_TOO_BIG, request.body.realm);
    return kdc.answer(request);
  };

  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const frame = unframeTcp(buffered);
      if (frame.kind === 'incomplete') return;
      if (frame.kind === 'malformed') {
        socket.destroy();
        return;
      }
      buffered = frame.rest;
      const reply = handle(frame.message, 'tcp');
      if (reply !== undefined) socket.write(reply === GARBAGE ? reply : frameTcp(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the test KDC has no port');
  const port = address.port;

  let udp: UdpSocket | undefined;
  if (options.tcpOnly !== true) {
    const socket = createSocket('udp4');
    socket.on('message', (message, peer) => {
      const reply = handle(message, 'udp');
      if (reply !== undefined) socket.send(reply, peer.port, peer.address);
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    udp = socket;
  }

  return {
    port,
    faults: kdc.faults,
    requests,
    passwordAttempts: () => requests.filter((request) => request.preauth).length,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      if (udp !== undefined)
        await new Promise<void>((resolve) => {
          udp.close(() => {
            resolve();
          });
        });
    },
  };
}
