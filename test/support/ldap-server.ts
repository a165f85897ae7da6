// A small LDAP server on loopback for the ldap family's tests: it answers a simple bind,
// StartTLS, the rootDSE and searches, with as many entries as a test asks for. Searches
// are matched on their base DN only (filters are not evaluated) and paged as the client
// asks (RFC 2696), or answered in one piece when the test wants a server that ignores
// paging. Entries are encoded once, when the server starts, so that serving 100,000 of
// them costs the test process a few copies.
// BER is written with the project's own layer (probes/wire/ber.ts); requests are read by hand.

import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { encodeLength, integer, integerOctets, Malformed, readInteger, tlv } from '../../probes/wire/ber.js';
import type { TestCertificate } from './servers.js';

export type Attributes = Record<string, (string | Buffer)[]>;

export interface LdapEntry {
  dn: string;
  attributes: Attributes;
}

// ---- BER writing ----

function octets(value: string | Buffer): Buffer {
  return tlv(0x04, typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
}

function message(id: number, op: Buffer): Buffer {
  return tlv(0x30, integer(id), op);
}

function result(tag: number, code = 0, diagnostic = ''): Buffer {
  return tlv(tag, tlv(0x0a, integerOctets(code)), octets(''), octets(diagnostic));
}

/** The SearchResultEntry protocolOp of an entry, without the message around it. */
function searchEntryOp(entry: LdapEntry): Buffer {
  const attributes = Object.entries(entry.attributes).map(([name, values]) =>
    tlv(0x30, octets(name), tlv(0x31, ...values.map((value) => octets(value)))),
  );
  return tlv(0x64, octets(entry.dn), tlv(0x30, ...attributes));
}

// ---- what the server answers ----

export interface LdapServerOptions {
  baseDn: string;
  /** Entries under CN=System,<baseDn>: the trustedDomain objects. */
  trusts: LdapEntry[];
  /** Entries under <baseDn>, answered to the account searches. */
  accounts?: LdapEntry[];
  /** Answer every search in one piece, whatever page size the client asked for. */
  ignorePaging?: boolean;
  /** Answer binds and nothing after them: a DC that hangs once a client is in. */
  silentAfterBind?: boolean;
  /** For StartTLS. */
  certificate?: TestCertificate;
  /** Called when the last page of the trustedDomain objects has been written. */
  onTrustsServed?: () => void;
  /** Called with the base DN of each search. */
  onSearch?: (base: string) => void;
}

export interface LdapTestServer {
  port: number;
  url: string;
  /** Searches received, by base DN. */
  searches: string[];
  close(): Promise<void>;
}

const START_TLS = '1.3.6.1.4.1.1466.20037';
const PAGED_RESULTS = '1.2.840.113556.1.4.319';

/** The paged-results control of a request (RFC 2696): the page size and the cookie, if the request has one. */
function pagedControl(frame: Buffer, afterOp: number): { size: number; cookie: string } | undefined {
  const controls = element(frame, afterOp);
  if (controls?.tag !== 0xa0) return undefined;
  for (let at = controls.start; at < controls.end;) {
    const control = element(frame, at);
    if (control === undefined) return undefined;
    at = control.end;
    const type = element(frame, control.start);
    if (type === undefined || frame.subarray(type.start, type.end).toString() !== PAGED_RESULTS) continue;
    let next = element(frame, type.end);
    if (next?.tag === 0x01) next = element(frame, next.end);
    if (next === undefined) return undefined;
    const value = element(frame, next.start);
    const size = value === undefined ? undefined : element(frame, value.start);
    const cookie = size === undefined ? undefined : element(frame, size.end);
    if (size === undefined || cookie === undefined) return undefined;
    return {
      size: frame.readUIntBE(size.start, size.end - size.start),
      cookie: frame.subarray(cookie.start, cookie.end).toString(),
    };
  }
  return undefined;
}

/** Reads one element's tag, content start and end; undefined while incomplete. */
function element(bytes: Buffer, at: number): { tag: number; start: number; end: number } | undefined {
  const tag = bytes[at];
  const first = bytes[at + 1];
  if (tag === undefined || first === undefined) return undefined;
  let length = first;
  let start = at + 2;
  if (first >= 0x80) {
    const count = first & 0x7f;
    if (bytes.length < start + count) return undefined;
    length = bytes.readUIntBE(start, count);
    start += count;
  }
  return { tag, start, end: start + length };
}

/** The trustedDomain object of partner number `index`, as AD returns it (no secrets). */
export function trustedDomainEntry(baseDn: string, index: number, extra: Attributes = {}): LdapEntry {
  const partner = `partner${index}.example`;
  return {
    dn: `CN=${partner},CN=System,${baseDn}`,
    attributes: {
      trustPartner: [partner],
      flatName: [`PARTNER${index}`],
      trustDirection: ['3'],
      trustType: ['2'],
      trustAttributes: ['8'],
      whenCreated: ['20261101000000.0Z'],
      whenChanged: ['20261101000000.0Z'],
      ...extra,
    },
  };
}

export async function startLdapServer(options: LdapServerOptions): Promise<LdapTestServer> {
  const searches: string[] = [];
  // Each base's entries are encoded once, as protocolOps without their envelope (remembered
  // by offset); a page copies a run of them into envelopes that carry the ID of its request,
  // a BER INTEGER of 1 to 4 bytes as ldapts counts them up to 2^31 - 1.
  const encoded = new Map<string, { ops: Buffer; starts: number[] }>();
  const entriesFor = (base: string): LdapEntry[] =>
    base === ''
      ? [{ dn: '', attributes: { configurationNamingContext: [`CN=Configuration,${options.baseDn}`] } }]
      : base.toLowerCase() === `cn=system,${options.baseDn}`.toLowerCase()
        ? options.trusts
        : base.toLowerCase() === options.baseDn.toLowerCase()
          ? (options.accounts ?? [])
          : [];
  const answerFor = (
    id: number,
    base: string,
    page: { size: number; cookie: string } | undefined,
  ): { bytes: Buffer; more: boolean } => {
    const key = base.toLowerCase();
    let template = encoded.get(key);
    if (template === undefined) {
      const ops = entriesFor(base).map(searchEntryOp);
      const starts = [0];
      for (const op of ops) starts.push((starts.at(-1) ?? 0) + op.length);
      template = { ops: Buffer.concat(ops), starts };
      encoded.set(key, template);
    }
    const count = template.starts.length - 1;
    const first = page === undefined || options.ignorePaging === true ? 0 : Number(page.cookie || '0');
    const last = page === undefined || options.ignorePaging === true ? count : Math.min(count, first + page.size);
    const messageId = integer(id);
    const envelopes: Buffer[] = [];
    for (let index = first; index < last; index++) {
      const op = template.ops.subarray(template.starts[index] ?? 0, template.starts[index + 1] ?? 0);
      envelopes.push(Buffer.from([0x30, ...encodeLength(messageId.length + op.length)]), messageId, op);
    }
    const entries = Buffer.concat(envelopes);
    const more = last < count && page !== undefined && options.ignorePaging !== true;
    const control =
      page === undefined
        ? []
        : [
            tlv(
              0xa0,
              tlv(0x30, octets(PAGED_RESULTS), octets(tlv(0x30, integer(0), octets(more ? String(last) : '')))),
            ),
          ];
    return { bytes: Buffer.concat([entries, tlv(0x30, integer(id), result(0x65), ...control)]), more };
  };
  answerFor(1, `CN=System,${options.baseDn}`, undefined);

  const sockets = new Set<Socket>();
  const serve = (socket: Socket, plain: Socket): void => {
    let buffer = Buffer.alloc(0);
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const outer = element(buffer, 0);
        if (outer === undefined || buffer.length < outer.end) return;
        const frame = buffer.subarray(0, outer.end);
        buffer = buffer.subarray(outer.end);
        const idElement = element(frame, outer.start);
        if (idElement === undefined) return;
        // messageID: a BER INTEGER of 1 to 4 bytes (0 to 2^31 - 1, RFC 4511 4.1.1); anything else ends the connection.
        const id = readInteger(frame, { ...idElement, start: outer.start, contentStart: idElement.start }, 'messageID');
        if (id instanceof Malformed) {
          socket.destroy();
          return;
        }
        const op = element(frame, idElement.end);
        if (op === undefined) return;
        if (op.tag === 0x60) {
          socket.write(message(id, result(0x61)));
        } else if (op.tag === 0x77) {
          const name = element(frame, op.start);
          const oid = name === undefined ? '' : frame.subarray(name.start, name.end).toString();
          if (oid !== START_TLS || options.certificate === undefined) {
            socket.write(message(id, result(0x78, 2, 'unsupported extended operation')));
            continue;
          }
          const certificate = options.certificate;
          plain.removeAllListeners('data');
          plain.write(message(id, result(0x78)), () => {
            const secure = new TLSSocket(plain, { isServer: true, key: certificate.key, cert: certificate.cert });
            serve(secure, plain);
          });
          return;
        } else if (op.tag === 0x63) {
          if (options.silentAfterBind === true) continue;
          const baseElement = element(frame, op.start);
          const base = baseElement === undefined ? '' : frame.subarray(baseElement.start, baseElement.end).toString();
          searches.push(base);
          options.onSearch?.(base);
          const trusts = base.toLowerCase() === `cn=system,${options.baseDn}`.toLowerCase();
          const answer = answerFor(id, base, pagedControl(frame, op.end));
          socket.write(answer.bytes, () => {
            if (trusts && !answer.more) options.onTrustsServed?.();
          });
        } else if (op.tag === 0x42) {
          socket.end();
          return;
        }
      }
    });
  };
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serve(socket, socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    url: `ldap://127.0.0.1:${address.port}`,
    searches,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}

