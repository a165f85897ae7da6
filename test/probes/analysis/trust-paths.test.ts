// findPath on small hand-made graphs: direction, transitivity, forests and the words of each hop.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  describePath,
  findPath,
  pathFinderSteps,
  runSteps,
  UnindexedDomain,
  type TrustEdge,
  type TrustGraph,
} from '../../../probes/analysis/trust-paths.js';

function graph(edges: TrustEdge[], roots: Record<string, string> = {}): TrustGraph {
  return { edges, forestOf: (domain) => roots[domain] ?? domain };
}

// f1 and f2 are forests with one child each; f2 trusts f1 (one-way forest trust): f1's users may use f2.
const ROOTS = { 'child.f1.test': 'f1.test', 'child.f2.test': 'f2.test' };
const ONE_WAY_FOREST = graph([{ trusting: 'f2.test', trusted: 'f1.test', kind: 'forest' }], ROOTS);

describe('findPath', () => {
  it('a forest trust is followed in its own direction only', () => {
    assert.equal(findPath(ONE_WAY_FOREST, 'f1.test', 'f2.test').available, true);
    const back = findPath(ONE_WAY_FOREST, 'f2.test', 'f1.test');
    assert.ok(!back.available);
    assert.equal(back.brokenAt, 'f2.test');
    assert.equal(
      back.reason,
      'the trust runs the other way: f2.test trusts f1.test (forest trust), so users of f1.test may use f2.test, not the reverse',
    );
  });

  it('a forest trust reaches the children of both forests, through both roots', () => {
    const result = findPath(ONE_WAY_FOREST, 'child.f1.test', 'child.f2.test');
    assert.equal(
      describePath('child.f1.test', 'child.f2.test', result),
      [
        'users of child.f1.test -> resources in child.f2.test: available',
        '  1. [child.f1.test] a user of child.f1.test asks the KDC of child.f1.test for a ticket to a service in child.f2.test',
        '  2. [child.f1.test] child.f2.test is outside this forest: the KDC refers the client up to the forest root f1.test',
        '  3. [f1.test] the global catalog matches child.f2.test against the names of forest f2.test in the forest trust (f2.test trusts f1.test (forest trust)): referral ticket krbtgt/F2.TEST@F1.TEST',
        '  4. [f2.test] the forest root refers the client down to child.f2.test',
        '  5. [child.f2.test] the KDC of child.f2.test issues the service ticket',
      ].join('\n'),
    );
    assert.equal(findPath(ONE_WAY_FOREST, 'child.f2.test', 'child.f1.test').available, false);
  });

  it('from root to root there is no step up or down', () => {
    const result = findPath(ONE_WAY_FOREST, 'f1.test', 'f2.test');
    assert.deepEqual(
      result.hops.map((hop) => hop.at),
      ['f1.test', 'f1.test', 'f2.test'],
    );
  });

  it('the own domain and the own forest need no trust object', () => {
    const empty = graph([], ROOTS);
    assert.equal(
      describePath('f1.test', 'f1.test', findPath(empty, 'f1.test', 'f1.test')),
      "users of f1.test -> resources in f1.test: available\n  1. [f1.test] a user of f1.test asks the KDC of f1.test for a ticket to a service in f1.test\n  2. [f1.test] f1.test is the user's own domain: the KDC issues the service ticket",
    );
    const sameForest = findPath(empty, 'child.f1.test', 'f1.test');
    assert.equal(sameForest.available, true);
    assert.match(
      sameForest.hops[1]?.says ?? '',
      /f1\.test is in the same forest \(f1\.test\): the KDC refers the client along the forest's own transitive trusts/,
    );
    assert.equal(sameForest.hops[2]?.says, 'the KDC of f1.test issues the service ticket');
  });

  it('an external trust links exactly its two domains, one way', () => {
    const external = graph([{ trusting: 'a.test', trusted: 'b.test', kind: 'external' }]);
    const result = findPath(external, 'b.test', 'a.test');
    assert.equal(
      describePath('b.test', 'a.test', result),
      [
        'users of b.test -> resources in a.test: available',
        '  1. [b.test] a user of b.test asks the KDC of b.test for a ticket to a service in a.test',
        '  2. [b.test] a.test trusts b.test (external trust): the KDC gives a referral ticket krbtgt/A.TEST@B.TEST',
        '  3. [a.test] the KDC of a.test accepts the referral and issues the service ticket',
      ].join('\n'),
    );
    const back = findPath(external, 'a.test', 'b.test');
    assert.ok(!back.available);
    assert.match(back.reason, /^the trust runs the other way: a\.test trusts b\.test \(external trust\)/);
  });

  it('external trusts are not transitive', () => {
    const chain = graph([
      { trusting: 'a.test', trusted: 'b.test', kind: 'external' },
      { trusting: 'b.test', trusted: 'c.test', kind: 'external' },
    ]);
    const result = findPath(chain, 'c.test', 'a.test');
    assert.ok(!result.available);
    // Three single-domain forests: the third-forest sentence holds for external trusts too.
    assert.equal(
      result.reason,
      'a.test (forest a.test) has no trust in which it trusts c.test or its forest c.test; a.test trusts b.test and b.test trusts c.test, but trusts between forests are not transitive through a third forest',
    );
    const lone = graph([{ trusting: 'a.test', trusted: 'b.test', kind: 'external' }]);
    const none = findPath(lone, 'c.test', 'a.test');
    assert.ok(!none.available);
    assert.equal(none.reason, 'a.test (forest a.test) has no trust in which it trusts c.test or its forest c.test');
  });

  it('forest trusts are not transitive through a third forest, and the reason says so', () => {
    const chain = graph([
      { trusting: 'f1.test', trusted: 'f2.test', kind: 'forest' },
      { trusting: 'f2.test', trusted: 'f3.test', kind: 'forest' },
    ]);
    assert.equal(findPath(chain, 'f2.test', 'f1.test').available, true);
    assert.equal(findPath(chain, 'f3.test', 'f2.test').available, true);
    const result = findPath(chain, 'f3.test', 'f1.test');
    assert.ok(!result.available);
    assert.equal(
      result.reason,
      'f1.test (forest f1.test) has no trust in which it trusts f3.test or its forest f3.test; f1.test trusts f2.test and f2.test trusts f3.test, but trusts between forests are not transitive through a third forest',
    );
    assert.match(
      describePath('f3.test', 'f1.test', result),
      /NOT available\n {2}1\. \[f3\.test\] .*\n {2}2\. \[f3\.test\] breaks here: f1\.test \(forest f1\.test\)/,
    );
  });

  it('a direct forest-kind edge between two children is not a shortcut: forest trusts bind the roots', () => {
    const childEdge = graph([{ trusting: 'child.f2.test', trusted: 'child.f1.test', kind: 'forest' }], ROOTS);
    assert.equal(findPath(childEdge, 'child.f1.test', 'child.f2.test').available, false);
  });

  it('a realm or within-forest edge is followed directly', () => {
    const realm = graph([{ trusting: 'a.test', trusted: 'realm.test', kind: 'realm' }]);
    assert.equal(findPath(realm, 'realm.test', 'a.test').available, true);
    assert.match(
      findPath(realm, 'realm.test', 'a.test').hops[1]?.says ?? '',
      /a\.test trusts realm\.test \(realm trust\)/,
    );
    const within = graph([{ trusting: 'a.test', trusted: 'b.test', kind: 'within_forest' }]);
    assert.match(
      findPath(within, 'b.test', 'a.test').hops[1]?.says ?? '',
      /a\.test trusts b\.test \(within forest trust\)/,
    );
  });

  it('the reverse forest trust is named between children, not a look-alike edge', () => {
    // Decoys first: a forest trust of the user's forest with another forest, another forest's
    // trust in the target forest, and an external trust between the two roots.
    const decoys = graph(
      [
        { trusting: 'f2.test', trusted: 'x.test', kind: 'forest' },
        { trusting: 'y.test', trusted: 'f1.test', kind: 'forest' },
        { trusting: 'f2.test', trusted: 'f1.test', kind: 'external' },
        { trusting: 'f2.test', trusted: 'f1.test', kind: 'forest' },
      ],
      ROOTS,
    );
    const result = findPath(decoys, 'child.f2.test', 'child.f1.test');
    assert.ok(!result.available);
    assert.equal(
      result.reason,
      'the trust runs the other way: f2.test trusts f1.test (forest trust), so users of f1.test may use f2.test, not the reverse',
    );
  });

  it('an external trust between two forest roots does not carry their children', () => {
    const rootsOnly = graph([{ trusting: 'f2.test', trusted: 'f1.test', kind: 'external' }], ROOTS);
    assert.equal(findPath(rootsOnly, 'f1.test', 'f2.test').available, true);
    assert.equal(findPath(rootsOnly, 'child.f1.test', 'child.f2.test').available, false);
    assert.equal(findPath(rootsOnly, 'child.f1.test', 'f2.test').available, false);
  });

  it('the reverse external trust is the one between the two domains asked about', () => {
    const two = graph([
      { trusting: 'c.test', trusted: 'd.test', kind: 'external' },
      { trusting: 'x.test', trusted: 'b.test', kind: 'external' },
      { trusting: 'a.test', trusted: 'x.test', kind: 'external' },
      { trusting: 'a.test', trusted: 'b.test', kind: 'external' },
    ]);
    const result = findPath(two, 'a.test', 'b.test');
    assert.ok(!result.available);
    assert.equal(
      result.reason,
      'the trust runs the other way: a.test trusts b.test (external trust), so users of b.test may use a.test, not the reverse',
    );
  });

  it("the third-forest sentence only when a chain really ends at the user's forest", () => {
    const unrelated = graph([
      { trusting: 'f1.test', trusted: 'f2.test', kind: 'forest' },
      { trusting: 'f2.test', trusted: 'f5.test', kind: 'forest' },
      { trusting: 'f4.test', trusted: 'f3.test', kind: 'forest' },
      { trusting: 'f6.test', trusted: 'f7.test', kind: 'forest' },
      { trusting: 'f7.test', trusted: 'f3.test', kind: 'forest' },
    ]);
    const result = findPath(unrelated, 'f3.test', 'f1.test');
    assert.ok(!result.available);
    assert.equal(
      result.reason,
      'f1.test (forest f1.test) has no trust in which it trusts f3.test or its forest f3.test',
    );
  });

  it('a chain through a child of the middle forest counts as that forest', () => {
    const viaChild = graph(
      [
        { trusting: 'f1.test', trusted: 'child.f2.test', kind: 'external' },
        { trusting: 'f2.test', trusted: 'f3.test', kind: 'forest' },
      ],
      ROOTS,
    );
    const result = findPath(viaChild, 'f3.test', 'f1.test');
    assert.ok(!result.available);
    assert.match(
      result.reason,
      /; f1\.test trusts child\.f2\.test and child\.f2\.test trusts f3\.test, but trusts between forests are not transitive through a third forest$/,
    );
  });
});

