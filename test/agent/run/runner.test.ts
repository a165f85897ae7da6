import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exitCodeFor, Limiter, makeAttempt, Runner, worstStatus } from '../../../agent/run/runner.js';
import type { Family, ProbeContext, ProbeOutput } from '../../../probes/model/probe.js';
import { configFrom, planOf } from '../../support/config.js';
import { quietLog } from '../../support/context.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Limiter', () => {
  it('never runs more than its bound at once, and runs everything', async () => {
    const limiter = new Limiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        limiter.run(async () => {
          active++;
          peak = Math.max(peak, active);
          await sleep(5);
          active--;
          return index;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.deepEqual(
      results,
      Array.from({ length: 20 }, (_, index) => index),
    );
  });
});

describe('attempt', () => {
  const never = new AbortController().signal;

  it('ends a probe that ignores its signal at the deadline, as a timeout', async () => {
    const attempt = makeAttempt(new Limiter(1), 50, never);
    const result = await attempt(() => new Promise<never>(() => undefined));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'timeout');
    assert.ok(result.seconds >= 0.04 && result.seconds < 1, `took ${result.seconds}s`);
  });

  it('gives the probe an aborted signal at the deadline', async () => {
    const attempt = makeAttempt(new Limiter(1), 30, never);
    let seen: AbortSignal | undefined;
    await attempt(async (signal) => {
      seen = signal;
      await sleep(60);
    });
    assert.equal(seen?.aborted, true);
  });

  it('turns a thrown error into a value, never a rejection', async () => {
    const attempt = makeAttempt(new Limiter(1), 1000, never);
    const result = await attempt(() => Promise.reject(new Error('boom')));
    assert.ok(!result.ok);
    assert.equal(result.reason, 'error');
    assert.ok(result.error instanceof Error);
    assert.equal(result.error.message, 'boom');
  });

  it('reports a cancelled run as cancelled', async () => {
    const controller = new AbortController();
    const attempt = makeAttempt(new Limiter(1), 1000, controller.signal);
    const pending = attempt(() => sleep(500));
    controller.abort(new Error('stop'));
    const result = await pending;
    assert.equal(!result.ok && result.reason, 'cancelled');
  });

  it('starts the deadline when the probe starts, not when it was queued', async () => {
    const attempt = makeAttempt(new Limiter(1), 80, never);
    const results = await Promise.all([attempt(() => sleep(50)), attempt(() => sleep(50)), attempt(() => sleep(50))]);
    assert.deepEqual(
      results.map((result) => result.ok),
      [true, true, true],
    );
  });
});

describe('Runner', () => {
  const config = configFrom('timeout: 100ms\ndomains:\n  tailspin.test: {}\n');

  it('turns a family that throws into an unknown finding, and still times the run', async () => {
    const families: Record<Family, (targets: unknown, ctx: ProbeContext) => Promise<ProbeOutput>> = {
      dns: () => Promise.reject(new Error('bug in the probe')),
      ports: () => Promise.resolve({ findings: [], measurements: [] }),
      protocols: () => Promise.resolve({ findings: [], measurements: [] }),
      ldap: () => Promise.resolve({ findings: [], measurements: [] }),
      auth: () => Promise.resolve({ findings: [], measurements: [] }),
    };
    const runner = new Runner(quietLog, 4, families);
    const [dns, ports] = await runner.runAll(['dns', 'ports'], planOf(config), new AbortController().signal);
    assert.ok(dns && ports);
    assert.equal(dns.findings.length, 1);
    const [finding] = dns.findings;
    assert.ok(finding);
    assert.equal(finding.check, 'dns.probe_error');
    assert.equal(finding.status, 'unknown');
    assert.match(finding.message, /bug in the probe/);
    assert.equal(ports.findings.length, 0);
    assert.ok(dns.durationSeconds >= 0);
  });
});

describe('status and exit codes', () => {
  it('orders critical over warning over unknown over ok', () => {
    assert.equal(worstStatus([]), 'ok');
    assert.equal(worstStatus(['ok', 'unknown']), 'unknown');
    assert.equal(worstStatus(['unknown', 'warning', 'ok']), 'warning');
    assert.equal(worstStatus(['warning', 'critical', 'unknown']), 'critical');
  });
  it('uses the Nagios plugin codes', () => {
    assert.deepEqual((['ok', 'warning', 'critical', 'unknown'] as const).map(exitCodeFor), [0, 1, 2, 3]);
  });
});
