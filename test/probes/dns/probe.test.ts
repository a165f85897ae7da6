import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { decodeReply, encodeQuery } from '../../../probes/transport/dns-client.js';
import { probeDns } from '../../../probes/dns/probe.js';
import { findDcs } from '../../../probes/discovery/dcs.js';
import { configFrom, domainTargetsOf, findingFor, planOf, targetText } from '../../support/config.js';
import { contextFor } from '../../support/context.js';
import { startDnsServer, withDnsServer, WINGTIP_ZONE, type Behaviour } from '../../support/dns-server.js';

const WINGTIP = WINGTIP_ZONE;

function configFor(port: number, timeout = '300ms') {
  return configFrom(`
timeout: ${timeout}
domains:
  tailspin.test:
    dns_servers: [127.0.0.1:${port}]
trusts:
  - between: [tailspin.test, wingtip.test]
    type: forest
`);
}

describe('DNS probe against a loopback DNS server', () => {
  it('a healthy forwarder: every locator record over UDP and TCP, and the DC address, ok', async () => {
    await withDnsServer({ ...WINGTIP, authoritative: false }, async (server) => {
      const config = configFor(server.port);
      const output = await probeDns(planOf(config).dns, contextFor(config));
      const srv = output.findings.filter((finding) => finding.check === 'dns.srv');
      assert.equal(srv.length, 8);
      assert.deepEqual(
        srv.map((finding) => finding.status),
        Array(8).fill('ok'),
      );
      const ldap = findingFor(
        output.findings,
        'dns.srv',
        `_ldap._tcp.dc._msdcs.wingtip.test@127.0.0.1:${server.port}/udp`,
      );
      assert.equal(ldap.domain, 'tailspin.test');
      assert.equal(ldap.observed['rcode'], 'NOERROR');
      assert.equal(ldap.observed['answers'], 1);
      assert.equal(ldap.observed['authoritative'], false);
      assert.equal(ldap.observed['partner_domain'], 'wingtip.test');
      assert.equal(typeof ldap.observed['seconds'], 'number');
      assert.match(ldap.message, /1 record\(s\) in .* \(non-authoritative: forwarded\)$/);
      const address = findingFor(output.findings, 'dns.address', `dcb.wingtip.test@127.0.0.1:${server.port}/udp`);
      assert.equal(address.status, 'ok');
      // Asked directly of the configured server, over both transports.
      assert.ok(server.queries.some((query) => query.transport === 'tcp' && query.name === '_gc._tcp.wingtip.test'));
      const lookups = output.measurements.filter((m) => m.kind === 'dns_lookup');
      assert.equal(lookups.length, 9);
      assert.ok(lookups.every((m) => m.success));
    });
  });

  it('reports the AA bit of a server that hosts the zone', async () => {
    await withDnsServer({ ...WINGTIP, authoritative: true }, async (server) => {
      const config = configFor(server.port);
      const output = await probeDns(planOf(config).dns, contextFor(config));
      const ldap = findingFor(
        output.findings,
        'dns.srv',
        `_ldap._tcp.dc._msdcs.wingtip.test@127.0.0.1:${server.port}/tcp`,
      );
      assert.equal(ldap.observed['authoritative'], true);
      assert.match(ldap.message, /\(authoritative answer\)$/);
    });
  });

  it('retries a truncated UDP answer over TCP', async () => {
    await withDnsServer({ ...WINGTIP, behaviour: { '_kerberos._tcp.wingtip.test': 'truncate' } }, async (server) => {
      const config = configFor(server.port);
      const output = await probeDns(planOf(config).dns, contextFor(config));
      const finding = findingFor(
        output.findings,
        'dns.srv',
        `_kerberos._tcp.wingtip.test@127.0.0.1:${server.port}/udp`,
      );
      assert.equal(finding.status, 'ok');
      assert.equal(finding.observed['retried_over_tcp'], true);
      assert.equal(finding.observed['truncated'], true);
      assert.match(finding.message, /truncated, retried over TCP/);
      const asked = server.queries
        .filter((query) => query.name === '_kerberos._tcp.wingtip.test')
        .map((query) => query.transport);
      assert.deepEqual(asked.sort(), ['tcp', 'tcp', 'udp']);
    });
  });

  const failures: [Behaviour, RegExp, RegExp][] = [
    ['servfail', /: SERVFAIL: the server could not get an answer/, /reaches .* on UDP and TCP 53/],
    [
      'refused',
      /: REFUSED: the server will not answer for this zone \(no conditional forwarder for it\)$/,
      /add a conditional forwarder for wingtip\.test on 127\.0\.0\.1:\d+ \(tailspin\.test\)/,
    ],
    ['nxdomain', /: NXDOMAIN: the name does not exist there$/, /register their DC locator records/],
    ['empty', /: no SRV record: NOERROR with an empty answer$/, /register their DC locator records/],
    ['silent', /: no answer in 300 ms$/, /allow (UDP|TCP) 53 from this host to 127\.0\.0\.1:\d+/],
    ['garbage', /: malformed reply: /, /it is not a working DNS server/],
    ['cut-short', /: malformed reply: reply does not decode as DNS/, /it is not a working DNS server/],
  ];
  for (const [behaviour, message, remediation] of failures) {
    it(`${behaviour}: a critical finding that says which, on both transports`, async () => {
      await withDnsServer({ ...WINGTIP, behaviour: { '_kpasswd._tcp.wingtip.test': behaviour } }, async (server) => {
        const config = configFor(server.port);
        const output = await probeDns(planOf(config).dns, contextFor(config));
        for (const transport of ['udp', 'tcp']) {
          const finding = findingFor(
            output.findings,
            'dns.srv',
            `_kpasswd._tcp.wingtip.test@127.0.0.1:${server.port}/${transport}`,
          );
          assert.equal(finding.status, 'critical', finding.message);
          assert.match(finding.message, message);
          assert.match(finding.remediation, remediation);
        }
        // The other records are unaffected.
        const others = output.findings.filter(
          (finding) => finding.check === 'dns.srv' && !targetText(finding).startsWith('_kpasswd'),
        );
        assert.ok(others.every((finding) => finding.status === 'ok'));
        const failed = output.measurements.filter((m) => m.kind === 'dns_lookup' && !m.success);
        assert.equal(failed.length, 2);
      });
    });
  }

  it('a missing DC address is critical', async () => {
    await withDnsServer({ ...WINGTIP, a: {} }, async (server) => {
      const config = configFor(server.port);
      const output = await probeDns(planOf(config).dns, contextFor(config));
      const address = findingFor(output.findings, 'dns.address', `dcb.wingtip.test@127.0.0.1:${server.port}/udp`);
      assert.equal(address.status, 'critical');
      assert.match(address.message, /NXDOMAIN/);
    });
  });

  it("compares the forwarded DC list with the partner's own DNS", async () => {
    const own = await startDnsServer({
      ...WINGTIP,
      srv: {
        ...WINGTIP.srv,
        '_ldap._tcp.dc._msdcs.wingtip.test': [
          { target: 'dcb.wingtip.test', port: 389 },
          { target: 'dcb2.wingtip.test', port: 389 },
        ],
      },
    });
    try {
      await withDnsServer(WINGTIP, async (forwarder) => {
        const config = configFrom(`
timeout: 300ms
domains:
  tailspin.test:
    dns_servers: [127.0.0.1:${forwarder.port}]
  wingtip.test:
    dns_servers: [127.0.0.1:${own.port}]
trusts:
  - trusting: tailspin.test
    trusted: wingtip.test
    type: external
`);
        const output = await probeDns(planOf(config).dns, contextFor(config));
        const set = findingFor(
          output.findings,
          'dns.dc_set',
          `_ldap._tcp.dc._msdcs.wingtip.test@127.0.0.1:${forwarder.port}`,
        );
        assert.equal(set.status, 'warning');
        assert.match(set.message, /missing dcb2\.wingtip\.test/);
      });
    } finally {
      await own.close();
    }
  });
});

