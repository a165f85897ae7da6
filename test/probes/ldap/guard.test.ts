// The LDAP flood guard (probes/ldap/guard.ts) and the ldap family's reads against hostile
// and oversized directories: real LDAP servers on loopback (test/support/ldap-server.ts).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from 'ldapts';
import {
  DEFAULT_GUARD_LIMITS,
  frameLength,
  GUARDED_LDAPTS_RANGE,
  guardLdapClient,
  messageHead,
} from '../../../probes/ldap/guard.js';
import { readDomain } from '../../../probes/ldap/read.js';
import { analyseTrusts } from '../../../probes/analysis/trust-analysis.js';
import type { DomainRead } from '../../../probes/analysis/domain-read.js';
import type { LdapLimits, LdapServer } from '../../../probes/model/targets.js';
import { contextFor } from '../../support/context.js';
import { configFrom, planOf } from '../../support/config.js';
import { floodServer, startLdapServer, trustedDomainEntry } from '../../support/ldap-server.js';
import { makeCertificate, type TestCertificate } from '../../support/servers.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const BASE_DN = 'DC=tailspin,DC=test';
/** The smallest LDAP message ldapts parses and recurses on: SearchResultEntry, messageID 77, empty. */
const TINY_MESSAGE = Buffer.from([0x30, 0x05, 0x02, 0x01, 0x4d, 0x64, 0x00]);
const LIMITS: LdapLimits = { trustedDomainObjects: 5000, entriesPerSearch: 20_000 };

function server(url: string, startTls: boolean, certificate?: TestCertificate): LdapServer {
  return {
    domain: 'tailspin.test',
    url,
    bindDn: 'probe@tailspin.test',
    password: { reveal: () => 'guard-test-password' },
    ca: certificate === undefined ? undefined : { file: certificate.caFile, ok: true, pem: certificate.cert },
    startTls,
    serverName: certificate === undefined ? undefined : 'dca.tailspin.test',
    baseDn: BASE_DN,
  };
}

const ctx = (timeout = '3s') => contextFor(configFrom(`timeout: ${timeout}\ndomains:\n  tailspin.test: {}\n`));

/** The ldap family's targets for tailspin.test, as the plan makes them (the URL does not matter to the analysis). */
function ldapTargets() {
  const yaml =
    'domains:\n  tailspin.test:\n    ldap: { url: ldaps://dca.tailspin.test, bind_dn: probe@tailspin.test, password_env: PW }\n';
  return planOf(configFrom(yaml, { readFile: () => '', env: { PW: 'guard-test-password' } })).ldap;
}

function failed(read: DomainRead): Extract<DomainRead, { ok: false }> {
  assert.equal(read.ok, false, JSON.stringify(read));
  return read;
}

let certificate: TestCertificate;
before(() => {
  certificate = makeCertificate('dca.tailspin.test', 30);
});
after(() => {
  certificate.cleanup();
});

describe('the flood guard', () => {
  it('is written for the ldapts that package.json pins, to a tilde range', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    assert.equal(pkg.dependencies['ldapts'], GUARDED_LDAPTS_RANGE);
    const installed = (
      JSON.parse(readFileSync(join(ROOT, 'node_modules', 'ldapts', 'package.json'), 'utf8')) as { version: string }
    ).version;
    const [major, minor] = GUARDED_LDAPTS_RANGE.replace('~', '').split('.');
    assert.ok(
      installed.startsWith(`${major ?? ''}.${minor ?? ''}.`),
      `ldapts ${installed} installed, the guard knows ${GUARDED_LDAPTS_RANGE}`,
    );
  });

  it('hooks a real ldapts client, and refuses a client whose internals moved', () => {
    const client = new Client({ url: 'ldap://127.0.0.1:1' });
    const original = (client as unknown as { messageParser: { read: unknown } }).messageParser.read;
    guardLdapClient(client);
    assert.notEqual((client as unknown as { messageParser: { read: unknown } }).messageParser.read, original);
    const moved = new Client({ url: 'ldap://127.0.0.1:1' });
    (moved as unknown as { messageParser: unknown }).messageParser = undefined;
    assert.throws(() => guardLdapClient(moved), /ldapts internals changed .* ldapts ~8\.2\.0/);
    const noSocket = new Client({ url: 'ldap://127.0.0.1:1' });
    delete (noSocket as unknown as { socket?: unknown }).socket;
    assert.throws(() => guardLdapClient(noSocket), /ldapts internals changed/);
  });

  it('frames LDAP messages from their BER header, and names what is not one', () => {
    assert.equal(frameLength(Buffer.from([0x30])), undefined);
    assert.equal(frameLength(TINY_MESSAGE), 7);
    assert.equal(frameLength(Buffer.from([0x30, 0x82, 0x01])), undefined);
    assert.equal(frameLength(Buffer.from([0x30, 0x82, 0x01, 0x00])), 4 + 256);
    assert.throws(
      () => frameLength(Buffer.from('HTTP/1.1 200 OK')),
      /tag 0x48 where an LDAPMessage SEQUENCE \(0x30\) starts/,
    );
    assert.throws(() => frameLength(Buffer.from([0x30, 0x80])), /indefinite BER length/);
    assert.throws(() => frameLength(Buffer.from([0x30, 0x85, 1, 1, 1, 1, 1])), /a BER length of 5 octets/);
    assert.deepEqual(messageHead(TINY_MESSAGE), { id: 77, op: 0x64 });
    assert.deepEqual(messageHead(Buffer.from([0x30, 0x03, 0x04, 0x01, 0x00])), { id: undefined, op: undefined });
  });
});

