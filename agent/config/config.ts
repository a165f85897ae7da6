// The one config schema: YAML in, a validated Config out, or every problem at once,
// each with its path in the file, its line and a plain message.

import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, type Stats } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { isIP } from 'node:net';
import cron from 'node-cron';
import { LineCounter, parseDocument, isMap, isNode, isScalar, visit } from 'yaml';
import { z } from 'zod';
import type { Limits } from '../../probes/model/limits.js';
import type { Endpoint, Family } from '../../probes/model/probe.js';
import { isHostName, parseDuration, parseHostPort, type Parsed } from './parse.js';
import { Secret } from './secret.js';

export const DEFAULT_CONFIG_PATHS = ['./probe.yaml', '/etc/adtrust/probe.yaml'];

/** Sized so that 50 DCs x 9 TCP ports, all filtered, finish in about one timeout. */
export const DEFAULT_CONCURRENCY = 512;

export interface LdapConfig {
  url: string;
  bindDn: string;
  password: Secret;
  caFile: string | undefined;
  /** For ldap:// URLs: upgrade with StartTLS before binding. */
  startTls: boolean;
  /** Allow a simple bind over plain ldap:// without TLS (the password crosses the network in clear). */
  allowPlainBind: boolean;
  /** The name the certificate must carry; the URL's host by default. */
  serverName: string | undefined;
  /** Default naming context; DC=tailspin,DC=test for tailspin.test by default. */
  baseDn: string;
}

/** An ordinary account of the domain whose logons across the trusts the auth family proves. */
export interface CanaryConfig {
  /** The account name, without the realm. */
  user: string;
  /** Its Kerberos realm: the domain's name in capitals. */
  realm: string;
  /** Its password, or its keytab (the file's bytes, base64, kept as a Secret). */
  secret: { kind: 'password'; value: Secret } | { kind: 'keytab'; file: string; value: Secret };
}

export interface DomainConfig {
  name: string;
  /** Forest root domain; the _gc._tcp records live under it. */
  forest: string;
  dnsServers: Endpoint[];
  /** Configured DCs; empty means "discover through SRV records". `port` set means only that port. */
  dcs: { host: string; port: number | undefined }[];
  /** CA bundle for the DCs' certificates (TLS checks, and the LDAP bind unless ldap.ca_file says otherwise). */
  caFile: string | undefined;
  ldap: LdapConfig | undefined;
  canary: CanaryConfig | undefined;
}

export type TrustType = 'forest' | 'external';

export interface TrustConfig {
  /** The side that holds the resources. */
  trusting: string;
  /** The side whose accounts are trusted. */
  trusted: string;
  twoWay: boolean;
  type: TrustType;
  /** The service the canary asks for in each resource domain (`ldap/<a DC>` when not named). */
  services: Record<string, string>;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

/** Far above any real directory, below what a hostile server can make ldapts hold in one answer. */
const MAX_LDAP_ENTRIES = 100_000;

export interface Config {
  listen: Endpoint;
  /** The `vantage` label of every series (config `vantage:`, else the host name). */
  vantage: string;
  /** Age of a trust password from which it is a warning, then critical (30-day rotation missed once, twice). */
  trustPasswordWarningMs: number;
  trustPasswordCriticalMs: number;
  /** Time left before a DC's certificate expires from which it is a warning, then critical. */
  certificateWarningMs: number;
  certificateCriticalMs: number;
  schedule: Record<Family, string>;
  timeoutMs: number;
  concurrency: number;
  logLevel: LogLevel;
  domains: Map<string, DomainConfig>;
  trusts: TrustConfig[];
  preauthAllow: string[];
  limits: Limits;
  /** Where rejected credentials are remembered across processes; undefined: in memory only. */
  stateFile: string | undefined;
}

export interface ConfigProblem {
  path: string;
  line: number | undefined;
  message: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(problems.map((problem) => formatProblem(file, problem)).join('\n'));
    this.name = 'ConfigError';
  }
}

