import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Malformed } from '../../../probes/wire/ber.js';
import {
  decodeAuthenticate,
  decodeAvPairs,
  decodeChallenge,
  decodeNegotiate,
  DEFAULT_NEGOTIATE_FLAGS,
  encodeAuthenticate,
  encodeAvPairs,
  encodeChallenge,
  encodeNegotiate,
  MAX_AV_PAIRS,
  MSV_AV_CHANNEL_BINDINGS,
  MSV_AV_DNS_COMPUTER_NAME,
  MSV_AV_DNS_DOMAIN_NAME,
  MSV_AV_DNS_TREE_NAME,
  MSV_AV_SINGLE_HOST,
  MSV_AV_NB_COMPUTER_NAME,
  MSV_AV_NB_DOMAIN_NAME,
  MSV_AV_TIMESTAMP,
  ntHash,
  ntlmV2Response,
  ntowfV2,
  NTLMSSP_NEGOTIATE_128,
  NTLMSSP_NEGOTIATE_56,
  NTLMSSP_NEGOTIATE_ALWAYS_SIGN,
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
  NTLMSSP_NEGOTIATE_KEY_EXCH,
  NTLMSSP_NEGOTIATE_NTLM,
  NTLMSSP_NEGOTIATE_SEAL,
  NTLMSSP_NEGOTIATE_SIGN,
  NTLMSSP_NEGOTIATE_TARGET_INFO,
  NTLMSSP_NEGOTIATE_UNICODE,
  NTLMSSP_NEGOTIATE_VERSION,
  NTLMSSP_REQUEST_TARGET,
  NTLMSSP_TARGET_TYPE_DOMAIN,
  NTLMSSP_TARGET_TYPE_SERVER,
  NTLM_NEGOTIATE_OEM,
  verifyNtlmV2Response,
  type AvPair,
} from '../../../probes/wire/ntlm.js';

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function utf16(text: string): Buffer {
  return Buffer.from(text, 'utf16le');
}

function ok<T>(value: T | Malformed): T {
  if (value instanceof Malformed) assert.fail(`unexpected Malformed: ${value.reason}`);
  return value;
}

function malformed(value: unknown, pattern: RegExp): void {
  assert.ok(value instanceof Malformed, `expected a Malformed, got ${JSON.stringify(value)}`);
  assert.match(value.reason, pattern);
}

// MS-NLMP 4.2.4: the NTLMv2 example. Published example values, not secrets.
const SPEC = {
  user: 'User',
  domain: 'Domain',
  password: 'Password',
  workstation: 'COMPUTER',
  serverChallenge: hex('0123456789abcdef'),
  clientChallenge: hex('aaaaaaaaaaaaaaaa'),
  encryptedRandomSessionKey: hex('c5dad2544fc9799094ce1ce90bc9d03e'),
  // 4.2.4: KEY_EXCH, 56, 128, VERSION, TARGET_INFO, EXTENDED_SESSIONSECURITY, TARGET_TYPE_SERVER,
  // ALWAYS_SIGN, NTLM, SEAL, SIGN, OEM, UNICODE.
  challengeFlags: 0xe28a8233,
  // 4.2.4.3, the AUTHENTICATE_MESSAGE's NegotiateFlags: the challenge's without TARGET_INFO,
  // TARGET_TYPE_SERVER and OEM, with REQUEST_TARGET.
  authenticateFlags: 0xe2888235,
  // 4.2.4.1.3: NbDomainName "Domain", NbComputerName "Server", MsvAvEOL.
  targetInfo: hex('02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000'),
  ntHash: 'a4f49c406510bdcab6824ee7c30fd852',
  ntowfV2: '0c868a403bfd7a93a3001ef22ef02e3f',
  sessionBaseKey: '8de40ccadbc14a82f15cb0ad0de95ca3',
  ntProofStr: '68cd0ab851e51c96aabc927bebef6a1c',
  lmv2Response: '86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa',
  // 4.2.4.1.3, temp: 1, 1, Z(6), Time, ClientChallenge, Z(4), ServerName (the target info), Z(4).
  temp:
    '0101000000000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000' +
    '02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000 00000000',
  // 4.2.4.3.
  challengeMessage:
    '4e544c4d53535000020000000c000c003800000033828ae20123456789abcdef00000000000000002400240044000000' +
    '060070170000000f53006500720076006500720002000c0044006f006d00610069006e0001000c005300650072007600' +
    '6500720000000000',
  authenticateMessage:
    '4e544c4d535350000300000018001800 6c00000054005400840000000c000c00 48000000080008005400000010001000' +
    '5c00000010001000d8000000358288e2 0501280a0000000f44006f006d006100 69006e00550073006500720043004f00' +
    '4d005000550054004500520086c35097 ac9cec102554764a57cccc19aaaaaaaa aaaaaaaa68cd0ab851e51c96aabc927b' +
    'ebef6a1c010100000000000000000000 00000000aaaaaaaaaaaaaaaa00000000 02000c0044006f006d00610069006e00' +
    '01000c00530065007200760065007200 0000000000000000c5dad2544fc97990 94ce1ce90bc9d03e',
};

