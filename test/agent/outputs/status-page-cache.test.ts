// The status page is rendered once per completed run or reload, not once per request: the
// content (groups, topology, tables) is kept, each request puts in only its moment (the
// time, each run's age, the runs under way), and gzip is served to a client that asks.
// The agent runs in this process, so that its render count can be read; its ports family
// probes real listeners on loopback.

import assert from 'node:assert/strict';
import { request, type IncomingHttpHeaders } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import type { Config } from '../../../agent/config/config.js';
import { Daemon } from '../../../agent/daemon.js';
import { STATUS_PAGE_CSP, StatusPage, renderStatusPage } from '../../../agent/outputs/status-page.js';
import { NO_SCHEDULE, sleep } from '../../support/agent.js';
import { configFrom } from '../../support/config.js';
import { quietLog } from '../../support/context.js';
import { simulatedEstate } from '../../support/estate.js';
import { parseMetrics, sampleValue } from '../../support/metrics.js';
import { closedPort, openPort, type Listener } from '../../support/tcp.js';

describe('StatusPage (pure)', () => {
  const estate = simulatedEstate({ forests: 2, domainsPerForest: 1, dcs: 3 });
  const content = { version: 'test', families: estate.families, runs: estate.runs, config: estate.config };
  const [first] = estate.runs;
  assert.ok(first !== undefined);

  it('renders the content once for many moments, each page the one renderStatusPage makes for its moment', () => {
    const page = new StatusPage(() => content);
    assert.equal(page.renders, 0, 'nothing is rendered before a request');
    const moments = [
      { now: new Date(first.startedAt.getTime() + 5_000), running: [] },
      { now: new Date(first.startedAt.getTime() + 180_000), running: [first.family] },
      { now: new Date(first.startedAt.getTime() + 3 * 3600_000), running: [] },
    ];
    const pages = moments.map((moment) => page.at(moment).text);
    assert.equal(page.renders, 1);
    assert.deepEqual(
      pages,
      moments.map((moment) => renderStatusPage({ ...content, ...moment })),
    );
    assert.match(
      pages[1] ?? '',
      new RegExp(`<tr><td>${first.family}</td><td>[^<]*\\(3 min ago\\)</td>.* running now</td>`),
    );
  });

  it('renders again after a change, from what the source gives then', () => {
    let runs = estate.runs;
    const page = new StatusPage(() => ({ ...content, runs }));
    const moment = { now: first.startedAt, running: [] };
    const before = page.at(moment).text;
    runs = [];
    assert.equal(page.at(moment).text, before, 'no change announced: the kept content');
    page.changed();
    const after = page.at(moment).text;
    assert.equal(page.renders, 2);
    assert.match(after, /No findings yet: the first runs have not completed\./);
    assert.doesNotMatch(before, /No findings yet/);
  });
});

/** A GET (or HEAD) whose headers are exactly these; fetch would add Accept-Encoding and decode the body. */
function rawRequest(
  url: string,
  headers: Record<string, string>,
  method = 'GET',
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.end();
  });
}

/** The page without what changes from one request to the next: the time it was made, and the ages of the runs. */
function withoutMoment(html: string): string {
  return html.replace(/page made [^.]+\.\d+Z\./, 'page made (now).').replace(/\(\d+ (s|min|h) ago\)/g, '(age)');
}

