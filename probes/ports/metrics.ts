// The port metrics (docs/metrics.md): TCP from the ports family, UDP from the protocols
// family's datagram probes; one set of series for both, told apart by `transport`. One
// series per port and DC (the series budget of docs/metrics.md): whether it is closed or
// filtered is in the finding, and the connect times are summed up per partner domain.

import { measurementsOf, type MeasurementOf } from '../model/measurement.js';
import type { MetricDefinition, Sample } from '../model/metric.js';

/** The quantiles of the connect times of a partner domain's open ports; 1 is the slowest. */
export const CONNECT_QUANTILES = [0.5, 0.9, 1] as const;

function connectQuantiles(measurements: MeasurementOf<'port'>[]): Sample[] {
  const groups = new Map<string, { partnerDomain: string; transport: string; seconds: number[] }>();
  for (const m of measurements) {
    if (m.state !== 'open') continue;
    const key = `${m.partnerDomain} ${m.transport}`;
    const group = groups.get(key) ?? { partnerDomain: m.partnerDomain, transport: m.transport, seconds: [] };
    group.seconds.push(m.seconds);
    groups.set(key, group);
  }
  return [...groups.values()].flatMap(({ partnerDomain, transport, seconds }) => {
    seconds.sort((a, b) => a - b);
    return CONNECT_QUANTILES.map((quantile) => ({
      labels: { partner_domain: partnerDomain, transport, percentile: String(quantile * 100) },
      value: seconds[Math.max(0, Math.ceil(quantile * seconds.length) - 1)] as number,
    }));
  });
}

export const PORT_METRICS: MetricDefinition[] = [
  {
    name: 'adtrust_port_up',
    help: '1 when the port on the partner DC is open, 0 when closed or filtered.',
    labels: ['partner_domain', 'target', 'port', 'transport'],
    samples: (measurements) =>
      measurementsOf(measurements, 'port').map((m) => ({
        labels: { partner_domain: m.partnerDomain, target: m.target, port: String(m.port), transport: m.transport },
        value: m.state === 'open' ? 1 : 0,
      })),
  },
  {
    name: 'adtrust_port_connect_duration_seconds',
    help: 'Percentiles (50, 90, and 100: the slowest) of the time until the open ports of the partner domain accepted the connection.',
    labels: ['partner_domain', 'transport', 'percentile'],
    samples: (measurements) => connectQuantiles(measurementsOf(measurements, 'port')),
  },
];
