import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../support/random.js';
import {
  explicit,
  integer,
  Malformed,
  readChildren,
  readElement,
  readFields,
  readInteger,
  readWhole,
  tlv,
  type BerElement,
} from '../../../probes/wire/ber.js';
import { derFlags, derPrincipalName, derString, derTime } from '../../../probes/wire/kerberos-der.js';
import { unframeTcp } from '../../../probes/wire/kerberos.js';
import {
  decodeApReq,
  decodeAsRep,
  decodeAuthenticator,
  decodeEncKdcRepPart,
  decodeEncryptedData,
  decodeEtypeInfo2,
  decodeKdcReply,
  decodeKdcRequest,
  decodeKrbError,
  decodeMethodData,
  decodePaEncTsEnc,
  decodePaPacRequest,
  decodeTgsRep,
  decodeTicket,
  encodeApReq,
  encodeAsRequest,
  encodeAuthenticator,
  encodeEncryptedData,
  encodeKdcReqBody,
  encodePaData,
  encodePaEncTsEnc,
  encodePaPacRequest,
  encodeTgsRequest,
  findPaData,
  formatPrincipal,
  KDC_OPTION_CANONICALIZE,
  KDC_OPTION_FORWARDABLE,
  KDC_OPTION_RENEWABLE,
  KDC_OPTION_RENEWABLE_OK,
  KerberosEncodeError,
  NT_ENTERPRISE,
  NT_PRINCIPAL,
  NT_SRV_HST,
  NT_SRV_INST,
  PA_ENC_TIMESTAMP,
  PA_ETYPE_INFO2,
  PA_PAC_REQUEST,
  PA_TGS_REQ,
  principalName,
  TICKET_FLAG_FORWARDABLE,
  TICKET_FLAG_INITIAL,
  TICKET_FLAG_PRE_AUTHENT,
  type EncKdcRepPart,
  type KdcReply,
  type KdcRequestBody,
  type KrbError,
  type PrincipalName,
} from '../../../probes/wire/kerberos-messages.js';

// ---- Replies captured from real Windows DCs, read where they are kept (never copied here):
// ../shared/vectors/windows/ beside the project, each with what tshark read from it (`expected`).

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const WINDOWS = join(ROOT, '..', 'shared', 'vectors', 'windows');
const noWindowsVectors = existsSync(WINDOWS) ? false : `no Windows vectors at ${WINDOWS}`;

interface WindowsVector {
  transport: 'tcp' | 'udp';
  hex: string;
  request_hex?: string;
  expected: Record<string, string | string[]>;
}

/** One KDC message of a vector file, the TCP length prefix checked and taken off. */
function unframed(hex: string, transport: 'tcp' | 'udp'): Buffer {
  const bytes = Buffer.from(hex, 'hex');
  if (transport === 'udp') return bytes;
  const frame = unframeTcp(bytes);
  assert.equal(frame.kind, 'complete');
  assert.equal(frame.rest.length, 0);
  return frame.message;
}

function windows(name: string): { reply: Buffer; request: Buffer | undefined; expected: WindowsVector['expected'] } {
  const vector = JSON.parse(readFileSync(join(WINDOWS, `${name}.json`), 'utf8')) as WindowsVector;
  return {
    reply: unframed(vector.hex, vector.transport),
    request: vector.request_hex === undefined ? undefined : unframed(vector.request_hex, vector.transport),
    expected: vector.expected,
  };
}

const AS_REPS = ['as_rep_tcp_newyork_dmevals', 'as_rep_tcp_threebeesco'];
const PREAUTH_ERRORS = [
  'krb_error_preauth_required_tcp_newyork_dmevals',
  'krb_error_preauth_required_udp_threebeesco',
  'krb_error_preauth_failed_udp_threebeesco',
];
const OTHER_ERRORS = [
  'krb_error_s_principal_unknown_tgs_tcp_newyork_dmevals',
  'krb_error_response_too_big_udp_threebeesco',
];
const WINDOWS_VECTORS = [...AS_REPS, ...PREAUTH_ERRORS, ...OTHER_ERRORS];

function ok<T>(value: T | Malformed): T {
  if (value instanceof Malformed) assert.fail(`Malformed: ${value.reason}`);
  return value;
}

