// @ts-nocheck
// The status page at / as a person sees it: the agent runs as a process on loopback, and
// a real headless Chromium (Debian's package) loads the page from it.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { escapeHtml, renderStatusPage } from '../../../agent/outputs/status-page.js';
import { PROBE, tempDir } from '../../support/cli.js';
import { startDnsServer, WINGTIP_ZONE, type DnsTestServer } from '../../support/dns-server.js';
import { closedPort, openPort, type Listener } from '../../support/tcp.js';

const CHROMIUM = '/usr/bin/chromium';

describe('status page HTML (pure)', () => {
  it('escapes whatever the network put into a finding', () => {
    const html = renderStatusPage({
      version: '0.1.0',
      now: new Date('2026-11-21T10:00:00Z'),
      families: ['dns'],
      running: [],
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
              observed: {},
            },
          ],
        },
      ],
    });
    assert.ok(!html.includes('<script>alert'));
    assert.ok(html.includes(escapeHtml('<script>alert(1)</script>')));
    assert.ok(html.includes('a &#38; b'));
    assert.ok(!/<script/i.test(html), 'the page carries no script at all');
  });
});

// Skipped where Debian's chromium is not installed, never in CI (the launch fails there instead).
const noBrowser = !existsSync(CHROMIUM) && process.env['CI'] !== 'true' ? "Debian's chromium is not installed" : false;

describe('status page in headless Chromium', { skip: noBrowser }, () => {
  let agent: ChildProcess | undefined;
  let browser: Browser | undefined;
  let dns: DnsTestServer | undefined;
  let open: Listener | undefined;
  let base = '';
  let dir = '';

  before(async () => {
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
    for (let tries = 0; tries < 100; tries++) {
      const ready = await fetch(`${base}/-/ready`)
        .then((response) => response.status)
        .catch(() => 0);
      if (ready === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The flags keep Chromium off the network it has no business with (updates, sync, QUIC).
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });

  after(async () => {
    await browser?.close();
    agent?.kill('SIGTERM');
    await dns?.close();
    await open?.close();
    if (dir !== '') rmSync(dir, { recursive: true });
  });

  it("shows the overall state, each family's last run and every finding with its fix", async () => {
    assert.ok(browser);
    const page = await browser.newPage();
    const response = await page.goto(`${base}/`);
    assert.equal(response?.status(), 200);
    assert.match(await page.title(), /^adtrust-agent: CRITICAL$/);
    const text = await page.innerText('body');
    assert.match(text, /Overall: CRITICAL \(1 critical, 0 warning, 0 unknown, \d+ ok\)/);
    // The runs table names every family with its last run.
    for (const family of ['dns', 'ports', 'ldap'])
      assert.match(text, new RegExp(`^${family}\\t\\d{4}-\\d\\d-\\d\\dT.*\\(\\d+ s ago\\)`, 'm'));
    // The failing port is the first finding row, with its message and remediation, as a person reads them.
    const firstRow = await page.locator('table').nth(1).locator('tbody tr').first().innerText();
    assert.match(
      firstRow,
      /^CRITICAL\tport\.tcp\twingtip\.test\t127\.0\.0\.1:\d+\tTCP \d+ closed on 127\.0\.0\.1: connection refused\tstart the service on 127\.0\.0\.1/,
    );
    const critical = page.locator('td.status.critical').first();
    // Evaluated in the page, where the DOM is; this file is compiled without DOM types.
    type Window = { getComputedStyle(element: unknown): { backgroundColor: string } };
    const colour = await critical.evaluate(
      (element: unknown) => (globalThis as unknown as Window).getComputedStyle(element).backgroundColor,
    );
    assert.equal(colour, 'rgb(248, 215, 218)');
    await page.screenshot({ path: join(tmpdir(), 'adtrust-status-page.png'), fullPage: true });
    // The link to /metrics works from the page.
    await page.click('text=/metrics');
    assert.match(await page.innerText('body'), /adtrust_port_up\{/);
    await page.close();
  });
});