export function formatProblem(file: string, problem: ConfigProblem): string {
  const where = problem.line === undefined ? file : `${file}:${problem.line}`;
  return problem.path === '' ? `${where}: ${problem.message}` : `${where}: ${problem.path}: ${problem.message}`;
}

// ---- schema ----

function text<T>(expects: string, parse: (value: string) => { ok: true; value: T } | { ok: false; reason: string }) {
  return z.string({ invalid_type_error: `expected ${expects}` }).transform((value, ctx): T => {
    const parsed = parse(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: parsed.reason });
      return z.NEVER;
    }
    return parsed.value;
  });
}

const domainName = text('a domain name such as tailspin.test', (value) =>
  isHostName(value) && isIP(value) === 0 && value.includes('.')
    ? { ok: true as const, value: value.toLowerCase().replace(/\.$/, '') }
    : { ok: false as const, reason: `"${value}" is not a DNS domain name such as tailspin.test` },
);

const cronExpression = text('a cron expression in quotes, such as "*/1 * * * *"', (value) => {
  const result = cron.validateDetailed(value);
  if (result.valid) return { ok: true as const, value };
  const why = result.errors.map((error) => error.message).join('; ');
  return { ok: false as const, reason: `"${value}" is not a cron expression: ${why}` };
});

const endpoint = (defaultPort: number | undefined) =>
  text('host or host:port', (value) => parseHostPort(value, defaultPort));

function parseListen(value: string): Parsed<Endpoint> {
  const parsed = parseHostPort(value.startsWith(':') ? `0.0.0.0${value}` : value);
  if (!parsed.ok) return parsed;
  const { host, port } = parsed.value;
  if (port === undefined) return { ok: false, reason: `"${host}" needs a port, such as ${host}:9788` };
  return { ok: true, value: { host, port } };
}

const INLINE_PASSWORD =
  'a password written inline is not accepted: put it in a file (password_file) or name an environment variable (password_env)';

const passwordEnv = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name such as ADTRUST_TAILSPIN_PASSWORD');

const ldapSchema = z
  .object({
    url: text('an LDAP URL such as ldaps://dc1.tailspin.test', (value) =>
      /^ldaps?:\/\/[^/\s]+\/?$/i.test(value)
        ? { ok: true as const, value }
        : { ok: false as const, reason: `"${value}" is not an LDAP URL such as ldaps://dc1.tailspin.test` },
    ),
    bind_dn: z.string().min(1),
    password_file: z.string().min(1).optional(),
    password_env: passwordEnv.optional(),
    ca_file: z.string().min(1).optional(),
    starttls: z.boolean().default(true),
    allow_plain_bind: z.boolean().default(false),
    server_name: z.string().min(1).optional(),
    base_dn: z.string().min(1).optional(),
  })
  .strict()
  .superRefine(onePasswordSource);

/** A password comes from exactly one place, never from the config itself. */
function onePasswordSource(
  source: { password_file?: string | undefined; password_env?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (source.password_file === undefined && source.password_env === undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'needs password_file or password_env' });
  }
  if (source.password_file !== undefined && source.password_env !== undefined) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'give password_file or password_env, not both' });
  }
}

/**
 * `canary@TAILSPIN.TEST`, or `canary` (the realm is then the domain's). Not the down-level
 * `TAILSPIN\canary`: the KDC would look for an account named with the backslash.
 */
const PRINCIPAL = /^([^@/\\\s]+)(?:@([A-Za-z0-9.-]+))?$/;

const canarySchema = z
  .object({
    user: z.string().regex(PRINCIPAL, 'must be a user principal such as canary@TAILSPIN.TEST'),
    password_file: z.string().min(1).optional(),
    password_env: passwordEnv.optional(),
    keytab_file: z.string().min(1).optional(),
  })
  .strict()
  .superRefine((canary, ctx) => {
    const sources = [canary.password_file, canary.password_env, canary.keytab_file].filter((s) => s !== undefined);
    if (sources.length === 0)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'needs password_file, password_env or keytab_file' });
    if (sources.length > 1)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'give one of password_file, password_env and keytab_file, not several',
      });
  });

