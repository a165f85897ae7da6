// Prometheus metrics, in a registry of their own. Gauges are filled at scrape time from
// the last completed run of each family: a scrape never waits for the network, and
// targets that disappear from the config disappear from /metrics.

import { Counter, Gauge, Registry } from 'prom-client';
import type { Family, PortState, Status } from '../probes/types.js';
import type { FamilyRun } from './runner.js';
import { VERSION } from './version.js';

const STATUS_VALUE: Record<Status, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };
const PORT_STATES: PortState[] = ['open', 'closed', 'filtered'];
const LAST_RUN = 'Values from the last completed run.';

export interface ExporterSource {
  /** The last completed run of each family. */
  lastRuns(): FamilyRun[];
}

export class Exporter {
  readonly registry = new Registry();
  readonly #reloadSuccessful: Gauge;
  readonly #reloadTimestamp: Gauge;
  readonly #skipped: Counter<'family'>;
  readonly #runs: Counter<'family'>;
  readonly #interval: Gauge<'family'>;

  constructor(source: ExporterSource) {
    const registers = [this.registry];
    const fromRuns = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (gauge: Gauge<L>, runs: FamilyRun[]) => void): void => {
      new Gauge<L>({
        name,
        help: `${help} ${LAST_RUN}`,
        labelNames,
        registers,
        collect() {
          this.reset();
          fill(this, source.lastRuns());
        },
      });
    };

