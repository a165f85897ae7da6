// The web config file (--web.config.file), format of the Prometheus exporters: one
// invalid fixture per kind of error with the exact message, and the valid files.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../../agent/config/config.js';
import { loadWebConfigFile } from '../../../agent/config/web-config.js';
import { runProbe } from '../../support/cli.js';

const FIXTURES = 'test/fixtures/web-config';

function problemsOf(name: string): string[] {
  const file = `${FIXTURES}/invalid/${name}.yml`;
  try {
    loadWebConfigFile(file);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message.split('\n').map((line) => line.replace(`${file}:`, ''));
  }
  assert.fail(`${file} was accepted`);
}

const INVALID: Record<string, string[]> = {
  'typo-key': ['1: basic_auth_user: unknown key "basic_auth_user"'],
  'unknown-key': [
    '4: tls_server_config.client_allowed_sans: "client_allowed_sans" of the exporter-toolkit format is not supported by adtrust-agent',
  ],
  'not-a-mapping': [' the web config must be a YAML mapping (tls_server_config, basic_auth_users)'],
  'not-a-bcrypt-hash': [
    '2: basic_auth_users.prometheus: is not a bcrypt hash ($2y$, $2b$ or $2a$, a cost of 04 to 31, 53 characters after it): make one with `htpasswd -nBC 10 "" | tr -d \':\\n\'`',
  ],
  'hash-not-text': ['2: basic_auth_users.prometheus: expected a bcrypt hash in quotes, got a list'],
  'user-with-colon': ['2: basic_auth_users.prom:etheus: a basic auth user name must not be empty nor contain ":"'],
  'cert-without-key': ['1: tls_server_config: needs both cert_file and key_file'],
  'unreadable-cert': ['3: tls_server_config.key_file: cannot read /nonexistent/adtrust/web.key: no such file'],
  'not-pem': [
    '1: tls_server_config: cert_file and key_file do not make a usable TLS setup: error:0480006C:PEM routines::no start line',
  ],
  'bad-client-auth-type': [
    '4: tls_server_config.client_auth_type: must be one of NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert, got "RequireClientCert"',
  ],
  'verify-without-ca': [
    '4: tls_server_config.client_auth_type: RequireAndVerifyClientCert needs client_ca_file, the CA that issues the client certificates',
  ],
  'ca-without-verify': [
    '4: tls_server_config.client_ca_file: is given but client_auth_type NoClientCert does not verify client certificates: use VerifyClientCertIfGiven or RequireAndVerifyClientCert',
  ],
  'bad-min-version': ['4: tls_server_config.min_version: must be one of TLS10, TLS11, TLS12, TLS13, got "TLS1.2"'],
  'max-below-min': ['5: tls_server_config.max_version: TLS12 is below min_version TLS13'],
};

describe('web config: invalid files', () => {
  for (const [name, expected] of Object.entries(INVALID)) {
    it(`${name}: says exactly what is wrong and where`, () => {
      assert.deepEqual(problemsOf(name), expected);
    });
  }

  it('never repeats what stands where a hash should', () => {
    assert.ok(!problemsOf('not-a-bcrypt-hash').join('\n').includes('plain-text-password-Xy8'));
  });

  it('probe agent with a bad web config exits 3 and prints the problems, before it listens', async () => {
    const result = await runProbe([
      'agent',
      '--config',
      'test/fixtures/config/valid/minimal.yaml',
      '--web.config.file',
      `${FIXTURES}/invalid/max-below-min.yml`,
    ]);
    assert.equal(result.code, 3);
    assert.equal(
      result.stderr,
      `${FIXTURES}/invalid/max-below-min.yml:5: tls_server_config.max_version: TLS12 is below min_version TLS13\n`,
    );
  });
});

describe('web config: valid files', () => {
  it('reads every key, paths relative to the web config file', () => {
    const config = loadWebConfigFile(`${FIXTURES}/valid/full.yml`);
    assert.equal(config.tls?.clientAuthType, 'RequireAndVerifyClientCert');
    assert.equal(config.tls.minVersion, 'TLSv1.2');
    assert.equal(config.tls.maxVersion, 'TLSv1.3');
    assert.match(config.tls.cert.toString(), /^-----BEGIN CERTIFICATE-----/);
    assert.match(config.tls.clientCa?.toString() ?? '', /^-----BEGIN CERTIFICATE-----/);
    assert.deepEqual([...config.basicAuthUsers.keys()], ['prometheus']);
  });

  it('an empty file means plain HTTP without authentication, as in the exporters', () => {
    const config = loadWebConfigFile(`${FIXTURES}/valid/empty.yml`);
    assert.equal(config.tls, undefined);
    assert.equal(config.basicAuthUsers.size, 0);
  });
});
