import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { runProbe } from '../../support/cli.js';
import { describe, it } from 'node:test';
import {
  ConfigError,
  loadConfigFile,
  parseConfig,
  readSecretFile,
  resolveConfigPath,
  type SecretSources,
} from '../../../agent/config/config.js';

const FIXTURES = 'test/fixtures/config';
// The agent's own secret reader, so that the fixtures meet its checks of type and size.
const secrets: SecretSources = { readFile: readSecretFile, env: { TAILSPIN_PW: 'from-the-environment' } };

function problemsOf(name: string): string[] {
  const file = `${FIXTURES}/invalid/${name}.yaml`;
  try {
    loadConfigFile(file, secrets);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    // Relative password files resolve to an absolute path that depends on the checkout.
    return error.message
      .split('\n')
      .map((line) => line.replace(`${file}:`, '').replaceAll(resolve(FIXTURES, 'invalid'), '<fixtures>'));
  }
  assert.fail(`${file} was accepted`);
}

// One fixture per kind of error, each with the exact message a person reads.
const INVALID: Record<string, string[]> = {
  'bad-ldap-limits': [
    '2: limits.trusted_domain_objects: must be at least 1',
    '3: limits.ldap_entries_per_search: must be at most 100000',
    '4: limits.entries: unknown key "entries"',
  ],
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
  'bad-vantage': ['1: vantage: must be a name such as dc-site-a: letters, digits, ".", "_", "-"'],
  'bad-cron': ['2: schedule.dns: "every minute" is not a cron expression: expected 5 or 6 fields but got 2'],
  'bad-host-port': [
    '3: domains.tailspin.test.dns_servers[0]: "198.51.100.10:5x" is not host or host:port: port "5x" is not a number',
  ],
  'listen-without-port': ['1: listen: "127.0.0.1" needs a port, such as 127.0.0.1:9788'],
  'inline-password': [
    '3: domains.tailspin.test.ldap: needs password_file or password_env',
    '6: domains.tailspin.test.ldap.password: a password written inline is not accepted: put it in a file (password_file) or name an environment variable (password_env)',
  ],
  'two-password-sources': ['3: domains.tailspin.test.ldap: give password_file or password_env, not both'],
  'no-password-source': ['3: domains.tailspin.test.ldap: needs password_file or password_env'],
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
  'bad-limits': [
    '4: limits.dcs_per_domain: must be at least 1',
    '5: limits.rpc_ports_per_dc: must be a whole number (such as 10), got number 2.5',
    '6: limits.findings_per_run: expected a number, got the text "many"',
    '7: limits.answers: unknown key "answers"',
  ],
  'plain-bind': [
    '7: domains.tailspin.test.ldap.starttls: is false on a plain ldap:// URL, so the bind password would cross the network in clear: use ldaps://, keep starttls, or set allow_plain_bind: true to accept that',
  ],
  'password-ages': ['2: trust_password.warning_age: must be shorter than critical_age'],
  'canary-no-password-source': ['3: domains.tailspin.test.canary: needs password_file, password_env or keytab_file'],
  'canary-two-password-sources': [
    '3: domains.tailspin.test.canary: give one of password_file, password_env and keytab_file, not several',
  ],
  'canary-keytab-missing': [
    '6: domains.tailspin.test.canary.keytab_file: cannot read /nonexistent/adtrust/canary.keytab: no such file',
  ],
  'canary-other-realm': [
    '4: domains.tailspin.test.canary.user: is in realm WINGTIP.TEST, not TAILSPIN.TEST: the canary of a domain is one of its own users',
  ],
  // The down-level logon name: the KDC would look for an account named "TAILSPIN\canary".
  'canary-bad-user': ['4: domains.tailspin.test.canary.user: must be a user principal such as canary@TAILSPIN.TEST'],
  // One-way: users of fabrikam.test use resources of tailspin.test, never the reverse.
  'service-trusted-side': [
    '12: trusts[0].service.fabrikam.test: fabrikam.test holds no resources this trust opens: name a service of tailspin.test',
  ],
  'service-bad-spn': [
    '8: trusts[0].service.wingtip.test: must be a service principal name such as cifs/fs1.wingtip.test',
  ],
  'alias-bomb': [
    '3: YAML aliases expand to more than 100 nodes: refused as a resource exhaustion attack (write the values out instead of aliasing them)',
  ],
  'password-file-directory': ['6: domains.tailspin.test.ldap.password_file: / is a directory, not a regular file'],
  'password-file-device': [
    '6: domains.tailspin.test.ldap.password_file: /dev/zero is a character device, not a regular file',
  ],
  'password-file-too-big': [
    '6: domains.tailspin.test.ldap.password_file: <fixtures>/too-big.pw is 5001 bytes, more than the 4096 a password file may hold',
  ],
  'password-file-two-lines': [
    '6: domains.tailspin.test.ldap.password_file: <fixtures>/two-lines.pw holds more than one line: a password file holds the password alone, on one line',
  ],
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

  it('probe config check on an alias bomb exits 3 with the config error, no stack trace', async () => {
    const file = `${FIXTURES}/invalid/alias-bomb.yaml`;
    const result = await runProbe(['config', 'check', '--config', file]);
    assert.equal(result.code, 3);
    assert.equal(
      result.stderr,
      `${file}:3: YAML aliases expand to more than 100 nodes: refused as a resource exhaustion attack (write the values out instead of aliasing them)\n`,
    );
  });

  it('never repeats the content of a refused password file', () => {
    assert.ok(!problemsOf('password-file-two-lines').join('\n').includes('line-secret-Qx7'));
  });

  it('refuses a FIFO as password_file at once instead of waiting for a writer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'adtrust-fifo-'));
    try {
      const fifo = join(dir, 'tailspin.pw');
      execFileSync('mkfifo', [fifo]);
      const yaml = `domains:\n  tailspin.test:\n    ldap:\n      url: ldaps://dca.tailspin.test\n      bind_dn: probe@tailspin.test\n      password_file: tailspin.pw\n`;
      writeFileSync(join(dir, 'probe.yaml'), yaml);
      // Without a writer, a blocking open of the FIFO would never return and the test would time out.
      assert.throws(
        () => loadConfigFile(join(dir, 'probe.yaml'), secrets),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.equal(
            error.message,
            `${join(dir, 'probe.yaml')}:6: domains.tailspin.test.ldap.password_file: ${fifo} is a FIFO (named pipe), not a regular file`,
          );
          return true;
        },
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('accepts a password file of one line with a trailing newline, and the same without', () => {
    const dir = mkdtempSync(join(tmpdir(), 'adtrust-pw-'));
    try {
      const yaml = `domains:\n  tailspin.test:\n    ldap:\n      url: ldaps://dca.tailspin.test\n      bind_dn: probe@tailspin.test\n      password_file: tailspin.pw\n`;
      writeFileSync(join(dir, 'probe.yaml'), yaml);
      for (const content of ['one-line-password\n', 'one-line-password', 'one-line-password\r\n']) {
        writeFileSync(join(dir, 'tailspin.pw'), content);
        assert.equal(
          loadConfigFile(join(dir, 'probe.yaml'), secrets).domains.get('tailspin.test')?.ldap?.password.reveal(),
          'one-line-password',
        );
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('config: valid files', () => {
  it('loads the example of product.md with its defaults and secret', () => {
    const config = loadConfigFile(`${FIXTURES}/valid/product-example.yaml`, secrets);
    assert.deepEqual(config.listen, { host: '0.0.0.0', port: 9788 });
    assert.equal(config.timeoutMs, 5000);
    assert.equal(config.concurrency, 512);
    assert.deepEqual(config.limits, {
      dcsPerDomain: 50,
      dnsAnswersPerReply: 100,
      findingsPerRun: 20_000,
      ldapEntriesPerSearch: 20_000,
      rpcPortsPerDc: 10,
      trustedDomainObjects: 1000,
    });
    assert.deepEqual(config.schedule, {
      dns: '*/1 * * * *',
      ports: '*/1 * * * *',
      protocols: '*/1 * * * *',
      ldap: '*/15 * * * *',
      auth: '*/5 * * * *',
    });
    assert.deepEqual([...config.domains.keys()], ['tailspin.test', 'wingtip.test']);
    const tailspin = config.domains.get('tailspin.test');
    assert.ok(tailspin);
    assert.deepEqual(tailspin.dnsServers, [{ host: '198.51.100.10', port: 53 }]);
    assert.deepEqual(tailspin.dcs, [{ host: 'dca.tailspin.test', port: undefined }]);
    assert.equal(tailspin.forest, 'tailspin.test');
    assert.deepEqual(config.trusts, [
      { trusting: 'tailspin.test', trusted: 'wingtip.test', twoWay: true, type: 'forest', services: {} },
      { trusting: 'tailspin.test', trusted: 'partner.example', twoWay: false, type: 'external', services: {} },
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

  it('reads a canary (realm from the domain when the user names none) and the services of a trust', () => {
    const yaml = [
      'domains:',
      '  tailspin.test:',
      '    canary: { user: canary, password_env: TAILSPIN_PW }',
      '  wingtip.test:',
      '    canary: { user: canary@wingtip.test, password_env: TAILSPIN_PW }',
      'trusts:',
      '  - between: [tailspin.test, wingtip.test]',
      '    type: forest',
      '    service: { Wingtip.Test.: cifs/fs1.wingtip.test }',
      'schedule: { auth: "*/10 * * * *" }',
      '',
    ].join('\n');
    const config = parseConfig(yaml, 'inline.yaml', secrets);
    const tailspin = config.domains.get('tailspin.test')?.canary;
    assert.deepEqual({ user: tailspin?.user, realm: tailspin?.realm }, { user: 'canary', realm: 'TAILSPIN.TEST' });
    assert.equal(tailspin?.secret.value.reveal(), 'from-the-environment');
    assert.equal(config.domains.get('wingtip.test')?.canary?.realm, 'WINGTIP.TEST');
    assert.deepEqual(config.trusts[0]?.services, { 'wingtip.test': 'cifs/fs1.wingtip.test' });
    assert.equal(config.schedule.auth, '*/10 * * * *');
    assert.ok(!inspect(config, { depth: 10 }).includes('from-the-environment'), 'the canary password printed');
  });

  it('reads a canary keytab as bytes kept secret (what it holds is checked by the auth family)', () => {
    const keytab = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'keytab', 'canary.keytab');
    const config = parseConfig(
      `domains:\n  tailspin.test:\n    canary: { user: canary, keytab_file: ${keytab} }\n`,
      'inline.yaml',
      secrets,
    );
    const secret = config.domains.get('tailspin.test')?.canary?.secret;
    assert.equal(secret?.kind, 'keytab');
    assert.deepEqual(Buffer.from(secret.value.reveal(), 'base64'), readFileSync(keytab));
    assert.ok(!inspect(config, { depth: 10 }).includes(secret.value.reveal()), 'the keytab printed');
  });

  it('schedules auth every five minutes by default', () => {
    const config = parseConfig('domains:\n  tailspin.test: {}\n', 'inline.yaml', secrets);
    assert.equal(config.schedule.auth, '*/5 * * * *');
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
