// The one interface every probe family implements: a family takes its own slice of the
// plan (see targets.ts) and a context, and returns findings and measurements as data.
// Probes never touch prom-client and never throw for an expected network failure.

import type { Finding } from './finding.js';
import type { Measurement } from './measurement.js';

export type { Endpoint } from './endpoint.js';
export { FAMILY_NAMES, type Family } from './family.js';

export interface ProbeOutput {
  findings: Finding[];
  measurements: Measurement[];
}

export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/**
 * Credentials a server rejected, remembered across runs: a rejected password is not tried
 * again until it changes, so the agent never locks an account out. A credential is named by
 * its parts (protocol, account, secret); the memory keeps only a keyed digest of them.
 */
export interface CredentialMemory {
  /** Why the credential was rejected, or undefined when it was not. */
  rejection(credential: readonly string[]): string | undefined;
  reject(credential: readonly string[], why: string): void;
}

export interface ProbeContext {
  /** Budget of one network probe (one query, one connect). */
  timeoutMs: number;
  /** Aborted when the whole run is cancelled (shutdown, reload). */
  signal: AbortSignal;
  log: Logger;
  credentials: CredentialMemory;
  /**
   * Runs one network probe under the run's concurrency bound, with its own deadline
   * (timeoutMs, starting when the probe starts, not when it was queued). Resolves with
   * the probe's value, or with the reason it did not finish; never rejects.
   */
  attempt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<Attempt<T>>;
  /** How many attempts run at once at most: a family with thousands to make need not queue more than this. */
  concurrency: number;
}

/**
 * `work` on every item, at most `width` calls under way, the results in the items' order.
 * Holds `width` pending calls rather than one per item: queueing 4,500 attempts at once kept
 * thousands of suspended calls alive through every young-generation collection.
 */
export async function mapPooled<T, R>(items: readonly T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, items.length)) }, worker));
  return results;
}

export type Attempt<T> =
  | { ok: true; value: T; seconds: number }
  | { ok: false; reason: 'timeout' | 'cancelled' | 'error'; error?: unknown; seconds: number };

/** One family: its slice of the plan in, findings and measurements out. */
export type FamilyProbe<Targets> = (targets: Targets, ctx: ProbeContext) => Promise<ProbeOutput>;
