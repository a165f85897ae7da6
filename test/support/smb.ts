// A small SMB2 server on loopback that answers NEGOTIATE and the two NTLM SESSION_SETUPs as a DC
// does, and checks the NTLMv2 response against the accounts it is given. A stand-in written for
// the tests with the agent's own codecs, because no real DC can be made to answer an NTLM logon
// with a chosen NTSTATUS in a unit test (the lab tests use Samba's real DCs). `faults` makes it
// misbehave the ways a DC or the network can.

import { randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Malformed } from '../../probes/wire/ber.js';
import {
  decodeAuthenticate,
  encodeAvPairs,
  encodeChallenge,
  MSV_AV_DNS_DOMAIN_NAME,
  MSV_AV_NB_DOMAIN_NAME,
  MSV_AV_TIMESTAMP,
  DEFAULT_NEGOTIATE_FLAGS,
  ntHash,
  ntowfV2,
  verifyNtlmV2Response,
} from '../../probes/wire/ntlm.js';
import {
  decodeRequestHeader,
  decodeSessionSetupRequest,
  encodeErrorResponse,
  encodeNegotiateResponse,
  encodeSessionSetupResponse,
  frame,
  readFrame,
  SMB2_FLAGS_ASYNC_COMMAND,
  SMB2_NEGOTIATE,
  SMB2_SESSION_FLAG_IS_GUEST,
  SMB2_SESSION_SETUP,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
} from '../../probes/wire/smb2.js';
import { decodeNegToken, encodeNegTokenInit, encodeNegTokenResp, NTLMSSP_OID } from '../../probes/wire/spnego.js';

export interface SmbFaults {
  /** Answer the AUTHENTICATE with this NTSTATUS whatever the password (a broken secure channel). */
  logonStatus: number | undefined;
  /**
   * `silent-logon`: never answer the AUTHENTICATE; `garbage`: answer NEGOTIATE with random bytes;
   * `guest`: accept any password as the guest account (Samba's "map to guest = bad password");
   * `pending`: send two interim STATUS_PENDING answers before each real one.
   */
  behaviour: 'answer' | 'silent-logon' | 'garbage' | 'guest' | 'pending';
}

export interface TestSmbServer {
  port: number;
  faults: SmbFaults;
  /** Every AUTHENTICATE received: who, for which domain, and the status answered. */
  logons: { user: string; domain: string; status: number }[];
  close(): Promise<void>;
}

export const STATUS_LOGON_FAILURE = 0xc000006d;

/**
 * `accounts`: the passwords the server's "secure channel" can check, by `DOMAIN\\user` in upper case.
 * `above`: listen on the first free port above this one, so that a DC named `127.0.0.1:<kdc>` and
 * `127.0.0.1:<this>` has its KDC on its lowest port and its SMB server on its highest, as the
 * auth family reads such a DC.
 */
