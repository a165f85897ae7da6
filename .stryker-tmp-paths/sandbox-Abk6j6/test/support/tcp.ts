// @ts-nocheck
// Real TCP endpoints on loopback for the port probe: an open port, a closed port, and a
// "filtered" one.

import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { tcpServer } from './servers.js';

export interface Listener {
  port: number;
  close(): Promise<void>;
}

/** A port that accepts connections (and reads nothing). */
export function openPort(): Promise<Listener> {
  return tcpServer(() => undefined);
}

/** A port that nothing listens on: it was free a moment ago and is released. */
export async function closedPort(): Promise<number> {
  const listener = await openPort();
  await listener.close();
  return listener.port;
}

/**
 * A port that drops connection attempts, as a firewall DROP rule does. Nothing here is
 * simulated: a real kernel listener (python3, which never calls accept) has its accept
 * queue filled by one connection, after which the kernel drops every further SYN.
 * Node cannot hold a listening socket without accepting, hence python3.
 */
export async function filteredPort(bindAddress = '127.0.0.1'): Promise<Listener> {
  const child: ChildProcess = spawn(
    'python3',
    [
      '-c',
      [
        'import socket, sys',
        's = socket.socket()',
        `s.bind(('${bindAddress}', 0))`,
        's.listen(0)',
        'print(s.getsockname()[1], flush=True)',
        'sys.stdin.read()',
      ].join('\n'),
    ],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout?.once('data', (data: Buffer) => {
      resolve(Number(data.toString().trim()));
    });
  });
  const filler = connect(port, '127.0.0.1');
  filler.on('error', () => undefined);
  await new Promise<void>((resolve) =>
    filler.once('connect', () => {
      resolve();
    }),
  );
  return {
    port,
    close: async () => {
      filler.destroy();
      const exited = new Promise<void>((resolve) =>
        child.once('exit', () => {
          resolve();
        }),
      );
      child.stdin?.end();
      await exited;
    },
  };
}
