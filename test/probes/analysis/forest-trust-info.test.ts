import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../support/random.js';
import {
  disabledNames,
  domainInfoFlagNames,
  formatSid,
  parseForestTrustInfo,
  predictCollisions,
  scannerInfoFlagNames,
  scannerValidationDisabled,
  tlnFlagNames,
  type ForestTrustInfo,
  type ForestTrustRecord,
} from '../../../probes/analysis/forest-trust-info.js';

// ---- Encoding helpers: build blobs field by field, the way section 5 of ad-trust-facts.md lays them out.

function u8(value: number): Buffer {
  return Buffer.from([value]);
}

function u32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32LE(value >>> 0);
  return buffer;
}

function counted(bytes: Buffer): Buffer {
  return Buffer.concat([u32(bytes.length), bytes]);
}

function name(text: string): Buffer {
  return counted(Buffer.from(text, 'utf8'));
}

/** "S-1-5-21-1-2-3" to its binary form; authorities below 2^32 only, which is all these tests need. */
function sidBytes(sid: string): Buffer {
  const [, revision, authority, ...subs] = sid.split('-').map(Number);
  const header = Buffer.alloc(8);
  header.writeUInt8(revision ?? 0, 0);
  header.writeUInt8(subs.length, 1);
  header.writeUIntBE(authority ?? 0, 2, 6);
  return Buffer.concat([header, ...subs.map(u32)]);
}

function domainBody(sid: string | undefined, dnsName: string, netbiosName: string): Buffer {
  return Buffer.concat([
    counted(sid === undefined ? Buffer.alloc(0) : sidBytes(sid)),
    name(dnsName),
    name(netbiosName),
  ]);
}

interface RawRecord {
  type: number;
  data: Buffer;
  flags?: number;
  /** FILETIME dwords, written high first. */
  high?: number;
  low?: number;
}

function record({ type, data, flags = 0, high = 0, low = 0 }: RawRecord): Buffer {
  const body = Buffer.concat([u32(flags), u32(high), u32(low), u8(type), data]);
  return Buffer.concat([u32(body.length), body]);
}

function blob(records: Buffer[], count = records.length, version = 1): Buffer {
  return Buffer.concat([u32(version), u32(count), ...records]);
}

function hex(text: string): Buffer {
  return Buffer.from(text.replace(/\s+/g, ''), 'hex');
}

function expectOk(result: ForestTrustInfo): ForestTrustRecord[] {
  if (!result.ok) assert.fail(`parse failed: ${result.error}`);
  return result.records;
}

function expectError(result: ForestTrustInfo): Extract<ForestTrustInfo, { ok: false }> {
  if (result.ok) assert.fail(`expected a parse failure, got ${result.records.length} records`);
  return result;
}

// ---- Vectors

// 2024-05-01T12:34:56.789Z as a FILETIME: 133590404967890000 ticks = 0x01DA9BC3_F982FC50.
const KNOWN_DATE = new Date('2024-05-01T12:34:56.789Z');
const KNOWN_HIGH = 0x01da9bc3;
const KNOWN_LOW = 0xf982fc50;

/** A TLN and a domain-info record, as Samba writes them on a forest trust with wingtip.test. */
const WINGTIP = blob([
  record({ type: 0, high: KNOWN_HIGH, low: KNOWN_LOW, data: name('wingtip.test') }),
  record({ type: 2, high: KNOWN_HIGH, low: KNOWN_LOW, data: domainBody('S-1-5-21-1-2-3', 'wingtip.test', 'WINGTIP') }),
]);

// Source: samba-team/samba, source4/torture/ndr/drsblobs.c, forest_trust_info_data_out (2010).
// Samba's own check asserts timestamp == 0x9BD5AF0001CACA3E: its NTTIME reads the 8 bytes as one
// little-endian u64, which as a FILETIME is in the year 37000-odd. High dword first gives 2010.
const SAMBA_F2 = Buffer.from([
  0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3e, 0xca, 0xca,
  0x01, 0x00, 0xaf, 0xd5, 0x9b, 0x00, 0x07, 0x00, 0x00, 0x00, 0x66, 0x32, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x3a, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3e, 0xca, 0xca, 0x01, 0x00, 0xaf, 0xd5, 0x9b, 0x02, 0x18, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x15, 0x00, 0x00, 0x00, 0x68, 0x4a, 0x64, 0x28, 0xac, 0x88, 0xa2,
  0x74, 0x17, 0x3e, 0x2d, 0x8f, 0x07, 0x00, 0x00, 0x00, 0x66, 0x32, 0x2e, 0x74, 0x65, 0x73, 0x74, 0x02, 0x00, 0x00,
  0x00, 0x46, 0x32,
]);

