// @ts-nocheck
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../support/random.js';
import {
  decodeAsReq,
  decodeKerberosReply,
  decodeKpasswdReply,
  encodeAsReq,
  encodeKpasswdProbe,
  frameTcp,
  KRB_ERROR_NAMES,
  krbErrorName,
  unframeTcp,
  type KerberosReply,
} from '../../../probes/wire/kerberos.js';

// ---- Replies captured from the lab's Samba 4.17 AD DCs (test/lab), answering encodeAsReq for a
// random adtrust-probe-<hex> principal, and encodeKpasswdProbe on 464.

/** dca (198.51.100.10), UDP 88, realm TAILSPIN.TEST: KDC_ERR_C_PRINCIPAL_UNKNOWN. */
const DCA_UDP_88 = hex(
  '7e819b308198a003020105a10302011ea411180f32303236313132313034343630355aa5050203067cd5a603020106a70f1b0d5441494c5350494e2e54455354a8273025a003020101a11e301c1b1a616474727573742d70726f62652d656232376231396565653431a90f1b0d5441494c5350494e2e54455354aa223020a003020102a11930171b066b72627467741b0d5441494c5350494e2e54455354',
);

/** dcb (198.51.100.20), TCP 88, realm WINGTIP.TEST: the whole TCP stream, 4-byte length prefix included. */
const DCB_TCP_88_STREAM = hex(
  '0000009b7e8198308195a003020105a10302011ea411180f32303236313132313034343432385aa50502030f29dca603020106a70e1b0c57494e475449502e54455354a8273025a003020101a11e301c1b1a616474727573742d70726f62652d663436663935353530363337a90e1b0c57494e475449502e54455354aa21301fa003020102a11830161b066b72627467741b0c57494e475449502e54455354',
);

/** dcc (198.51.100.30), TCP 88, realm FABRIKAM.TEST; its susec happens to fit in 2 bytes. */
const DCC_TCP_88_STREAM = hex(
  '0000009d7e819a308197a003020105a10302011ea411180f32303236313132313034343433325aa5040202030ea603020106a70f1b0d46414252494b414d2e54455354a8273025a003020101a11e301c1b1a616474727573742d70726f62652d353639393330313263393465a90f1b0d46414252494b414d2e54455354aa223020a003020102a11930171b066b72627467741b0d46414252494b414d2e54455354',
);

/**
 * dca (198.51.100.10), UDP 88, but realm WINGTIP.TEST (a trusted forest's realm): Samba 4.17
 * answers KDC_ERR_C_PRINCIPAL_UNKNOWN, not KDC_ERR_WRONG_REALM, and echoes the realm it was sent.
 */
const DCA_UDP_88_WRONG_REALM = hex(
  '7e8197308194a003020105a10302011ea411180f32303236313132313034343433355aa504020218e3a603020106a70e1b0c57494e475449502e54455354a8273025a003020101a11e301c1b1a616474727573742d70726f62652d333039616561663238313761a90e1b0c57494e475449502e54455354aa21301fa003020102a11830161b066b72627467741b0c57494e475449502e54455354',
);

/**
 * dca (198.51.100.10), UDP 464, answering encodeKpasswdProbe: RFC 3244 framing (length 0x009a,
 * version 0x0001, no AP-REP), then a KRB-ERROR whose e-data holds result code 2 (HARDERROR) and
 * "gensec_update failed - NT_STATUS_LOGON_FAILURE\n". Samba sends nothing back for a bare AS-REQ on 464.
 */
const DCA_UDP_464 = hex(
  '009a000100007e819130818ea003020105a10302011ea411180f32303236313132313034343630385aa505020306d7efa603020102a90f1b0d5441494c5350494e2e54455354aa1d301ba003020101a11430121b066b61646d696e1b086368616e67657077ac330431000267656e7365635f757064617465206661696c6564202d204e545f5354415455535f4c4f474f4e5f4641494c5552450a',
);

