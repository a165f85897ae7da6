// Debian's chromium, driven by playwright-core (nothing downloaded): for the status page
// test and its benchmark.

import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Why a browser test is skipped: where Debian's chromium is not installed, never in CI (the launch fails there instead). */
export const noBrowser: string | false =
  !existsSync(CHROMIUM) && process.env['CI'] !== 'true' ? "Debian's chromium is not installed" : false;

/** The flags keep Chromium off the network it has no business with (updates, sync, QUIC). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
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
}
