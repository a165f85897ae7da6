// Basic authentication against the bcrypt hashes of the web config.
//
// bcrypt is slow on purpose (cost 10: tens of milliseconds in plain JavaScript), and
// Prometheus sends the same credentials on every scrape, so a successful check is
// remembered for a short while. The cache is keyed by an HMAC under a key that lives only
// in this process: it never holds a password, and its keys tell an attacker nothing.

import { createHmac, randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';

/** How long a successful check is remembered. */
export const AUTH_CACHE_MS = 60_000;
/** Distinct successful credentials remembered at once; more clears the cache. */
const AUTH_CACHE_ENTRIES = 256;

export interface Credentials {
  user: string;
  password: string;
}

/** The user and password of an `Authorization: Basic ...` header, or undefined when it is not one. */
export function parseBasicAuth(header: string | undefined): Credentials | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export class BasicAuth {
  readonly #users: Map<string, string>;
  /** Compared against for unknown users, so that a wrong name costs as long as a wrong password. */
  readonly #decoyHash: Promise<string>;
  readonly #cacheKey = randomBytes(32);
  readonly #verified = new Map<string, number>();

  constructor(users: Map<string, string>) {
    this.#users = users;
    const cost = Number([...users.values()][0]?.slice(4, 6) ?? 10);
    // Made in the background (in slices, as every bcryptjs call with a callback or promise): a sync hash would stall the loop.
    this.#decoyHash = bcrypt.hash(randomBytes(16).toString('hex'), cost);
  }

  get enabled(): boolean {
    return this.#users.size > 0;
  }

  async check(credentials: Credentials | undefined, now = Date.now()): Promise<boolean> {
    if (credentials === undefined) return false;
    const hash = this.#users.get(credentials.user);
    const key = createHmac('sha256', this.#cacheKey)
      .update(JSON.stringify([credentials.user, credentials.password, hash ?? '']))
      .digest('base64');
    const until = this.#verified.get(key);
    if (until !== undefined && until > now && hash !== undefined) return true;
    // bcryptjs compares its computed hash with the stored one in constant time; the decoy
    // keeps unknown and known user names equally slow.
    const matches = await bcrypt.compare(credentials.password, hash ?? (await this.#decoyHash));
    if (!matches || hash === undefined) return false;
    if (this.#verified.size >= AUTH_CACHE_ENTRIES) this.#verified.clear();
    this.#verified.set(key, now + AUTH_CACHE_MS);
    return true;
  }
}
