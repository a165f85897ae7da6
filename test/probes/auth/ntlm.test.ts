// The canary's NTLM logon over SMB2 (probes/auth/ntlm.ts) against real sockets on loopback: the
// test SMB server (test/support/smb.ts, a stand-in since no real DC can be made to answer with a
// chosen NTSTATUS here), closed and filtered ports, and servers that answer nonsense.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ntlmLogon, type SmbServer } from '../../../probes/auth/ntlm.js';
import type { NtlmOutcome } from '../../../probes/analysis/ntlm-verdict.js';
import type { ProbeContext } from '../../../probes/model/probe.js';
import { ntHash } from '../../../probes/wire/ntlm.js';
import { configFrom } from '../../support/config.js';
import { contextFor } from '../../support/context.js';
import { tcpServer } from '../../support/servers.js';
import { startSmbServer, STATUS_LOGON_FAILURE, type TestSmbServer } from '../../support/smb.js';
import { closedPort, filteredPort, type Listener } from '../../support/tcp.js';

const PASSWORD = 'S3cret-Canary-Value';
const TIMEOUT_MS = 1000;
const CREDENTIAL = { user: 'canary', domain: 'A.TEST', ntHash: ntHash(PASSWORD) };

let smb: TestSmbServer;
let filtered: Listener;

before(async () => {
  smb = await startSmbServer({ 'A.TEST\\CANARY': PASSWORD });
  filtered = await filteredPort();
});

after(async () => {
  await smb.close();
  await filtered.close();
});

function ctx(): ProbeContext {
  return contextFor(configFrom([`timeout: ${TIMEOUT_MS}ms`, 'domains: { a.test: {} }', ''].join('\n')));
}

/** The outcome, asserted to be of `kind`. */
function expect<K extends NtlmOutcome['kind']>(outcome: NtlmOutcome, kind: K): Extract<NtlmOutcome, { kind: K }> {
  assert.equal(outcome.kind, kind, JSON.stringify(outcome));
  return outcome as Extract<NtlmOutcome, { kind: K }>;
}

function server(port: number, host = `dc${port}.b.test`): SmbServer {
  return { host, address: '127.0.0.1', port };
}

describe('ntlmLogon', () => {
  it('logs on with an NTLMv2 response the server verifies; a wrong NT hash is a logon failure', async () => {
    smb.logons.length = 0;
    const ok = expect(await ntlmLogon([server(smb.port)], CREDENTIAL, true, ctx()), 'answered');
    assert.equal(ok.status, 0);
    const wrong = expect(
      await ntlmLogon([server(smb.port)], { ...CREDENTIAL, ntHash: ntHash('wrong') }, false, ctx()),
      'answered',
    );
    assert.deepEqual(
      [wrong.status, wrong.passwordProven, wrong.dc, wrong.port],
      [STATUS_LOGON_FAILURE, false, `dc${smb.port}.b.test`, smb.port],
    );
    assert.deepEqual(
      smb.logons.map((logon) => logon.status),
      [0, STATUS_LOGON_FAILURE],
    );
  });

  it('passes over DCs whose port is closed or filtered, and names them', { timeout: 20 * TIMEOUT_MS }, async () => {
    const closed = await closedPort();
    const outcome = expect(
      await ntlmLogon([server(closed), server(filtered.port), server(smb.port)], CREDENTIAL, true, ctx()),
      'answered',
    );
    assert.deepEqual(
      outcome.tried.map((t) => [t.port, t.detail]),
      [
        [closed, 'connection refused'],
        [filtered.port, 'no answer to the connect in 1 s'],
      ],
    );
  });

  it('asks at most three DCs, then says none could be reached', async () => {
    const ports = [await closedPort(), await closedPort(), await closedPort(), smb.port];
    const outcome = await ntlmLogon(
      ports.map((port) => server(port)),
      CREDENTIAL,
      true,
      ctx(),
    );
    assert.equal(expect(outcome, 'unreachable').tried.length, 3);
  });

  const HOSTILE: [string, (socket: import('node:net').Socket) => void, RegExp][] = [
    [
      'takes the connection and says nothing',
      () => undefined,
      /^took the connection but did not answer SMB2 NEGOTIATE: no answer in 1 s$/,
    ],
    [
      'closes at once',
      (socket) => socket.end(),
      /^took the connection but did not answer SMB2 NEGOTIATE: the server closed the connection without answering$/,
    ],
    [
      'announces a 16 MB message',
      (socket) => socket.write(Buffer.from([0, 0xff, 0xff, 0xff])),
      /^took the connection but did not answer SMB2 NEGOTIATE: /,
    ],
    [
      'answers an HTTP page',
      (socket) => socket.write('HTTP/1.1 400 Bad Request\r\n\r\n'),
      /^took the connection but did not answer SMB2 NEGOTIATE: /,
    ],
    [
      'answers a short SMB2 frame',
      (socket) => socket.write(Buffer.from([0, 0, 0, 8, 0xfe, 0x53, 0x4d, 0x42, 0, 0, 0, 0])),
      /^answered SMB2 NEGOTIATE with something unusable: /,
    ],
  ];
  for (const [name, behave, detail] of HOSTILE)
    it(`a server that ${name}: broken, with the reason`, { timeout: 20 * TIMEOUT_MS }, async () => {
      const hostile = await tcpServer(behave);
      try {
        const outcome = await ntlmLogon([server(hostile.port)], CREDENTIAL, true, ctx());
        assert.match(expect(outcome, 'broken').detail, detail);
      } finally {
        await hostile.close();
      }
    });
});