describe('the agent serves its status page from the content kept since the last run or reload', () => {
  let open: Listener;
  let closed: number;
  let daemon: Daemon;
  let base = '';
  let config: Config;
  let next: Config;

  const yaml = (listen: number, extraDomain: string): string => `
listen: 127.0.0.1:${listen}
timeout: 500ms
${NO_SCHEDULE}
domains:
  tailspin.test:
    dcs: [127.0.0.1:${open.port}]
  wingtip.test:
    dcs: [127.0.0.1:${open.port}, 127.0.0.1:${closed}]
${extraDomain}
trusts:
  - trusting: tailspin.test
    trusted: wingtip.test
    type: external
${extraDomain === '' ? '' : '  - between: [tailspin.test, fabrikam.test]\n    type: forest\n'}`;

  async function runsCompleted(count: number): Promise<void> {
    const until = Date.now() + 15_000;
    for (;;) {
      const samples = parseMetrics(await daemon.exporter.metrics());
      if ((sampleValue(samples, 'adtrust_probe_runs_total', { family: 'ports' }) ?? 0) >= count) return;
      if (Date.now() > until) throw new Error(`timed out waiting for ${count} ports runs`);
      await sleep(50);
    }
  }

  before(async () => {
    open = await openPort();
    closed = await closedPort();
    const listen = await closedPort();
    config = configFrom(yaml(listen, ''));
    next = configFrom(yaml(listen, '  fabrikam.test:\n    dcs: [127.0.0.1:' + String(closed) + ']'));
    let loaded = config;
    daemon = new Daemon({ log: quietLog, config, loadConfig: () => loaded, families: ['ports'] });
    await daemon.start();
    base = `http://127.0.0.1:${listen}`;
    await runsCompleted(1);
    loaded = next;
  });

  after(async () => {
    await daemon.stop();
    await open.close();
  });

  it('two requests between runs render the content once; the second differs only in its moment', async () => {
    const renders = daemon.statusPage.renders;
    const first = await rawRequest(`${base}/`, {});
    const second = await rawRequest(`${base}/`, {});
    assert.equal(daemon.statusPage.renders, renders + 1);
    assert.equal(first.status, 200);
    assert.equal(withoutMoment(second.body.toString()), withoutMoment(first.body.toString()));
    assert.match(first.body.toString(), /<title>adtrust-agent: CRITICAL<\/title>/);
  });

  it('serves gzip when asked, with Vary and the CSP, decompressing to the plain page; HEAD gets the headers', async () => {
    const plain = await rawRequest(`${base}/`, { 'accept-encoding': 'gzip;q=0, identity' });
    const zipped = await rawRequest(`${base}/`, { 'accept-encoding': 'gzip, deflate, br' });
    const head = await rawRequest(`${base}/`, { 'accept-encoding': 'gzip' }, 'HEAD');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    for (const reply of [plain, zipped, head]) {
      assert.equal(reply.status, 200);
      assert.equal(reply.headers['vary'], 'Accept-Encoding');
      assert.equal(reply.headers['content-security-policy'], STATUS_PAGE_CSP);
      assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
    }
    assert.equal(Number(zipped.headers['content-length']), zipped.body.length);
    assert.ok(zipped.body.length < plain.body.length / 3, `${zipped.body.length} of ${plain.body.length} bytes`);
    assert.equal(withoutMoment(gunzipSync(zipped.body).toString()), withoutMoment(plain.body.toString()));
    assert.equal(head.body.length, 0);
  });

  it('a completed run changes the page: the port that closed since is on it', async () => {
    const before = (await rawRequest(`${base}/`, {})).body.toString();
    const renders = daemon.statusPage.renders;
    assert.match(before, /Problems in 0 of 1 trusts, 1 of 2 domains, 1 of 2 DCs\./);
    await open.close();
    daemon.runNow();
    await runsCompleted(2);
    const after = (await rawRequest(`${base}/`, {})).body.toString();
    assert.equal(daemon.statusPage.renders, renders + 1);
    assert.match(
      after,
      /\(3 critical, 0 warning, 0 unknown, 0 ok\)\. Problems in 0 of 1 trusts, 2 of 2 domains, 2 of 2 DCs\./,
    );
  });

  it('a reload that changes the config changes the page at once, before any run completes', async () => {
    const renders = daemon.statusPage.renders;
    assert.deepEqual(daemon.reload(), { ok: true, changed: true });
    const page = (await rawRequest(`${base}/`, {})).body.toString();
    assert.equal(daemon.statusPage.renders, renders + 1);
    assert.match(page, /Problems in \d+ of 2 trusts, \d+ of 3 domains/);
    assert.match(page, /fabrikam\.test/);
  });
});
