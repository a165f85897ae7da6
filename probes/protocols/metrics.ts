// The protocols family's metrics (docs/metrics.md): what each service answered in its own
// protocol. Its UDP port states go to the port metrics of probes/ports/metrics.ts; the
// verdicts (Kerberos error codes, RPC endpoints, certificate trust, the locator's answer)
// are the findings, counted per DC in adtrust_dc_status (the series budget of docs/metrics.md).

import { measurementsOf, type MeasurementOf } from '../model/measurement.js';
import type { MetricDefinition } from '../model/metric.js';

/** Per DC, the certificate that expires first of those its TLS ports (636, 3269, StartTLS on 389) serve. */
function soonestCertificates(measurements: readonly MeasurementOf<'certificate'>[]): MeasurementOf<'certificate'>[] {
  const soonest = new Map<string, MeasurementOf<'certificate'>>();
  for (const m of measurements) {
    const key = `${m.partnerDomain} ${m.target}`;
    const seen = soonest.get(key);
    if (seen === undefined || m.notAfter.getTime() < seen.notAfter.getTime()) soonest.set(key, m);
  }
  return [...soonest.values()];
}

export const PROTOCOL_METRICS: MetricDefinition[] = [
  {
    name: 'adtrust_clock_offset_seconds',
    help: 'Clock offset of the DC against this host, measured over NTP (positive: the DC is ahead). Kerberos fails beyond 300 s.',
    labels: ['partner_domain', 'target'],
    samples: (measurements) =>
      measurementsOf(measurements, 'clock').map((m) => ({
        labels: { partner_domain: m.partnerDomain, target: m.target },
        value: m.offsetSeconds,
      })),
  },
  {
    name: 'adtrust_dc_locator_info',
    help: 'Always 1; what the DC said of itself in the LDAP ping.',
    labels: ['partner_domain', 'target', 'forest', 'domain', 'dc_site', 'client_site'],
    samples: (measurements) =>
      measurementsOf(measurements, 'locator').map((m) => ({
        labels: {
          partner_domain: m.partnerDomain,
          target: m.target,
          forest: m.forest,
          domain: m.domain,
          dc_site: m.dcSite,
          client_site: m.clientSite,
        },
        value: 1,
      })),
  },
  {
    name: 'adtrust_tls_certificate_expiry_timestamp_seconds',
    help: 'Unix time at which the DC certificate expires: of its TLS ports, the one whose certificate expires first (port); exported also when it does not verify.',
    labels: ['partner_domain', 'target', 'port'],
    samples: (measurements) =>
      soonestCertificates(measurementsOf(measurements, 'certificate')).map((m) => ({
        labels: { partner_domain: m.partnerDomain, target: m.target, port: String(m.port) },
        value: m.notAfter.getTime() / 1000,
      })),
  },
];