/** dcb (198.51.100.20), TCP 464, answering encodeKpasswdProbe: the 4-byte TCP prefix around the same RFC 3244 framing. */
const DCB_TCP_464_STREAM = hex(
  '000000990099000100007e819030818da003020105a10302011ea411180f32303236313132313034343631315aa505020307195ea603020102a90e1b0c57494e475449502e54455354aa1d301ba003020101a11430121b066b61646d696e1b086368616e67657077ac330431000267656e7365635f757064617465206661696c6564202d204e545f5354415455535f4c4f474f4e5f4641494c5552450a',
);

const DCB_TCP_88 = DCB_TCP_88_STREAM.subarray(4);
const DCC_TCP_88 = DCC_TCP_88_STREAM.subarray(4);
const DCB_TCP_464 = DCB_TCP_464_STREAM.subarray(4);

const KDC_VECTORS = [DCA_UDP_88, DCB_TCP_88, DCC_TCP_88, DCA_UDP_88_WRONG_REALM];
const KPASSWD_VECTORS = [DCA_UDP_464, DCB_TCP_464];
const STREAMS = [DCB_TCP_88_STREAM, DCC_TCP_88_STREAM, DCB_TCP_464_STREAM];

function hex(text: string): Buffer {
  return Buffer.from(text, 'hex');
}

// ---- A minimal DER writer for hand-made messages that no lab KDC would send.

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  assert.ok(body.length < 0x10000);
  const length =
    body.length < 0x80
      ? [body.length]
      : body.length < 0x100
        ? [0x81, body.length]
        : [0x82, body.length >> 8, body.length & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}

const int = (value: number): Buffer => tlv(0x02, Buffer.from([value]));
const str = (value: string): Buffer => tlv(0x1b, Buffer.from(value, 'latin1'));
const ctx = (n: number, element: Buffer): Buffer => tlv(0xa0 | n, element);

function krbError(fields: Buffer[]): Buffer {
  return tlv(0x7e, tlv(0x30, ...fields));
}

function expectError(reply: KerberosReply): Extract<KerberosReply, { kind: 'krb-error' }> {
  assert.equal(reply.kind, 'krb-error', JSON.stringify(reply));
  return reply;
}

function expectMalformed(reply: { kind: string; reason?: string }, pattern?: RegExp): void {
  assert.equal(reply.kind, 'malformed', JSON.stringify(reply));
  if (pattern) assert.match(reply.reason ?? '', pattern);
}

