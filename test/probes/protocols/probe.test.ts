// The protocol-level probes against servers that misbehave, on loopback: garbage,
// silence, closed ports, oversized frames, skewed clocks and bad certificates. The
// well-behaved answers come from real Samba DCs in the lab tests.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { DcTarget } from '../../../probes/discovery/dcs.js';
import { locatorFinding, probeDcProtocols, type ServicePorts } from '../../../probes/protocols/probe.js';
import type { Finding } from '../../../probes/model/finding.js';
import type { ProbeOutput } from '../../../probes/model/probe.js';
import { configFrom, planOf, targetText } from '../../support/config.js';
import { contextFor } from '../../support/context.js';
import {
  makeCertificate,
  serversClosedAfterTests,
  startTlsServer,
  tcpServer,
  tlsServer,
  udpServer,
} from '../../support/servers.js';
import { closedPort } from '../../support/tcp.js';

const { start, certificates } = serversClosedAfterTests();

function configWithCa(caFile: string | undefined) {
  const ldap =
    caFile === undefined
      ? ''
      : `\n    ldap: { url: ldaps://localhost, bind_dn: probe@wingtip.test, password_env: PW, ca_file: ${caFile} }`;
  // The plan gives the protocols family the domains that take part in a trust.
  const trust = 'trusts: [{ between: [tailspin.test, wingtip.test], type: forest }]';
  return configFrom(`timeout: 400ms\ndomains:\n  wingtip.test:${ldap === '' ? ' {}' : ldap}\n${trust}\n`, {
    readFile: () => '',
    env: { PW: 'x' },
  });
}

const dc: DcTarget = { domain: 'wingtip.test', host: 'localhost', address: '127.0.0.1', ports: [], everyPort: true };

function one(output: ProbeOutput, check: string, target: string): Finding {
  const found = output.findings.filter((finding) => finding.check === check && targetText(finding) === target);
  assert.equal(
    found.length,
    1,
    `${check} ${target}: ${output.findings.map((f) => `${f.check} ${targetText(f)}`).join(', ')}`,
  );
  return found[0] as Finding;
}

/** An NTP server whose clock runs `offsetSeconds` ahead; the reply is RFC 5905 mode 4, written here by hand. */
function ntpReply(request: Buffer, offsetSeconds: number): Buffer {
  const reply = Buffer.alloc(48);
  reply[0] = 0x24; // LI 0, version 4, mode 4 (server)
  reply[1] = 2; // stratum
  reply.write('GPS\0', 12, 'latin1');
  request.copy(reply, 24, 40, 48); // originate = the client's transmit
  const now = Date.now() / 1000 + offsetSeconds + 2_208_988_800;
  for (const at of [32, 40]) {
    reply.writeUInt32BE(Math.floor(now) >>> 0, at);
    reply.writeUInt32BE(Math.floor((now % 1) * 2 ** 32) >>> 0, at + 4);
  }
  return reply;
}

