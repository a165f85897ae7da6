// @ts-nocheck
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

/** Can users of `from` authenticate to resources in `to`, and through which referrals? */
export function findPath(graph: TrustGraph, from: string, to: string): PathResult {
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

  const direct = graph.edges.find((edge) => edge.trusting === to && edge.trusted === from);
  if (direct !== undefined && direct.kind !== 'forest') {
    hops.push({
      at: from,
      says: `${describeEdge(direct)}: the KDC gives a referral ticket krbtgt/${realm(to)}@${realm(from)}`,
    });
    hops.push({ at: to, says: `the KDC of ${to} accepts the referral and issues the service ticket` });
    return { available: true, hops };
  }

  const forestTrust = graph.edges.find(
    (edge) => edge.kind === 'forest' && edge.trusting === toForest && edge.trusted === fromForest,
  );
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

  return { available: false, hops, brokenAt: from, reason: whyNot(graph, from, to, fromForest, toForest) };
}

function whyNot(graph: TrustGraph, from: string, to: string, fromForest: string, toForest: string): string {
  const reasons: string[] = [];
  const reverse =
    graph.edges.find((edge) => edge.trusting === from && edge.trusted === to) ??
    graph.edges.find((edge) => edge.kind === 'forest' && edge.trusting === fromForest && edge.trusted === toForest);
  if (reverse !== undefined) {
    reasons.push(
      `the trust runs the other way: ${describeEdge(reverse)}, so users of ${reverse.trusted} may use ${reverse.trusting}, not the reverse`,
    );
  } else {
    reasons.push(`${to} (forest ${toForest}) has no trust in which it trusts ${from} or its forest ${fromForest}`);
  }
  // A forest trust is not transitive to a third forest, and an external trust not at all.
  const middle = graph.edges
    .filter((first) => first.trusting === toForest && first.trusted !== fromForest)
    .find((first) =>
      graph.edges.some((second) => second.trusting === graph.forestOf(first.trusted) && second.trusted === fromForest),
    );
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
