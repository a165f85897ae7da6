// DNS servers that lie or flood, on loopback: answers owned by another name, a reply
// without its question, and one reply naming hundreds of DCs. What they send must not be
// taken as an answer, and must not make one run probe without bound.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDcs } from '../../../probes/discovery/dcs.js';
import { probeDns } from '../../../probes/dns/probe.js';
import { probePorts } from '../../../probes/ports/probe.js';
import { configFrom, domainTargetsOf, findingFor, planOf, targetText } from '../../support/config.js';
import { contextFor } from '../../support/context.js';
import { withDnsServer, WINGTIP_ZONE, type Zone } from '../../support/dns-server.js';

function configFor(port: number, limits = '') {
  return configFrom(`
timeout: 300ms
${limits}
domains:
  tailspin.test:
    dns_servers: [127.0.0.1:${port}]
trusts:
  - between: [tailspin.test, wingtip.test]
    type: forest
`);
}

const DC_RECORD = '_ldap._tcp.dc._msdcs.wingtip.test';

describe('DNS answers are checked against the question', () => {
  it('SRV records owned by another name answer nothing: critical, and no DC is discovered from them', async () => {
    await withDnsServer({ ...WINGTIP_ZONE, behaviour: { [DC_RECORD]: 'foreign-owner' } }, async (server) => {
      const config = configFor(server.port);
      const { findings } = await probeDns(planOf(config).dns, contextFor(config));
      const srv = findingFor(findings, 'dns.srv', `${DC_RECORD}@127.0.0.1:${server.port}/udp`);
      assert.equal(srv.status, 'critical');
      assert.match(
        srv.message,
        /no SRV record: NOERROR with an empty answer \(its 1 record\(s\) are owned by other names, and ignored\)/,
      );
      assert.equal(srv.observed['answers'], 0);
      const found = await findDcs(domainTargetsOf(config, 'wingtip.test'), config.limits, contextFor(config));
      assert.deepEqual(found.targets, []);
      assert.match(found.problems[0]?.problem ?? '', /owned by other names/);
    });
  });

  it('an A record owned by another name is no address of the DC', async () => {
    await withDnsServer({ ...WINGTIP_ZONE, behaviour: { 'dcb.wingtip.test': 'foreign-owner' } }, async (server) => {
      const config = configFor(server.port);
      const { findings } = await probeDns(planOf(config).dns, contextFor(config));
      const address = findingFor(findings, 'dns.address', `dcb.wingtip.test@127.0.0.1:${server.port}/udp`);
      assert.equal(address.status, 'critical');
      assert.match(address.message, /owned by other names/);
    });
  });

  it('a reply without the question section is malformed, not an answer', async () => {
    await withDnsServer({ ...WINGTIP_ZONE, behaviour: { [DC_RECORD]: 'no-question' } }, async (server) => {
      const config = configFor(server.port);
      const { findings } = await probeDns(planOf(config).dns, contextFor(config));
      for (const transport of ['udp', 'tcp']) {
        const srv = findingFor(findings, 'dns.srv', `${DC_RECORD}@127.0.0.1:${server.port}/${transport}`);
        assert.equal(srv.status, 'critical');
        assert.match(srv.message, /malformed reply: reply carries 0 questions, not the one asked/);
      }
      const found = await findDcs(domainTargetsOf(config, 'wingtip.test'), config.limits, contextFor(config));
      assert.deepEqual(found.targets, []);
    });
  });
});

/** One SRV answer naming `count` DCs, every one of them on loopback. */
function floodZone(count: number): Zone {
  const hosts = Array.from({ length: count }, (_, index) => `dc${index}.wingtip.test`);
  return {
    srv: { ...WINGTIP_ZONE.srv, [DC_RECORD]: hosts.map((target) => ({ target, port: 389 })) },
    a: Object.fromEntries(hosts.map((host) => [host, ['127.0.0.1']])),
  };
}

describe('one DNS reply naming hundreds of DCs', () => {
  it('ports: at most limits.dcs_per_domain DCs are probed, and one finding names each bound reached', async () => {
    await withDnsServer(floodZone(400), async (server) => {
      const config = configFor(server.port, 'limits: { dcs_per_domain: 5, dns_answers_per_reply: 50 }');
      const { findings } = await probePorts(planOf(config).ports, contextFor(config));
      const probed = new Set(
        findings
          .filter((finding) => finding.check === 'port.tcp')
          .map((finding) => (finding.target.kind === 'port' ? finding.target.host : '')),
      );
      assert.equal(probed.size, 5);
      const limits = findings.filter((finding) => finding.check === 'run.limit');
      assert.deepEqual(limits.map(targetText).sort(), ['limits.dcs_per_domain', 'limits.dns_answers_per_reply']);
      const dcs = findingFor(limits, 'run.limit', 'limits.dcs_per_domain');
      assert.equal(dcs.status, 'warning');
      assert.equal(
        dcs.message,
        `limits.dcs_per_domain (5) reached: ${DC_RECORD} via 127.0.0.1:${server.port} named 50 DCs; only the first 5 were used`,
      );
      const answers = findingFor(limits, 'run.limit', 'limits.dns_answers_per_reply');
      assert.equal(
        answers.message,
        `limits.dns_answers_per_reply (50) reached: ${DC_RECORD} SRV via 127.0.0.1:${server.port} answered with 400 records; only the first 50 were used`,
      );
      assert.deepEqual(answers.observed, { limit: 'dns_answers_per_reply', bound: 50, seen: 400 });
    });
  });

  it('dns: the hosts of the answers resolved are bounded the same way', async () => {
    await withDnsServer(floodZone(400), async (server) => {
      const config = configFor(server.port, 'limits: { dcs_per_domain: 5 }');
      const { findings } = await probeDns(planOf(config).dns, contextFor(config));
      assert.equal(findings.filter((finding) => finding.check === 'dns.address').length, 5);
      const limits = findings.filter((finding) => finding.check === 'run.limit').map(targetText);
      assert.ok(limits.includes('limits.dcs_per_domain'), limits.join(', '));
      assert.ok(limits.includes('limits.dns_answers_per_reply'), limits.join(', '));
    });
  });
});
