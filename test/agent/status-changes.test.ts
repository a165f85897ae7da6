import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { statusChanges } from '../../agent/daemon.js';
import { finding, type Finding, type Status } from '../../probes/model/finding.js';

function portFinding(port: number, status: Status): Finding {
  return finding({
    check: 'port.tcp',
    status,
    domain: 'wingtip.test',
    target: { kind: 'port', host: 'dcb.wingtip.test', port, transport: 'tcp' },
    message: `TCP ${port} on dcb.wingtip.test`,
    remediation: `allow TCP ${port}`,
  });
}

const key = (port: number): string => `port.tcp wingtip.test dcb.wingtip.test:${port}`;

describe('the status changes the daemon logs', () => {
  it('one per finding whose status changed, with the old and the new status', () => {
    const previous = new Map<string, Status>([
      [key(88), 'ok'],
      [key(389), 'critical'],
      [key(636), 'critical'],
      [key(445), 'ok'],
    ]);
    const changes = statusChanges(previous, [
      portFinding(88, 'critical'),
      portFinding(389, 'ok'),
      portFinding(636, 'critical'),
      portFinding(445, 'ok'),
    ]);
    assert.deepEqual(
      changes.map(({ key: changed, from, to }) => [changed, from, to]),
      [
        [key(88), 'ok', 'critical'],
        [key(389), 'critical', 'ok'],
      ],
    );
  });

  it('a problem that appears or goes away is a change; an ok finding that does is not', () => {
    const previous = new Map<string, Status>([
      [key(3268), 'critical'],
      [key(3269), 'ok'],
    ]);
    const changes = statusChanges(previous, [portFinding(88, 'warning'), portFinding(53, 'ok')]);
    assert.deepEqual(
      changes.map(({ key: changed, from, to }) => [changed, from, to]),
      [
        [key(88), 'absent', 'warning'],
        [key(3268), 'critical', 'absent'],
      ],
    );
  });

  it('nothing when nothing changed, however many problems there are', () => {
    const findings = Array.from({ length: 500 }, (_, index) => portFinding(10_000 + index, 'critical'));
    const previous = new Map(
      findings.map((item) => [key(item.target.kind === 'port' ? item.target.port : 0), item.status]),
    );
    assert.deepEqual(statusChanges(previous, findings), []);
  });
});