describe('encodeAsReq', () => {
  it('writes DER that reads back into the same fields, with the defaults', () => {
    const bytes = encodeAsReq({ realm: 'TAILSPIN.TEST', clientName: 'adtrust-probe-0123abcd', nonce: 0x12345678 });
    assert.equal(bytes[0], 0x6a);
    assert.deepEqual(decodeAsReq(bytes), {
      kind: 'as-req',
      kdcOptions: 0x40810000,
      clientNameType: 1,
      clientName: ['adtrust-probe-0123abcd'],
      realm: 'TAILSPIN.TEST',
      serverNameType: 2,
      serverName: ['krbtgt', 'TAILSPIN.TEST'],
      till: new Date('2037-09-13T02:48:05Z'),
      nonce: 0x12345678,
      etypes: [18, 17, 23],
    });
    assert.ok(bytes.includes(Buffer.from('20370913024805Z', 'latin1')));
    // No padata: field [3] of KDC-REQ is absent, [2] (msg-type 10) is followed by [4] (req-body).
    assert.deepEqual([...bytes.subarray(11, 17)], [0xa2, 0x03, 0x02, 0x01, 0x0a, 0xa4]);
  });

  it("takes till and etypes, and writes minimal two's complement integers", () => {
    const till = new Date('2030-01-02T03:04:05Z');
    const bytes = encodeAsReq({
      realm: 'WINGTIP.TEST',
      clientName: 'x',
      nonce: 0x80,
      till,
      etypes: [-128, 0, 127, 128, 23],
    });
    const decoded = decodeAsReq(bytes);
    assert.equal(decoded.kind, 'as-req', JSON.stringify(decoded));
    assert.deepEqual(decoded.till, till);
    assert.equal(decoded.nonce, 0x80);
    assert.deepEqual(decoded.etypes, [-128, 0, 127, 128, 23]);
    // 0x80 needs a sign byte; -128 does not.
    assert.ok(bytes.includes(Buffer.from([0xa7, 0x04, 0x02, 0x02, 0x00, 0x80])));
    assert.ok(bytes.includes(Buffer.from([0x30, 0x10, 0x02, 0x01, 0x80, 0x02, 0x01, 0x00])));
  });

  it('folds the nonce into 31 bits and never throws on odd input', () => {
    for (const [nonce, expected] of [
      [0xffffffff, 0x7fffffff],
      [-1, 0x7fffffff],
      [Number.NaN, 0],
      [2 ** 31, 0],
      [1.5, 1],
    ] as const) {
      const decoded = decodeAsReq(encodeAsReq({ realm: 'R', clientName: 'c', nonce }));
      assert.ok(decoded.kind === 'as-req', JSON.stringify(decoded));
      assert.equal(decoded.nonce, expected, `nonce ${nonce}`);
    }
    const odd = decodeAsReq(
      encodeAsReq({ realm: '', clientName: '', nonce: 1, till: new Date(Number.NaN), etypes: [2 ** 40, 1.5, 17] }),
    );
    assert.ok(odd.kind === 'as-req', JSON.stringify(odd));
    assert.deepEqual(odd.till, new Date('2037-09-13T02:48:05Z'));
    assert.deepEqual(odd.etypes, [17]);
    assert.deepEqual(odd.serverName, ['krbtgt', '']);
  });

  it('uses long-form lengths when a name is long', () => {
    const clientName = 'a'.repeat(300);
    const bytes = encodeAsReq({ realm: 'TAILSPIN.TEST', clientName, nonce: 7 });
    assert.deepEqual([...bytes.subarray(0, 2)], [0x6a, 0x82]);
    const decoded = decodeAsReq(bytes);
    assert.ok(decoded.kind === 'as-req');
    assert.deepEqual(decoded.clientName, [clientName]);
  });

  it('frameTcp prefixes the 4-byte big-endian length', () => {
    const message = encodeAsReq({ realm: 'TAILSPIN.TEST', clientName: 'c', nonce: 1 });
    const frame = frameTcp(message);
    assert.equal(frame.readUInt32BE(0), message.length);
    assert.deepEqual(frame.subarray(4), message);
  });
});

describe('decodeKerberosReply on replies from Samba 4.17', () => {
  it('reads KDC_ERR_C_PRINCIPAL_UNKNOWN with realm and server time, over UDP and TCP, from each forest', () => {
    const expected = [
      [DCA_UDP_88, 'TAILSPIN.TEST', '2026-11-21T04:46:05Z'],
      [DCB_TCP_88, 'WINGTIP.TEST', '2026-11-21T04:44:28Z'],
      [DCC_TCP_88, 'FABRIKAM.TEST', '2026-11-21T04:44:32Z'],
      [DCA_UDP_88_WRONG_REALM, 'WINGTIP.TEST', '2026-11-21T04:44:35Z'],
    ] as const;
    for (const [bytes, realm, time] of expected) {
      assert.deepEqual(decodeKerberosReply(bytes), {
        kind: 'krb-error',
        errorCode: 6,
        errorName: 'KDC_ERR_C_PRINCIPAL_UNKNOWN',
        realm,
        serverTime: new Date(time),
        text: undefined,
      });
    }
  });

  it('decodeKpasswdReply accepts a bare KRB-ERROR too', () => {
    assert.equal(expectError(decodeKpasswdReply(DCA_UDP_88)).errorCode, 6);
  });

  it('rejects the kpasswd framing where a bare reply is expected', () => {
    expectMalformed(decodeKerberosReply(DCA_UDP_464), /tag 0x00/);
  });
});

