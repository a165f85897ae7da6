// The canary's NTLM logon at a DC of the partner domain, as a Windows client makes it to a file
// share: SMB2 NEGOTIATE, then SESSION_SETUP with SPNEGO carrying NTLMSSP NEGOTIATE, CHALLENGE and
// an NTLMv2 AUTHENTICATE. The DC cannot check the canary's password itself: it passes the logon
// through the trust's Netlogon secure channel, so its NTSTATUS is the secure channel's answer.
// Nothing after the logon is sent; the connection is closed.

import { randomBytes } from 'node:crypto';
import { ntStatusHex, type NtlmOutcome, type NtlmUnreachable } from '../analysis/ntlm-verdict.js';
import type { Attempt, ProbeContext } from '../model/probe.js';
import { TcpConversation, type Framer, type TcpOutcome } from '../transport/sockets.js';
import { Malformed } from '../wire/ber.js';
import {
  decodeChallenge,
  encodeAuthenticate,
  encodeNegotiate,
  DEFAULT_NEGOTIATE_FLAGS,
  ntlmV2Response,
  ntowfV2,
} from '../wire/ntlm.js';
import {
  decodeNegotiateResponse,
  decodeSessionSetupResponse,
  encodeNegotiateRequest,
  encodeSessionSetupRequest,
  frame,
  decodeResponseHeader,
  readFrame,
  SMB2_FLAGS_ASYNC_COMMAND,
  SMB2_SESSION_FLAG_IS_GUEST,
  SMB2_SESSION_FLAG_IS_NULL,
  STATUS_MORE_PROCESSING_REQUIRED,
  STATUS_PENDING,
  STATUS_SUCCESS,
  type Smb2Header,
} from '../wire/smb2.js';
import { decodeNegToken, encodeNegTokenInit, encodeNegTokenResp, NTLMSSP_OID } from '../wire/spnego.js';

/** A DC of the partner domain and the port its SMB server listens on (445 unless the config says otherwise). */
export interface SmbServer {
  host: string;
  address: string;
  port: number;
}

/** Who logs on: NTLMv2 needs the user, the domain as the DC should route it, and the NT hash. */
export interface NtlmCredential {
  user: string;
  domain: string;
  ntHash: Uint8Array;
}

/** DCs of the partner tried before giving up on reaching one: each more is a slower verdict, not a better one. */
const MAX_DCS_TRIED = 3;
/** No SMB2 answer to these three requests is anywhere near this; a server that sends more is not an SMB server. */
const MAX_SMB_MESSAGE = 64 * 1024;
/** Interim answers (STATUS_PENDING) waited through for one request before giving up on it. */
const MAX_INTERIM_ANSWERS = 4;
/** Windows FILETIME: 100 ns since 1601-01-01. */
const FILETIME_UNIX_EPOCH = 116444736000000000n;

const smbFramer: Framer = (buffered) => {
  const framed = readFrame(buffered, MAX_SMB_MESSAGE);
  if (framed instanceof Malformed) return { malformed: framed.reason };
  return framed === 'incomplete' ? undefined : buffered.length - framed.rest.length;
};

/** An interim answer: the DC works on the request asynchronously; the real answer follows (MS-SMB2 3.3.4.2). */
function isInterim(header: Smb2Header): boolean {
  return header.status === STATUS_PENDING && (header.flags & SMB2_FLAGS_ASYNC_COMMAND) !== 0;
}

function filetimeNow(): bigint {
  return BigInt(Date.now()) * 10000n + FILETIME_UNIX_EPOCH;
}

/** Why a step of the exchange got no usable answer, in words. */
function noAnswer(reply: Attempt<TcpOutcome>, timeoutMs: number): string {
  if (!reply.ok) return reply.reason === 'timeout' ? `no answer in ${timeoutMs / 1000} s` : reply.reason;
  return 'reason' in reply.value ? reply.value.reason : '';
}

type DcResult =
  | { kind: 'unreachable'; detail: string }
  | { kind: 'broken'; detail: string; seconds: number }
  | { kind: 'answered'; status: number; guest: boolean; seconds: number };

