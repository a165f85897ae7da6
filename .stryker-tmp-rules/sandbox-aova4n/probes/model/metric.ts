// @ts-nocheck
// A metric as a family declares it beside its code: plain data, no prom-client. The agent
// registers each definition once and fills it at scrape time from the last runs.

import type { Measurement } from './measurement.js';

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface MetricDefinition {
  name: string;
  /** What the value means; the agent adds that it comes from the last completed run. */
  help: string;
  labels: readonly string[];
  /** The samples for the measurements of the last completed runs (of every family). */
  samples(measurements: readonly Measurement[]): Sample[];
}
