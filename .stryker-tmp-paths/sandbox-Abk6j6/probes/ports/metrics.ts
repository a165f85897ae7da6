// @ts-nocheck
// The port metrics (docs/metrics.md): TCP from the ports family, UDP from the protocols
// family's datagram probes; one set of series for both, told apart by `transport`.

import { measurementsOf, type MeasurementOf, type PortState } from '../model/measurement.js';
import type { MetricDefinition } from '../model/metric.js';

const PORT_STATES: PortState[] = ['open', 'closed', 'filtered'];
const LABELS = ['partner_domain', 'target', 'port', 'transport'] as const;

function portLabels(m: MeasurementOf<'port'>): Record<(typeof LABELS)[number], string> {
  return { partner_domain: m.partnerDomain, target: m.target, port: String(m.port), transport: m.transport };
}

export const PORT_METRICS: MetricDefinition[] = [
  {
    name: 'adtrust_port_up',
    help: '1 when the port on the partner DC is open, 0 when closed or filtered.',
    labels: LABELS,
    samples: (measurements) =>
      measurementsOf(measurements, 'port').map((m) => ({ labels: portLabels(m), value: m.state === 'open' ? 1 : 0 })),
  },
  {
    name: 'adtrust_port_state',
    help: 'State set of the port: 1 for the current state (open, closed, filtered), 0 for the others.',
    labels: [...LABELS, 'state'],
    samples: (measurements) =>
      measurementsOf(measurements, 'port').flatMap((m) =>
        PORT_STATES.map((state) => ({ labels: { ...portLabels(m), state }, value: m.state === state ? 1 : 0 })),
      ),
  },
  {
    name: 'adtrust_port_connect_duration_seconds',
    help: 'Time until the connection was accepted, refused or timed out.',
    labels: LABELS,
    samples: (measurements) =>
      measurementsOf(measurements, 'port').map((m) => ({ labels: portLabels(m), value: m.seconds })),
  },
];
