// Hostile HTTP callers against a real `probe agent` process: reloads nobody enabled,
// sent from a browser page or two hundred at a time; idle and half-sent connections.

import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { Agent } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAMILY_NAMES } from '../../probes/model/probe.js';
import { countLogged, NO_SCHEDULE, send, sleep, startAgent, type RunningAgent } from '../support/agent.js';
import { parseMetrics, sampleValue } from '../support/metrics.js';
import { openPort, type Listener } from '../support/tcp.js';

let open: Listener;

function config(timeout: string): (port: number) => string {
  return (port) => `listen: 127.0.0.1:${String(port)}
log_level: debug
timeout: ${timeout}
${NO_SCHEDULE}
domains:
  tailspin.test:
    dcs: [127.0.0.1:${String(open.port)}]
  wingtip.test:
    dcs: [127.0.0.1:${String(open.port)}]
trusts:
  - between: [tailspin.test, wingtip.test]
    type: forest
`;
}

async function waitFor(
  what: string,
  agent: RunningAgent,
  check: () => Promise<boolean> | boolean,
  ms = 15_000,
): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}\n${agent.log()}`);
    await sleep(50);
  }
}

async function ready(agent: RunningAgent): Promise<void> {
  await waitFor(
    '/-/ready',
    agent,
    async () => (await send(agent.port, '/-/ready').catch(() => ({ status: 0 }))).status === 200,
  );
}

function runsFinished(agent: RunningAgent): Record<string, number> {
  return Object.fromEntries(FAMILY_NAMES.map((family) => [family, countLogged(agent.log(), `${family} run finished`)]));
}

before(async () => {
  open = await openPort();
});

after(async () => {
  await open.close();
});

describe('POST /-/reload without --web.enable-lifecycle', () => {
  let agent: RunningAgent;
  before(async () => {
    agent = await startAgent(config('1s'));
  });
  after(async () => {
    await agent.stop();
  });

  it('is refused with 403, and the config on disk is not read', async () => {
    writeFileSync(join(agent.dir, 'probe.yaml'), 'domains: {}\n');
    const reply = await send(agent.port, '/-/reload', { method: 'POST' });
    assert.equal(reply.status, 403);
    assert.equal(
      reply.body,
      'the lifecycle API is off: start the agent with --web.enable-lifecycle, or reload with SIGHUP\n',
    );
    const metrics = parseMetrics((await send(agent.port, '/metrics')).body);
    assert.equal(sampleValue(metrics, 'adtrust_config_last_reload_successful'), 1);
    assert.equal(countLogged(agent.log(), 'config reload failed; the previous config stays in force'), 0);
  });

  it('SIGHUP still reloads', async () => {
    agent.child.kill('SIGHUP');
    await waitFor(
      'the failed reload',
      agent,
      () => countLogged(agent.log(), 'config reload failed; the previous config stays in force') === 1,
    );
    const metrics = parseMetrics((await send(agent.port, '/metrics')).body);
    assert.equal(sampleValue(metrics, 'adtrust_config_last_reload_successful'), 0);
  });
});

describe('POST /-/reload with --web.enable-lifecycle', () => {
  let agent: RunningAgent;
  before(async () => {
    agent = await startAgent(config('1s'), ['--web.enable-lifecycle'], { 'tailspin.pw': 'reload-test-password-Kw3\n' });
    await ready(agent);
  });
  after(async () => {
    await agent.stop();
  });

  it('refuses what a browser sends: a cross-site text/plain form, a fetch marked cross-site, even a same-origin page (DNS rebinding)', async () => {
    writeFileSync(join(agent.dir, 'probe.yaml'), config('2s')(agent.port));
    const own = `http://127.0.0.1:${String(agent.port)}`;
    const attempts: Record<string, string>[] = [
      { origin: 'http://evil.example', 'content-type': 'text/plain' },
      { origin: 'null', 'content-type': 'application/x-www-form-urlencoded' },
      { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' },
      { origin: own, 'sec-fetch-site': 'same-origin' },
    ];
    for (const headers of attempts) {
      const reply = await send(agent.port, '/-/reload', { method: 'POST', headers, body: 'reload=1' });
      assert.equal(reply.status, 403, JSON.stringify(headers));
      assert.match(reply.body, /cannot come from a browser/);
    }
    assert.equal((await send(agent.port, '/-/reload', { method: 'GET' })).status, 405);
    assert.equal(countLogged(agent.log(), 'config reloaded'), 0);
  });

  it('200 reloads at once start each family once, not 200 times', async () => {
    // A changed config (the test above wrote timeout: 2s), so a reload has something to run.
    const before = runsFinished(agent);
    const pool = new Agent({ keepAlive: true, maxSockets: 16 });
    const replies = await Promise.all(
      Array.from({ length: 200 }, () => send(agent.port, '/-/reload', { method: 'POST', agent: pool })),
    );
    pool.destroy();
    assert.deepEqual([...new Set(replies.map((reply) => reply.status))], [200]);
    assert.equal(replies.filter((reply) => reply.body === 'config reloaded\n').length, 1);
    // Every run the burst started has finished by then (the runs last about one timeout, 2s).
    await waitFor('the runs the reload started', agent, () =>
      FAMILY_NAMES.every((family) => (runsFinished(agent)[family] ?? 0) > (before[family] ?? 0)),
    );
    await sleep(4000);
    const added = Object.fromEntries(
      FAMILY_NAMES.map((family) => [family, (runsFinished(agent)[family] ?? 0) - (before[family] ?? 0)]),
    );
    assert.deepEqual(added, Object.fromEntries(FAMILY_NAMES.map((family) => [family, 1])));
  });

  it('a failed reload tells the caller nothing of the config or secret files; the log names them', async () => {
    writeFileSync(
      join(agent.dir, 'probe.yaml'),
      `domains:\n  tailspin.test:\n    ldap: { url: ldaps://dca.tailspin.test, bind_dn: probe@tailspin.test, password_file: missing.pw }\n`,
    );
    const reply = await send(agent.port, '/-/reload', { method: 'POST' });
    assert.equal(reply.status, 500);
    assert.equal(reply.body, "config reload failed; the previous config stays in force; the agent's log says why\n");
    assert.ok(!reply.body.includes(agent.dir));
    await waitFor('the problem in the log', agent, () =>
      agent.log().includes(`cannot read ${join(agent.dir, 'missing.pw')}: no such file`),
    );
  });
});

