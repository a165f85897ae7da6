// The agent's HTTP(S) server: what every route shares before the daemon's handler sees a
// request. TLS and basic auth from the web config, a cap on open connections, and
// timeouts on every wait, so that no caller can hold the server's sockets or file handles.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../../probes/model/probe.js';
import type { WebConfig } from '../config/web-config.js';
import { BasicAuth, parseBasicAuth } from './basic-auth.js';

/** Open connections at once, by default: Prometheus (two in a HA pair) and a few people. */
export const DEFAULT_MAX_CONNECTIONS = 64;
/** A request's headers must arrive within this, counted from the connection or the previous request. */
export const HEADERS_TIMEOUT_MS = 10_000;
/** A whole request, body included. */
export const REQUEST_TIMEOUT_MS = 30_000;
/** A kept-alive connection with no new request is closed after this. */
export const KEEP_ALIVE_TIMEOUT_MS = 15_000;
/** A connection on which nothing at all moves is closed after this (covers a stalled response). */
export const SOCKET_IDLE_TIMEOUT_MS = 60_000;
/** A TLS handshake that has not finished by then is dropped. */
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;
/**
 * A client sends its request within milliseconds of connecting; a connection that has
 * sent none for this long may be closed to make room. (Younger ones are spared, so that a
 * burst of real clients does not close its own fresh connections.)
 */
export const FIRST_REQUEST_GRACE_MS = 1000;

export interface WebServerOptions {
  log: Logger;
  webConfig: WebConfig | undefined;
  maxConnections: number;
  handle: (request: IncomingMessage, response: ServerResponse) => Promise<void>;
}

interface Connection {
  socket: Socket;
  acceptedAt: number;
  /** Requests being answered on it. */
  busy: number;
  served: number;
}

export class WebServer {
  readonly server: Server;
  readonly #log: Logger;
  #auth: BasicAuth | undefined;
  #webConfig: WebConfig | undefined;
  readonly #maxConnections: number;
  readonly #handle: WebServerOptions['handle'];
  /** In the order they were accepted, so that the oldest idle one goes first. */
  readonly #connections = new Map<string, Connection>();