describe('decodeKpasswdReply on replies from Samba 4.17', () => {
  it('reads the RFC 3244 framing and names the kpasswd result code from e-data', () => {
    for (const [bytes, realm, time] of [
      [DCA_UDP_464, 'TAILSPIN.TEST', '2026-11-21T04:46:08Z'],
      [DCB_TCP_464, 'WINGTIP.TEST', '2026-11-21T04:46:11Z'],
    ] as const) {
      assert.deepEqual(decodeKpasswdReply(bytes), {
        kind: 'krb-error',
        errorCode: 2,
        errorName: 'KRB5_KPASSWD_HARDERROR',
        realm,
        serverTime: new Date(time),
        text: 'gensec_update failed - NT_STATUS_LOGON_FAILURE',
      });
    }
  });

  it('encodeKpasswdProbe is version 1, an empty AP-REQ and an empty KRB-PRIV', () => {
    const probe = encodeKpasswdProbe();
    assert.equal(probe.toString('hex'), '000e00010004' + '6e023000' + '75023000');
  });

  it('refuses framing that does not add up', () => {
    const body = DCA_UDP_464.subarray(6);
    const framed = (length: number, version: number, apRep: Buffer, rest: Buffer): Buffer => {
      const header = Buffer.alloc(6);
      header.writeUInt16BE(length, 0);
      header.writeUInt16BE(version, 2);
      header.writeUInt16BE(apRep.length, 4);
      return Buffer.concat([header, apRep, rest]);
    };
    expectMalformed(decodeKpasswdReply(framed(body.length + 7, 1, Buffer.alloc(0), body)), /announces/);
    expectMalformed(decodeKpasswdReply(framed(body.length + 6, 2, Buffer.alloc(0), body)), /version 0x0002/);
    expectMalformed(
      decodeKpasswdReply(framed(20, 1, Buffer.alloc(0), tlv(0x75, tlv(0x30, Buffer.from('0123456789', 'latin1'))))),
      /KRB-PRIV/,
    );
    expectMalformed(
      decodeKpasswdReply(framed(10, 1, Buffer.from([0x6f, 0x02, 0x30, 0x00]), Buffer.alloc(0))),
      /body starts with nothing/,
    );
    // The AP-REP length is checked against what is there, and the AP-REP must fill it.
    const lying = framed(body.length + 6, 1, Buffer.alloc(0), body);
    lying.writeUInt16BE(0xffff, 4);
    expectMalformed(decodeKpasswdReply(lying), /AP-REP length/);
    expectMalformed(
      decodeKpasswdReply(framed(body.length + 10, 1, Buffer.from([0x6f, 0x03, 0x30, 0x00]), body)),
      /AP-REP/,
    );
    // An AP-REP (version 0xff80 here) followed by a KRB-ERROR is fine.
    const withApRep = framed(body.length + 10, 0xff80, Buffer.from([0x6f, 0x02, 0x30, 0x00]), body);
    assert.equal(expectError(decodeKpasswdReply(withApRep)).errorName, 'KRB5_KPASSWD_HARDERROR');
  });
});