function specResponse() {
  const responseKeyNT = ntowfV2(ntHash(SPEC.password), SPEC.user, SPEC.domain);
  return ntlmV2Response({
    responseKeyNT,
    serverChallenge: SPEC.serverChallenge,
    clientChallenge: SPEC.clientChallenge,
    timestamp: 0n,
    targetInfo: SPEC.targetInfo,
  });
}

describe('NTLM keys and the NTLMv2 response (MS-NLMP 4.2.4)', () => {
  it('NTOWFv1 and NTOWFv2 of the example', () => {
    assert.equal(ntHash(SPEC.password).toString('hex'), SPEC.ntHash);
    assert.equal(ntowfV2(ntHash(SPEC.password), SPEC.user, SPEC.domain).toString('hex'), SPEC.ntowfV2);
  });

  it('NTOWFv2 upper-cases the user name, not the domain', () => {
    const key = ntHash(SPEC.password);
    assert.equal(ntowfV2(key, 'user', SPEC.domain).toString('hex'), SPEC.ntowfV2);
    assert.notEqual(ntowfV2(key, SPEC.user, 'DOMAIN').toString('hex'), SPEC.ntowfV2);
  });

  it('the NTProofStr, the NtChallengeResponse, the LMv2 response and the session base key', () => {
    const response = specResponse();
    assert.equal(response.ntProofStr.toString('hex'), SPEC.ntProofStr);
    assert.equal(response.ntChallengeResponse.toString('hex'), SPEC.ntProofStr + SPEC.temp.replace(/\s+/g, ''));
    assert.equal(response.lmChallengeResponse.toString('hex'), SPEC.lmv2Response);
    assert.equal(response.sessionBaseKey.toString('hex'), SPEC.sessionBaseKey);
  });

  it('sends 24 zero bytes for LMv2 when the target info carries MsvAvTimestamp (3.1.5.1.2)', () => {
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64LE(133_000_000_000_000_000n);
    const targetInfo = encodeAvPairs([...ok(decodeAvPairs(SPEC.targetInfo)), { id: MSV_AV_TIMESTAMP, value: stamp }]);
    const response = ntlmV2Response({
      responseKeyNT: hex(SPEC.ntowfV2),
      serverChallenge: SPEC.serverChallenge,
      clientChallenge: SPEC.clientChallenge,
      timestamp: 133_000_000_000_000_000n,
      targetInfo,
    });
    assert.deepEqual(response.lmChallengeResponse, Buffer.alloc(24));
    assert.equal(response.ntChallengeResponse.readBigUInt64LE(16 + 8), 133_000_000_000_000_000n);
  });

  it('the server side accepts the right key and challenge, and nothing else', () => {
    const { ntChallengeResponse } = specResponse();
    const responseKeyNT = hex(SPEC.ntowfV2);
    const serverChallenge = SPEC.serverChallenge;
    assert.equal(verifyNtlmV2Response({ responseKeyNT, serverChallenge, ntChallengeResponse }), true);
    const wrongKey = ntowfV2(ntHash('Passw0rd'), SPEC.user, SPEC.domain);
    assert.equal(verifyNtlmV2Response({ responseKeyNT: wrongKey, serverChallenge, ntChallengeResponse }), false);
    const otherChallenge = hex('0123456789abcdee');
    assert.equal(verifyNtlmV2Response({ responseKeyNT, serverChallenge: otherChallenge, ntChallengeResponse }), false);
    const altered = Buffer.from(ntChallengeResponse);
    altered[40] = 0xab;
    assert.equal(verifyNtlmV2Response({ responseKeyNT, serverChallenge, ntChallengeResponse: altered }), false);
    assert.equal(
      verifyNtlmV2Response({
        responseKeyNT,
        serverChallenge,
        ntChallengeResponse: ntChallengeResponse.subarray(0, 43),
      }),
      false,
    );
  });
});

