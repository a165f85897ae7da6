import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Malformed, tlv } from '../../../probes/wire/ber.js';
import {
  decodeNegToken,
  decodeOidContent,
  encodeNegTokenInit,
  encodeNegTokenResp,
  encodeOid,
  MAX_MECH_TYPES,
  NEG_STATE,
  NTLMSSP_OID,
  oidContent,
  SPNEGO_OID,
} from '../../../probes/wire/spnego.js';

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function malformed(value: unknown, pattern: RegExp): void {
  assert.ok(value instanceof Malformed, `expected a Malformed, got ${JSON.stringify(value)}`);
  assert.match(value.reason, pattern);
}

// The OIDs' content octets as X.690 writes them, worked out by hand.
const OIDS = {
  [SPNEGO_OID]: '2b0601050502',
  [NTLMSSP_OID]: '2b06010401823702020a',
  '1.3.6.1.4.1.311.2.2.30': '2b06010401823702021e', // NEGOEX
  '1.2.840.48018.1.2.2': '2a864882f712010202', // MS Kerberos
  '1.2.840.113554.1.2.2': '2a864886f712010202', // Kerberos 5
} as const;

const NTLM_NEGOTIATE = hex('4e544c4d535350000100000037820ae2000000002000000000000000200000000'.slice(0, 64));

describe('OBJECT IDENTIFIER', () => {
  it('encodes and decodes the mechanisms of SPNEGO', () => {
    for (const [oid, content] of Object.entries(OIDS)) {
      assert.equal(oidContent(oid).toString('hex'), content, oid);
      assert.equal(decodeOidContent(hex(content), 'test'), oid);
    }
    assert.equal(encodeOid(NTLMSSP_OID).toString('hex'), `060a${OIDS[NTLMSSP_OID]}`);
    assert.equal(decodeOidContent(oidContent('2.999.4294967295'), 'test'), '2.999.4294967295');
  });

  it('refuses text that is not an OID (a programming error, thrown)', () => {
    assert.throws(() => oidContent('1.3.'), RangeError);
    assert.throws(() => oidContent('3.1'), RangeError);
    assert.throws(() => oidContent('1.40'), RangeError);
    assert.throws(() => oidContent('1.03'), RangeError);
  });

  it('malformed content', () => {
    malformed(decodeOidContent(hex(''), 'm'), /^m: empty OBJECT IDENTIFIER$/);
    malformed(decodeOidContent(hex('2b86'), 'm'), /^m: OBJECT IDENTIFIER ends inside an arc$/);
    malformed(decodeOidContent(hex('2b800101'), 'm'), /not minimally encoded/);
    malformed(decodeOidContent(hex('2b9080808000'), 'm'), /arc over 32 bits/);
    malformed(decodeOidContent(Buffer.alloc(33, 1), 'm'), /more than 32 arcs/);
  });
});

