// A real DNS server on loopback, built on dns-packet, answering over UDP and TCP on the
// same port. Each name can be told to misbehave the way broken DNS servers do.

import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import dnsPacket from 'dns-packet';
import type { Answer, RecordType } from 'dns-packet';

export type Behaviour =
  | 'answer'
  /** Over UDP: TC bit and no answers; over TCP: the full answer. */
  | 'truncate'
  | 'servfail'
  | 'refused'
  | 'nxdomain'
  /** NOERROR with no answer. */
  | 'empty'
  /** Never answers. */
  | 'silent'
  /** Random bytes with the query's id. */
  | 'garbage'
  /** A header that promises answers the message does not hold. */
  | 'cut-short'
  /** The zone's records, but owned by another name (`attacker.example`), as a spoofer would send them. */
  | 'foreign-owner'
  /** The zone's answer without the question section. */
  | 'no-question';

export interface Zone {
  srv?: Record<string, { target: string; port: number }[]>;
  a?: Record<string, string[]>;
  behaviour?: Record<string, Behaviour>;
  /** Set the AA bit on answers. */
  authoritative?: boolean;
}

/** wingtip.test as its DNS serves it: one DC, dcb, behind every locator record. */
export const WINGTIP_ZONE: Zone = {
  srv: {
    '_ldap._tcp.dc._msdcs.wingtip.test': [{ target: 'dcb.wingtip.test', port: 389 }],
    '_kerberos._tcp.wingtip.test': [{ target: 'dcb.wingtip.test', port: 88 }],
    '_kpasswd._tcp.wingtip.test': [{ target: 'dcb.wingtip.test', port: 464 }],
    '_gc._tcp.wingtip.test': [{ target: 'dcb.wingtip.test', port: 3268 }],
  },
  a: { 'dcb.wingtip.test': ['198.51.100.20'] },
};

export interface DnsTestServer {
  port: number;
  queries: { name: string; type: RecordType; transport: 'udp' | 'tcp' }[];
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

export function answerQuery(
  zone: Zone,
  query: Buffer,
  transport: 'udp' | 'tcp',
  log: DnsTestServer['queries'],
): Buffer | undefined {
  const packet = dnsPacket.decode(query);
  const question = packet.questions?.[0];
  if (question === undefined || packet.id === undefined) return undefined;
  const name = question.name.toLowerCase();
  log.push({ name, type: question.type, transport });
  const behaviour = zone.behaviour?.[name] ?? 'answer';
  const reply = (rcode: number, answers: Answer[], extraFlags = 0, questions = [question]): Buffer =>
    dnsPacket.encode({
      type: 'response',
      id: packet.id,
      flags:
        dnsPacket.RECURSION_DESIRED |
        dnsPacket.RECURSION_AVAILABLE |
        (zone.authoritative ? dnsPacket.AUTHORITATIVE_ANSWER : 0) |
        extraFlags |
        rcode,
      questions,
      answers,
    });
  switch (behaviour) {
    case 'silent':
      return undefined;
    case 'servfail':
      return reply(RCODE.SERVFAIL, []);
    case 'refused':
      return reply(RCODE.REFUSED, []);
    case 'nxdomain':
      return reply(RCODE.NXDOMAIN, []);
    case 'empty':
      return reply(RCODE.NOERROR, []);
    case 'garbage': {
      const bytes = Buffer.from(Array.from({ length: 40 }, (_, index) => (index * 97 + 13) & 0xff));
      bytes.writeUInt16BE(packet.id, 0);
      return bytes;
    }
    case 'cut-short':
      return reply(RCODE.NOERROR, recordsFor(zone, name, question.type)).subarray(0, 20);
    case 'foreign-owner':
      return reply(
        RCODE.NOERROR,
        recordsFor(zone, name, question.type).map((answer) => ({ ...answer, name: 'attacker.example' })),
      );
    case 'no-question':
      return reply(RCODE.NOERROR, recordsFor(zone, name, question.type), 0, []);
    case 'truncate':
      if (transport === 'udp') return reply(RCODE.NOERROR, [], dnsPacket.TRUNCATED_RESPONSE);
      return reply(RCODE.NOERROR, recordsFor(zone, name, question.type));
    case 'answer': {
      const answers = recordsFor(zone, name, question.type);
      const known = zone.srv?.[name] !== undefined || zone.a?.[name] !== undefined;
      return reply(known ? RCODE.NOERROR : RCODE.NXDOMAIN, answers);
    }
  }
}

function recordsFor(zone: Zone, name: string, type: RecordType): Answer[] {
  if (type === 'SRV') {
    return (zone.srv?.[name] ?? []).map(({ target, port }) => ({
      type: 'SRV',
      name,
      ttl: 60,
      data: { priority: 0, weight: 100, port, target },
    }));
  }
  if (type === 'A') return (zone.a?.[name] ?? []).map((address) => ({ type: 'A', name, ttl: 60, data: address }));
  return [];
}

export async function startDnsServer(zone: Zone): Promise<DnsTestServer> {
  const queries: DnsTestServer['queries'] = [];
  for (let tries = 0; ; tries++) {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;
    const sockets = new Set<TcpSocket>();
    const tcp = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      let buffered = Buffer.alloc(0);
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2) {
          const length = buffered.readUInt16BE(0);
          if (buffered.length < 2 + length) return;
          const message = buffered.subarray(2, 2 + length);
          buffered = buffered.subarray(2 + length);
          const answer = answerQuery(zone, message, 'tcp', queries);
          if (answer !== undefined) {
            const frame = Buffer.alloc(2);
            frame.writeUInt16BE(answer.length, 0);
            socket.write(Buffer.concat([frame, answer]));
          }
        }
      });
      socket.on('error', () => undefined);
    });
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => {
        resolve(false);
      });
      tcp.listen(port, '127.0.0.1', () => {
        resolve(true);
      });
    });
    if (!listening) {
      udp.close();
      if (tries > 20) throw new Error('no free port for a UDP+TCP DNS server');
      continue;
    }
    serveUdp(udp, zone, queries);
    return { port, queries, close: () => closeBoth(udp, tcp, sockets) };
  }
}

function serveUdp(udp: Socket, zone: Zone, queries: DnsTestServer['queries']): void {
  udp.on('message', (message, peer) => {
    const answer = answerQuery(zone, message, 'udp', queries);
    if (answer !== undefined) udp.send(answer, peer.port, peer.address);
  });
}

async function closeBoth(udp: Socket, tcp: Server, sockets: Set<TcpSocket>): Promise<void> {
  udp.close();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) =>
    tcp.close(() => {
      resolve();
    }),
  );
}

/** A DNS server for one piece of work, closed after it whatever happens. */
export async function withDnsServer<T>(zone: Zone, work: (server: DnsTestServer) => Promise<T>): Promise<T> {
  const server = await startDnsServer(zone);
  try {
    return await work(server);
  } finally {
    await server.close();
  }
}
