import { parseConfig, type Config, type SecretSources } from '../../agent/config.js';

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
