import { inspect } from 'node:util';

const REDACTED = '<redacted>';

/**
 * Every secret value this process has loaded, so that the log formatter and the runner can
 * scrub one a server echoes back. Old values stay after a reload: a password rotated away
 * is still not to be printed.
 */
const LOADED = new Set<string>();

/** The values of every Secret made so far. */
export function loadedSecrets(): string[] {
  return [...LOADED];
}

/**
 * A bind password. Every way of turning it into text (String(), JSON, util.inspect,
 * winston's formatters) gives "<redacted>"; only reveal() gives the value, at the bind.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
    LOADED.add(value);
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
