// @ts-nocheck
// The ldap family: every domain with an ldap section is read, then all are analysed
// together (consistency and trust paths need both sides of a trust).

import { analyseTrusts } from '../analysis/trust-analysis.js';
import type { ProbeContext, ProbeOutput } from '../model/probe.js';
import type { LdapTargets } from '../model/targets.js';
import { readDomains } from './read.js';

export async function probeLdap(targets: LdapTargets, ctx: ProbeContext): Promise<ProbeOutput> {
  return analyseTrusts(targets, await readDomains(targets, ctx), new Date());
}
