import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Malformed, tlv } from '../../../probes/wire/ber.js';
import { randomBytes, type Random } from '../../support/fuzz.js';
import { mulberry32 } from '../../support/random.js';
import {
  decodeAuthenticate,
  decodeAvPairs,
  decodeChallenge,
  decodeNegotiate,
  encodeAvPairs,
  encodeChallenge,
  MSV_AV_NB_COMPUTER_NAME,
  MSV_AV_NB_DOMAIN_NAME,
  MSV_AV_TIMESTAMP,
  ntHash,
  ntowfV2,
  verifyNtlmV2Response,
} from '../../../probes/wire/ntlm.js';
import {
  decodeSessionSetupResponse,
  decodeNegotiateRequest,
  decodeNegotiateResponse,
  decodeSessionSetupRequest,
  encodeErrorResponse,
  encodeNegotiateResponse,
  encodeSessionSetupResponse,
  frame,
  readFrame,
  SMB2_SESSION_SETUP,
  STATUS_LOGON_FAILURE,
  STATUS_MORE_PROCESSING_REQUIRED,
} from '../../../probes/wire/smb2.js';
import {
  decodeNegToken,
  encodeNegTokenResp,
  encodeOid,
  NEG_STATE,
  NTLMSSP_OID,
  SPNEGO_OID,
  type NegToken,
} from '../../../probes/wire/spnego.js';

// The three codecs together, on a real client. smbclient 4.17 (client min protocol SMB2_02, max
// SMB3_02, user TAILSPIN\canary, password Canary-Passw0rd: a test value, not a secret) logged on
// to a loopback listener that answered with the server side of these codecs: serverNegotiate(),
// then serverChallenge() in a NegTokenResp, then STATUS_LOGON_FAILURE, which smbclient reported as
// NT_STATUS_LOGON_FAILURE. Its three requests, captured once:
const SMBCLIENT = {
  negotiate:
    'fe534d42400000000000000000001f0000000000000000000000000000000000000000000000000000000000000000000000' +
    '000000000000000000000000000024000400010000007f000000c608c3f561b4934f93631b7299330a5e0000000000000000' +
    '0202100200030203',
  sessionSetup1:
    'fe534d4240000000000000000100002000000000000000000100000000000000000000000000000000000000000000000000' +
    '000000000000000000000000000019000001010000000000000058004a000000000000000000604806062b0601050502a03e' +
    '303ca00e300c060a2b06010401823702020aa22a04284e544c4d535350000100000015820862000000002800000000000000' +
    '28000000060100000000000f',
  sessionSetup2:
    'fe534d4240000000000000000100002000000000000000000200000000000000000000000000000034120000000000000000' +
    '0000000000000000000000000000190000010100000000000000580078010000000000000000a182017430820170a2820158' +
    '048201544e544c4d53535000030000001800180058000000be00be0070000000100010002e0100000c000c003e0100000a00' +
    '0a004a010000000000005401000015820822060100000000000fe02a5c570b1e33ad8a04e4fd4a7655200000000000000000' +
    '00000000000000000000000000000000b43b062532942b90f8e20bd60fb9617d01010000000000000000e73f4a10dc018ce6' +
    '12abb456b29700000000020010005400410049004c005300500049004e0001000600440043004100070008000000e73f4a10' +
    'dc01060004000200000008003000300000000000000000000000000000001dcf5785c91e0c9cbb04b5ce4c2a34ead2b59880' +
    'd262e7ac049f30ac3362e8600a001000000000000000000000000000000000000900100063006900660073002f0064006300' +
    '6100000000005400410049004c005300500049004e00630061006e00610072007900500052004f0042004500a31204100100' +
    '0000b574b89a2039f7a100000000',
};

const PASSWORD = 'Canary-Passw0rd';
const SERVER_CHALLENGE = Buffer.from('0011223344556677', 'hex');

function hex(text: string): Buffer {
  return Buffer.from(text, 'hex');
}

function ok<T>(value: T | Malformed): T {
  if (value instanceof Malformed) assert.fail(`unexpected Malformed: ${value.reason}`);
  return value;
}

function token(bytes: Buffer, kind: NegToken['kind']): NegToken {
  const decoded = ok(decodeNegToken(bytes));
  assert.equal(decoded.kind, kind);
  return decoded;
}

/** The NegTokenInit2 a Windows DC puts in its NEGOTIATE response (MS-SPNG 2.2.1). */
function windowsInit2(): Buffer {
  const mechs = ['1.3.6.1.4.1.311.2.2.30', '1.2.840.48018.1.2.2', '1.2.840.113554.1.2.2', NTLMSSP_OID];
  const hints = tlv(0x30, tlv(0xa0, tlv(0x1b, Buffer.from('not_defined_in_RFC4178@please_ignore'))));
  return tlv(
    0x60,
    encodeOid(SPNEGO_OID),
    tlv(0xa0, tlv(0x30, tlv(0xa0, tlv(0x30, ...mechs.map(encodeOid))), tlv(0xa3, hints))),
  );
}

