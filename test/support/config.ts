import assert from 'node:assert/strict';
import { parseConfig, type Config, type SecretSources } from '../../agent/config/config.js';
import { buildPlan } from '../../agent/plan/plan.js';
import { renderTarget, type Finding } from '../../probes/model/finding.js';
import type { Plan } from '../../probes/model/targets.js';

const noSecrets: SecretSources = {
  readFile: () => {
    throw Object.assign(new Error('no file'), { code: 'ENOENT' });
  },
  env: {},
};

/** A validated Config from YAML text, as the agent would load it. */
export function configFrom(yaml: string, secrets: SecretSources = noSecrets): Config {
  return parseConfig(yaml, 'test.yaml', secrets);
}

/** The plan the agent would run for the config. */
export function planOf(config: Config): Plan {
  return buildPlan(config);
}

/** Where the plan says to find a domain's DCs. */
export function domainTargetsOf(config: Config, domain: string): Plan['ports']['domains'][number] {
  const found = buildPlan(config).ports.domains.find((candidate) => candidate.domain === domain);
  if (found === undefined) throw new Error(`${domain} takes part in no trust of the config`);
  return found;
}

/** A finding's target as the report and the metrics print it. */
export function targetText(finding: Finding): string {
  return renderTarget(finding.check, finding.target);
}

/** The one finding of a check for a target (as text); fails naming the findings there are. */
export function findingFor(findings: Finding[], check: string, target: string): Finding {
  const found = findings.find((finding) => finding.check === check && targetText(finding) === target);
  assert.ok(
    found,
    `no ${check} finding for ${target}; have: ${findings.map((f) => `${f.check} ${targetText(f)}`).join(', ')}`,
  );
  return found;
}
