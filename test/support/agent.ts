// `probe agent` as a real process for tests of its HTTP side, and a plain HTTP(S) client
// that says exactly what it sends (headers, client certificates, one socket or several).

import { spawn, type ChildProcess } from 'node:child_process';
import { request as httpRequest, type Agent as HttpAgent } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBE, tempDir } from './cli.js';
import { closedPort } from './tcp.js';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Families never run on their own schedule (1 January only): every run is the start's or a reload's. */
export const NO_SCHEDULE = `schedule:
  dns: "0 0 1 1 *"
  ports: "0 0 1 1 *"
  protocols: "0 0 1 1 *"
  ldap: "0 0 1 1 *"
  auth: "0 0 1 1 *"`;

export interface RunningAgent {
  port: number;
  dir: string;
  pid: number;
  child: ChildProcess;
  /** Everything it logged so far (JSON lines). */
  log(): string;
  stop(): Promise<void>;
}

/** The Node flags deploy/systemd and deploy/container start the agent with (test/deploy checks they agree). */
export const DEPLOYED_NODE_FLAGS = ['--max-semi-space-size=4', '--heap-growing-percent=50'];

/**
 * Starts `probe agent --config <dir>/probe.yaml` plus `args`, with the Node flags it is deployed with, `configFor(port)` being
 * the config for the listen port chosen; resolves once it logs that it listens.
 */
export async function startAgent(
  configFor: (port: number) => string,
  args: string[] = [],
  files: Record<string, string> = {},
): Promise<RunningAgent> {
  const port = await closedPort();
  const dir = tempDir(files);
  writeFileSync(join(dir, 'probe.yaml'), configFor(port));
  const child = spawn(
    process.execPath,
    [...DEPLOYED_NODE_FLAGS, PROBE, 'agent', '--config', join(dir, 'probe.yaml'), ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const until = Date.now() + 15_000;
  while (!output.includes('"message":"listening"')) {
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`probe agent did not start:\n${output}`);
    }
    await sleep(50);
  }
  return {
    port,
    dir,
    pid: child.pid ?? 0,
    child,
    log: () => output,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** https with these TLS options (ca, servername, cert, key, maxVersion...). */
  tls?: Record<string, unknown>;
  agent?: HttpAgent | HttpsAgent;
  body?: string;
}

/** One request to 127.0.0.1:port; rejects on a connection or TLS error. */
export function send(port: number, path: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const common = {
      host: '127.0.0.1',
      port,
      path,
      method: options.method ?? 'GET',
      headers: options.headers ?? {},
      timeout: 10_000,
      ...(options.agent === undefined ? { agent: false as const } : { agent: options.agent }),
    };
    const onResponse = (response: import('node:http').IncomingMessage): void => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
      });
      response.on('error', reject);
    };
    const request =
      options.tls === undefined
        ? httpRequest(common, onResponse)
        : httpsRequest({ ...common, ...options.tls }, onResponse);
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(options.body);
  });
}

/** `Authorization` header of basic auth. */
export function basicAuth(user: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** Counts the lines the agent logged with this exact message. */
export function countLogged(log: string, message: string): number {
  return log.split('\n').filter((line) => line.includes(`"message":${JSON.stringify(message)}`)).length;
}