describe('decodeKerberosReply on hand-made messages', () => {
  const header = [ctx(0, int(5)), ctx(1, int(30))];
  const sname = tlv(0x30, ctx(0, int(2)), ctx(1, tlv(0x30, str('krbtgt'), str('TAILSPIN.TEST'))));

  it("reads an AS-REP's crealm, and a KRB-ERROR with e-text and an unknown code", () => {
    const asRep = tlv(
      0x6b,
      tlv(0x30, ctx(0, int(5)), ctx(1, int(11)), ctx(3, str('TAILSPIN.TEST')), ctx(5, tlv(0x61, tlv(0x30)))),
    );
    assert.deepEqual(decodeKerberosReply(asRep), { kind: 'as-rep', realm: 'TAILSPIN.TEST' });
    const error = krbError([
      ...header,
      ctx(6, int(99)),
      ctx(9, str('R')),
      ctx(10, sname),
      ctx(11, str('bad\u0007thing\n')),
    ]);
    assert.deepEqual(decodeKerberosReply(error), {
      kind: 'krb-error',
      errorCode: 99,
      errorName: 'KRB_ERROR_99',
      realm: 'R',
      serverTime: undefined,
      text: 'bad?thing',
    });
  });

  it('has the names the agent reports', () => {
    const names: [number, string][] = [
      [6, 'KDC_ERR_C_PRINCIPAL_UNKNOWN'],
      [7, 'KDC_ERR_S_PRINCIPAL_UNKNOWN'],
      [12, 'KDC_ERR_POLICY'],
      [14, 'KDC_ERR_ETYPE_NOSUPP'],
      [18, 'KDC_ERR_CLIENT_REVOKED'],
      [24, 'KDC_ERR_PREAUTH_FAILED'],
      [25, 'KDC_ERR_PREAUTH_REQUIRED'],
      [37, 'KRB_AP_ERR_SKEW'],
      [41, 'KRB_AP_ERR_MODIFIED'],
      [52, 'KRB_ERR_RESPONSE_TOO_BIG'],
      [60, 'KRB_ERR_GENERIC'],
      [68, 'KDC_ERR_WRONG_REALM'],
    ];
    for (const [code, name] of names) {
      assert.equal(KRB_ERROR_NAMES[code], name);
      assert.equal(krbErrorName(code), name);
    }
  });

  it('refuses what DER or RFC 4120 does not allow', () => {
    const code = ctx(6, int(6));
    const cases: [Buffer, RegExp][] = [
      [Buffer.alloc(0), /empty/],
      [Buffer.from([0x30, 0x00]), /tag 0x30/],
      [krbError([ctx(0, int(4)), ctx(1, int(30)), code]), /pvno 4/],
      [krbError([ctx(0, int(5)), ctx(1, int(11)), code]), /msg-type 11/],
      [krbError(header), /\[6\] is missing/],
      [krbError([...header, ctx(9, str('R')), code]), /out of order/],
      [krbError([...header, code, code]), /out of order or repeated/],
      [krbError([...header, code, tlv(0x02, Buffer.from([1]))]), /not a context tag/],
      [krbError([...header, ctx(6, tlv(0x02, Buffer.from([0, 0, 0, 0, 6])))]), /INTEGER of 5 bytes/],
      [krbError([...header, ctx(6, tlv(0x02, Buffer.alloc(0)))]), /INTEGER of 0 bytes/],
      [krbError([...header, code, ctx(9, tlv(0x0c, Buffer.from('R')))]), /realm: tag 0x0c/],
      [krbError([...header, ctx(4, tlv(0x18, Buffer.from('20260231000000Z'))), code]), /not a valid date/],
      [krbError([...header, ctx(4, tlv(0x18, Buffer.from('20260221000000.5Z'))), code]), /not a KerberosTime/],
      [krbError([...header, code, ctx(12, tlv(0x30))]), /e-data: tag 0x30/],
      [Buffer.concat([krbError([...header, code]), Buffer.from([0])]), /stray bytes/],
      // Indefinite length, a 5-byte length, and a high-number tag.
      [Buffer.from([0x7e, 0x80, 0x30, 0x00, 0x00, 0x00]), /indefinite/],
      [Buffer.from([0x7e, 0x85, 0, 0, 0, 0, 3, 0x30, 0x01, 0x00]), /length of 5 bytes/],
      [Buffer.from([0x7e, 0x03, 0x3f, 0x01, 0x00]), /high-number tag/],
      // A 4-byte length that claims 4 GiB, and a child longer than its parent (though not than the buffer).
      [Buffer.from([0x7e, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30, 0x00]), /announces 4294967295 bytes/],
      [
        krbError([...header, Buffer.from([0xa6, 0x03, 0x02, 0x05, 0x06]), ctx(9, str('TAILSPIN'))]),
        /\[6\]: tag 0x02 at offset 16 announces 5 bytes, only 1 remain/,
      ],
    ];
    for (const [bytes, pattern] of cases) expectMalformed(decodeKerberosReply(bytes), pattern);
  });
});