/** What ldap-server-worker.ts tells its parent. */
export type WorkerMessage = { port: number } | { search: string } | { served: true };

/**
 * The server above with `count` trustedDomain objects (trustedDomainEntry), run in a child
 * process (ldap-server-worker.ts), so that its work is not counted in the test process's
 * event loop delay. `served` resolves when the last page of trust objects has been written.
 */
export async function startLdapServerProcess(
  baseDn: string,
  count: number,
): Promise<LdapTestServer & { served: () => Promise<void> }> {
  const child = fork(new URL('ldap-server-worker.js', import.meta.url), [baseDn, String(count)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const searches: string[] = [];
  let waiting: (() => void)[] = [];
  const exited = once(child, 'exit');
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => {
      reject(new Error(`the LDAP server process exited (${String(code)}) before it listened`));
    });
    child.on('message', (message: WorkerMessage) => {
      if ('port' in message) resolve(message.port);
      else if ('search' in message) searches.push(message.search);
      else {
        for (const resolveServed of waiting) resolveServed();
        waiting = [];
      }
    });
  });
  return {
    port,
    url: `ldap://127.0.0.1:${port}`,
    searches,
    served: () =>
      new Promise((resolve) => {
        waiting.push(resolve);
      }),
    close: async () => {
      if (child.connected) child.disconnect();
      await exited;
    },
  };
}

/** A server that writes `flood` as soon as it accepts a connection, and then nothing. */
export async function floodServer(
  flood: Buffer,
): Promise<{ port: number; connections: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.write(flood);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    get connections() {
      return connections;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    },
  };
}