/** A service principal name without realm: `service/host`. */
const SPN = /^[A-Za-z][A-Za-z0-9-]*\/[A-Za-z0-9.-]+(?::\d+)?$/;

const domainSchema = z
  .object({
    forest: domainName.optional(),
    dns_servers: z.array(endpoint(53)).default([]),
    dcs: z.array(endpoint(undefined)).default([]),
    ca_file: z.string().min(1).optional(),
    ldap: ldapSchema.optional(),
    canary: canarySchema.optional(),
  })
  .strict();

const trustSchema = z
  .object({
    between: z.array(domainName).length(2, 'must name exactly two domains').optional(),
    trusting: domainName.optional(),
    trusted: domainName.optional(),
    type: z.enum(['forest', 'external']),
    service: z
      .record(z.string(), z.string().regex(SPN, 'must be a service principal name such as cifs/fs1.wingtip.test'))
      .default({}),
  })
  .strict()
  .superRefine((trust, ctx) => {
    const oneWay = trust.trusting !== undefined || trust.trusted !== undefined;
    if (trust.between !== undefined && oneWay) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'give either between (two-way) or trusting and trusted (one-way), not both',
      });
    } else if (trust.between === undefined && !oneWay) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        message: 'needs between: [a, b] (two-way) or trusting and trusted (one-way)',
      });
    } else if (oneWay && (trust.trusting === undefined || trust.trusted === undefined)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'a one-way trust needs both trusting and trusted' });
    }
    const [a, b] = trust.between ?? [trust.trusting, trust.trusted];
    if (a !== undefined && a === b) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `a trust needs two different domains, got ${a} twice` });
    }
  });

/** A bound under `limits:`: a whole number from 1 to `max` (1,000,000 unless said). */
function bound(fallback: number, max = 1_000_000) {
  return z
    .number()
    .int({ message: `must be a whole number (such as ${fallback})` })
    .min(1)
    .max(max)
    .default(fallback);
}

const fileSchema = z
  .object({
    // ":9788" means every IPv4 address, as in Prometheus' own flags.
    listen: text('host:port', parseListen).default('0.0.0.0:9788'),
    // Where the probes run from: the `vantage` label of every series. The host name by default.
    vantage: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'must be a name such as dc-site-a: letters, digits, ".", "_", "-"')
      .optional(),
    schedule: z
      .object({
        dns: cronExpression.default('*/1 * * * *'),
        ports: cronExpression.default('*/1 * * * *'),
        // Protocol probes were part of ports until they became their own family: same default.
        protocols: cronExpression.default('*/1 * * * *'),
        ldap: cronExpression.default('*/15 * * * *'),
        // Each run is a real logon per trust direction, in the DCs' security logs: not every minute.
        auth: cronExpression.default('*/5 * * * *'),
      })
      .strict()
      .default({}),
    timeout: text('a duration such as 5s', parseDuration).default('5s'),
    certificate_expiry: z
      .object({
        warning_before: text('a duration such as 30d', parseDuration).default('30d'),
        critical_before: text('a duration such as 7d', parseDuration).default('7d'),
      })
      .strict()
      .default({}),
    trust_password: z
      .object({
        warning_age: text('a duration such as 45d', parseDuration).default('45d'),
        critical_age: text('a duration such as 60d', parseDuration).default('60d'),
      })
      .strict()
      .default({}),
    concurrency: z.number().int().min(1).max(10_000).default(DEFAULT_CONCURRENCY),
    log_level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
    state_file: z.string().min(1).optional(),
    domains: z.record(z.string(), domainSchema),
    trusts: z.array(trustSchema).default([]),
    preauth: z
      .object({
        allow: z
          .array(z.string().regex(/^[^/\s]+\/[^/\s]+$/, 'must be domain/account, such as tailspin.test/svc_legacy'))
          .default([]),
      })
      .strict()
      .default({}),
    // What one run may take from the network: see docs/configuration.md for why each default.
    limits: z
      .object({
        dcs_per_domain: bound(50),
        dns_answers_per_reply: bound(100),
        findings_per_run: bound(20_000),
        ldap_entries_per_search: bound(20_000, MAX_LDAP_ENTRIES),
        rpc_ports_per_dc: bound(10),
        trusted_domain_objects: bound(1_000, MAX_LDAP_ENTRIES),
      })
      .strict()
      .default({}),
  })
  .strict();

