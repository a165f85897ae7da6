#!/usr/bin/env node
// The `probe` command. Exit codes are the Nagios plugin codes: 0 ok, 1 warning,
// 2 critical, 3 could not run (bad config, unreadable secret, bad arguments).

import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { FAMILY_NAMES, type Family } from '../probes/model/probe.js';
import { parseShard, shardFamilies, type Shard } from '../probes/model/shard.js';
import { cleanText } from '../probes/model/server-text.js';
import { ConfigError, DEFAULT_CONFIG_PATHS, loadConfigFile, resolveConfigPath } from './config/config.js';
import { loadedSecrets } from './config/secret.js';
import { createLogger } from './log.js';
import { buildReport, renderHops, renderNtlm, renderText, reportJson } from './outputs/report.js';
import { buildPlan, describePlan } from './plan/plan.js';
import { exitCodeFor, Limiter, probeContext, Runner, worstStatus } from './run/runner.js';
import { rejectedCredentials } from './run/credentials.js';
import { VERSION } from './version.js';
import { DEFAULT_MAX_CONNECTIONS } from './web/server.js';

const EXIT_CANNOT_RUN = 3;
const STOP_GRACE_MS = 4500;

class UsageError extends Error {}

function configPath(explicit: string | undefined): string {
  return resolveConfigPath(explicit, existsSync);
}

/** Other names `--only` accepts for a family. */
const FAMILY_SYNONYMS: Record<string, Family> = { port: 'ports' };

function parseFamilies(only: string | undefined): Family[] {
  if (only === undefined) return [...FAMILY_NAMES];
  const names = only
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name) => FAMILY_SYNONYMS[name] ?? name);
  const unknown = names.filter((name) => !(FAMILY_NAMES as string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(
      `--only: unknown family ${unknown.map((name) => `"${name}"`).join(', ') || '(none given)'}; choose from ${FAMILY_NAMES.join(', ')}`,
    );
  }
  return [...new Set(names)] as Family[];
}