describe('pathFinderSteps for the domains asked about', () => {
  // Forest trusts, external trusts, a third forest reached through a child, and decoys.
  const mixed = graph(
    [
      { trusting: 'f2.test', trusted: 'x.test', kind: 'forest' },
      { trusting: 'y.test', trusted: 'f1.test', kind: 'forest' },
      { trusting: 'f2.test', trusted: 'f1.test', kind: 'external' },
      { trusting: 'f2.test', trusted: 'f1.test', kind: 'forest' },
      { trusting: 'f3.test', trusted: 'child.f2.test', kind: 'external' },
      { trusting: 'f2.test', trusted: 'f3.test', kind: 'forest' },
      { trusting: 'child.f1.test', trusted: 'b.test', kind: 'external' },
      { trusting: 'b.test', trusted: 'child.f1.test', kind: 'forest' },
    ],
    ROOTS,
  );
  const names = ['f1.test', 'f2.test', 'f3.test', 'child.f1.test', 'child.f2.test', 'x.test', 'y.test', 'b.test'];

  it('answers each pair of the domains it was built for as findPath does over the whole graph', () => {
    for (const from of names) {
      for (const to of names) {
        const finder = runSteps(pathFinderSteps(mixed, [from, to]));
        assert.deepEqual(finder(from, to), findPath(mixed, from, to), `${from} -> ${to}`);
      }
    }
  });

  it('refuses a domain it was not built for, and names it', () => {
    const finder = runSteps(pathFinderSteps(mixed, ['child.f1.test', 'f2.test']));
    assert.throws(
      () => finder('child.f1.test', 'f1.test'),
      (error) =>
        error instanceof UnindexedDomain &&
        error.message === 'the trust path index was built for child.f1.test, f2.test, not f1.test',
    );
    assert.throws(() => finder('x.test', 'f2.test'), /, not x\.test$/);
    assert.equal(finder('child.f1.test', 'f2.test').available, true);
  });
});