/** One logon at one DC: connect, negotiate, two session setups. */
async function logOnAt(server: SmbServer, credential: NtlmCredential, ctx: ProbeContext): Promise<DcResult> {
  let conversation: TcpConversation | undefined;
  try {
    const opened = await ctx.attempt((signal) => TcpConversation.open(server.address, server.port, signal));
    if (!opened.ok)
      return {
        kind: 'unreachable',
        detail: opened.reason === 'timeout' ? `no answer to the connect in ${ctx.timeoutMs / 1000} s` : opened.reason,
      };
    if (!(opened.value instanceof TcpConversation)) return { kind: 'unreachable', detail: opened.value.reason };
    const open = opened.value;
    conversation = open;
    let seconds = opened.seconds;
    let messageId = 0n;
    /** The answer to `request`, past the interim STATUS_PENDING answers a DC sends while it works. */
    const ask = async (request: Buffer): Promise<Buffer | string> => {
      let send: Buffer | undefined = frame(request);
      for (let interim = 0; interim <= MAX_INTERIM_ANSWERS; interim++) {
        const sending = send;
        const reply = await ctx.attempt((signal) => open.exchange(sending, smbFramer, signal));
        seconds += reply.seconds;
        send = undefined;
        if (!reply.ok || reply.value.kind !== 'reply') return noAnswer(reply, ctx.timeoutMs);
        const message = reply.value.bytes.subarray(4);
        const header = decodeResponseHeader(message);
        if (header instanceof Malformed || !isInterim(header)) return message;
      }
      return `more than ${MAX_INTERIM_ANSWERS} interim (STATUS_PENDING) answers`;
    };
    const broken = (detail: string): DcResult => ({ kind: 'broken', detail, seconds });

    const negotiated = await ask(encodeNegotiateRequest({ messageId: messageId++, clientGuid: randomBytes(16) }));
    if (typeof negotiated === 'string')
      return broken(`took the connection but did not answer SMB2 NEGOTIATE: ${negotiated}`);
    const negotiate = decodeNegotiateResponse(negotiated);
    if (negotiate instanceof Malformed)
      return broken(`answered SMB2 NEGOTIATE with something unusable: ${negotiate.reason}`);
    if (negotiate.header.status !== STATUS_SUCCESS)
      return broken(`refused SMB2 NEGOTIATE (status ${ntStatusHex(negotiate.header.status)})`);

    const first = await ask(
      encodeSessionSetupRequest({
        messageId: messageId++,
        sessionId: 0n,
        securityBuffer: encodeNegTokenInit([NTLMSSP_OID], encodeNegotiate()),
      }),
    );
    if (typeof first === 'string') return broken(`did not answer the first SESSION_SETUP: ${first}`);
    const setup = decodeSessionSetupResponse(first);
    if (setup instanceof Malformed) return broken(`answered SESSION_SETUP with something unusable: ${setup.reason}`);
    if (setup.header.status === STATUS_SUCCESS) return broken('opened a session before any credential was sent');
    // A DC that refuses NTLM before any password is sent (no NTLM offered, NTLM blocked) says so here.
    if (setup.kind === 'error' || setup.header.status !== STATUS_MORE_PROCESSING_REQUIRED)
      return { kind: 'answered', status: setup.header.status, guest: false, seconds };
    const token = decodeNegToken(setup.securityBuffer);
    if (token instanceof Malformed) return broken(`sent an unusable SPNEGO answer: ${token.reason}`);
    if (token.kind !== 'resp' || token.responseToken === undefined)
      return broken('sent no NTLM CHALLENGE in its SPNEGO answer');
    const challenge = decodeChallenge(token.responseToken);
    if (challenge instanceof Malformed) return broken(`sent an unusable NTLM CHALLENGE: ${challenge.reason}`);

    const response = ntlmV2Response({
      responseKeyNT: ntowfV2(credential.ntHash, credential.user, credential.domain),
      serverChallenge: challenge.serverChallenge,
      clientChallenge: randomBytes(8),
      timestamp: challenge.timestamp ?? filetimeNow(),
      targetInfo: challenge.targetInfo,
    });
    const authenticate = encodeAuthenticate({
      flags: (challenge.flags & DEFAULT_NEGOTIATE_FLAGS) >>> 0,
      domain: credential.domain,
      user: credential.user,
      workstation: '',
      lmResponse: response.lmChallengeResponse,
      ntResponse: response.ntChallengeResponse,
    });
    const last = await ask(
      encodeSessionSetupRequest({
        messageId: messageId++,
        sessionId: setup.header.sessionId,
        securityBuffer: encodeNegTokenResp({ responseToken: authenticate }),
      }),
    );
    // No answer to the AUTHENTICATE: the DC took the logon and is still waiting on the secure channel.
    if (typeof last === 'string')
      return broken(`did not answer the NTLM logon: ${last} (it may be waiting for a DC of the canary's domain)`);
    const logon = decodeSessionSetupResponse(last);
    if (logon instanceof Malformed) return broken(`answered the NTLM logon with something unusable: ${logon.reason}`);
    // A server that maps a failed logon to its guest account answers success too: only the flags tell.
    const guest =
      logon.kind === 'session-setup' &&
      (logon.sessionFlags & (SMB2_SESSION_FLAG_IS_GUEST | SMB2_SESSION_FLAG_IS_NULL)) !== 0;
    return { kind: 'answered', status: logon.header.status, guest, seconds };
  } finally {
    conversation?.close();
  }
}

/**
 * The canary's logon at the first DC of `servers` that takes a connection on its SMB port. Once a
 * DC has answered the logon, no other is asked: each answer is one use of the canary's password.
 */
export async function ntlmLogon(
  servers: SmbServer[],
  credential: NtlmCredential,
  passwordProven: boolean,
  ctx: ProbeContext,
): Promise<NtlmOutcome> {
  const tried: NtlmUnreachable[] = [];
  for (const server of servers.slice(0, MAX_DCS_TRIED)) {
    const result = await logOnAt(server, credential, ctx);
    if (result.kind === 'unreachable') {
      tried.push({ dc: server.host, address: server.address, port: server.port, detail: result.detail });
      continue;
    }
    const { host: dc, address, port } = server;
    if (result.kind === 'broken')
      return { kind: 'broken', dc, address, port, detail: result.detail, tried, seconds: result.seconds };
    return {
      kind: 'answered',
      dc,
      address,
      port,
      status: result.status,
      guest: result.guest,
      seconds: result.seconds,
      passwordProven,
      tried,
    };
  }
  return { kind: 'unreachable', tried };
}
