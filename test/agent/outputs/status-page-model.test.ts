// The status page's parts, pure: how findings are grouped and ordered, and the trust
// topology (its SVG well-formed, each arrow from the trusting to the trusted domain,
// coloured by the worst status of what crosses the trust).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildPageModel,
  isAuthFinding,
  pageDomains,
  reportedFindings,
  trustStatuses,
  type Reported,
} from '../../../agent/outputs/status-page/groups.js';
import {
  layoutTopology,
  renderTopology,
  STATUS_COLOURS,
  type TopologyLayout,
} from '../../../agent/outputs/status-page/topology.js';
import type { FamilyRun } from '../../../agent/run/runner.js';
import { finding, type Finding, type Status } from '../../../probes/model/finding.js';
import type { Family } from '../../../probes/model/probe.js';
import { configFrom } from '../../support/config.js';
import { AUTH_FAMILY, authFinding, simulatedEstate } from '../../support/estate.js';

const CONFIG = configFrom(`domains:
  tailspin.test:
    dcs: [dc1.tailspin.test, dc2.tailspin.test, dc3.tailspin.test]
  wingtip.test:
    dcs: [dc1.wingtip.test]
  fabrikam.test:
    dcs: [dc1.fabrikam.test]
trusts:
  - trusting: tailspin.test
    trusted: wingtip.test
    type: external
  - between: [wingtip.test, fabrikam.test]
    type: forest
`);

function port(domain: string, host: string, number: number, status: Status): Finding {
  return finding({
    check: 'port.tcp',
    status,
    domain,
    target: { kind: 'port', host, port: number, transport: 'tcp' },
    message: `TCP ${number} on ${host}`,
    remediation: `allow TCP ${number} to ${host}`,
  });
}

function trustFinding(domain: string, partner: string, status: Status): Finding {
  return finding({
    check: 'trust.password_age',
    status,
    domain,
    target: { kind: 'host', host: partner },
    message: `${domain} -> ${partner}: password age`,
    remediation: 'netdom trust ... /resetOneSide',
    observed: { partner_domain: partner },
  });
}

function runs(byFamily: [Family, Finding[]][]): FamilyRun[] {
  return byFamily.map(([family, findings]) => ({
    family,
    startedAt: new Date('2026-11-21T09:59:00Z'),
    durationSeconds: 1,
    findings,
    measurements: [],
  }));
}

