// The simulated estate of `npm run bench:scale` in a process of its own, so that accepting
// thousands of connections does not slow the bench's own scrapes of /metrics.
// Usage: node dist/bench/estate.js <dcs> <dcs with the Global Catalog port open>; prints
// "ready" once it listens, and closes on SIGTERM.

import { startEstate } from '../test/support/loopback-estate.js';

const [count = '500', withGc = '20'] = process.argv.slice(2);
const estate = await startEstate(Number(count), (index) => (index < Number(withGc) ? [] : [3268]));
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void estate.close().then(() => process.exit(0));
});
