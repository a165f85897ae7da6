// The canary's Kerberos logon across one trust, as a Windows client makes it: an AS exchange
// with encrypted-timestamp pre-authentication at its own KDC, a TGS-REQ there for the
// partner's service with name canonicalization, then the referral ticket taken to a KDC of
// each realm it names, until a service ticket or an error. Every hop is kept as data; the
// verdict is probes/analysis/auth-verdict.ts's.

import { createHash, randomInt } from 'node:crypto';
import type { Hop, HopResult, KerberosOutcome } from '../analysis/auth-verdict.js';
import { rejectsPassword } from '../analysis/auth-verdict.js';
import { Malformed } from '../wire/ber.js';
import {
  checksum,
  decrypt,
  encrypt,
  isSupportedEncType,
  keyFromBytes,
  stringToKey,
  type EncType,
  type KerberosKey,
} from '../wire/kerberos-crypto.js';
import {
  decodeEncKdcRepPart,
  decodeKdcReply,
  encodeApReq,
  encodeAsRequest,
  encodeAuthenticator,
  encodeKdcReqBody,
  encodeEncryptedData,
  encodePaEncTsEnc,
  encodePaPacRequest,
  encodeTgsRequest,
  formatPrincipal,
  KDC_OPTION_CANONICALIZE,
  KDC_OPTION_FORWARDABLE,
  KDC_OPTION_RENEWABLE_OK,
  KEY_USAGE_AS_REP_ENC_PART,
  KEY_USAGE_AS_REQ_PA_ENC_TIMESTAMP,
  KEY_USAGE_TGS_REP_ENC_PART_SESSION_KEY,
  KEY_USAGE_TGS_REQ_AUTH,
  KEY_USAGE_TGS_REQ_AUTH_CKSUM,
  NT_PRINCIPAL,
  NT_SRV_INST,
  PA_ENC_TIMESTAMP,
  PA_PAC_REQUEST,
  PA_TGS_REQ,
  type EtypeInfo2Entry,
  type KdcReply,
  type KdcRequestBody,
  type KrbError,
  type PaData,
  type PrincipalName,
  type Ticket,
} from '../wire/kerberos-messages.js';
import type { ProbeContext } from '../model/probe.js';
import type { Canary } from '../model/targets.js';
import { parseKeytab } from '../wire/keytab.js';
import { askKdc, type Kdc } from './kdc.js';

export type { Kdc };

/** The strongest first; RC4 only when the account has no AES key (the KDC's ETYPE-INFO2 says). */
const ETYPES: readonly EncType[] = [18, 17, 23];
const PREAUTH_REQUIRED = 25;
const S_PRINCIPAL_UNKNOWN = 7;
/** A path through more realms than this is a referral loop, not a forest. */
export const MAX_HOPS = 8;
const TICKET_LIFETIME_MS = 10 * 60 * 60 * 1000;

/** The KDCs of a realm, or why there are none. */
export type KdcLookup = (realm: string) => Promise<{ ok: true; kdcs: Kdc[] } | { ok: false; detail: string }>;

/** A ticket and its session key: what the next request is made with. */
interface Credentials {
  ticket: Ticket;
  sessionKey: KerberosKey;
}

/** What the canary's password turns into; PBKDF2 runs once per secret, salt and etype, not per run. */
const KEY_CACHE = new Map<string, KerberosKey>();
const KEY_CACHE_SIZE = 64;

