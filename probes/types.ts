// The one interface every probe family implements. Probes return data; they never
// touch prom-client and never throw for an expected network failure.

export type Status = 'ok' | 'warning' | 'critical' | 'unknown';

export type Family = 'dns' | 'ports' | 'ldap';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Finding {
  /** Stable dotted identifier, documented in docs/checks.md; the first part is the family. */
  check: string;
  status: Status;
  /** The domain whose server, DC or object the finding is about. */
  domain: string;
  target: string;
  message: string;
  /** The fix, by name: the port to open, the forwarder to add. Empty when nothing is to be done. */
  remediation: string;
  observed: Record<string, JsonValue>;
}

/** A finding; a remediation is dropped when the status is ok, where nothing is to be done. */
export function finding(check: string, status: Status, domain: string, target: string, message: string, remediation: string, observed: Finding['observed'] = {}): Finding {
  return { check, status, domain, target, message, remediation: status === 'ok' ? '' : remediation, observed };
}

export type Transport = 'udp' | 'tcp';

export type PortState = 'open' | 'closed' | 'filtered';

/** Numbers behind the metrics; the exporter turns these into gauges. */
export type Measurement =
  | {
      kind: 'dns_lookup';
      server: string;
      partnerDomain: string;
      record: string;
      transport: Transport;
      success: boolean;
      seconds: number;
    }
  | {
      kind: 'port';
      partnerDomain: string;
      target: string;
      port: number;
      transport: Transport;
      state: PortState;
      seconds: number;
    }
  | { kind: 'ldap_bind'; domain: string; server: string; success: boolean; seconds: number }
  | {
      kind: 'trust_info';
      domain: string;
      partnerDomain: string;
      direction: string;
      trustType: string;
      trustKind: string;
      transitive: boolean;
      attributes: string;
    }
  | { kind: 'trust_present'; domain: string; partnerDomain: string; present: boolean }
  | { kind: 'trust_consistent'; domain: string; partnerDomain: string; consistent: boolean }
  | { kind: 'trust_password'; domain: string; partnerDomain: string; lastSet: Date; source: string }
  | { kind: 'preauth'; domain: string; accounts: number; unexpected: number; privileged: number }
  | { kind: 'trust_path'; fromDomain: string; toDomain: string; available: boolean }
  | { kind: 'kerberos'; partnerDomain: string; target: string; port: number; transport: Transport; errorCode: number }
  | { kind: 'clock'; partnerDomain: string; target: string; offsetSeconds: number }
  | { kind: 'locator'; partnerDomain: string; target: string; forest: string; domain: string; dcSite: string; clientSite: string; ok: boolean }
  | { kind: 'rpc'; partnerDomain: string; target: string; iface: string; port: number; up: boolean }
  | { kind: 'certificate'; partnerDomain: string; target: string; port: number; notAfter: Date; verified: boolean };

export interface ProbeOutput {
  findings: Finding[];
  measurements: Measurement[];
}

export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** A host and port as written in the config (`host` or `host:port`). */
export interface Endpoint {
  host: string;
  port: number;
}

export interface ProbeContext {
  /** Budget of one network probe (one query, one connect). */
  timeoutMs: number;
  /** Aborted when the whole run is cancelled (shutdown, reload). */
  signal: AbortSignal;
  log: Logger;
  /**
   * Runs one network probe under the run's concurrency bound, with its own deadline
   * (timeoutMs, starting when the probe starts, not when it was queued). Resolves with
   * the probe's value, or with the reason it did not finish; never rejects.
   */
  attempt<T>(work: (signal: AbortSignal) => Promise<T>): Promise<Attempt<T>>;
}

export type Attempt<T> =
  | { ok: true; value: T; seconds: number }
  | { ok: false; reason: 'timeout' | 'cancelled' | 'error'; error?: unknown; seconds: number };
