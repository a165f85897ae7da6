import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Malformed } from '../../../probes/wire/ber.js';
import {
  decodeNegotiateRequest,
  decodeNegotiateResponse,
  decodeRequestHeader,
  decodeSessionSetupRequest,
  decodeSessionSetupResponse,
  DEFAULT_DIALECTS,
  encodeErrorResponse,
  encodeNegotiateRequest,
  encodeNegotiateResponse,
  encodeSessionSetupRequest,
  encodeSessionSetupResponse,
  frame,
  HEADER_LENGTH,
  ntStatusName,
  readFrame,
  SMB2_FLAGS_SERVER_TO_REDIR,
  SMB2_NEGOTIATE,
  SMB2_NEGOTIATE_SIGNING_ENABLED,
  SMB2_NEGOTIATE_SIGNING_REQUIRED,
  SMB2_SESSION_FLAG_IS_GUEST,
  SMB2_SESSION_SETUP,
  STATUS_LOGON_FAILURE,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_SUCCESS,
  type Smb2Header,
} from '../../../probes/wire/smb2.js';

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function ok<T>(value: T | Malformed): T {
  if (value instanceof Malformed) assert.fail(`unexpected Malformed: ${value.reason}`);
  return value;
}

function malformed(value: unknown, pattern: RegExp): void {
  assert.ok(value instanceof Malformed, `expected a Malformed, got ${String(value)}`);
  assert.match(value.reason, pattern);
}

const CLIENT_GUID = hex('00112233445566778899aabbccddeeff');
const SERVER_GUID = hex('ffeeddccbbaa99887766554433221100');
const TOKEN = hex('a1073005a0030a0101');
const SESSION = 0x0000_4000_0000_0009n;

function header(fields: Partial<Smb2Header> & Pick<Smb2Header, 'command'>): Smb2Header {
  return {
    status: 0,
    flags: 0,
    creditCharge: 0,
    credits: 1,
    nextCommand: 0,
    messageId: 0n,
    treeId: 0,
    sessionId: 0n,
    ...fields,
  };
}

describe('SMB2 Direct TCP framing', () => {
  it('frames with a zero byte and a 24-bit big-endian length', () => {
    assert.equal(frame(Buffer.alloc(0x012345)).subarray(0, 4).toString('hex'), '00012345');
    assert.throws(() => frame(Buffer.alloc(0x1000000)), RangeError);
  });

  it('partial frames are incomplete until the last byte', () => {
    const framed = frame(hex('0102030405'));
    for (let cut = 0; cut < framed.length; cut += 1)
      assert.equal(readFrame(framed.subarray(0, cut), 100), 'incomplete');
    assert.deepEqual(readFrame(framed, 100), { message: hex('0102030405'), rest: Buffer.alloc(0) });
  });

  it('two frames in one buffer, one after the other', () => {
    const both = Buffer.concat([frame(hex('aa')), frame(hex('bbcc')), hex('00')]);
    const first = readFrame(both, 100);
    assert.ok(typeof first === 'object' && !(first instanceof Malformed));
    assert.deepEqual(first.message, hex('aa'));
    const second = readFrame(first.rest, 100);
    assert.ok(typeof second === 'object' && !(second instanceof Malformed));
    assert.deepEqual(second.message, hex('bbcc'));
    assert.equal(readFrame(second.rest, 100), 'incomplete');
  });

  it('a length over the bound, or a first byte that is not zero, is malformed at once', () => {
    malformed(readFrame(hex('00010000'), 0xffff), /^SMB2 frame: announces 65536 bytes, more than the 65535 allowed$/);
    malformed(readFrame(hex('85'), 100), /^SMB2 frame: first byte 0x85, not 0x00$/);
    assert.deepEqual(readFrame(frame(Buffer.alloc(0xffff)), 0xffff) instanceof Malformed, false);
  });
});

