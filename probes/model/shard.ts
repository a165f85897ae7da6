// Which agent of several probes a DC: `--shard K/N`. Rendezvous (highest random weight)
// hashing of the DC's identity: each DC goes to the shard that scores it highest. When the
// count grows from N to N+1, a DC moves only if the new shard outscores the old owner (about
// 1 in N+1 of them), and only to the new shard: no DC moves between the shards that stay.

import type { Family } from './family.js';

export interface Shard {
  /** 1-based. */
  index: number;
  count: number;
}

export const WHOLE_ESTATE: Shard = { index: 1, count: 1 };

/**
 * `K/N` with 1 <= K <= N, or `hostname/N`: K from the host name's trailing ordinal, plus one,
 * as a StatefulSet names its pods (adtrust-agent-0 is shard 1). Or why not, naming the flag.
 */
export function parseShard(
  text: string,
  hostName: string,
): { ok: true; shard: Shard } | { ok: false; problem: string } {
  const match = /^(\d{1,4}|hostname)\/(\d{1,4})$/.exec(text.trim());
  if (match === null) return { ok: false, problem: `--shard must be K/N, such as 2/5, or hostname/N (got "${text}")` };
  const count = Number(match[2]);
  if (count < 1) return { ok: false, problem: `--shard ${text}: N must be at least 1` };
  let index: number;
  if (match[1] === 'hostname') {
    const ordinal = /-(\d{1,4})$/.exec(hostName)?.[1];
    if (ordinal === undefined)
      return {
        ok: false,
        problem: `--shard ${text}: the host name "${hostName}" does not end in -<ordinal>, as a StatefulSet's pods do`,
      };
    index = Number(ordinal) + 1;
    if (index > count)
      return {
        ok: false,
        problem: `--shard ${text}: the host name "${hostName}" is ordinal ${ordinal}, beyond ${count} shards (0 to ${count - 1})`,
      };
  } else {
    index = Number(match[1]);
    if (index < 1 || index > count)
      return { ok: false, problem: `--shard ${text}: K must be from 1 to ${count} (shards are numbered from 1)` };
  }
  return { ok: true, shard: { index, count } };
}

export function describeShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** FNV-1a over the UTF-16 code units, then murmur3's finaliser with the shard mixed in. */
function weight(identity: string, shardIndex: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < identity.length; i++) {
    hash ^= identity.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= Math.imul(shardIndex, 0x9e3779b9);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The shard (1-based) that owns a DC of a domain, out of `count`. */
export function shardOf(domain: string, host: string, count: number): number {
  const identity = `${domain.toLowerCase()}/${host.toLowerCase()}`;
  let best = 1;
  let bestWeight = -1;
  for (let index = 1; index <= count; index++) {
    const score = weight(identity, index);
    if (score > bestWeight) {
      best = index;
      bestWeight = score;
    }
  }
  return best;
}

export function ownsDc(shard: Shard, domain: string, host: string): boolean {
  return shard.count === 1 || shardOf(domain, host, shard.count) === shard.index;
}

/** About domains and trusts, not DCs: DNS forwarding and the LDAP reads. */
const DOMAIN_FAMILIES: ReadonlySet<Family> = new Set<Family>(['dns', 'ldap']);

/**
 * The families a shard runs: every one on shard 1 (or without sharding); the others run only
 * the families about DCs, so that the domain checks are asked once and make one set of series.
 */
export function shardFamilies(families: readonly Family[], shard: Shard | undefined): Family[] {
  return shard === undefined || shard.index === 1 ? [...families] : families.filter((f) => !DOMAIN_FAMILIES.has(f));
}
