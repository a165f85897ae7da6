// What basic auth costs a scrape: one bcrypt check (bcryptjs, plain JavaScript) at the
// costs people use, against a check answered from the cache of verified credentials, and
// the longest the event loop stalls during an uncached check.
// Run: npm run bench (or node dist/bench/web-auth.js after a build). Prints figures; asserts nothing.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import bcrypt from 'bcryptjs';
import { BasicAuth } from '../agent/web/basic-auth.js';

const PASSWORD = 'bench-password';
const ROUNDS = 5;

for (const cost of [10, 12]) {
  const hash = bcrypt.hashSync(PASSWORD, cost);
  let uncached = 0;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  for (let round = 0; round < ROUNDS; round++) {
    // A new BasicAuth each round: an empty cache, so bcrypt runs.
    const auth = new BasicAuth(new Map([['prometheus', hash]]));
    await auth.check({ user: 'nobody', password: PASSWORD }); // lets its decoy hash be made first
    delay.enable();
    const started = performance.now();
    if (!(await auth.check({ user: 'prometheus', password: PASSWORD }))) throw new Error('the password did not verify');
    uncached += performance.now() - started;
    delay.disable();
  }
  const auth = new BasicAuth(new Map([['prometheus', hash]]));
  await auth.check({ user: 'prometheus', password: PASSWORD });
  const started = performance.now();
  for (let round = 0; round < 1000; round++) await auth.check({ user: 'prometheus', password: PASSWORD });
  const cached = (performance.now() - started) / 1000;
  console.log(
    `bcrypt cost ${String(cost)}: ${(uncached / ROUNDS).toFixed(1)} ms per uncached check, ${(cached * 1000).toFixed(1)} µs per cached check, event loop stalled at most ${(delay.max / 1e6).toFixed(1)} ms`,
  );
}