describe('SMB2 NEGOTIATE', () => {
  it('the request: header and body as MS-SMB2 2.2.1.2 and 2.2.3 lay them out; decoded by the server side', () => {
    const request = encodeNegotiateRequest({ messageId: 0n, clientGuid: CLIENT_GUID });
    assert.equal(request.length, 64 + 36 + 8);
    assert.equal(
      request.subarray(0, HEADER_LENGTH).toString('hex'),
      'fe534d42' +
        '4000' +
        '0000' +
        '00000000' +
        '0000' +
        '0100' +
        '00000000' +
        '00000000' +
        '0000000000000000' +
        '00000000' +
        '00000000' +
        '0000000000000000' +
        '00'.repeat(16),
    );
    assert.equal(
      request.subarray(HEADER_LENGTH).toString('hex'),
      '2400' +
        '0400' +
        '0100' +
        '0000' +
        '00000000' +
        CLIENT_GUID.toString('hex') +
        '0000000000000000' +
        '0202' +
        '1002' +
        '0003' +
        '0203',
    );
    assert.deepEqual(ok(decodeNegotiateRequest(request)), {
      header: header({ command: SMB2_NEGOTIATE }),
      securityMode: SMB2_NEGOTIATE_SIGNING_ENABLED,
      capabilities: 0,
      clientGuid: CLIENT_GUID,
      dialects: [...DEFAULT_DIALECTS],
    });
  });

  it('the response: round trip, the security buffer after the 64-byte body', () => {
    const response = encodeNegotiateResponse({
      messageId: 0n,
      dialect: 0x0302,
      serverGuid: SERVER_GUID,
      securityBuffer: TOKEN,
      securityMode: SMB2_NEGOTIATE_SIGNING_ENABLED | SMB2_NEGOTIATE_SIGNING_REQUIRED,
      systemTime: 133_000_000_000_000_000n,
    });
    assert.equal(response.readUInt16LE(HEADER_LENGTH + 56), 128);
    assert.deepEqual(ok(decodeNegotiateResponse(response)), {
      kind: 'negotiate',
      header: header({ command: SMB2_NEGOTIATE, flags: SMB2_FLAGS_SERVER_TO_REDIR }),
      securityMode: 3,
      dialect: 0x0302,
      serverGuid: SERVER_GUID,
      capabilities: 0,
      maxTransactSize: 65536,
      maxReadSize: 65536,
      maxWriteSize: 65536,
      systemTime: 133_000_000_000_000_000n,
      securityBuffer: TOKEN,
    });
  });

  it('an empty security buffer is legal, whatever its offset', () => {
    const response = encodeNegotiateResponse({
      messageId: 0n,
      dialect: 0x0202,
      serverGuid: SERVER_GUID,
      securityBuffer: Buffer.alloc(0),
    });
    response.writeUInt16LE(0, HEADER_LENGTH + 56);
    const decoded = ok(decodeNegotiateResponse(response));
    if (decoded.kind !== 'negotiate') assert.fail(`an ERROR body for ${ntStatusName(decoded.header.status)}`);
    assert.equal(decoded.securityBuffer.length, 0);
  });

  it('an error status comes with the ERROR body', () => {
    const response = encodeErrorResponse(SMB2_NEGOTIATE, 0xc00000bb, 0n, 0n);
    assert.equal(response.subarray(HEADER_LENGTH).toString('hex'), '090000000000000000');
    assert.deepEqual(ok(decodeNegotiateResponse(response)), {
      kind: 'error',
      header: header({ command: SMB2_NEGOTIATE, status: 0xc00000bb, flags: SMB2_FLAGS_SERVER_TO_REDIR }),
      errorContextCount: 0,
      errorData: Buffer.alloc(0),
    });
  });
});

