// Two `probe agent` processes on one machine split a simulated estate of 60 DCs with
// --shard 1/2 and 2/2: every DC is probed by exactly one of them, and the DNS family runs on
// shard 1 alone. `probe run --shard` refuses a shard it cannot take.

import assert from 'node:assert/strict';
import type { Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { sleep, startAgent, type RunningAgent } from '../support/agent.js';
import { runProbe } from '../support/cli.js';
import { dcAddress, listen } from '../support/loopback-estate.js';
import { parseMetrics, type Sample } from '../support/metrics.js';

const DCS = 60;
const servers: Server[] = [];
const agents: RunningAgent[] = [];
let dcs: string[] = [];

function config(listen: number): string {
  return `listen: 127.0.0.1:${listen}
vantage: site-a
schedule:
  dns: "0 0 1 1 *"
  ports: "0 0 1 1 *"
  protocols: "0 0 1 1 *"
  ldap: "0 0 1 1 *"
  auth: "0 0 1 1 *"
domains:
  wingtip.test:
    dcs: [${dcs.join(', ')}]
  tailspin.test:
    dns_servers: [127.0.0.1:9]
    dcs: [127.0.0.1:9]
trusts:
  - between: [tailspin.test, wingtip.test]
    type: forest
`;
}

async function metricsOf(agent: RunningAgent): Promise<Sample[]> {
  const until = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${agent.port}/-/ready`).catch(() => undefined);
    if (ready?.status === 200) break;
    if (Date.now() > until) throw new Error(`agent not ready:\n${agent.log()}`);
    await sleep(100);
  }
  return parseMetrics(await (await fetch(`http://127.0.0.1:${agent.port}/metrics`)).text());
}

before(async () => {
  for (let index = 0; index < DCS; index++) {
    const server = await listen(dcAddress(index), 0);
    servers.push(server);
    const address = server.address();
    dcs.push(`${dcAddress(index)}:${typeof address === 'object' && address !== null ? address.port : 0}`);
  }
  dcs = dcs.sort();
});

after(async () => {
  for (const agent of agents) await agent.stop();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('two agents sharding one estate', () => {
  it('probe every DC once between them, and DNS on shard 1 alone', async () => {
    agents.push(await startAgent(config, ['--shard', '1/2']), await startAgent(config, ['--shard', '2/2']));
    const [first, second] = await Promise.all(agents.map(metricsOf));
    const probed = (samples: Sample[] | undefined): string[] =>
      (samples ?? [])
        .filter((sample) => sample.name === 'adtrust_port_up' && sample.labels['partner_domain'] === 'wingtip.test')
        .map((sample) => `${sample.labels['target']}:${sample.labels['port']}`);
    const one = probed(first);
    const two = probed(second);
    assert.deepEqual([...one, ...two].sort(), dcs, 'every DC probed, none twice');
    assert.deepEqual(
      one.filter((dc) => two.includes(dc)),
      [],
    );
    // Neither shard is idle: rendezvous hashing shares 60 DCs about evenly.
    assert.ok(one.length > 15 && two.length > 15, `${one.length} and ${two.length}`);
    const dnsRuns = (samples: Sample[] | undefined): number =>
      (samples ?? []).filter(
        (sample) => sample.name === 'adtrust_probe_runs_total' && sample.labels['family'] === 'dns',
      ).length;
    assert.equal(dnsRuns(first), 1);
    assert.equal(dnsRuns(second), 0);
    for (const samples of [first, second]) assert.ok(samples?.every((sample) => sample.labels['vantage'] === 'site-a'));
  });

  it('probe run refuses a shard it cannot take, exit 3', async () => {
    for (const [shard, message] of [
      ['0/5', '--shard 0/5: K must be from 1 to 5 (shards are numbered from 1)'],
      ['6/5', '--shard 6/5: K must be from 1 to 5 (shards are numbered from 1)'],
      ['x/y', '--shard must be K/N, such as 2/5, or hostname/N (got "x/y")'],
    ] as const) {
      const result = await runProbe(['run', '--shard', shard, '--config', '/nonexistent.yaml']);
      assert.equal(result.code, 3, shard);
      assert.ok(result.stderr.includes(message), result.stderr);
    }
  });
});