describe('readDomain against a server that floods 20,000 tiny messages on accept', () => {
  for (const [label, startTls] of [
    ['ldap://', false],
    ['ldap:// with StartTLS', true],
  ] as const) {
    it(`${label}: a protocol violation in the bind, the process lives`, async () => {
      const flood = await floodServer(Buffer.concat(Array.from({ length: 20_000 }, () => TINY_MESSAGE)));
      try {
        const started = performance.now();
        const read = failed(
          await readDomain(server(`ldap://127.0.0.1:${flood.port}`, startTls, certificate), LIMITS, ctx()),
        );
        assert.equal(read.failure, 'protocol violation');
        assert.equal(
          read.detail,
          `the server sent ${DEFAULT_GUARD_LIMITS.maxUnsolicited + 1} unsolicited LDAP messages (answers to no request); the connection was dropped`,
        );
        assert.equal(read.afterBind, undefined);
        // Dropped at once, not after the 3 s timeout.
        assert.ok(performance.now() - started < 2000);
      } finally {
        await flood.close();
      }
    });
  }
});

describe('readDomain against a server whose BindResponse holds an element longer than its container', () => {
  it('a protocol violation that names the element; ldapts never sees the message', async () => {
    // diagnosticMessage claims 29 bytes and has none: ldapts 8.2.0 alone grows an array until V8
    // aborts the process (found by the socket fuzz test).
    const reply = await floodServer(Buffer.from('300c02010161070a01000400041d', 'hex'));
    try {
      const read = failed(await readDomain(server(`ldap://127.0.0.1:${reply.port}`, false), LIMITS, ctx()));
      assert.equal(read.failure, 'protocol violation');
      assert.equal(
        read.detail,
        'the server sent bytes that are not an LDAP message (tag 0x04 at offset 12 announces 29 bytes, only 0 remain); the connection was dropped',
      );
    } finally {
      await reply.close();
    }
  });
});