describe('status page groups', () => {
  it('takes the auth.* findings apart, one line per direction, worst first', () => {
    const reported = reportedFindings(
      runs([
        [
          AUTH_FAMILY,
          [
            authFinding({
              check: 'auth.kerberos',
              status: 'ok',
              from: 'wingtip.test',
              to: 'tailspin.test',
              message: 'k',
            }),
            authFinding({ check: 'auth.ntlm', status: 'ok', from: 'wingtip.test', to: 'tailspin.test', message: 'n' }),
            authFinding({
              check: 'auth.ntlm',
              status: 'warning',
              from: 'fabrikam.test',
              to: 'wingtip.test',
              message: 'slow',
            }),
          ],
        ],
        ['ports', [port('tailspin.test', 'dc1.tailspin.test', 445, 'ok')]],
      ]),
    );
    assert.deepEqual(
      reported.map(({ finding: item }) => isAuthFinding(item)),
      [true, true, true, false],
    );
    const model = buildPageModel(reported, CONFIG);
    assert.deepEqual(
      model.auth.map((direction) => [
        direction.from,
        direction.to,
        direction.worst,
        direction.findings.map((f) => f.check),
      ]),
      [
        ['fabrikam.test', 'wingtip.test', 'warning', ['auth.ntlm']],
        ['wingtip.test', 'tailspin.test', 'ok', ['auth.kerberos', 'auth.ntlm']],
      ],
    );
    // Nothing of auth lands in a group.
    assert.ok(
      model.groups.every((group) =>
        [...group.rows.flatMap((row) => row.findings), ...group.healthy.map((r) => r.finding)].every(
          (f) => !isAuthFinding(f),
        ),
      ),
    );
  });

  it('puts problems first (worst first, trusts before domains), alike problems in one row, DCs counted', () => {
    const reported = reportedFindings(
      runs([
        [
          'ports',
          [
            port('tailspin.test', 'dc1.tailspin.test', 445, 'critical'),
            port('tailspin.test', 'dc2.tailspin.test', 445, 'critical'),
            port('tailspin.test', 'dc3.tailspin.test', 445, 'ok'),
            port('tailspin.test', 'dc1.tailspin.test', 88, 'ok'),
            port('fabrikam.test', 'dc1.fabrikam.test', 88, 'ok'),
          ],
        ],
        [
          'ldap',
          [
            trustFinding('wingtip.test', 'fabrikam.test', 'warning'),
            trustFinding('fabrikam.test', 'wingtip.test', 'ok'),
          ],
        ],
      ]),
    );
    const model = buildPageModel(reported, CONFIG);
    assert.deepEqual(
      model.groups.map((group) => [group.title, group.worst]),
      [
        ['Domain tailspin.test (forest tailspin.test)', 'critical'],
        ['Trust wingtip.test <-> fabrikam.test (forest, two-way)', 'warning'],
        ['Domain fabrikam.test (forest fabrikam.test)', 'ok'],
      ],
    );
    const tailspin = model.groups[0];
    assert.ok(tailspin);
    assert.equal(tailspin.rows.length, 1, 'TCP 445 closed on two DCs is one row');
    assert.deepEqual(
      tailspin.rows.map((row) => [row.status, row.check, row.slot, row.findings.length]),
      [['critical', 'port.tcp', '445/tcp', 2]],
    );
    assert.deepEqual(tailspin.counts, { critical: 2, warning: 0, unknown: 0, ok: 2 });
    assert.deepEqual(
      tailspin.dcs.map((dc) => [dc.host, dc.worst, dc.counts.critical, dc.counts.ok, dc.problems]),
      [
        ['dc1.tailspin.test', 'critical', 1, 1, ['port.tcp 445/tcp']],
        ['dc2.tailspin.test', 'critical', 1, 0, ['port.tcp 445/tcp']],
        ['dc3.tailspin.test', 'ok', 0, 1, []],
      ],
    );
    assert.deepEqual(
      tailspin.healthy.map(({ finding: item }) => item.target),
      [
        { kind: 'port', host: 'dc3.tailspin.test', port: 445, transport: 'tcp' },
        { kind: 'port', host: 'dc1.tailspin.test', port: 88, transport: 'tcp' },
      ],
    );
    // Both sides' trust findings of a configured trust sit in the trust's group.
    const trust = model.groups[1];
    assert.ok(trust);
    assert.equal(trust.rows[0]?.findings[0]?.domain, 'wingtip.test');
    assert.equal(trust.healthy[0]?.finding.domain, 'fabrikam.test');
  });

  it('colours a trust by the worst of its trust objects, DNS, authentication and the DCs of both sides, and nothing else', () => {
    const statuses = (findings: [Family, Finding[]][]): (Status | undefined)[] =>
      trustStatuses(reportedFindings(runs(findings)), CONFIG);
    assert.deepEqual(statuses([]), [undefined, undefined], 'nothing reported: grey');
    assert.deepEqual(statuses([['ports', [port('wingtip.test', 'dc1.wingtip.test', 88, 'ok')]]]), ['ok', 'ok']);
    // A DC of tailspin.test: only the trust tailspin.test takes part in.
    assert.deepEqual(statuses([['ports', [port('tailspin.test', 'dc1.tailspin.test', 88, 'critical')]]]), [
      'critical',
      undefined,
    ]);
    assert.deepEqual(statuses([['ldap', [trustFinding('fabrikam.test', 'wingtip.test', 'warning')]]]), [
      undefined,
      'warning',
    ]);
    const auth = authFinding({
      check: 'auth.kerberos',
      status: 'unknown',
      from: 'wingtip.test',
      to: 'tailspin.test',
      message: 'x',
    });
    assert.deepEqual(statuses([[AUTH_FAMILY, [auth]]]), ['unknown', undefined]);
    // A trust.* finding about a pair with no configured trust colours nothing.
    assert.deepEqual(statuses([['ldap', [trustFinding('tailspin.test', 'fabrikam.test', 'critical')]]]), [
      undefined,
      undefined,
    ]);
  });
});

/**
 * A strict reading of the SVG as XML: every tag closed in order, attributes quoted, no
 * bare `&` or `<` in text (the browser test parses it with DOMParser as well).
 */
