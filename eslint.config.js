// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.stryker-tmp*/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // winston's typings declare its transports apart from the TransportStream class.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'before', 'after'] },
          ],
        },
      ],
    },
  },
  // The layers of probes/ (README, "Layout"): each folder imports only the layers below it,
  // and nothing in probes/ knows the agent, the config file or prom-client.
  ...layerRules(),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);

function layerRules() {
  const FAMILIES = ['dns', 'ports', 'protocols', 'ldap', 'auth'];
  const APPLICATION = {
    group: ['**/agent/**', 'prom-client', 'yaml', 'zod', 'node-cron', 'winston', 'commander'],
    message: 'probes/ never imports the agent, the config file or prom-client: take the plan slice as an argument',
  };
  const NETWORK = {
    group: ['node:net', 'node:dgram', 'node:tls', 'node:dns', 'node:dns/promises', 'node:http', 'dns-packet', 'ldapts'],
    message: 'a pure layer: bytes and data in, data out, no sockets',
  };
  const below = (folder, allowed, extra = []) => {
    const forbidden = ['model', 'wire', 'transport', 'analysis', 'discovery', ...FAMILIES].filter(
      (name) => name !== folder && !allowed.includes(name),
    );
    return {
      files: [`probes/${folder}/**/*.ts`],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              APPLICATION,
              ...(forbidden.length === 0
                ? []
                : [
                    {
                      group: forbidden.map((name) => `../${name}/*`),
                      message: `probes/${folder}/ may import only ${allowed.join(', ') || 'its own folder'}`,
                    },
                  ]),
              ...extra,
            ],
          },
        ],
      },
    };
  };
  return [
    // The model imports nothing but itself.
    below('model', [], [{ regex: '^(?!\\./)', message: 'probes/model/ imports nothing outside itself' }]),
    below('wire', ['model'], [NETWORK]),
    below('transport', ['model', 'wire']),
    below('analysis', ['model', 'wire'], [NETWORK]),
    below('discovery', ['model', 'transport']),
    // A family may use every layer, never another family.
    ...FAMILIES.map((family) => below(family, ['model', 'wire', 'transport', 'analysis', 'discovery'])),
    // agent/: data flows config -> plan -> run -> outputs; nothing flows back.
    agentStep('config', '^\\.\\./\\.\\./probes/(?!model/)', [
      '../plan/*',
      '../run/*',
      '../outputs/*',
      '../daemon.js',
      '../cli.js',
    ]),
    agentStep('plan', '^\\.\\./\\.\\./probes/(?!model/)', ['../run/*', '../outputs/*', '../daemon.js', '../cli.js']),
    agentStep('run', '^$', ['../outputs/*', '../daemon.js', '../cli.js']),
    agentStep('outputs', '^\\.\\./\\.\\./probes/(?!model/|[a-z]+/metrics\\.js$)', ['../daemon.js', '../cli.js']),
  ];
}

function agentStep(folder, probesRegex, later) {
  return {
    files: [`agent/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: probesRegex,
              message: `agent/${folder}/ reads probes/model only (outputs: and the families' metrics.ts)`,
            },
            { group: later, message: `agent/${folder}/ comes before these in config -> plan -> run -> outputs` },
          ],
        },
      ],
    },
  };
}
