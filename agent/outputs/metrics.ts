// Prometheus metrics, in a registry of their own. Gauges are filled at scrape time from
// the last completed run of each family: a scrape never waits for the network, and
// targets that disappear from the config disappear from /metrics.

import { Counter, Gauge, Registry } from 'prom-client';
import { AUTH_METRICS } from '../../probes/auth/metrics.js';
import { DNS_METRICS } from '../../probes/dns/metrics.js';
import { LDAP_METRICS } from '../../probes/ldap/metrics.js';
import { renderTarget, type Status } from '../../probes/model/finding.js';
import type { MetricDefinition } from '../../probes/model/metric.js';
import type { Family } from '../../probes/model/probe.js';
import { PORT_METRICS } from '../../probes/ports/metrics.js';
import { PROTOCOL_METRICS } from '../../probes/protocols/metrics.js';
import type { FamilyRun } from '../run/runner.js';
import { VERSION } from '../version.js';

/** In the order /metrics has always listed them. */
const FAMILY_METRICS: readonly MetricDefinition[] = [
  ...DNS_METRICS,
  ...PORT_METRICS,
  ...LDAP_METRICS,
  ...PROTOCOL_METRICS,
  ...AUTH_METRICS,
];

const STATUS_VALUE: Record<Status, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };
const LAST_RUN = 'Values from the last completed run.';

export interface ExporterSource {
  /** The last completed run of each family. */
  lastRuns(): FamilyRun[];
}

export class Exporter {
  readonly registry = new Registry();
  readonly #reloadSuccessful: Gauge;
  readonly #reloadTimestamp: Gauge;
  readonly #skipped: Counter<'family'>;
  readonly #runs: Counter<'family'>;
  readonly #interval: Gauge<'family'>;

  constructor(source: ExporterSource) {
    const registers = [this.registry];
    const fromRuns = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      fill: (gauge: Gauge<L>, runs: FamilyRun[]) => void,
    ): void => {
      new Gauge<L>({
        name,
        help: `${help} ${LAST_RUN}`,
        labelNames,
        registers,
        collect() {
          this.reset();
          fill(this, source.lastRuns());
        },
      });
    };

    // Each family declares its own metrics beside its code; they are registered here, once.
    for (const metric of FAMILY_METRICS) {
      fromRuns(metric.name, metric.help, metric.labels, (gauge, runs) => {
        for (const sample of metric.samples(runs.flatMap((run) => run.measurements)))
          gauge.set(sample.labels, sample.value);
      });
    }
    fromRuns(
      'adtrust_check_status',
      'Status of every finding: 0 ok, 1 warning, 2 critical, 3 unknown.',
      ['check', 'domain', 'target'],
      (gauge, runs) => {
        for (const finding of runs.flatMap((run) => run.findings))
          gauge.set(
            { check: finding.check, domain: finding.domain, target: renderTarget(finding.check, finding.target) },
            STATUS_VALUE[finding.status],
          );
      },
    );
    fromRuns(
      'adtrust_findings',
      'Number of findings of each status per family.',
      ['family', 'status'],
      (gauge, runs) => {
        for (const run of runs) {
          for (const status of Object.keys(STATUS_VALUE) as Status[])
            gauge.set(
              { family: run.family, status },
              run.findings.filter((finding) => finding.status === status).length,
            );
        }
      },
    );
    fromRuns(
      'adtrust_probe_last_run_timestamp_seconds',
      'Unix time at which the last completed run of the family started.',
      ['family'],
      (gauge, runs) => {
        for (const run of runs) gauge.set({ family: run.family }, run.startedAt.getTime() / 1000);
      },
    );
    fromRuns(
      'adtrust_probe_duration_seconds',
      'Duration of the last completed run of the family.',
      ['family'],
      (gauge, runs) => {
        for (const run of runs) gauge.set({ family: run.family }, run.durationSeconds);
      },
    );

    new Gauge({
      name: 'adtrust_build_info',
      help: 'Always 1; the labels carry the agent version and the Node.js version.',
      labelNames: ['version', 'nodejs_version'],
      registers,
    }).set({ version: VERSION, nodejs_version: process.versions.node }, 1);
    this.#reloadSuccessful = new Gauge({
      name: 'adtrust_config_last_reload_successful',
      help: '1 when the last config load or reload succeeded, 0 when it failed (the previous config stays in force).',
      registers,
    });
    this.#reloadTimestamp = new Gauge({
      name: 'adtrust_config_last_reload_success_timestamp_seconds',
      help: 'Unix time of the last successful config load or reload.',
      registers,
    });
    this.#skipped = new Counter({
      name: 'adtrust_probe_skipped_runs_total',
      help: 'Scheduled runs skipped because the previous run of the family had not finished.',
      labelNames: ['family'],
      registers,
    });
    this.#runs = new Counter({
      name: 'adtrust_probe_runs_total',
      help: 'Completed runs of the family.',
      labelNames: ['family'],
      registers,
    });
    this.#interval = new Gauge({
      name: 'adtrust_probe_schedule_interval_seconds',
      help: 'Seconds between two scheduled runs of the family, from its cron expression: results older than a few intervals are stale.',
      labelNames: ['family'],
      registers,
    });
  }

  configLoaded(success: boolean, at: Date = new Date()): void {
    this.#reloadSuccessful.set(success ? 1 : 0);
    if (success) this.#reloadTimestamp.set(at.getTime() / 1000);
  }

  scheduled(family: Family, intervalSeconds: number): void {
    this.#interval.set({ family }, intervalSeconds);
  }

  runSkipped(family: Family): void {
    this.#skipped.inc({ family });
  }

  runCompleted(family: Family): void {
    this.#runs.inc({ family });
  }

  /** Counters start at 0 for every family, so a rate() works from the first scrape. */
  initFamilies(families: Family[]): void {
    for (const family of families) {
      this.#skipped.inc({ family }, 0);
      this.#runs.inc({ family }, 0);
    }
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
