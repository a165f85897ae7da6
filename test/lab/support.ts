// Shared by the lab tests: the lab's fault commands, and `probe` run inside the client
// namespace (the tests themselves run there, started by test/lab/test).

import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JsonFinding as Finding } from '../../agent/outputs/report.js';
import type { Status } from '../../probes/model/finding.js';
import { PROBE, runProbe } from '../support/cli.js';

const run = promisify(execFile);

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const LAB = join(ROOT, 'test', 'lab', 'lab');
export const LAB_CONFIG = join(ROOT, 'test', 'lab', 'probe-lab.yaml');
export { PROBE };

/** One lab command (`block dcb 636/tcp drop`); throws with its output when it fails. */
export async function lab(...args: string[]): Promise<string> {
  try {
    // Re-creating trusts restarts DCs: minutes on a busy 2-core machine.
    const slow = args[0] === 'trust-restore' || args[0] === 'reset';
    const { stdout } = await run(LAB, args, { timeout: slow ? 400_000 : 120_000 });
    return stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`lab ${args.join(' ')} failed: ${failed.message}\n${failed.stdout ?? ''}${failed.stderr ?? ''}`, {
      cause: error,
    });
  }
}

export interface Report {
  status: Status;
  findings: Finding[];
  exitCode: number | null;
}

/** Any `probe` command, with its exit code and output. */
export const probeCommand = runProbe;

export async function probeRun(args: string[], config = LAB_CONFIG): Promise<Report> {
  const { code, stdout, stderr } = await runProbe(['run', '--config', config, '--output', 'json', ...args]);
  try {
    return { ...(JSON.parse(stdout) as Omit<Report, 'exitCode'>), exitCode: code };
  } catch (error) {
    throw new Error(`probe run did not print a JSON report (exit ${String(code)}): ${stdout}${stderr}`, {
      cause: error,
    });
  }
}

/** A config file of the test's own, next to nothing the lab owns. */
export function tempConfig(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'adtrust-lab-test-'));
  const file = join(dir, 'probe.yaml');
  writeFileSync(file, text);
  return file;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs probe until `accept` says yes (faults take a moment to show and to clear). */
export async function probeUntil(
  args: string[],
  what: string,
  accept: (report: Report) => boolean,
  seconds = 60,
): Promise<Report> {
  const until = Date.now() + seconds * 1000;
  let last: Report | undefined;
  while (Date.now() < until) {
    last = await probeRun(args);
    if (accept(last)) return last;
    await sleep(1000);
  }
  const problems =
    last?.findings
      .filter((finding) => finding.status !== 'ok')
      .map((f) => `${f.status} ${f.check} ${f.target}: ${f.message}`) ?? [];
  throw new Error(`not seen within ${seconds}s: ${what}\nlast report:\n${problems.join('\n')}`);
}

export function findings(report: Report, check: string, filter: (finding: Finding) => boolean = () => true): Finding[] {
  return report.findings.filter((finding) => finding.check === check && filter(finding));
}

export function problems(report: Report): Finding[] {
  return report.findings.filter((finding) => finding.status !== 'ok');
}
