// Prometheus metrics, in a registry of their own. The text is rendered once per change (a
// completed run, a reload, a skipped run) from the last completed run of each family and
// kept, with its gzip form made on the first scrape that asks for it: a scrape never waits
// for the network nor renders 10,000 series again, and targets that disappear from the
// config disappear from /metrics. A render runs in slices beside the probes; until it ends,
// scrapes get the text of the change before (a scrape waits only for the very first text).
// The series budget is in docs/metrics.md.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { Counter, Gauge, Registry } from 'prom-client';
import { AUTH_METRICS } from '../../probes/auth/metrics.js';
import { DNS_METRICS } from '../../probes/dns/metrics.js';
import { LDAP_METRICS } from '../../probes/ldap/metrics.js';
import { DC_CHECKS, renderTarget, type CheckId, type Finding, type Status } from '../../probes/model/finding.js';
import type { Measurement } from '../../probes/model/measurement.js';
import type { MetricDefinition } from '../../probes/model/metric.js';
import type { Family } from '../../probes/model/probe.js';
import { PORT_METRICS } from '../../probes/ports/metrics.js';
import { PROTOCOL_METRICS } from '../../probes/protocols/metrics.js';
import { worstStatus, type FamilyRun } from '../run/runner.js';
import { VERSION } from '../version.js';
import { compressibleBody, type CompressibleBody } from '../web/compressed.js';

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

// The findings of DC_CHECKS are summed up per DC in adtrust_dc_status instead of one
// adtrust_check_status series each: hundreds of DCs would otherwise make thousands.

/** Also one per DC (and DNS server), with a series of its own: adtrust_dns_lookup_success. */
const PER_DC_LOOKUP: CheckId = 'dns.address';

/** The DC a finding of DC_CHECKS is about. */
function dcOf(finding: Finding): string | undefined {
  const target = finding.target;
  return target.kind === 'port' || target.kind === 'host' || target.kind === 'rpc' ? target.host : undefined;
}

/**
 * Series of a family's metric written per turn of the event loop. The port metrics at 500
 * DCs are 7,000 series: through prom-client, in one go, they held the loop for 55 ms.
 */
const SERIES_PER_TURN = 500;

const escapeText = (text: string): string => text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
const escapeLabelValue = (value: string): string => escapeText(value).replace(/"/g, '\\"');

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return String(value);
}

/**
 * A family's metric as the text format writes a gauge (the same text prom-client writes:
 * the sample's labels, then `vantage`), a slice of series per turn. A label set given twice
 * keeps its first place and its last value, as a prom-client gauge does.
 */
async function renderGauge(
  metric: MetricDefinition,
  measurements: readonly Measurement[],
  vantage: string,
): Promise<string> {
  const series = new Map<string, number>();
  const samples = metric.samples(measurements);
  const vantageLabel = `vantage="${escapeLabelValue(vantage)}"`;
  for (let start = 0; start < samples.length; start += SERIES_PER_TURN) {
    if (start > 0) await nextTurn();
    for (const { labels, value } of samples.slice(start, start + SERIES_PER_TURN)) {
      const parts = Object.entries(labels).map(([label, text]) => `${label}="${escapeLabelValue(text)}"`);
      series.set(`{${[...parts, vantageLabel].join(',')}}`, value);
    }
  }
  const lines = [`# HELP ${metric.name} ${escapeText(`${metric.help} ${LAST_RUN}`)}`, `# TYPE ${metric.name} gauge`];
  for (const [labels, value] of series) lines.push(`${metric.name}${labels} ${formatValue(value)}`);
  return lines.join('\n');
}

export interface ExporterSource {
  /** The last completed run of each family. */
  lastRuns(): FamilyRun[];
}

interface Snapshot {
  runs: FamilyRun[];
  completedRuns: Map<Family, number>;
  skippedRuns: Map<Family, number>;
}

export interface ExporterOptions {
  /** The `vantage` label on every series: where the probes run from. */
  vantage: string;
}