async function runOnce(options: {
  config?: string;
  output: 'text' | 'json';
  only?: string;
  verbose?: boolean;
  shard?: Shard;
}): Promise<number> {
  const shard = options.shard;
  const families = shardFamilies(parseFamilies(options.only), shard);
  if (families.length === 0)
    throw new UsageError(
      `--only ${options.only ?? ''}: dns and ldap run on shard 1 only, not on shard ${shard?.index ?? 1}`,
    );
  const config = loadConfigFile(configPath(options.config));
  const log = createLogger({ level: 'warn', json: !process.stderr.isTTY });
  const runner = new Runner(log, config.concurrency);
  const abort = new AbortController();
  const onSignal = (): void => {
    abort.abort(new Error('interrupted'));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const startedAt = new Date();
  const started = performance.now();
  const runs = await runner.runAll(families, buildPlan(config, undefined, shard), abort.signal);
  const report = buildReport(runs, startedAt, (performance.now() - started) / 1000);
  if (options.output === 'json') {
    process.stdout.write(`${JSON.stringify(reportJson(report), null, 2)}\n`);
  } else {
    const colour = process.stdout.isTTY && process.env['NO_COLOR'] === undefined;
    process.stdout.write(renderText(report, config, families, { colour, verbose: options.verbose === true }));
  }
  if (abort.signal.aborted) return EXIT_CANNOT_RUN;
  return exitCodeFor(report.status);
}

async function tracePath(from: string, to: string, options: { config?: string }): Promise<number> {
  const config = loadConfigFile(configPath(options.config));
  const log = createLogger({ level: 'warn', json: !process.stderr.isTTY });
  if (![...config.domains.values()].some((domain) => domain.ldap !== undefined)) {
    throw new UsageError('probe path reads the trusts over LDAP: give at least one domain an ldap: section');
  }
  const ctx = probeContext(
    new Limiter(config.concurrency),
    config.timeoutMs,
    new AbortController().signal,
    log,
    rejectedCredentials(config.stateFile, log),
  );
  const plan = buildPlan(config);
  const [{ readDomains }, { trustGraph }, { describePath, findPath }] = await Promise.all([
    import('../probes/ldap/read.js'),
    import('../probes/analysis/trust-analysis.js'),
    import('../probes/analysis/trust-paths.js'),
  ]);
  const reads = await readDomains(plan.ldap, ctx);
  for (const read of reads) {
    if (!read.ok)
      process.stderr.write(
        `${cleanText(`cannot read ${read.domain} over LDAP (${read.failure}: ${read.detail}); its side of the trusts is unknown`, loadedSecrets())}\n`,
      );
  }
  const readable = new Map(reads.flatMap((read) => (read.ok ? [[read.domain, read] as const] : [])));
  const [source, destination] = [from, to].map((name) => name.toLowerCase().replace(/\.$/, '')) as [string, string];
  const result = findPath(trustGraph(plan.ldap, readable), source, destination);
  // Domain names in the path come from the directories read: cleaned line by line, as findings are.
  const lines = describePath(source, destination, result).split('\n');
  process.stdout.write(`${lines.map((line) => cleanText(line, loadedSecrets())).join('\n')}\n`);
  return result.available ? 0 : 2;
}

/** `probe path FROM TO --live`: one real Kerberos exchange of FROM's canary, printed hop by hop, and its NTLM logon where a trust lets it in. */
async function traceLive(from: string, to: string, options: { config?: string }): Promise<number> {
  const config = loadConfigFile(configPath(options.config));
  const [source, destination] = [from, to].map((name) => name.toLowerCase().replace(/\.$/, '')) as [string, string];
  if (config.domains.get(source)?.canary === undefined)
    throw new UsageError(
      `probe path --live logs on as the canary of ${source}: give domains.${source} a canary: section`,
    );
  const plan = buildPlan(config);
  const planned = plan.auth.directions.find((direction) => direction.from === source && direction.to === destination);
  // A pair no trust of the config names is tried all the same: it should be closed.
  const direction = planned ?? { from: source, to: destination, allowed: false, service: undefined };
  const log = createLogger({ level: 'warn', json: !process.stderr.isTTY });
  const runner = new Runner(log, config.concurrency);
  const [run] = await runner.runAll(
    ['auth'],
    { ...plan, auth: { ...plan.auth, directions: [direction] } },
    new AbortController().signal,
  );
  const finding = run?.findings.find((candidate) => candidate.check === 'auth.kerberos');
  if (finding === undefined) {
    process.stderr.write(`${run?.findings.map((candidate) => candidate.message).join('\n') ?? 'no result'}\n`);
    return EXIT_CANNOT_RUN;
  }
  const ntlm = run?.findings.find((candidate) => candidate.check === 'auth.ntlm');
  process.stdout.write(renderHops(finding) + (ntlm === undefined ? '' : renderNtlm(ntlm)));
  return exitCodeFor(worstStatus([finding.status, ...(ntlm === undefined ? [] : [ntlm.status])]));
}

/** The targets each family would probe, from the config alone: no network, no secret printed. */
function printPlan(options: { config?: string; only?: string }): number {
  const families = parseFamilies(options.only);
  const plan = describePlan(buildPlan(loadConfigFile(configPath(options.config))));
  process.stdout.write(
    `${JSON.stringify(Object.fromEntries(Object.entries(plan).filter(([key]) => key === 'timeout_seconds' || key === 'limits' || (families as string[]).includes(key))), null, 2)}\n`,
  );
  return 0;
}

function parseShardOption(text: string): Shard {
  const parsed = parseShard(text, hostname());
  if (!parsed.ok) throw new InvalidArgumentError(parsed.problem);
  return parsed.shard;
}

const SHARD_HELP =
  'probe only shard K of N of the DCs (such as 2/5; hostname/N takes K from a StatefulSet pod name, -0 being 1), by rendezvous hashing of each DC; DNS and LDAP run on shard 1 only';

function parseCount(text: string): number {
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1)
    throw new InvalidArgumentError('expected a whole number of at least 1');
  return Number(text);
}

function checkConfig(options: { config?: string }): number {
  const path = configPath(options.config);
  const config = loadConfigFile(path);
  process.stdout.write(`${path}: ok (${config.domains.size} domain(s), ${config.trusts.length} trust(s))\n`);
  return 0;
}

interface AgentOptions {
  config?: string;
  webConfigFile?: string;
  webEnableLifecycle?: boolean;
  webMaxConnections: number;
  shard?: Shard;
}

async function runAgent(options: AgentOptions): Promise<number> {
  const path = configPath(options.config);
  const config = loadConfigFile(path);
  // What only the daemon needs (prom-client, the web server, cron) is loaded here, not by `probe run`.
  const [{ Daemon }, { loadWebConfigFile }] = await Promise.all([
    import('./daemon.js'),
    import('./config/web-config.js'),
  ]);
  const webConfig = options.webConfigFile === undefined ? undefined : loadWebConfigFile(options.webConfigFile);
  const log = createLogger({ level: config.logLevel, json: !process.stderr.isTTY });
  const webConfigFile = options.webConfigFile;
  const web = {
    config: webConfig,
    ...(webConfigFile === undefined ? {} : { loadConfig: () => loadWebConfigFile(webConfigFile) }),
    enableLifecycle: options.webEnableLifecycle === true,
    maxConnections: options.webMaxConnections,
  };
  const daemon = new Daemon({
    log,
    config,
    loadConfig: () => loadConfigFile(path),
    web,
    ...(options.shard === undefined ? {} : { shard: options.shard }),
  });
  process.on('unhandledRejection', (reason) => {
    log.error('unhandled rejection', { error: String(reason) });
  });
  try {
    await daemon.start();
  } catch (error) {
    log.error('cannot start', { error: error instanceof Error ? error.message : String(error) });
    await daemon.stop();
    return EXIT_CANNOT_RUN;
  }
  log.info('started', { version: VERSION, config: path });
  return new Promise<number>((resolve) => {
    const stop = (signal: string): void => {
      log.info(`${signal} received, stopping`);
      setTimeout(() => {
        log.error('did not stop in time; exiting');
        process.exit(1);
      }, STOP_GRACE_MS).unref();
      void daemon.stop().then(() => {
        resolve(0);
      });
    };
    process.once('SIGTERM', () => {
      stop('SIGTERM');
    });
    process.once('SIGINT', () => {
      stop('SIGINT');
    });
    process.on('SIGHUP', () => {
      log.info('SIGHUP received, reloading the config');
      daemon.reload();
    });
  });
}