describe('NTLM messages (MS-NLMP 2.2.1)', () => {
  it('the default NEGOTIATE flags', () => {
    // UNICODE, REQUEST_TARGET, SIGN, NTLM, ALWAYS_SIGN, EXTENDED_SESSIONSECURITY, TARGET_INFO, 128, 56 (2.2.2.5).
    assert.equal(DEFAULT_NEGOTIATE_FLAGS, 0xa0888215);
    assert.equal(DEFAULT_NEGOTIATE_FLAGS & (NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_SEAL), 0);
  });

  it('NEGOTIATE: 32 bytes, signature, type 1, the flags, empty domain and workstation; round trip', () => {
    const message = encodeNegotiate();
    assert.equal(message.length, 32);
    assert.equal(message.subarray(0, 12).toString('hex'), '4e544c4d5353500001000000');
    assert.equal(message.readUInt32LE(12), DEFAULT_NEGOTIATE_FLAGS);
    assert.equal(message.readUInt32LE(20), 32);
    assert.deepEqual(ok(decodeNegotiate(message)), { flags: DEFAULT_NEGOTIATE_FLAGS, domain: '', workstation: '' });
  });

  it('NEGOTIATE with VERSION carries the Version before the payload; round trip', () => {
    const flags = (DEFAULT_NEGOTIATE_FLAGS | NTLMSSP_NEGOTIATE_VERSION) >>> 0;
    const version = hex('0a00614a0000000f');
    const message = encodeNegotiate(flags, version);
    assert.equal(message.length, 40);
    assert.deepEqual(ok(decodeNegotiate(message)), { flags, domain: '', workstation: '', version });
  });

  it('CHALLENGE of 4.2.4.3, byte for byte, and decoded', () => {
    const avPairs = ok(decodeAvPairs(SPEC.targetInfo));
    assert.deepEqual(avPairs, [
      { id: MSV_AV_NB_DOMAIN_NAME, value: utf16('Domain') },
      { id: MSV_AV_NB_COMPUTER_NAME, value: utf16('Server') },
    ]);
    const message = encodeChallenge({
      flags: SPEC.challengeFlags,
      serverChallenge: SPEC.serverChallenge,
      targetName: 'Server',
      targetInfo: encodeAvPairs(avPairs),
      version: hex('060070170000000f'),
    });
    assert.equal(message.toString('hex'), SPEC.challengeMessage);
    const flagsOfSpec =
      NTLMSSP_NEGOTIATE_KEY_EXCH |
      NTLMSSP_NEGOTIATE_56 |
      NTLMSSP_NEGOTIATE_128 |
      NTLMSSP_NEGOTIATE_VERSION |
      NTLMSSP_NEGOTIATE_TARGET_INFO |
      NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
      NTLMSSP_TARGET_TYPE_SERVER |
      NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
      NTLMSSP_NEGOTIATE_NTLM |
      NTLMSSP_NEGOTIATE_SEAL |
      NTLMSSP_NEGOTIATE_SIGN |
      NTLM_NEGOTIATE_OEM |
      NTLMSSP_NEGOTIATE_UNICODE;
    assert.equal(flagsOfSpec >>> 0, SPEC.challengeFlags);
    assert.deepEqual(ok(decodeChallenge(hex(SPEC.challengeMessage))), {
      flags: SPEC.challengeFlags,
      serverChallenge: SPEC.serverChallenge,
      targetName: 'Server',
      targetInfo: SPEC.targetInfo,
      avPairs,
      version: hex('060070170000000f'),
    });
  });

  it('CHALLENGE with a timestamp, without VERSION: round trip, the timestamp decoded', () => {
    const stamp = Buffer.alloc(8);
    stamp.writeBigUInt64LE(0x01d9_0000_1234_5678n);
    const avPairs: AvPair[] = [
      { id: MSV_AV_NB_DOMAIN_NAME, value: utf16('TAILSPIN') },
      { id: MSV_AV_DNS_COMPUTER_NAME, value: utf16('dca.tailspin.test') },
      { id: MSV_AV_TIMESTAMP, value: stamp },
    ];
    const flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_NTLM;
    const targetInfo = encodeAvPairs(avPairs);
    const message = encodeChallenge({
      flags,
      serverChallenge: SPEC.serverChallenge,
      targetName: 'TAILSPIN',
      targetInfo,
    });
    assert.equal(message.readUInt32LE(16), 48);
    assert.deepEqual(ok(decodeChallenge(message)), {
      flags,
      serverChallenge: SPEC.serverChallenge,
      targetName: 'TAILSPIN',
      targetInfo,
      avPairs,
      timestamp: 0x01d9_0000_1234_5678n,
    });
  });

  it('AUTHENTICATE of 4.2.4.3, byte for byte from the computed responses, and decoded', () => {
    const response = specResponse();
    const message = encodeAuthenticate({
      flags: SPEC.authenticateFlags,
      domain: SPEC.domain,
      user: SPEC.user,
      workstation: SPEC.workstation,
      lmResponse: response.lmChallengeResponse,
      ntResponse: response.ntChallengeResponse,
      encryptedRandomSessionKey: SPEC.encryptedRandomSessionKey,
      version: hex('0501280a0000000f'),
    });
    assert.equal(message.toString('hex'), SPEC.authenticateMessage.replace(/\s+/g, ''));
    assert.deepEqual(ok(decodeAuthenticate(message)), {
      flags: SPEC.authenticateFlags,
      domain: SPEC.domain,
      user: SPEC.user,
      workstation: SPEC.workstation,
      lmResponse: response.lmChallengeResponse,
      ntResponse: response.ntChallengeResponse,
      encryptedRandomSessionKey: SPEC.encryptedRandomSessionKey,
      version: hex('0501280a0000000f'),
    });
  });

  it('AUTHENTICATE without VERSION or session key, non-ASCII names: round trip', () => {
    const fields = {
      flags: DEFAULT_NEGOTIATE_FLAGS,
      domain: 'TAILSPIN',
      user: 'canary-ÿé',
      workstation: 'PROBE',
      lmResponse: Buffer.alloc(24),
      ntResponse: specResponse().ntChallengeResponse,
    };
    const message = encodeAuthenticate(fields);
    assert.equal(message.readUInt32LE(32), 64);
    assert.deepEqual(ok(decodeAuthenticate(message)), { ...fields, encryptedRandomSessionKey: Buffer.alloc(0) });
  });
});

