// The two ways a probe talks to a server: one UDP datagram and its answer, or a TCP
// conversation of framed messages. Expected failures are values; only an abort rejects.

import { createSocket } from 'node:dgram';
import { connect, isIP, type Socket } from 'node:net';
import { abortable } from './abortable.js';

export type UdpOutcome =
  | { kind: 'reply'; bytes: Buffer }
  /** ICMP port unreachable: a connected UDP socket reports it as ECONNREFUSED. */
  | { kind: 'unreachable'; reason: string };

/**
 * Sends one datagram and waits for the first answer `accept` takes (a stray datagram
 * is not the answer). Silence is left to the caller's deadline: that is "filtered".
 */
export function udpExchange(
  host: string,
  port: number,
  payload: Buffer,
  accept: (reply: Buffer) => boolean,
  signal: AbortSignal,
): Promise<UdpOutcome> {
  return abortable<UdpOutcome>(signal, (settle) => {
    const socket = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    socket.on('error', (error: NodeJS.ErrnoException) => {
      settle({
        kind: 'unreachable',
        reason: error.code === 'ECONNREFUSED' ? 'ICMP port unreachable' : (error.code ?? error.message),
      });
    });
    socket.on('message', (message) => {
      if (accept(message)) settle({ kind: 'reply', bytes: message });
    });
    socket.connect(port, host, () => {
      socket.send(payload);
    });
    return () => {
      socket.close();
    };
  });
}

/** Why a TCP connection was not made: refused (closed), or no way through (filtered). */
export type ConnectFailure = { state: 'closed' | 'filtered'; reason: string };

function connectFailure(error: NodeJS.ErrnoException): ConnectFailure {
  if (error.code === 'ECONNREFUSED') return { state: 'closed', reason: 'connection refused' };
  if (error.code === 'EHOSTUNREACH') return { state: 'filtered', reason: 'host unreachable' };
  if (error.code === 'ENETUNREACH') return { state: 'filtered', reason: 'network unreachable' };
  return { state: 'filtered', reason: error.code ?? error.message };
}

/** How many bytes the first complete message in `buffered` takes; undefined while more must come. */
export type Framer = (buffered: Buffer) => number | undefined | { malformed: string };

export type TcpOutcome =
  { kind: 'reply'; bytes: Buffer } | { kind: 'refused'; reason: string } | { kind: 'malformed'; reason: string };

const NOTHING = Buffer.alloc(0);

/** The largest message a probe reads: every protocol here answers in far less. */
const MAX_MESSAGE = 1 << 20;

/**
 * A TCP connection that sends requests and reads framed replies one at a time, so a
 * conversation (RPC bind, then ept_map; LDAP StartTLS, then TLS) shares one connection.
 */
export class TcpConversation {
  #buffered = NOTHING;
  #closed: string | undefined;
  #waiting: (() => void) | undefined;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffered = Buffer.concat([this.#buffered, chunk]);
      this.#waiting?.();
    });
    socket.on('end', () => {
      this.#closed ??= 'the server closed the connection';
      this.#waiting?.();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#closed = error.code ?? error.message;
      this.#waiting?.();
    });
  }

  /** Connects, or says why not. A connect that gets no answer is left to the caller's deadline. */
  static open(host: string, port: number, signal: AbortSignal): Promise<TcpConversation | ConnectFailure> {
    return abortable<TcpConversation | ConnectFailure>(signal, (settle) => {
      const socket = connect({ host, port });
      let connected = false;
      socket.once('connect', () => {
        connected = true;
        socket.removeAllListeners('error');
        settle(new TcpConversation(socket));
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        settle(connectFailure(error));
      });
      return () => {
        if (!connected) socket.destroy();
      };
    });
  }

  /** Sends `request` (when given) and resolves with the next whole message. */
  exchange(request: Buffer | undefined, frame: Framer, signal: AbortSignal): Promise<TcpOutcome> {
    return abortable<TcpOutcome>(signal, (settle) => {
      const check = (): void => {
        const length = frame(this.#buffered);
        if (typeof length === 'object') {
          settle({ kind: 'malformed', reason: length.malformed });
        } else if (length !== undefined && length > MAX_MESSAGE) {
          settle({ kind: 'malformed', reason: `a reply of ${length} bytes is more than any probe expects` });
        } else if (length !== undefined && this.#buffered.length >= length) {
          const bytes = this.#buffered.subarray(0, length);
          this.#buffered = this.#buffered.subarray(length);
          settle({ kind: 'reply', bytes });
        } else if (this.#closed !== undefined) {
          const got = this.#buffered.length;
          settle({
            kind: 'malformed',
            reason:
              got === 0
                ? `${this.#closed} without answering`
                : `${this.#closed} after ${got} bytes of an incomplete reply`,
          });
        }
      };
      this.#waiting = check;
      if (request !== undefined) this.socket.write(request);
      check();
      return () => {
        this.#waiting = undefined;
      };
    });
  }

  /** Hands the raw socket over (to a TLS upgrade): this conversation reads no more from it. */
  detach(): Socket {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('end');
    this.socket.removeAllListeners('error');
    this.socket.on('error', () => undefined);
    return this.socket;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** One request, one framed reply, on a connection of its own. */
export async function tcpRequest(
  host: string,
  port: number,
  request: Buffer,
  frame: Framer,
  signal: AbortSignal,
): Promise<TcpOutcome> {
  const conversation = await TcpConversation.open(host, port, signal);
  if (!(conversation instanceof TcpConversation)) return { kind: 'refused', reason: conversation.reason };
  try {
    return await conversation.exchange(request, frame, signal);
  } finally {
    conversation.close();
  }
}

export type ConnectResult = { state: 'open' } | ConnectFailure;

/**
 * A TCP connect and nothing more: open, closed or filtered. No conversation is set up on it:
 * the ports family makes thousands of these per run.
 */
export function tcpConnect(address: string, port: number, signal: AbortSignal): Promise<ConnectResult> {
  return abortable<ConnectResult>(signal, (settle) => {
    const socket = connect({ host: address, port });
    socket.once('connect', () => {
      settle({ state: 'open' });
    });
    // Kept after settling: an error with no listener would end the process.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      settle(connectFailure(error));
    });
    return () => {
      socket.destroy();
    };
  });
}
