// The auth family's metrics (docs/metrics.md): whether the canary's logon crossed each trust.

import { measurementsOf, type MeasurementOf } from '../model/measurement.js';
import type { MetricDefinition } from '../model/metric.js';

const LABELS = ['from_domain', 'to_domain', 'protocol'] as const;

function labelsOf(m: MeasurementOf<'auth'>): Record<(typeof LABELS)[number], string> {
  return { from_domain: m.fromDomain, to_domain: m.toDomain, protocol: m.protocol };
}

export const AUTH_METRICS: MetricDefinition[] = [
  {
    name: 'adtrust_auth_success',
    help: "1 when the canary of from_domain authenticated to to_domain through the trust: protocol kerberos, a service ticket of to_domain, referral by referral (auth.kerberos); protocol ntlm, an NTLMv2 logon over SMB accepted by a DC of to_domain, which passed it through to from_domain (auth.ntlm). 0 when the trust's part failed. Absent when the check has no verdict (its adtrust_check_status is 3: the canary could not log on, or a DC of to_domain could not be reached) and for directions no configured trust opens.",
    labels: LABELS,
    samples: (measurements) =>
      measurementsOf(measurements, 'auth').map((m) => ({ labels: labelsOf(m), value: m.success ? 1 : 0 })),
  },
  {
    name: 'adtrust_auth_duration_seconds',
    help: 'Seconds the whole exchange took, the time a client waits: kerberos from the first AS-REQ to the last answer; ntlm from the connection to TCP 445 to the answer of the authenticating SESSION_SETUP.',
    labels: LABELS,
    samples: (measurements) =>
      measurementsOf(measurements, 'auth').flatMap((m) =>
        m.seconds === undefined ? [] : [{ labels: labelsOf(m), value: m.seconds }],
      ),
  },
  {
    name: 'adtrust_auth_referral_encryption_type',
    help: 'The Kerberos encryption type of the first referral ticket (the trust key): 18 aes256-cts-hmac-sha1-96, 17 aes128-cts-hmac-sha1-96, 23 rc4-hmac (fails once RC4 is turned off).',
    labels: ['from_domain', 'to_domain'],
    samples: (measurements) =>
      measurementsOf(measurements, 'auth').flatMap((m) =>
        m.referralEtype === undefined
          ? []
          : [{ labels: { from_domain: m.fromDomain, to_domain: m.toDomain }, value: m.referralEtype }],
      ),
  },
];
