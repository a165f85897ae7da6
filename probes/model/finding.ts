// What a probe says about one thing: a typed check id, a status, a structured target and
// words for a person. The target becomes text in one place, renderTarget, which is the
// `target` of the JSON report and of the adtrust_check_status metric.

import type { Endpoint } from './endpoint.js';
import type { Family } from './family.js';
import type { Transport } from './measurement.js';

export type Status = 'ok' | 'warning' | 'critical' | 'unknown';

/** Every check id, documented in docs/checks.md; outputs key exhaustive tables on this list. */
export const CHECK_IDS = [
  'dns.srv',
  'dns.address',
  'dns.dc_set',
  'dns.probe_error',
  'port.tcp',
  'port.discovery',
  'port.probe_error',
  'port.udp',
  'port.kerberos',
  'port.rpc',
  'time.skew',
  'dc.locator',
  'tls.certificate',
  'ldap.bind',
  'ldap.read',
  'ldap.probe_error',
  'trust.inventory',
  'trust.expected',
  'trust.unexpected',
  'trust.consistent',
  'trust.password_age',
  'trust.forest_info',
  'trust.name_collision',
  'trust.scanner',
  'trust.path',
  'trust.sid_filtering',
  'trust.tgt_delegation',
  'trust.selective_auth',
  'trust.auth_target_validation',
  'trust.encryption',
  'trust.downlevel',
  'preauth.privileged',
  'preauth.unexpected',
  'auth.kerberos',
  'auth.ntlm',
  'auth.probe_error',
  'run.limit',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a finding is about. Each kind has one text form (see renderTarget). */
export type Target =
  /** A DC, a domain or a server: `host` or `host:port`. */
  | { kind: 'host'; host: string; port?: number }
  /** One port of a DC: `host:port`, or `host:port/transport` where the check id does not name the transport. */
  | { kind: 'port'; host: string; port: number; transport: Transport }
  /** One DNS question to one server: `record@server` (port 53 left out), `/transport` when the question has one. */
  | { kind: 'dns'; record: string; server: Endpoint; transport?: Transport }
  /** One RPC interface of a DC: `host/interface`. */
  | { kind: 'rpc'; host: string; interface: string }
  /** A trust path, from the users' domain to the resources': `from->to`. */
  | { kind: 'path'; from: string; to: string }
  /** A whole family, when it failed before it finished. */
  | { kind: 'family'; family: Family }
  /** A bound of the config's `limits:` that a run reached: `limits.<key>`. */
  | { kind: 'limit'; limit: string };

export interface Finding {
  /** Stable dotted identifier; the first part says what was checked. */
  check: CheckId;
  status: Status;
  /** The domain whose server, DC or object the finding is about. */
  domain: string;
  target: Target;
  message: string;
  /** The fix, by name: the port to open, the forwarder to add. Empty when nothing is to be done. */
  remediation: string;
  observed: Record<string, JsonValue>;
}

/** A finding from named fields; a remediation is dropped when the status is ok, where nothing is to be done. */
export function finding(fields: {
  check: CheckId;
  status: Status;
  domain: string;
  target: Target;
  message: string;
  remediation?: string;
  observed?: Finding['observed'];
}): Finding {
  const { check, status, domain, target, message, remediation = '', observed = {} } = fields;
  return { check, status, domain, target, message, remediation: status === 'ok' ? '' : remediation, observed };
}

/** The checks of one DC's own probes (ports, Kerberos, RPC, clock, locator, certificates): grouped and summed per DC. */
export const DC_CHECKS: ReadonlySet<CheckId> = new Set<CheckId>([
  'port.tcp',
  'port.udp',
  'port.kerberos',
  'port.rpc',
  'time.skew',
  'dc.locator',
  'tls.certificate',
]);

/** Checks whose id already names the transport: their port targets leave it out of the text. */
const TRANSPORT_IN_CHECK: ReadonlySet<CheckId> = new Set<CheckId>(['port.tcp', 'port.udp', 'tls.certificate']);

/** The one text form of a target, as the JSON report and the metrics carry it. */
export function renderTarget(check: CheckId, target: Target): string {
  switch (target.kind) {
    case 'host':
      return target.port === undefined ? target.host : `${target.host}:${target.port}`;
    case 'port':
      return TRANSPORT_IN_CHECK.has(check)
        ? `${target.host}:${target.port}`
        : `${target.host}:${target.port}/${target.transport}`;
    case 'dns': {
      const server = target.server.port === 53 ? target.server.host : `${target.server.host}:${target.server.port}`;
      return target.transport === undefined
        ? `${target.record}@${server}`
        : `${target.record}@${server}/${target.transport}`;
    }
    case 'rpc':
      return `${target.host}/${target.interface}`;
    case 'path':
      return `${target.from}->${target.to}`;
    case 'family':
      return target.family;
    case 'limit':
      return `limits.${target.limit}`;
  }
}

/** The host a target is on: the DC of a port, the server of a DNS question, the source domain of a path. */
export function targetHost(target: Target): string {
  switch (target.kind) {
    case 'dns':
      return target.server.host;
    case 'path':
      return target.from;
    case 'family':
      return target.family;
    case 'limit':
      return `limits.${target.limit}`;
    default:
      return target.host;
  }
}