describe('protocol probes against misbehaving servers', () => {
  let ports: ServicePorts;
  let output: ProbeOutput;
  const garbage = Buffer.from('this is not any protocol a DC speaks, just bytes');

  before(async () => {
    const good = makeCertificate('localhost', 3);
    certificates.push(good);
    ports = {
      // Garbage on UDP 53, behind the query's own id (a datagram with another id is a stray, not an answer).
      dns: await start(udpServer((request) => Buffer.concat([request.subarray(0, 2), garbage]))),
      kerberos: await start(udpServer(() => undefined)), // silence on UDP 88
      ntp: await start(udpServer((request) => ntpReply(request, 150))), // a clock 150 s ahead
      cldap: await closedPort(), // nothing on UDP 389: ICMP port unreachable
      kpasswd: await start(udpServer(() => Buffer.alloc(0))), // an empty datagram on 464
      // The endpoint mapper sends a header that claims more than it sends, then hangs up.
      endpointMapper: await start(
        tcpServer((socket) => {
          socket.end(Buffer.from([5, 0, 12, 3, 0x10, 0, 0, 0, 0xff, 0x0f, 0, 0, 1, 0, 0, 0]));
        }),
      ),
      ldap: await start(startTlsServer(good)),
      ldaps: await start(tlsServer(good)),
      globalCatalogTls: await start(tlsServer(makeCertificate('elsewhere.test', 400))),
    };
    output = await probeDcProtocols(
      planOf(configWithCa(good.caFile)).protocols,
      contextFor(configWithCa(good.caFile)),
      dc,
      false,
      ports,
    );
  });

  it('garbage on UDP 53 is a finding that says so, not "open"', () => {
    const finding = one(output, 'port.udp', `localhost:${ports.dns}`);
    assert.equal(finding.status, 'critical');
    assert.equal(finding.observed['state'], 'closed');
    assert.match(finding.message, /not DNS: /);
  });

  it('silence on UDP 88 is filtered, within the timeout', () => {
    const finding = one(output, 'port.udp', `localhost:${ports.kerberos}`);
    assert.equal(finding.observed['state'], 'filtered');
    assert.match(finding.message, /no reply in 400 ms/);
    assert.ok(Number(finding.observed['seconds']) < 1);
  });

  it('ICMP port unreachable on UDP 389 is closed', () => {
    const finding = one(output, 'port.udp', `localhost:${ports.cldap}`);
    assert.equal(finding.observed['state'], 'closed');
    assert.match(finding.message, /ICMP port unreachable/);
    assert.equal(finding.status, 'critical');
  });

  it('an empty datagram on 464 is not Kerberos; 464 is a warning, not critical', () => {
    const finding = one(output, 'port.udp', `localhost:${ports.kpasswd}`);
    assert.equal(finding.status, 'warning');
    assert.match(finding.message, /not Kerberos: /);
  });

  it('a clock 150 s ahead is a warning with the offset measured', () => {
    const finding = one(output, 'time.skew', 'localhost');
    assert.equal(finding.status, 'warning');
    const offset = Number(finding.observed['offset_seconds']);
    assert.ok(offset > 149 && offset < 151, `offset ${offset}`);
    assert.match(finding.message, /ahead of this host's/);
  });

  it('an endpoint mapper that sends half a PDU gives a critical finding per interface, no hang', () => {
    for (const name of ['netlogon', 'lsarpc', 'drsuapi']) {
      const finding = one(output, 'port.rpc', `localhost/${name}`);
      assert.equal(finding.status, 'critical');
      assert.match(finding.message, /cannot learn its port: endpoint mapper bind: .*incomplete reply/);
    }
  });

  it('a certificate expiring in 3 days is critical, verified or not; its expiry is exported', () => {
    const finding = one(output, 'tls.certificate', `localhost:${ports.ldaps}`);
    assert.equal(finding.status, 'critical');
    assert.match(finding.message, /expires in 2 day\(s\)/);
    assert.equal(finding.observed['chain_verified'], true);
    assert.equal(finding.observed['name_matches'], true);
    const expiry = output.measurements.find((m) => m.kind === 'certificate' && m.port === ports.ldaps);
    assert.ok(expiry?.kind === 'certificate' && expiry.notAfter.getTime() > Date.now());
  });

  it('StartTLS on the LDAP port reaches the same certificate', () => {
    const finding = one(output, 'tls.certificate', `localhost:${ports.ldap}`);
    assert.match(finding.message, /^LDAP StartTLS on localhost \(127\.0\.0\.1\): the certificate expires in/);
  });

  it('a certificate for another name, from another CA, is a warning that says both, and still exports its expiry', () => {
    const finding = one(output, 'tls.certificate', `localhost:${ports.globalCatalogTls}`);
    assert.equal(finding.status, 'warning');
    assert.match(finding.message, /does not verify against the CA of wingtip\.test/);
    assert.match(finding.message, /does not carry the name localhost \(ERR_TLS_CERT_ALTNAME_INVALID\)/);
    assert.ok(
      output.measurements.some((m) => m.kind === 'certificate' && m.port === ports.globalCatalogTls && !m.verified),
    );
  });

  it('Kerberos over TCP: a KDC port that never answers is a finding within the timeout', async () => {
    const silent = await start(tcpServer(() => undefined));
    const oversized = await start(
      tcpServer((socket) => {
        socket.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]));
      }),
    );
    const config = configWithCa(undefined);
    const result = await probeDcProtocols(planOf(config).protocols, contextFor(config), dc, false, {
      ...ports,
      kerberos: silent,
      kpasswd: oversized,
    });
    assert.match(
      one(result, 'port.kerberos', `localhost:${silent}/tcp`).message,
      /did not answer over TCP \d+: no reply in 400 ms/,
    );
    assert.match(one(result, 'port.kerberos', `localhost:${oversized}/tcp`).message, /did not answer over TCP \d+: /);
  });
});

describe('the LDAP ping verdict', () => {
  const config = configFrom('domains:\n  wingtip.test: {}\n');
  const response = {
    opcode: 23,
    flags: 0x13fd,
    flagNames: ['DS_PDC_FLAG'],
    domainGuid: '00000000-0000-0000-0000-000000000000',
    forest: 'wingtip.test',
    domain: 'wingtip.test',
    hostName: 'dcb.wingtip.test',
    netbiosDomain: 'WINGTIP',
    netbiosComputer: 'DCB',
    userName: '',
    dcSite: 'Default-First-Site-Name',
    clientSite: 'Default-First-Site-Name',
    ntVersion: 5,
  };
  const judge = (changes: Partial<typeof response>, expectGc = true) =>
    locatorFinding(planOf(config).protocols, dc, { ...response, ...changes }, expectGc, {
      findings: [],
      measurements: [],
    });

  it("the lab's answer is ok", () => {
    assert.equal(judge({}).status, 'ok');
  });
  it('a DC of another domain or forest is critical', () => {
    assert.match(judge({ domain: 'tailspin.test' }).message, /it is a DC of tailspin\.test, not of wingtip\.test/);
    assert.equal(judge({ forest: 'tailspin.test' }).status, 'critical');
  });
  it('no KDC flag is critical; no GC flag where _gc._tcp lists it is a warning', () => {
    assert.match(judge({ flags: 0x13fd & ~0x20 }).message, /does not advertise KDC/);
    assert.equal(judge({ flags: 0x13fd & ~0x4 }).status, 'warning');
    assert.equal(judge({ flags: 0x13fd & ~0x4 }, false).status, 'ok');
  });
});
