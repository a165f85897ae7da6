// The deployment files, checked statically: the Kubernetes manifests fit together, the
// example config of the ConfigMap and of docs/install.md pass the agent's own validator,
// the Containerfile and the systemd unit keep their hardening. No container runtime or
// cluster is needed; test/deploy/check runs systemd-analyze on the unit.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { parseConfig, type SecretSources } from '../../agent/config/config.js';
import { DEPLOYED_NODE_FLAGS } from '../support/agent.js';

const KUBERNETES = 'deploy/kubernetes';
const CONTAINERFILE = 'deploy/container/Containerfile';
const UNIT = 'deploy/systemd/adtrust-agent.service';
const INSTALL_DOC = 'docs/install.md';
const SECRETS_DIR = '/etc/adtrust/secrets';
const CREDENTIALS_DIR = '/run/credentials/adtrust-agent.service';
const PORT = 9788;

// ---- navigating parsed YAML without trusting its shape ----

type Key = string | number;

function at(value: unknown, ...path: Key[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === 'number') {
      current = Array.isArray(current) ? (current as unknown[])[key] : undefined;
    } else {
      current = isRecord(current) ? current[key] : undefined;
    }
  }
  return current;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function list(value: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(value), `${what}: expected a list, got ${JSON.stringify(value)}`);
  return value as unknown[];
}

function text(value: unknown, what: string): string {
  assert.equal(typeof value, 'string', `${what}: expected a string, got ${JSON.stringify(value)}`);
  return value as string;
}

function record(value: unknown, what: string): Record<string, unknown> {
  assert.ok(isRecord(value), `${what}: expected a mapping, got ${JSON.stringify(value)}`);
  return value;
}

// ---- the Kubernetes manifests ----

interface Manifest {
  file: string;
  kind: string;
  name: string;
  body: Record<string, unknown>;
}

const manifestFiles = readdirSync(KUBERNETES)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();

function documentsOf(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(posix.join(KUBERNETES, file), 'utf8'), { uniqueKeys: true });
  assert.ok(Array.isArray(docs), `${file}: holds no YAML document`);
  return docs.map((doc, index) => {
    assert.deepEqual(
      doc.errors.map((error) => error.message),
      [],
      `${file}: document ${index + 1} does not parse`,
    );
    return doc.toJS() as unknown;
  });
}

const resources: Manifest[] = manifestFiles
  .filter((file) => file !== 'kustomization.yaml')
  .flatMap((file) =>
    documentsOf(file).map((body, index) => {
      const where = `${file} document ${index + 1}`;
      const object = record(body, where);
      text(object['apiVersion'], `${where}: apiVersion`);
      return {
        file,
        kind: text(object['kind'], `${where}: kind`),
        name: text(at(object, 'metadata', 'name'), `${where}: metadata.name`),
        body: object,
      };
    }),
  );

function theOne(kind: string): Manifest {
  const found = resources.filter((resource) => resource.kind === kind);
  assert.equal(found.length, 1, `expected one ${kind} under ${KUBERNETES}, found ${found.length}`);
  return found[0] as Manifest;
}

function matches(selector: unknown, labels: unknown, what: string): void {
  const wanted = Object.entries(record(selector, `${what}: selector`));
  assert.ok(wanted.length > 0, `${what}: an empty selector selects everything`);
  const have = record(labels, `${what}: labels`);
  for (const [key, value] of wanted) assert.equal(have[key], value, `${what}: label ${key}`);
}

const deployment = theOne('Deployment');
const pod = at(deployment.body, 'spec', 'template', 'spec');
const containers = list(at(pod, 'containers'), 'Deployment containers');
const container = containers[0];
const configMap = theOne('ConfigMap');
const secret = theOne('Secret');
const service = theOne('Service');
const serviceMonitor = theOne('ServiceMonitor');

/** The volume mounted at mountPath, as the pod spec declares it. */
function volumeAt(mountPath: string): Record<string, unknown> {
  const mount = list(at(container, 'volumeMounts'), 'volumeMounts').find(
    (entry) => at(entry, 'mountPath') === mountPath,
  );
  assert.ok(mount, `nothing is mounted at ${mountPath}`);
  assert.equal(at(mount, 'readOnly'), true, `the mount at ${mountPath} must be read-only`);
  assert.equal(
    at(mount, 'subPath'),
    undefined,
    `${mountPath}: a subPath mount never sees a changed ConfigMap or Secret`,
  );
  const volume = list(at(pod, 'volumes'), 'volumes').find((entry) => at(entry, 'name') === at(mount, 'name'));
  return record(volume, `the volume mounted at ${mountPath}`);
}

