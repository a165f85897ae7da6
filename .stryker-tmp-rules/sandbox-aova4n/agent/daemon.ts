// @ts-nocheck
// `probe agent`: each family on its cron schedule, never two runs of one family at
// once, results kept for /metrics, reload on SIGHUP or POST /-/reload.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import cron, { type ScheduledTask } from 'node-cron';
import { renderTarget } from '../probes/model/finding.js';
import { FAMILY_NAMES, type Family, type Logger } from '../probes/model/probe.js';
import { ConfigError, type Config } from './config/config.js';
import { formatEndpoint } from './config/parse.js';
import { Exporter } from './outputs/metrics.js';
import { renderStatusPage } from './outputs/status-page.js';
import { buildPlan } from './plan/plan.js';
import { Runner, type FamilyRun } from './run/runner.js';
import { VERSION } from './version.js';

export interface DaemonOptions {
  log: Logger;
  /** The config to start with, already validated. */
  config: Config;
  /** Reads and validates the config file again, on reload; throws ConfigError. */
  loadConfig: () => Config;
  /** Families to schedule; all of them unless a test narrows it. */
  families?: Family[];
}

export type ReloadResult = { ok: true } | { ok: false; error: string };

export class Daemon {
  readonly exporter: Exporter;
  readonly #log: Logger;
  readonly #loadConfig: () => Config;
  readonly #families: Family[];
  readonly #lastRuns = new Map<Family, FamilyRun>();
  readonly #running = new Map<Family, Promise<void>>();
  #config: Config;
  #runner: Runner;
  #tasks: ScheduledTask[] = [];
  #server: Server | undefined;
  #abort = new AbortController();
  #stopping = false;

  constructor(options: DaemonOptions) {
    this.#log = options.log;
    this.#loadConfig = options.loadConfig;
    this.#families = options.families ?? [...FAMILY_NAMES];
    this.exporter = new Exporter({ lastRuns: () => [...this.#lastRuns.values()] });
    this.exporter.initFamilies(this.#families);
    this.#config = options.config;
    this.exporter.configLoaded(true);
    this.#runner = new Runner(this.#log, this.#config.concurrency);
  }

  get ready(): boolean {
    return this.#families.every((family) => this.#lastRuns.has(family));
  }

  /** The address the HTTP server listens on (useful when the config asks for port 0). */
  get address(): { host: string; port: number } | undefined {
    const address = this.#server?.address();
    return address !== null && typeof address === 'object' ? { host: address.address, port: address.port } : undefined;
  }

  async start(): Promise<void> {
    this.#server = createServer((request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        this.#log.error('HTTP handler failed', { url: request.url, error: String(error) });
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('internal error\n');
      });
    });
    const server = this.#server;
    const { host, port } = this.#config.listen;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#log.info('listening', { listen: formatEndpoint(this.address ?? { host, port }) });
    this.#schedule();
    this.runNow();
  }

  /** Starts a run of every family that is not already running. */
  runNow(): void {
    for (const family of this.#families) void this.#runFamily(family);
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

  async #runFamily(family: Family): Promise<void> {
    if (this.#stopping) return;
    if (this.#running.has(family)) {
      this.exporter.runSkipped(family);
      this.#log.warn(`skipped a ${family} run: the previous one has not finished`, { family });
      return;
    }
    const run = (async () => {
      // Planned at each run: a reload, or a CA file replaced on disk, counts from the next run.
      const result = await this.#runner.runFamily(family, buildPlan(this.#config), this.#abort.signal);
      if (this.#abort.signal.aborted) return;
      this.#lastRuns.set(family, result);
      this.exporter.runCompleted(family);
      const problems = result.findings.filter((finding) => finding.status !== 'ok');
      this.#log.info(`${family} run finished`, {
        family,
        seconds: Number(result.durationSeconds.toFixed(3)),
        findings: result.findings.length,
        problems: problems.length,
      });
      for (const finding of problems) {
        this.#log.warn(finding.message, {
          family,
          check: finding.check,
          status: finding.status,
          domain: finding.domain,
          target: renderTarget(finding.check, finding.target),
        });
      }
    })();
    this.#running.set(family, run);
    try {
      await run;
    } finally {
      this.#running.delete(family);
    }
  }

  /** A config that does not load keeps the old one in force. */
  reload(): ReloadResult {
    let next: Config;
    try {
      next = this.#loadConfig();
    } catch (error) {
      this.exporter.configLoaded(false);
      const message = error instanceof ConfigError ? error.message : String(error);
      this.#log.error('config reload failed; the previous config stays in force', { error: message });
      return { ok: false, error: message };
    }
    const previous = this.#config;
    this.#config = next;
    this.exporter.configLoaded(true);
    if (formatEndpoint(next.listen) !== formatEndpoint(previous.listen)) {
      this.#log.warn('listen changed in the config: restart the agent to apply it', {
        listen: formatEndpoint(previous.listen),
      });
    }
    if (next.concurrency !== previous.concurrency) this.#runner = new Runner(this.#log, next.concurrency);
    this.#schedule();
    this.#log.info('config reloaded');
    this.runNow();
    return { ok: true };
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    for (const task of this.#tasks) void task.destroy();
    this.#tasks = [];
    this.#abort.abort(new Error('agent stopping'));
    const server = this.#server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
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
          send(200, await this.exporter.metrics(), this.exporter.registry.contentType);
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
        handle: () => {
          const result = this.reload();
          if (result.ok) send(200, 'config reloaded\n');
          else send(500, `config reload failed; the previous config stays in force:\n${result.error}\n`);
        },
      },
      '/': {
        method: 'GET',
        handle: () => {
          const page = renderStatusPage({
            version: VERSION,
            now: new Date(),
            families: this.#families,
            runs: [...this.#lastRuns.values()],
            running: [...this.#running.keys()],
          });
          send(200, page, 'text/html; charset=utf-8');
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