describe('truncated replies', () => {
  it('every truncation of every vector is malformed', () => {
    for (const vector of KDC_VECTORS) {
      for (let length = 0; length < vector.length; length += 1) {
        expectMalformed(decodeKerberosReply(vector.subarray(0, length)));
        expectMalformed(decodeKpasswdReply(vector.subarray(0, length)));
      }
    }
    for (const vector of KPASSWD_VECTORS) {
      for (let length = 0; length < vector.length; length += 1)
        expectMalformed(decodeKpasswdReply(vector.subarray(0, length)));
    }
  });

  it('every truncation of a TCP stream is incomplete', () => {
    for (const stream of STREAMS) {
      for (let length = 0; length < stream.length; length += 1)
        assert.deepEqual(unframeTcp(stream.subarray(0, length)), { kind: 'incomplete' });
    }
  });
});

describe('unframeTcp', () => {
  it('returns a complete message, then what follows it', () => {
    const complete = unframeTcp(DCB_TCP_88_STREAM);
    assert.equal(complete.kind, 'complete');
    assert.deepEqual(complete.message, DCB_TCP_88);
    assert.equal(complete.rest.length, 0);
    assert.equal(expectError(decodeKerberosReply(complete.message)).realm, 'WINGTIP.TEST');
  });

  it('splits two messages sent back to back, and holds a partial third', () => {
    const partial = DCC_TCP_88_STREAM.subarray(0, 10);
    const first = unframeTcp(Buffer.concat([DCB_TCP_88_STREAM, DCB_TCP_464_STREAM, partial]));
    assert.ok(first.kind === 'complete');
    assert.deepEqual(first.message, DCB_TCP_88);
    const second = unframeTcp(first.rest);
    assert.ok(second.kind === 'complete');
    assert.deepEqual(second.message, DCB_TCP_464);
    assert.equal(expectError(decodeKpasswdReply(second.message)).errorCode, 2);
    assert.deepEqual(second.rest, partial);
    assert.deepEqual(unframeTcp(second.rest), { kind: 'incomplete' });
  });

  it('copies, so the caller may reuse its buffer', () => {
    const buffer = Buffer.from(DCB_TCP_88_STREAM);
    const complete = unframeTcp(buffer);
    buffer.fill(0);
    assert.ok(complete.kind === 'complete');
    assert.deepEqual(complete.message, DCB_TCP_88);
  });

  it('refuses absurd lengths and the reserved high bit before the bytes arrive', () => {
    expectMalformed(unframeTcp(Buffer.from([0x00, 0x10, 0x00, 0x01])), /1048577 bytes/);
    expectMalformed(unframeTcp(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0x00])), /more than a KDC reply/);
    expectMalformed(unframeTcp(Buffer.from([0x80, 0x00, 0x00, 0x10])), /high bit/);
    // 1 MiB exactly is still plausible, so it waits for more.
    assert.deepEqual(unframeTcp(Buffer.from([0x00, 0x10, 0x00, 0x00, 0x7e])), { kind: 'incomplete' });
    assert.deepEqual(unframeTcp(Buffer.from([0x00, 0x00, 0x00, 0x00])), {
      kind: 'complete',
      message: Buffer.alloc(0),
      rest: Buffer.alloc(0),
    });
  });
});

// ---- Bounded deterministic fuzzing.