describe('SMB2 SESSION_SETUP', () => {
  it('the request: body as 2.2.5 lays it out, the buffer at 88; decoded by the server side', () => {
    const request = encodeSessionSetupRequest({ messageId: 1n, sessionId: SESSION, securityBuffer: TOKEN });
    assert.equal(
      request.subarray(HEADER_LENGTH).toString('hex'),
      '1900' + '00' + '01' + '00000000' + '00000000' + '5800' + '0900' + '0000000000000000' + TOKEN.toString('hex'),
    );
    assert.deepEqual(ok(decodeSessionSetupRequest(request)), {
      header: header({ command: SMB2_SESSION_SETUP, messageId: 1n, sessionId: SESSION }),
      flags: 0,
      securityMode: SMB2_NEGOTIATE_SIGNING_ENABLED,
      capabilities: 0,
      previousSessionId: 0n,
      securityBuffer: TOKEN,
    });
    assert.deepEqual(
      ok(decodeRequestHeader(request)),
      header({ command: SMB2_SESSION_SETUP, messageId: 1n, sessionId: SESSION }),
    );
  });

  it('MORE_PROCESSING_REQUIRED and SUCCESS carry the session setup body; round trip', () => {
    for (const [status, sessionFlags, token] of [
      [STATUS_MORE_PROCESSING_REQUIRED, 0, TOKEN],
      [STATUS_SUCCESS, SMB2_SESSION_FLAG_IS_GUEST, Buffer.alloc(0)],
    ] as const) {
      const response = encodeSessionSetupResponse({
        messageId: 2n,
        sessionId: SESSION,
        status,
        sessionFlags,
        securityBuffer: token,
      });
      assert.equal(response.readUInt32LE(8), status);
      assert.deepEqual(ok(decodeSessionSetupResponse(response)), {
        kind: 'session-setup',
        header: header({
          command: SMB2_SESSION_SETUP,
          status,
          flags: SMB2_FLAGS_SERVER_TO_REDIR,
          messageId: 2n,
          sessionId: SESSION,
        }),
        sessionFlags,
        securityBuffer: token,
      });
    }
  });

  it('any other status comes with the ERROR body, error data bounded by ByteCount', () => {
    const response = encodeErrorResponse(SMB2_SESSION_SETUP, STATUS_LOGON_FAILURE, 2n, SESSION);
    assert.deepEqual(ok(decodeSessionSetupResponse(response)), {
      kind: 'error',
      header: header({
        command: SMB2_SESSION_SETUP,
        status: STATUS_LOGON_FAILURE,
        flags: SMB2_FLAGS_SERVER_TO_REDIR,
        messageId: 2n,
        sessionId: SESSION,
      }),
      errorContextCount: 0,
      errorData: Buffer.alloc(0),
    });
    const withData = Buffer.concat([response.subarray(0, HEADER_LENGTH + 8), hex('deadbeef')]);
    withData.writeUInt32LE(4, HEADER_LENGTH + 4);
    const decoded = ok(decodeSessionSetupResponse(withData));
    assert.deepEqual(decoded.kind === 'error' && decoded.errorData, hex('deadbeef'));
    withData.writeUInt32LE(5, HEADER_LENGTH + 4);
    malformed(
      decodeSessionSetupResponse(withData),
      /^SMB2 SESSION_SETUP response \(ERROR\): ByteCount 5, only 4 bytes follow$/,
    );
  });

  it('NTSTATUS names', () => {
    assert.equal(ntStatusName(STATUS_LOGON_FAILURE), 'STATUS_LOGON_FAILURE');
    assert.equal(ntStatusName(0xc000018d), 'STATUS_TRUSTED_RELATIONSHIP_FAILURE');
    assert.equal(ntStatusName(0xc0001234), '0xc0001234');
  });
});