describe('AV pairs', () => {
  it('round trip, the EOL added by the encoder', () => {
    const pairs: AvPair[] = [
      { id: MSV_AV_NB_DOMAIN_NAME, value: utf16('D') },
      { id: 0x0a, value: Buffer.alloc(16, 1) },
    ];
    const bytes = encodeAvPairs(pairs);
    assert.equal(bytes.subarray(-4).toString('hex'), '00000000');
    assert.deepEqual(ok(decodeAvPairs(bytes)), pairs);
    assert.deepEqual(ok(decodeAvPairs(Buffer.alloc(0))), []);
  });

  it('malformed lists', () => {
    malformed(decodeAvPairs(hex('02000200 4400')), /no MsvAvEOL, the list ends at offset 6/);
    malformed(decodeAvPairs(hex('02000c00 4400')), /AV pair 2 at offset 0 announces 12 bytes, only 2 remain/);
    malformed(decodeAvPairs(hex('000002000000')), /MsvAvEOL at offset 0 has length 2, not 0/);
    malformed(decodeAvPairs(hex('00000000 00')), /1 stray bytes after MsvAvEOL/);
    malformed(decodeAvPairs(hex('0200')), /no MsvAvEOL, the list ends at offset 0/);
    const many = encodeAvPairs(Array.from({ length: MAX_AV_PAIRS + 1 }, () => ({ id: 1, value: Buffer.alloc(0) })));
    malformed(decodeAvPairs(many), /more than 64 pairs/);
    const exactly = encodeAvPairs(Array.from({ length: MAX_AV_PAIRS }, () => ({ id: 1, value: Buffer.alloc(0) })));
    assert.equal(ok(decodeAvPairs(exactly)).length, MAX_AV_PAIRS);
  });
});

