// `probe agent --web.config.file`: TLS and basic auth protect every route, against
// callers without credentials, with wrong ones, over plain HTTP, with an old TLS version,
// without a client certificate or with one from another CA. Certificates come from openssl.

import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import bcrypt from 'bcryptjs';
import { basicAuth, countLogged, send, sleep, startAgent, type RunningAgent } from '../support/agent.js';
import { tempDir } from '../support/cli.js';
import { makeCertificate, type TestCertificate } from '../support/servers.js';

const SERVER_NAME = 'agent.tailspin.test';

async function waitForLog(agent: RunningAgent, message: string): Promise<void> {
  const until = Date.now() + 10_000;
  while (countLogged(agent.log(), message) === 0) {
    if (Date.now() > until) throw new Error(`timed out waiting for "${message}"\n${agent.log()}`);
    await sleep(50);
  }
}
const PASSWORD = 'scrape-password-Hq2';

const agentConfig = (port: number): string => `listen: 127.0.0.1:${String(port)}
log_level: debug
domains:
  tailspin.test: {}
`;

let serverCert: TestCertificate;
let clientCert: TestCertificate;
let strangerCert: TestCertificate;

before(() => {
  serverCert = makeCertificate(SERVER_NAME, 30);
  clientCert = makeCertificate('prometheus.tailspin.test', 30);
  strangerCert = makeCertificate('stranger.example', 30);
});

after(() => {
  for (const certificate of [serverCert, clientCert, strangerCert]) certificate.cleanup();
});

describe('TLS and basic auth', () => {
  let agent: RunningAgent;
  let dir: string;
  const tls = (): Record<string, unknown> => ({ ca: serverCert.cert, servername: SERVER_NAME });

  before(async () => {
    dir = tempDir({ 'web.crt': serverCert.cert.toString(), 'web.key': serverCert.key.toString() });
    writeFileSync(
      join(dir, 'web.yml'),
      `tls_server_config:\n  cert_file: web.crt\n  key_file: web.key\n  min_version: TLS13\nbasic_auth_users:\n  prometheus: ${bcrypt.hashSync(PASSWORD, 10)}\n`,
    );
    agent = await startAgent(agentConfig, ['--web.config.file', join(dir, 'web.yml'), '--web.enable-lifecycle']);
  });

  after(async () => {
    await agent.stop();
    rmSync(dir, { recursive: true });
  });

  const routes: [string, string][] = [
    ['GET', '/'],
    ['GET', '/metrics'],
    ['GET', '/-/healthy'],
    ['GET', '/-/ready'],
    ['POST', '/-/reload'],
    ['GET', '/no-such-page'],
  ];

  it('every route answers 401 without credentials, with a wrong password and for an unknown user', async () => {
    const callers: Record<string, Record<string, string>> = {
      none: {},
      'wrong password': basicAuth('prometheus', 'guess'),
      'unknown user': basicAuth('admin', PASSWORD),
      'not basic': { authorization: `Bearer ${PASSWORD}` },
      'no colon': { authorization: `Basic ${Buffer.from('prometheus').toString('base64')}` },
    };
    for (const [method, path] of routes) {
      for (const [caller, headers] of Object.entries(callers)) {
        const reply = await send(agent.port, path, { method, headers, tls: tls() });
        assert.equal(reply.status, 401, `${method} ${path}, ${caller}`);
        assert.equal(reply.headers['www-authenticate'], 'Basic realm="adtrust-agent", charset="UTF-8"');
      }
    }
    assert.equal((await send(agent.port, '/metrics', { tls: tls() })).body, 'unauthorized\n');
  });

  it('with the right credentials, every route answers as without a web config', async () => {
    const headers = basicAuth('prometheus', PASSWORD);
    assert.equal((await send(agent.port, '/-/healthy', { headers, tls: tls() })).status, 200);
    assert.equal((await send(agent.port, '/metrics', { headers, tls: tls() })).status, 200);
    assert.equal((await send(agent.port, '/', { headers, tls: tls() })).status, 200);
    assert.ok([200, 503].includes((await send(agent.port, '/-/ready', { headers, tls: tls() })).status));
    assert.equal((await send(agent.port, '/-/reload', { method: 'POST', headers, tls: tls() })).status, 200);
    assert.equal((await send(agent.port, '/no-such-page', { headers, tls: tls() })).status, 404);
    // A second scrape with the same credentials (answered from the cache of verified ones) still passes.
    assert.equal((await send(agent.port, '/metrics', { headers, tls: tls() })).status, 200);
  });

  it('refuses plain HTTP and a TLS version below min_version', async () => {
    await assert.rejects(send(agent.port, '/-/healthy', { headers: basicAuth('prometheus', PASSWORD) }));
    await assert.rejects(
      send(agent.port, '/-/healthy', {
        headers: basicAuth('prometheus', PASSWORD),
        tls: { ...tls(), maxVersion: 'TLSv1.2' },
      }),
    );
  });

  it('SIGHUP reads the web config again: a bad one keeps the old users, a good one replaces them', async () => {
    const headers = basicAuth('prometheus', PASSWORD);
    writeFileSync(join(dir, 'web.yml'), 'basic_auth_users:\n  prometheus: not-a-hash\n');
    agent.child.kill('SIGHUP');
    await waitForLog(agent, 'config reload failed; the previous config stays in force');
    assert.equal((await send(agent.port, '/metrics', { headers, tls: tls() })).status, 200);

    const web = (user: string): string =>
      `tls_server_config:\n  cert_file: web.crt\n  key_file: web.key\n  min_version: TLS13\nbasic_auth_users:\n  ${user}: ${bcrypt.hashSync(PASSWORD, 10)}\n`;
    writeFileSync(join(dir, 'web.yml'), web('grafana'));
    agent.child.kill('SIGHUP');
    await waitForLog(agent, 'web config reloaded');
    assert.equal((await send(agent.port, '/metrics', { headers, tls: tls() })).status, 401);
    assert.equal(
      (await send(agent.port, '/metrics', { headers: basicAuth('grafana', PASSWORD), tls: tls() })).status,
      200,
    );
  });

  it('never logs the password', () => {
    assert.ok(!agent.log().includes(PASSWORD));
  });
});

