// @ts-nocheck
// The ldap family's metrics (docs/metrics.md): the bind, the trust objects, trust paths
// and accounts without Kerberos pre-authentication.

import { measurementsOf } from '../model/measurement.js';
import type { MetricDefinition } from '../model/metric.js';

export const LDAP_METRICS: MetricDefinition[] = [
  {
    name: 'adtrust_ldap_bind_success',
    help: '1 when the agent bound to the domain over LDAP, 0 when the bind failed (see the ldap.bind finding for why).',
    labels: ['domain', 'server'],
    samples: (measurements) =>
      measurementsOf(measurements, 'ldap_bind').map((m) => ({
        labels: { domain: m.domain, server: m.server },
        value: m.success ? 1 : 0,
      })),
  },
  {
    name: 'adtrust_trust_info',
    help: 'Always 1 for every trustedDomain object read; the labels describe it as the holding domain sees it.',
    labels: ['domain', 'partner_domain', 'direction', 'trust_type', 'kind', 'transitive', 'attributes'],
    samples: (measurements) =>
      measurementsOf(measurements, 'trust_info').map((m) => ({
        labels: {
          domain: m.domain,
          partner_domain: m.partnerDomain,
          direction: m.direction,
          trust_type: m.trustType,
          kind: m.trustKind,
          transitive: String(m.transitive),
          attributes: m.attributes,
        },
        value: 1,
      })),
  },
  {
    name: 'adtrust_trust_present',
    help: '1 when the domain has the trust object the config expects for the partner, 0 when it is missing.',
    labels: ['domain', 'partner_domain'],
    samples: (measurements) =>
      measurementsOf(measurements, 'trust_present').map((m) => ({
        labels: { domain: m.domain, partner_domain: m.partnerDomain },
        value: m.present ? 1 : 0,
      })),
  },
  {
    name: 'adtrust_trust_consistent',
    help: '1 when both sides of the trust agree (mirrored directions, same type, trust account present), 0 otherwise; only where both domains are readable.',
    labels: ['domain', 'partner_domain'],
    samples: (measurements) =>
      measurementsOf(measurements, 'trust_consistent').map((m) => ({
        labels: { domain: m.domain, partner_domain: m.partnerDomain },
        value: m.consistent ? 1 : 0,
      })),
  },
  {
    name: 'adtrust_trust_password_last_set_timestamp_seconds',
    help: 'Unix time of the last trust password change seen from the domain (trust account pwdLastSet, else replication metadata, else whenChanged).',
    labels: ['domain', 'partner_domain'],
    samples: (measurements) =>
      measurementsOf(measurements, 'trust_password').map((m) => ({
        labels: { domain: m.domain, partner_domain: m.partnerDomain },
        value: m.lastSet.getTime() / 1000,
      })),
  },
  {
    name: 'adtrust_trust_path_available',
    help: '1 when users of from_domain can authenticate to resources of to_domain through the trusts read, honouring direction and transitivity.',
    labels: ['from_domain', 'to_domain'],
    samples: (measurements) =>
      measurementsOf(measurements, 'trust_path').map((m) => ({
        labels: { from_domain: m.fromDomain, to_domain: m.toDomain },
        value: m.available ? 1 : 0,
      })),
  },
  {
    name: 'adtrust_preauth_disabled_accounts',
    help: 'Enabled accounts (users, computers, service accounts) with Kerberos pre-authentication disabled.',
    labels: ['domain'],
    samples: (measurements) =>
      measurementsOf(measurements, 'preauth').map((m) => ({ labels: { domain: m.domain }, value: m.accounts })),
  },
  {
    name: 'adtrust_preauth_disabled_unexpected_accounts',
    help: 'Of those, the unprivileged ones not on preauth.allow.',
    labels: ['domain'],
    samples: (measurements) =>
      measurementsOf(measurements, 'preauth').map((m) => ({ labels: { domain: m.domain }, value: m.unexpected })),
  },
  {
    name: 'adtrust_preauth_disabled_privileged_accounts',
    help: 'Of those, the privileged ones (adminCount=1), allowed or not.',
    labels: ['domain'],
    samples: (measurements) =>
      measurementsOf(measurements, 'preauth').map((m) => ({ labels: { domain: m.domain }, value: m.privileged })),
  },
];