describe('connections', () => {
  let agent: RunningAgent;
  before(async () => {
    agent = await startAgent(config('1s'), ['--web.max-connections', '16']);
  });
  after(async () => {
    await agent.stop();
  });

  const openFiles = (): number => readdirSync(`/proc/${String(agent.pid)}/fd`).length;

  it('400 idle connections hold at most --web.max-connections file handles, and the agent still answers', async () => {
    const baseline = openFiles();
    const sockets: Socket[] = [];
    await Promise.all(
      Array.from(
        { length: 400 },
        () =>
          new Promise<void>((resolve) => {
            const socket = connect(agent.port, '127.0.0.1', () => {
              resolve();
            });
            socket.on('error', () => {
              resolve();
            });
            socket.on('close', () => {
              resolve();
            });
            sockets.push(socket);
          }),
      ),
    );
    try {
      await sleep(1500);
      const held = openFiles() - baseline;
      assert.ok(held <= 16 + 2, `the agent holds ${String(held)} more file handles with 400 idle connections open`);
      // The idle connections are past their grace, so a scrape gets in.
      const reply = await send(agent.port, '/metrics');
      assert.equal(reply.status, 200);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });

  it('closes a connection whose request headers never finish (slowloris) within about 10 s', async () => {
    const socket = connect(agent.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write('GET /metrics HTTP/1.1\r\nHost: agent\r\n');
    const started = Date.now();
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 1000);
    await new Promise((resolve) => socket.once('close', resolve));
    clearInterval(trickle);
    const seconds = (Date.now() - started) / 1000;
    assert.ok(seconds >= 9 && seconds < 13, `closed after ${seconds.toFixed(1)} s`);
  });
});