/** The Secret's keys: stringData and data both count. */
function secretKeys(): string[] {
  return [
    ...Object.keys(record(at(secret.body, 'stringData') ?? {}, 'stringData')),
    ...Object.keys(record(at(secret.body, 'data') ?? {}, 'data')),
  ].sort();
}

class NoSuchFile extends Error {
  readonly code = 'ENOENT';
}

/** Secrets as the container sees them: a dummy password for each key of the Secret, nothing else. */
function secretsFromTheSecret(read: string[]): SecretSources {
  const keys = secretKeys();
  return {
    readFile: (path) => {
      const key = posix.relative(SECRETS_DIR, path);
      if (posix.dirname(path) !== SECRETS_DIR || !keys.includes(key))
        throw new NoSuchFile(`${path}: not a key of the Secret ${secret.name}`);
      read.push(key);
      return `dummy-password-${key}\n`;
    },
    env: {},
  };
}

describe('deploy/kubernetes', () => {
  it('every document has apiVersion, kind and metadata.name, and kustomization.yaml lists every file', () => {
    const kinds = resources.map((resource) => resource.kind).sort();
    assert.deepEqual(kinds, ['ConfigMap', 'Deployment', 'Secret', 'Service', 'ServiceMonitor']);
    const kustomization = record(
      parse(readFileSync(posix.join(KUBERNETES, 'kustomization.yaml'), 'utf8')),
      'kustomization.yaml',
    );
    assert.equal(kustomization['kind'], 'Kustomization');
    const listed = list(kustomization['resources'], 'kustomization resources').map((entry) =>
      text(entry, 'a kustomization resource'),
    );
    assert.deepEqual(
      [...listed].sort(),
      manifestFiles.filter((file) => file !== 'kustomization.yaml'),
    );
  });

  it('runs one non-root replica with a read-only root, no privilege escalation, no capability and the runtime seccomp profile', () => {
    assert.equal(at(deployment.body, 'spec', 'replicas'), 1);
    assert.equal(containers.length, 1);
    const security = at(container, 'securityContext');
    assert.equal(at(security, 'runAsNonRoot'), true);
    assert.equal(at(security, 'readOnlyRootFilesystem'), true);
    assert.equal(at(security, 'allowPrivilegeEscalation'), false);
    assert.deepEqual(at(security, 'capabilities', 'drop'), ['ALL']);
    assert.equal(at(security, 'capabilities', 'add'), undefined);
    assert.equal(at(security, 'seccompProfile', 'type'), 'RuntimeDefault');
    assert.equal(at(pod, 'securityContext', 'runAsNonRoot'), true);
    assert.equal(at(pod, 'automountServiceAccountToken'), false);
    // The pod's user is the image's USER, so that the mounted files are readable to it.
    assert.equal(String(at(pod, 'securityContext', 'runAsUser')), containerfileUser().split(':')[0]);
  });

  it('probes /-/healthy for liveness and /-/ready for readiness on the named port 9788', () => {
    const ports = list(at(container, 'ports'), 'container ports');
    assert.ok(
      ports.some((port) => at(port, 'name') === 'http-metrics' && at(port, 'containerPort') === PORT),
      JSON.stringify(ports),
    );
    assert.equal(at(container, 'livenessProbe', 'httpGet', 'path'), '/-/healthy');
    assert.equal(at(container, 'livenessProbe', 'httpGet', 'port'), 'http-metrics');
    assert.equal(at(container, 'readinessProbe', 'httpGet', 'path'), '/-/ready');
    assert.equal(at(container, 'readinessProbe', 'httpGet', 'port'), 'http-metrics');
    assert.ok(
      isRecord(at(container, 'resources', 'requests')) && isRecord(at(container, 'resources', 'limits')),
      'resources: requests and limits',
    );
    assert.deepEqual(at(container, 'args'), ['agent', '--config', '/etc/adtrust/probe.yaml']);
  });

  it('mounts the ConfigMap at /etc/adtrust and the Secret at /etc/adtrust/secrets', () => {
    assert.equal(at(volumeAt('/etc/adtrust'), 'configMap', 'name'), configMap.name);
    assert.equal(at(volumeAt(SECRETS_DIR), 'secret', 'secretName'), secret.name);
    assert.ok(Object.keys(record(at(configMap.body, 'data'), 'ConfigMap data')).includes('probe.yaml'));
  });

  it("the ConfigMap's probe.yaml passes the agent's validator, its passwords read from the Secret's files", () => {
    const source = text(at(configMap.body, 'data', 'probe.yaml'), 'probe.yaml');
    const read: string[] = [];
    const config = parseConfig(source, '/etc/adtrust/probe.yaml', secretsFromTheSecret(read));
    assert.deepEqual(config.listen, { host: '0.0.0.0', port: PORT });
    assert.ok(config.domains.size > 0 && config.trusts.length > 0);
    for (const [name, domain] of config.domains) {
      if (domain.ldap) assert.match(domain.ldap.password.reveal(), /^dummy-password-/, name);
    }
    // Every password file is a key of the Secret (or parseConfig would have thrown), and
    // every key of the Secret is used.
    assert.deepEqual([...read].sort(), secretKeys());
  });

  it('the Secret holds placeholders only, marked as such', () => {
    assert.equal(at(secret.body, 'data'), undefined, 'use stringData, so that the placeholders read as placeholders');
    for (const [key, value] of Object.entries(record(at(secret.body, 'stringData'), 'stringData'))) {
      assert.match(text(value, key), /^PLACEHOLDER/, `${key} must be an obvious placeholder`);
    }
    assert.match(readFileSync(posix.join(KUBERNETES, secret.file), 'utf8'), /EXAMPLE ONLY/);
  });

  it('the Service selects the pods and the ServiceMonitor scrapes its http-metrics port every minute as job adtrust', () => {
    matches(
      at(service.body, 'spec', 'selector'),
      at(deployment.body, 'spec', 'template', 'metadata', 'labels'),
      'Service -> pods',
    );
    matches(
      at(deployment.body, 'spec', 'selector', 'matchLabels'),
      at(deployment.body, 'spec', 'template', 'metadata', 'labels'),
      'Deployment -> pods',
    );
    const ports = list(at(service.body, 'spec', 'ports'), 'Service ports');
    assert.ok(
      ports.some(
        (port) =>
          at(port, 'name') === 'http-metrics' && at(port, 'port') === PORT && at(port, 'targetPort') === 'http-metrics',
      ),
      JSON.stringify(ports),
    );

    assert.equal(text(at(serviceMonitor.body, 'apiVersion'), 'apiVersion'), 'monitoring.coreos.com/v1');
    matches(
      at(serviceMonitor.body, 'spec', 'selector', 'matchLabels'),
      at(service.body, 'metadata', 'labels'),
      'ServiceMonitor -> Service',
    );
    const endpoints = list(at(serviceMonitor.body, 'spec', 'endpoints'), 'ServiceMonitor endpoints');
    assert.equal(endpoints.length, 1);
    assert.equal(at(endpoints[0], 'port'), 'http-metrics');
    assert.equal(at(endpoints[0], 'interval'), '1m');
    const relabelings = list(at(endpoints[0], 'relabelings'), 'relabelings');
    assert.ok(
      relabelings.some((rule) => at(rule, 'targetLabel') === 'job' && at(rule, 'replacement') === 'adtrust'),
      'the alert rules select job="adtrust"',
    );
  });
});

