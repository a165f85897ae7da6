// The memory of rejected credentials: what a server refused is remembered by a keyed digest,
// in memory and, with a state file, across processes, so a wrong password is never sent twice.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RejectedCredentials } from '../../../agent/run/credentials.js';
import type { Logger } from '../../../probes/model/probe.js';

const SECRET = 'Hunter2-never-in-the-file';
const canary = ['kerberos', 'canary', 'TAILSPIN.TEST', SECRET];

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string, meta?: Record<string, unknown>): void => {
    lines.push(`${message} ${JSON.stringify(meta ?? {})}`);
  };
  return { lines, debug: record, info: record, warn: record, error: record };
}

describe('RejectedCredentials', () => {
  it('remembers a rejection by the whole credential: another password or account is not affected', () => {
    const memory = new RejectedCredentials();
    assert.equal(memory.rejection(canary), undefined);
    memory.reject(canary, "TAILSPIN.TEST's KDC answered KDC_ERR_PREAUTH_FAILED (24)");
    assert.equal(memory.rejection(canary), "TAILSPIN.TEST's KDC answered KDC_ERR_PREAUTH_FAILED (24)");
    assert.equal(memory.rejection(['kerberos', 'canary', 'TAILSPIN.TEST', 'the-new-password']), undefined);
    assert.equal(memory.rejection(['kerberos', 'other', 'TAILSPIN.TEST', SECRET]), undefined);
    // Parts are kept apart: moving a character across the boundary is another credential.
    assert.equal(memory.rejection(['kerberos', 'canar', 'yTAILSPIN.TEST', SECRET]), undefined);
  });

  it('with a state file: survives the process, the file is private and holds no secret', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'adtrust-state-')), 'rejected-credentials.json');
    new RejectedCredentials(file).reject(canary, 'wrong password');
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes(SECRET) && !text.includes('canary'), text);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const next = new RejectedCredentials(file);
    assert.equal(next.rejection(canary), 'wrong password');
    assert.equal(next.rejection(['kerberos', 'canary', 'TAILSPIN.TEST', 'changed']), undefined);
  });

  it('a state file it cannot use is said once in the log, and memory still works', () => {
    const dir = mkdtempSync(join(tmpdir(), 'adtrust-state-'));
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{"version": 7}');
    const log = recordingLog();
    const memory = new RejectedCredentials(garbage, log);
    assert.match(log.lines.join('\n'), /the state file is not one this agent wrote/);
    memory.reject(canary, 'wrong password');
    assert.equal(memory.rejection(canary), 'wrong password');
    assert.equal(new RejectedCredentials(garbage).rejection(canary), 'wrong password', 'replaced by a good one');

    const unwritable = join(dir, 'no-such-dir', 'state.json');
    const quiet = recordingLog();
    const inMemory = new RejectedCredentials(unwritable, quiet);
    assert.deepEqual(quiet.lines, [], 'a missing file is a first start, not a problem');
    inMemory.reject(canary, 'wrong password');
    assert.match(quiet.lines.join('\n'), /cannot write the state file.*ENOENT/);
    assert.equal(inMemory.rejection(canary), 'wrong password');
    assert.ok(!quiet.lines.join('\n').includes(SECRET));
  });
});
