// @ts-nocheck
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatEndpoint, parseDuration, parseHostPort } from '../../../agent/config/parse.js';

describe('parseDuration', () => {
  const cases: [string, number | string][] = [
    ['5s', 5000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['5', 'expected a duration such as 5s, 500ms or 2m, got "5"'],
    ['-1s', 'expected a duration such as 5s, 500ms or 2m, got "-1s"'],
    ['0ms', 'must be longer than 0, got "0ms"'],
  ];
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => {
      const parsed = parseDuration(input);
      assert.deepEqual(
        parsed,
        typeof expected === 'number' ? { ok: true, value: expected } : { ok: false, reason: expected },
      );
    });
  }
});

describe('parseHostPort', () => {
  const cases: [string, { host: string; port: number | undefined } | string][] = [
    ['198.51.100.10', { host: '198.51.100.10', port: 53 }],
    ['198.51.100.10:5353', { host: '198.51.100.10', port: 5353 }],
    ['dca.tailspin.test', { host: 'dca.tailspin.test', port: 53 }],
    ['dca.tailspin.test:88', { host: 'dca.tailspin.test', port: 88 }],
    ['::1', { host: '::1', port: 53 }],
    ['[::1]:5353', { host: '::1', port: 5353 }],
    ['[dca]:53', '"[dca]:53" is not host or host:port: only IPv6 addresses go in brackets'],
    ['host:', '"host:" is not host or host:port: port "" is not a number'],
    ['a b', '"a b" is not host or host:port: "a b" is neither an IP address nor a host name'],
    ['1.2.3.4:70000', '"1.2.3.4:70000" is not host or host:port: port 70000 is outside 1-65535'],
    ['', '"" is not host or host:port: empty'],
  ];
  for (const [input, expected] of cases) {
    it(`"${input}"`, () => {
      const parsed = parseHostPort(input, 53);
      assert.deepEqual(
        parsed,
        typeof expected === 'string' ? { ok: false, reason: expected } : { ok: true, value: expected },
      );
    });
  }

  it('formats IPv6 endpoints in brackets', () => {
    assert.equal(formatEndpoint({ host: '::1', port: 9788 }), '[::1]:9788');
    assert.equal(formatEndpoint({ host: '127.0.0.1', port: 9788 }), '127.0.0.1:9788');
  });
});