describe('deploy/kubernetes-sharded', () => {
  const dir = 'deploy/kubernetes-sharded';
  const statefulSet = record(parse(readFileSync(posix.join(dir, 'statefulset.yaml'), 'utf8')), 'statefulset.yaml');
  const kustomization = record(parse(readFileSync(posix.join(dir, 'kustomization.yaml'), 'utf8')), 'kustomization');

  it('is the base with a StatefulSet in place of the Deployment', () => {
    assert.equal(statefulSet['kind'], 'StatefulSet');
    assert.deepEqual(kustomization['resources'], ['../kubernetes', 'statefulset.yaml']);
    const patch: unknown = parse(text(at(kustomization, 'patches', 0, 'patch'), 'the patch'));
    assert.deepEqual(patch, {
      $patch: 'delete',
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: deployment.name },
    });
  });

  it('each pod takes its shard from its ordinal, N being the replicas, all pods at once', () => {
    const replicas = at(statefulSet, 'spec', 'replicas');
    assert.equal(replicas, 10);
    assert.equal(at(statefulSet, 'spec', 'podManagementPolicy'), 'Parallel');
    assert.deepEqual(at(statefulSet, 'spec', 'template', 'spec', 'containers', 0, 'args'), [
      ...list(at(container, 'args'), 'args'),
      '--shard',
      `hostname/${String(replicas)}`,
    ]);
  });

  it("runs the Deployment's pod, and the Service (one scrape job) selects its pods", () => {
    const { containers: shardContainers, ...shardPod } = record(
      at(statefulSet, 'spec', 'template', 'spec'),
      'StatefulSet pod',
    );
    const { containers: baseContainers, ...basePod } = record(pod, 'Deployment pod');
    assert.deepEqual(shardPod, basePod);
    // The same container but for its arguments (the test above checks those).
    const withoutArgs = (value: unknown): Record<string, unknown> =>
      Object.fromEntries(Object.entries(record(value, 'container')).filter(([key]) => key !== 'args'));
    assert.deepEqual(
      withoutArgs(list(shardContainers, 'containers')[0]),
      withoutArgs(list(baseContainers, 'containers')[0]),
    );
    matches(at(service.body, 'spec', 'selector'), at(statefulSet, 'spec', 'template', 'metadata', 'labels'), 'Service');
    matches(
      at(statefulSet, 'spec', 'selector', 'matchLabels'),
      at(statefulSet, 'spec', 'template', 'metadata', 'labels'),
      'StatefulSet -> pods',
    );
  });

  it("the ConfigMap sets the vantage, so that the shards' series combine", () => {
    const source = text(at(configMap.body, 'data', 'probe.yaml'), 'probe.yaml');
    assert.equal(parseConfig(source, '/etc/adtrust/probe.yaml', secretsFromTheSecret([])).vantage, 'cluster-a');
  });
});

