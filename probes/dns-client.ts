// One DNS question to one server over UDP or TCP, with dns-packet, never through the
// host's resolver. Expected failures come back as values; only an abort rejects.

import { createSocket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import { isIP, connect } from 'node:net';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, RecordType } from 'dns-packet';
import { abortable } from './abortable.js';
import type { Endpoint, Transport } from './types.js';

const RCODES: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
};

export function rcodeName(code: number): string {
  return RCODES[code] ?? `RCODE${code}`;
}

export type DnsOutcome =
  | { kind: 'reply'; rcode: string; authoritative: boolean; truncated: boolean; packet: DecodedPacket }
  | { kind: 'malformed'; reason: string }
  | { kind: 'refused-connection'; reason: string };

export function encodeQuery(id: number, name: string, type: RecordType): Buffer {
  return dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, class: 'IN', name }],
  });
}

/**
 * Checks that `bytes` is a reply to query `id` for `name`/`type`. Pure; never throws.
 * dns-packet throws on bytes it cannot decode, and may decode garbage into nonsense, so
 * the header and the question are compared with what was asked.
 */
export function decodeReply(bytes: Buffer, id: number, name: string, type: RecordType): DnsOutcome {
  if (bytes.length < 12) return { kind: 'malformed', reason: `reply of ${bytes.length} bytes is shorter than a DNS header` };
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(bytes);
  } catch (error) {
    return { kind: 'malformed', reason: `reply does not decode as DNS: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (packet.id !== id) return { kind: 'malformed', reason: `reply id ${packet.id ?? '?'} does not match query id ${id}` };
  if (!packet.flag_qr) return { kind: 'malformed', reason: 'reply has the query bit, not the response bit' };
  const question = packet.questions?.[0];
  if (question !== undefined && (question.name.toLowerCase() !== name.toLowerCase() || question.type !== type)) {
    return { kind: 'malformed', reason: `reply answers ${question.name} ${question.type}, not ${name} ${type}` };
  }
  const flags = packet.flags ?? 0;
  return {
    kind: 'reply',
    rcode: rcodeName(flags & 0xf),
    authoritative: packet.flag_aa,
    truncated: packet.flag_tc,
    packet,
  };
}

export async function queryDns(server: Endpoint, name: string, type: RecordType, transport: Transport, signal: AbortSignal): Promise<DnsOutcome> {
  const id = randomInt(0, 65536);
  const query = encodeQuery(id, name, type);
  const bytes = transport === 'udp' ? await exchangeUdp(server, query, id, signal) : await exchangeTcp(server, query, signal);
  if (!Buffer.isBuffer(bytes)) return bytes;
  return decodeReply(bytes, id, name, type);
}

function exchangeUdp(server: Endpoint, query: Buffer, id: number, signal: AbortSignal): Promise<Buffer | DnsOutcome> {
  return abortable<Buffer | DnsOutcome>(signal, (settle) => {
    const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // A connected UDP socket reports ICMP port unreachable as ECONNREFUSED.
      const reason = error.code === 'ECONNREFUSED' ? 'ICMP port unreachable: nothing listens on UDP there' : (error.code ?? error.message);
      settle({ kind: 'refused-connection', reason });
    });
    socket.on('message', (message) => {
      // A stray datagram with another id is not the answer: keep waiting for ours.
      if (message.length >= 2 && message.readUInt16BE(0) !== id) return;
      settle(message);
    });
    socket.connect(server.port, server.host, () => {
      socket.send(query);
    });
    return () => {
      socket.close();
    };
  });
}

const MAX_TCP_MESSAGE = 65535;

function exchangeTcp(server: Endpoint, query: Buffer, signal: AbortSignal): Promise<Buffer | DnsOutcome> {
  return abortable<Buffer | DnsOutcome>(signal, (settle) => {
    const socket = connect({ host: server.host, port: server.port });
    const chunks: Buffer[] = [];
    let received = 0;
    socket.on('connect', () => {
      const frame = Buffer.alloc(2 + query.length);
      frame.writeUInt16BE(query.length, 0);
      query.copy(frame, 2);
      socket.write(frame);
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      if (received < 2) return;
      const all = Buffer.concat(chunks);
      const length = all.readUInt16BE(0);
      if (received - 2 >= length) settle(all.subarray(2, 2 + length));
      else if (received > MAX_TCP_MESSAGE + 2) settle({ kind: 'malformed', reason: 'reply over TCP is longer than a DNS message can be' });
    });
    socket.on('end', () => {
      const reason = received === 0 ? 'server closed the TCP connection without answering' : `server closed the TCP connection after ${received} bytes of an incomplete reply`;
      settle({ kind: 'malformed', reason });
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      const reason = error.code === 'ECONNREFUSED' ? 'TCP connection refused: nothing listens on TCP there' : (error.code ?? error.message);
      settle(received === 0 ? { kind: 'refused-connection', reason } : { kind: 'malformed', reason: `connection failed mid-reply: ${reason}` });
    });
    return () => {
      socket.destroy();
    };
  });
}