describe('SPNEGO tokens', () => {
  it('NegTokenInit: the GSS-API frame, the SPNEGO OID, [0] with mechTypes and mechToken; round trip', () => {
    const token = encodeNegTokenInit([NTLMSSP_OID], NTLM_NEGOTIATE);
    // 60 40 { 06 06 <spnego>, a0 36 { 30 34 { a0 0e { 30 0c { 06 0a <ntlmssp> } }, a2 22 { 04 20 <token> } } } }
    assert.equal(NTLM_NEGOTIATE.length, 32);
    assert.equal(
      token.toString('hex'),
      `60400606${OIDS[SPNEGO_OID]}a0363034a00e300c060a${OIDS[NTLMSSP_OID]}a2220420${NTLM_NEGOTIATE.toString('hex')}`,
    );
    assert.deepEqual(decodeNegToken(token), { kind: 'init', mechTypes: [NTLMSSP_OID], mechToken: NTLM_NEGOTIATE });
    assert.deepEqual(decodeNegToken(encodeNegTokenInit([NTLMSSP_OID, '1.2.840.113554.1.2.2'])), {
      kind: 'init',
      mechTypes: [NTLMSSP_OID, '1.2.840.113554.1.2.2'],
    });
  });

  it('NegTokenResp: bare [1], every field; round trip', () => {
    const all = {
      negState: NEG_STATE.acceptIncomplete,
      supportedMech: NTLMSSP_OID,
      responseToken: hex('4e544c4d53535000020000'),
      mechListMIC: hex('0100000011223344'),
    };
    const token = encodeNegTokenResp(all);
    assert.equal(token.subarray(0, 1).toString('hex'), 'a1');
    assert.ok(token.toString('hex').includes('a0030a0101a10c060a'));
    assert.deepEqual(decodeNegToken(token), { kind: 'resp', ...all });
    assert.deepEqual(decodeNegToken(encodeNegTokenResp({ responseToken: hex('00') })), {
      kind: 'resp',
      responseToken: hex('00'),
    });
    assert.deepEqual(decodeNegToken(encodeNegTokenResp({ negState: NEG_STATE.acceptCompleted })), {
      kind: 'resp',
      negState: 0,
    });
    assert.deepEqual(decodeNegToken(encodeNegTokenResp({})), { kind: 'resp' });
  });

  it('the NegTokenInit2 of an SMB2 NEGOTIATE response (MS-SPNG 2.2.1), as Windows sends it', () => {
    // mechTypes NEGOEX, MS Kerberos, Kerberos 5, NTLMSSP; [3] negHints { [0] hintName }.
    const mechTypes = Object.keys(OIDS).slice(2).concat(NTLMSSP_OID);
    const hint = tlv(0x30, tlv(0xa0, tlv(0x1b, Buffer.from('not_defined_in_RFC4178@please_ignore'))));
    const init2 = tlv(
      0x60,
      hex(`0606${OIDS[SPNEGO_OID]}`),
      tlv(
        0xa0,
        tlv(
          0x30,
          tlv(0xa0, tlv(0x30, ...mechTypes.map((oid) => tlv(0x06, hex(OIDS[oid as keyof typeof OIDS]))))),
          tlv(0xa3, hint),
        ),
      ),
    );
    assert.deepEqual(decodeNegToken(init2), {
      kind: 'init',
      mechTypes: ['1.3.6.1.4.1.311.2.2.30', '1.2.840.48018.1.2.2', '1.2.840.113554.1.2.2', NTLMSSP_OID],
    });
    // With reqFlags [1] (ignored) and a mechListMIC in [4], after the hints.
    const withMic = tlv(
      0x60,
      encodeOid(SPNEGO_OID),
      tlv(
        0xa0,
        tlv(
          0x30,
          tlv(0xa0, tlv(0x30, encodeOid(NTLMSSP_OID))),
          tlv(0xa1, hex('030100')),
          tlv(0xa3, hint),
          tlv(0xa4, tlv(0x04, hex('cafe'))),
        ),
      ),
    );
    assert.deepEqual(decodeNegToken(withMic), { kind: 'init', mechTypes: [NTLMSSP_OID], mechListMIC: hex('cafe') });
  });

  it('malformed tokens', () => {
    const good = encodeNegTokenInit([NTLMSSP_OID], NTLM_NEGOTIATE);
    malformed(decodeNegToken(Buffer.alloc(0)), /^SPNEGO token: element expected at offset 0/);
    malformed(decodeNegToken(good.subarray(0, good.length - 1)), /^SPNEGO token: tag 0x60 at offset 0 announces/);
    malformed(decodeNegToken(Buffer.concat([good, hex('00')])), /^SPNEGO token: 1 stray bytes after it$/);
    const kerberosFrame = tlv(0x60, encodeOid('1.2.840.113554.1.2.2'), tlv(0xa0, tlv(0x30)));
    malformed(decodeNegToken(kerberosFrame), /mechanism 1.2.840.113554.1.2.2, not SPNEGO/);
    malformed(decodeNegToken(tlv(0x60, encodeOid(SPNEGO_OID))), /holds 1 elements, not a mechanism and a token/);
    malformed(
      decodeNegToken(tlv(0xa2, tlv(0x30))),
      /tag 0xa2 at offset 0 is neither \[0\] NegTokenInit nor \[1\] NegTokenResp/,
    );
    malformed(decodeNegToken(tlv(0xa0, tlv(0x30))), /^NegTokenInit: required field \[0\] mechTypes is missing$/);
    malformed(decodeNegToken(tlv(0xa0, tlv(0x31))), /^NegTokenInit: tag 0x31 where 0x30 was expected$/);
    const tooMany = tlv(
      0xa0,
      tlv(0x30, tlv(0xa0, tlv(0x30, ...Array.from({ length: MAX_MECH_TYPES + 1 }, () => encodeOid(NTLMSSP_OID))))),
    );
    malformed(decodeNegToken(tooMany), /17 mechTypes, more than 16/);
    malformed(
      decodeNegToken(tlv(0xa0, tlv(0x30, tlv(0xa0, tlv(0x30, hex('0400')))))),
      /mechTypes: tag 0x04 where 0x06/,
    );
    malformed(
      decodeNegToken(tlv(0xa1, tlv(0x30, tlv(0xa0, hex('0a0107'))))),
      /negState at offset 6 is not one of 0 to 3/,
    );
    malformed(
      decodeNegToken(tlv(0xa1, tlv(0x30, tlv(0xa2, hex('0c00'))))),
      /^NegTokenResp responseToken: tag 0x0c where 0x04/,
    );
    malformed(decodeNegToken(tlv(0xa1, tlv(0x30, tlv(0xa2, hex('0405aa'))))), /announces 5 bytes, only 1 remain/);
    malformed(
      decodeNegToken(tlv(0xa1, tlv(0x30, tlv(0xa2, hex('0400')), tlv(0xa0, hex('0a0100'))))),
      /field \[0\] out of order/,
    );
  });
});