type FileConfig = z.infer<typeof fileSchema>;

// ---- loading ----

/** The first existing default path, or the first default when none exists (so the error names it). */
export function resolveConfigPath(explicit: string | undefined, exists: (path: string) => boolean): string {
  if (explicit !== undefined) return explicit;
  return DEFAULT_CONFIG_PATHS.find(exists) ?? (DEFAULT_CONFIG_PATHS[0] as string);
}

export interface SecretSources {
  readFile(path: string): string;
  /** A canary's keytab; readKeytabFile when not given. */
  readKeytab?: (path: string) => Buffer;
  env: Record<string, string | undefined>;
}

const realSecretSources: SecretSources = {
  readFile: readSecretFile,
  env: process.env,
};

/** A password file holds one line; anything larger is not a password file. */
export const MAX_SECRET_FILE_BYTES = 4096;

/** Why a secret file was refused before any of its content was used. */
export class SecretFileError extends Error {
  override name = 'SecretFileError';
}

function describeFileType(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Reads a secret file without trusting what the path names: opened non-blocking (a FIFO
 * with no writer must not hang the agent), checked with fstat to be a regular file of at
 * most MAX_SECRET_FILE_BYTES, and read no further than that bound whatever fstat said.
 */
export function readSecretFile(path: string): string {
  return readGuardedFile(path, MAX_SECRET_FILE_BYTES, 'a password file').toString('utf8');
}

/** A keytab of a few principals is a few hundred bytes; a whole host's is still far below this. */
export const MAX_KEYTAB_FILE_BYTES = 64 * 1024;

/** A canary's keytab, read as guardedly as a password file. */
export function readKeytabFile(path: string): Buffer {
  return readGuardedFile(path, MAX_KEYTAB_FILE_BYTES, 'a keytab');
}

function readGuardedFile(path: string, max: number, what: string): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new SecretFileError(`is ${describeFileType(stats)}, not a regular file`);
    if (stats.size > max) throw new SecretFileError(`is ${stats.size} bytes, more than the ${max} ${what} may hold`);
    const buffer = Buffer.alloc(max + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > max) throw new SecretFileError(`holds more than the ${max} bytes ${what} may hold`);
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

export function loadConfigFile(file: string, secrets: SecretSources = realSecretSources): Config {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [
      { path: '', line: undefined, message: `cannot read the config file: ${describeFsError(error)}` },
    ]);
  }
  return parseConfig(source, file, secrets);
}

/** Aliased nodes one YAML file may expand to: a config has none or a handful; a "billion laughs" file has millions. */
export const MAX_YAML_ALIAS_COUNT = 100;

/** A YAML file parsed to plain values, with a way to find the line of any path in it. */
export interface YamlSource {
  raw: unknown;
  lineOf: (path: Segments) => number | undefined;
}

