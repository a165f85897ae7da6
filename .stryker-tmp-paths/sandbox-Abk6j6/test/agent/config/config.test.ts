// @ts-nocheck
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import {
  ConfigError,
  loadConfigFile,
  parseConfig,
  resolveConfigPath,
  type SecretSources,
} from '../../../agent/config/config.js';

const FIXTURES = 'test/fixtures/config';
const secrets: SecretSources = {
  readFile: (path) => readFileSync(path, 'utf8'),
  env: { TAILSPIN_PW: 'from-the-environment' },
};

function problemsOf(name: string): string[] {
  const file = `${FIXTURES}/invalid/${name}.yaml`;
  try {
    loadConfigFile(file, secrets);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message.split('\n').map((line) => line.replace(`${file}:`, ''));
  }
  assert.fail(`${file} was accepted`);
}

// One fixture per kind of error, each with the exact message a person reads.
const INVALID: Record<string, string[]> = {
  'yaml-syntax': [
    '4: YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]',
  ],
  'duplicate-key': ['3: YAML syntax error: Map keys must be unique'],
  'not-a-mapping': [' the config must be a YAML mapping with at least a domains: section'],
  'unknown-key': ['8: domains.wingtip.test.ldap.bind_timeout: unknown key "bind_timeout"'],
  'missing-domains': ['1: domains: is required'],
  'no-domains': ['1: domains: names no domain: add at least one'],
  'wrong-type': ['3: domains.tailspin.test.dns_servers: expected a list, got the text "198.51.100.10"'],
  'bad-duration': ['1: timeout: expected a duration such as 5s, 500ms or 2m, got "5 seconds"'],
  'bad-cron': ['2: schedule.dns: "every minute" is not a cron expression: expected 5 or 6 fields but got 2'],
  'bad-host-port': [
    '3: domains.tailspin.test.dns_servers[0]: "198.51.100.10:5x" is not host or host:port: port "5x" is not a number',
  ],
  'listen-without-port': ['1: listen: "127.0.0.1" needs a port, such as 127.0.0.1:9788'],
  'inline-password': [
    '4: domains.tailspin.test.ldap: needs password_file or password_env',
    '6: domains.tailspin.test.ldap.password: a password written inline is not accepted: put it in a file (password_file) or name an environment variable (password_env)',
  ],
  'two-password-sources': ['4: domains.tailspin.test.ldap: give password_file or password_env, not both'],
  'no-password-source': ['4: domains.tailspin.test.ldap: needs password_file or password_env'],
  'unreadable-password-file': [
    '6: domains.tailspin.test.ldap.password_file: cannot read /nonexistent/adtrust/tailspin.pw: no such file',
  ],
  'unset-password-env': [
    '6: domains.tailspin.test.ldap.password_env: environment variable ADTRUST_TEST_UNSET_VARIABLE is not set or empty',
  ],
  'bad-ldap-url': [
    '4: domains.tailspin.test.ldap.url: "https://dca.tailspin.test" is not an LDAP URL such as ldaps://dc1.tailspin.test',
  ],
  'bad-domain-name': ['2: domains.tailspin_test!: "tailspin_test!" is not a DNS domain name such as tailspin.test'],
  'bad-trust-type': ['5: trusts[0].type: must be one of forest, external, got "realm"'],
  'trust-both-shapes': ['4: trusts[0]: give either between (two-way) or trusting and trusted (one-way), not both'],
  'trust-one-side': ['4: trusts[0]: a one-way trust needs both trusting and trusted'],
  'trust-same-domain': ['4: trusts[0]: a trust needs two different domains, got tailspin.test twice'],
  'trust-three-domains': ['4: trusts[0].between: must name exactly two domains'],
  'trust-unconfigured': [
    '4: trusts[0]: neither wingtip.test nor fabrikam.test is configured under domains, so nothing of this trust can be checked',
  ],
  'bad-preauth-allow': ['4: preauth.allow[0]: must be domain/account, such as tailspin.test/svc_legacy'],
  'bad-concurrency': ['1: concurrency: must be at least 1'],
  'plain-bind': [
    '7: domains.tailspin.test.ldap.starttls: is false on a plain ldap:// URL, so the bind password would cross the network in clear: use ldaps://, keep starttls, or set allow_plain_bind: true to accept that',
  ],
  'password-ages': ['2: trust_password.warning_age: must be shorter than critical_age'],
  'several-at-once': [
    '1: timeout: must be longer than 0, got "0s"',
    '2: listen: "localhost" needs a port, such as localhost:9788',
    '5: domains.tailspin.test.dns_servers[0]: "198.51.100.10:0" is not host or host:port: port 0 is outside 1-65535',
    '6: domains.tailspin.test.dc: unknown key "dc"',
    '9: trusts[0].type: must be one of forest, external, got "Forest"',
  ],
};

