// The ldap family: every domain with an ldap section is read, then all are analysed
// together (consistency and trust paths need both sides of a trust). The analysis runs in
// small steps with turns of the event loop between them, so that a directory with tens of
// thousands of trusts keeps /-/healthy and /metrics answering and a stop request heard.

import { setImmediate as nextTurn } from 'node:timers/promises';
import { analysisSteps, appendOutput } from '../analysis/trust-analysis.js';
import type { ProbeContext, ProbeOutput } from '../model/probe.js';
import type { LdapTargets } from '../model/targets.js';
import { readDomains } from './read.js';

/** Longest stretch of analysis between two turns of the event loop. */
const TURN_MS = 10;

export async function probeLdap(targets: LdapTargets, ctx: ProbeContext): Promise<ProbeOutput> {
  const reads = await readDomains(targets, ctx);
  const output: ProbeOutput = { findings: [], measurements: [] };
  let turn = performance.now();
  for (const part of analysisSteps(targets, reads, new Date())) {
    if (part !== undefined) appendOutput(output, part);
    if (performance.now() - turn < TURN_MS) continue;
    await nextTurn();
    // A cancelled run (stop, reload) is thrown away by its caller: no need to finish it.
    if (ctx.signal.aborted) break;
    turn = performance.now();
  }
  return output;
}
