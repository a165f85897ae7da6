// Adds up the Stryker JSON reports of `npm run mutation` (one per group in stryker.config.mjs),
// prints the mutation score per file and in total, and every surviving mutant with its place, so
// docs/verdicts.md can say why each one is harmless. Exits 1 below the bar.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const BAR = 90;
const DIR = 'reports/mutation';

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: string;
  location: { start: { line: number; column: number } };
}

interface Report {
  files: Record<string, { mutants: Mutant[] }>;
}

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);

function isReport(value: unknown): value is Report {
  return (
    typeof value === 'object' &&
    value !== null &&
    'files' in value &&
    typeof value.files === 'object' &&
    value.files !== null
  );
}

const reports = readdirSync(DIR).filter((name) => name.endsWith('.json') && !name.endsWith('.incremental.json'));
if (reports.length === 0) {
  console.error(`no Stryker report in ${DIR}: run npm run mutation`);
  process.exit(1);
}
let detected = 0;
let undetected = 0;
const survivors: string[] = [];
const rows: string[] = [];
for (const name of reports.sort()) {
  const parsed: unknown = JSON.parse(readFileSync(join(DIR, name), 'utf8'));
  if (!isReport(parsed)) throw new Error(`${join(DIR, name)} is not a Stryker JSON report`);
  for (const [file, { mutants }] of Object.entries(parsed.files)) {
    const fileDetected = mutants.filter((mutant) => DETECTED.has(mutant.status)).length;
    const fileUndetected = mutants.filter((mutant) => UNDETECTED.has(mutant.status));
    detected += fileDetected;
    undetected += fileUndetected.length;
    const total = fileDetected + fileUndetected.length;
    rows.push(
      `${file.padEnd(42)} ${String(total).padStart(5)} mutants ${String(fileDetected).padStart(5)} detected  ${(total === 0 ? 100 : (100 * fileDetected) / total).toFixed(2).padStart(6)}%`,
    );
    for (const mutant of fileUndetected) {
      const where = `${file}:${mutant.location.start.line}:${mutant.location.start.column}`;
      survivors.push(
        `${mutant.status.padEnd(10)} ${where} ${mutant.mutatorName}${mutant.replacement === undefined ? '' : ` -> ${mutant.replacement.replace(/\s+/g, ' ').slice(0, 100)}`}`,
      );
    }
  }
}
const score = detected + undetected === 0 ? 100 : (100 * detected) / (detected + undetected);
console.log(rows.join('\n'));
console.log(`\nsurviving mutants (${survivors.length}):`);
console.log(survivors.join('\n') || '  none');
console.log(
  `\nmutation score: ${score.toFixed(2)}% (${detected} of ${detected + undetected} mutants detected; bar ${BAR}%)`,
);
if (score < BAR) process.exit(1);
