// Protocol probes against servers that would make a run do too much or judge wrongly: an
// endpoint mapper naming a thousand ports or port 0, and DCs named by address whose
// certificates carry that address.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DcTarget } from '../../../probes/discovery/dcs.js';
import type { Finding } from '../../../probes/model/finding.js';
import type { ProbeOutput } from '../../../probes/model/probe.js';
import { probeDcProtocols, type ServicePorts } from '../../../probes/protocols/probe.js';
import { configFrom, planOf, targetText } from '../../support/config.js';
import { contextFor } from '../../support/context.js';
import { endpointMapper } from '../../support/rpc.js';
import { makeCertificate, serversClosedAfterTests, tlsServer } from '../../support/servers.js';
import { closedPort } from '../../support/tcp.js';

const { start, certificates } = serversClosedAfterTests();

function config(extra = '', caFile?: string, timeout = '400ms') {
  const domain = caFile === undefined ? ' {}' : `\n    ca_file: ${caFile}`;
  return configFrom(
    `timeout: ${timeout}\n${extra}\ndomains:\n  wingtip.test:${domain}\ntrusts: [{ between: [tailspin.test, wingtip.test], type: forest }]\n`,
  );
}

/** Every service on a closed port but the ones the test gives. */
async function portsWith(given: Partial<ServicePorts>): Promise<ServicePorts> {
  const closed = await closedPort();
  return {
    dns: closed,
    kerberos: closed,
    ntp: closed,
    cldap: closed,
    kpasswd: closed,
    endpointMapper: closed,
    ldap: closed,
    ldaps: closed,
    globalCatalogTls: closed,
    ...given,
  };
}

function all(output: ProbeOutput, check: string): Finding[] {
  return output.findings.filter((finding) => finding.check === check);
}

const byName: DcTarget = {
  domain: 'wingtip.test',
  host: 'localhost',
  address: '127.0.0.1',
  ports: [],
  everyPort: true,
};
const byAddress: DcTarget = {
  domain: 'wingtip.test',
  host: '127.0.0.1',
  address: '127.0.0.1',
  ports: [],
  everyPort: true,
};

describe('an endpoint mapper that names too much', () => {
  it('1,000 ports for every interface: at most limits.rpc_ports_per_dc ports are connected to, each once, and one finding says so', async () => {
    const named = Array.from({ length: 1000 }, (_, index) => 20_000 + index);
    const ports = await portsWith({ endpointMapper: await start(endpointMapper(named)) });
    // A second of timeout: the 44 KB ept_map replies are read three times on a busy machine.
    const settings = config('limits: { rpc_ports_per_dc: 6 }', undefined, '1s');
    const output = await probeDcProtocols(planOf(settings).protocols, contextFor(settings), byName, false, ports);
    const rpc = all(output, 'port.rpc');
    const connected = new Set(rpc.map((finding) => finding.observed['port']));
    assert.equal(connected.size, 6, rpc.map((finding) => finding.message).join('\n'));
    // Each interface gets its first port before any gets a second.
    for (const name of ['netlogon', 'lsarpc', 'drsuapi'])
      assert.ok(
        rpc.some((finding) => targetText(finding) === `localhost/${name}`),
        name,
      );
    const limits = all(output, 'run.limit');
    assert.equal(limits.length, 1);
    assert.equal(
      limits[0]?.message,
      'limits.rpc_ports_per_dc (6) reached: the endpoint mapper of localhost (127.0.0.1) named 1000 TCP ports; only the first 6 were used',
    );
  });

  it('port 0 is no port: the interface has no port to probe, and nothing connects to 0', async () => {
    const ports = await portsWith({ endpointMapper: await start(endpointMapper([0])) });
    const settings = config();
    const output = await probeDcProtocols(planOf(settings).protocols, contextFor(settings), byName, false, ports);
    for (const name of ['netlogon', 'lsarpc', 'drsuapi']) {
      const [found, ...more] = all(output, 'port.rpc').filter((finding) => targetText(finding) === `localhost/${name}`);
      assert.ok(found !== undefined && more.length === 0, name);
      assert.equal(found.status, 'critical');
      assert.match(
        found.message,
        /cannot learn its port: the endpoint mapper names only TCP port 0 for \w+, which is no port/,
      );
      assert.equal(found.observed['port'], null);
    }
  });
});

describe('a DC named by its address', () => {
  it('a certificate carrying that address in its subjectAltName verifies', async () => {
    const certificate = makeCertificate('dc1.wingtip.test', 300, 'DNS:dc1.wingtip.test, IP:127.0.0.1');
    certificates.push(certificate);
    const ports = await portsWith({ ldaps: await start(tlsServer(certificate)) });
    const settings = config('', certificate.caFile);
    const output = await probeDcProtocols(planOf(settings).protocols, contextFor(settings), byAddress, false, ports);
    const [tls] = all(output, 'tls.certificate');
    assert.equal(tls?.status, 'ok', tls?.message);
    assert.equal(tls.observed['chain_verified'], true);
    assert.equal(tls.observed['name_matches'], true);
    assert.deepEqual(tls.observed['names'], ['dc1.wingtip.test', '127.0.0.1']);
  });

  it('a certificate without that address verifies its chain but not the name', async () => {
    const certificate = makeCertificate('dc1.wingtip.test', 300, 'DNS:dc1.wingtip.test');
    certificates.push(certificate);
    const ports = await portsWith({ ldaps: await start(tlsServer(certificate)) });
    const settings = config('', certificate.caFile);
    const output = await probeDcProtocols(planOf(settings).protocols, contextFor(settings), byAddress, false, ports);
    const [tls] = all(output, 'tls.certificate');
    assert.equal(tls?.status, 'warning');
    assert.equal(tls.observed['chain_verified'], true);
    assert.equal(tls.observed['name_matches'], false);
    assert.match(tls.message, /does not carry the name 127\.0\.0\.1 \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
    assert.doesNotMatch(tls.message, /does not verify against/);
  });

  it("a certificate without subjectAltName (as the lab's) still verifies by the host name in its CN", async () => {
    const certificate = makeCertificate('localhost', 300, '');
    certificates.push(certificate);
    const ports = await portsWith({ ldaps: await start(tlsServer(certificate)) });
    const settings = config('', certificate.caFile);
    const output = await probeDcProtocols(planOf(settings).protocols, contextFor(settings), byName, false, ports);
    const [tls] = all(output, 'tls.certificate');
    assert.equal(tls?.status, 'ok', tls?.message);
    assert.deepEqual(tls.observed['names'], ['localhost']);
  });
});
