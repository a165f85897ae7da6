// @ts-nocheck
// The protocols family's metrics (docs/metrics.md): what each service answered in its own
// protocol. Its UDP port states go to the port metrics of probes/ports/metrics.ts.

import { measurementsOf } from '../model/measurement.js';
import type { MetricDefinition } from '../model/metric.js';

export const PROTOCOL_METRICS: MetricDefinition[] = [
  {
    name: 'adtrust_kerberos_error_code',
    help: 'The KRB-ERROR code the KDC (88) answered to an AS-REQ for a principal that cannot exist (6 is the healthy answer), or kpasswd (464) to an empty password-change request (Samba: 2).',
    labels: ['partner_domain', 'target', 'port', 'transport'],
    samples: (measurements) =>
      measurementsOf(measurements, 'kerberos').map((m) => ({
        labels: { partner_domain: m.partnerDomain, target: m.target, port: String(m.port), transport: m.transport },
        value: m.errorCode,
      })),
  },
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
    name: 'adtrust_dc_locator_ok',
    help: '1 when the DC answered the CLDAP LDAP ping as a DC of the expected domain and forest, advertising DS, LDAP and KDC (and GC where expected).',
    labels: ['partner_domain', 'target'],
    samples: (measurements) =>
      measurementsOf(measurements, 'locator').map((m) => ({
        labels: { partner_domain: m.partnerDomain, target: m.target },
        value: m.ok ? 1 : 0,
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
    name: 'adtrust_rpc_endpoint_up',
    help: '1 when the TCP port the endpoint mapper names for the interface is open; 0 when closed, filtered, or the mapper did not name one (port="0").',
    labels: ['partner_domain', 'target', 'interface', 'port'],
    samples: (measurements) =>
      measurementsOf(measurements, 'rpc').map((m) => ({
        labels: { partner_domain: m.partnerDomain, target: m.target, interface: m.iface, port: String(m.port) },
        value: m.up ? 1 : 0,
      })),
  },
  {
    name: 'adtrust_tls_certificate_expiry_timestamp_seconds',
    help: 'Unix time at which the DC certificate on the port expires; exported also when it does not verify.',
    labels: ['partner_domain', 'target', 'port'],
    samples: (measurements) =>
      measurementsOf(measurements, 'certificate').map((m) => ({
        labels: { partner_domain: m.partnerDomain, target: m.target, port: String(m.port) },
        value: m.notAfter.getTime() / 1000,
      })),
  },
  {
    name: 'adtrust_tls_certificate_verified',
    help: '1 when the certificate verifies against the configured CA and carries the DC host name.',
    labels: ['partner_domain', 'target', 'port'],
    samples: (measurements) =>
      measurementsOf(measurements, 'certificate').map((m) => ({
        labels: { partner_domain: m.partnerDomain, target: m.target, port: String(m.port) },
        value: m.verified ? 1 : 0,
      })),
  },
];