describe('malformed NTLM messages', () => {
  const challenge = hex(SPEC.challengeMessage);
  const authenticate = hex(SPEC.authenticateMessage);

  it('a wrong signature or message type', () => {
    const wrongSignature = Buffer.from(challenge);
    wrongSignature[7] = 0x20;
    malformed(decodeChallenge(wrongSignature), /^NTLM CHALLENGE: no NTLMSSP signature at offset 0$/);
    malformed(decodeChallenge(authenticate), /^NTLM CHALLENGE: message type 3 at offset 8, not 2$/);
    malformed(decodeAuthenticate(challenge), /^NTLM AUTHENTICATE: message type 2 at offset 8, not 3$/);
    malformed(decodeNegotiate(challenge), /^NTLM NEGOTIATE: message type 2 at offset 8, not 1$/);
    malformed(decodeNegotiate(Buffer.alloc(0)), /no NTLMSSP signature/);
  });

  it('truncated: shorter than the fixed part, or cut inside the payload', () => {
    malformed(
      decodeChallenge(challenge.subarray(0, 40)),
      /^NTLM CHALLENGE: 40 bytes, shorter than its 48-byte fixed part$/,
    );
    malformed(decodeAuthenticate(authenticate.subarray(0, 63)), /63 bytes, shorter than its 64-byte fixed part/);
    malformed(decodeNegotiate(encodeNegotiate().subarray(0, 31)), /31 bytes, shorter than its 32-byte fixed part/);
    malformed(
      decodeChallenge(challenge.subarray(0, challenge.length - 1)),
      /^NTLM CHALLENGE: TargetInfo \(36 bytes at offset 68\) runs past the end of the 103-byte message$/,
    );
    malformed(
      decodeAuthenticate(authenticate.subarray(0, 0xd8 + 15)),
      /EncryptedRandomSessionKey \(16 bytes at offset 216\) runs past the end of the 231-byte message/,
    );
  });

  it('an offset outside the message, even one that overflows 32 bits when the length is added', () => {
    const far = Buffer.from(authenticate);
    far.writeUInt32LE(0xfffffff8, 24);
    malformed(decodeAuthenticate(far), /NtChallengeResponse \(84 bytes at offset 4294967288\) runs past the end/);
    const userFar = Buffer.from(authenticate);
    userFar.writeUInt32LE(authenticate.length, 40);
    malformed(
      decodeAuthenticate(userFar),
      /UserName \(8 bytes at offset 232\) runs past the end of the 232-byte message/,
    );
  });

  it('a UTF-16 name of odd length', () => {
    const odd = Buffer.from(authenticate);
    odd.writeUInt16LE(7, 36);
    malformed(decodeAuthenticate(odd), /^NTLM AUTHENTICATE: UserName of odd length 7 in UTF-16$/);
  });

  it('target info without MsvAvEOL, or a timestamp of the wrong size', () => {
    const noEol = Buffer.from(challenge);
    noEol.writeUInt16LE(32, 40);
    malformed(
      decodeChallenge(noEol),
      /^NTLM CHALLENGE: TargetInfo: AV pair list: no MsvAvEOL, the list ends at offset 32$/,
    );
    const shortStamp = encodeChallenge({
      flags: NTLMSSP_NEGOTIATE_UNICODE,
      serverChallenge: SPEC.serverChallenge,
      targetName: '',
      targetInfo: encodeAvPairs([{ id: MSV_AV_TIMESTAMP, value: Buffer.alloc(4) }]),
    });
    malformed(decodeChallenge(shortStamp), /^NTLM CHALLENGE: TargetInfo: MsvAvTimestamp of 4 bytes, not 8$/);
  });

  it('control characters in names are replaced', () => {
    const message = encodeAuthenticate({
      flags: NTLMSSP_NEGOTIATE_UNICODE,
      domain: 'D\nX',
      user: 'u\u0000',
      workstation: '',
      lmResponse: Buffer.alloc(0),
      ntResponse: Buffer.alloc(0),
    });
    const decoded = ok(decodeAuthenticate(message));
    assert.equal(decoded.domain, 'D?X');
    assert.equal(decoded.user, 'u?');
  });
});

