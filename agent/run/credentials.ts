// The credentials a server rejected: a wrong or locked-out password is tried once, not once
// per run. In memory for the life of the process, shared by every run and reload; with a
// state file (config state_file, or systemd's StateDirectory) also across processes, so
// that `probe run` from cron or Nagios does not lock the canary out either.

import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { CredentialMemory, Logger } from '../../probes/model/probe.js';

/** Far more than any config names; the oldest entry goes first if a config ever rotates through more. */
const MAX_REMEMBERED = 1024;

interface StateFile {
  version: 1;
  /** Keys are HMACs under this salt, so the file holds nothing a password list can be matched against offline. */
  salt: string;
  rejected: Record<string, string>;
}

export class RejectedCredentials implements CredentialMemory {
  readonly #why = new Map<string, string>();
  #salt = randomBytes(16).toString('hex');

  constructor(
    readonly file?: string,
    private readonly log?: Logger,
  ) {
    if (file !== undefined) this.#load(file);
  }

  rejection(credential: readonly string[]): string | undefined {
    return this.#why.get(this.#stored(credential));
  }

  reject(credential: readonly string[], why: string): void {
    const stored = this.#stored(credential);
    this.#why.delete(stored);
    this.#why.set(stored, why);
    if (this.#why.size > MAX_REMEMBERED) this.#why.delete(this.#why.keys().next().value as string);
    if (this.file !== undefined) this.#save(this.file);
  }

  #stored(credential: readonly string[]): string {
    const hmac = createHmac('sha256', this.#salt);
    for (const part of credential) hmac.update(part).update('\0');
    return hmac.digest('hex');
  }

  #load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        this.log?.warn('cannot read the state file: rejected credentials are remembered in memory only', {
          file,
          error: (error as NodeJS.ErrnoException).code ?? String(error),
        });
      return;
    }
    try {
      const state = JSON.parse(text) as Partial<StateFile>;
      if (state.version !== 1 || typeof state.salt !== 'string' || typeof state.rejected !== 'object')
        throw new Error('not a state file of this version');
      this.#salt = state.salt;
      for (const [stored, why] of Object.entries(state.rejected ?? {}))
        if (typeof why === 'string') this.#why.set(stored, why);
    } catch (error) {
      this.log?.warn('the state file is not one this agent wrote; it will be replaced', {
        file,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }

  #save(file: string): void {
    const state: StateFile = { version: 1, salt: this.#salt, rejected: Object.fromEntries(this.#why) };
    try {
      writeFileSync(`${file}.tmp`, `${JSON.stringify(state)}\n`, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      this.log?.warn('cannot write the state file: a rejected credential is remembered in memory only', {
        file,
        error: (error as NodeJS.ErrnoException).code ?? String(error),
      });
    }
  }
}

const MEMORIES = new Map<string, RejectedCredentials>();

/** The one memory of this process for a state file (or for none). */
export function rejectedCredentials(file: string | undefined, log?: Logger): RejectedCredentials {
  const id = file ?? '';
  let memory = MEMORIES.get(id);
  if (memory === undefined) {
    memory = new RejectedCredentials(file, log);
    MEMORIES.set(id, memory);
  }
  return memory;
}
