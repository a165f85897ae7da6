// Which domain's users can authenticate to which domain's resources, from the trusts
// read, honouring direction and transitivity: inside a forest everything is transitive;
// a forest trust reaches every domain of both forests but never a third forest; an
// external trust links exactly its two domains. The walk follows the Kerberos referral
// process of Microsoft's "How Domain and Forest Trusts Work".

import type { TrustKind } from './trust-rules.js';

/** `trusting` trusts `trusted`: users of `trusted` may use resources of `trusting`. */
export interface TrustEdge {
  trusting: string;
  trusted: string;
  kind: TrustKind;
}

export interface Hop {
  /** The KDC that acts at this step. */
  at: string;
  says: string;
}

export type PathResult =
  { available: true; hops: Hop[] } | { available: false; hops: Hop[]; brokenAt: string; reason: string };

export interface TrustGraph {
  edges: TrustEdge[];
  /** Forest root of each domain; a domain not listed is its own forest root. */
  forestOf: (domain: string) => string;
}

function realm(domain: string): string {
  return domain.toUpperCase();
}

function describeEdge(edge: TrustEdge): string {
  return `${edge.trusting} trusts ${edge.trusted} (${edge.kind.replace('_', ' ')} trust)`;
}

/** One key per ordered pair of names, whatever characters a directory puts in them: the length comes first. */
function endsKey(trusting: string, trusted: string): string {
  return `${trusting.length}:${trusting}${trusted}`;
}

/**
 * Work done a slice at a time: each `yield` is a point where the caller may let the event
 * loop turn (the ldap family does; `runSteps` does not). The value is the result.
 */
export type Steps<T> = Generator<undefined, T, undefined>;

export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const next = steps.next();
    if (next.done === true) return next.value;
  }
}

/** Edges handled between two yields. */
const EDGES_PER_STEP = 2000;

/**
 * The edges looked up by their ends, built once per graph, so that a question costs the
 * same whatever the number of trusts read: a directory may hold tens of thousands of
 * trustedDomain objects, and every pair of configured domains is asked about (issue 15).
 * Only edges between names that questions can look up are kept (`looksUp`): with the
 * configured domains and their forests, a handful, where the whole graph has two per trust.
 */
class EdgeIndex {
  /** The first edge between two ends, of any kind, by endsKey. */
  readonly #byEnds = new Map<string, TrustEdge>();
  /** The first forest edge between two ends. */
  readonly #forestByEnds = new Map<string, TrustEdge>();
  /** Per forest of the users, the first edge by which each forest trusts them through a third forest. */
  readonly #throughThird = new Map<string, Map<string, TrustEdge>>();

  constructor(
    readonly graph: TrustGraph,
    readonly looksUp: (name: string) => boolean,
  ) {}

