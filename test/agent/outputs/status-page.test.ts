// The status page at / as a person sees it: the agent runs as a process on loopback at 3
// DCs, and a page of a simulated estate of 500 DCs is served on loopback with the agent's
// headers; a real headless Chromium (Debian's package) loads both. Screenshots go to
// $TMPDIR/adtrust-status-page/ for a person to look at.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { escapeHtml, renderStatusPage, STATUS_PAGE_CSP } from '../../../agent/outputs/status-page.js';
import { launchChromium, noBrowser } from '../../support/browser.js';
import { PROBE, tempDir } from '../../support/cli.js';
import { startDnsServer, WINGTIP_ZONE, type DnsTestServer } from '../../support/dns-server.js';
import { simulatedEstate, type EstateShape } from '../../support/estate.js';
import { closedPort, openPort, type Listener } from '../../support/tcp.js';

const SCREENSHOTS = join(tmpdir(), 'adtrust-status-page');
const NOW = new Date('2026-11-21T10:00:00Z');
const ESTATE_500: EstateShape = { forests: 10, domainsPerForest: 3, dcs: 500 };

function pageOf(shape: EstateShape): string {
  const estate = simulatedEstate(shape);
  return renderStatusPage({
    version: 'test',
    now: NOW,
    families: estate.families,
    runs: estate.runs,
    running: [],
    config: estate.config,
  });
}