describe('DC discovery through SRV answers', () => {
  it('finds the partner DCs and their addresses through the forwarder when dcs is not configured', async () => {
    await withDnsServer(WINGTIP, async (server) => {
      const config = configFor(server.port);
      const found = await findDcs(domainTargetsOf(config, 'wingtip.test'), config.limits, contextFor(config));
      assert.deepEqual(found.problems, []);
      assert.deepEqual(
        found.targets.map(({ host, address, ports }) => ({ host, address, ports: ports.length })),
        [{ host: 'dcb.wingtip.test', address: '198.51.100.20', ports: 9 }],
      );
    });
  });

  it('says why when no server names a DC', async () => {
    await withDnsServer(
      { ...WINGTIP, behaviour: { '_ldap._tcp.dc._msdcs.wingtip.test': 'refused' } },
      async (server) => {
        const config = configFor(server.port);
        const found = await findDcs(domainTargetsOf(config, 'wingtip.test'), config.limits, contextFor(config));
        assert.deepEqual(found.targets, []);
        assert.equal(found.problems.length, 1);
        assert.match(
          found.problems[0]?.problem ?? '',
          /_ldap\._tcp\.dc\._msdcs\.wingtip\.test via 127\.0\.0\.1:\d+: REFUSED/,
        );
      },
    );
  });
});

describe('decodeReply (pure)', () => {
  const query = (id: number) => dnsPacket.decode(encodeQuery(id, 'x.test', 'SRV'));
  const reply = (id: number, name = 'x.test', qr = true) =>
    dnsPacket.encode({
      type: qr ? 'response' : 'query',
      id,
      flags: 0,
      questions: [{ type: 'SRV', class: 'IN', name }],
      answers: [],
    });

  it('accepts the reply to its own question', () => {
    assert.equal(query(7).id, 7);
    const outcome = decodeReply(reply(7), 7, 'x.test', 'SRV');
    assert.equal(outcome.kind, 'reply');
  });
  it('rejects a reply that is too short, of another id, another question, or not a response', () => {
    assert.deepEqual(decodeReply(Buffer.alloc(5), 7, 'x.test', 'SRV'), {
      kind: 'malformed',
      reason: 'reply of 5 bytes is shorter than a DNS header',
    });
    assert.deepEqual(decodeReply(reply(8), 7, 'x.test', 'SRV'), {
      kind: 'malformed',
      reason: 'reply id 8 does not match query id 7',
    });
    assert.deepEqual(decodeReply(reply(7, 'y.test'), 7, 'x.test', 'SRV'), {
      kind: 'malformed',
      reason: 'reply answers y.test SRV, not x.test SRV',
    });
    assert.deepEqual(decodeReply(reply(7, 'x.test', false), 7, 'x.test', 'SRV'), {
      kind: 'malformed',
      reason: 'reply has the query bit, not the response bit',
    });
  });
  it('never throws on random or mutated bytes (bounded fuzz)', () => {
    const valid = reply(7);
    for (let round = 0; round < 3000; round++) {
      const bytes = round % 2 === 0 ? randomBytes(round % 600) : Buffer.from(valid);
      if (round % 2 === 1)
        for (let flips = 0; flips < 4; flips++) bytes[(round * 31 + flips * 7) % bytes.length] = (round * flips) & 0xff;
      const outcome = decodeReply(bytes, 7, 'x.test', 'SRV');
      assert.ok(['reply', 'malformed'].includes(outcome.kind));
    }
  });
});
