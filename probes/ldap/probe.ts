// The ldap family: every domain with an ldap section is read, then all are analysed
// together (consistency and trust paths need both sides of a trust). The analysis runs in
// small steps with turns of the event loop between them, so that a directory with tens of
// thousands of trusts keeps /-/healthy and /metrics answering and a stop request heard.

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DomainRead } from '../analysis/domain-read.js';
import { analysisSteps } from '../analysis/trust-analysis.js';
import { WorstFindings } from '../model/limits.js';
import type { Measurement } from '../model/measurement.js';
import type { ProbeContext, ProbeOutput } from '../model/probe.js';
import type { LdapTargets } from '../model/targets.js';
import { readDomains } from './read.js';

/** Longest stretch of analysis between two turns of the event loop. */
const TURN_MS = 10;

export async function probeLdap(targets: LdapTargets, ctx: ProbeContext): Promise<ProbeOutput> {
  const reads = await readDomains(targets, ctx);
  return analyseInTurns(targets, reads, new Date(), ctx.signal);
}

/**
 * The trust analysis as the family runs it: a step at a time, and keeping only the worst
 * `findingsPerRun` findings as they come (the runner would keep no more), so that neither
 * the time nor the memory of a run grows with the findings a large directory makes.
 */
export async function analyseInTurns(
  targets: LdapTargets,
  reads: DomainRead[],
  now: Date,
  signal: AbortSignal,
): Promise<ProbeOutput> {
  const findings = new WorstFindings(targets.findingsPerRun);
  const measurements: Measurement[] = [];
  let turn = performance.now();
  for (const part of analysisSteps(targets, reads, now)) {
    if (part !== undefined) {
      for (const item of part.findings) findings.add(item);
      for (const item of part.measurements) measurements.push(item);
    }
    if (performance.now() - turn < TURN_MS) continue;
    await nextTurn();
    // A cancelled run (stop, reload) is thrown away by its caller: no need to finish it.
    if (signal.aborted) break;
    turn = performance.now();
  }
  return { findings: findings.findings('ldap'), measurements };
}
