// The web config file of `--web.config.file`, in the format of the Prometheus exporters
// (prometheus/exporter-toolkit): TLS for the HTTP server and basic auth users with bcrypt
// hashes. Validated like the main config: every problem as `file:line: path: message`.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { z } from 'zod';
import {
  ConfigError,
  describeFsError,
  describeIssues,
  formatPath,
  parseYaml,
  type ConfigProblem,
  type Segments,
} from './config.js';

/** exporter-toolkit's names of Go's client authentication policies. */
export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
type TlsVersionName = keyof typeof TLS_VERSIONS;

/** $2a$, $2b$ or $2y$, a cost of 04 to 31, then 22 characters of salt and 31 of hash. */
const BCRYPT_HASH = /^\$2[aby]\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

export interface WebTlsConfig {
  /** PEM text, read when the web config is loaded. */
  cert: Buffer;
  key: Buffer;
  clientCa: Buffer | undefined;
  clientAuthType: ClientAuthType;
  minVersion: (typeof TLS_VERSIONS)[TlsVersionName];
  maxVersion: (typeof TLS_VERSIONS)[TlsVersionName] | undefined;
}

export interface WebConfig {
  tls: WebTlsConfig | undefined;
  /** User name -> bcrypt hash; empty means no authentication. */
  basicAuthUsers: Map<string, string>;
}

const tlsVersion = z.enum(Object.keys(TLS_VERSIONS) as [TlsVersionName, ...TlsVersionName[]]);

const webSchema = z
  .object({
    tls_server_config: z
      .object({
        cert_file: z.string().min(1).optional(),
        key_file: z.string().min(1).optional(),
        client_auth_type: z.enum(CLIENT_AUTH_TYPES).default('NoClientCert'),
        client_ca_file: z.string().min(1).optional(),
        min_version: tlsVersion.default('TLS12'),
        max_version: tlsVersion.optional(),
      })
      .strict()
      .optional(),
    basic_auth_users: z
      .record(
        z.string(),
        z
          .string({ invalid_type_error: 'expected a bcrypt hash in quotes' })
          .regex(
            BCRYPT_HASH,
            'is not a bcrypt hash ($2y$, $2b$ or $2a$, a cost of 04 to 31, 53 characters after it): make one with `htpasswd -nBC 10 "" | tr -d \':\\n\'`',
          ),
      )
      .optional(),
  })
  .strict();

type WebFile = z.infer<typeof webSchema>;

/** Keys of the exporter-toolkit format that this agent does not implement: named as such, not as typos. */
const UNSUPPORTED_KEYS = new Set([
  'http_server_config',
  'rate_limit',
  'cert',
  'key',
  'client_ca',
  'cipher_suites',
  'curve_preferences',
  'prefer_server_cipher_suites',
  'client_allowed_sans',
]);

export function loadWebConfigFile(file: string): WebConfig {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [
      { path: '', line: undefined, message: `cannot read the web config file: ${describeFsError(error)}` },
    ]);
  }
  return parseWebConfig(source, file);
}

export function parseWebConfig(source: string, file: string): WebConfig {
  const yaml = parseYaml(source, file);
  // An empty file is a valid exporter-toolkit web config: plain HTTP, no authentication.
  const raw = yaml.raw ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(file, [
      {
        path: '',
        line: undefined,
        message: 'the web config must be a YAML mapping (tls_server_config, basic_auth_users)',
      },
    ]);
  }
  const result = webSchema.safeParse(raw);
  if (!result.success) {
    const problems = describeIssues(result.error.issues, yaml).map((problem) => {
      const key = /^unknown key "(.+)"$/.exec(problem.message)?.[1];
      return key !== undefined && UNSUPPORTED_KEYS.has(key)
        ? { ...problem, message: `"${key}" of the exporter-toolkit format is not supported by adtrust-agent` }
        : problem;
    });
    throw new ConfigError(file, problems);
  }
  const problems: ConfigProblem[] = [];
  const at = (segments: Segments, message: string): void => {
    problems.push({ path: formatPath(segments), line: yaml.lineOf(segments), message });
  };
  for (const user of Object.keys(result.data.basic_auth_users ?? {})) {
    if (user === '' || user.includes(':'))
      at(['basic_auth_users', user], 'a basic auth user name must not be empty nor contain ":"');
  }
  const tls = toTls(result.data, dirname(file), at);
  if (problems.length > 0)
    throw new ConfigError(
      file,
      problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)),
    );
  return { tls, basicAuthUsers: new Map(Object.entries(result.data.basic_auth_users ?? {})) };
}

const VERIFYING: ClientAuthType[] = ['VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];

function toTls(
  file: WebFile,
  baseDir: string,
  at: (segments: Segments, message: string) => void,
): WebTlsConfig | undefined {
  const tls = file.tls_server_config;
  if (tls === undefined) return undefined;
  const where: Segments = ['tls_server_config'];
  if (tls.cert_file === undefined || tls.key_file === undefined) {
    at(where, 'needs both cert_file and key_file');
    return undefined;
  }
  if (VERIFYING.includes(tls.client_auth_type) && tls.client_ca_file === undefined) {
    at(
      [...where, 'client_auth_type'],
      `${tls.client_auth_type} needs client_ca_file, the CA that issues the client certificates`,
    );
  }
  if (tls.client_ca_file !== undefined && !VERIFYING.includes(tls.client_auth_type)) {
    at(
      [...where, 'client_ca_file'],
      `is given but client_auth_type ${tls.client_auth_type} does not verify client certificates: use VerifyClientCertIfGiven or RequireAndVerifyClientCert`,
    );
  }
  const minVersion = TLS_VERSIONS[tls.min_version];
  const maxVersion = tls.max_version === undefined ? undefined : TLS_VERSIONS[tls.max_version];
  if (tls.max_version !== undefined && tls.max_version < tls.min_version)
    at([...where, 'max_version'], `${tls.max_version} is below min_version ${tls.min_version}`);
  const read = (key: 'cert_file' | 'key_file' | 'client_ca_file', name: string | undefined): Buffer | undefined => {
    if (name === undefined) return undefined;
    const path = resolve(baseDir, name);
    try {
      return readFileSync(path);
    } catch (error) {
      at([...where, key], `cannot read ${path}: ${describeFsError(error)}`);
      return undefined;
    }
  };
  const cert = read('cert_file', tls.cert_file);
  const key = read('key_file', tls.key_file);
  const clientCa = read('client_ca_file', tls.client_ca_file);
  if (cert === undefined || key === undefined) return undefined;
  try {
    // Fails here, with OpenSSL's reason, on a file that is not PEM or a key that does not match the certificate.
    createSecureContext({ cert, key, ...(clientCa === undefined ? {} : { ca: clientCa }) });
  } catch (error) {
    at(
      where,
      `cert_file and key_file${clientCa === undefined ? '' : ' and client_ca_file'} do not make a usable TLS setup: ${error instanceof Error ? error.message : String(error)}`,
    );
    return undefined;
  }
  return { cert, key, clientCa, clientAuthType: tls.client_auth_type, minVersion, maxVersion };
}
