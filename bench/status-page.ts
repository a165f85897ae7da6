// The status page at 3 and at 500 DCs: its size, the time the agent takes to render it,
// the latency of a request for / (served as the agent serves it: the content kept between
// runs, each request putting in its moment) when every request renders the content, as
// before issue 14, and when it is kept, and the time headless Chromium takes to load and
// lay it out. The findings come from a simulated estate (test/support/estate.ts): a
// typical day (a few problems), and the worst case for the page's size (every DC's UDP
// ports unanswered). Run: npm run bench:page [-- --requests N]. Prints figures; asserts
// nothing. Issue 14 measured 2.8 MB at 500 DCs (one flat table).

import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { renderStatusPage, STATUS_PAGE_HEADERS, StatusPage } from '../agent/outputs/status-page.js';
import { sendCompressible } from '../agent/web/compressed.js';
import type { Browser } from 'playwright-core';
import { launchChromium, noBrowser } from '../test/support/browser.js';
import { simulatedEstate, type EstateShape } from '../test/support/estate.js';

const ESTATES: { name: string; shape: EstateShape }[] = [
  { name: '3 DCs, 2 domains', shape: { forests: 2, domainsPerForest: 1, dcs: 3 } },
  { name: '500 DCs, 30 domains, a few problems', shape: { forests: 10, domainsPerForest: 3, dcs: 500 } },
  {
    name: '500 DCs, 30 domains, every UDP port silent',
    shape: { forests: 10, domainsPerForest: 3, dcs: 500, udpSilentEverywhere: true },
  },
];
const RENDERS = 20;
const LOADS = 5;
const requestsAt = process.argv.indexOf('--requests');
const asked = Number(process.argv[requestsAt + 1]);
const REQUESTS = requestsAt !== -1 && Number.isInteger(asked) && asked > 0 ? asked : 200;

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}
const median = (values: number[]): number => quantile(values, 0.5);

/** One GET on a kept-alive connection: milliseconds to the last byte, and the body's length. */
function timedGet(url: string, agent: Agent, gzip: boolean): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => (bytes += chunk.length));
      response.on('end', () => {
        resolve({ ms: performance.now() - start, bytes });
      });
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('request timed out')));
    req.end();
  });
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number): string => `${value.toFixed(1)} ms`;

const browser = noBrowser === false ? await launchChromium() : undefined;
if (browser === undefined) console.log(`browser figures left out: ${noBrowser || ''}`);
try {
  for (const { name, shape } of ESTATES) {
    const estate = simulatedEstate(shape);
    const findings = estate.runs.reduce((sum, run) => sum + run.findings.length, 0);
    const input = {
      version: 'bench',
      now: new Date('2026-11-21T10:00:00Z'),
      families: estate.families,
      runs: estate.runs,
      running: [],
      config: estate.config,
    };
    let html = renderStatusPage(input);
    const times: number[] = [];
    for (let index = 0; index < RENDERS; index++) {
      const start = performance.now();
      html = renderStatusPage(input);
      times.push(performance.now() - start);
    }
    const bytes = Buffer.byteLength(html);
    console.log(`${name}: ${findings} findings`);
    console.log(
      `  page ${kb(bytes)} (${kb(gzipSync(html).length)} gzipped); rendered in ${ms(median(times))} (median of ${RENDERS})`,
    );

    // Served as the agent's route / serves it; `renderEach` makes each request render the content, as before issue 14.
    const statusPage = new StatusPage(() => input);
    let renderEach = false;
    const server = createServer((request, response) => {
      if (renderEach) statusPage.changed();
      void sendCompressible(request, response, STATUS_PAGE_HEADERS, statusPage.at({ now: new Date(), running: [] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const latencies = async (gzip: boolean): Promise<{ ms: number[]; bytes: number }> => {
      const times: number[] = [];
      let bytes = 0;
      for (let index = 0; index < REQUESTS; index++) {
        const reply = await timedGet(url, agent, gzip);
        times.push(reply.ms);
        bytes = reply.bytes;
      }
      return { ms: times, bytes };
    };
    const figures = ({ ms: values, bytes: size }: { ms: number[]; bytes: number }): string =>
      `p50 ${ms(quantile(values, 0.5))}, p99 ${ms(quantile(values, 0.99))} (${kb(size)})`;
    renderEach = true;
    const rendered = await latencies(false);
    renderEach = false;
    statusPage.changed();
    const first = await timedGet(url, agent, false);
    const kept = await latencies(false);
    const keptGzip = await latencies(true);
    agent.destroy();
    console.log(`  GET / over ${REQUESTS} requests on one connection:`);
    console.log(`    each request renders (before issue 14): ${figures(rendered)}`);
    console.log(
      `    content kept: the first request after a change (it renders) ${ms(first.ms)}; then plain ${figures(kept)}, gzip ${figures(keptGzip)}; renders after the first: ${statusPage.renders - 1 - REQUESTS}`,
    );
    if (browser !== undefined) await chromiumLoads(browser, url);
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }
} finally {
  await browser?.close();
}

async function chromiumLoads(browser: Browser, url: string): Promise<void> {
  const loads: { wall: number; domContentLoaded: number; load: number; paint: number }[] = [];
  for (let index = 0; index < LOADS; index++) {
    const page = await browser.newPage();
    const start = performance.now();
    await page.goto(url, { waitUntil: 'load' });
    const wall = performance.now() - start;
    // Evaluated in the page; this file is compiled without DOM types.
    const timing = JSON.parse(
      await page.evaluate<string>(`JSON.stringify({
          navigation: performance.getEntriesByType('navigation')[0],
          paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
        })`),
    ) as { navigation: { domContentLoadedEventEnd: number; loadEventEnd: number }; paint: number | null };
    loads.push({
      wall,
      domContentLoaded: timing.navigation.domContentLoadedEventEnd,
      load: timing.navigation.loadEventEnd,
      paint: timing.paint ?? Number.NaN,
    });
    await page.close();
  }
  const of = (key: keyof (typeof loads)[number]): string => ms(median(loads.map((load) => load[key])));
  console.log(
    `  Chromium (median of ${LOADS}), from the same server: DOMContentLoaded ${of('domContentLoaded')}, first contentful paint ${of('paint')}, load ${of('load')}; page.goto wall ${of('wall')}`,
  );
}
