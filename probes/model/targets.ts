// What each family is given to probe: its slice of the plan that agent/plan builds from
// the validated config. A family sees only its slice, never the config file's shape.

import type { Limits } from './limits.js';
import type { Endpoint } from './probe.js';
import type { Shard } from './shard.js';

/** One domain's DNS servers asked for its partner's DC locator records. */
export interface DnsPair {
  local: string;
  partner: string;
  /** The partner's forest root: `_gc._tcp` lives under it. */
  partnerForest: string;
  /** The servers whose forwarding is checked: the local domain's. */
  servers: Endpoint[];
  /** The partner's own servers: the reference for the DC list, and named in remediations. */
  partnerServers: Endpoint[];
}

export interface DnsTargets {
  pairs: DnsPair[];
  limits: Limits;
}

/** A DC as the config names it: `host` (every trust port and protocol) or `host:port` (that port alone). */
export interface ConfiguredDc {
  host: string;
  port: number | undefined;
}

/** One domain taking part in a trust: where to find its DCs. */
export interface DomainTargets {
  domain: string;
  forest: string;
  /** DNS servers that may answer for it: its own first, then its trust partners'. */
  resolvers: Endpoint[];
  /** Configured DCs; empty means "discover through the SRV record". */
  dcs: ConfiguredDc[];
}

export interface PortsTargets {
  domains: DomainTargets[];
  limits: Limits;
  /** The DCs this agent probes, of those configured or discovered (`--shard`). */
  shard: Shard;
}

/** A CA bundle read from a file, or why it could not be read (a finding, not a crash). */
export type CaBundle = { file: string; ok: true; pem: Buffer } | { file: string; ok: false; error: string };

export interface ProtocolsTargets {
  domains: (DomainTargets & { ca: CaBundle | undefined })[];
  /** Time left before a DC's certificate expires from which it is a warning, then critical. */
  certificateWarningMs: number;
  certificateCriticalMs: number;
  limits: Limits;
  shard: Shard;
}

/** Anything that hands out a password only when asked (agent's Secret). */
export interface SecretText {
  reveal(): string;
}

/** One domain read over LDAP. */
export interface LdapServer {
  domain: string;
  url: string;
  bindDn: string;
  password: SecretText;
  ca: CaBundle | undefined;
  /** For ldap:// URLs: upgrade with StartTLS before binding. */
  startTls: boolean;
  /** The name the certificate must carry; the URL's host by default. */
  serverName: string | undefined;
  baseDn: string;
}

/** A trust the administrator expects to exist. */
export interface ExpectedTrust {
  /** The side that holds the resources. */
  trusting: string;
  /** The side whose accounts are trusted. */
  trusted: string;
  twoWay: boolean;
  type: 'forest' | 'external';
}

/** Bounds on what one domain's directory may hand the ldap family (config limits:). */
export interface LdapLimits {
  /** trustedDomain objects read from one domain; past it the domain is not analysed. */
  trustedDomainObjects: number;
  /** Entries one LDAP search may return, over all its pages. */
  entriesPerSearch: number;
}

export interface LdapTargets {
  servers: LdapServer[];
  limits: LdapLimits;
  /**
   * limits.findings_per_run, which the runner applies to every family: the ldap family keeps
   * the worst findings while the analysis makes them, so that a run holds that many, not the
   * ten or so per trust object that a large directory makes.
   */
  findingsPerRun: number;
  trusts: ExpectedTrust[];
  /** Forest root of each configured domain; a domain not listed is its own forest root. */
  forests: Record<string, string>;
  /** `domain/account` entries allowed to go without Kerberos pre-authentication. */
  preauthAllow: string[];
  trustPasswordWarningMs: number;
  trustPasswordCriticalMs: number;
}

/** An ordinary account whose logons across the trusts the auth family proves (config `canary`). */
export interface Canary {
  domain: string;
  user: string;
  realm: string;
  /** Its password, or its keytab (the file's bytes in base64). */
  secret: { kind: 'password'; value: SecretText } | { kind: 'keytab'; file: string; value: SecretText };
}

/** One direction a canary's logon is tried in: the users of `from` to a service of `to`. */
export interface AuthDirection {
  from: string;
  to: string;
  /** A configured trust lets the users of `from` reach `to`; otherwise the exchange shows that it does not. */
  allowed: boolean;
  /** The service principal asked for; undefined means `ldap/<the first DC of to found>`. */
  service: string | undefined;
}

export interface AuthTargets {
  canaries: Canary[];
  directions: AuthDirection[];
  /** Where to find the KDCs of each domain a referral may lead to. */
  domains: DomainTargets[];
  limits: Limits;
}

/** Everything one run will probe, per family. */
export interface Plan {
  /** Budget of one network probe. */
  timeoutMs: number;
  /** The bounds the runner applies itself (findings per run); each family has its own copy. */
  limits: Limits;
  dns: DnsTargets;
  ports: PortsTargets;
  protocols: ProtocolsTargets;
  ldap: LdapTargets;
  auth: AuthTargets;
  /** Where rejected credentials are remembered across processes (config state_file); undefined: in memory only. */
  stateFile: string | undefined;
}
