// How long the trust analysis takes, and how much memory it needs, when one domain's
// directory holds 10k, 20k and 100k trustedDomain objects (and as many trust accounts):
// the analysis alone, without LDAP: first the trust graph and paths; then the whole analysis
// as the ldap family runs it (in steps, keeping the worst limits.findings_per_run findings, 20000
// by default, of the eleven or so each trust object makes); then the whole analysis keeping
// every finding (analyseTrusts, as the unit tests call it: what raising findings_per_run to its
// maximum comes close to). Each size runs in its own process, so that its peak RSS is its own.
// Run: npm run bench:trusts. Prints figures; asserts nothing.
// Issue 15 measured 6.6 s at 10k, 14.5 s and 670 MB at 20k, over 12 minutes at 100k.

import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../agent/config/config.js';
import { buildPlan } from '../agent/plan/plan.js';
import type { DomainRead, TrustRecord } from '../probes/analysis/domain-read.js';
import { analyseTrusts, trustGraph } from '../probes/analysis/trust-analysis.js';
import { pathFinder } from '../probes/analysis/trust-paths.js';
import { analyseInTurns } from '../probes/ldap/probe.js';

const SIZES = [10_000, 20_000, 100_000];

function read(domain: string, count: number): Extract<DomainRead, { ok: true }> {
  const changed = new Date('2026-11-01T00:00:00Z');
  // The configured partners first, then `count` others.
  const partners = [
    'wingtip.test',
    'fabrikam.test',
    ...Array.from({ length: count }, (_, index) => `partner${index}.example`),
  ];
  const trusts: TrustRecord[] = partners.map((partner, index) => ({
    domain,
    partner,
    flatName: `PARTNER${index}`,
    // Two-way forest trusts: every rule, the password lookup and the forest-name checks run.
    direction: 3,
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0x18,
    sid: `S-1-5-21-1-2-${index}`,
    whenCreated: changed,
    whenChanged: changed,
    forestTrustInfo: undefined,
    trustAuthChanged: undefined,
  }));
  return {
    ok: true,
    domain,
    server: 'dca.tailspin.test',
    seconds: 1,
    trusts,
    trustAccounts: trusts.map((trust) => ({ name: `${trust.flatName}$`, pwdLastSet: changed })),
    localNames: [domain],
    preauth: [],
    rootDse: undefined,
    problems: [],
  };
}

const PARTS = ['paths', 'family', 'every'] as const;
type Part = (typeof PARTS)[number];

async function measure(count: number, part: Part): Promise<void> {
  const config = parseConfig(
    [
      'domains:',
      '  tailspin.test:',
      '    ldap: { url: ldaps://dca.tailspin.test, bind_dn: probe@tailspin.test, password_env: PW }',
      '  wingtip.test: {}',
      '  fabrikam.test: {}',
      'trusts:',
      '  - between: [tailspin.test, wingtip.test]',
      '    type: forest',
      '  - { trusting: tailspin.test, trusted: fabrikam.test, type: external }',
      'limits:',
      `  trusted_domain_objects: ${Math.min(count + 2, 100_000)}`,
      `  ldap_entries_per_search: ${Math.min(count + 2, 100_000)}`,
    ].join('\n'),
    'bench.yaml',
    { readFile: () => '', env: { PW: 'x' } },
  );
  const targets = buildPlan(config).ldap;
  const input = read('tailspin.test', count);
  const started = performance.now();
  const cpu = process.cpuUsage();
  let what: string;
  if (part === 'paths') {
    // The trust graph and every pair of configured domains, as the trust.path findings ask.
    const reads = new Map([[input.domain, input]]);
    const find = pathFinder(trustGraph(targets, reads));
    const domains = ['fabrikam.test', 'tailspin.test', 'wingtip.test'];
    let available = 0;
    for (const from of domains) for (const to of domains) if (from !== to && find(from, to).available) available++;
    what = `trust paths: ${available} of 6 available`;
  } else if (part === 'family') {
    const output = await analyseInTurns(targets, [input], NOW, new AbortController().signal);
    what = `whole analysis as the ldap family runs it: ${output.findings.length} findings kept (findings_per_run ${targets.findingsPerRun}), ${output.measurements.length} measurements`;
  } else {
    const output = analyseTrusts(targets, [input], NOW);
    what = `whole analysis, every finding kept: ${output.findings.length} findings, ${output.measurements.length} measurements`;
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const peak = process.resourceUsage().maxRSS / 1024;
  console.log(
    `${String(count).padStart(7)} trustedDomain objects, ${what}: ${seconds.toFixed(2)} s (CPU ${((used.user + used.system) / 1e6).toFixed(2)} s), peak RSS ${peak.toFixed(0)} MiB`,
  );
}

const NOW = new Date('2026-12-01T00:00:00Z');
const [size, part] = process.argv.slice(2);
if (size !== undefined) {
  await measure(Number(size), PARTS.find((name) => name === part) ?? 'family');
} else {
  for (const which of PARTS) {
    for (const count of SIZES) {
      const child = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, String(count), which], {
        stdio: 'inherit',
      });
      if (child.status !== 0)
        console.log(
          `${String(count).padStart(7)} trustedDomain objects, ${which}: failed (exit ${String(child.status ?? child.signal)})`,
        );
    }
  }
}
