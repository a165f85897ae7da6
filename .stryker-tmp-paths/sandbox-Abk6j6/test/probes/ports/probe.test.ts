// @ts-nocheck
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { portStatus, probePorts } from '../../../probes/ports/probe.js';
import { configFrom, planOf } from '../../support/config.js';
import { contextFor } from '../../support/context.js';
import { closedPort, filteredPort, openPort } from '../../support/tcp.js';

describe('TCP port probe against loopback', () => {
  it('tells open, closed and filtered apart, with the connect latency', async () => {
    const open = await openPort();
    const filtered = await filteredPort();
    const closed = await closedPort();
    try {
      const config = configFrom(`
timeout: 500ms
domains:
  tailspin.test: {}
  wingtip.test:
    dcs: [127.0.0.1:${open.port}, 127.0.0.1:${closed}, 127.0.0.1:${filtered.port}]
trusts:
  - between: [tailspin.test, wingtip.test]
    type: forest
`);
      const output = await probePorts(planOf(config).ports, contextFor(config));
      const byPort = new Map(
        output.findings.filter((f) => f.check === 'port.tcp').map((finding) => [finding.observed['port'], finding]),
      );
      assert.equal(byPort.get(open.port)?.observed['state'], 'open');
      assert.equal(byPort.get(open.port)?.status, 'ok');
      assert.equal(byPort.get(closed)?.observed['state'], 'closed');
      assert.match(byPort.get(closed)?.message ?? '', /closed on 127\.0\.0\.1: connection refused/);
      assert.equal(byPort.get(filtered.port)?.observed['state'], 'filtered');
      assert.match(byPort.get(filtered.port)?.message ?? '', /filtered on 127\.0\.0\.1: no answer in 500 ms/);
      assert.match(
        byPort.get(filtered.port)?.remediation ?? '',
        new RegExp(`allow TCP ${filtered.port} from this host to 127\\.0\\.0\\.1`),
      );
      const filteredSeconds = Number(byPort.get(filtered.port)?.observed['seconds']);
      assert.ok(filteredSeconds >= 0.45, `filtered took ${filteredSeconds}s`);
      const states = output.measurements
        .filter((m) => m.kind === 'port')
        .map((m) => m.state)
        .sort();
      assert.deepEqual(states, ['closed', 'filtered', 'open']);
      // tailspin.test has neither DNS servers nor dcs: said, not silently skipped.
      const discovery = output.findings.find((finding) => finding.check === 'port.discovery');
      assert.ok(discovery);
      assert.equal(discovery.domain, 'tailspin.test');
      assert.match(discovery.message, /no DNS server is configured for tailspin\.test/);
    } finally {
      await open.close();
      await filtered.close();
    }
  });

  it('445 is needed to create a trust, not to use it: a warning; every other trust port critical', () => {
    assert.equal(portStatus(445, 'filtered'), 'warning');
    assert.equal(portStatus(445, 'closed'), 'warning');
    assert.equal(portStatus(445, 'open'), 'ok');
    for (const port of [53, 88, 135, 389, 464, 636, 3268, 3269]) assert.equal(portStatus(port, 'filtered'), 'critical');
  });
});
