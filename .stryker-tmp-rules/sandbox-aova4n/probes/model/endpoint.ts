// @ts-nocheck
// A server to ask: a DNS server, a DC port.

/** A host and port as written in the config (`host` or `host:port`). */
export interface Endpoint {
  host: string;
  port: number;
}
