// The dns family's metrics (docs/metrics.md). A lookup time is kept for the locator (SRV)
// records only: the address lookups are one per DC and resolver, and their time says little.

import { measurementsOf } from '../model/measurement.js';
import type { MetricDefinition } from '../model/metric.js';

const LABELS = ['server', 'partner_domain', 'record', 'transport'] as const;

export const DNS_METRICS: MetricDefinition[] = [
  {
    name: 'adtrust_dns_lookup_success',
    help: '1 when the DNS server answered the partner record with at least one record, 0 otherwise.',
    labels: LABELS,
    samples: (measurements) =>
      measurementsOf(measurements, 'dns_lookup').map((m) => ({
        labels: { server: m.server, partner_domain: m.partnerDomain, record: m.record, transport: m.transport },
        value: m.success ? 1 : 0,
      })),
  },
  {
    name: 'adtrust_dns_lookup_duration_seconds',
    help: 'Time the DNS lookup of a locator (SRV) record took, including a retry over TCP after truncation.',
    labels: LABELS,
    samples: (measurements) =>
      measurementsOf(measurements, 'dns_lookup')
        .filter((m) => m.recordType === 'SRV')
        .map((m) => ({
          labels: { server: m.server, partner_domain: m.partnerDomain, record: m.record, transport: m.transport },
          value: m.seconds,
        })),
  },
];