/** Parses YAML text; every syntax error, and an alias bomb, becomes a ConfigError naming its line. */
export function parseYaml(source: string, file: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((error) => ({
        path: '',
        line: lines.linePos(error.pos[0]).line,
        message: `YAML syntax error: ${error.message.split('\n')[0] ?? error.code}`,
      })),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (error) {
    // The yaml package throws a ReferenceError when aliases expand past maxAliasCount.
    if (!(error instanceof ReferenceError)) throw error;
    let firstAlias: number | undefined;
    visit(doc, {
      Alias: (_key, node) => {
        if (node.range) firstAlias = lines.linePos(node.range[0]).line;
        return visit.BREAK;
      },
    });
    throw new ConfigError(file, [
      {
        path: '',
        line: firstAlias,
        message: `YAML aliases expand to more than ${MAX_YAML_ALIAS_COUNT} nodes: refused as a resource exhaustion attack (write the values out instead of aliasing them)`,
      },
    ]);
  }
  // The line of a mapping's key, not of its value: a block value starts on the next line.
  const keyLine = (path: Segments): number | undefined => {
    const parent: unknown = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[path.length - 1]);
    return isNode(pair?.key) && pair.key.range ? lines.linePos(pair.key.range[0]).line : undefined;
  };
  const lineOf = (path: Segments): number | undefined => {
    for (let depth = path.length; depth >= 0; depth--) {
      const at = path.slice(0, depth);
      const key = depth > 0 ? keyLine(at) : undefined;
      if (key !== undefined) return key;
      const node: unknown = doc.getIn(at, true);
      if (isNode(node) && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { raw, lineOf };
}

/** Every issue zod found, in the config's words, sorted by line. */
export function describeIssues(issues: z.ZodIssue[], yaml: YamlSource): ConfigProblem[] {
  return byLine(issues.flatMap((issue) => describeIssue(issue, yaml.raw, yaml.lineOf)));
}

export function parseConfig(source: string, file: string, secrets: SecretSources = realSecretSources): Config {
  const yaml = parseYaml(source, file);
  const { raw, lineOf } = yaml;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [
      { path: '', line: undefined, message: 'the config must be a YAML mapping with at least a domains: section' },
    ]);
  }

  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(file, describeIssues(result.error.issues, yaml));
  }
  const problems = crossCheck(result.data).map((problem) => ({ ...problem, line: lineOf(problem.segments) }));
  const config = problems.length === 0 ? toConfig(result.data, dirname(file), problems, secrets, lineOf) : undefined;
  if (problems.length > 0 || config === undefined) {
    throw new ConfigError(file, byLine(problems.map(({ path, line, message }) => ({ path, line, message }))));
  }
  return config;
}

export type Segments = (string | number)[];

