// Mutation testing of the pure trust verdict modules (npm run mutation; not part of npm test).
// Stryker instruments the TypeScript once, the build compiles the sandbox once, and each mutant
// is one `node --test` run of the verdict tests with that mutant switched on (the command runner
// sets __STRYKER_ACTIVE_MUTANT__). Incremental: a re-run tests only what changed.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'probes/analysis/trust-rules.ts',
    'probes/analysis/trust-paths.ts',
    'probes/analysis/forest-trust-info.ts',
    'probes/analysis/trust-scanner.ts',
    'probes/analysis/trust-remediation.ts',
  ],
  testRunner: 'command',
  commandRunner: {
    command:
      'node --test --test-reporter=dot dist/test/probes/analysis/trust-rules.test.js dist/test/probes/analysis/trust-analysis.test.js dist/test/probes/analysis/trust-paths.test.js dist/test/probes/analysis/forest-trust-info.test.js dist/test/probes/analysis/trust-scanner.test.js dist/test/probes/analysis/trust-remediation.test.js',
  },
  buildCommand: 'npx tsc -p tsconfig.json',
  ignorePatterns: ['dist', 'reports', '.stryker-tmp', 'test/lab', 'dashboards', 'deploy'],
  concurrency: 2,
  timeoutMS: 20000,
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
