// The baseline of `npm run bench:scale`: a bare Node connect loop over the same DC ports,
// with the agent's concurrency bound and nothing else (no findings, no report). Prints the
// wall time in seconds. Usage: node dist/bench/raw-connect.js <concurrency> <host:port>...

import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';

const [concurrency = '512', ...targets] = process.argv.slice(2);
const started = performance.now();
let next = 0;
let open = 0;

function once(target: string): Promise<void> {
  const [host = '', port = ''] = target.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port) });
    const done = (): void => {
      socket.destroy();
      resolve();
    };
    socket.once('connect', () => {
      open++;
      done();
    });
    socket.once('error', done);
    socket.setTimeout(5000, done);
  });
}

async function worker(): Promise<void> {
  while (next < targets.length) await once(targets[next++] as string);
}

await Promise.all(Array.from({ length: Number(concurrency) }, worker));
console.log(JSON.stringify({ seconds: (performance.now() - started) / 1000, open, probes: targets.length }));