describe('readDomain against a small real LDAP server', () => {
  it('reads the trustedDomain objects over StartTLS, through the guard', async () => {
    const ldap = await startLdapServer({
      baseDn: BASE_DN,
      trusts: [trustedDomainEntry(BASE_DN, 1), trustedDomainEntry(BASE_DN, 2)],
      certificate,
    });
    try {
      const read = await readDomain(server(`ldap://127.0.0.1:${ldap.port}`, true, certificate), LIMITS, ctx());
      assert.ok(read.ok, JSON.stringify(read));
      assert.deepEqual(
        read.trusts.map((trust) => trust.partner),
        ['partner1.example', 'partner2.example'],
      );
    } finally {
      await ldap.close();
    }
  });

  it('more trustedDomain objects than limits.trusted_domain_objects: one finding that names the bound', async () => {
    const trusts = Array.from({ length: 120 }, (_, index) => trustedDomainEntry(BASE_DN, index));
    const ldap = await startLdapServer({ baseDn: BASE_DN, trusts });
    try {
      const limits = { trustedDomainObjects: 100, entriesPerSearch: 1000 };
      const read = failed(await readDomain(server(ldap.url, false), limits, ctx()));
      assert.equal(read.failure, 'limit exceeded');
      assert.equal(read.detail, 'the trustedDomain objects number more than 100 (limits.trusted_domain_objects)');
      assert.deepEqual(read.limit, { key: 'limits.trusted_domain_objects', value: 100 });
      const output = analyseTrusts(ldapTargets(), [read], new Date());
      const reads = output.findings.filter((finding) => finding.check === 'ldap.read');
      assert.equal(reads.length, 1);
      assert.equal(reads[0]?.status, 'critical');
      assert.match(
        reads[0].message,
        /^bound to 127\.0\.0\.1:\d+, but reading tailspin\.test failed \(limit exceeded\): the trustedDomain objects number more than 100 \(limits\.trusted_domain_objects\); its trusts were not analysed$/,
      );
      assert.equal(output.findings.filter((finding) => finding.check.startsWith('trust.')).length, 0);
    } finally {
      await ldap.close();
    }
  });

  it('a search with more entries than limits.ldap_entries_per_search, over its pages: one finding that names the bound', async () => {
    const accounts = Array.from({ length: 3000 }, (_, index) => ({
      dn: `CN=a${index},${BASE_DN}`,
      attributes: { sAMAccountName: [`a${index}`] },
    }));
    const ldap = await startLdapServer({ baseDn: BASE_DN, trusts: [trustedDomainEntry(BASE_DN, 1)], accounts });
    try {
      const read = failed(
        await readDomain(server(ldap.url, false), { trustedDomainObjects: 100, entriesPerSearch: 1200 }, ctx()),
      );
      assert.equal(read.failure, 'limit exceeded');
      assert.equal(
        read.detail,
        'the interdomain trust accounts number more than 1200 (limits.ldap_entries_per_search)',
      );
      assert.deepEqual(read.limit, { key: 'limits.ldap_entries_per_search', value: 1200 });
      assert.equal(read.afterBind, true);
      // Pages of 500: the third page crosses the bound and nothing more is asked for.
      assert.equal(ldap.searches.filter((base) => base === BASE_DN).length, 3);
    } finally {
      await ldap.close();
    }
  });

  it('a server that ignores paging and answers 20,000 entries at once: dropped after 1,000', async () => {
    const accounts = Array.from({ length: 20_000 }, (_, index) => ({
      dn: `CN=a${index},${BASE_DN}`,
      attributes: { sAMAccountName: [`a${index}`] },
    }));
    const ldap = await startLdapServer({
      baseDn: BASE_DN,
      trusts: [trustedDomainEntry(BASE_DN, 1)],
      accounts,
      ignorePaging: true,
    });
    try {
      const read = failed(await readDomain(server(ldap.url, false), LIMITS, ctx()));
      assert.equal(read.failure, 'protocol violation');
      assert.equal(
        read.detail,
        'the server sent more than 1000 entries in answer to one search request (one page); the connection was dropped',
      );
      assert.equal(read.afterBind, true);
    } finally {
      await ldap.close();
    }
  });

  it('a server that stops answering after the bind: a read timeout, not a bind failure', async () => {
    const ldap = await startLdapServer({ baseDn: BASE_DN, trusts: [], silentAfterBind: true });
    try {
      const read = failed(await readDomain(server(ldap.url, false), LIMITS, ctx('500ms')));
      assert.equal(read.failure, 'timeout');
      assert.equal(read.afterBind, true);
      assert.equal(read.detail, 'no answer in 0.5s while reading the trustedDomain objects');
      const output = analyseTrusts(ldapTargets(), [read], new Date());
      const bind = output.findings.find((finding) => finding.check === 'ldap.bind');
      assert.equal(bind?.status, 'ok');
      const reading = output.findings.find((finding) => finding.check === 'ldap.read');
      assert.equal(reading?.status, 'critical');
      assert.match(
        reading.message,
        /^bound to 127\.0\.0\.1:\d+, but reading tailspin\.test failed \(timeout\): no answer in 0\.5s while reading the trustedDomain objects; its trusts were not analysed$/,
      );
      assert.ok(!output.findings.some((finding) => /cannot bind/.test(finding.message)));
    } finally {
      await ldap.close();
    }
  });

  it('replPropertyMetaData with the time 0x7fffffffffffffff: the trust is analysed, no error replaces the findings', async () => {
    // Version 1, one entry: trustAuthIncoming, version 1, DSTIME 0x7fffffffffffffff.
    const metadata = Buffer.alloc(16 + 48);
    metadata.writeUInt32LE(1, 0);
    metadata.writeUInt32LE(1, 8);
    metadata.writeUInt32LE(0x00090081, 16);
    metadata.writeUInt32LE(1, 20);
    metadata.writeBigInt64LE(0x7fffffffffffffffn, 24);
    const ldap = await startLdapServer({
      baseDn: BASE_DN,
      trusts: [trustedDomainEntry(BASE_DN, 1, { replPropertyMetaData: [metadata] })],
    });
    try {
      const read = await readDomain(server(ldap.url, false), LIMITS, ctx());
      assert.ok(read.ok, JSON.stringify(read));
      const output = analyseTrusts(ldapTargets(), [read], new Date('2026-12-01T00:00:00Z'));
      const age = output.findings.find((finding) => finding.check === 'trust.password_age');
      assert.match(
        age?.message ?? '',
        /trust password last changed 2026-11-01T00:00:00Z, 30 day\(s\) ago \(whenChanged of the trust object \(last resort\)\)/,
      );
      assert.ok(output.findings.some((finding) => finding.check === 'trust.inventory'));
    } finally {
      await ldap.close();
    }
  });
});