function program(setExit: (code: number) => void): Command {
  const configOption = (): Option =>
    new Option('-c, --config <file>', `config file (default: ${DEFAULT_CONFIG_PATHS.join(', then ')})`);
  const cli = new Command('probe')
    .description('adtrust-agent: live diagnostics of Active Directory trusts')
    .version(VERSION)
    .exitOverride()
    .showHelpAfterError(false);

  cli
    .command('run')
    .description('run every check once, print the report, exit 0 ok, 1 warning, 2 critical, 3 could not run')
    .addOption(configOption())
    .addOption(new Option('-o, --output <format>', 'report format').choices(['text', 'json']).default('text'))
    .option('--only <families>', `comma-separated families to run (${FAMILY_NAMES.join(', ')})`)
    .option('-v, --verbose', 'list every finding, not only the problems')
    .option('--shard <K/N>', SHARD_HELP, parseShardOption)
    .action(
      async (options: {
        config?: string;
        output: 'text' | 'json';
        only?: string;
        verbose?: boolean;
        shard?: Shard;
      }) => {
        setExit(await runOnce(options));
      },
    );

  cli
    .command('plan')
    .description(
      'print the targets each family would probe, worked out from the config alone (no network access); exit 0, or 3 on a bad config',
    )
    .addOption(configOption())
    .option('--only <families>', `comma-separated families to show (${FAMILY_NAMES.join(', ')})`)
    .action((options: { config?: string; only?: string }) => {
      setExit(printPlan(options));
    });

  cli
    .command('path')
    .description(
      'from the trusts read over LDAP: can users of FROM authenticate to resources in TO? prints the Kerberos referral chain hop by hop, or where it breaks; exit 0 available, 2 not',
    )
    .argument('<from>', 'the domain of the users')
    .argument('<to>', 'the domain of the resources')
    .addOption(configOption())
    .option(
      '--live',
      "instead: the canary of FROM really authenticates to TO's service, and each hop is printed as it happened",
    )
    .action(async (from: string, to: string, options: { config?: string; live?: boolean }) => {
      setExit(await (options.live === true ? traceLive(from, to, options) : tracePath(from, to, options)));
    });

  // Flag names as Prometheus and its exporters spell them; commander keeps the dots.
  cli
    .command('agent')
    .description(
      'run the checks on their schedules and serve /metrics, /-/healthy, /-/ready and (with --web.enable-lifecycle) POST /-/reload',
    )
    .addOption(configOption())
    .option(
      '--web.config.file <file>',
      "web config file in the Prometheus exporters' format: TLS and basic auth for every route",
    )
    .option('--web.enable-lifecycle', 'answer POST /-/reload (off by default; SIGHUP always reloads)')
    .option(
      '--web.max-connections <count>',
      'HTTP connections open at once; past it the oldest idle one is closed',
      parseCount,
      DEFAULT_MAX_CONNECTIONS,
    )
    .option('--shard <K/N>', SHARD_HELP, parseShardOption)
    .action(async (options: Record<string, unknown>) => {
      setExit(
        await runAgent({
          ...(typeof options['config'] === 'string' ? { config: options['config'] } : {}),
          ...(typeof options['web.config.file'] === 'string' ? { webConfigFile: options['web.config.file'] } : {}),
          webEnableLifecycle: options['web.enableLifecycle'] === true,
          webMaxConnections: options['web.maxConnections'] as number,
          ...(options['shard'] === undefined ? {} : { shard: options['shard'] as Shard }),
        }),
      );
    });

  cli
    .command('config')
    .description('work with the config file')
    .command('check')
    .description('validate the config file and print every problem with its path; exit 0 or 3')
    .addOption(configOption())
    .action((options: { config?: string }) => {
      setExit(checkConfig(options));
    });

  return cli;
}

async function main(argv: string[]): Promise<number> {
  let code = 0;
  const cli = program((value) => {
    code = value;
  });
  try {
    await cli.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? 0 : EXIT_CANNOT_RUN;
    }
    if (error instanceof ConfigError || error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT_CANNOT_RUN;
    }
    process.stderr.write(`probe: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_CANNOT_RUN;
  }
}

process.exitCode = await main(process.argv);