// ---- the Containerfile ----

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions with their continuation lines joined; comments dropped. */
function containerfile(): Instruction[] {
  const joined = readFileSync(CONTAINERFILE, 'utf8')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

function instructions(keyword: string): string[] {
  return containerfile()
    .filter((instruction) => instruction.keyword === keyword)
    .map((instruction) => instruction.args);
}

function containerfileUser(): string {
  const users = instructions('USER');
  assert.equal(users.length, 1, 'one USER, in the runtime stage');
  return users[0] as string;
}

describe('deploy/container/Containerfile', () => {
  it('builds in two stages and runs as a numeric non-root user', () => {
    const stages = instructions('FROM');
    assert.equal(stages.length, 2, stages.join(' | '));
    assert.match(stages[0] ?? '', / AS build$/i);
    const user = containerfileUser();
    assert.match(user, /^\d+(:\d+)?$/, 'a numeric user, so that runAsNonRoot can verify it');
    assert.notEqual(user.split(':')[0], '0');
    // The user comes after the last FROM: it is the runtime stage's.
    const keywords = containerfile().map((instruction) => instruction.keyword);
    assert.ok(keywords.lastIndexOf('USER') > keywords.lastIndexOf('FROM'));
  });

  it('exposes 9788, checks /-/healthy, stops on SIGTERM and runs `probe agent` with the default config path', () => {
    assert.deepEqual(instructions('EXPOSE'), [String(PORT)]);
    const [healthcheck = ''] = instructions('HEALTHCHECK');
    assert.match(healthcheck, /CMD .*http:\/\/127\.0\.0\.1:9788\/-\/healthy/);
    assert.deepEqual(instructions('STOPSIGNAL'), ['SIGTERM']);
    assert.deepEqual(JSON.parse(instructions('ENTRYPOINT')[0] ?? 'null'), [
      'node',
      ...DEPLOYED_NODE_FLAGS,
      '/app/dist/agent/cli.js',
    ]);
    assert.deepEqual(JSON.parse(instructions('CMD')[0] ?? 'null'), ['agent', '--config', '/etc/adtrust/probe.yaml']);
  });

  it('copies from the build context only what its ignore file lets through', () => {
    const allowed = readFileSync(`${CONTAINERFILE}.dockerignore`, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    const fromContext = instructions('COPY')
      .filter((args) => !args.startsWith('--from='))
      .flatMap((args) => args.split(/\s+/).slice(0, -1))
      .map((source) => source.replace(/\/$/, ''));
    assert.ok(fromContext.length > 0);
    for (const source of fromContext) assert.ok(allowed.includes(source), `${source} is excluded by the ignore file`);
    // The runtime stage takes the compiled agent, its dependencies and package.json (VERSION reads it).
    const fromBuild = instructions('COPY').filter((args) => args.startsWith('--from=build'));
    for (const needed of ['/src/package.json', '/src/node_modules', '/src/dist/agent', '/src/dist/probes']) {
      assert.ok(
        fromBuild.some((args) => args.split(/\s+/)[1] === needed),
        `the runtime stage must copy ${needed}`,
      );
    }
  });
});

// ---- the systemd unit ----

/** `Section.Key` -> every value it is given, in order. */
function unitDirectives(): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  let section = '';
  for (const raw of readFileSync(UNIT, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = header[1] ?? '';
      continue;
    }
    const equals = line.indexOf('=');
    assert.ok(equals > 0, `${UNIT}: not a directive: ${line}`);
    const key = `${section}.${line.slice(0, equals).trim()}`;
    directives.set(key, [...(directives.get(key) ?? []), line.slice(equals + 1).trim()]);
  }
  return directives;
}

describe('deploy/systemd/adtrust-agent.service', () => {
  const unit = unitDirectives();
  const one = (key: string): string | undefined => unit.get(`Service.${key}`)?.at(-1);

  it('runs `probe agent --config` from the install prefix, restarts on failure and reloads with SIGHUP', () => {
    assert.equal(
      one('ExecStart'),
      `/usr/bin/node ${DEPLOYED_NODE_FLAGS.join(' ')} /opt/adtrust-agent/dist/agent/cli.js agent --config /etc/adtrust/probe.yaml`,
    );
    assert.ok(unit.get('Service.ExecReload')?.includes('/bin/kill -HUP $MAINPID'));
    assert.equal(one('Restart'), 'on-failure');
    assert.ok(one('RestartSec') !== undefined && one('TimeoutStopSec') !== undefined);
    assert.equal(unit.get('Install.WantedBy')?.[0], 'multi-user.target');
  });

  it('keeps its hardening', () => {
    assert.ok(one('DynamicUser') === 'yes' || one('User') !== undefined, 'DynamicUser=yes or User=');
    const expected: Record<string, string> = {
      NoNewPrivileges: 'yes',
      ProtectSystem: 'strict',
      ProtectHome: 'yes',
      PrivateTmp: 'yes',
      PrivateDevices: 'yes',
      ProtectKernelTunables: 'yes',
      ProtectKernelModules: 'yes',
      ProtectControlGroups: 'yes',
      RestrictNamespaces: 'yes',
      LockPersonality: 'yes',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX',
      CapabilityBoundingSet: '',
      AmbientCapabilities: '',
    };
    for (const [key, value] of Object.entries(expected)) assert.equal(one(key), value, key);
    assert.equal(unit.get('Service.SystemCallFilter')?.[0], '@system-service');
    assert.notEqual(one('MemoryDenyWriteExecute'), 'yes', "Node's JIT needs writable executable memory");
  });

  it('passes the passwords as credentials, and the config of docs/install.md reads them from there', () => {
    const ids = (unit.get('Service.LoadCredential') ?? []).map((value) => value.split(':')[0] ?? '');
    assert.ok(ids.length > 0, 'LoadCredential=');
    // docs/install.md's probe.yaml for systemd: valid, its password files the unit's credentials.
    const blocks = [...readFileSync(INSTALL_DOC, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map(
      (match) => match[1] ?? '',
    );
    const example = blocks.find((block) => block.includes(CREDENTIALS_DIR));
    assert.ok(example, `${INSTALL_DOC} shows a probe.yaml reading ${CREDENTIALS_DIR}`);
    const read: string[] = [];
    const config = parseConfig(example, '/etc/adtrust/probe.yaml', {
      readFile: (path) => {
        const id = posix.relative(CREDENTIALS_DIR, path);
        if (posix.dirname(path) !== CREDENTIALS_DIR || !ids.includes(id))
          throw new NoSuchFile(`${path}: no LoadCredential=${id}: in the unit`);
        read.push(id);
        return 'dummy-password\n';
      },
      env: {},
    });
    assert.ok(config.domains.size > 0);
    assert.ok(read.length > 0, 'the example reads a credential');
  });
});

describe('deploy/prometheus/scrape-config.yml', () => {
  it('scrapes the agent every minute as job adtrust', () => {
    const scrape = record(parse(readFileSync('deploy/prometheus/scrape-config.yml', 'utf8')), 'scrape-config.yml');
    const jobs = list(scrape['scrape_configs'], 'scrape_configs');
    const job = jobs.find((entry) => at(entry, 'job_name') === 'adtrust');
    assert.ok(job, 'a job named adtrust: the alert rules select job="adtrust"');
    assert.equal(at(job, 'scrape_interval'), '1m');
    assert.ok(
      list(at(job, 'static_configs', 0, 'targets'), 'targets').every((target) =>
        text(target, 'target').endsWith(`:${PORT}`),
      ),
    );
    assert.deepEqual(scrape['rule_files'], ['adtrust-alerts.yml']);
  });
});