function serverChallenge(): Buffer {
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64LE(134_000_000_000_000_000n);
  const targetInfo = encodeAvPairs([
    { id: MSV_AV_NB_DOMAIN_NAME, value: Buffer.from('TAILSPIN', 'utf16le') },
    { id: MSV_AV_NB_COMPUTER_NAME, value: Buffer.from('DCA', 'utf16le') },
    { id: MSV_AV_TIMESTAMP, value: stamp },
  ]);
  return encodeChallenge({ flags: 0xa2898215, serverChallenge: SERVER_CHALLENGE, targetName: 'TAILSPIN', targetInfo });
}

describe("an SMB2 logon: smbclient's requests, the codecs' answers", () => {
  it('NEGOTIATE: the dialects smbclient offers, and the answer with a NegTokenInit2', () => {
    const request = ok(decodeNegotiateRequest(hex(SMBCLIENT.negotiate)));
    assert.deepEqual(request.dialects, [0x0202, 0x0210, 0x0300, 0x0302]);
    assert.equal(request.securityMode, 1);
    assert.equal(request.header.messageId, 0n);
    const answer = encodeNegotiateResponse({
      messageId: request.header.messageId,
      dialect: 0x0302,
      serverGuid: Buffer.alloc(16, 7),
      securityBuffer: windowsInit2(),
    });
    const response = ok(decodeNegotiateResponse(answer));
    assert.ok(response.kind === 'negotiate');
    assert.equal(response.dialect, 0x0302);
    const init = token(response.securityBuffer, 'init');
    assert.ok(init.kind === 'init' && init.mechTypes.includes(NTLMSSP_OID));
  });

  it('SESSION_SETUP 1: SPNEGO NegTokenInit around an NTLM NEGOTIATE; the answer carries the CHALLENGE', () => {
    const request = ok(decodeSessionSetupRequest(hex(SMBCLIENT.sessionSetup1)));
    assert.equal(request.header.sessionId, 0n);
    const init = token(request.securityBuffer, 'init');
    assert.ok(init.kind === 'init');
    assert.deepEqual(init.mechTypes, [NTLMSSP_OID]);
    assert.ok(init.mechToken !== undefined);
    assert.equal(ok(decodeNegotiate(init.mechToken)).flags, 0x62088215);
    const answer = encodeSessionSetupResponse({
      messageId: request.header.messageId,
      sessionId: 0x1234n,
      status: STATUS_MORE_PROCESSING_REQUIRED,
      securityBuffer: encodeNegTokenResp({
        negState: NEG_STATE.acceptIncomplete,
        supportedMech: NTLMSSP_OID,
        responseToken: serverChallenge(),
      }),
    });
    const response = ok(decodeSessionSetupResponse(answer));
    assert.ok(response.kind === 'session-setup');
    assert.deepEqual(token(response.securityBuffer, 'resp'), {
      kind: 'resp',
      negState: NEG_STATE.acceptIncomplete,
      supportedMech: NTLMSSP_OID,
      responseToken: serverChallenge(),
    });
  });

  it('SESSION_SETUP 2: NegTokenResp around the AUTHENTICATE, whose NTLMv2 response holds for the password', () => {
    const request = ok(decodeSessionSetupRequest(hex(SMBCLIENT.sessionSetup2)));
    assert.equal(request.header.sessionId, 0x1234n);
    const resp = token(request.securityBuffer, 'resp');
    assert.ok(resp.kind === 'resp' && resp.responseToken !== undefined);
    assert.equal(resp.mechListMIC?.length, 16);
    const authenticate = ok(decodeAuthenticate(resp.responseToken));
    assert.equal(authenticate.user, 'canary');
    assert.equal(authenticate.domain, 'TAILSPIN');
    const responseKeyNT = ntowfV2(ntHash(PASSWORD), authenticate.user, authenticate.domain);
    const ntChallengeResponse = authenticate.ntResponse;
    assert.equal(verifyNtlmV2Response({ responseKeyNT, serverChallenge: SERVER_CHALLENGE, ntChallengeResponse }), true);
    const otherChallenge = hex('0011223344556678');
    assert.equal(verifyNtlmV2Response({ responseKeyNT, serverChallenge: otherChallenge, ntChallengeResponse }), false);
    const answer = encodeErrorResponse(SMB2_SESSION_SETUP, STATUS_LOGON_FAILURE, request.header.messageId, 0x1234n);
    const response = ok(decodeSessionSetupResponse(answer));
    assert.equal(response.kind, 'error');
    assert.equal(response.header.status, STATUS_LOGON_FAILURE);
  });
});