// For each client_auth_type: does a caller without a certificate, with one from another
// CA (the stranger's) and with one the client CA issued get an answer?
const CLIENT_AUTH: Record<string, { none: boolean; stranger: boolean; issued: boolean }> = {
  RequestClientCert: { none: true, stranger: true, issued: true },
  RequireAnyClientCert: { none: false, stranger: true, issued: true },
  VerifyClientCertIfGiven: { none: true, stranger: false, issued: true },
  RequireAndVerifyClientCert: { none: false, stranger: false, issued: true },
};

for (const [clientAuthType, expected] of Object.entries(CLIENT_AUTH)) {
  describe(`client certificates (${clientAuthType})`, () => {
    let agent: RunningAgent;
    let dir: string;
    const tls = (client?: TestCertificate): Record<string, unknown> => ({
      ca: serverCert.cert,
      servername: SERVER_NAME,
      ...(client === undefined ? {} : { cert: client.cert, key: client.key }),
    });

    before(async () => {
      dir = tempDir({
        'web.crt': serverCert.cert.toString(),
        'web.key': serverCert.key.toString(),
        'clients.crt': clientCert.cert.toString(),
      });
      const ca =
        clientAuthType.startsWith('Verify') || clientAuthType.includes('AndVerify')
          ? '  client_ca_file: clients.crt\n'
          : '';
      writeFileSync(
        join(dir, 'web.yml'),
        `tls_server_config:\n  cert_file: web.crt\n  key_file: web.key\n  client_auth_type: ${clientAuthType}\n${ca}`,
      );
      agent = await startAgent(agentConfig, ['--web.config.file', join(dir, 'web.yml')]);
    });

    after(async () => {
      await agent.stop();
      rmSync(dir, { recursive: true });
    });

    it(`answers: without a certificate ${String(expected.none)}, with another CA's ${String(expected.stranger)}, with an issued one ${String(expected.issued)}`, async () => {
      const answered = async (client?: TestCertificate): Promise<boolean> =>
        send(agent.port, '/-/healthy', { tls: tls(client) }).then(
          (reply) => reply.status === 200,
          () => false,
        );
      assert.deepEqual(
        { none: await answered(), stranger: await answered(strangerCert), issued: await answered(clientCert) },
        expected,
      );
    });
  });
}