export async function startSmbServer(accounts: Record<string, string>, above = 0): Promise<TestSmbServer> {
  const faults: SmbFaults = { logonStatus: undefined, behaviour: 'answer' };
  const logons: TestSmbServer['logons'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered: Buffer = Buffer.alloc(0);
    let challenge: Buffer = Buffer.alloc(8);
    const answer = (messageId: bigint, command: number, response: Buffer): void => {
      if (faults.behaviour === 'pending') for (let i = 0; i < 2; i++) socket.write(frame(interim(command, messageId)));
      socket.write(frame(response));
    };
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const framed = readFrame(buffered, 1 << 16);
        if (framed === 'incomplete') return;
        if (framed instanceof Malformed) {
          socket.destroy();
          return;
        }
        buffered = framed.rest;
        const header = decodeRequestHeader(framed.message);
        if (header instanceof Malformed) {
          socket.destroy();
          return;
        }
        if (header.command === SMB2_NEGOTIATE) {
          if (faults.behaviour === 'garbage') socket.write(frame(randomBytes(80)));
          else
            answer(
              header.messageId,
              SMB2_NEGOTIATE,
              encodeNegotiateResponse({
                messageId: header.messageId,
                dialect: 0x0210,
                serverGuid: randomBytes(16),
                securityBuffer: encodeNegTokenInit([NTLMSSP_OID]),
              }),
            );
          continue;
        }
        if (header.command !== SMB2_SESSION_SETUP) {
          socket.destroy();
          return;
        }
        const setup = decodeSessionSetupRequest(framed.message);
        const token = setup instanceof Malformed ? setup : decodeNegToken(setup.securityBuffer);
        if (token instanceof Malformed) {
          socket.destroy();
          return;
        }
        if (token.kind === 'init') {
          challenge = randomBytes(8);
          const targetInfo = encodeAvPairs([
            { id: MSV_AV_NB_DOMAIN_NAME, value: Buffer.from('PARTNER', 'utf16le') },
            { id: MSV_AV_DNS_DOMAIN_NAME, value: Buffer.from('partner.test', 'utf16le') },
            { id: MSV_AV_TIMESTAMP, value: filetime() },
          ]);
          const ntlmChallenge = encodeChallenge({
            flags: DEFAULT_NEGOTIATE_FLAGS,
            serverChallenge: challenge,
            targetName: 'PARTNER',
            targetInfo,
          });
          answer(
            header.messageId,
            SMB2_SESSION_SETUP,
            encodeSessionSetupResponse({
              messageId: header.messageId,
              sessionId: 0x1234n,
              status: STATUS_MORE_PROCESSING_REQUIRED,
              securityBuffer: encodeNegTokenResp({
                negState: 1,
                supportedMech: NTLMSSP_OID,
                responseToken: ntlmChallenge,
              }),
            }),
          );
          continue;
        }
        const authenticate = token.responseToken === undefined ? undefined : decodeAuthenticate(token.responseToken);
        if (authenticate === undefined || authenticate instanceof Malformed) {
          socket.destroy();
          return;
        }
        if (faults.behaviour === 'silent-logon') return;
        const password = accounts[`${authenticate.domain}\\${authenticate.user}`.toUpperCase()];
        const guest = faults.behaviour === 'guest';
        const status =
          faults.logonStatus ??
          (guest || (password !== undefined && verifies(password, authenticate, challenge))
            ? STATUS_SUCCESS
            : STATUS_LOGON_FAILURE);
        logons.push({ user: authenticate.user, domain: authenticate.domain, status });
        answer(
          header.messageId,
          SMB2_SESSION_SETUP,
          status === STATUS_SUCCESS
            ? encodeSessionSetupResponse({
                messageId: header.messageId,
                sessionId: 0x1234n,
                status,
                sessionFlags: guest ? SMB2_SESSION_FLAG_IS_GUEST : 0,
                securityBuffer: encodeNegTokenResp({ negState: 0 }),
              })
            : encodeErrorResponse(SMB2_SESSION_SETUP, status, header.messageId, 0x1234n),
        );
      }
    });
  });
  await listenAbove(server, above);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    faults,
    logons,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

async function listenAbove(server: Server, above: number): Promise<void> {
  for (let port = above === 0 ? 0 : above + 1; port <= 65535; port++) {
    const listening = await new Promise<boolean>((resolve) => {
      server.once('error', () => {
        resolve(false);
      });
      server.listen(port, '127.0.0.1', () => {
        resolve(true);
      });
    });
    if (listening) return;
  }
  throw new Error(`no free port above ${above}`);
}

/** An interim answer (MS-SMB2 3.3.4.2): STATUS_PENDING with the ASYNC flag (byte 16 holds the flags). */
function interim(command: number, messageId: bigint): Buffer {
  const response = encodeErrorResponse(command, STATUS_PENDING, messageId, 0x1234n);
  response.writeUInt32LE(response.readUInt32LE(16) | SMB2_FLAGS_ASYNC_COMMAND, 16);
  return response;
}

function filetime(): Buffer {
  const value = Buffer.alloc(8);
  value.writeBigUInt64LE(BigInt(Date.now()) * 10000n + 116444736000000000n);
  return value;
}

/** The DC's side of NTLMv2 (MS-NLMP 3.3.2), which a real DC reaches through the secure channel. */
function verifies(
  password: string,
  authenticate: { user: string; domain: string; ntResponse: Uint8Array },
  challenge: Buffer,
): boolean {
  return verifyNtlmV2Response({
    responseKeyNT: ntowfV2(ntHash(password), authenticate.user, authenticate.domain),
    serverChallenge: challenge,
    ntChallengeResponse: authenticate.ntResponse,
  });
}
