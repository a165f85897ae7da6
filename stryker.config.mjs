// Mutation testing of the pure trust verdict modules: `npm run mutation` (not part of npm test).
// One Stryker run per group below, each mutating its modules and running only the tests that
// cover them, all in one node process (`node --import a.js b.js` loads every test file first, so
// node:test runs them together and sets a failing exit code): a mutant costs one node start, not
// one per test file. Stryker instruments the TypeScript, compiles the sandbox once (the build
// command), and switches each mutant on through __STRYKER_ACTIVE_MUTANT__ in the command's
// environment. The bail reporter ends a run at its first failing test. test/mutation/score.ts adds the groups up, prints the score and the survivors.
import process from 'node:process';

const TESTS = 'dist/test/probes/analysis';
const GROUPS = {
  'trust-rules': {
    mutate: ['probes/analysis/trust-rules.ts'],
    tests: ['trust-rules', 'trust-remediation', 'trust-scanner'],
  },
  'trust-paths': { mutate: ['probes/analysis/trust-paths.ts'], tests: ['trust-paths', 'trust-analysis'] },
  'forest-trust-info': {
    mutate: ['probes/analysis/forest-trust-info.ts'],
    tests: ['forest-trust-info', 'trust-analysis'],
  },
  'trust-scanner': { mutate: ['probes/analysis/trust-scanner.ts'], tests: ['trust-scanner'] },
  'trust-remediation': { mutate: ['probes/analysis/trust-remediation.ts'], tests: ['trust-remediation'] },
  'auth-verdict': { mutate: ['probes/analysis/auth-verdict.ts'], tests: ['auth-verdict'] },
  'ntlm-verdict': { mutate: ['probes/analysis/ntlm-verdict.ts'], tests: ['ntlm-verdict'] },
};

const name = process.env.MUTATION_GROUP ?? '';
const group = GROUPS[name];
if (group === undefined)
  throw new Error(`MUTATION_GROUP must be one of ${Object.keys(GROUPS).join(', ')}, not "${name}"`);
// The files load in this order, so their tests run in it: the verdict tables first, where most mutants die.
const files = group.tests.map((test) => `./${TESTS}/${test}.test.js`);
const main = files.pop();

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: group.mutate,
  testRunner: 'command',
  commandRunner: {
    command: `node --test-reporter=./dist/test/mutation/bail-reporter.js ${files.map((file) => `--import ${file}`).join(' ')} ${main}`,
  },
  buildCommand: 'npx tsc -p tsconfig.json',
  ignorePatterns: ['dist', 'reports', '.stryker-tmp', 'test/lab', 'dashboards', 'deploy', 'docs'],
  concurrency: 2,
  timeoutMS: 8000,
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  reporters: ['progress-append-only', 'json'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  // The bar is on the total, which test/mutation/score.ts checks.
  thresholds: { high: 95, low: 90, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
