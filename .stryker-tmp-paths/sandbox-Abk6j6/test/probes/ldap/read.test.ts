// @ts-nocheck
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidCredentialsError, StrongAuthRequiredError } from 'ldapts';
import { classifyBindError } from '../../../probes/ldap/read.js';
import {
  ATTRTYP,
  fileTimeToDate,
  generalizedTimeToDate,
  parseReplMetadata,
  trustAuthChanged,
} from '../../../probes/analysis/repl-metadata.js';

// replPropertyMetaData of the lab's trust object CN=wingtip.test,CN=System,DC=tailspin,DC=test
// as Samba 4.17 returned it to an unprivileged user (18 entries; trustAuthIncoming is 0x90081,
// trustAuthOutgoing 0x90087).
const LAB_METADATA = Buffer.from(
  'AQAAAAAAAAASAAAAAAAAAAAAAAABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAAMAAAABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAAEAAgABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAAIAAgABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAKkAAgABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAABkBAgABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAAEACQABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAHkACQABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAIEACQABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAIQACQABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAIUACQABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAIcACQABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAIgACQABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAANYBCQABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAP8BCQABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAA4DCQABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/Q8AAAAAAAD9DwAAAAAAAKYGCQACAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCojARAAAAAAAAABEAAAAAAAAKsHCQABAAAA/q8RIQMAAAAJ2NyQM9L9T7VKaQweHCoj/w8AAAAAAAD/DwAAAAAAAA==',
  'base64',
);

describe('replPropertyMetaData', () => {
  it('dates the trust password change from a real Samba blob', () => {
    const parsed = parseReplMetadata(LAB_METADATA);
    assert.ok(parsed.ok);
    assert.equal(parsed.entries.length, 18);
    const changed = trustAuthChanged(LAB_METADATA);
    assert.ok(changed?.incoming && changed.outgoing);
    // The lab was built on 2026-11-21; the DSTIME is whole seconds since 1601.
    assert.equal(changed.incoming.toISOString().slice(0, 10), '2026-11-21');
    assert.equal(changed.outgoing.getTime(), changed.incoming.getTime());
    assert.ok(parsed.entries.some((entry) => entry.attrtyp === ATTRTYP.trustAuthOutgoing));
  });

  it('never trusts its count: every prefix fails cleanly, garbage never throws', () => {
    for (let length = 0; length < LAB_METADATA.length; length++) {
      const parsed = parseReplMetadata(LAB_METADATA.subarray(0, length));
      assert.equal(parsed.ok, false, `prefix of ${length} bytes`);
    }
    const huge = Buffer.from(LAB_METADATA);
    huge.writeUInt32LE(0xffffffff, 8);
    assert.deepEqual(parseReplMetadata(huge), {
      ok: false,
      error: 'replPropertyMetaData claims 4294967295 entries but holds 18',
    });
    let seed = 7;
    for (let round = 0; round < 2000; round++) {
      const bytes = Buffer.alloc(round % 300);
      for (let index = 0; index < bytes.length; index++)
        bytes[index] = (seed = (seed * 1103515245 + 12345) >>> 0) & 0xff;
      if (bytes.length >= 4) bytes.writeUInt32LE(1, 0);
      const parsed = parseReplMetadata(bytes);
      assert.ok(parsed.ok ? parsed.entries.length <= bytes.length / 48 : parsed.error.length > 0);
    }
  });
});

describe('AD time formats', () => {
  it('pwdLastSet FILETIME text', () => {
    assert.equal(fileTimeToDate('134397091825646030')?.toISOString(), '2026-11-21T04:33:02.564Z');
    assert.equal(fileTimeToDate('0'), undefined);
    assert.equal(fileTimeToDate('9223372036854775807'), undefined);
    assert.equal(fileTimeToDate('not a number'), undefined);
  });
  it('generalized time', () => {
    assert.equal(generalizedTimeToDate('20261121043302.0Z')?.toISOString(), '2026-11-21T04:33:02.000Z');
    assert.equal(generalizedTimeToDate('2026-11-21'), undefined);
  });
});

describe('classifyBindError', () => {
  const cases: [unknown, string][] = [
    [
      new InvalidCredentialsError(
        '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v4563',
      ),
      'wrong credentials',
    ],
    [
      new InvalidCredentialsError(
        '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 533, v4563',
      ),
      'account disabled',
    ],
    [
      new InvalidCredentialsError(
        '80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563',
      ),
      'account locked',
    ],
    [new InvalidCredentialsError('Invalid credentials'), 'wrong credentials'],
    [new StrongAuthRequiredError(), 'TLS required'],
    [Object.assign(new Error('x'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }), 'certificate name mismatch'],
    [Object.assign(new Error('x'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'untrusted certificate'],
    [Object.assign(new Error('x'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), 'untrusted certificate'],
    [Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' }), 'certificate expired'],
    [Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'refused'],
    [Object.assign(new Error('x'), { code: 'EHOSTUNREACH' }), 'unreachable'],
    [new Error('something else'), 'error'],
  ];
  for (const [error, failure] of cases) {
    it(`${(error as { code?: string }).code ?? (error as Error).constructor.name}: ${failure}`, () => {
      assert.equal(classifyBindError(error).failure, failure);
    });
  }
});
