// The one runner behind `probe run` and the daemon: deadlines, the concurrency bound,
// timing and error capture. A probe never throws out of it.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { setMaxListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { finding, type CheckId, type Finding, type Status } from '../../probes/model/finding.js';
import { WorstFindings } from '../../probes/model/limits.js';
import type { Measurement } from '../../probes/model/measurement.js';
import type {
  Attempt,
  CredentialMemory,
  Family,
  FamilyProbe,
  Logger,
  ProbeContext,
  ProbeOutput,
} from '../../probes/model/probe.js';
import type { Plan } from '../../probes/model/targets.js';
import { cleanData } from '../../probes/model/server-text.js';
import { loadedSecrets } from '../config/secret.js';
import { rejectedCredentials } from './credentials.js';

/** Each family, called with its own slice of the plan. Adding a family is one entry here. */
export type Families = { [F in Family]: FamilyProbe<Plan[F]> };

// Each family's code is loaded when it first runs: `probe run --only ports` loads no LDAP,
// Kerberos or NTLM code, and starts probing sooner. The daemon loads them all at start
// (loadFamilies), so that no run waits for its module or blocks while it is evaluated.
const FAMILY_MODULES = {
  dns: () => import('../../probes/dns/probe.js'),
  ports: () => import('../../probes/ports/probe.js'),
  protocols: () => import('../../probes/protocols/probe.js'),
  ldap: () => import('../../probes/ldap/probe.js'),
  auth: () => import('../../probes/auth/probe.js'),
};

export const FAMILIES: Families = {
  dns: async (plan, ctx) => (await FAMILY_MODULES.dns()).probeDns(plan, ctx),
  ports: async (plan, ctx) => (await FAMILY_MODULES.ports()).probePorts(plan, ctx),
  protocols: async (plan, ctx) => (await FAMILY_MODULES.protocols()).probeProtocols(plan, ctx),
  ldap: async (plan, ctx) => (await FAMILY_MODULES.ldap()).probeLdap(plan, ctx),
  auth: async (plan, ctx) => (await FAMILY_MODULES.auth()).probeAuth(plan, ctx),
};

/** Loads the code of every family now. */
export async function loadFamilies(): Promise<void> {
  await Promise.all(Object.values(FAMILY_MODULES).map((load) => load()));
}

/** The check a family reports when it failed before it finished. */
const PROBE_ERROR: Record<Family, CheckId> = {
  dns: 'dns.probe_error',
  ports: 'port.probe_error',
  protocols: 'port.probe_error',
  ldap: 'ldap.probe_error',
  auth: 'auth.probe_error',
};

// F ties the family to its slice of the plan: without it TypeScript cannot see that they match.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function callFamily<F extends Family>(
  families: Families,
  family: F,
  plan: Plan,
  ctx: ProbeContext,
): Promise<ProbeOutput> {
  return families[family](plan[family], ctx);
}

export interface FamilyRun {
  family: Family;
  startedAt: Date;
  durationSeconds: number;
  findings: Finding[];
  measurements: Measurement[];
}

/**
 * Starts at most this many tasks per turn of the event loop. A run of thousands of probes
 * would otherwise open hundreds of sockets in one go (connect() is a system call each, slow
 * on a loaded host), and a scrape of /metrics would wait for the whole burst.
 */
export const STARTS_PER_TURN = 32;

/** At most `max` tasks at once, and STARTS_PER_TURN new ones per turn; the rest wait in arrival order. */
export class Limiter {
  #active = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #paced: (() => void)[] = [];
  #startedThisTurn = 0;
  #pumping = false;

  constructor(readonly max: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.#pace();
    if (this.#active >= this.max) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#active++;
    try {
      return await task();
    } finally {
      this.#active--;
      this.#waiting.shift()?.();
    }
  }

  #pace(): Promise<void> | undefined {
    this.#pump();
    if (this.#paced.length === 0 && this.#startedThisTurn < STARTS_PER_TURN) {
      this.#startedThisTurn++;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#paced.push(resolve));
  }

  /** Each turn: the count starts again, and the next slice of waiting tasks goes. */
  #pump(): void {
    if (this.#pumping) return;
    this.#pumping = true;
    setImmediate(() => {
      this.#pumping = false;
      const released = this.#paced.splice(0, STARTS_PER_TURN);
      this.#startedThisTurn = released.length;
      for (const resolve of released) resolve();
      if (released.length > 0) this.#pump();
    });
  }
}

class ProbeTimeout extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'ProbeTimeout';
  }
}