export class Exporter {
  readonly registry = new Registry();
  readonly #reloadSuccessful: Gauge;
  readonly #reloadTimestamp: Gauge;
  readonly #interval: Gauge<'family'>;
  readonly #completedRuns = new Map<Family, number>();
  readonly #skippedRuns = new Map<Family, number>();
  /**
   * What the render under way writes, taken when it started: every line of a scrape is of the
   * same moment. Without it, a render that spanned a run's end showed the run counted in
   * adtrust_probe_runs_total but not its series (Prometheus saw the auth family run and no
   * adtrust_auth_success).
   */
  #snapshot: Snapshot = { runs: [], completedRuns: new Map(), skippedRuns: new Map() };
  /** The text of the newest change whose render has ended. */
  #latest: CompressibleBody | undefined;
  /** The render under way; undefined when the text is up to date. */
  #rendering: Promise<CompressibleBody> | undefined;
  /** Counts changes: one that came after the render under way started means one more render. */
  #changes = 0;

  readonly #source: ExporterSource;
  readonly #vantage: string;

  constructor(source: ExporterSource, options: ExporterOptions) {
    this.#source = source;
    this.#vantage = options.vantage;
    this.registry.setDefaultLabels({ vantage: options.vantage });
    const registers = [this.registry];
    const fromRuns = <L extends string>(
      name: string,
      help: string,
      labelNames: readonly L[],
      fill: (gauge: Gauge<L>, runs: FamilyRun[]) => void,
    ): void => {
      const gauge: Gauge<L> = new Gauge<L>({
        name,
        help: `${help} ${LAST_RUN}`,
        labelNames,
        registers,
        collect: () => {
          gauge.reset();
          fill(gauge, this.#snapshot.runs);
        },
      });
    };

    fromRuns(
      'adtrust_check_status',
      'Status of every finding that is not about one DC (those are in adtrust_dc_status): 0 ok, 1 warning, 2 critical, 3 unknown.',
      ['check', 'domain', 'target'],
      (gauge, runs) => {
        for (const finding of runs.flatMap((run) => run.findings)) {
          if (DC_CHECKS.has(finding.check) || finding.check === PER_DC_LOOKUP) continue;
          gauge.set(
            { check: finding.check, domain: finding.domain, target: renderTarget(finding.check, finding.target) },
            STATUS_VALUE[finding.status],
          );
        }
      },
    );
    fromRuns(
      'adtrust_dc_status',
      'Worst status of the findings about the DC (its ports, Kerberos, RPC endpoints, certificates, clock, LDAP ping): 0 ok, 1 warning, 2 critical, 3 unknown.',
      ['partner_domain', 'target'],
      (gauge, runs) => {
        const statuses = new Map<string, { partner_domain: string; target: string; statuses: Status[] }>();
        for (const finding of runs.flatMap((run) => run.findings)) {
          const dc = DC_CHECKS.has(finding.check) ? dcOf(finding) : undefined;
          if (dc === undefined) continue;
          const key = `${finding.domain} ${dc}`;
          const entry = statuses.get(key) ?? { partner_domain: finding.domain, target: dc, statuses: [] };
          entry.statuses.push(finding.status);
          statuses.set(key, entry);
        }
        for (const entry of statuses.values())
          gauge.set(
            { partner_domain: entry.partner_domain, target: entry.target },
            STATUS_VALUE[worstStatus(entry.statuses)],
          );
      },
    );
    fromRuns(
      'adtrust_check_findings',
      'Number of findings of each check and status per domain (every status, 0 included, for each check the domain had).',
      ['check', 'domain', 'status'],
      (gauge, runs) => {
        const counts = new Map<string, { check: CheckId; domain: string; counts: Record<Status, number> }>();
        for (const finding of runs.flatMap((run) => run.findings)) {
          const key = `${finding.check} ${finding.domain}`;
          const entry = counts.get(key) ?? {
            check: finding.check,
            domain: finding.domain,
            counts: { ok: 0, warning: 0, critical: 0, unknown: 0 },
          };
          entry.counts[finding.status]++;
          counts.set(key, entry);
        }
        for (const { check, domain, counts: byStatus } of counts.values())
          for (const status of Object.keys(STATUS_VALUE) as Status[])
            gauge.set({ check, domain, status }, byStatus[status]);
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
    const runCounter = (name: string, help: string, counts: (snapshot: Snapshot) => Map<Family, number>): void => {
      const counter: Counter<'family'> = new Counter({
        name,
        help,
        labelNames: ['family'],
        registers,
        collect: () => {
          counter.reset();
          for (const [family, count] of counts(this.#snapshot)) counter.inc({ family }, count);
        },
      });
    };
    runCounter(
      'adtrust_probe_skipped_runs_total',
      'Scheduled runs skipped because the previous run of the family had not finished.',
      (snapshot) => snapshot.skippedRuns,
    );
    runCounter('adtrust_probe_runs_total', 'Completed runs of the family.', (snapshot) => snapshot.completedRuns);
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
    this.#changed();
  }

  scheduled(family: Family, intervalSeconds: number): void {
    this.#interval.set({ family }, intervalSeconds);
    this.#changed();
  }

  runSkipped(family: Family): void {
    this.#skippedRuns.set(family, (this.#skippedRuns.get(family) ?? 0) + 1);
    this.#changed();
  }

  /** Called once the run is among the source's last runs. */
  runCompleted(family: Family): void {
    this.#completedRuns.set(family, (this.#completedRuns.get(family) ?? 0) + 1);
    this.#changed();
  }

  /** Counters start at 0 for every family, so a rate() works from the first scrape. */
  initFamilies(families: Family[]): void {
    for (const family of families) {
      this.#skippedRuns.set(family, this.#skippedRuns.get(family) ?? 0);
      this.#completedRuns.set(family, this.#completedRuns.get(family) ?? 0);
    }
    this.#changed();
  }

  /** The newest text rendered; the first one is awaited. */
  body(): Promise<CompressibleBody> {
    if (this.#latest !== undefined) return Promise.resolve(this.#latest);
    this.#rendering ??= this.#renderUntilCurrent();
    return this.#rendering;
  }

  /** The text of the newest change, awaited: for tests and callers that need what just changed. */
  async current(): Promise<CompressibleBody> {
    return this.#rendering ?? (await this.body());
  }

  /** Renders until no change came during the render: changes in a burst make one or two renders, not one each. */
  async #renderUntilCurrent(): Promise<CompressibleBody> {
    try {
      let body: CompressibleBody;
      let rendered: number;
      do {
        rendered = this.#changes;
        body = compressibleBody(await this.#render());
        this.#latest = body;
      } while (rendered !== this.#changes);
      return body;
    } finally {
      this.#rendering = undefined;
    }
  }

  /**
   * The families' metrics, then the text of registry.metrics(), one metric at a time with a
   * turn of the event loop between them: a run of 20,000 trust objects makes tens of thousands
   * of series, and rendering them in one go held /-/healthy for a second.
   */
  async #render(): Promise<string> {
    const texts: string[] = [];
    this.#snapshot = {
      runs: this.#source.lastRuns(),
      completedRuns: new Map(this.#completedRuns),
      skippedRuns: new Map(this.#skippedRuns),
    };
    const measurements = this.#snapshot.runs.flatMap((run) => run.measurements);
    for (const metric of FAMILY_METRICS) {
      await nextTurn();
      texts.push(await renderGauge(metric, measurements, this.#vantage));
    }
    for (const metric of this.registry.getMetricsAsArray()) {
      await nextTurn();
      texts.push(await this.registry.getSingleMetricAsString(metric.name));
    }
    return `${texts.join('\n\n')}\n`;
  }

  /** The text of every change so far. */
  async metrics(): Promise<string> {
    return (await this.current()).text;
  }

  /** Starts a render now, so that the next scrape finds the new text ready. */
  #changed(): void {
    this.#changes++;
    if (this.#rendering !== undefined) return;
    this.#rendering = this.#renderUntilCurrent();
    // A failed render reaches the scrape that awaits it; started here, nobody may be waiting.
    this.#rendering.catch(() => undefined);
  }
}