function assertReplyShape(reply: KerberosReply, input: Uint8Array): void {
  const context = `input ${Buffer.from(input).toString('hex')}`;
  switch (reply.kind) {
    case 'malformed':
      assert.equal(typeof reply.reason, 'string', context);
      assert.ok(reply.reason.length > 0, context);
      break;
    case 'as-rep':
      assert.ok(reply.realm === undefined || typeof reply.realm === 'string', context);
      break;
    case 'krb-error':
      assert.ok(Number.isSafeInteger(reply.errorCode), context);
      assert.ok(reply.errorName.length > 0, context);
      assert.ok(reply.realm === undefined || typeof reply.realm === 'string', context);
      assert.ok(reply.text === undefined || typeof reply.text === 'string', context);
      assert.ok(reply.serverTime === undefined || !Number.isNaN(reply.serverTime.getTime()), context);
      break;
    default:
      assert.fail(`unknown kind in ${JSON.stringify(reply)}; ${context}`);
  }
}

function exercise(input: Uint8Array): void {
  assertReplyShape(decodeKerberosReply(input), input);
  assertReplyShape(decodeKpasswdReply(input), input);
  const asReq = decodeAsReq(input);
  assert.ok(asReq.kind === 'as-req' || asReq.reason.length > 0);
  const unframed = unframeTcp(input);
  if (unframed.kind === 'complete') assert.equal(unframed.message.length + unframed.rest.length + 4, input.length);
  else assert.ok(unframed.kind === 'incomplete' || unframed.reason.length > 0);
}

function mutate(vector: Buffer, random: () => number): Buffer {
  const pick = (limit: number): number => Math.floor(random() * limit);
  const bytes = Buffer.from(vector);
  switch (pick(5)) {
    case 0: {
      for (let flips = 1 + pick(4); flips > 0; flips -= 1) bytes[pick(bytes.length)] = pick(256);
      return bytes;
    }
    case 1:
      return bytes.subarray(0, pick(bytes.length));
    case 2:
      return Buffer.concat([bytes, Buffer.from(Array.from({ length: 1 + pick(8) }, () => pick(256)))]);
    case 3: {
      bytes[pick(bytes.length)] = 0xff;
      return bytes;
    }
    default: {
      // A 4-byte long-form length of 0xffffffff in place of whatever was at some offset.
      const at = pick(bytes.length);
      return Buffer.concat([
        bytes.subarray(0, at),
        Buffer.from([0x84, 0xff, 0xff, 0xff, 0xff]),
        bytes.subarray(at + 1 + pick(2)),
      ]);
    }
  }
}

describe('fuzzing (mulberry32, fixed seeds)', () => {
  it('3000 random buffers: no throw, a valid result', () => {
    const random = mulberry32(0x4b524235);
    const firstBytes = [0x7e, 0x6b, 0x6a, 0x00, 0x30];
    for (let i = 0; i < 3000; i += 1) {
      const input = Buffer.from(Array.from({ length: Math.floor(random() * 200) }, () => Math.floor(random() * 256)));
      // Start some with a Kerberos tag, or they would all stop at the first byte.
      if (input.length > 0 && i % 2 === 0) input[0] = firstBytes[i % firstBytes.length] ?? 0;
      exercise(input);
    }
  });

  it('3000 mutations of the captured vectors: no throw, a valid result', () => {
    const random = mulberry32(88464);
    const vectors = [
      ...KDC_VECTORS,
      ...KPASSWD_VECTORS,
      ...STREAMS,
      encodeAsReq({ realm: 'TAILSPIN.TEST', clientName: 'adtrust-probe-fuzz', nonce: 1 }),
    ];
    let decoded = 0;
    for (let i = 0; i < 3000; i += 1) {
      const vector = vectors[i % vectors.length] ?? DCA_UDP_88;
      const input = mutate(vector, random);
      exercise(input);
      if (decodeKerberosReply(input).kind !== 'malformed' || decodeKpasswdReply(input).kind !== 'malformed')
        decoded += 1;
    }
    // A flip inside a string or a time leaves a decodable message: the fuzz reached deep fields.
    assert.ok(decoded > 100, `only ${decoded} mutations decoded`);
  });
});