export function makeAttempt(limiter: Limiter, timeoutMs: number, runSignal: AbortSignal): ProbeContext['attempt'] {
  // One listener on the run's signal for all the attempts under way: thousands of listeners
  // of their own would make each add and remove walk the whole list. Each attempt under way
  // is kept with its controller and how to end it.
  const underWay = new Map<AbortController, (reason: unknown) => void>();
  runSignal.addEventListener(
    'abort',
    () => {
      for (const [controller, end] of underWay) {
        controller.abort(runSignal.reason);
        end(runSignal.reason);
      }
    },
    { once: true },
  );
  return <T>(work: (signal: AbortSignal) => Promise<T>): Promise<Attempt<T>> =>
    limiter.run(async () => {
      const started = performance.now();
      const seconds = (): number => (performance.now() - started) / 1000;
      if (runSignal.aborted) return { ok: false, reason: 'cancelled', seconds: 0 };
      const controller = new AbortController();
      const timer = setTimeout(() => {
        const timeout = new ProbeTimeout(timeoutMs);
        controller.abort(timeout);
        underWay.get(controller)?.(timeout);
      }, timeoutMs);
      try {
        const value = await new Promise<T>((resolve, reject) => {
          // Ended at the deadline or with the run, even by a probe that ignores its signal.
          underWay.set(controller, reject);
          work(controller.signal).then(resolve, reject);
        });
        return { ok: true, value, seconds: seconds() };
      } catch (error) {
        if (controller.signal.aborted) {
          const reason = controller.signal.reason instanceof ProbeTimeout ? 'timeout' : 'cancelled';
          return { ok: false, reason, seconds: seconds() };
        }
        return { ok: false, reason: 'error', error, seconds: seconds() };
      } finally {
        clearTimeout(timer);
        underWay.delete(controller);
      }
    });
}

/** What a probe is given: its attempts bounded by `limiter`, each under `timeoutMs`, all ended with `signal`. */
export function probeContext(
  limiter: Limiter,
  timeoutMs: number,
  signal: AbortSignal,
  log: Logger,
  credentials: CredentialMemory,
): ProbeContext {
  return {
    timeoutMs,
    signal,
    log,
    credentials,
    attempt: makeAttempt(limiter, timeoutMs, signal),
    concurrency: limiter.max,
  };
}

export class Runner {
  readonly #limiter: Limiter;

  constructor(
    private readonly log: Logger,
    concurrency: number,
    private readonly families: Families = FAMILIES,
  ) {
    this.#limiter = new Limiter(concurrency);
  }

  async runFamily(family: Family, plan: Plan, signal: AbortSignal): Promise<FamilyRun> {
    const startedAt = new Date();
    const started = performance.now();
    // The run's own signal, aborted with the caller's: what listens to it (probes, and the
    // attempts' one listener) goes with the run, however long the caller's signal lives.
    const run = new AbortController();
    const abortRun = (): void => {
      run.abort(signal.reason);
    };
    if (signal.aborted) abortRun();
    else signal.addEventListener('abort', abortRun, { once: true });
    // Probes under way may listen on the run's signal: hundreds at once is expected.
    setMaxListeners(0, run.signal);
    const ctx = probeContext(
      this.#limiter,
      plan.timeoutMs,
      run.signal,
      this.log,
      rejectedCredentials(plan.stateFile, this.log),
    );
    let output: ProbeOutput;
    try {
      output = await callFamily(this.families, family, plan, ctx);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      this.log.error(`probe family ${family} failed`, { family, error: why });
      output = {
        findings: [
          finding({
            check: PROBE_ERROR[family],
            status: 'unknown',
            domain: '',
            target: { kind: 'family', family },
            message: `the ${family} probes failed before they finished: ${why}`,
            remediation: 'this is a bug in adtrust-agent: report it with the log',
            observed: { error: why },
          }),
        ],
        measurements: [],
      };
    }
    signal.removeEventListener('abort', abortRun);
    const durationSeconds = (performance.now() - started) / 1000;
    // The one place server text passes on its way to the report, the metrics and the status page.
    const secrets = [
      ...plan.ldap.servers.map((server) => server.password.reveal()),
      ...plan.auth.canaries.map((canary) => canary.secret.value.reveal()),
      ...loadedSecrets(),
    ];
    const findings = await cleanInSlices(boundFindings(family, output.findings, plan.limits.findingsPerRun), secrets);
    const measurements = await cleanInSlices(output.measurements, secrets);
    return { family, startedAt, durationSeconds, findings, measurements };
  }

  /** Families run side by side, under the one concurrency bound. */
  runAll(families: Family[], plan: Plan, signal: AbortSignal): Promise<FamilyRun[]> {
    return Promise.all(families.map((family) => this.runFamily(family, plan, signal)));
  }
}

/**
 * One `run.limit` finding per bound and domain, however often a family reached it, then at
 * most `max` other findings, the worst ones, and one more that says the bound was reached.
 * The ldap family keeps its findings the same way while it makes them (a directory of
 * 100,000 trusts makes a million); the bound does not move what it already bounded.
 */
export function boundFindings(family: Family, findings: Finding[], max: number): Finding[] {
  const worst = new WorstFindings(max);
  for (const item of findings) worst.add(item);
  return worst.findings(family);
}

/** Findings (or measurements) cleaned a slice at a time, with a turn of the event loop between slices: a run of many never holds /metrics or /-/healthy back. */
async function cleanInSlices<T>(items: T[], secrets: readonly string[]): Promise<T[]> {
  const cleaned: T[] = [];
  for (let start = 0; start < items.length; start += CLEAN_SLICE) {
    if (start > 0) await nextTurn();
    for (const item of cleanData(items.slice(start, start + CLEAN_SLICE), secrets)) cleaned.push(item);
  }
  return cleaned;
}

const CLEAN_SLICE = 500;

const SEVERITY: Record<Status, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

/** Worst first: critical, warning, unknown, ok. */
export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'ok';
  for (const status of statuses) if (SEVERITY[status] > SEVERITY[worst]) worst = status;
  return worst;
}

/** Nagios plugin codes. An unknown finding alone means the check could not say: 3. */
export function exitCodeFor(status: Status): number {
  return { ok: 0, warning: 1, critical: 2, unknown: 3 }[status];
}