function byLine(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

export function formatPath(segments: Segments): string {
  return segments
    .map((segment, index) => (typeof segment === 'number' ? `[${segment}]` : index === 0 ? segment : `.${segment}`))
    .join('');
}

function valueAt(root: unknown, segments: Segments): unknown {
  let current = root;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text "${value}"`;
  return `${typeof value} ${JSON.stringify(value)}`;
}

const EXPECTED: Record<string, string> = {
  string: 'a text value',
  number: 'a number',
  array: 'a list',
  object: 'a mapping',
  boolean: 'true or false',
};

function describeIssue(
  issue: z.ZodIssue,
  raw: unknown,
  lineOf: (path: Segments) => number | undefined,
): ConfigProblem[] {
  const segments = issue.path;
  const at = (path: Segments, message: string): ConfigProblem => ({
    path: formatPath(path),
    line: lineOf(path),
    message,
  });
  switch (issue.code) {
    case z.ZodIssueCode.unrecognized_keys:
      return issue.keys.map((key) => {
        const path = [...segments, key];
        if (key === 'password' && segments[segments.length - 1] === 'ldap') return at(path, INLINE_PASSWORD);
        return at(path, `unknown key "${key}"`);
      });
    case z.ZodIssueCode.invalid_type: {
      if (issue.received === 'undefined') return [at(segments, 'is required')];
      const got = describeValue(valueAt(raw, segments));
      const expected = ownMessage(issue) ?? `expected ${EXPECTED[issue.expected] ?? issue.expected}`;
      return [at(segments, `${expected}, got ${got}`)];
    }
    case z.ZodIssueCode.invalid_enum_value:
      return [at(segments, `must be one of ${issue.options.join(', ')}, got "${String(issue.received)}"`)];
    case z.ZodIssueCode.too_small:
      if (ownMessage(issue) !== undefined) return [at(segments, issue.message)];
      if (issue.type === 'string') return [at(segments, 'must not be empty')];
      if (issue.type === 'array') return [at(segments, `must list at least ${String(issue.minimum)}`)];
      return [at(segments, `must be at least ${String(issue.minimum)}`)];
    case z.ZodIssueCode.too_big:
      if (ownMessage(issue) !== undefined) return [at(segments, issue.message)];
      if (issue.type === 'array') return [at(segments, `must list at most ${String(issue.maximum)}`)];
      return [at(segments, `must be at most ${String(issue.maximum)}`)];
    default:
      return [at(segments, issue.message)];
  }
}

/** The message the schema gave, or undefined where zod's generic English stands. */
function ownMessage(issue: z.ZodIssue): string | undefined {
  return /^(Expected|Required|Invalid|String must|Array must|Number must)/.test(issue.message)
    ? undefined
    : issue.message;
}

interface PendingProblem {
  path: string;
  segments: Segments;
  line: number | undefined;
  message: string;
}

function problem(segments: Segments, message: string): PendingProblem {
  return { path: formatPath(segments), segments, line: undefined, message };
}

/** Rules that span several keys. */
function crossCheck(file: FileConfig): PendingProblem[] {
  const problems: PendingProblem[] = [];
  const names = Object.keys(file.domains);
  if (names.length === 0) problems.push(problem(['domains'], 'names no domain: add at least one'));
  for (const name of names) {
    if (!domainNameOk(name))
      problems.push(problem(['domains', name], `"${name}" is not a DNS domain name such as tailspin.test`));
  }
  const configured = new Set(names.map((name) => name.toLowerCase()));
  file.trusts.forEach((trust, index) => {
    const sides = trust.between ?? [trust.trusting, trust.trusted];
    const known = sides.filter((side): side is string => side !== undefined && configured.has(side));
    if (sides.every((side) => side !== undefined) && known.length === 0) {
      problems.push(
        problem(
          ['trusts', index],
          `neither ${sides.join(' nor ')} is configured under domains, so nothing of this trust can be checked`,
        ),
      );
    }
  });
  if (file.certificate_expiry.warning_before <= file.certificate_expiry.critical_before) {
    problems.push(problem(['certificate_expiry', 'warning_before'], 'must be longer than critical_before'));
  }
  if (file.trust_password.warning_age >= file.trust_password.critical_age) {
    problems.push(problem(['trust_password', 'warning_age'], 'must be shorter than critical_age'));
  }
  for (const [name, domain] of Object.entries(file.domains)) {
    const ldap = domain.ldap;
    if (ldap && /^ldap:\/\//i.test(ldap.url) && !ldap.starttls && !ldap.allow_plain_bind) {
      problems.push(
        problem(
          ['domains', name, 'ldap', 'starttls'],
          'is false on a plain ldap:// URL, so the bind password would cross the network in clear: use ldaps://, keep starttls, or set allow_plain_bind: true to accept that',
        ),
      );
    }
  }
  for (const [name, domain] of Object.entries(file.domains)) {
    const realm = domain.canary === undefined ? undefined : PRINCIPAL.exec(domain.canary.user)?.[2];
    if (realm !== undefined && realm.toLowerCase() !== name.toLowerCase().replace(/\.$/, ''))
      problems.push(
        problem(
          ['domains', name, 'canary', 'user'],
          `is in realm ${realm}, not ${name.toUpperCase()}: the canary of a domain is one of its own users`,
        ),
      );
  }
  file.trusts.forEach((trust, index) => {
    // The canary asks for a service of the side whose resources the trust opens.
    const resources = trust.between ?? [trust.trusting];
    for (const domain of Object.keys(trust.service)) {
      // Written as under domains: any case, a trailing dot allowed (the sides are already normalised).
      if (!resources.some((side) => side === domain.toLowerCase().replace(/\.$/, '')))
        problems.push(
          problem(
            ['trusts', index, 'service', domain],
            `${domain} holds no resources this trust opens: name a service of ${resources.join(' or ')}`,
          ),
        );
    }
  });
  file.preauth.allow.forEach((entry, index) => {
    const domain = entry.split('/')[0]?.toLowerCase() ?? '';
    if (!configured.has(domain))
      problems.push(problem(['preauth', 'allow', index], `domain "${domain}" is not configured under domains`));
  });
  return problems;
}

function domainNameOk(name: string): boolean {
  return isHostName(name) && isIP(name) === 0 && name.includes('.');
}

function toConfig(
  file: FileConfig,
  baseDir: string,
  problems: PendingProblem[],
  secrets: SecretSources,
  lineOf: (path: Segments) => number | undefined,
): Config | undefined {
  const domains = new Map<string, DomainConfig>();
  for (const [rawName, domain] of Object.entries(file.domains)) {
    const name = rawName.toLowerCase().replace(/\.$/, '');
    let ldap: LdapConfig | undefined;
    if (domain.ldap !== undefined) {
      const password = readPassword(domain.ldap, baseDir, ['domains', rawName, 'ldap'], secrets);
      if (password instanceof Secret) {
        const ldapCa = domain.ldap.ca_file ?? domain.ca_file;
        const caFile = ldapCa === undefined ? undefined : resolve(baseDir, ldapCa);
        ldap = {
          url: domain.ldap.url,
          bindDn: domain.ldap.bind_dn,
          password,
          caFile,
          startTls: domain.ldap.starttls,
          allowPlainBind: domain.ldap.allow_plain_bind,
          serverName: domain.ldap.server_name,
          baseDn:
            domain.ldap.base_dn ??
            name
              .split('.')
              .map((label) => `DC=${label}`)
              .join(','),
        };
      } else {
        problems.push({ ...password, line: lineOf(password.segments) });
      }
    }
    let canary: CanaryConfig | undefined;
    if (domain.canary !== undefined) {
      const at = ['domains', rawName, 'canary'];
      const secret =
        domain.canary.keytab_file === undefined
          ? readPassword(domain.canary, baseDir, at, secrets)
          : readKeytab(domain.canary.keytab_file, baseDir, at, secrets);
      const [, user = '', realm = name.toUpperCase()] = PRINCIPAL.exec(domain.canary.user) ?? [];
      if (secret instanceof Secret)
        canary = { user, realm: realm.toUpperCase(), secret: { kind: 'password', value: secret } };
      else if ('file' in secret) canary = { user, realm: realm.toUpperCase(), secret: { kind: 'keytab', ...secret } };
      else problems.push({ ...secret, line: lineOf(secret.segments) });
    }
    domains.set(name, {
      name,
      forest: domain.forest ?? name,
      dnsServers: domain.dns_servers.map(({ host, port }) => ({ host, port: port ?? 53 })),
      dcs: domain.dcs,
      caFile: domain.ca_file === undefined ? undefined : resolve(baseDir, domain.ca_file),
      ldap,
      canary,
    });
  }
  if (problems.length > 0) return undefined;
  return {
    listen: file.listen,
    vantage: file.vantage ?? hostname(),
    trustPasswordWarningMs: file.trust_password.warning_age,
    trustPasswordCriticalMs: file.trust_password.critical_age,
    certificateWarningMs: file.certificate_expiry.warning_before,
    certificateCriticalMs: file.certificate_expiry.critical_before,
    schedule: file.schedule,
    timeoutMs: file.timeout,
    concurrency: file.concurrency,
    logLevel: file.log_level,
    domains,
    trusts: file.trusts.map((trust) => {
      const [trusting, trusted] = (trust.between ?? [trust.trusting, trust.trusted]) as [string, string];
      const services = Object.fromEntries(
        Object.entries(trust.service).map(([domain, spn]) => [domain.toLowerCase().replace(/\.$/, ''), spn]),
      );
      return { trusting, trusted, twoWay: trust.between !== undefined, type: trust.type, services };
    }),
    preauthAllow: file.preauth.allow,
    limits: {
      dcsPerDomain: file.limits.dcs_per_domain,
      dnsAnswersPerReply: file.limits.dns_answers_per_reply,
      findingsPerRun: file.limits.findings_per_run,
      ldapEntriesPerSearch: file.limits.ldap_entries_per_search,
      rpcPortsPerDc: file.limits.rpc_ports_per_dc,
      trustedDomainObjects: file.limits.trusted_domain_objects,
    },
    stateFile: stateFileOf(file.state_file, baseDir, secrets.env),
  };
}

/** The config's state_file, else one in systemd's StateDirectory (the unit sets it), else none. */
function stateFileOf(configured: string | undefined, baseDir: string, env: SecretSources['env']): string | undefined {
  if (configured !== undefined) return resolve(baseDir, configured);
  const directory = env['STATE_DIRECTORY']?.split(':')[0];
  return directory === undefined || directory === '' ? undefined : resolve(directory, 'rejected-credentials.json');
}

/** Relative paths in the config are relative to the config file, not to the working directory. */
function readPassword(
  source: { password_file?: string | undefined; password_env?: string | undefined },
  baseDir: string,
  at: Segments,
  secrets: SecretSources,
): Secret | PendingProblem {
  if (source.password_env !== undefined) {
    const value = secrets.env[source.password_env];
    if (value === undefined || value === '')
      return problem([...at, 'password_env'], `environment variable ${source.password_env} is not set or empty`);
    return new Secret(value);
  }
  const path = resolve(baseDir, source.password_file as string);
  let content: string;
  try {
    content = secrets.readFile(path);
  } catch (error) {
    if (error instanceof SecretFileError) return problem([...at, 'password_file'], `${path} ${error.message}`);
    return problem([...at, 'password_file'], `cannot read ${path}: ${describeFsError(error)}`);
  }
  // Never quote the content: it is the password, or whatever the path named instead.
  if (content.length > MAX_SECRET_FILE_BYTES)
    return problem(
      [...at, 'password_file'],
      `${path} holds more than the ${MAX_SECRET_FILE_BYTES} bytes a password file may hold`,
    );
  const value = content.replace(/\r?\n$/, '');
  if (value === '') return problem([...at, 'password_file'], `${path} is empty`);
  if (/[\r\n]/.test(value))
    return problem(
      [...at, 'password_file'],
      `${path} holds more than one line: a password file holds the password alone, on one line`,
    );
  return new Secret(value);
}

/** A canary's keytab: its bytes (base64, in a Secret); what they hold is the auth family's to read. */
function readKeytab(
  file: string,
  baseDir: string,
  at: Segments,
  secrets: SecretSources,
): { file: string; value: Secret } | PendingProblem {
  const path = resolve(baseDir, file);
  try {
    const bytes = (secrets.readKeytab ?? readKeytabFile)(path);
    if (bytes.length === 0) return problem([...at, 'keytab_file'], `${path} is empty`);
    return { file: path, value: new Secret(bytes.toString('base64')) };
  } catch (error) {
    if (error instanceof SecretFileError) return problem([...at, 'keytab_file'], `${path} ${error.message}`);
    return problem([...at, 'keytab_file'], `cannot read ${path}: ${describeFsError(error)}`);
  }
}

export function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    default:
      return code ?? String(error);
  }
}

/**
 * Equal for two configs that would do the same: every setting, and a digest of each
 * secret (so a rotated password counts as a change). Held in memory only, never printed.
 */
export function configFingerprint(config: Config): string {
  const canonical = (value: unknown): unknown => {
    if (value instanceof Secret) return { secret: createHash('sha256').update(value.reveal()).digest('hex') };
    if (value instanceof Map)
      return [...(value as Map<unknown, unknown>).entries()].map(([key, entry]) => [key, canonical(entry)]);
    if (Array.isArray(value)) return value.map(canonical);
    if (value !== null && typeof value === 'object')
      return Object.entries(value).map(([key, entry]) => [key, canonical(entry)]);
    return value;
  };
  return createHash('sha256')
    .update(JSON.stringify(canonical(config)))
    .digest('hex');
}

export function describeTrust(trust: TrustConfig): string {
  return trust.twoWay ? `${trust.trusting} <-> ${trust.trusted}` : `${trust.trusting} -> ${trust.trusted}`;
}