/** One to eight bytes overwritten, the message cut short, or junk appended. */
function mutate(random: Random, valid: Buffer): Buffer {
  const choice = random();
  if (choice < 0.2) return valid.subarray(0, Math.floor(random() * valid.length));
  if (choice < 0.3) return Buffer.concat([valid, randomBytes(random, 1 + Math.floor(random() * 40))]);
  const bytes = Buffer.from(valid);
  const flips = 1 + Math.floor(random() * 8);
  for (let flip = 0; flip < flips; flip++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
  return bytes;
}

/** Every decoder returns a value or a Malformed with a reason, never throws, never returns more bytes than it got. */
function fuzz(
  name: string,
  seeds: readonly Buffer[],
  decode: (bytes: Buffer) => unknown,
  seed: number,
): { parsed: number; malformed: number } {
  const random = mulberry32(seed);
  const counts = { parsed: 0, malformed: 0 };
  for (let round = 0; round < 3000; round++) {
    const valid = seeds[round % seeds.length] ?? Buffer.alloc(0);
    const input = round % 4 === 0 ? randomBytes(random, Math.floor(random() * 300)) : mutate(random, valid);
    const context = `${name} round ${round}: ${input.toString('hex')}`;
    let result: unknown;
    assert.doesNotThrow(() => (result = decode(input)), context);
    if (result instanceof Malformed) {
      assert.ok(result.reason.length > 0, context);
      counts.malformed++;
      continue;
    }
    const largest = Math.max(0, ...buffersIn(result).map((buffer) => buffer.length));
    assert.ok(largest <= input.length, context);
    counts.parsed++;
  }
  return counts;
}

function buffersIn(value: unknown): Buffer[] {
  if (Buffer.isBuffer(value)) return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(buffersIn);
}

describe('fuzzing the logon codecs (deterministic, bounded)', () => {
  const requests = Object.values(SMBCLIENT).map(hex);
  const setup1 = ok(decodeSessionSetupRequest(requests[1] ?? Buffer.alloc(0))).securityBuffer;
  const setup2 = ok(decodeSessionSetupRequest(requests[2] ?? Buffer.alloc(0))).securityBuffer;
  const tokens = [
    windowsInit2(),
    setup1,
    setup2,
    encodeNegTokenResp({ negState: 1, responseToken: serverChallenge() }),
  ];
  const init = ok(decodeNegToken(setup1));
  const resp = ok(decodeNegToken(setup2));
  const ntlmNegotiate = init.kind === 'init' ? init.mechToken : undefined;
  const ntlmAuthenticate = resp.kind === 'resp' ? resp.responseToken : undefined;

  const cases: [string, Buffer[], (bytes: Buffer) => unknown][] = [
    ['decodeNegotiateRequest', requests, decodeNegotiateRequest],
    ['decodeSessionSetupRequest', requests, decodeSessionSetupRequest],
    [
      'decodeNegotiateResponse',
      [
        encodeNegotiateResponse({
          messageId: 0n,
          dialect: 0x0302,
          serverGuid: Buffer.alloc(16),
          securityBuffer: windowsInit2(),
        }),
      ],
      decodeNegotiateResponse,
    ],
    [
      'decodeSessionSetupResponse',
      [
        encodeSessionSetupResponse({
          messageId: 1n,
          sessionId: 1n,
          status: STATUS_MORE_PROCESSING_REQUIRED,
          securityBuffer: tokens[3] ?? Buffer.alloc(0),
        }),
        encodeErrorResponse(SMB2_SESSION_SETUP, STATUS_LOGON_FAILURE, 2n, 1n),
      ],
      decodeSessionSetupResponse,
    ],
    ['decodeNegToken', tokens, decodeNegToken],
    ['decodeNegotiate', [ntlmNegotiate ?? Buffer.alloc(0)], decodeNegotiate],
    ['decodeChallenge', [serverChallenge()], decodeChallenge],
    ['decodeAuthenticate', [ntlmAuthenticate ?? Buffer.alloc(0)], decodeAuthenticate],
    ['decodeAvPairs', [ok(decodeChallenge(serverChallenge())).targetInfo], decodeAvPairs],
    ['readFrame', requests.map((request) => frame(request)), (bytes) => readFrame(bytes, 1024)],
  ];
  cases.forEach(([name, seeds, decode], index) => {
    it(`${name}: 3000 random and mutated inputs`, () => {
      const counts = fuzz(name, seeds, decode, 0x10_90_00 + index);
      // Enough mutations must get through for the decoder's inner checks to be exercised.
      assert.ok(counts.parsed > 100 && counts.malformed > 100, JSON.stringify(counts));
    });
  });
});