// Source: samba-team/samba, source4/torture/ndr/drsblobs.c, forest_trust_info_data_out2 (added
// December 2024 with FOREST_TRUST_SCANNER_INFO): two TLNs flagged disabled_new and a scanner-info
// record with an empty SID. Its timestamps, read high dword first, are 2024-12-12, days before
// the commit; Samba's check values (0xAB80D43F01DB4CBA...) are the same bytes read as one u64.
const SAMBA_W4EDOM = Buffer.from(
  'AQAAAAUAAAAfAAAAAAAAALpM2wE/1ICrAA4AAAB3NGVkb20tbD' +
    'QuYmFzZUgAAAAAAAAAukzbAT/UgKsCGAAAAAEEAAAAAAAFFQAAAFWTkhD0sKbKlkeXVg4AAAB3NGV' +
    'kb20tbDQuYmFzZQkAAABXNEVET00tTDQiAAAAAQAAALtM2wFbRoxWABEAAAB3NGVkb20tbDQucHJp' +
    'dmF0ZSEAAAABAAAAu0zbAVtGjFYAEAAAAHc0ZWRvbS1sNC5wdWJsaWM1AAAAAAAAALpM2wH9xHHPB' +
    'CQAAAAEAAAAAA4AAAB3NGVkb20tbDQuYmFzZQkAAABXNEVET00tTDQ=',
  'base64',
);

// Source: dirkjanm/forest-trust-tools, ftinfo.py (the `data` sample "from ADUC"): a value written
// by Windows, one TLN and three domains, for a third view of the timestamp order.
const WINDOWS_DOMD = hex(`
  01 00 00 00 04 00 00 00 1B 00 00 00 00 00 00 00 C2 72 D5 01 4E D9 12 F5 00 0A 00 00 00 64 6F 6D
  64 2E 6C 6F 63 61 6C 48 00 00 00 00 00 00 00 47 76 D5 01 BF EC A6 77 02 18 00 00 00 01 04 00 00
  00 00 00 05 15 00 00 00 9A D8 33 B7 8C FD 3E 25 EA 68 12 19 11 00 00 00 73 75 62 74 77 6F 2E 64
  6F 6D 64 2E 6C 6F 63 61 6C 06 00 00 00 53 55 42 54 57 4F 42 00 00 00 00 00 00 00 D2 72 D5 01 BF
  51 8D 5A 02 18 00 00 00 01 04 00 00 00 00 00 05 15 00 00 00 35 E3 41 33 E4 64 F7 57 72 08 79 06
  0E 00 00 00 73 75 62 2E 64 6F 6D 64 2E 6C 6F 63 61 6C 03 00 00 00 53 55 42 3F 00 00 00 00 00 00
  00 C2 72 D5 01 4E D9 12 F5 02 18 00 00 00 01 04 00 00 00 00 00 05 15 00 00 00 50 58 04 7A 06 B4
  A7 5C 1D 99 68 A2 0A 00 00 00 64 6F 6D 64 2E 6C 6F 63 61 6C 04 00 00 00 64 6F 6D 64`);

/** Every record kind, and an unknown type 9 in the middle that must be skipped by its length. */
const ALL_KINDS = blob([
  record({ type: 0, flags: 0x1, high: KNOWN_HIGH, low: KNOWN_LOW, data: name('tailspin.test') }),
  record({ type: 1, data: name('lab.tailspin.test') }),
  record({ type: 9, flags: 0x80, data: Buffer.from('opaque future record body') }),
  record({ type: 2, flags: 0x4, data: domainBody('S-1-5-21-10-20-30', 'tailspin.test', 'TAILSPIN') }),
  record({ type: 3, data: counted(Buffer.from([0xde, 0xad, 0xbe, 0xef])) }),
  record({
    type: 4,
    data: counted(Buffer.concat([u8(4), domainBody('S-1-5-21-7-8-9', 'child.tailspin.test', 'CHILD')])),
  }),
  // Bytes past the data are padding as far as the reader is concerned; the record length rules.
  record({ type: 0, data: Buffer.concat([name('last.test'), Buffer.from([0, 0, 0])]) }),
]);

const VALID_VECTORS: readonly (readonly [string, Buffer])[] = [
  ['wingtip', WINGTIP],
  ['samba f2', SAMBA_F2],
  ['samba w4edom', SAMBA_W4EDOM],
  ['windows domd', WINDOWS_DOMD],
  ['all kinds', ALL_KINDS],
];

/** What reading the 8 timestamp bytes as one little-endian u64 would say. */
function asLittleEndianU64(high: number, low: number): Date {
  const ticks = (BigInt(low) << 32n) | BigInt(high);
  return new Date(Number(ticks / 10_000n - 11_644_473_600_000n));
}

