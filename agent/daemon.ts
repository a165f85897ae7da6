// `probe agent`: each family on its cron schedule, never two runs of one family at
// once, results kept for /metrics, reload on SIGHUP or (when the lifecycle API is on)
// POST /-/reload.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { setImmediate as nextTurn } from 'node:timers/promises';
import cron, { type ScheduledTask } from 'node-cron';
import { renderTarget, type Finding, type Status } from '../probes/model/finding.js';
import { FAMILY_NAMES, type Family, type Logger } from '../probes/model/probe.js';
import { describeShard, shardFamilies, WHOLE_ESTATE, type Shard } from '../probes/model/shard.js';
import { ConfigError, configFingerprint, type Config } from './config/config.js';
import type { WebConfig } from './config/web-config.js';
import { formatEndpoint } from './config/parse.js';
import { Exporter } from './outputs/metrics.js';
import { STATUS_PAGE_HEADERS, StatusPage } from './outputs/status-page.js';
import { buildPlan } from './plan/plan.js';
import { loadFamilies, Runner, type FamilyRun } from './run/runner.js';
import { VERSION } from './version.js';
import { sendCompressible } from './web/compressed.js';
import { DEFAULT_MAX_CONNECTIONS, WebServer } from './web/server.js';

export interface WebOptions {
  /** TLS and basic auth, from --web.config.file. */
  config: WebConfig | undefined;
  /** Reads --web.config.file again, on reload; throws ConfigError. */
  loadConfig?: () => WebConfig;
  /** POST /-/reload answers only when this is on (--web.enable-lifecycle), as in Prometheus. */
  enableLifecycle: boolean;
  maxConnections: number;
}

const CHANGES_LOGGED_PER_TURN = 200;

/** A finding's identity from one run to the next. */
function findingKey(finding: Finding): string {
  return `${finding.check} ${finding.domain} ${renderTarget(finding.check, finding.target)}`;
}

/** What a status was, or is, where a finding appeared or went away. */
type Was = Status | 'absent';

/**
 * The findings whose status differs from the previous run of the family. One that appears
 * ok, or goes away while ok, is no change worth a line: only problems coming and going are.
 */
export function statusChanges(
  previous: ReadonlyMap<string, Status>,
  findings: readonly Finding[],
): { finding: Finding | undefined; key: string; from: Was; to: Was }[] {
  const changes: { finding: Finding | undefined; key: string; from: Was; to: Was }[] = [];
  const seen = new Set<string>();
  for (const finding of findings) {
    const key = findingKey(finding);
    if (seen.has(key)) continue;
    seen.add(key);
    const from: Was = previous.get(key) ?? 'absent';
    if (from !== finding.status && !(from === 'absent' && finding.status === 'ok'))
      changes.push({ finding, key, from, to: finding.status });
  }
  for (const [key, status] of previous)
    if (!seen.has(key) && status !== 'ok') changes.push({ finding: undefined, key, from: status, to: 'absent' });
  return changes;
}

export interface DaemonOptions {
  log: Logger;
  /** The config to start with, already validated. */
  config: Config;
  /** Reads and validates the config file again, on reload; throws ConfigError. */
  loadConfig: () => Config;
  /** Families to schedule; all of them unless a test narrows it. */
  families?: Family[];
  /** Plain HTTP, no authentication, lifecycle off, the default connection cap, unless given. */
  web?: WebOptions;
  /** The DCs this agent probes (`--shard K/N`); all of them unless given. */
  shard?: Shard;
}

/** `changed` false: the file loaded is the config in force, so nothing was restarted or run. */
export type ReloadResult = { ok: true; changed: boolean } | { ok: false; error: string };

