// Small real servers on loopback for the protocol probes' edge cases: UDP servers that
// answer garbage or nothing, TCP servers that send whatever the test says, TLS servers
// with certificates made by openssl for the test.

import { execFileSync } from 'node:child_process';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';

export interface Running {
  port: number;
  close(): Promise<void>;
}

/** A UDP server: `answer` returns the reply to a datagram, or undefined for silence. */
export async function udpServer(answer: (request: Buffer, peer: RemoteInfo) => Buffer | undefined): Promise<Running> {
  const socket = createSocket('udp4');
  socket.on('message', (message, peer) => {
    const reply = answer(message, peer);
    if (reply !== undefined) socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return {
    port: socket.address().port,
    close: () =>
      new Promise((resolve) => {
        socket.close(() => {
          resolve();
        });
      }),
  };
}

/** A TCP server: `onData` writes what it likes (or nothing) for each chunk received. */
export async function tcpServer(onData: (socket: Socket, chunk: Buffer) => void): Promise<Running> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      onData(socket, chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
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

export interface TestCertificate {
  key: Buffer;
  cert: Buffer;
  /** The self-signed certificate is its own CA. */
  caFile: string;
  cleanup(): void;
}

/**
 * A self-signed certificate from openssl, for `name`, valid `days` days from now. `altNames`
 * is its subjectAltName (`DNS:x, IP:127.0.0.1`); empty for none, as the lab's certificates.
 */
export function makeCertificate(name: string, days: number, altNames = `DNS:${name}`): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'adtrust-cert-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  const san = altNames === '' ? [] : ['-addext', `subjectAltName=${altNames}`];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      String(days),
      '-subj',
      `/CN=${name}`,
      ...san,
    ],
    { stdio: 'ignore' },
  );
  return {
    key: readFileSync(key),
    cert: readFileSync(cert),
    caFile: cert,
    cleanup: () => {
      rmSync(dir, { recursive: true });
    },
  };
}

/** An LDAPS-like TLS server that accepts the handshake and says nothing. */
export async function tlsServer(certificate: TestCertificate): Promise<Running> {
  const server = createTlsServer({ key: certificate.key, cert: certificate.cert }, (socket) => {
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}

/** An LDAP server that answers StartTLS with success (RFC 4511 4.14.2), then speaks TLS. */
export async function startTlsServer(certificate: TestCertificate): Promise<Running> {
  // ExtendedResponse, messageID 1, resultCode success, empty matchedDN and diagnosticMessage.
  const success = Buffer.from([0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]);
  return tcpServer((socket) => {
    socket.removeAllListeners('data');
    socket.write(success, () => {
      const tls = new TLSSocket(socket, { isServer: true, key: certificate.key, cert: certificate.cert });
      tls.on('error', () => undefined);
    });
  });
}

/**
 * For a test file: `start` awaits a server and returns its port; every server started so and
 * every certificate put in `certificates` is closed and removed after the file's tests.
 */
export function serversClosedAfterTests(): {
  start: (server: Promise<Running>) => Promise<number>;
  certificates: TestCertificate[];
} {
  const running: Running[] = [];
  const certificates: TestCertificate[] = [];
  after(async () => {
    for (const server of running) await server.close();
    for (const certificate of certificates) certificate.cleanup();
  });
  return {
    start: async (server) => {
      const ready = await server;
      running.push(ready);
      return ready.port;
    },
    certificates,
  };
}