function reason(value: unknown): string {
  assert.ok(value instanceof Malformed, `expected a Malformed, got ${inspect(value)}`);
  return value.reason;
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** tshark's "Jul 22, 2020 19:16:35.000000000 UTC". */
function tsharkTime(text: string | string[] | undefined): Date {
  assert.equal(typeof text, 'string');
  return new Date(
    String(text)
      .replace(/\.\d+ UTC$/, ' UTC')
      .replace(/ +/g, ' '),
  );
}

function text(bytes: Uint8Array | undefined): string | undefined {
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
}

function asRep(name: string): KdcReply {
  const decoded = ok(decodeKdcReply(windows(name).reply));
  assert.equal(decoded.kind, 'as-rep');
  return decoded;
}

function krbError(name: string): KrbError {
  const decoded = ok(decodeKdcReply(windows(name).reply));
  assert.equal(decoded.kind, 'krb-error');
  return decoded;
}

describe('Kerberos replies from Windows DCs', { skip: noWindowsVectors }, () => {
  for (const name of AS_REPS) {
    it(`${name}: AS-REP with its ticket, enc-part and PA-ETYPE-INFO2, as tshark read it`, () => {
      const { expected } = windows(name);
      const reply = asRep(name);
      assert.equal(reply.crealm, expected['kerberos.crealm']);
      assert.deepEqual(reply.cname, { nameType: NT_PRINCIPAL, components: [expected['kerberos.CNameString']] });
      assert.equal(reply.ticket.realm, expected['kerberos.realm']);
      assert.deepEqual(reply.ticket.sname, { nameType: NT_SRV_INST, components: expected['kerberos.SNameString'] });
      assert.deepEqual(
        reply.padata.map((padata) => String(padata.type)),
        asList(expected['kerberos.padata_type']),
      );
      // tshark lists etypes in wire order: ETYPE-INFO2 entry, ticket enc-part, reply enc-part.
      assert.deepEqual(
        [reply.etypeInfo2[0]?.etype, reply.ticket.encPart.etype, reply.encPart.etype].map(String),
        expected['kerberos.etype'],
      );
      assert.deepEqual([reply.ticket.encPart.kvno, reply.encPart.kvno].map(String), expected['kerberos.kvno']);
      assert.equal(reply.etypeInfo2.length, 1);
      assert.equal(text(reply.etypeInfo2[0]?.salt), expected['kerberos.info2_salt']);
      assert.equal(reply.etypeInfo2[0]?.s2kparams, undefined);
      // The ticket is kept whole, to be sent on: it decodes on its own to the same fields.
      assert.equal(reply.ticket.bytes[0], 0x61);
      assert.deepEqual(ok(decodeTicket(reply.ticket.bytes)), reply.ticket);
      assert.ok(windows(name).reply.includes(Buffer.from(reply.ticket.bytes)));
      assert.equal(decodeAsRep(windows(name).reply) instanceof Malformed, false);
      assert.match(reason(decodeTgsRep(windows(name).reply)), /^TGS-REP: tag 0x6b where 0x6d was expected/);
    });
  }

  for (const name of PREAUTH_ERRORS) {
    it(`${name}: the error, the server time and the ETYPE-INFO2 salts from e-data`, () => {
      const { expected } = windows(name);
      const error = krbError(name);
      assert.equal(String(error.errorCode), expected['kerberos.error_code']);
      assert.equal(
        error.errorName,
        expected['kerberos.error_code'] === '25' ? 'KDC_ERR_PREAUTH_REQUIRED' : 'KDC_ERR_PREAUTH_FAILED',
      );
      assert.deepEqual(error.stime, tsharkTime(expected['kerberos.stime']));
      assert.equal(String(error.susec), expected['kerberos.susec']);
      assert.equal(
        error.serverTime?.getTime(),
        tsharkTime(expected['kerberos.stime']).getTime() + Math.floor(Number(expected['kerberos.susec']) / 1000),
      );
      assert.equal(error.realm, expected['kerberos.realm']);
      assert.deepEqual(error.sname, { nameType: NT_SRV_INST, components: expected['kerberos.SNameString'] });
      assert.equal(error.eData?.kind, 'method-data');
      assert.deepEqual(
        error.eData.padata.map((padata) => String(padata.type)),
        asList(expected['kerberos.padata_type']),
      );
      assert.deepEqual(
        error.eData.etypeInfo2.map((entry) => String(entry.etype)),
        expected['kerberos.etype'],
      );
      // AES gets the salt (realm + user, or the account's own for a renamed administrator); RC4 none.
      assert.equal(text(error.eData.etypeInfo2[0]?.salt), expected['kerberos.info2_salt']);
      assert.equal(error.eData.etypeInfo2[1]?.salt, undefined);
      const eData = String(expected['kerberos.e_data']);
      assert.deepEqual(ok(decodeMethodData(Buffer.from(eData, 'hex'))), error.eData.padata);
      const etypeInfo2 = findPaData(error.eData.padata, PA_ETYPE_INFO2);
      assert.deepEqual(ok(decodeEtypeInfo2(etypeInfo2 ?? Buffer.alloc(0))), error.eData.etypeInfo2);
      assert.equal(error.eText, undefined);
      assert.equal(error.cname, undefined);
    });
  }

  it('the NetBIOS realm a client asked for is echoed; the salt carries the DNS realm', () => {
    const error = krbError('krb_error_preauth_required_tcp_newyork_dmevals');
    assert.equal(error.realm, 'dmevals');
    assert.equal(error.eData?.kind === 'method-data' && text(error.eData.etypeInfo2[0]?.salt), 'DMEVALS.LOCALmscott');
  });

  for (const name of OTHER_ERRORS) {
    it(`${name}: code, server time, realm and sname, no e-data`, () => {
      const { expected } = windows(name);
      const error = krbError(name);
      assert.equal(String(error.errorCode), expected['kerberos.error_code']);
      assert.deepEqual(error.stime, tsharkTime(expected['kerberos.stime']));
      assert.equal(String(error.susec), expected['kerberos.susec']);
      assert.equal(error.realm, expected['kerberos.realm']);
      assert.deepEqual(error.sname, { nameType: NT_SRV_INST, components: expected['kerberos.SNameString'] });
      assert.equal(error.eData, undefined);
      assert.deepEqual(ok(decodeKrbError(windows(name).reply)), error);
    });
  }

  it('names the codes: S_PRINCIPAL_UNKNOWN to a TGS-REQ, RESPONSE_TOO_BIG over UDP', () => {
    assert.equal(
      krbError('krb_error_s_principal_unknown_tgs_tcp_newyork_dmevals').errorName,
      'KDC_ERR_S_PRINCIPAL_UNKNOWN',
    );
    assert.equal(krbError('krb_error_response_too_big_udp_threebeesco').errorName, 'KRB_ERR_RESPONSE_TOO_BIG');
  });

  // The requests in the vector files come from a Windows client (dmevals) and kerbrute
  // (threebeesco). DER has one encoding per value, so encoding the fields they carry must give
  // their bytes back: an independent check of field order, tags and lengths.
  for (const name of [...AS_REPS, ...PREAUTH_ERRORS, 'krb_error_response_too_big_udp_threebeesco']) {
    it(`${name}: the client's AS-REQ re-encodes byte for byte`, () => {
      const request = windows(name).request;
      assert.ok(request);
      const decoded = ok(decodeKdcRequest(request));
      assert.equal(decoded.kind, 'as-req');
      const encoded = encodeAsRequest({ padata: decoded.padata, body: decoded.body });
      assert.equal(encoded.message.toString('hex'), request.toString('hex'));
      assert.equal(encoded.reqBody.toString('hex'), Buffer.from(decoded.reqBody).toString('hex'));
    });
  }

  it("the Windows client's pre-authenticated AS-REQ: PA-ENC-TIMESTAMP, then PA-PAC-REQUEST, canonicalize", () => {
    const request = ok(decodeKdcRequest(windows('as_rep_tcp_newyork_dmevals').request ?? Buffer.alloc(0)));
    assert.deepEqual(
      request.padata?.map((padata) => padata.type),
      [PA_ENC_TIMESTAMP, PA_PAC_REQUEST],
    );
    const timestamp = ok(decodeEncryptedData(findPaData(request.padata, PA_ENC_TIMESTAMP) ?? Buffer.alloc(0)));
    assert.equal(timestamp.etype, 18);
    assert.equal(timestamp.kvno, undefined);
    assert.equal(ok(decodePaPacRequest(findPaData(request.padata, PA_PAC_REQUEST) ?? Buffer.alloc(0))), true);
    assert.equal(
      request.body.kdcOptions,
      KDC_OPTION_FORWARDABLE | KDC_OPTION_RENEWABLE | KDC_OPTION_CANONICALIZE | KDC_OPTION_RENEWABLE_OK,
    );
  });

  it("the Windows client's TGS-REQ re-encodes byte for byte, its AP-REQ and TGT included", () => {
    const request = windows('krb_error_s_principal_unknown_tgs_tcp_newyork_dmevals').request;
    assert.ok(request);
    const decoded = ok(decodeKdcRequest(request));
    assert.equal(decoded.kind, 'tgs-req');
    assert.equal(decoded.body.cname, undefined);
    assert.deepEqual(decoded.body.sname, { nameType: NT_SRV_INST, components: ['DNS', 'prisoner.iana.org'] });
    assert.equal(decoded.body.kdcOptions, KDC_OPTION_FORWARDABLE | KDC_OPTION_RENEWABLE | KDC_OPTION_CANONICALIZE);
    // PA-TGS-REQ first, then PA-PAC-OPTIONS (167, MS-KILE), which these codecs carry as bytes.
    assert.deepEqual(
      decoded.padata?.map((padata) => padata.type),
      [PA_TGS_REQ, 167],
    );
    const apReqBytes = findPaData(decoded.padata, PA_TGS_REQ) ?? Buffer.alloc(0);
    const apReq = ok(decodeApReq(apReqBytes));
    assert.equal(apReq.apOptions, 0);
    assert.equal(apReq.decodedTicket.realm, 'DMEVALS.LOCAL');
    assert.deepEqual(apReq.decodedTicket.sname.components, ['krbtgt', 'DMEVALS.LOCAL']);
    assert.equal(apReq.authenticator.etype, 18);
    const { ticket, authenticator, apOptions } = apReq;
    assert.equal(
      encodeApReq({ apOptions, ticket, authenticator }).toString('hex'),
      Buffer.from(apReqBytes).toString('hex'),
    );
    const encoded = encodeTgsRequest({ padata: decoded.padata, body: decoded.body });
    assert.equal(encoded.message.toString('hex'), request.toString('hex'));
  });
});

// ---- Round trips: every encoder through the decoders, and through the generic BER reader.

const FIXED = new Date('2026-12-01T23:59:58.123Z');
const USER: PrincipalName = { nameType: NT_PRINCIPAL, components: ['canary'] };
const KRBTGT = ok(principalName('krbtgt/WINGTIP.TEST'));
const SERVICE = ok(principalName('ldap/dc.fabrikam.test'));

const AS_BODY: KdcRequestBody = {
  kdcOptions: KDC_OPTION_FORWARDABLE | KDC_OPTION_RENEWABLE | KDC_OPTION_CANONICALIZE,
  cname: USER,
  realm: 'WINGTIP.TEST',
  sname: KRBTGT,
  till: new Date('2037-09-13T02:48:05Z'),
  rtime: new Date('2037-09-13T02:48:05Z'),
  nonce: 0x7fffffff,
  etypes: [18, 17, 23],
};

const TGS_BODY: KdcRequestBody = {
  kdcOptions: KDC_OPTION_FORWARDABLE | KDC_OPTION_RENEWABLE | KDC_OPTION_CANONICALIZE,
  realm: 'WINGTIP.TEST',
  sname: SERVICE,
  till: new Date('2037-09-13T02:48:05Z'),
  nonce: 12345,
  etypes: [18, 17],
};

const ENC_TIMESTAMP = { etype: 18, cipher: Buffer.alloc(56, 0xee) };

function asRequestWithPreauth(): ReturnType<typeof encodeAsRequest> {
  return encodeAsRequest({
    padata: [
      { type: PA_ENC_TIMESTAMP, value: encodeEncryptedData(ENC_TIMESTAMP) },
      { type: PA_PAC_REQUEST, value: encodePaPacRequest(true) },
    ],
    body: AS_BODY,
  });
}

/** A ticket as a KDC writes one, the enc-part's cipher standing for what only the KDC can read. */
function handMadeTicket(realm: string, sname: PrincipalName, etype: number, kvno: number): Buffer {
  return tlv(
    0x61,
    tlv(
      0x30,
      explicit(0, integer(5)),
      explicit(1, derString(realm)),
      explicit(2, derPrincipalName(sname.nameType, sname.components)),
      explicit(3, encodeEncryptedData({ etype, kvno, cipher: Buffer.alloc(40, 0x5a) })),
    ),
  );
}

const REFERRAL_TGT = handMadeTicket('WINGTIP.TEST', ok(principalName('krbtgt/FABRIKAM.TEST')), 23, 3);

function apRequest(): Buffer {
  return encodeApReq({
    apOptions: 0,
    ticket: REFERRAL_TGT,
    authenticator: { etype: 18, kvno: 7, cipher: Buffer.alloc(100, 0xab) },
  });
}

/** A TGS-REP carrying a referral: what a Windows KDC answers a canonicalize request for another forest. */
function handMadeTgsRep(): Buffer {
  return tlv(
    0x6d,
    tlv(
      0x30,
      explicit(0, integer(5)),
      explicit(1, integer(13)),
      explicit(3, derString('WINGTIP.TEST')),
      explicit(4, derPrincipalName(USER.nameType, USER.components)),
      explicit(5, REFERRAL_TGT),
      explicit(6, encodeEncryptedData({ etype: 18, cipher: Buffer.alloc(200, 0x11) })),
    ),
  );
}

/** The plaintext of a TGS-REP's enc-part under the given [APPLICATION n] tag (25 as Windows writes it, or 26). */
function handMadeEncPart(tag: 0x79 | 0x7a, withOptional: boolean, nonce = integer(0x87654321)): Buffer {
  const lastReq = tlv(0x30, tlv(0x30, explicit(0, integer(0)), explicit(1, derTime(FIXED))));
  return tlv(
    tag,
    tlv(
      0x30,
      explicit(0, tlv(0x30, explicit(0, integer(18)), explicit(1, tlv(0x04, Buffer.alloc(32, 0x42))))),
      explicit(1, lastReq),
      explicit(2, nonce),
      ...(withOptional ? [explicit(3, derTime(new Date('2027-01-01T00:00:00Z')))] : []),
      explicit(4, derFlags(TICKET_FLAG_FORWARDABLE | TICKET_FLAG_INITIAL | TICKET_FLAG_PRE_AUTHENT)),
      explicit(5, derTime(new Date('2026-12-01T23:00:00Z'))),
      ...(withOptional ? [explicit(6, derTime(new Date('2026-12-01T23:00:01Z')))] : []),
      explicit(7, derTime(new Date('2026-12-02T09:00:00Z'))),
      ...(withOptional ? [explicit(8, derTime(new Date('2026-12-08T23:00:00Z')))] : []),
      explicit(9, derString('WINGTIP.TEST')),
      explicit(10, derPrincipalName(NT_SRV_INST, ['krbtgt', 'FABRIKAM.TEST'])),
    ),
  );
}

/** KRB-ERROR KDC_ERR_CLIENT_REVOKED whose e-data is KERB-ERROR-DATA with a KERB-EXT-ERROR (account disabled). */
function handMadeExtendedError(): Buffer {
  const extError = Buffer.alloc(12);
  extError.writeUInt32LE(0xc0000072, 0);
  extError.writeUInt32LE(1, 8);
  const eData = tlv(0x30, explicit(1, integer(3)), explicit(2, tlv(0x04, extError)));
  return tlv(
    0x7e,
    tlv(
      0x30,
      explicit(0, integer(5)),
      explicit(1, integer(30)),
      explicit(4, derTime(FIXED)),
      explicit(5, integer(999999)),
      explicit(6, integer(18)),
      explicit(7, derString('WINGTIP.TEST')),
      explicit(8, derPrincipalName(NT_PRINCIPAL, ['canary'])),
      explicit(9, derString('WINGTIP.TEST')),
      explicit(10, derPrincipalName(NT_SRV_INST, ['krbtgt', 'WINGTIP.TEST'])),
      explicit(11, derString('account disabled')),
      explicit(12, tlv(0x04, eData)),
    ),
  );
}

describe('encoders, read back', () => {
  it('AS-REQ with pre-authentication reads back field by field, reqBody as in the message', () => {
    const { message, reqBody } = asRequestWithPreauth();
    const decoded = ok(decodeKdcRequest(message));
    assert.equal(decoded.kind, 'as-req');
    assert.deepEqual(decoded.body, {
      ...AS_BODY,
      from: undefined,
      addresses: undefined,
      encAuthorizationData: undefined,
      etypes: [18, 17, 23],
    });
    assert.deepEqual(Buffer.from(decoded.reqBody), reqBody);
    assert.deepEqual(reqBody, encodeKdcReqBody(AS_BODY));
    assert.deepEqual(ok(decodeEncryptedData(findPaData(decoded.padata, PA_ENC_TIMESTAMP) ?? Buffer.alloc(0))), {
      ...ENC_TIMESTAMP,
      kvno: undefined,
    });
    assert.equal(ok(decodePaPacRequest(findPaData(decoded.padata, PA_PAC_REQUEST) ?? Buffer.alloc(0))), true);
    assert.equal(ok(decodePaPacRequest(encodePaPacRequest(false))), false);
  });

  it('TGS-REQ: no cname, the AP-REQ in PA-TGS-REQ, its ticket byte for byte', () => {
    const apReq = apRequest();
    const { message, reqBody } = encodeTgsRequest({ padata: [{ type: PA_TGS_REQ, value: apReq }], body: TGS_BODY });
    const decoded = ok(decodeKdcRequest(message));
    assert.equal(decoded.kind, 'tgs-req');
    assert.equal(decoded.body.cname, undefined);
    assert.deepEqual(decoded.body.sname, SERVICE);
    assert.deepEqual(Buffer.from(decoded.reqBody), reqBody);
    const readBack = ok(decodeApReq(findPaData(decoded.padata, PA_TGS_REQ) ?? Buffer.alloc(0)));
    assert.deepEqual(Buffer.from(readBack.ticket), REFERRAL_TGT);
    assert.deepEqual(readBack.authenticator, { etype: 18, kvno: 7, cipher: Buffer.alloc(100, 0xab) });
    assert.equal(readBack.decodedTicket.encPart.etype, 23);
  });

  it('an AS-REQ without padata leaves the field out; an empty list is an empty SEQUENCE, as kerbrute sends', () => {
    const fieldsOf = (message: Buffer): number[] => {
      const sequence = ok(readWhole(message, 3, message.length, 0x30, 'test'));
      return [...ok(readFields(message, sequence, 'test')).keys()];
    };
    assert.deepEqual(fieldsOf(encodeAsRequest({ body: AS_BODY }).message), [1, 2, 4]);
    const empty = encodeAsRequest({ padata: [], body: AS_BODY }).message;
    assert.deepEqual(fieldsOf(empty), [1, 2, 3, 4]);
    assert.ok(empty.includes(Buffer.from('a3023000a4', 'hex')));
    assert.deepEqual(ok(decodeKdcRequest(empty)).padata, []);
  });

  it('PA-ENC-TS-ENC: whole seconds and microseconds', () => {
    assert.deepEqual(ok(decodePaEncTsEnc(encodePaEncTsEnc(FIXED))), {
      patimestamp: new Date('2026-12-01T23:59:58Z'),
      pausec: 123000,
    });
    assert.deepEqual(ok(decodePaEncTsEnc(encodePaEncTsEnc(FIXED, 999999))).pausec, 999999);
    assert.equal(encodePaEncTsEnc(FIXED).toString('hex'), '301aa011180f32303236313230313233353935385aa105020301e078');
  });

  it('EncryptedData with and without kvno; a kvno above 2^31 keeps its sign byte', () => {
    for (const data of [
      { etype: 18, kvno: 2, cipher: Buffer.from('00ff', 'hex') },
      { etype: 23, kvno: undefined, cipher: Buffer.alloc(0) },
      { etype: -135, kvno: 0xffffffff, cipher: Buffer.alloc(300, 1) },
    ]) {
      assert.deepEqual(ok(decodeEncryptedData(encodeEncryptedData(data))), data);
    }
    assert.equal(
      encodeEncryptedData({ etype: 18, kvno: 0x80000000, cipher: Buffer.alloc(0) }).toString('hex'),
      '3012a003020112a10702050080000000a2020400',
    );
  });

  it('Authenticator with checksum, subkey and sequence number, and without', () => {
    const full = {
      crealm: 'WINGTIP.TEST',
      cname: USER,
      cksum: { cksumtype: 16, checksum: Buffer.alloc(12, 0xcc) },
      cusec: 123456,
      ctime: new Date('2026-12-01T23:59:58Z'),
      subkey: { keytype: 18, keyvalue: Buffer.alloc(32, 0x33) },
      seqNumber: 0xfedcba98,
    };
    const decoded = ok(decodeAuthenticator(encodeAuthenticator(full)));
    assert.deepEqual({ ...decoded, subkey: { ...decoded.subkey } }, full);
    const bare = { ...full, cksum: undefined, subkey: undefined, seqNumber: undefined };
    assert.deepEqual(ok(decodeAuthenticator(encodeAuthenticator(bare))), bare);
    assert.equal(encodeAuthenticator(bare)[0], 0x62);
  });

  it('PA-DATA and METHOD-DATA', () => {
    const padata = { type: PA_ETYPE_INFO2, value: Buffer.from('3000', 'hex') };
    assert.deepEqual(ok(decodeMethodData(tlv(0x30, encodePaData(padata)))), [padata]);
  });

  it('refuses values the messages cannot carry, naming the field', () => {
    const cases: [() => unknown, string][] = [
      [
        () => encodeKdcReqBody({ ...AS_BODY, nonce: 2 ** 32 }),
        'KDC-REQ-BODY nonce: 4294967296 is not an integer from 0 to 4294967295',
      ],
      [
        () => encodeKdcReqBody({ ...AS_BODY, nonce: -1 }),
        'KDC-REQ-BODY nonce: -1 is not an integer from 0 to 4294967295',
      ],
      [
        () => encodeKdcReqBody({ ...AS_BODY, etypes: [2 ** 31] }),
        'KDC-REQ-BODY etype: 2147483648 is not an integer from -2147483648 to 2147483647',
      ],
      [
        () => encodeKdcReqBody({ ...AS_BODY, till: new Date(Number.NaN) }),
        'KDC-REQ-BODY till: Invalid Date is not a KerberosTime',
      ],
      [() => encodeKdcReqBody({ ...AS_BODY, kdcOptions: 1.5 }), 'KDC-REQ-BODY kdc-options: 1.5 is not 32 flag bits'],
      [() => encodePaEncTsEnc(FIXED, 1_000_000), 'PA-ENC-TS-ENC pausec: 1000000 is not an integer from 0 to 999999'],
      [
        () => encodeEncryptedData({ etype: 18, kvno: -1, cipher: Buffer.alloc(0) }),
        'EncryptedData kvno: -1 is not an integer from 0 to 4294967295',
      ],
      [
        () => encodeAuthenticator({ crealm: 'W', cname: USER, cusec: 0, ctime: new Date('+010000-01-01T00:00:00Z') }),
        'Authenticator ctime: ',
      ],
    ];
    for (const [encode, message] of cases) {
      assert.throws(encode, (error: unknown) => {
        assert.ok(error instanceof KerberosEncodeError);
        assert.ok(error.message.startsWith(message), error.message);
        return true;
      });
    }
  });
});

/** The elements inside `element`, by tag: the generic BER reader, knowing nothing of Kerberos. */
function children(bytes: Buffer, element: BerElement): BerElement[] {
  return ok(readChildren(bytes, element, 'test'));
}

function only(bytes: Buffer, element: BerElement): BerElement {
  const inner = children(bytes, element);
  assert.equal(inner.length, 1);
  return inner[0] as BerElement;
}

function tags(elements: BerElement[]): number[] {
  return elements.map((element) => element.tag);
}

describe('encoded requests, walked with the generic BER reader (RFC 4120 5.4.1 field order)', () => {
  // RFC 4120 5.4.1, as MIT kinit sends a pre-authenticated AS-REQ:
  //   6a AS-REQ { 30 { a1 pvno 5, a2 msg-type 10, a3 padata 30 { 30 { a1 type 2, a2 04 EncryptedData } ... },
  //   a4 req-body 30 { a0 03 kdc-options (5 bytes, 0 unused bits), a1 cname, a2 1b realm, a3 sname,
  //   a5 18 till, a6 18 rtime, a7 02 nonce, a8 30 { 02 etype ... } } } }
  it('AS-REQ with PA-ENC-TIMESTAMP has the structure of a kinit request', () => {
    const { message } = asRequestWithPreauth();
    const outer = ok(readWhole(message, 0, message.length, 0x6a, 'AS-REQ'));
    const sequence = only(message, outer);
    assert.equal(sequence.tag, 0x30);
    const fields = children(message, sequence);
    assert.deepEqual(tags(fields), [0xa1, 0xa2, 0xa3, 0xa4]);
    const [pvno, msgType, padata, body] = fields.map((field) => only(message, field)) as [
      BerElement,
      BerElement,
      BerElement,
      BerElement,
    ];
    assert.equal(ok(readInteger(message, pvno, 'pvno')), 5);
    assert.equal(ok(readInteger(message, msgType, 'msg-type')), 10);
    const entries = children(message, padata);
    assert.deepEqual(tags(entries), [0x30, 0x30]);
    const first = children(message, entries[0] as BerElement);
    assert.deepEqual(tags(first), [0xa1, 0xa2]);
    assert.equal(ok(readInteger(message, only(message, first[0] as BerElement), 'type')), PA_ENC_TIMESTAMP);
    const value = only(message, first[1] as BerElement);
    assert.equal(value.tag, 0x04);
    // The padata-value holds the EncryptedData { a0 etype, a2 cipher } with nothing after it.
    const encrypted = ok(readWhole(message, value.contentStart, value.end, 0x30, 'EncryptedData'));
    assert.deepEqual(tags(children(message, encrypted)), [0xa0, 0xa2]);
    const bodyFields = children(message, body);
    assert.deepEqual(tags(bodyFields), [0xa0, 0xa1, 0xa2, 0xa3, 0xa5, 0xa6, 0xa7, 0xa8]);
    const inner = bodyFields.map((field) => only(message, field));
    assert.deepEqual(tags(inner), [0x03, 0x30, 0x1b, 0x30, 0x18, 0x18, 0x02, 0x30]);
    const options = inner[0] as BerElement;
    assert.equal(message.subarray(options.contentStart, options.end).toString('hex'), '0040810000');
    assert.equal(
      message.subarray((inner[2] as BerElement).contentStart, (inner[2] as BerElement).end).toString(),
      'WINGTIP.TEST',
    );
    assert.equal(
      message.subarray((inner[4] as BerElement).contentStart, (inner[4] as BerElement).end).toString(),
      '20370913024805Z',
    );
    assert.equal(ok(readInteger(message, inner[6] as BerElement, 'nonce', 5)), 0x7fffffff);
    const etypes = children(message, inner[7] as BerElement).map((etype) => ok(readInteger(message, etype, 'etype')));
    assert.deepEqual(etypes, [18, 17, 23]);
    const sname = children(message, inner[3] as BerElement);
    assert.deepEqual(tags(sname), [0xa0, 0xa1]);
    const components = children(message, only(message, sname[1] as BerElement));
    assert.deepEqual(
      components.map((component) => message.subarray(component.contentStart, component.end).toString()),
      ['krbtgt', 'WINGTIP.TEST'],
    );
  });

  it('TGS-REQ: msg-type 12, PA-TGS-REQ holding the AP-REQ, and a req-body without cname', () => {
    const { message, reqBody } = encodeTgsRequest({
      padata: [{ type: PA_TGS_REQ, value: apRequest() }],
      body: TGS_BODY,
    });
    const outer = ok(readWhole(message, 0, message.length, 0x6c, 'TGS-REQ'));
    const fields = children(message, only(message, outer));
    assert.deepEqual(tags(fields), [0xa1, 0xa2, 0xa3, 0xa4]);
    assert.equal(ok(readInteger(message, only(message, fields[1] as BerElement), 'msg-type')), 12);
    const paValue = only(
      message,
      children(message, only(message, only(message, fields[2] as BerElement)))[1] as BerElement,
    );
    const apReq = ok(readWhole(message, paValue.contentStart, paValue.end, 0x6e, 'AP-REQ'));
    const apFields = children(message, only(message, apReq));
    assert.deepEqual(tags(apFields), [0xa0, 0xa1, 0xa2, 0xa3, 0xa4]);
    const ticket = only(message, apFields[3] as BerElement);
    assert.deepEqual(message.subarray(ticket.start, ticket.end), REFERRAL_TGT);
    const body = only(message, fields[3] as BerElement);
    assert.deepEqual(message.subarray(body.start, body.end), reqBody);
    assert.deepEqual(tags(children(message, body)), [0xa0, 0xa2, 0xa3, 0xa5, 0xa7, 0xa8]);
  });

  it('the element after each length is where the length says (no stray bytes)', () => {
    const { message } = asRequestWithPreauth();
    assert.ok(!(readElement(message, 0, message.length) instanceof Malformed));
  });
});

describe('replies and plaintexts built by hand', () => {
  it('TGS-REP with a referral TGT: realm, sname and the etype of its enc-part', () => {
    const reply = ok(decodeKdcReply(handMadeTgsRep()));
    assert.equal(reply.kind, 'tgs-rep');
    const tgsRep = reply;
    assert.equal(formatPrincipal(tgsRep.ticket.sname, tgsRep.ticket.realm), 'krbtgt/FABRIKAM.TEST@WINGTIP.TEST');
    assert.deepEqual([tgsRep.ticket.encPart.etype, tgsRep.ticket.encPart.kvno], [23, 3]);
    assert.deepEqual(tgsRep.padata, []);
    assert.deepEqual(tgsRep.etypeInfo2, []);
    assert.deepEqual(Buffer.from(tgsRep.ticket.bytes), REFERRAL_TGT);
    assert.deepEqual(ok(decodeTgsRep(handMadeTgsRep())), tgsRep);
  });

  for (const [tag, kind] of [
    [0x79, 'enc-as-rep-part'],
    [0x7a, 'enc-tgs-rep-part'],
  ] as const) {
    it(`EncKDCRepPart under [APPLICATION ${tag & 0x1f}], with and without the optional times`, () => {
      const full = ok(decodeEncKdcRepPart(handMadeEncPart(tag, true)));
      const expected: EncKdcRepPart = {
        kind,
        key: { keytype: 18, keyvalue: Buffer.alloc(32, 0x42) },
        nonce: 0x87654321,
        keyExpiration: new Date('2027-01-01T00:00:00Z'),
        flags: TICKET_FLAG_FORWARDABLE | TICKET_FLAG_INITIAL | TICKET_FLAG_PRE_AUTHENT,
        authtime: new Date('2026-12-01T23:00:00Z'),
        starttime: new Date('2026-12-01T23:00:01Z'),
        endtime: new Date('2026-12-02T09:00:00Z'),
        renewTill: new Date('2026-12-08T23:00:00Z'),
        srealm: 'WINGTIP.TEST',
        sname: { nameType: NT_SRV_INST, components: ['krbtgt', 'FABRIKAM.TEST'] },
      };
      assert.deepEqual({ ...full, key: { keytype: full.key.keytype, keyvalue: full.key.keyvalue } }, expected);
      const bare = ok(decodeEncKdcRepPart(handMadeEncPart(tag, false)));
      assert.deepEqual([bare.keyExpiration, bare.starttime, bare.renewTill], [undefined, undefined, undefined]);
    });
  }

  it('refuses an EncKDCRepPart under another tag, and a UInt32 nonce written as a negative Int32 reads as the same bits', () => {
    assert.equal(
      reason(decodeEncKdcRepPart(Buffer.from('7b00', 'hex'))),
      'EncKDCRepPart: tag 0x7b, neither [APPLICATION 25] (0x79) nor [APPLICATION 26] (0x7a)',
    );
    // 87 65 43 21 without the leading zero byte DER wants for a positive value.
    const negative = handMadeEncPart(0x79, false, tlv(0x02, Buffer.from('87654321', 'hex')));
    assert.equal(ok(decodeEncKdcRepPart(negative)).nonce, 0x87654321);
  });

  it('a session key never shows its bytes in JSON or util.inspect', () => {
    const part = ok(decodeEncKdcRepPart(handMadeEncPart(0x7a, true)));
    const keyHex = Buffer.alloc(32, 0x42).toString('hex');
    for (const shown of [JSON.stringify(part), inspect(part, { depth: 10 }), inspect(part.key)]) {
      assert.ok(!shown.includes(keyHex) && !shown.includes('66, 66, 66'), shown);
      assert.match(shown, /32 bytes, not shown/);
    }
    assert.equal(part.key.keyvalue.length, 32);
  });

  it('KERB-ERROR-DATA in e-data: the NTSTATUS of a KERB-EXT-ERROR', () => {
    const error = ok(decodeKrbError(handMadeExtendedError()));
    assert.equal(error.errorName, 'KDC_ERR_CLIENT_REVOKED');
    assert.equal(error.eText, 'account disabled');
    assert.equal(error.crealm, 'WINGTIP.TEST');
    assert.deepEqual(error.cname, USER);
    assert.equal(error.serverTime?.toISOString(), '2026-12-01T23:59:58.999Z');
    assert.deepEqual(error.eData, {
      kind: 'kerb-error-data',
      bytes: Buffer.from('3015a103020103a20e040c720000c00000000001000000', 'hex'),
      dataType: 3,
      dataValue: Buffer.from('720000c00000000001000000', 'hex'),
      status: 0xc0000072,
    });
  });

  it('e-data that is neither METHOD-DATA nor KERB-ERROR-DATA is kept as bytes, the error still read', () => {
    const withEData = (eData: Buffer): Buffer =>
      tlv(
        0x7e,
        tlv(
          0x30,
          explicit(0, integer(5)),
          explicit(1, integer(30)),
          explicit(6, integer(60)),
          explicit(12, tlv(0x04, eData)),
        ),
      );
    const samba = Buffer.from('00026f6f7073', 'hex');
    const odd = ok(decodeKrbError(withEData(samba)));
    assert.equal(odd.errorName, 'KRB_ERR_GENERIC');
    assert.deepEqual(odd.eData, {
      kind: 'opaque',
      bytes: samba,
      reason: 'e-data: tag 0x00 where 0x30 was expected',
    });
    const badInfo2 = tlv(0x30, encodePaData({ type: PA_ETYPE_INFO2, value: Buffer.from('3003020112', 'hex') }));
    assert.deepEqual(ok(decodeKrbError(withEData(badInfo2))).eData, {
      kind: 'opaque',
      bytes: badInfo2,
      reason: 'ETYPE-INFO2 entry: tag 0x02 where 0x30 was expected',
    });
  });

  it('names what is wrong', () => {
    const cases: [unknown, string][] = [
      [decodeKdcReply(Buffer.alloc(0)), 'empty KDC reply'],
      [
        decodeKdcReply(Buffer.from('6a00', 'hex')),
        'KDC reply starts with tag 0x6a, none of AS-REP (0x6b), TGS-REP (0x6d) or KRB-ERROR (0x7e)',
      ],
      [
        decodeKdcRequest(Buffer.from('6b00', 'hex')),
        'KDC request starts with tag 0x6b, neither AS-REQ (0x6a) nor TGS-REQ (0x6c)',
      ],
      [
        decodeTicket(handMadeTicket('R', KRBTGT, 18, 1).subarray(0, 20)),
        'Ticket: tag 0x61 at offset 0 announces 105 bytes, only 18 remain',
      ],
      [decodeEncryptedData(Buffer.from('3003a00100', 'hex')), 'EncryptedData [0]: tag 0x00 at offset 4 has no length'],
      [decodeEncryptedData(Buffer.from('3005a003020112', 'hex')), 'EncryptedData: required field [2] is missing'],
      [decodePaEncTsEnc(Buffer.from('3008a106020400000000', 'hex')), 'PA-ENC-TS-ENC: required field [0] is missing'],
      [
        decodeEtypeInfo2(Buffer.from('3007300530', 'hex')),
        'ETYPE-INFO2: tag 0x30 at offset 0 announces 7 bytes, only 3 remain',
      ],
    ];
    for (const [value, message] of cases) assert.equal(reason(value), message);
  });
});

describe('principal names', () => {
  it('splits service names at each slash and picks the name type', () => {
    assert.deepEqual(ok(principalName('ldap/dc.wingtip.test')), {
      nameType: NT_SRV_INST,
      components: ['ldap', 'dc.wingtip.test'],
    });
    assert.deepEqual(ok(principalName('krbtgt/WINGTIP.TEST')), {
      nameType: NT_SRV_INST,
      components: ['krbtgt', 'WINGTIP.TEST'],
    });
    assert.deepEqual(ok(principalName('canary')), { nameType: NT_PRINCIPAL, components: ['canary'] });
    assert.deepEqual(ok(principalName('host/dc.wingtip.test', NT_SRV_HST)), {
      nameType: NT_SRV_HST,
      components: ['host', 'dc.wingtip.test'],
    });
    assert.deepEqual(ok(principalName('canary@wingtip.test', NT_ENTERPRISE)), {
      nameType: NT_ENTERPRISE,
      components: ['canary@wingtip.test'],
    });
    assert.equal(reason(principalName('ldap//dc')), 'principal name "ldap//dc" has an empty component');
    assert.equal(reason(principalName('')), 'principal name "" has an empty component');
    assert.equal(formatPrincipal(SERVICE), 'ldap/dc.fabrikam.test');
    assert.equal(formatPrincipal(KRBTGT, 'WINGTIP.TEST'), 'krbtgt/WINGTIP.TEST@WINGTIP.TEST');
  });
});

// ---- Hostile input: every prefix and seeded byte flips decode to a value or a Malformed.

type Decoder = (bytes: Uint8Array) => unknown;

const DECODERS: Decoder[] = [
  decodeKdcReply,
  decodeKrbError,
  decodeAsRep,
  decodeTgsRep,
  decodeKdcRequest,
  decodeApReq,
  decodeAuthenticator,
  decodeEncKdcRepPart,
  decodeEncryptedData,
  decodeTicket,
  decodeEtypeInfo2,
  decodeMethodData,
  decodePaEncTsEnc,
  decodePaPacRequest,
];

function handMadeVectors(): Buffer[] {
  return [
    asRequestWithPreauth().message,
    encodeTgsRequest({ padata: [{ type: PA_TGS_REQ, value: apRequest() }], body: TGS_BODY }).message,
    apRequest(),
    REFERRAL_TGT,
    handMadeTgsRep(),
    handMadeEncPart(0x79, true),
    handMadeEncPart(0x7a, false),
    handMadeExtendedError(),
    encodeAuthenticator({
      crealm: 'WINGTIP.TEST',
      cname: USER,
      cksum: { cksumtype: 16, checksum: Buffer.alloc(12) },
      cusec: 1,
      ctime: FIXED,
      subkey: { keytype: 18, keyvalue: Buffer.alloc(32) },
      seqNumber: 5,
    }),
    encodePaEncTsEnc(FIXED),
  ];
}

function allVectors(): Buffer[] {
  const vectors = handMadeVectors();
  if (noWindowsVectors) return vectors;
  for (const name of WINDOWS_VECTORS) {
    const { reply, request } = windows(name);
    vectors.push(reply, ...(request === undefined ? [] : [request]));
  }
  return vectors;
}

/** Each decoder returns a Malformed or a value, never throws; returns how many decoded. */
function exercise(bytes: Buffer): number {
  let decoded = 0;
  for (const decode of DECODERS) {
    let result: unknown;
    assert.doesNotThrow(
      () => {
        result = decode(bytes);
      },
      `throws on ${bytes.toString('hex')}`,
    );
    assert.ok(result !== undefined && result !== null);
    if (!(result instanceof Malformed)) decoded += 1;
  }
  return decoded;
}

describe('hostile input', () => {
  it('every prefix of every vector is Malformed to every decoder (DER fills the bytes)', () => {
    for (const vector of allVectors()) {
      assert.ok(exercise(vector) >= 1, `${vector.toString('hex').slice(0, 40)} decodes`);
      for (let length = 0; length < vector.length; length += 1) {
        assert.equal(exercise(vector.subarray(0, length)), 0, `prefix of ${length} bytes decoded`);
      }
    }
  });

  it('4000 seeded byte flips of the vectors: a value or a Malformed, never a throw', () => {
    const random = mulberry32(0x4b524d53);
    const vectors = allVectors();
    let decoded = 0;
    for (let i = 0; i < 4000; i += 1) {
      const bytes = Buffer.from(vectors[i % vectors.length] ?? Buffer.alloc(0));
      const flips = 1 + Math.floor(random() * 4);
      for (let flip = 0; flip < flips; flip += 1)
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      if (exercise(bytes) > 0) decoded += 1;
    }
    // Flips inside ciphers, strings and times leave a message that still decodes: the fuzz reached deep fields.
    assert.ok(decoded > 400, `only ${decoded} mutations decoded`);
  });

  it('2000 seeded random buffers behind Kerberos tags', () => {
    const random = mulberry32(0x6b6d7367);
    const firstBytes = [0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x61, 0x62, 0x79, 0x7a, 0x7e, 0x30];
    for (let i = 0; i < 2000; i += 1) {
      const bytes = Buffer.from(
        Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256)),
      );
      bytes[0] = firstBytes[i % firstBytes.length] ?? 0x30;
      exercise(bytes);
    }
  });
});
