// The families' metrics are written by the exporter itself, a slice of series per turn of the
// event loop, instead of through prom-client's gauges: the text must stay what prom-client
// writes for the same gauge, so that Prometheus, promtool and the dashboards see no change.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Gauge, Registry } from 'prom-client';
import { Exporter } from '../../../agent/outputs/metrics.js';
import type { FamilyRun } from '../../../agent/run/runner.js';
import type { Measurement } from '../../../probes/model/measurement.js';
import { PORT_METRICS } from '../../../probes/ports/metrics.js';
import { parseMetrics, sampleValue } from '../../support/metrics.js';

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

describe('one scrape, one moment', () => {
  it('a run that ends while a render is under way: counted in adtrust_probe_runs_total only in a text that has its series', async () => {
    const runs: FamilyRun[] = [];
    const exporter = new Exporter({ lastRuns: () => runs }, { vantage: 'test' });
    exporter.initFamilies(['ports', 'auth']);
    await exporter.current();
    runs.push({
      family: 'ports',
      startedAt: new Date(0),
      durationSeconds: 1,
      findings: [],
      measurements: portMeasurements(),
    });
    exporter.runCompleted('ports'); // a render starts; 10,800 port series take many turns
    await nextTurn();
    runs.push({
      family: 'auth',
      startedAt: new Date(1000),
      durationSeconds: 1,
      findings: [],
      measurements: [
        {
          kind: 'auth',
          fromDomain: 'a.test',
          toDomain: 'b.test',
          protocol: 'kerberos',
          success: true,
          seconds: 0.5,
          referralEtype: 18,
        },
      ],
    });
    exporter.runCompleted('auth'); // during that render

    // What a scrape gets at each turn, until the newest change is rendered.
    const texts = new Set<string>();
    const rendering = { done: false };
    const newest = exporter.current().then((body) => ((rendering.done = true), body));
    while (!rendering.done) {
      texts.add((await exporter.body()).text);
      await nextTurn();
    }
    texts.add((await newest).text);

    assert.ok(texts.size >= 2, 'no text between the first render and the newest: the test shows nothing');
    for (const text of texts) {
      const samples = parseMetrics(text);
      const counted = sampleValue(samples, 'adtrust_probe_runs_total', { family: 'auth' });
      const series = sampleValue(samples, 'adtrust_auth_success', { from_domain: 'a.test' });
      assert.equal(series === undefined ? 0 : 1, counted, 'adtrust_probe_runs_total and the family series disagree');
      assert.equal(
        sampleValue(samples, 'adtrust_probe_runs_total', { family: 'ports' }) === 1,
        sampleValue(samples, 'adtrust_port_up', { target: '10.0.0.1' }) !== undefined,
      );
    }
  });
});
