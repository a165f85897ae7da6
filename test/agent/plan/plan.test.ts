import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authDirections, buildPlan, describePlan } from '../../../agent/plan/plan.js';
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

describe('plan: auth directions', () => {
  const canaries = configFrom(
    `
domains:
  tailspin.test:
    canary: { user: canary@TAILSPIN.TEST, password_env: CANARY_PW }
  wingtip.test:
    canary: { user: canary, password_env: CANARY_PW }
  fabrikam.test:
    canary: { user: canary@FABRIKAM.TEST, password_env: CANARY_PW }
  contoso.test: {}
trusts:
  - between: [tailspin.test, wingtip.test]
    type: forest
    service: { wingtip.test: cifs/fs1.wingtip.test }
  - trusting: tailspin.test
    trusted: fabrikam.test
    type: external
    service: { tailspin.test: http/web.tailspin.test }
  - between: [wingtip.test, contoso.test]
    type: forest
`,
    { readFile: () => '', env: { CANARY_PW: 'canary-S3cret-never-printed' } },
  );
  const directions = authDirections(canaries);
  const of = (from: string, to: string) =>
    directions.find((direction) => direction.from === from && direction.to === to);

  it('a two-way trust: both directions, both allowed', () => {
    assert.equal(of('tailspin.test', 'wingtip.test')?.allowed, true);
    assert.equal(of('wingtip.test', 'tailspin.test')?.allowed, true);
  });

  it('a one-way trust: trusted -> trusting allowed, the reverse tried to show that it is closed', () => {
    assert.deepEqual(of('fabrikam.test', 'tailspin.test'), {
      from: 'fabrikam.test',
      to: 'tailspin.test',
      allowed: true,
      service: 'http/web.tailspin.test',
    });
    assert.deepEqual(of('tailspin.test', 'fabrikam.test'), {
      from: 'tailspin.test',
      to: 'fabrikam.test',
      allowed: false,
      service: undefined,
    });
  });

  it('only from domains with a canary; a partner without one is still a destination', () => {
    assert.deepEqual(directions.map((direction) => `${direction.from}->${direction.to}`).sort(), [
      'fabrikam.test->tailspin.test',
      'tailspin.test->fabrikam.test',
      'tailspin.test->wingtip.test',
      'wingtip.test->contoso.test',
      'wingtip.test->tailspin.test',
    ]);
  });

  it("the trust's service: names the service of the resource side; other directions ask for ldap/<a DC>", () => {
    assert.equal(of('tailspin.test', 'wingtip.test')?.service, 'cifs/fs1.wingtip.test');
    assert.equal(of('wingtip.test', 'tailspin.test')?.service, undefined);
    assert.equal(of('wingtip.test', 'contoso.test')?.service, undefined);
  });

  it('a direction opened by one trust and closed by another is allowed, whatever their order', () => {
    for (const trusts of [
      [
        '{ trusting: tailspin.test, trusted: fabrikam.test, type: external }',
        '{ trusting: fabrikam.test, trusted: tailspin.test, type: external }',
      ],
      [
        '{ trusting: fabrikam.test, trusted: tailspin.test, type: external }',
        '{ trusting: tailspin.test, trusted: fabrikam.test, type: external }',
      ],
    ]) {
      const both = configFrom(
        `domains:\n  tailspin.test: { canary: { user: canary, password_env: CANARY_PW } }\n  fabrikam.test: { canary: { user: canary, password_env: CANARY_PW } }\ntrusts:\n${trusts.map((trust) => `  - ${trust}\n`).join('')}`,
        { readFile: () => '', env: { CANARY_PW: 'x' } },
      );
      assert.deepEqual(
        authDirections(both)
          .map((direction) => [direction.from, direction.to, direction.allowed])
          .sort(),
        [
          ['fabrikam.test', 'tailspin.test', true],
          ['tailspin.test', 'fabrikam.test', true],
        ],
      );
    }
  });

  it('the plan carries the canaries; describePlan names each principal and never its password', () => {
    const plan = buildPlan(canaries, () => Buffer.from(''));
    assert.deepEqual(
      plan.auth.canaries.map((canary) => [canary.domain, canary.user, canary.realm]),
      [
        ['tailspin.test', 'canary', 'TAILSPIN.TEST'],
        ['wingtip.test', 'canary', 'WINGTIP.TEST'],
        ['fabrikam.test', 'canary', 'FABRIKAM.TEST'],
      ],
    );
    assert.equal(plan.auth.canaries[0]?.secret.value.reveal(), 'canary-S3cret-never-printed');
    const described = describePlan(plan);
    const text = JSON.stringify(described);
    assert.ok(!text.includes('canary-S3cret-never-printed'), 'describePlan printed the canary password');
    assert.ok(!JSON.stringify(plan).includes('canary-S3cret-never-printed'), 'the plan serialises the password');
    assert.deepEqual((described['auth'] as { canaries: unknown }).canaries, [
      { domain: 'tailspin.test', principal: 'canary@TAILSPIN.TEST' },
      { domain: 'wingtip.test', principal: 'canary@WINGTIP.TEST' },
      { domain: 'fabrikam.test', principal: 'canary@FABRIKAM.TEST' },
    ]);
    assert.deepEqual(
      (described['auth'] as { directions: unknown[] }).directions.find((direction) =>
        JSON.stringify(direction).includes('"from":"wingtip.test","to":"tailspin.test"'),
      ),
      {
        from: 'wingtip.test',
        to: 'tailspin.test',
        allowed: true,
        service: 'ldap/<the first DC of tailspin.test found>',
      },
    );
  });
});