describe('pathFinderSteps in slices', () => {
  // 4,000 decoy external trusts between unrelated domains, then f2 trusts f1 (forest) at the end.
  const decoys: TrustEdge[] = Array.from({ length: 4000 }, (_, i) => ({
    trusting: `d${i}.test`,
    trusted: `e${i}.test`,
    kind: 'external',
  }));
  const big = graph([...decoys, { trusting: 'f2.test', trusted: 'f1.test', kind: 'forest' }], ROOTS);

  it('yields once per 2,000 edges of each pass: the index, then two passes per forest of the domains asked about', () => {
    const steps = pathFinderSteps(big, ['child.f1.test', 'f2.test']);
    let yields = 0;
    let next = steps.next();
    while (next.done !== true) {
      yields++;
      next = steps.next();
    }
    // 4,001 edges: 2 yields per pass; 1 pass for the index, 2 for each of the forests f1.test and f2.test.
    assert.equal(yields, 2 * (1 + 2 * 2));
    assert.equal(next.value('child.f1.test', 'f2.test').available, true);
  });

  it('runSteps runs a sliced build to its end and returns its result', () => {
    const finder = runSteps(pathFinderSteps(big, ['child.f1.test', 'f2.test']));
    assert.equal(finder('child.f1.test', 'f2.test').available, true);
    assert.equal(finder('f2.test', 'child.f1.test').available, false);
  });

  it('the first edge between two ends decides, whatever follows it', () => {
    const edges: TrustEdge[] = [
      { trusting: 'f2.test', trusted: 'f1.test', kind: 'external' },
      { trusting: 'f2.test', trusted: 'f1.test', kind: 'forest' },
    ];
    for (const order of [edges, [...edges].reverse()]) {
      const finder = runSteps(pathFinderSteps(graph(order, ROOTS), ['f1.test', 'f2.test']));
      const says = finder('f1.test', 'f2.test').hops[1]?.says ?? '';
      assert.match(says, order[0]?.kind === 'external' ? /\(external trust\)/ : /\(forest trust\)/);
    }
  });
});