describe('config: invalid files', () => {
  for (const [name, expected] of Object.entries(INVALID)) {
    it(`${name}: says exactly what is wrong and where`, () => {
      assert.deepEqual(problemsOf(name), expected);
    });
  }

  it('never repeats an inline password in its errors', () => {
    assert.ok(!problemsOf('inline-password').join('\n').includes('Hunter2-do-not-echo'));
  });
});

describe('config: valid files', () => {
  it('loads the example of product.md with its defaults and secret', () => {
    const config = loadConfigFile(`${FIXTURES}/valid/product-example.yaml`, secrets);
    assert.deepEqual(config.listen, { host: '0.0.0.0', port: 9788 });
    assert.equal(config.timeoutMs, 5000);
    assert.equal(config.concurrency, 512);
    assert.deepEqual(config.schedule, {
      dns: '*/1 * * * *',
      ports: '*/1 * * * *',
      protocols: '*/1 * * * *',
      ldap: '*/15 * * * *',
    });
    assert.deepEqual([...config.domains.keys()], ['tailspin.test', 'wingtip.test']);
    const tailspin = config.domains.get('tailspin.test');
    assert.ok(tailspin);
    assert.deepEqual(tailspin.dnsServers, [{ host: '198.51.100.10', port: 53 }]);
    assert.deepEqual(tailspin.dcs, [{ host: 'dca.tailspin.test', port: undefined }]);
    assert.equal(tailspin.forest, 'tailspin.test');
    assert.deepEqual(config.trusts, [
      { trusting: 'tailspin.test', trusted: 'wingtip.test', twoWay: true, type: 'forest' },
      { trusting: 'tailspin.test', trusted: 'partner.example', twoWay: false, type: 'external' },
    ]);
    // password_file is relative to the config file, and the secret never prints.
    const password = tailspin.ldap?.password;
    assert.equal(password?.reveal(), 'not-the-real-password-s3cret');
    const printed = [String(password), JSON.stringify(tailspin), inspect(tailspin, { depth: 5 })].join('\n');
    assert.ok(!printed.includes('s3cret'), printed);
    assert.ok(printed.includes('<redacted>'));
  });

  it('accepts host, host:port and [v6]:port for DNS servers', () => {
    const config = loadConfigFile(`${FIXTURES}/valid/minimal.yaml`, secrets);
    assert.deepEqual(config.domains.get('tailspin.test')?.dnsServers, [
      { host: '127.0.0.1', port: 5353 },
      { host: '::1', port: 53 },
      { host: '198.51.100.10', port: 53 },
    ]);
    assert.deepEqual(config.trusts, []);
  });

  it('takes the password from password_env', () => {
    const file = `${FIXTURES}/invalid/bad-ldap-url.yaml`;
    const text = readFileSync(file, 'utf8').replace('https://', 'ldaps://');
    const config = parseConfig(text, 'inline.yaml', secrets);
    assert.equal(config.domains.get('tailspin.test')?.ldap?.password.reveal(), 'from-the-environment');
  });

  it("a domain's ca_file serves its TLS checks and, unless ldap.ca_file says otherwise, its bind", () => {
    const yaml = (ldapCa: string) =>
      `domains:\n  tailspin.test:\n    ca_file: certs/tailspin-ca.pem\n    ldap: { url: ldaps://dca.tailspin.test, bind_dn: probe@tailspin.test, password_env: TAILSPIN_PW${ldapCa} }\n`;
    const inherited = parseConfig(yaml(''), '/etc/adtrust/probe.yaml', secrets).domains.get('tailspin.test');
    assert.ok(inherited);
    assert.equal(inherited.caFile, '/etc/adtrust/certs/tailspin-ca.pem');
    assert.equal(inherited.ldap?.caFile, '/etc/adtrust/certs/tailspin-ca.pem');
    const own = parseConfig(yaml(', ca_file: /etc/ssl/ldap-ca.pem'), '/etc/adtrust/probe.yaml', secrets).domains.get(
      'tailspin.test',
    );
    assert.equal(own?.ldap?.caFile, '/etc/ssl/ldap-ca.pem');
  });

  it('looks for ./probe.yaml, then /etc/adtrust/probe.yaml', () => {
    assert.equal(
      resolveConfigPath('x.yaml', () => false),
      'x.yaml',
    );
    assert.equal(
      resolveConfigPath(undefined, (path) => path === '/etc/adtrust/probe.yaml'),
      '/etc/adtrust/probe.yaml',
    );
    assert.equal(
      resolveConfigPath(undefined, () => true),
      './probe.yaml',
    );
    assert.equal(
      resolveConfigPath(undefined, () => false),
      './probe.yaml',
    );
  });
});