  constructor(options: WebServerOptions) {
    this.#log = options.log;
    this.#maxConnections = options.maxConnections;
    this.#handle = options.handle;
    this.#webConfig = options.webConfig;
    this.#auth = authFor(options.webConfig);
    const listener = (request: IncomingMessage, response: ServerResponse): void => {
      this.#serve(request, response);
    };
    const common = {
      headersTimeout: HEADERS_TIMEOUT_MS,
      requestTimeout: REQUEST_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: 1000,
    };
    const tls = options.webConfig?.tls;
    if (tls === undefined) {
      this.server = createHttpServer(common, listener);
    } else {
      const verify =
        tls.clientAuthType === 'VerifyClientCertIfGiven' || tls.clientAuthType === 'RequireAndVerifyClientCert';
      this.server = createHttpsServer(
        {
          ...common,
          cert: tls.cert,
          key: tls.key,
          minVersion: tls.minVersion,
          ...(tls.maxVersion === undefined ? {} : { maxVersion: tls.maxVersion }),
          ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa }),
          requestCert: tls.clientAuthType !== 'NoClientCert',
          rejectUnauthorized: tls.clientAuthType === 'RequireAndVerifyClientCert',
          handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
        },
        listener,
      );
      if (tls.clientAuthType === 'RequireAnyClientCert' || tls.clientAuthType === 'VerifyClientCertIfGiven') {
        this.server.on('secureConnection', (socket: TLSSocket) => {
          const presented = Object.keys(socket.getPeerCertificate()).length > 0;
          const refused =
            tls.clientAuthType === 'RequireAnyClientCert' ? !presented : presented && verify && !socket.authorized;
          if (refused) socket.destroy();
        });
      }
    }
    this.server.timeout = SOCKET_IDLE_TIMEOUT_MS;
    this.server.on('connection', (socket: Socket) => {
      this.#accept(socket);
    });
    this.server.on('tlsClientError', (_error: Error, socket: TLSSocket) => {
      socket.destroy();
    });
  }

  /**
   * A web config read again (on reload): new users and hashes, and a new certificate,
   * key or client CA, apply to the next connection. Turning TLS on or off, or changing
   * client_auth_type, needs a new server: the reason is returned and nothing changes.
   */
  apply(next: WebConfig | undefined): string | undefined {
    const before = this.#webConfig?.tls;
    const tls = next?.tls;
    if ((before === undefined) !== (tls === undefined)) return 'turning TLS on or off needs a restart';
    if (before !== undefined && tls !== undefined) {
      if (before.clientAuthType !== tls.clientAuthType) return 'a change of client_auth_type needs a restart';
      (this.server as HttpsServer).setSecureContext({
        cert: tls.cert,
        key: tls.key,
        minVersion: tls.minVersion,
        ...(tls.maxVersion === undefined ? {} : { maxVersion: tls.maxVersion }),
        ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa }),
      });
    }
    this.#webConfig = next;
    this.#auth = authFor(next);
    return undefined;
  }

  #accept(socket: Socket): void {
    // A TLS socket carries the same remote address and port as the TCP socket under it.
    const key = this.#keyOf(socket);
    const now = Date.now();
    if (this.#connections.size >= this.#maxConnections) {
      // The oldest idle one: kept alive after a request, or silent since it connected.
      const idle = [...this.#connections.values()].find(
        (connection) =>
          connection.busy === 0 && (connection.served > 0 || now - connection.acceptedAt >= FIRST_REQUEST_GRACE_MS),
      );
      if (idle === undefined) {
        this.#log.debug('connection refused: every connection is busy or new', {
          max_connections: this.#maxConnections,
        });
        socket.destroy();
        return;
      }
      this.#log.debug('closed the oldest idle connection to make room', { max_connections: this.#maxConnections });
      idle.socket.destroy();
      this.#connections.delete(this.#keyOf(idle.socket));
    }
    this.#connections.set(key, { socket, acceptedAt: now, busy: 0, served: 0 });
    socket.once('close', () => {
      if (this.#connections.get(key)?.socket === socket) this.#connections.delete(key);
    });
  }

  #keyOf(socket: Socket): string {
    return `${socket.remoteAddress ?? ''}|${String(socket.remotePort)}`;
  }

  #serve(request: IncomingMessage, response: ServerResponse): void {
    const connection = this.#connections.get(this.#keyOf(request.socket));
    if (connection) {
      connection.busy++;
      connection.served++;
      let done = false;
      const release = (): void => {
        if (done) return;
        done = true;
        connection.busy--;
      };
      response.once('finish', release);
      response.once('close', release);
    }
    this.#authorise(request, response)
      .then(async (allowed) => {
        if (allowed) await this.#handle(request, response);
      })
      .catch((error: unknown) => {
        this.#log.error('HTTP handler failed', { url: request.url, error: String(error) });
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('internal error\n');
      });
  }

  /** Every route, with basic_auth_users set. Answers 401 itself when the credentials do not match. */
  async #authorise(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    if (this.#auth === undefined) return true;
    if (await this.#auth.check(parseBasicAuth(request.headers.authorization))) return true;
    response.writeHead(401, {
      'content-type': 'text/plain; charset=utf-8',
      'www-authenticate': 'Basic realm="adtrust-agent", charset="UTF-8"',
    });
    response.end('unauthorized\n');
    return false;
  }

  listen(port: number, host: string): Promise<void> {
    const server = this.server;
    return new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    server.closeAllConnections();
    for (const connection of this.#connections.values()) connection.socket.destroy();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }
}

function authFor(webConfig: WebConfig | undefined): BasicAuth | undefined {
  const users = webConfig?.basicAuthUsers;
  return users !== undefined && users.size > 0 ? new BasicAuth(users) : undefined;
}