// Samba 4.17's NTLMSSP client (ntlm_auth --helper-protocol=ntlmssp-client-1, user canary, domain
// TAILSPIN, workstation PROBE, password Canary-Passw0rd: a test value, not a secret) answering
// the CHALLENGE that sambaChallenge() writes. Captured once, base64 as ntlm_auth prints it.
const SAMBA = {
  negotiate: 'TlRMTVNTUAABAAAABYIIYgAAAAAoAAAAAAAAACgAAAAGAQAAAAAADw==',
  authenticate:
    'TlRMTVNTUAADAAAAGAAYAFgAAAAEAQQBcAAAABAAEAB0AQAADAAMAIQBAAAKAAoAkAEAAAAAAACaAQAABYIIIgYBAAAAAAAP' +
    'Tv4zhKMAAXvjSC2omJsfVAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIYQFaL+0p/cU3jDQ38BFOoBAQAAAAAAAAAA5z9KENwB' +
    'laPBBuE6CiwAAAAAAgAQAFQAQQBJAEwAUwBQAEkATgABAAYARABDAEEABAAaAHQAYQBpAGwAcwBwAGkAbgAuAHQAZQBzAHQA' +
    'AwAiAGQAYwBhAC4AdABhAGkAbABzAHAAaQBuAC4AdABlAHMAdAAFABoAdABhAGkAbABzAHAAaQBuAC4AdABlAHMAdAAHAAgA' +
    'AADnP0oQ3AEIADAAMAAAAAAAAAAAAAAAAAAAAOBithK115y3mFywaTmiID7GTD/eV1f2ubSwOD882TeaCgAQAAAAAAAAAAAA' +
    'AAAAAAAAAAAAAAAAVABBAEkATABTAFAASQBOAGMAYQBuAGEAcgB5AFAAUgBPAEIARQA=',
  password: 'Canary-Passw0rd',
  serverChallenge: hex('0011223344556677'),
  timestamp: 134_000_000_000_000_000n,
};

function sambaChallenge(): Buffer {
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64LE(SAMBA.timestamp);
  const targetInfo = encodeAvPairs([
    { id: MSV_AV_NB_DOMAIN_NAME, value: utf16('TAILSPIN') },
    { id: MSV_AV_NB_COMPUTER_NAME, value: utf16('DCA') },
    { id: MSV_AV_DNS_DOMAIN_NAME, value: utf16('tailspin.test') },
    { id: MSV_AV_DNS_COMPUTER_NAME, value: utf16('dca.tailspin.test') },
    { id: MSV_AV_DNS_TREE_NAME, value: utf16('tailspin.test') },
    { id: MSV_AV_TIMESTAMP, value: stamp },
  ]);
  const flags =
    NTLMSSP_NEGOTIATE_UNICODE |
    NTLMSSP_REQUEST_TARGET |
    NTLMSSP_NEGOTIATE_SIGN |
    NTLMSSP_NEGOTIATE_NTLM |
    NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
    NTLMSSP_TARGET_TYPE_DOMAIN |
    NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
    NTLMSSP_NEGOTIATE_TARGET_INFO |
    NTLMSSP_NEGOTIATE_128 |
    NTLMSSP_NEGOTIATE_56;
  return encodeChallenge({
    flags: flags >>> 0,
    serverChallenge: SAMBA.serverChallenge,
    targetName: 'TAILSPIN',
    targetInfo,
  });
}