describe('status page HTML (pure)', () => {
  it('escapes whatever the network put into a finding', () => {
    const html = renderStatusPage({
      version: '0.1.0',
      now: NOW,
      families: ['dns'],
      running: [],
      config: { domains: new Map(), trusts: [] },
      runs: [
        {
          family: 'dns',
          startedAt: new Date('2026-11-21T09:59:00Z'),
          durationSeconds: 0.5,
          measurements: [],
          findings: [
            {
              check: 'dns.srv',
              status: 'critical',
              domain: 'x.test',
              target: { kind: 'host', host: '<img src=x onerror=alert(1)>' },
              message: '<script>alert(1)</script>',
              remediation: 'a & b',
              observed: { partner_domain: '"><svg onload=alert(1)>' },
            },
          ],
        },
      ],
    });
    assert.ok(!html.includes('<script>alert'));
    assert.ok(!html.includes('<img src=x'));
    assert.ok(html.includes(escapeHtml('<script>alert(1)</script>')));
    assert.ok(html.includes('a &#38; b'));
    assert.ok(!/<script/i.test(html), 'the page carries no script at all');
    assert.ok(!/ style=/i.test(html), 'no style attribute, which the CSP would refuse');
  });

  it('names its one style block by hash in its CSP, and allows nothing else', () => {
    const html = pageOf({ forests: 2, domainsPerForest: 1, dcs: 3 });
    const blocks = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
    assert.equal(blocks.length, 1);
    const hash = createHash('sha256')
      .update(blocks[0]?.[1] ?? '')
      .digest('base64');
    assert.equal(
      STATUS_PAGE_CSP,
      `default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
  });

  it('stays under 300 KB at 500 DCs, even when every DC fails alike', () => {
    for (const shape of [ESTATE_500, { ...ESTATE_500, udpSilentEverywhere: true }]) {
      const bytes = Buffer.byteLength(pageOf(shape));
      assert.ok(bytes < 300 * 1024, `${bytes} bytes at 500 DCs (udp silent: ${String(shape.udpSilentEverywhere)})`);
    }
  });
});

/** Evaluated in the page, where the DOM is; this file is compiled without DOM types. */
async function inPage<T>(page: Page, expression: string): Promise<T> {
  return JSON.parse(await page.evaluate<string>(`JSON.stringify(${expression})`)) as T;
}

/** What a person sees of the rows and groups of a part of the page. */
function visibleTexts(page: Page, selector: string): Promise<string[]> {
  return inPage<string[]>(
    page,
    `[...document.querySelectorAll(${JSON.stringify(selector)})].filter((e) => e.checkVisibility()).map((e) => e.innerText)`,
  );
}

describe('status page in headless Chromium', { skip: noBrowser }, () => {
  let agent: ChildProcess | undefined;
  let browser: Browser | undefined;
  let dns: DnsTestServer | undefined;
  let open: Listener | undefined;
  let simulated: Server | undefined;
  let base = '';
  let simulatedBase = '';
  let dir = '';
  const violations: string[] = [];

  before(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    dns = await startDnsServer(WINGTIP_ZONE);
    open = await openPort();
    const closed = await closedPort();
    const port = await closedPort();
    dir = tempDir({});
    writeFileSync(
      join(dir, 'probe.yaml'),
      `listen: 127.0.0.1:${port}\ntimeout: 500ms\ndomains:\n  tailspin.test:\n    dns_servers: [127.0.0.1:${dns.port}]\n    dcs: [127.0.0.1:${open.port}]\n  wingtip.test:\n    dcs: [127.0.0.1:${open.port}, 127.0.0.1:${closed}]\ntrusts:\n  - trusting: tailspin.test\n    trusted: wingtip.test\n    type: external\n`,
    );
    agent = spawn(process.execPath, [PROBE, 'agent', '--config', join(dir, 'probe.yaml')], { stdio: 'ignore' });
    base = `http://127.0.0.1:${port}`;
    // The simulated estates, with the headers the agent sends for its page.
    const pages = new Map([
      ['/3', pageOf({ forests: 2, domainsPerForest: 1, dcs: 3 })],
      ['/500', pageOf(ESTATE_500)],
    ]);
    simulated = createServer((request, response) => {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': STATUS_PAGE_CSP,
      });
      response.end(pages.get(request.url ?? '') ?? '');
    });
    await new Promise<void>((resolve) => simulated?.listen(0, '127.0.0.1', resolve));
    simulatedBase = `http://127.0.0.1:${(simulated.address() as AddressInfo).port}`;
    for (let tries = 0; tries < 100; tries++) {
      const ready = await fetch(`${base}/-/ready`)
        .then((response) => response.status)
        .catch(() => 0);
      if (ready === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    agent?.kill('SIGTERM');
    await dns?.close();
    await open?.close();
    await new Promise((resolve) => simulated?.close(resolve));
    if (dir !== '') rmSync(dir, { recursive: true });
  });

  async function load(url: string): Promise<Page> {
    assert.ok(browser);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    // A CSP refusal shows as a console error: the page must need none.
    page.on('console', (message) => {
      // Browsers ask for /favicon.ico on their own; the agent has none.
      if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico'))
        violations.push(`${url}: ${message.text()}`);
    });
    const response = await page.goto(url);
    assert.equal(response?.status(), 200);
    return page;
  }

  it('at 3 DCs, from the agent: the overall state, the failing DC first, the trust drawn, each run', async () => {
    const page = await load(`${base}/`);
    assert.equal((await page.goto(`${base}/`))?.headers()['content-security-policy'], STATUS_PAGE_CSP);
    assert.match(await page.title(), /^adtrust-agent: CRITICAL$/);
    const text = await page.innerText('body');
    assert.match(text, /Overall: CRITICAL \(1 critical, 0 warning, 0 unknown, \d+ ok\)/);
    assert.match(text, /Problems in 0 of 1 trusts, 1 of 2 domains, 1 of 2 DCs\./);
    // No canary in this config: the section says that authentication itself is not tried, first.
    const sections = await inPage<string[]>(page, `[...document.querySelectorAll('main > section')].map((s) => s.id)`);
    assert.deepEqual(sections, ['auth', 'problems', 'topology', 'healthy', 'runs']);
    assert.match(
      await page.innerText('#auth'),
      /No answer yet: no domain has a canary, so authentication itself is not tried/,
    );
    // The first problem group is wingtip.test, open, its closed port the first row, with its fix.
    const group = page.locator('#problems details.group').first();
    assert.match(
      await group.locator(':scope > summary').innerText(),
      /^CRITICAL Domain wingtip\.test \(forest wingtip\.test\)1 critical · \d+ ok$/,
    );
    assert.match(
      await group.locator('table.problems tbody tr').first().innerText(),
      /^CRITICAL\tport\.tcp\t127\.0\.0\.1:\d+\tTCP \d+ closed on 127\.0\.0\.1: connection refused\tstart the service on 127\.0\.0\.1/,
    );
    const colour = await group
      .locator('td.status.critical')
      .first()
      .evaluate(
        (element: unknown) =>
          (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle(
            element,
          ).backgroundColor,
      );
    assert.equal(colour, 'rgb(248, 215, 218)', 'the style block is applied under the CSP');
    // One arrow, tailspin.test (trusting) to wingtip.test (trusted), red: a DC of wingtip.test fails.
    const edges = await inPage<{ trusting: string; trusted: string; status: string }[]>(
      page,
      `[...document.querySelectorAll('svg a.edge')].map((a) => ({ ...a.dataset }))`,
    );
    assert.deepEqual(edges, [{ trusting: 'tailspin.test', trusted: 'wingtip.test', status: 'critical' }]);
    for (const family of ['dns', 'ports', 'protocols', 'ldap'])
      assert.match(
        await page.innerText('#runs'),
        new RegExp(`^${family}\\t\\d{4}-\\d\\d-\\d\\dT.*\\(\\d+ s ago\\)`, 'm'),
      );
    await page.screenshot({ path: join(SCREENSHOTS, 'agent-3-dcs.png'), fullPage: true });
    // The link to /metrics works from the page.
    await page.click('text=/metrics');
    assert.match(await page.innerText('body'), /adtrust_port_up\{/);
    await page.close();
  });

  it('at 3 DCs with the auth answers: authentication first, one row per direction', async () => {
    const page = await load(`${simulatedBase}/3`);
    const failing = await visibleTexts(page, '#auth tbody tr');
    assert.equal(failing.length, 1, 'the direction that works is collapsed');
    assert.match(
      failing[0] ?? '',
      /^wingtip\.test\ttailspin\.test\tCRITICAL\tCRITICAL auth\.kerberos a user of wingtip\.test gets no service ticket/,
    );
    // Each protocol's check of the direction on a line of its own, in the same row, worst first.
    assert.match(
      failing[0] ?? '',
      /\(DNS\)\nOK auth\.ntlm an NTLM logon of a user of wingtip\.test at a DC of tailspin\.test was passed through/,
    );
    await page.click('#auth details.healthy-part > summary');
    const all = await visibleTexts(page, '#auth tbody tr');
    assert.equal(all.length, 2);
    assert.match(
      all[1] ?? '',
      /^tailspin\.test\twingtip\.test\tOK\tOK auth\.kerberos a user of tailspin\.test got .*\nOK auth\.ntlm an NTLM logon of a user of tailspin\.test/,
    );
    await page.screenshot({ path: join(SCREENSHOTS, 'simulated-3-dcs.png'), fullPage: true });
    await page.close();
  });

  it('at 500 DCs: problems first and grouped, the healthy part collapsed, filters without a script', async () => {
    const page = await load(`${simulatedBase}/500`);
    assert.match(
      await page.innerText('p.summary'),
      /Problems in \d+ of 15 trusts, \d+ of 30 domains, \d+ of 500 DCs\./,
    );
    const summaries = await visibleTexts(page, '#problems details.group > summary');
    assert.match(summaries[0] ?? '', /^CRITICAL Trust /, 'the broken trust comes first');
    const worst = summaries.map((summary) => summary.split(' ')[0]);
    assert.deepEqual(
      worst,
      [...worst].sort(
        (a, b) =>
          ['CRITICAL', 'WARNING', 'UNKNOWN'].indexOf(a ?? '') - ['CRITICAL', 'WARNING', 'UNKNOWN'].indexOf(b ?? ''),
      ),
    );
    // The fifth domain's CLDAP is one row for all its DCs, and one line of its DC table.
    const silent = page.locator('#problems details.group', { hasText: 'Domain emea.wingtip.test' });
    assert.match(
      await silent.locator('table.problems tbody').innerText(),
      /port\.udp\t389\/udp on 17 DCs: dc01\.emea\.wingtip\.test, /,
    );
    // Nothing healthy is open: the healthy groups and each group's healthy part are closed.
    assert.equal(
      await inPage<number>(
        page,
        `document.querySelectorAll('#healthy details[open], details.healthy-part[open]').length`,
      ),
      0,
    );
    assert.equal(await inPage<boolean>(page, `document.querySelector('#healthy > details').open`), false);
    // The SVG is well-formed XML, as an XML parser reads it.
    assert.equal(
      await inPage<number>(
        page,
        `new DOMParser().parseFromString(document.querySelector('#topology svg').outerHTML, 'image/svg+xml').getElementsByTagName('parsererror').length`,
      ),
      0,
    );
    await page.screenshot({ path: join(SCREENSHOTS, '500-dcs-top.png') });
    await page.locator('#topology svg').screenshot({ path: join(SCREENSHOTS, '500-dcs-topology.png') });
    await page.screenshot({ path: join(SCREENSHOTS, '500-dcs-full.png'), fullPage: true });

    // Filters, by clicking their labels: warnings only, then without the protocols family.
    await page.click('label[for="show-warning"]');
    const warnings = await visibleTexts(page, '#problems .row, #auth .row');
    assert.ok(warnings.length > 0);
    for (const row of warnings) assert.match(row, /WARNING/);
    assert.ok((await visibleTexts(page, '#problems details.group > summary')).every((text) => /warning/.test(text)));
    await page.click('label[for="family-protocols"]');
    const withoutProtocols = await visibleTexts(page, '#problems table.problems .row');
    assert.ok(withoutProtocols.length > 0);
    for (const row of withoutProtocols) assert.doesNotMatch(row, /time\.skew|tls\.certificate|port\.udp/);
    await page.screenshot({ path: join(SCREENSHOTS, '500-dcs-filtered.png') });
    await page.click('label[for="show-all"]');
    assert.ok((await visibleTexts(page, '#problems .row')).some((row) => /CRITICAL/.test(row)));
    await page.close();
    assert.deepEqual(violations, []);
  });
});
