import type { Config } from '../../agent/config/config.js';
import { RejectedCredentials } from '../../agent/run/credentials.js';
import { Limiter, probeContext } from '../../agent/run/runner.js';
import type { Logger, ProbeContext } from '../../probes/model/probe.js';

export const quietLog: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The context the runner gives a probe, with the config's timeout. */
export function contextFor(config: Config, signal: AbortSignal = new AbortController().signal): ProbeContext {
  return probeContext(new Limiter(config.concurrency), config.timeoutMs, signal, quietLog, new RejectedCredentials());
}