function assertWellFormedXml(xml: string): void {
  const open: string[] = [];
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let position = 0;
  for (let match = token.exec(xml); match !== null; match = token.exec(xml)) {
    position = token.lastIndex;
    const [, closing, name, , selfClosing, text] = match;
    if (text !== undefined) {
      assert.doesNotMatch(text, /&(?!#\d+;|amp;|lt;|gt;|quot;)/, `a bare & in ${JSON.stringify(text)}`);
      continue;
    }
    if (closing === '/') assert.equal(open.pop(), name, `</${String(name)}> closes the wrong element at ${position}`);
    else if (selfClosing !== '/') open.push(name ?? '');
  }
  assert.equal(position, xml.length, `not XML from ${position}: ${xml.slice(position, position + 60)}`);
  assert.deepEqual(open, [], 'every element closed');
}

function topologyOf(statuses: (Status | undefined)[], config = CONFIG): TopologyLayout {
  return layoutTopology({
    domains: pageDomains(config),
    domainStatus: new Map([['tailspin.test', 'critical']]),
    trusts: config.trusts.map((trust, index) => ({ trust, status: statuses[index], href: `trust-${index + 1}` })),
  });
}

describe('trust topology', () => {
  it('is well-formed XML, hostile names escaped', () => {
    const layout = topologyOf(['critical', 'ok']);
    assertWellFormedXml(renderTopology(layout));
    const hostile = layoutTopology({
      domains: [{ name: '<evil & "co">', forest: "a'b" }],
      domainStatus: new Map(),
      trusts: [],
    });
    const svg = renderTopology(hostile);
    assertWellFormedXml(svg);
    assert.ok(!svg.includes('<evil'));
  });

  it('draws each arrow from the trusting domain to the trusted one; a two-way trust has two heads', () => {
    const layout = topologyOf(['critical', 'ok']);
    const node = (domain: string) => layout.nodes.find((candidate) => candidate.domain === domain);
    const touches = (point: { x: number; y: number }, domain: string): boolean => {
      const box = node(domain);
      assert.ok(box);
      // Just outside the box (3 px, so that the head shows), on its border.
      return (
        point.x >= box.x - 4 &&
        point.x <= box.x + box.width + 4 &&
        point.y >= box.y - 4 &&
        point.y <= box.y + box.height + 4 &&
        !(point.x > box.x && point.x < box.x + box.width && point.y > box.y && point.y < box.y + box.height)
      );
    };
    const [oneWay, twoWay] = layout.edges;
    assert.ok(oneWay && twoWay);
    assert.ok(touches(oneWay.from, 'tailspin.test') && touches(oneWay.to, 'wingtip.test'));
    assert.ok(touches(twoWay.from, 'wingtip.test') && touches(twoWay.to, 'fabrikam.test'));
    const svg = renderTopology(layout);
    const paths = [
      ...svg.matchAll(
        /<a href="#(trust-\d)" class="edge" data-trusting="([^"]+)" data-trusted="([^"]+)" data-status="(\w+)"><title>[^<]*<\/title><path d="M([\d.]+),([\d.]+) Q[^"]+ ([\d.]+),([\d.]+)"([^>]*)\/><\/a>/g,
      ),
    ];
    assert.equal(paths.length, 2);
    const [first, second] = paths;
    assert.ok(first && second);
    assert.deepEqual(first.slice(1, 9), [
      'trust-1',
      'tailspin.test',
      'wingtip.test',
      'critical',
      String(oneWay.from.x),
      String(oneWay.from.y),
      String(oneWay.to.x),
      String(oneWay.to.y),
    ]);
    assert.match(first[9] ?? '', /stroke-dasharray/, 'an external trust is dashed');
    assert.match(first[9] ?? '', /marker-end="url\(#head-critical\)"/);
    assert.doesNotMatch(first[9] ?? '', /marker-start/);
    assert.match(second[9] ?? '', /marker-end="url\(#head-ok\)" marker-start="url\(#head-ok\)"/);
    assert.doesNotMatch(second[9] ?? '', /stroke-dasharray/);
  });

  it('colours each arrow by its status, grey when nothing was reported', () => {
    const svg = renderTopology(topologyOf(['warning', undefined]));
    const strokes = [...svg.matchAll(/class="edge"[^>]*><title>[^<]*<\/title><path [^>]*stroke="([^"]+)"/g)].map(
      (m) => m[1],
    );
    assert.deepEqual(strokes, [STATUS_COLOURS.warning, STATUS_COLOURS.none]);
  });

  it('at 30 domains in 10 forests: every domain drawn once, no two boxes overlap, all inside the picture, the same each time', () => {
    const estate = simulatedEstate({ forests: 10, domainsPerForest: 3, dcs: 30 });
    const reported: Reported[] = reportedFindings(estate.runs);
    const input = {
      domains: pageDomains(estate.config),
      domainStatus: new Map<string, Status>(),
      trusts: estate.config.trusts.map((trust, index) => ({
        trust,
        status: trustStatuses(reported, estate.config)[index],
        href: `trust-${index + 1}`,
      })),
    };
    const layout = layoutTopology(input);
    assert.equal(layout.nodes.length, 30);
    assert.equal(layout.forests.length, 10);
    assert.equal(layout.edges.length, estate.config.trusts.length);
    const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a): boolean =>
      a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    layout.forests.forEach((a, i) => {
      assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.width <= layout.width && a.y + a.height <= layout.height, a.forest);
      layout.forests.slice(i + 1).forEach((b) => {
        assert.ok(!overlap(a, b), `${a.forest} and ${b.forest} overlap`);
      });
    });
    assertWellFormedXml(renderTopology(layout));
    assert.equal(renderTopology(layoutTopology(input)), renderTopology(layout));
  });
});
