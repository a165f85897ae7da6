// @ts-nocheck
// One DNS question to one server over UDP or TCP, with dns-packet, never through the
// host's resolver. Expected failures come back as values; only an abort rejects.

import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { DecodedPacket, RecordType } from 'dns-packet';
import { tcpRequest, udpExchange, type Framer } from './sockets.js';
import type { Transport } from '../model/measurement.js';
import type { Endpoint } from '../model/probe.js';

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
  if (bytes.length < 12)
    return { kind: 'malformed', reason: `reply of ${bytes.length} bytes is shorter than a DNS header` };
  let packet: DecodedPacket;
  try {
    packet = dnsPacket.decode(bytes);
  } catch (error) {
    return {
      kind: 'malformed',
      reason: `reply does not decode as DNS: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (packet.id !== id)
    return { kind: 'malformed', reason: `reply id ${packet.id ?? '?'} does not match query id ${id}` };
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

/** DNS over TCP: a two-byte length, then the message (RFC 1035 4.2.2). */
const frameDns: Framer = (buffered) => (buffered.length < 2 ? undefined : 2 + buffered.readUInt16BE(0));

export async function queryDns(
  server: Endpoint,
  name: string,
  type: RecordType,
  transport: Transport,
  signal: AbortSignal,
): Promise<DnsOutcome> {
  const id = randomInt(0, 65536);
  const query = encodeQuery(id, name, type);
  if (transport === 'udp') {
    // A stray datagram with another id is not the answer: keep waiting for ours.
    const outcome = await udpExchange(
      server.host,
      server.port,
      query,
      (reply) => reply.length < 2 || reply.readUInt16BE(0) === id,
      signal,
    );
    if (outcome.kind === 'unreachable')
      return {
        kind: 'refused-connection',
        reason:
          outcome.reason === 'ICMP port unreachable'
            ? 'ICMP port unreachable: nothing listens on UDP there'
            : outcome.reason,
      };
    return decodeReply(outcome.bytes, id, name, type);
  }
  const length = Buffer.alloc(2);
  length.writeUInt16BE(query.length, 0);
  const outcome = await tcpRequest(server.host, server.port, Buffer.concat([length, query]), frameDns, signal);
  if (outcome.kind === 'refused')
    return {
      kind: 'refused-connection',
      reason:
        outcome.reason === 'connection refused'
          ? 'TCP connection refused: nothing listens on TCP there'
          : outcome.reason,
    };
  if (outcome.kind === 'malformed') return outcome;
  return decodeReply(outcome.bytes.subarray(2), id, name, type);
}
