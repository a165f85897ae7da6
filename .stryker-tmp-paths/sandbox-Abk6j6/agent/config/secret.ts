// @ts-nocheck
import { inspect } from 'node:util';

const REDACTED = '<redacted>';

/**
 * A bind password. Every way of turning it into text (String(), JSON, util.inspect,
 * winston's formatters) gives "<redacted>"; only reveal() gives the value, at the bind.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
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