function digest(...parts: (string | Uint8Array)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

/** The canary's credential as the memory of rejected ones names it. */
export function credentialKey(canary: Canary): string[] {
  return ['kerberos', canary.user, canary.realm, canary.secret.kind, canary.secret.value.reveal()];
}

/** The canary's keys of a keytab, by etype (the highest key version of each), or why there are none. */
export function keytabKeys(canary: Canary & { secret: { kind: 'keytab' } }): Map<number, Uint8Array> | Malformed {
  const entries = parseKeytab(Buffer.from(canary.secret.value.reveal(), 'base64'));
  if (entries instanceof Malformed) return new Malformed(`${canary.secret.file}: ${entries.reason}`);
  const keys = new Map<number, { kvno: number; key: Uint8Array }>();
  for (const entry of entries) {
    const mine =
      entry.realm.toUpperCase() === canary.realm &&
      entry.components.length === 1 &&
      entry.components[0]?.toLowerCase() === canary.user.toLowerCase();
    const known = keys.get(entry.etype);
    if (mine && (known === undefined || entry.kvno > known.kvno)) keys.set(entry.etype, entry);
  }
  if (keys.size === 0) return new Malformed(`${canary.secret.file} holds no key of ${canary.user}@${canary.realm}`);
  return new Map([...keys].map(([etype, { key }]) => [etype, key]));
}

/** The encryption types the canary can use: any for a password, those of its keytab. */
function usableEtypes(canary: Canary): ReadonlySet<number> | Malformed {
  if (canary.secret.kind === 'password') return new Set(ETYPES);
  const keys = keytabKeys({ ...canary, secret: canary.secret });
  return keys instanceof Malformed ? keys : new Set(keys.keys());
}

function longTermKey(canary: Canary, entry: EtypeInfo2Entry & { etype: EncType }): KerberosKey | Malformed {
  const salt = entry.salt === undefined ? `${canary.realm}${canary.user}` : Buffer.from(entry.salt).toString('utf8');
  const id = digest(...credentialKey(canary), String(entry.etype), salt, entry.s2kparams ?? new Uint8Array());
  const cached = KEY_CACHE.get(id);
  if (cached !== undefined) return cached;
  let key: KerberosKey | Malformed;
  if (canary.secret.kind === 'keytab') {
    const keys = keytabKeys({ ...canary, secret: canary.secret });
    const bytes = keys instanceof Malformed ? keys : keys.get(entry.etype);
    key =
      bytes instanceof Malformed
        ? bytes
        : bytes === undefined
          ? new Malformed(`${canary.secret.file} holds no ${entry.etype} key`)
          : keyFromBytes(entry.etype, bytes);
  } else {
    key = stringToKey(entry.etype, canary.secret.value.reveal(), salt, entry.s2kparams);
  }
  if (key instanceof Malformed) return key;
  KEY_CACHE.set(id, key);
  if (KEY_CACHE.size > KEY_CACHE_SIZE) KEY_CACHE.delete(KEY_CACHE.keys().next().value as string);
  return key;
}

function nonce(): number {
  return randomInt(1, 0x7fffffff);
}

/** A reply that is either what was asked for, a KRB-ERROR, or something unusable. */
function readReply(bytes: Buffer, want: KdcReply['kind']): KdcReply | KrbError | Malformed {
  const reply = decodeKdcReply(bytes);
  if (reply instanceof Malformed) return reply;
  if (reply.kind !== 'krb-error' && reply.kind !== want)
    return new Malformed(`the KDC answered a ${reply.kind} to a ${want === 'as-rep' ? 'AS-REQ' : 'TGS-REQ'}`);
  return reply;
}

function errorResult(error: KrbError): HopResult {
  return {
    kind: 'error',
    code: error.errorCode,
    eText: error.eText,
    skewSeconds: error.serverTime === undefined ? undefined : (error.serverTime.getTime() - Date.now()) / 1000,
  };
}

function isUnknownPrincipal(result: HopResult): boolean {
  return result.kind === 'error' && result.code === S_PRINCIPAL_UNKNOWN;
}

function malformed(detail: string): HopResult {
  return { kind: 'malformed', detail };
}

interface Sent {
  hop: Omit<Hop, 'result'>;
  /** The KDC that answered, when one did. */
  kdc: Kdc | undefined;
  reply: KdcReply | KrbError | Malformed | undefined;
  unreachable: string | undefined;
}

/** One request to the first KDC of the realm that answers. */
async function send(
  step: Hop['step'],
  realm: string,
  asked: string,
  kdcs: Kdc[],
  request: Buffer,
  want: KdcReply['kind'],
  ctx: ProbeContext,
): Promise<Sent> {
  const tried: string[] = [];
  let last: Sent | undefined;
  for (const kdc of kdcs) {
    const answer = await askKdc(kdc, request, ctx);
    const hop = {
      step,
      realm,
      kdc: kdc.host,
      address: kdc.address,
      transport: answer.transport,
      udpFallback: answer.udpFallback,
      asked,
      seconds: answer.seconds,
    };
    if (answer.kind === 'reply') return { hop, kdc, reply: readReply(answer.bytes, want), unreachable: undefined };
    tried.push(`${kdc.host} (${kdc.address}): ${answer.detail}`);
    last = { hop, kdc: undefined, reply: undefined, unreachable: tried.join('; ') };
    if (ctx.signal.aborted) break;
  }
  return (
    last ?? {
      hop: { step, realm, kdc: '', address: '', transport: 'udp', udpFallback: undefined, asked, seconds: 0 },
      kdc: undefined,
      reply: undefined,
      unreachable: 'no KDC to ask',
    }
  );
}

function asBody(canary: Canary, cname: PrincipalName, etypes: readonly number[]): KdcRequestBody {
  return {
    kdcOptions: KDC_OPTION_FORWARDABLE | KDC_OPTION_RENEWABLE_OK | KDC_OPTION_CANONICALIZE,
    cname,
    realm: canary.realm,
    sname: { nameType: NT_SRV_INST, components: ['krbtgt', canary.realm] },
    till: new Date(Date.now() + TICKET_LIFETIME_MS),
    nonce: nonce(),
    etypes,
  };
}

/** The salt and etype to use: the first of ours the KDC's ETYPE-INFO2 offers and the canary has. */
function chooseEtype(
  entries: readonly EtypeInfo2Entry[],
  usable: ReadonlySet<number>,
): (EtypeInfo2Entry & { etype: EncType }) | undefined {
  for (const etype of ETYPES.filter((candidate) => usable.has(candidate))) {
    const entry = entries.find((candidate) => candidate.etype === etype);
    if (entry !== undefined && isSupportedEncType(entry.etype)) return { ...entry, etype: entry.etype };
  }
  return undefined;
}

type AsOutcome = { ok: true; hop: Hop; tgt: Credentials } | { ok: false; hop: Hop };

/** The canary's TGT: one AS-REQ to learn the salt, one with the encrypted timestamp. */
async function logOn(canary: Canary, kdcs: Kdc[], ctx: ProbeContext): Promise<AsOutcome> {
  const cname: PrincipalName = { nameType: NT_PRINCIPAL, components: [canary.user] };
  const asked = `krbtgt/${canary.realm}@${canary.realm}`;
  const pac: PaData = { type: PA_PAC_REQUEST, value: encodePaPacRequest(true) };
  const first = await send(
    'as',
    canary.realm,
    asked,
    kdcs,
    encodeAsRequest({ padata: [pac], body: asBody(canary, cname, ETYPES) }).message,
    'as-rep',
    ctx,
  );
  const done = (result: HopResult, extraSeconds = 0): { ok: false; hop: Hop } => ({
    ok: false,
    hop: { ...first.hop, seconds: first.hop.seconds + extraSeconds, result },
  });
  if (first.reply === undefined || first.kdc === undefined)
    return done({ kind: 'unreachable', detail: first.unreachable ?? '' });
  if (first.reply instanceof Malformed) return done(malformed(first.reply.reason));
  let etypeInfo: readonly EtypeInfo2Entry[];
  if (first.reply.kind === 'krb-error') {
    if (first.reply.errorCode !== PREAUTH_REQUIRED) return done(errorResult(first.reply));
    etypeInfo = first.reply.eData?.kind === 'method-data' ? first.reply.eData.etypeInfo2 : [];
  } else {
    // No pre-authentication asked (DONT_REQ_PREAUTH): the reply is already the TGT.
    etypeInfo = first.reply.etypeInfo2;
  }
  const usable = usableEtypes(canary);
  if (usable instanceof Malformed) return done(malformed(usable.reason));
  const entry = chooseEtype(
    etypeInfo.length > 0 ? etypeInfo : [{ etype: 23, salt: undefined, s2kparams: undefined }],
    usable,
  );
  if (entry === undefined)
    return done(
      malformed(
        `the KDC offers the canary only encryption types ${etypeInfo.map((e) => e.etype).join(', ')}, none of which ${canary.secret.kind === 'keytab' ? `its keytab holds (${[...usable].join(', ')})` : 'the agent supports (17, 18, 23)'}`,
      ),
    );
  const key = longTermKey(canary, entry);
  if (key instanceof Malformed) return done(malformed(key.reason));

  let reply: KdcReply | KrbError | Malformed = first.reply;
  let second: Sent | undefined;
  let requestNonce = 0;
  if (first.reply.kind === 'krb-error') {
    const now = new Date();
    const timestamp = encodeEncryptedData({
      etype: key.etype,
      cipher: encrypt(key, KEY_USAGE_AS_REQ_PA_ENC_TIMESTAMP, encodePaEncTsEnc(now)),
    });
    const body = asBody(canary, cname, [key.etype]);
    requestNonce = body.nonce;
    // The same KDC: it just said which salt it wants.
    second = await send(
      'as',
      canary.realm,
      asked,
      [first.kdc],
      encodeAsRequest({ padata: [{ type: PA_ENC_TIMESTAMP, value: timestamp }, pac], body }).message,
      'as-rep',
      ctx,
    );
    if (second.reply === undefined)
      return done({ kind: 'unreachable', detail: second.unreachable ?? '' }, second.hop.seconds);
    reply = second.reply;
  }
  const hop = { ...(second?.hop ?? first.hop), seconds: first.hop.seconds + (second?.hop.seconds ?? 0) };
  if (reply instanceof Malformed) return { ok: false, hop: { ...hop, result: malformed(reply.reason) } };
  if (reply.kind === 'krb-error') {
    const result = errorResult(reply);
    if (rejectsPassword(reply.errorCode))
      ctx.credentials.reject(
        credentialKey(canary),
        `${canary.realm}'s KDC ${hop.kdc} answered ${reply.errorName} (${reply.errorCode})`,
      );
    return { ok: false, hop: { ...hop, result } };
  }
  const session = openReply(reply, key, KEY_USAGE_AS_REP_ENC_PART, requestNonce);
  if (session instanceof Malformed)
    return { ok: false, hop: { ...hop, result: malformed(`the AS-REP ${session.reason}`) } };
  return {
    ok: true,
    hop: {
      ...hop,
      result: {
        kind: 'ticket',
        principal: formatPrincipal(reply.ticket.sname, reply.ticket.realm),
        etype: reply.ticket.encPart.etype,
      },
    },
    tgt: { ticket: reply.ticket, sessionKey: session },
  };
}

/** The session key of a reply, once its encrypted part decrypts and answers our nonce. */
function openReply(reply: KdcReply, key: KerberosKey, usage: number, requestNonce: number): KerberosKey | Malformed {
  if (reply.encPart.etype !== key.etype)
    return new Malformed(`is encrypted with etype ${reply.encPart.etype}, not the ${key.etype} asked for`);
  const plaintext = decrypt(key, usage, reply.encPart.cipher);
  if (plaintext instanceof Malformed)
    return new Malformed(`does not decrypt with the key it was asked with (${plaintext.reason})`);
  const part = decodeEncKdcRepPart(plaintext);
  if (part instanceof Malformed) return part;
  if (requestNonce !== 0 && part.nonce !== requestNonce) return new Malformed(`answers nonce ${part.nonce}, not ours`);
  if (!isSupportedEncType(part.key.keytype))
    return new Malformed(`carries a session key of unsupported etype ${part.key.keytype}`);
  return keyFromBytes(part.key.keytype, part.key.keyvalue);
}

/** One TGS-REQ for `service` at a KDC of `realm`, with `tgt` (a TGT of that realm). */
async function askForService(
  canary: Canary,
  realm: string,
  service: PrincipalName,
  tgt: Credentials,
  kdcs: Kdc[],
  ctx: ProbeContext,
): Promise<{ hop: Hop; next: Credentials | undefined }> {
  const body: KdcRequestBody = {
    kdcOptions: KDC_OPTION_FORWARDABLE | KDC_OPTION_RENEWABLE_OK | KDC_OPTION_CANONICALIZE,
    realm,
    sname: service,
    till: new Date(Date.now() + TICKET_LIFETIME_MS),
    nonce: nonce(),
    etypes: ETYPES,
  };
  const reqBody = encodeKdcReqBody(body);
  const now = new Date();
  const sum = checksum(tgt.sessionKey, KEY_USAGE_TGS_REQ_AUTH_CKSUM, reqBody);
  const authenticator = encodeAuthenticator({
    crealm: canary.realm,
    cname: { nameType: NT_PRINCIPAL, components: [canary.user] },
    cksum: { cksumtype: sum.cksumtype, checksum: sum.bytes },
    cusec: now.getUTCMilliseconds() * 1000,
    ctime: now,
  });
  const apReq = encodeApReq({
    apOptions: 0,
    ticket: tgt.ticket.bytes,
    authenticator: {
      etype: tgt.sessionKey.etype,
      cipher: encrypt(tgt.sessionKey, KEY_USAGE_TGS_REQ_AUTH, authenticator),
    },
  });
  const request = encodeTgsRequest({ padata: [{ type: PA_TGS_REQ, value: apReq }], body });
  const asked = `${formatPrincipal(service)}@${realm}`;
  const sent = await send('tgs', realm, asked, kdcs, request.message, 'tgs-rep', ctx);
  const finish = (result: HopResult) => ({ hop: { ...sent.hop, result }, next: undefined });
  if (sent.reply === undefined) return finish({ kind: 'unreachable', detail: sent.unreachable ?? '' });
  if (sent.reply instanceof Malformed) return finish(malformed(sent.reply.reason));
  if (sent.reply.kind === 'krb-error') return finish(errorResult(sent.reply));
  const reply = sent.reply;
  const session = openReply(reply, tgt.sessionKey, KEY_USAGE_TGS_REP_ENC_PART_SESSION_KEY, body.nonce);
  if (session instanceof Malformed) return finish(malformed(`the TGS-REP ${session.reason}`));
  const [first, second] = reply.ticket.sname.components;
  const next = { ticket: reply.ticket, sessionKey: session };
  if (first?.toLowerCase() === 'krbtgt' && second !== undefined && second.toUpperCase() !== realm.toUpperCase())
    return {
      hop: {
        ...sent.hop,
        result: { kind: 'referral', realm: second.toUpperCase(), etype: reply.ticket.encPart.etype },
      },
      next,
    };
  return {
    hop: {
      ...sent.hop,
      result: {
        kind: 'ticket',
        principal: formatPrincipal(reply.ticket.sname, reply.ticket.realm),
        etype: reply.ticket.encPart.etype,
      },
    },
    next: undefined,
  };
}

/** The canary's logon in its own realm, once per run whatever the number of directions. */
export type Logon =
  { kind: 'stopped'; outcome: KerberosOutcome } | { kind: 'logged-on'; hop: Hop; tgt: Credentials; kdcs: Kdc[] };

export async function canaryLogon(canary: Canary, findKdcs: KdcLookup, ctx: ProbeContext): Promise<Logon> {
  const rejected = ctx.credentials.rejection(credentialKey(canary));
  if (rejected !== undefined) return { kind: 'stopped', outcome: { kind: 'not-retried', why: rejected } };
  const own = await findKdcs(canary.realm);
  if (!own.ok) return { kind: 'stopped', outcome: { kind: 'no-kdc', realm: canary.realm, detail: own.detail } };
  const logon = await logOn(canary, own.kdcs, ctx);
  if (!logon.ok) return { kind: 'stopped', outcome: { kind: 'exchanged', hops: [logon.hop] } };
  return { kind: 'logged-on', hop: logon.hop, tgt: logon.tgt, kdcs: own.kdcs };
}

/** The path from the canary's TGT to `service` of `partnerRealm`, referral after referral. */
export async function kerberosPath(
  canary: Canary,
  logon: Logon,
  service: string,
  partnerRealm: string,
  findKdcs: KdcLookup,
  ctx: ProbeContext,
): Promise<KerberosOutcome> {
  if (logon.kind === 'stopped') return logon.outcome;
  const hops: Hop[] = [logon.hop];
  const sname: PrincipalName = { nameType: NT_SRV_INST, components: service.split('/') };
  let realm = canary.realm;
  let kdcs = logon.kdcs;
  let tgt: Credentials | undefined = logon.tgt;
  const visited = new Set([realm]);
  while (tgt !== undefined && hops.length <= MAX_HOPS) {
    let step = await askForService(canary, realm, sname, tgt, kdcs, ctx);
    hops.push(step.hop);
    if (hops.length === 2 && isUnknownPrincipal(step.hop.result) && partnerRealm !== realm) {
      // No referral by the service's name: the KDC does not route it (Samba's KDC on an
      // external trust). A client that knows the service's realm (MIT's domain_realm, a
      // Windows client by the host's DNS domain) then asks for that realm's TGT directly.
      const crossRealm: PrincipalName = { nameType: NT_SRV_INST, components: ['krbtgt', partnerRealm] };
      step = await askForService(canary, realm, crossRealm, tgt, kdcs, ctx);
      hops.push(step.hop);
    }
    if (step.hop.result.kind !== 'referral') break;
    realm = step.hop.result.realm;
    if (visited.has(realm)) {
      hops.push({ ...step.hop, result: malformed(`referral loop: ${realm} was already visited`) });
      break;
    }
    visited.add(realm);
    const next = await findKdcs(realm);
    if (!next.ok) {
      const { asked } = step.hop;
      hops.push({
        step: 'tgs',
        realm,
        kdc: '',
        address: '',
        transport: 'udp',
        udpFallback: undefined,
        asked,
        seconds: 0,
        result: { kind: 'unreachable', detail: `no KDC of ${realm} found: ${next.detail}` },
      });
      break;
    }
    kdcs = next.kdcs;
    tgt = step.next;
  }
  // Still referred on at the bound: a chain of referrals that does not end, not a forest.
  const last = hops.at(-1);
  if (last?.result.kind === 'referral')
    hops.push({
      ...last,
      result: malformed(`more than ${MAX_HOPS} hops: the referrals do not end (the last to ${last.result.realm})`),
    });
  return { kind: 'exchanged', hops };
}
