// @ts-nocheck
// Parsers of the small value syntaxes the config file uses. Each returns a value or a
// plain-language reason; none throws.

import { isIP } from 'node:net';
import type { Endpoint } from '../../probes/model/probe.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "5s", "500ms", "1.5s", "2m", "1h", "45d" to milliseconds. */
export function parseDuration(text: string): Parsed<number> {
  const match = DURATION.exec(text.trim());
  if (!match) return { ok: false, reason: `expected a duration such as 5s, 500ms or 2m, got "${text}"` };
  const amount = Number(match[1]);
  const unit = match[2] as keyof typeof UNIT_MS;
  const ms = Math.round(amount * UNIT_MS[unit]);
  if (ms <= 0) return { ok: false, reason: `must be longer than 0, got "${text}"` };
  return { ok: true, value: ms };
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i;

export function isHostName(text: string): boolean {
  return HOSTNAME.test(text);
}

/**
 * `host`, `host:port`, `[v6]:port` or a bare IPv6 address. Without a port the result
 * carries `defaultPort` (undefined when the caller has none).
 */
export function parseHostPort(text: string, defaultPort?: number): Parsed<{ host: string; port: number | undefined }> {
  const bad = (why: string): Parsed<never> => ({ ok: false, reason: `"${text}" is not host or host:port: ${why}` });
  const trimmed = text.trim();
  if (trimmed === '') return bad('empty');
  let host = trimmed;
  let portText: string | undefined;
  if (trimmed.startsWith('[')) {
    const end = trimmed.indexOf(']');
    if (end < 0) return bad('missing "]"');
    host = trimmed.slice(1, end);
    const rest = trimmed.slice(end + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return bad(`unexpected "${rest}" after "]"`);
      portText = rest.slice(1);
    }
    if (isIP(host) !== 6) return bad('only IPv6 addresses go in brackets');
  } else if (isIP(trimmed) === 6) {
    host = trimmed;
  } else {
    const colon = trimmed.lastIndexOf(':');
    if (colon >= 0) {
      host = trimmed.slice(0, colon);
      portText = trimmed.slice(colon + 1);
    }
    if (isIP(host) === 0 && !isHostName(host)) return bad(`"${host}" is neither an IP address nor a host name`);
  }
  if (portText === undefined) return { ok: true, value: { host, port: defaultPort } };
  if (!/^\d{1,5}$/.test(portText)) return bad(`port "${portText}" is not a number`);
  const port = Number(portText);
  if (port < 1 || port > 65535) return bad(`port ${port} is outside 1-65535`);
  return { ok: true, value: { host, port } };
}

export function formatEndpoint(endpoint: Endpoint): string {
  const host = isIP(endpoint.host) === 6 ? `[${endpoint.host}]` : endpoint.host;
  return `${host}:${endpoint.port}`;
}
