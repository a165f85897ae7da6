// The status page at 3 and at 500 DCs: its size, the time the agent takes to render it,
// and the time headless Chromium takes to load and lay it out. The findings come from a
// simulated estate (test/support/estate.ts): a typical day (a few problems), and the worst
// case for the page's size (every DC's UDP ports unanswered). Run: npm run bench:page.
// Prints figures; asserts nothing. Issue 14 measured 2.8 MB at 500 DCs (one flat table).

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { renderStatusPage } from '../agent/outputs/status-page.js';
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
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
    if (browser === undefined) continue;
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(html);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
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
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
    const of = (key: keyof (typeof loads)[number]): string => ms(median(loads.map((load) => load[key])));
    console.log(
      `  Chromium (median of ${LOADS}): DOMContentLoaded ${of('domContentLoaded')}, first contentful paint ${of('paint')}, load ${of('load')}; page.goto wall ${of('wall')}`,
    );
  }
} finally {
  await browser?.close();
}