describe('malformed SMB2 messages', () => {
  const negotiateResponse = encodeNegotiateResponse({
    messageId: 0n,
    dialect: 0x0210,
    serverGuid: SERVER_GUID,
    securityBuffer: TOKEN,
  });
  const sessionResponse = encodeSessionSetupResponse({
    messageId: 1n,
    sessionId: SESSION,
    status: STATUS_MORE_PROCESSING_REQUIRED,
    securityBuffer: TOKEN,
  });

  it('a short header', () => {
    malformed(
      decodeNegotiateResponse(negotiateResponse.subarray(0, 63)),
      /^SMB2 NEGOTIATE response: 63 bytes, shorter than the 64-byte SMB2 header$/,
    );
    malformed(decodeRequestHeader(Buffer.alloc(0)), /^SMB2 request: 0 bytes, shorter than the 64-byte SMB2 header$/);
  });

  it('a wrong protocol id (SMB1) or header size', () => {
    const smb1 = Buffer.from(negotiateResponse);
    smb1[0] = 0xff;
    malformed(decodeNegotiateResponse(smb1), /protocol id ff534d42 at offset 0, not fe534d42 \(SMB2\)/);
    const size = Buffer.from(sessionResponse);
    size.writeUInt16LE(65, 4);
    malformed(decodeSessionSetupResponse(size), /header StructureSize 65 at offset 4, not 64/);
  });

  it('the wrong command, direction or body size', () => {
    malformed(
      decodeSessionSetupResponse(negotiateResponse),
      /^SMB2 SESSION_SETUP response: the header's command is NEGOTIATE$/,
    );
    malformed(
      decodeNegotiateResponse(encodeNegotiateRequest({ messageId: 0n, clientGuid: CLIENT_GUID })),
      /not flagged as a response/,
    );
    malformed(decodeRequestHeader(negotiateResponse), /^SMB2 request: the header is flagged as a response$/);
    malformed(decodeNegotiateResponse(negotiateResponse.subarray(0, 100)), /100 bytes, its fixed part ends at 128/);
    malformed(decodeNegotiateResponse(negotiateResponse.subarray(0, 64)), /no body after the header/);
    const wrongSize = Buffer.from(sessionResponse);
    wrongSize.writeUInt16LE(17, HEADER_LENGTH);
    malformed(decodeSessionSetupResponse(wrongSize), /StructureSize 17 at offset 64, not 9/);
  });

  it('a security buffer outside the message, or over the fixed part', () => {
    malformed(
      decodeNegotiateResponse(negotiateResponse.subarray(0, negotiateResponse.length - 1)),
      /^SMB2 NEGOTIATE response: security buffer \(9 bytes at offset 128\) outside 128..136 of the message$/,
    );
    const far = Buffer.from(sessionResponse);
    far.writeUInt16LE(0xfff0, HEADER_LENGTH + 4);
    malformed(decodeSessionSetupResponse(far), /security buffer \(9 bytes at offset 65520\) outside 72..81/);
    const overlapping = Buffer.from(sessionResponse);
    overlapping.writeUInt16LE(HEADER_LENGTH, HEADER_LENGTH + 4);
    malformed(decodeSessionSetupResponse(overlapping), /security buffer \(9 bytes at offset 64\) outside 72..81/);
    const request = encodeSessionSetupRequest({ messageId: 1n, sessionId: SESSION, securityBuffer: TOKEN });
    request.writeUInt16LE(200, HEADER_LENGTH + 14);
    malformed(
      decodeSessionSetupRequest(request),
      /^SMB2 SESSION_SETUP request: security buffer \(200 bytes at offset 88\) outside/,
    );
  });

  it('dialect counts beyond the message or the bound', () => {
    const request = encodeNegotiateRequest({ messageId: 0n, clientGuid: CLIENT_GUID });
    const more = Buffer.from(request);
    more.writeUInt16LE(5, HEADER_LENGTH + 2);
    malformed(
      decodeNegotiateRequest(more),
      /^SMB2 NEGOTIATE request: 5 dialects need 10 bytes at offset 100, only 8 there$/,
    );
    const none = Buffer.from(request);
    none.writeUInt16LE(0, HEADER_LENGTH + 2);
    malformed(decodeNegotiateRequest(none), /DialectCount 0, not 1 to 64/);
    const many = encodeNegotiateRequest({
      messageId: 0n,
      clientGuid: CLIENT_GUID,
      dialects: Array.from({ length: 65 }, () => 0x0202),
    });
    malformed(decodeNegotiateRequest(many), /DialectCount 65, not 1 to 64/);
    malformed(decodeSessionSetupRequest(request), /^SMB2 SESSION_SETUP request: the header's command is NEGOTIATE$/);
  });
});