export class Daemon {
  readonly exporter: Exporter;
  readonly statusPage: StatusPage;
  readonly #log: Logger;
  readonly #loadConfig: () => Config;
  readonly #families: Family[];
  readonly #lastRuns = new Map<Family, FamilyRun>();
  /** The status of each finding of the last run of each family: a line is logged when one changes. */
  readonly #lastStatuses = new Map<Family, Map<string, Status>>();
  readonly #shard: Shard;
  readonly #running = new Map<Family, Promise<void>>();
  /** Families to run again as soon as their current run ends: a reload came while they ran. */
  readonly #rerun = new Set<Family>();
  readonly #web: WebOptions;
  #config: Config;
  #fingerprint: string;
  #runner: Runner;
  #tasks: ScheduledTask[] = [];
  #server: WebServer | undefined;
  #abort = new AbortController();
  #stopping = false;

  constructor(options: DaemonOptions) {
    this.#log = options.log;
    this.#loadConfig = options.loadConfig;
    this.#shard = options.shard ?? WHOLE_ESTATE;
    this.#families = shardFamilies(options.families ?? [...FAMILY_NAMES], options.shard);
    this.exporter = new Exporter({ lastRuns: () => [...this.#lastRuns.values()] }, { vantage: options.config.vantage });
    this.exporter.initFamilies(this.#families);
    this.#config = options.config;
    this.#fingerprint = configFingerprint(options.config);
    this.#web = options.web ?? { config: undefined, enableLifecycle: false, maxConnections: DEFAULT_MAX_CONNECTIONS };
    this.exporter.configLoaded(true);
    this.statusPage = new StatusPage(() => ({
      version: VERSION,
      families: this.#families,
      runs: [...this.#lastRuns.values()],
      config: this.#config,
    }));
    this.#runner = new Runner(this.#log, this.#config.concurrency);
  }

  get ready(): boolean {
    return this.#families.every((family) => this.#lastRuns.has(family));
  }

  /** The address the HTTP server listens on (useful when the config asks for port 0). */
  get address(): { host: string; port: number } | undefined {
    const address = this.#server?.server.address();
    return address !== null && typeof address === 'object' ? { host: address.address, port: address.port } : undefined;
  }

  async start(): Promise<void> {
    await loadFamilies();
    const server = new WebServer({
      log: this.#log,
      webConfig: this.#web.config,
      maxConnections: this.#web.maxConnections,
      handle: (request, response) => this.#handle(request, response),
    });
    this.#server = server;
    const { host, port } = this.#config.listen;
    await server.listen(port, host);
    this.#log.info('listening', {
      listen: formatEndpoint(this.address ?? { host, port }),
      tls: this.#web.config?.tls !== undefined,
      basic_auth: (this.#web.config?.basicAuthUsers.size ?? 0) > 0,
      lifecycle: this.#web.enableLifecycle,
      vantage: this.#config.vantage,
      shard: describeShard(this.#shard),
      families: this.#families.join(','),
    });
    this.#schedule();
    this.runNow();
  }

  /** Starts a run of every family that is not already running. */
  runNow(reason: 'start' | 'reload' = 'start'): void {
    for (const family of this.#families) void this.#runFamily(family, reason);
  }

  #schedule(): void {
    for (const task of this.#tasks) void task.destroy();
    const cronLog = {
      info: (message: string) => {
        this.#log.debug(message);
      },
      warn: (message: string) => {
        this.#log.debug(message);
      },
      error: (message: string | Error) => {
        this.#log.warn(String(message));
      },
      debug: (message: string | Error) => {
        this.#log.debug(String(message));
      },
    };
    this.#tasks = this.#families.map((family) => {
      const task = cron.schedule(this.#config.schedule[family], () => this.#runFamily(family), {
        name: `adtrust-${family}`,
        logger: cronLog,
      });
      const [next, after] = task.getNextRuns(2);
      if (next !== undefined && after !== undefined)
        this.exporter.scheduled(family, (after.getTime() - next.getTime()) / 1000);
      return task;
    });
  }

  async #runFamily(family: Family, reason: 'schedule' | 'start' | 'reload' = 'schedule'): Promise<void> {
    if (this.#stopping) return;
    if (this.#running.has(family) && reason === 'reload') {
      // However many reloads come during the run, one more run follows it.
      this.#rerun.add(family);
      return;
    }
    if (this.#running.has(family)) {
      this.exporter.runSkipped(family);
      this.#log.warn(`skipped a ${family} run: the previous one has not finished`, { family });
      return;
    }
    this.#log.debug(`${family} run started`, { family, reason });
    const run = (async () => {
      // Planned at each run: a reload, or a CA file replaced on disk, counts from the next run.
      const result = await this.#runner.runFamily(
        family,
        buildPlan(this.#config, undefined, this.#shard),
        this.#abort.signal,
      );
      if (this.#abort.signal.aborted) return;
      this.#lastRuns.set(family, result);
      this.exporter.runCompleted(family);
      this.statusPage.changed();
      const counts: Record<Status, number> = { ok: 0, warning: 0, critical: 0, unknown: 0 };
      for (const finding of result.findings) counts[finding.status]++;
      const previous = this.#lastStatuses.get(family);
      this.#lastStatuses.set(family, new Map(result.findings.map((finding) => [findingKey(finding), finding.status])));
      // The first run has nothing to compare with: its summary counts the problems, which
      // /metrics, the status page and `probe run` list; from then on each change is a line.
      const changes = previous === undefined ? [] : statusChanges(previous, result.findings);
      this.#log.info(`${family} run finished`, {
        family,
        seconds: Number(result.durationSeconds.toFixed(3)),
        findings: result.findings.length,
        ...counts,
        changes: changes.length,
      });
      for (const [index, { finding, key, from, to }] of changes.entries()) {
        const fields = {
          family,
          from,
          to,
          ...(finding === undefined
            ? { finding: key }
            : { check: finding.check, domain: finding.domain, target: renderTarget(finding.check, finding.target) }),
        };
        const message = finding === undefined ? `gone while ${from}: ${key}` : `${from} -> ${to}: ${finding.message}`;
        if (to === 'ok' || to === 'absent') this.#log.info(message, fields);
        else this.#log.warn(message, fields);
        // A firewall change can flip hundreds at once: logged a slice at a time, so that the
        // HTTP endpoints and a stop request are served in between.
        if (index % CHANGES_LOGGED_PER_TURN === CHANGES_LOGGED_PER_TURN - 1) {
          await nextTurn();
          if (this.#stopping) return;
        }
      }
    })();
    this.#running.set(family, run);
    try {
      await run;
    } finally {
      this.#running.delete(family);
    }
    if (this.#rerun.delete(family)) await this.#runFamily(family, 'reload');
  }

  /**
   * A config that does not load keeps the old one in force. One that loads but equals the
   * config in force changes nothing and starts nothing, so a burst of reloads costs no
   * probe (and no LDAP bind). A changed one replaces the schedules and runs every family
   * once: at once when it is idle, else right after its current run.
   */
  reload(): ReloadResult {
    let next: Config;
    let nextWeb: WebConfig | undefined;
    try {
      next = this.#loadConfig();
      nextWeb = this.#web.loadConfig?.();
    } catch (error) {
      this.exporter.configLoaded(false);
      const message = error instanceof ConfigError ? error.message : String(error);
      this.#log.error('config reload failed; the previous config stays in force', { error: message });
      return { ok: false, error: message };
    }
    const previous = this.#config;
    const fingerprint = configFingerprint(next);
    this.exporter.configLoaded(true);
    if (this.#web.loadConfig !== undefined) {
      const refused = this.#server?.apply(nextWeb);
      if (refused === undefined) this.#log.info('web config reloaded');
      else this.#log.warn(`web config not applied: ${refused}`);
    }
    if (fingerprint === this.#fingerprint) {
      this.#log.info('config reloaded: unchanged, nothing to do');
      return { ok: true, changed: false };
    }
    this.#config = next;
    this.#fingerprint = fingerprint;
    this.statusPage.changed();
    if (next.vantage !== previous.vantage) {
      this.#log.warn('vantage changed in the config: restart the agent to apply it', { vantage: previous.vantage });
    }
    if (formatEndpoint(next.listen) !== formatEndpoint(previous.listen)) {
      this.#log.warn('listen changed in the config: restart the agent to apply it', {
        listen: formatEndpoint(previous.listen),
      });
    }
    if (next.concurrency !== previous.concurrency) this.#runner = new Runner(this.#log, next.concurrency);
    this.#schedule();
    this.#log.info('config reloaded');
    this.runNow('reload');
    return { ok: true, changed: true };
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    for (const task of this.#tasks) void task.destroy();
    this.#tasks = [];
    this.#abort.abort(new Error('agent stopping'));
    await this.#server?.close();
    await Promise.allSettled(this.#running.values());
    this.#log.info('stopped');
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://agent').pathname;
    const send = (status: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      response.writeHead(status, { 'content-type': type });
      response.end(body);
    };
    const routes: Record<string, { method: string; handle: () => Promise<void> | void }> = {
      '/metrics': {
        method: 'GET',
        handle: async () => {
          await sendCompressible(
            request,
            response,
            { 'content-type': this.exporter.registry.contentType },
            await this.exporter.body(),
          );
        },
      },
      '/-/healthy': {
        method: 'GET',
        handle: () => {
          send(200, 'Healthy\n');
        },
      },
      '/-/ready': {
        method: 'GET',
        handle: () => {
          const waiting = this.#families.filter((family) => !this.#lastRuns.has(family));
          if (waiting.length === 0) send(200, 'Ready\n');
          else send(503, `Not ready: waiting for the first run of ${waiting.join(', ')}\n`);
        },
      },
      '/-/reload': {
        method: 'POST',
        handle: async () => {
          if (!this.#web.enableLifecycle) {
            send(403, 'the lifecycle API is off: start the agent with --web.enable-lifecycle, or reload with SIGHUP\n');
            return;
          }
          const browser = fromBrowser(request);
          if (browser !== undefined) {
            this.#log.warn('refused a reload sent by a browser', { header: browser });
            send(
              403,
              'a reload cannot come from a browser (the request has an Origin or Sec-Fetch-Site header): use curl, or SIGHUP\n',
            );
            return;
          }
          const result = this.reload();
          // Answered once /metrics shows the reload, so that a scrape after the answer sees it.
          await this.exporter.current();
          // The caller may be anyone who can reach the port: the problems, which name the
          // config and secret files, go only to the log.
          if (!result.ok)
            send(500, "config reload failed; the previous config stays in force; the agent's log says why\n");
          else send(200, result.changed ? 'config reloaded\n' : 'config reloaded: unchanged, nothing to do\n');
        },
      },
      '/': {
        method: 'GET',
        handle: async () => {
          const page = this.statusPage.at({ now: new Date(), running: [...this.#running.keys()] });
          await sendCompressible(request, response, STATUS_PAGE_HEADERS, page);
        },
      },
    };
    const route = routes[path];
    if (route === undefined) {
      send(404, 'not found\n');
      return;
    }
    if (request.method !== route.method && !(route.method === 'GET' && request.method === 'HEAD')) {
      response.setHeader('allow', route.method);
      send(405, `use ${route.method}\n`);
      return;
    }
    await route.handle();
  }
}

/**
 * Which header marks a request as sent by a browser, if any. Browsers add Origin to
 * every POST (a cross-site text/plain form or fetch included, which needs no preflight)
 * and Sec-Fetch-Site to every request; curl, systemd and Prometheus send neither. A
 * same-origin Origin is refused too: under DNS rebinding a hostile page is "same origin".
 */
function fromBrowser(request: IncomingMessage): string | undefined {
  if (request.headers.origin !== undefined) return 'origin';
  if (request.headers['sec-fetch-site'] !== undefined) return 'sec-fetch-site';
  return undefined;
}
