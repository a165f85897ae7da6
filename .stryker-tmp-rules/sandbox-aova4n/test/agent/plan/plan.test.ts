// @ts-nocheck
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPlan } from '../../../agent/plan/plan.js';
import { configFrom } from '../../support/config.js';

const config = configFrom(
  `
timeout: 3s
domains:
  tailspin.test:
    dns_servers: [198.51.100.10]
    ca_file: /etc/adtrust/tailspin-ca.pem
    ldap: { url: ldaps://dca.tailspin.test, bind_dn: probe@tailspin.test, password_env: PW, ca_file: /etc/adtrust/ldap-ca.pem }
  child.wingtip.test:
    forest: wingtip.test
    dns_servers: [198.51.100.20]
    dcs: [dcb.child.wingtip.test, 198.51.100.21:636]
trusts:
  - trusting: tailspin.test
    trusted: child.wingtip.test
    type: external
  - between: [tailspin.test, partner.example]
    type: forest
`,
  { readFile: () => '', env: { PW: 'secret' } },
);

describe('plan', () => {
  const files: string[] = [];
  const plan = buildPlan(config, (path) => {
    files.push(path);
    if (path.includes('ldap')) throw Object.assign(new Error('denied'), { code: 'EACCES' });
    return Buffer.from('PEM');
  });

  it("DNS: each ordered pair of trusting domains once, with the partner forest and both sides' servers", () => {
    assert.deepEqual(
      plan.dns.pairs.map((pair) => [
        pair.local,
        pair.partner,
        pair.partnerForest,
        pair.servers.map((s) => s.host),
        pair.partnerServers.map((s) => s.host),
      ]),
      [
        ['tailspin.test', 'child.wingtip.test', 'wingtip.test', ['198.51.100.10'], ['198.51.100.20']],
        ['child.wingtip.test', 'tailspin.test', 'tailspin.test', ['198.51.100.20'], ['198.51.100.10']],
        ['tailspin.test', 'partner.example', 'partner.example', ['198.51.100.10'], []],
        ['partner.example', 'tailspin.test', 'tailspin.test', [], ['198.51.100.10']],
      ],
    );
  });

  it("ports and protocols: every domain of a trust, its forest, its resolvers (own first, then partners'), its DCs", () => {
    assert.deepEqual(
      plan.ports.domains.map((domain) => [
        domain.domain,
        domain.forest,
        domain.resolvers.map((s) => s.host),
        domain.dcs,
      ]),
      [
        [
          'child.wingtip.test',
          'wingtip.test',
          ['198.51.100.20', '198.51.100.10'],
          [
            { host: 'dcb.child.wingtip.test', port: undefined },
            { host: '198.51.100.21', port: 636 },
          ],
        ],
        ['partner.example', 'partner.example', ['198.51.100.10'], []],
        ['tailspin.test', 'tailspin.test', ['198.51.100.10', '198.51.100.20'], []],
      ],
    );
    assert.deepEqual(
      plan.protocols.domains.map((domain) => domain.domain),
      plan.ports.domains.map((domain) => domain.domain),
    );
  });

  it('CA files are read into the plan once each; one that cannot be read is a value that says why', () => {
    const tailspin = plan.protocols.domains.find((domain) => domain.domain === 'tailspin.test');
    assert.deepEqual(tailspin?.ca, { file: '/etc/adtrust/tailspin-ca.pem', ok: true, pem: Buffer.from('PEM') });
    assert.deepEqual(plan.ldap.servers[0]?.ca, { file: '/etc/adtrust/ldap-ca.pem', ok: false, error: 'EACCES' });
    assert.deepEqual([...new Set(files)].sort(), files.sort());
  });

  it('LDAP: the servers, the expected trusts, forests and thresholds; the password stays a secret', () => {
    assert.deepEqual(
      plan.ldap.servers.map((server) => [server.domain, server.url, server.bindDn, server.baseDn]),
      [['tailspin.test', 'ldaps://dca.tailspin.test', 'probe@tailspin.test', 'DC=tailspin,DC=test']],
    );
    assert.equal(plan.ldap.servers[0]?.password.reveal(), 'secret');
    assert.ok(!JSON.stringify(plan).includes('secret'));
    assert.deepEqual(plan.ldap.forests, { 'tailspin.test': 'tailspin.test', 'child.wingtip.test': 'wingtip.test' });
    assert.equal(plan.ldap.trusts.length, 2);
    assert.equal(plan.timeoutMs, 3000);
  });
});
