// The credentials a server rejected, for the life of the process: shared by every run and
// every reload, so that a wrong or locked-out password is tried once, not once per run.

import type { CredentialMemory } from '../../probes/model/probe.js';

/** Far more than any config names; an old entry goes first if a config ever rotates through more. */
const MAX_REMEMBERED = 1024;

export class RejectedCredentials implements CredentialMemory {
  readonly #why = new Map<string, string>();

  rejection(key: string): string | undefined {
    return this.#why.get(key);
  }

  reject(key: string, why: string): void {
    this.#why.delete(key);
    this.#why.set(key, why);
    if (this.#why.size > MAX_REMEMBERED) this.#why.delete(this.#why.keys().next().value as string);
  }
}

/** The one memory of this process. */
export const REJECTED_CREDENTIALS = new RejectedCredentials();