describe('parseForestTrustInfo on hand-built vectors', () => {
  it('decodes a TLN and domain-info pair like Samba writes for wingtip.test, field by field', () => {
    const result = parseForestTrustInfo(WINGTIP);
    assert.equal(result.version, 1);
    assert.deepEqual(expectOk(result), [
      { kind: 'tln', flags: 0, timestamp: KNOWN_DATE, name: 'wingtip.test' },
      {
        kind: 'domain_info',
        flags: 0,
        timestamp: KNOWN_DATE,
        sid: 'S-1-5-21-1-2-3',
        dnsName: 'wingtip.test',
        netbiosName: 'WINGTIP',
      },
    ]);
  });

  it('reads the timestamp high dword first; one little-endian u64 would be an absurd date', () => {
    const [first] = expectOk(parseForestTrustInfo(WINGTIP));
    assert.equal(first?.timestamp?.toISOString(), '2024-05-01T12:34:56.789Z');
    // The bytes on the wire: c3 9b da 01 | 50 fc 82 f9.
    assert.deepEqual([...WINGTIP.subarray(16, 24)], [0xc3, 0x9b, 0xda, 0x01, 0x50, 0xfc, 0x82, 0xf9]);
    const wrong = asLittleEndianU64(KNOWN_HIGH, KNOWN_LOW);
    assert.equal(wrong.getUTCFullYear(), 58574);
  });

  it('a zero timestamp is undefined, not 1601', () => {
    const records = expectOk(parseForestTrustInfo(blob([record({ type: 0, data: name('zero.test') })])));
    assert.deepEqual(records, [{ kind: 'tln', flags: 0, timestamp: undefined, name: 'zero.test' }]);
  });

  it('decodes every record kind and skips an unknown type 9 in the middle by its length', () => {
    const records = expectOk(parseForestTrustInfo(ALL_KINDS));
    assert.deepEqual(records, [
      { kind: 'tln', flags: 0x1, timestamp: KNOWN_DATE, name: 'tailspin.test' },
      { kind: 'tln_exclusion', flags: 0, timestamp: undefined, name: 'lab.tailspin.test' },
      { kind: 'unknown', recordType: 9, flags: 0x80, timestamp: undefined, length: 13 + 25 },
      {
        kind: 'domain_info',
        flags: 0x4,
        timestamp: undefined,
        sid: 'S-1-5-21-10-20-30',
        dnsName: 'tailspin.test',
        netbiosName: 'TAILSPIN',
      },
      { kind: 'binary', flags: 0, timestamp: undefined, data: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
      {
        kind: 'scanner_info',
        flags: 0,
        timestamp: undefined,
        subType: 4,
        sid: 'S-1-5-21-7-8-9',
        dnsName: 'child.tailspin.test',
        netbiosName: 'CHILD',
      },
      { kind: 'tln', flags: 0, timestamp: undefined, name: 'last.test' },
    ]);
  });

  it('copies binary data out of the input', () => {
    const input = Buffer.from(ALL_KINDS);
    const binary = expectOk(parseForestTrustInfo(input)).find((r) => r.kind === 'binary');
    assert.ok(binary?.kind === 'binary');
    input.fill(0);
    assert.deepEqual([...binary.data], [0xde, 0xad, 0xbe, 0xef]);
  });

  it('reads a blob that sits at an offset inside a larger buffer', () => {
    const backing = Buffer.concat([Buffer.from('junk'), WINGTIP, Buffer.from('more junk')]);
    const view = backing.subarray(4, 4 + WINGTIP.length);
    assert.deepEqual(parseForestTrustInfo(view), parseForestTrustInfo(WINGTIP));
    assert.deepEqual(parseForestTrustInfo(new Uint8Array(view)), parseForestTrustInfo(WINGTIP));
  });

  it('an empty record list is valid', () => {
    assert.deepEqual(parseForestTrustInfo(blob([])), { ok: true, version: 1, records: [] });
  });
});

describe('parseForestTrustInfo on published vectors', () => {
  it("Samba's drsblobs.c vector: f2.test TLN and domain info, dated 2010-03-23", () => {
    const result = parseForestTrustInfo(SAMBA_F2);
    assert.equal(result.version, 1);
    const when = new Date('2010-03-23T04:09:18.473Z');
    assert.deepEqual(expectOk(result), [
      { kind: 'tln', flags: 0, timestamp: when, name: 'f2.test' },
      {
        kind: 'domain_info',
        flags: 0,
        timestamp: when,
        sid: 'S-1-5-21-677661288-1956808876-2402106903',
        dnsName: 'f2.test',
        netbiosName: 'F2',
      },
    ]);
    // Samba's assertion, 0x9BD5AF0001CACA3E, taken as a FILETIME.
    assert.ok(asLittleEndianU64(0x01caca3e, 0x9bd5af00).getUTCFullYear() > 30000);
  });

  it("Samba's scanner-info vector: disabled_new TLNs and a scanner record with no SID", () => {
    const result = parseForestTrustInfo(SAMBA_W4EDOM);
    assert.equal(result.version, 1);
    const first = new Date('2024-12-12T17:24:16.253Z');
    const later = new Date('2024-12-12T17:29:03.219Z');
    const scanned = new Date('2024-12-12T17:25:16.552Z');
    assert.deepEqual(expectOk(result), [
      { kind: 'tln', flags: 0, timestamp: first, name: 'w4edom-l4.base' },
      {
        kind: 'domain_info',
        flags: 0,
        timestamp: first,
        sid: 'S-1-5-21-278041429-3399921908-1452754838',
        dnsName: 'w4edom-l4.base',
        netbiosName: 'W4EDOM-L4',
      },
      { kind: 'tln', flags: 0x1, timestamp: later, name: 'w4edom-l4.private' },
      { kind: 'tln', flags: 0x1, timestamp: later, name: 'w4edom-l4.public' },
      {
        kind: 'scanner_info',
        flags: 0,
        timestamp: scanned,
        subType: 4,
        sid: undefined,
        dnsName: 'w4edom-l4.base',
        netbiosName: 'W4EDOM-L4',
      },
    ]);
  });

  it('a Windows-written value (ADUC sample from forest-trust-tools): one TLN, three domains, 2019 dates', () => {
    const records = expectOk(parseForestTrustInfo(WINDOWS_DOMD));
    assert.deepEqual(records, [
      { kind: 'tln', flags: 0, timestamp: new Date('2019-09-24T10:29:33.817Z'), name: 'domd.local' },
      {
        kind: 'domain_info',
        flags: 0,
        timestamp: new Date('2019-09-28T21:55:39.948Z'),
        sid: 'S-1-5-21-3073628314-624885132-420636906',
        dnsName: 'subtwo.domd.local',
        netbiosName: 'SUBTWO',
      },
      {
        kind: 'domain_info',
        flags: 0,
        timestamp: new Date('2019-09-24T12:19:46.520Z'),
        sid: 'S-1-5-21-859956021-1475831012-108595314',
        dnsName: 'sub.domd.local',
        netbiosName: 'SUB',
      },
      {
        kind: 'domain_info',
        flags: 0,
        timestamp: new Date('2019-09-24T10:29:33.817Z'),
        sid: 'S-1-5-21-2047105104-1554494470-2724763933',
        dnsName: 'domd.local',
        netbiosName: 'domd',
      },
    ]);
  });
});

describe('parseForestTrustInfo on truncated, oversized and garbage input', () => {
  it('every proper prefix of every valid vector fails without throwing; the full one parses', () => {
    for (const [label, vector] of VALID_VECTORS) {
      for (let length = 0; length < vector.length; length++) {
        const result = parseForestTrustInfo(vector.subarray(0, length));
        assert.equal(result.ok, false, `${label}: prefix of ${length} bytes parsed`);
      }
      assert.equal(parseForestTrustInfo(vector).ok, true, `${label}: full vector failed`);
    }
  });

  it('a short header: no version under 4 bytes, the version from 4 to 7', () => {
    assert.deepEqual(parseForestTrustInfo(new Uint8Array(0)), {
      ok: false,
      error: 'the header needs 8 bytes but only 0 are present',
      version: undefined,
      records: [],
    });
    const result = expectError(parseForestTrustInfo(u32(1)));
    assert.equal(result.error, 'the header needs 8 bytes but only 4 are present');
    assert.equal(parseForestTrustInfo(u32(1)).version, 1);
  });

  it('a version other than 1 is refused rather than guessed at', () => {
    const result = parseForestTrustInfo(blob([record({ type: 0, data: name('x.test') })], 1, 2));
    assert.deepEqual(result, { ok: false, error: 'version 2 is not 1, the only one defined', version: 2, records: [] });
  });

  it('a huge record count fails once the bytes run out, keeping the records before', () => {
    const result = expectError(parseForestTrustInfo(blob([record({ type: 0, data: name('one.test') })], 0xffffffff)));
    assert.equal(result.error, 'the header claims 4294967295 records but the data ends after 1 (0 bytes remain)');
    assert.deepEqual(result.records, [{ kind: 'tln', flags: 0, timestamp: undefined, name: 'one.test' }]);
  });

  it('a record that claims more bytes than remain: "record 2 claims 4000 bytes but 36 remain"', () => {
    const first = record({ type: 0, data: name('a.test') });
    const second = record({ type: 0, data: name('b.test') });
    const input = blob([first, second, u32(4000), Buffer.alloc(36)]);
    const result = expectError(parseForestTrustInfo(input));
    assert.equal(result.error, 'record 2 claims 4000 bytes but 36 remain');
    assert.deepEqual(
      result.records.map((r) => (r.kind === 'tln' ? r.name : r.kind)),
      ['a.test', 'b.test'],
    );
  });

  it('a record length of 0xffffffff', () => {
    const input = blob([record({ type: 0, data: name('a.test') }), u32(0xffffffff), Buffer.alloc(20)], 2);
    const result = expectError(parseForestTrustInfo(input));
    assert.equal(result.error, 'record 1 claims 4294967295 bytes but 20 remain');
    assert.equal(result.records.length, 1);
  });

  it('a record length too short for flags, timestamp and type', () => {
    const result = expectError(parseForestTrustInfo(blob([Buffer.concat([u32(5), Buffer.alloc(5)])])));
    assert.equal(result.error, 'record 0 claims 5 bytes, fewer than the 13 of its flags, timestamp and type');
  });

  it("a name length past the record's end is an error even when the blob goes on", () => {
    const overlong = record({ type: 0, data: Buffer.concat([u32(20), Buffer.from('abc')]) });
    const next = record({ type: 0, data: name('next.test') });
    const result = expectError(parseForestTrustInfo(blob([overlong, next])));
    assert.equal(result.error, 'record 0 (tln): name claims 20 bytes but 3 remain in the record');
  });

  it('a record with no room for its name length', () => {
    const result = expectError(parseForestTrustInfo(blob([record({ type: 1, data: Buffer.alloc(0) })])));
    assert.equal(result.error, 'record 0 (tln_exclusion): name length needs 4 bytes but 0 remain in the record');
  });

  it('a domain-info SID length past the record, and a malformed SID', () => {
    const longSid = record({ type: 2, data: Buffer.concat([u32(200), Buffer.alloc(10)]) });
    assert.equal(
      expectError(parseForestTrustInfo(blob([longSid]))).error,
      'record 0 (domain_info): SID claims 200 bytes but 10 remain in the record',
    );
    const badRevision = Buffer.from(sidBytes('S-1-5-21-1-2-3'));
    badRevision[0] = 2;
    const badSid = record({ type: 2, data: Buffer.concat([counted(badRevision), name('x.test'), name('X')]) });
    assert.equal(
      expectError(parseForestTrustInfo(blob([badSid]))).error,
      'record 0 (domain_info): SID of 24 bytes is malformed',
    );
  });

  it('a domain-info record cut before its NetBIOS name', () => {
    const cut = record({ type: 2, data: Buffer.concat([counted(sidBytes('S-1-5-21-1-2-3')), name('x.test')]) });
    assert.equal(
      expectError(parseForestTrustInfo(blob([cut]))).error,
      'record 0 (domain_info): NetBIOS name length needs 4 bytes but 0 remain in the record',
    );
  });

  it('a scanner-info sub-length past the record, and a body overrunning its sub-length', () => {
    const long = record({ type: 4, data: Buffer.concat([u32(99), u8(4), domainBody(undefined, 'x.test', 'X')]) });
    assert.equal(
      expectError(parseForestTrustInfo(blob([long]))).error,
      'record 0 (scanner_info): scanner info claims 99 bytes but 20 remain in the record',
    );
    // The sub-length confines the body: a DNS name running past it fails, though the record has room.
    const body = Buffer.concat([u8(4), domainBody(undefined, 'x.test', 'X')]);
    const short = record({ type: 4, data: Buffer.concat([u32(9), body]) });
    assert.equal(
      expectError(parseForestTrustInfo(blob([short]))).error,
      'record 0 (scanner_info): DNS name claims 6 bytes but 0 remain in the record',
    );
  });

  it('a binary record whose length runs past the record', () => {
    const result = expectError(
      parseForestTrustInfo(blob([record({ type: 3, data: Buffer.concat([u32(1000), Buffer.alloc(4)]) })])),
    );
    assert.equal(result.error, 'record 0 (binary): data claims 1000 bytes but 4 remain in the record');
  });

  it('a name that is not UTF-8', () => {
    const result = expectError(
      parseForestTrustInfo(blob([record({ type: 0, data: counted(Buffer.from([0x61, 0xff, 0x62])) })])),
    );
    assert.equal(result.error, 'record 0 (tln): name is not valid UTF-8');
  });

  it('bytes after the last record are reported, with every record kept', () => {
    const result = expectError(parseForestTrustInfo(Buffer.concat([WINGTIP, Buffer.from([1, 2, 3])])));
    assert.equal(result.error, '3 bytes follow the last of 2 records');
    assert.equal(result.records.length, 2);
    assert.equal(result.version, 1);
  });
});

// ---- Bounded fuzzing, seeded so a failure reproduces.

const KINDS = new Set(['tln', 'tln_exclusion', 'domain_info', 'binary', 'scanner_info', 'unknown']);
const MIN_RECORD_BYTES = 4 + 13;

/** One of the two result shapes, and no more records or copied bytes than the input could hold. */
function assertWellFormed(input: Uint8Array, result: ForestTrustInfo, context: string): void {
  if (result.ok) {
    assert.equal(typeof result.version, 'number', context);
  } else {
    assert.equal(typeof result.error, 'string', context);
    assert.ok(result.error.length > 0, context);
    assert.ok(result.version === undefined || typeof result.version === 'number', context);
  }
  assert.ok(Array.isArray(result.records), context);
  assert.ok(
    result.records.length * MIN_RECORD_BYTES <= Math.max(0, input.length - 8),
    `${context}: more records than bytes`,
  );
  let copied = 0;
  for (const r of result.records) {
    assert.ok(KINDS.has(r.kind), context);
    assert.ok(Number.isInteger(r.flags) && r.flags >= 0 && r.flags <= 0xffffffff, context);
    assert.ok(r.timestamp === undefined || !Number.isNaN(r.timestamp.getTime()), `${context}: invalid date`);
    if (r.kind === 'binary') copied += r.data.length;
  }
  assert.ok(copied <= input.length, `${context}: copied more than the input`);
}

function randomBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

const INTERESTING_U32 = [0, 1, 12, 13, 17, 0x7f, 0xff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

function mutate(random: () => number, source: Buffer): Buffer {
  let bytes = Buffer.from(source);
  const pick = (n: number): number => Math.floor(random() * n);
  const steps = 1 + pick(4);
  for (let step = 0; step < steps; step++) {
    switch (pick(5)) {
      case 0: // flip one bit
        if (bytes.length > 0) {
          const at = pick(bytes.length);
          bytes[at] = (bytes[at] ?? 0) ^ (1 << pick(8));
        }
        break;
      case 1: // replace one byte
        if (bytes.length > 0) bytes[pick(bytes.length)] = pick(256);
        break;
      case 2: // truncate
        bytes = bytes.subarray(0, pick(bytes.length + 1));
        break;
      case 3: // extend
        bytes = Buffer.concat([bytes, randomBytes(random, 1 + pick(64))]);
        break;
      default: // overwrite a u32, most often a length field's worst case
        if (bytes.length >= 4) {
          const value = INTERESTING_U32[pick(INTERESTING_U32.length)] ?? 0;
          bytes.writeUInt32LE(value, pick(bytes.length - 3));
        }
    }
  }
  return bytes;
}

describe('parseForestTrustInfo fuzzing (deterministic, bounded)', () => {
  it('5000 random buffers: never throws, always one of the two shapes', () => {
    const random = mulberry32(0x5eed_f7);
    for (let i = 0; i < 5000; i++) {
      const length = Math.floor(random() * 300);
      const input = randomBytes(random, length);
      // Half get a plausible header, so the record parser is reached, not just the version check.
      if (length >= 8 && random() < 0.5) {
        input.writeUInt32LE(1, 0);
        input.writeUInt32LE(Math.floor(random() * 8), 4);
      }
      assertWellFormed(input, parseForestTrustInfo(input), `random buffer ${i}: ${input.toString('hex')}`);
    }
  });

  it('5000 mutations of the valid vectors: never throws, always one of the two shapes', () => {
    const random = mulberry32(0xf0_7e57);
    let parsedSome = 0;
    for (let i = 0; i < 5000; i++) {
      const [label, vector] = VALID_VECTORS[i % VALID_VECTORS.length] ?? ['wingtip', WINGTIP];
      const input = mutate(random, vector);
      const result = parseForestTrustInfo(input);
      assertWellFormed(input, result, `mutation ${i} of ${label}: ${input.toString('hex')}`);
      if (result.records.length > 0) parsedSome++;
    }
    // The mutations must leave enough structure for the record parser to be exercised.
    assert.ok(parsedSome > 1000, `only ${parsedSome} mutations reached a record`);
  });
});

describe('flag names', () => {
  it('TLN flags, with unknown bits in hex', () => {
    assert.deepEqual(tlnFlagNames(0), []);
    assert.deepEqual(tlnFlagNames(0x1), ['disabled_new']);
    assert.deepEqual(tlnFlagNames(0x7), ['disabled_new', 'disabled_admin', 'disabled_conflict']);
    assert.deepEqual(tlnFlagNames(0x80000012), ['disabled_admin', '0x10', '0x80000000']);
  });

  it('domain-info flags, with unknown bits in hex', () => {
    assert.deepEqual(domainInfoFlagNames(0xf), [
      'sid_disabled_admin',
      'sid_disabled_conflict',
      'netbios_disabled_admin',
      'netbios_disabled_conflict',
    ]);
    assert.deepEqual(domainInfoFlagNames(0x24), ['netbios_disabled_admin', '0x20']);
  });

  it('scanner-info flags: 0x1 is authentication target validation off, not a disabled SID', () => {
    assert.deepEqual(scannerInfoFlagNames(0), []);
    assert.deepEqual(scannerInfoFlagNames(0x1), ['auth_target_validation_disabled']);
    assert.deepEqual(scannerInfoFlagNames(0x2), ['0x2']);
    assert.deepEqual(scannerInfoFlagNames(0x80000001), ['auth_target_validation_disabled', '0x80000000']);
    assert.deepEqual(domainInfoFlagNames(0x1), ['sid_disabled_admin']);
  });
});

describe('what the findings read from the records', () => {
  const at = undefined;
  const records: ForestTrustRecord[] = [
    { kind: 'tln', flags: 0, timestamp: at, name: 'wingtip.test' },
    { kind: 'tln', flags: 0x2, timestamp: at, name: 'off.test' },
    { kind: 'tln_exclusion', flags: 0x4, timestamp: at, name: 'x.wingtip.test' },
    { kind: 'tln_exclusion', flags: 0, timestamp: at, name: 'y.wingtip.test' },
    { kind: 'domain_info', flags: 0, timestamp: at, sid: undefined, dnsName: 'wingtip.test', netbiosName: 'WINGTIP' },
    { kind: 'domain_info', flags: 0x5, timestamp: at, sid: undefined, dnsName: 'old.wingtip.test', netbiosName: 'OLD' },
    {
      kind: 'scanner_info',
      flags: 0x1,
      timestamp: at,
      subType: 4,
      sid: undefined,
      dnsName: 'child.wingtip.test',
      netbiosName: 'CHILD',
    },
    {
      kind: 'scanner_info',
      flags: 0x2,
      timestamp: at,
      subType: 4,
      sid: undefined,
      dnsName: 'other.wingtip.test',
      netbiosName: 'OTHER',
    },
    {
      kind: 'scanner_info',
      flags: 0,
      timestamp: at,
      subType: 4,
      sid: undefined,
      dnsName: 'wingtip.test',
      netbiosName: 'WINGTIP',
    },
    { kind: 'binary', flags: 0x1, timestamp: at, data: Buffer.alloc(0) },
  ];

  it('disabledNames: TLNs, exclusions and domains with any flag, each flag by name; never scanner or binary records', () => {
    assert.deepEqual(disabledNames(records), [
      'off.test (disabled_admin)',
      'x.wingtip.test (disabled_conflict)',
      'old.wingtip.test (sid_disabled_admin, netbios_disabled_admin)',
    ]);
    assert.deepEqual(disabledNames([]), []);
  });

  it('scannerValidationDisabled: the scanner records with flag 0x1 only', () => {
    assert.deepEqual(scannerValidationDisabled(records), ['child.wingtip.test']);
    assert.deepEqual(scannerValidationDisabled(records.filter((record) => record.kind !== 'scanner_info')), []);
  });
});

describe('formatSid', () => {
  it('formats a known domain SID', () => {
    assert.equal(
      formatSid(sidBytes('S-1-5-21-677661288-1956808876-2402106903')),
      'S-1-5-21-677661288-1956808876-2402106903',
    );
    assert.equal(formatSid(hex('01 02 00 00 00 00 00 05 20 00 00 00 20 02 00 00')), 'S-1-5-32-544');
    assert.equal(formatSid(hex('01 00 00 00 00 00 00 01')), 'S-1-1');
  });

  it('writes an authority of 2^32 or more in hex, as MS-DTYP says', () => {
    assert.equal(formatSid(hex('01 01 01 00 00 00 00 00 07 00 00 00')), 'S-1-0x010000000000-7');
  });

  it('undefined for every truncation, a wrong revision, too many sub-authorities or extra bytes', () => {
    const sid = sidBytes('S-1-5-21-1-2-3');
    for (let length = 0; length < sid.length; length++) assert.equal(formatSid(sid.subarray(0, length)), undefined);
    const revision2 = Buffer.from(sid);
    revision2[0] = 2;
    assert.equal(formatSid(revision2), undefined);
    const sixteen = Buffer.concat([hex('01 10 00 00 00 00 00 05'), Buffer.alloc(64)]);
    assert.equal(formatSid(sixteen), undefined);
    assert.equal(formatSid(Buffer.concat([sid, Buffer.alloc(1)])), undefined);
  });
});

describe('predictCollisions', () => {
  const tln = (n: string, flags = 0): ForestTrustRecord => ({ kind: 'tln', flags, timestamp: undefined, name: n });
  const exclusion = (n: string): ForestTrustRecord => ({
    kind: 'tln_exclusion',
    flags: 0,
    timestamp: undefined,
    name: n,
  });

  it('same name, compared case-insensitively and ignoring a trailing dot', () => {
    assert.deepEqual(predictCollisions([tln('Tailspin.Test.')], ['tailspin.test']), [
      { partnerName: 'tailspin.test', localName: 'tailspin.test', relation: 'same' },
    ]);
  });

  it('partner TLN covers a local name', () => {
    assert.deepEqual(predictCollisions([tln('tailspin.test')], ['sales.tailspin.test']), [
      { partnerName: 'tailspin.test', localName: 'sales.tailspin.test', relation: 'partner_covers_local' },
    ]);
  });

  it('local name covers a partner TLN', () => {
    assert.deepEqual(predictCollisions([tln('eu.wingtip.test')], ['wingtip.test']), [
      { partnerName: 'eu.wingtip.test', localName: 'wingtip.test', relation: 'local_covers_partner' },
    ]);
  });

  it('no collision for mere label overlap', () => {
    assert.deepEqual(predictCollisions([tln('tailspin.test')], ['atailspin.test', 'tailspin.testing', 'test']), [
      { partnerName: 'tailspin.test', localName: 'test', relation: 'local_covers_partner' },
    ]);
    assert.deepEqual(predictCollisions([tln('tailspin.test')], ['atailspin.test']), []);
  });

  it('ignores TLNs disabled by an admin or by a conflict', () => {
    assert.deepEqual(
      predictCollisions([tln('tailspin.test', 0x2), tln('wingtip.test', 0x4)], ['tailspin.test', 'wingtip.test']),
      [],
    );
  });

  it('includes a disabled_new TLN: it collides once the partner enables it', () => {
    assert.deepEqual(predictCollisions([tln('tailspin.test', 0x1)], ['tailspin.test']), [
      { partnerName: 'tailspin.test', localName: 'tailspin.test', relation: 'same' },
    ]);
  });

  it('honours an exclusion of the TLN itself or of a name above it', () => {
    assert.deepEqual(
      predictCollisions([tln('lab.tailspin.test'), exclusion('lab.tailspin.test')], ['lab.tailspin.test']),
      [],
    );
    assert.deepEqual(
      predictCollisions([tln('eu.lab.tailspin.test'), exclusion('LAB.tailspin.test.')], ['lab.tailspin.test']),
      [],
    );
  });

  it('honours an exclusion carved out of a TLN for the local names under it, and only those', () => {
    const partner = [tln('tailspin.test'), exclusion('sales.tailspin.test')];
    assert.deepEqual(
      predictCollisions(partner, ['sales.tailspin.test', 'eu.sales.tailspin.test', 'hr.tailspin.test']),
      [{ partnerName: 'tailspin.test', localName: 'hr.tailspin.test', relation: 'partner_covers_local' }],
    );
  });

  it('only TLN records make claims; names, duplicates and empty names handled once', () => {
    const domain: ForestTrustRecord = {
      kind: 'domain_info',
      flags: 0,
      timestamp: undefined,
      sid: 'S-1-5-21-1-2-3',
      dnsName: 'wingtip.test',
      netbiosName: 'WINGTIP',
    };
    assert.deepEqual(predictCollisions([domain, tln(''), tln('.'), exclusion('')], ['wingtip.test', '']), []);
    assert.deepEqual(predictCollisions([tln('wingtip.test'), tln('WINGTIP.test')], ['wingtip.test', 'Wingtip.Test.']), [
      { partnerName: 'wingtip.test', localName: 'wingtip.test', relation: 'same' },
    ]);
  });

  it('works on parsed records: the Samba scanner vector against a local forest', () => {
    const records = expectOk(parseForestTrustInfo(SAMBA_W4EDOM));
    assert.deepEqual(predictCollisions(records, ['w4edom-l4.private', 'x.w4edom-l4.base', 'other.test']), [
      { partnerName: 'w4edom-l4.base', localName: 'x.w4edom-l4.base', relation: 'partner_covers_local' },
      { partnerName: 'w4edom-l4.private', localName: 'w4edom-l4.private', relation: 'same' },
    ]);
  });
});
