// A simulated estate of DCs on loopback: DC i listens on the nine trust TCP ports at its own
// address in 127.1.0.0/16 (all of 127.0.0.0/8 is loopback), as a bench or a test asks. Needs
// the right to bind ports below 1024 (root, or CAP_NET_BIND_SERVICE); `canBindLowPorts` says.

import { createServer, type Server } from 'node:net';
import { TRUST_TCP_PORTS } from '../../probes/discovery/dcs.js';

export interface Estate {
  /** The DCs' addresses, which serve as their names in the config. */
  dcs: string[];
  close(): Promise<void>;
}

/** The address of DC `index` (0-based): 127.1.0.1, ..., 127.1.0.250, 127.1.1.1, ... */
export function dcAddress(index: number): string {
  return `127.1.${Math.floor(index / 250)}.${(index % 250) + 1}`;
}

export function listen(host: string, port: number): Promise<Server> {
  const server = createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, backlog: 64 }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * `count` DCs with every trust port open, except the ports `closed(index)` names for DC
 * `index`: no listener there, so a connection is refused.
 */
export async function startEstate(count: number, closed: (index: number) => number[] = () => []): Promise<Estate> {
  const servers: Server[] = [];
  const dcs = Array.from({ length: count }, (_, index) => dcAddress(index));
  for (const [index, host] of dcs.entries()) {
    const shut = new Set(closed(index));
    for (const port of TRUST_TCP_PORTS) if (!shut.has(port)) servers.push(await listen(host, port));
  }
  return {
    dcs,
    close: async () => {
      await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };
}

export async function canBindLowPorts(): Promise<boolean> {
  try {
    const server = await listen(dcAddress(0), 88);
    await new Promise((resolve) => server.close(resolve));
    return true;
  } catch {
    return false;
  }
}