  *build(): Steps<void> {
    let count = 0;
    for (const edge of this.graph.edges) {
      if (this.looksUp(edge.trusting) && this.looksUp(edge.trusted)) {
        const key = endsKey(edge.trusting, edge.trusted);
        if (!this.#byEnds.has(key)) this.#byEnds.set(key, edge);
        if (edge.kind === 'forest' && !this.#forestByEnds.has(key)) this.#forestByEnds.set(key, edge);
      }
      if (++count % EDGES_PER_STEP === 0) yield;
    }
  }

  edge(trusting: string, trusted: string): TrustEdge | undefined {
    return this.#byEnds.get(endsKey(trusting, trusted));
  }

  forestEdge(trusting: string, trusted: string): TrustEdge | undefined {
    return this.#forestByEnds.get(endsKey(trusting, trusted));
  }

  /**
   * For the forest of some users: per forest, the first edge (in the graph's order) by which
   * it trusts a domain other than `fromForest` whose forest in turn trusts `fromForest`. Two
   * passes over the edges, once per forest of users.
   */
  *prepareThirdForest(fromForest: string): Steps<Map<string, TrustEdge>> {
    const known = this.#throughThird.get(fromForest);
    if (known !== undefined) return known;
    const trustingFrom = new Set<string>();
    let count = 0;
    for (const edge of this.graph.edges) {
      if (edge.trusted === fromForest) trustingFrom.add(edge.trusting);
      if (++count % EDGES_PER_STEP === 0) yield;
    }
    const firstByTrusting = new Map<string, TrustEdge>();
    for (const edge of this.graph.edges) {
      if (
        edge.trusted !== fromForest &&
        this.looksUp(edge.trusting) &&
        !firstByTrusting.has(edge.trusting) &&
        trustingFrom.has(this.graph.forestOf(edge.trusted))
      )
        firstByTrusting.set(edge.trusting, edge);
      if (++count % EDGES_PER_STEP === 0) yield;
    }
    this.#throughThird.set(fromForest, firstByTrusting);
    return firstByTrusting;
  }

  throughThirdForest(toForest: string, fromForest: string): TrustEdge | undefined {
    return runSteps(this.prepareThirdForest(fromForest)).get(toForest);
  }
}

export type PathFinder = (from: string, to: string) => PathResult;

/** Asked about a domain its index left out: the caller's mistake, never a wrong answer. */
export class UnindexedDomain extends Error {}

/**
 * Answers "can users of `from` reach `to`?" for many pairs of one graph, each in constant
 * time, once the index is built: in steps, over the edges, then over them again for the
 * forest of each domain in `domains`. Given `domains` (the configured ones: the only ones
 * asked about), the finder answers questions between them alone; without, about any.
 */
export function* pathFinderSteps(graph: TrustGraph, domains?: string[]): Steps<PathFinder> {
  const asked = domains === undefined ? undefined : new Set(domains);
  const looksUp = new Set([...(asked ?? [])].flatMap((domain) => [domain, graph.forestOf(domain)]));
  const index = new EdgeIndex(graph, asked === undefined ? () => true : (name) => looksUp.has(name));
  yield* index.build();
  for (const domain of asked ?? []) yield* index.prepareThirdForest(graph.forestOf(domain));
  return (from, to) => {
    for (const domain of [from, to])
      if (asked !== undefined && !asked.has(domain))
        throw new UnindexedDomain(`the trust path index was built for ${[...asked].join(', ')}, not ${domain}`);
    return walk(index, from, to);
  };
}

export function pathFinder(graph: TrustGraph): PathFinder {
  return runSteps(pathFinderSteps(graph));
}

/** Can users of `from` authenticate to resources in `to`, and through which referrals? */
export function findPath(graph: TrustGraph, from: string, to: string): PathResult {
  return pathFinder(graph)(from, to);
}

function walk(index: EdgeIndex, from: string, to: string): PathResult {
  const graph = index.graph;
  const fromForest = graph.forestOf(from);
  const toForest = graph.forestOf(to);
  const hops: Hop[] = [
    { at: from, says: `a user of ${from} asks the KDC of ${from} for a ticket to a service in ${to}` },
  ];

  if (from === to)
    return {
      available: true,
      hops: [...hops, { at: to, says: `${to} is the user's own domain: the KDC issues the service ticket` }],
    };

  if (fromForest === toForest) {
    hops.push({
      at: from,
      says: `${to} is in the same forest (${fromForest}): the KDC refers the client along the forest's own transitive trusts`,
    });
    hops.push({ at: to, says: `the KDC of ${to} issues the service ticket` });
    return { available: true, hops };
  }

  const direct = index.edge(to, from);
  if (direct !== undefined && direct.kind !== 'forest') {
    hops.push({
      at: from,
      says: `${describeEdge(direct)}: the KDC gives a referral ticket krbtgt/${realm(to)}@${realm(from)}`,
    });
    hops.push({ at: to, says: `the KDC of ${to} accepts the referral and issues the service ticket` });
    return { available: true, hops };
  }

  const forestTrust = index.forestEdge(toForest, fromForest);
  if (forestTrust !== undefined) {
    if (from !== fromForest)
      hops.push({
        at: from,
        says: `${to} is outside this forest: the KDC refers the client up to the forest root ${fromForest}`,
      });
    hops.push({
      at: fromForest,
      says: `the global catalog matches ${to} against the names of forest ${toForest} in the forest trust (${describeEdge(forestTrust)}): referral ticket krbtgt/${realm(toForest)}@${realm(fromForest)}`,
    });
    if (to !== toForest) hops.push({ at: toForest, says: `the forest root refers the client down to ${to}` });
    hops.push({ at: to, says: `the KDC of ${to} issues the service ticket` });
    return { available: true, hops };
  }

  return { available: false, hops, brokenAt: from, reason: whyNot(index, from, to, fromForest, toForest) };
}

function whyNot(index: EdgeIndex, from: string, to: string, fromForest: string, toForest: string): string {
  const reasons: string[] = [];
  const reverse = index.edge(from, to) ?? index.forestEdge(fromForest, toForest);
  if (reverse !== undefined) {
    reasons.push(
      `the trust runs the other way: ${describeEdge(reverse)}, so users of ${reverse.trusted} may use ${reverse.trusting}, not the reverse`,
    );
  } else {
    reasons.push(`${to} (forest ${toForest}) has no trust in which it trusts ${from} or its forest ${fromForest}`);
  }
  // A forest trust is not transitive to a third forest, and an external trust not at all.
  const middle = index.throughThirdForest(toForest, fromForest);
  if (middle !== undefined) {
    reasons.push(
      `${toForest} trusts ${middle.trusted} and ${middle.trusted} trusts ${fromForest}, but trusts between forests are not transitive through a third forest`,
    );
  }
  return reasons.join('; ');
}

/** The referral chain as lines a person reads, for `probe path FROM TO`. */
export function describePath(from: string, to: string, result: PathResult): string {
  const lines = [`users of ${from} -> resources in ${to}: ${result.available ? 'available' : 'NOT available'}`];
  result.hops.forEach((hop, index) => lines.push(`  ${index + 1}. [${hop.at}] ${hop.says}`));
  if (!result.available) lines.push(`  ${result.hops.length + 1}. [${result.brokenAt}] breaks here: ${result.reason}`);
  return lines.join('\n');
}