describe("the server side on Samba's NTLMSSP client", () => {
  it('reads its NEGOTIATE: KEY_EXCH, 128, VERSION, ESS, ALWAYS_SIGN, NTLM, REQUEST_TARGET, UNICODE, and the Version', () => {
    assert.deepEqual(ok(decodeNegotiate(Buffer.from(SAMBA.negotiate, 'base64'))), {
      flags: 0x62088205,
      domain: '',
      workstation: '',
      version: hex('060100000000000f'),
    });
  });

  it('reads its AUTHENTICATE (Version and MIC before the payload) and verifies the NTLMv2 response', () => {
    const message = Buffer.from(SAMBA.authenticate, 'base64');
    assert.equal(message.readUInt32LE(16), 88, 'the payload (LmChallengeResponse first) starts after the 16-byte MIC');
    const decoded = ok(decodeAuthenticate(message));
    assert.equal(decoded.flags, 0x22088205);
    assert.equal(decoded.domain, 'TAILSPIN');
    assert.equal(decoded.user, 'canary');
    assert.equal(decoded.workstation, 'PROBE');
    assert.deepEqual(decoded.version, hex('060100000000000f'));
    // The target info carried a timestamp: the LMv2 response is Z(24), and the blob takes the server's time.
    assert.deepEqual(decoded.lmResponse, Buffer.alloc(24));
    assert.equal(decoded.ntResponse.readBigUInt64LE(16 + 8), SAMBA.timestamp);
    const responseKeyNT = ntowfV2(ntHash(SAMBA.password), decoded.user, decoded.domain);
    const { serverChallenge } = SAMBA;
    assert.equal(
      verifyNtlmV2Response({ responseKeyNT, serverChallenge, ntChallengeResponse: decoded.ntResponse }),
      true,
    );
    const wrong = ntowfV2(ntHash('Canary-Passw0rd!'), decoded.user, decoded.domain);
    assert.equal(
      verifyNtlmV2Response({ responseKeyNT: wrong, serverChallenge, ntChallengeResponse: decoded.ntResponse }),
      false,
    );
    // Its blob carries back our target info's pairs, and adds MsvAvSingleHost and MsvAvChannelBindings;
    // Samba ends the blob at MsvAvEOL, without the Z(4) of 3.3.2.
    const echoed = ok(decodeAvPairs(decoded.ntResponse.subarray(16 + 28)));
    const sent = ok(decodeChallenge(sambaChallenge())).avPairs;
    assert.deepEqual(echoed.slice(0, sent.length), sent);
    assert.deepEqual(
      echoed.slice(sent.length).map((pair) => pair.id),
      [MSV_AV_SINGLE_HOST, MSV_AV_CHANNEL_BINDINGS],
    );
  });

  it("the client's side computes the same response from the same inputs", () => {
    const decoded = ok(decodeAuthenticate(Buffer.from(SAMBA.authenticate, 'base64')));
    const blob = decoded.ntResponse.subarray(16);
    const response = ntlmV2Response({
      responseKeyNT: ntowfV2(ntHash(SAMBA.password), 'canary', 'TAILSPIN'),
      serverChallenge: SAMBA.serverChallenge,
      clientChallenge: blob.subarray(16, 24),
      timestamp: blob.readBigUInt64LE(8),
      targetInfo: blob.subarray(28),
    });
    // Samba's blob has no Z(4) after the pairs, ours has: the proof differs by exactly that.
    assert.deepEqual(response.ntChallengeResponse.subarray(16), Buffer.concat([blob, Buffer.alloc(4)]));
    assert.deepEqual(response.lmChallengeResponse, Buffer.alloc(24));
  });
});