    fromRuns('adtrust_dns_lookup_success', '1 when the DNS server answered the partner record with at least one record, 0 otherwise.', ['server', 'partner_domain', 'record', 'transport'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'dns_lookup')) gauge.set({ server: m.server, partner_domain: m.partnerDomain, record: m.record, transport: m.transport }, m.success ? 1 : 0);
    });
    fromRuns('adtrust_dns_lookup_duration_seconds', 'Time the DNS lookup took, including a retry over TCP after truncation.', ['server', 'partner_domain', 'record', 'transport'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'dns_lookup')) gauge.set({ server: m.server, partner_domain: m.partnerDomain, record: m.record, transport: m.transport }, m.seconds);
    });
    fromRuns('adtrust_port_up', '1 when the port on the partner DC is open, 0 when closed or filtered.', ['partner_domain', 'target', 'port', 'transport'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'port')) gauge.set(portLabels(m), m.state === 'open' ? 1 : 0);
    });
    fromRuns('adtrust_port_state', 'State set of the port: 1 for the current state (open, closed, filtered), 0 for the others.', ['partner_domain', 'target', 'port', 'transport', 'state'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'port')) {
        for (const state of PORT_STATES) gauge.set({ ...portLabels(m), state }, m.state === state ? 1 : 0);
      }
    });
    fromRuns('adtrust_port_connect_duration_seconds', 'Time until the connection was accepted, refused or timed out.', ['partner_domain', 'target', 'port', 'transport'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'port')) gauge.set(portLabels(m), m.seconds);
    });
    fromRuns('adtrust_ldap_bind_success', '1 when the agent bound to the domain over LDAP, 0 when the bind failed (see the ldap.bind finding for why).', ['domain', 'server'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'ldap_bind')) gauge.set({ domain: m.domain, server: m.server }, m.success ? 1 : 0);
    });
    fromRuns('adtrust_trust_info', 'Always 1 for every trustedDomain object read; the labels describe it as the holding domain sees it.', ['domain', 'partner_domain', 'direction', 'trust_type', 'kind', 'transitive', 'attributes'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'trust_info')) {
        gauge.set({ domain: m.domain, partner_domain: m.partnerDomain, direction: m.direction, trust_type: m.trustType, kind: m.trustKind, transitive: String(m.transitive), attributes: m.attributes }, 1);
      }
    });
    fromRuns('adtrust_trust_present', '1 when the domain has the trust object the config expects for the partner, 0 when it is missing.', ['domain', 'partner_domain'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'trust_present')) gauge.set({ domain: m.domain, partner_domain: m.partnerDomain }, m.present ? 1 : 0);
    });
    fromRuns('adtrust_trust_consistent', '1 when both sides of the trust agree (mirrored directions, same type, trust account present), 0 otherwise; only where both domains are readable.', ['domain', 'partner_domain'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'trust_consistent')) gauge.set({ domain: m.domain, partner_domain: m.partnerDomain }, m.consistent ? 1 : 0);
    });
    fromRuns('adtrust_trust_password_last_set_timestamp_seconds', 'Unix time of the last trust password change seen from the domain (trust account pwdLastSet, else replication metadata, else whenChanged).', ['domain', 'partner_domain'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'trust_password')) gauge.set({ domain: m.domain, partner_domain: m.partnerDomain }, m.lastSet.getTime() / 1000);
    });
    fromRuns('adtrust_trust_path_available', '1 when users of from_domain can authenticate to resources of to_domain through the trusts read, honouring direction and transitivity.', ['from_domain', 'to_domain'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'trust_path')) gauge.set({ from_domain: m.fromDomain, to_domain: m.toDomain }, m.available ? 1 : 0);
    });
    fromRuns('adtrust_preauth_disabled_accounts', 'Enabled accounts (users, computers, service accounts) with Kerberos pre-authentication disabled.', ['domain'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'preauth')) gauge.set({ domain: m.domain }, m.accounts);
    });
    fromRuns('adtrust_preauth_disabled_unexpected_accounts', 'Of those, the unprivileged ones not on preauth.allow.', ['domain'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'preauth')) gauge.set({ domain: m.domain }, m.unexpected);
    });
    fromRuns('adtrust_preauth_disabled_privileged_accounts', 'Of those, the privileged ones (adminCount=1), allowed or not.', ['domain'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'preauth')) gauge.set({ domain: m.domain }, m.privileged);
    });
    fromRuns('adtrust_kerberos_error_code', 'The KRB-ERROR code the KDC (88) answered to an AS-REQ for a principal that cannot exist (6 is the healthy answer), or kpasswd (464) to an empty password-change request (Samba: 2).', ['partner_domain', 'target', 'port', 'transport'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'kerberos')) gauge.set({ partner_domain: m.partnerDomain, target: m.target, port: String(m.port), transport: m.transport }, m.errorCode);
    });
    fromRuns('adtrust_clock_offset_seconds', 'Clock offset of the DC against this host, measured over NTP (positive: the DC is ahead). Kerberos fails beyond 300 s.', ['partner_domain', 'target'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'clock')) gauge.set({ partner_domain: m.partnerDomain, target: m.target }, m.offsetSeconds);
    });
    fromRuns('adtrust_dc_locator_ok', '1 when the DC answered the CLDAP LDAP ping as a DC of the expected domain and forest, advertising DS, LDAP and KDC (and GC where expected).', ['partner_domain', 'target'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'locator')) gauge.set({ partner_domain: m.partnerDomain, target: m.target }, m.ok ? 1 : 0);
    });
    fromRuns('adtrust_dc_locator_info', 'Always 1; what the DC said of itself in the LDAP ping.', ['partner_domain', 'target', 'forest', 'domain', 'dc_site', 'client_site'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'locator')) gauge.set({ partner_domain: m.partnerDomain, target: m.target, forest: m.forest, domain: m.domain, dc_site: m.dcSite, client_site: m.clientSite }, 1);
    });
    fromRuns('adtrust_rpc_endpoint_up', '1 when the TCP port the endpoint mapper names for the interface is open; 0 when closed, filtered, or the mapper did not name one (port="0").', ['partner_domain', 'target', 'interface', 'port'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'rpc')) gauge.set({ partner_domain: m.partnerDomain, target: m.target, interface: m.iface, port: String(m.port) }, m.up ? 1 : 0);
    });
    fromRuns('adtrust_tls_certificate_expiry_timestamp_seconds', 'Unix time at which the DC certificate on the port expires; exported also when it does not verify.', ['partner_domain', 'target', 'port'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'certificate')) gauge.set({ partner_domain: m.partnerDomain, target: m.target, port: String(m.port) }, m.notAfter.getTime() / 1000);
    });
    fromRuns('adtrust_tls_certificate_verified', '1 when the certificate verifies against the configured CA and carries the DC host name.', ['partner_domain', 'target', 'port'], (gauge, runs) => {
      for (const m of measurementsOf(runs, 'certificate')) gauge.set({ partner_domain: m.partnerDomain, target: m.target, port: String(m.port) }, m.verified ? 1 : 0);
    });
    fromRuns('adtrust_check_status', 'Status of every finding: 0 ok, 1 warning, 2 critical, 3 unknown.', ['check', 'domain', 'target'], (gauge, runs) => {
      for (const finding of runs.flatMap((run) => run.findings)) gauge.set({ check: finding.check, domain: finding.domain, target: finding.target }, STATUS_VALUE[finding.status]);
    });
    fromRuns('adtrust_findings', 'Number of findings of each status per family.', ['family', 'status'], (gauge, runs) => {
      for (const run of runs) {
        for (const status of Object.keys(STATUS_VALUE) as Status[]) gauge.set({ family: run.family, status }, run.findings.filter((finding) => finding.status === status).length);
      }
    });
    fromRuns('adtrust_probe_last_run_timestamp_seconds', 'Unix time at which the last completed run of the family started.', ['family'], (gauge, runs) => {
      for (const run of runs) gauge.set({ family: run.family }, run.startedAt.getTime() / 1000);
    });
    fromRuns('adtrust_probe_duration_seconds', 'Duration of the last completed run of the family.', ['family'], (gauge, runs) => {
      for (const run of runs) gauge.set({ family: run.family }, run.durationSeconds);
    });

    new Gauge({
      name: 'adtrust_build_info',
      help: 'Always 1; the labels carry the agent version and the Node.js version.',
      labelNames: ['version', 'nodejs_version'],
      registers,
    }).set({ version: VERSION, nodejs_version: process.versions.node }, 1);
    this.#reloadSuccessful = new Gauge({ name: 'adtrust_config_last_reload_successful', help: '1 when the last config load or reload succeeded, 0 when it failed (the previous config stays in force).', registers });
    this.#reloadTimestamp = new Gauge({ name: 'adtrust_config_last_reload_success_timestamp_seconds', help: 'Unix time of the last successful config load or reload.', registers });
    this.#skipped = new Counter({ name: 'adtrust_probe_skipped_runs_total', help: 'Scheduled runs skipped because the previous run of the family had not finished.', labelNames: ['family'], registers });
    this.#runs = new Counter({ name: 'adtrust_probe_runs_total', help: 'Completed runs of the family.', labelNames: ['family'], registers });
    this.#interval = new Gauge({ name: 'adtrust_probe_schedule_interval_seconds', help: 'Seconds between two scheduled runs of the family, from its cron expression: results older than a few intervals are stale.', labelNames: ['family'], registers });
  }

  configLoaded(success: boolean, at: Date = new Date()): void {
    this.#reloadSuccessful.set(success ? 1 : 0);
    if (success) this.#reloadTimestamp.set(at.getTime() / 1000);
  }

  scheduled(family: Family, intervalSeconds: number): void {
    this.#interval.set({ family }, intervalSeconds);
  }

  runSkipped(family: Family): void {
    this.#skipped.inc({ family });
  }

  runCompleted(family: Family): void {
    this.#runs.inc({ family });
  }

  /** Counters start at 0 for every family, so a rate() works from the first scrape. */
  initFamilies(families: Family[]): void {
    for (const family of families) {
      this.#skipped.inc({ family }, 0);
      this.#runs.inc({ family }, 0);
    }
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

type MeasurementOf<K> = Extract<FamilyRun['measurements'][number], { kind: K }>;

function measurementsOf<K extends FamilyRun['measurements'][number]['kind']>(runs: FamilyRun[], kind: K): MeasurementOf<K>[] {
  return runs.flatMap((run) => run.measurements).filter((m): m is MeasurementOf<K> => m.kind === kind);
}

function portLabels(m: MeasurementOf<'port'>): Record<'partner_domain' | 'target' | 'port' | 'transport', string> {
  return { partner_domain: m.partnerDomain, target: m.target, port: String(m.port), transport: m.transport };
}
