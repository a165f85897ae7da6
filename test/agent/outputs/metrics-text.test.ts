// The families' metrics are written by the exporter itself, a slice of series per turn of the
// event loop, instead of through prom-client's gauges: the text must stay what prom-client
// writes for the same gauge, so that Prometheus, promtool and the dashboards see no change.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Gauge, Registry } from 'prom-client';
import { Exporter } from '../../../agent/outputs/metrics.js';
import type { FamilyRun } from '../../../agent/run/runner.js';
import type { Measurement } from '../../../probes/model/measurement.js';
import { PORT_METRICS } from '../../../probes/ports/metrics.js';

const VANTAGE = 'site "a"\\b';

/** 1,200 DCs of 9 TCP ports (more than a slice), with a DC listed twice and label values that need escaping. */
function portMeasurements(): Measurement[] {
  const measurements: Measurement[] = [];
  for (let dc = 0; dc < 1200; dc++) {
    for (const port of [53, 88, 135, 139, 389, 445, 464, 636, 3268]) {
      measurements.push({
        kind: 'port',
        partnerDomain: dc % 2 === 0 ? 'wingtip.test' : 'odd "domain"\\\nname',
        target: `10.${dc >> 8}.${dc & 255}.1`,
        port,
        transport: 'tcp',
        state: port === 3268 ? 'closed' : 'open',
        seconds: (dc * 9 + port) / 1e6,
      });
    }
  }
  // The same port of the same DC again, now closed: the last value counts, in the first place.
  measurements.push({ ...(measurements[0] as Measurement & { kind: 'port' }), state: 'filtered' });
  return measurements;
}

/** The block of `name` in an exposition text: its HELP line up to the next blank line. */
function block(text: string, name: string): string {
  const start = text.indexOf(`# HELP ${name} `);
  assert.ok(start >= 0, `no ${name} in the text`);
  const end = text.indexOf('\n\n', start);
  return text.slice(start, end < 0 ? undefined : end).trimEnd();
}

describe('the family metrics in /metrics', () => {
  it('read as prom-client writes the same gauge, escapes and a label set given twice included', async () => {
    const measurements = portMeasurements();
    const runs: FamilyRun[] = [
      { family: 'ports', startedAt: new Date(0), durationSeconds: 1, findings: [], measurements },
    ];
    const text = await new Exporter({ lastRuns: () => runs }, { vantage: VANTAGE }).metrics();
    for (const metric of PORT_METRICS) {
      const registry = new Registry();
      registry.setDefaultLabels({ vantage: VANTAGE });
      const gauge = new Gauge({
        name: metric.name,
        help: `${metric.help} Values from the last completed run.`,
        labelNames: metric.labels,
        registers: [registry],
      });
      for (const sample of metric.samples(measurements)) gauge.set(sample.labels, sample.value);
      const expected = await registry.getSingleMetricAsString(metric.name);
      assert.equal(block(text, metric.name), expected);
    }
    assert.match(
      block(text, 'adtrust_port_up'),
      /\nadtrust_port_up\{partner_domain="wingtip.test",target="10.0.0.1",port="53",transport="tcp",vantage="site \\"a\\"\\\\b"\} 0\n/,
    );
    assert.equal(block(text, 'adtrust_port_up').split('\n').length, 2 + 1200 * 9);
  });
});
