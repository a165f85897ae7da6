import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  checkNesting,
  integer,
  Malformed,
  readChildren,
  readElement,
  readInteger,
  tlv,
} from '../../../probes/wire/ber.js';
import { ldapMessageLength, startTlsResult } from '../../../probes/wire/starttls.js';
import { mulberry32 } from '../../support/random.js';

describe('the shared BER layer', () => {
  it("writes minimal two's-complement INTEGERs and reads them back", () => {
    const cases: [number, string][] = [
      [0, '020100'],
      [127, '02017f'],
      [128, '02020080'],
      [-1, '0201ff'],
      [-128, '020180'],
      [-129, '0202ff7f'],
      [0x7fffffff, '02047fffffff'],
      [-0x80000000, '020480000000'],
    ];
    for (const [value, hex] of cases) {
      const bytes = integer(value);
      assert.equal(bytes.toString('hex'), hex, String(value));
      const element = readElement(bytes, 0, bytes.length);
      assert.ok(!(element instanceof Malformed));
      assert.equal(readInteger(bytes, element, 'n'), value);
    }
  });

  it('long lengths take the fewest octets', () => {
    assert.equal(tlv(0x04, Buffer.alloc(200)).subarray(0, 3).toString('hex'), '0481c8');
    assert.equal(tlv(0x04, Buffer.alloc(300)).subarray(0, 4).toString('hex'), '0482012c');
  });

  it('says what is wrong as a value, with the facts', () => {
    const problem = (hex: string) => {
      const result = readElement(Buffer.from(hex, 'hex'), 0, hex.length / 2);
      assert.ok(result instanceof Malformed, hex);
      return result.problem?.kind;
    };
    assert.equal(problem(''), 'missing');
    assert.equal(problem('1f01'), 'high-tag');
    assert.equal(problem('30'), 'no-length');
    assert.equal(problem('3080'), 'indefinite');
    assert.equal(problem('30850000000001'), 'long-length');
    assert.equal(problem('308201'), 'cut-length');
    assert.equal(problem('300501'), 'overrun');
  });

  it('checks that every element of a tree fits its container, to a bounded depth', () => {
    const nesting = (hex: string, depth?: number) => {
      const bytes = Buffer.from(hex, 'hex');
      return checkNesting(bytes, 0, bytes.length, depth)?.reason;
    };
    // A BindResponse (messageID 1, success, empty matchedDN and diagnosticMessage): well formed.
    assert.equal(nesting('300c02010161070a010004000400'), undefined);
    // The same whose diagnosticMessage claims 29 bytes: the reply that kills ldapts 8.2.0.
    assert.equal(nesting('300c02010161070a01000400041d'), 'tag 0x04 at offset 12 announces 29 bytes, only 0 remain');
    // A primitive element is not looked into; a constructed one is.
    assert.equal(nesting('0403300500'), undefined);
    assert.equal(nesting('a003300500'), 'tag 0x30 at offset 2 announces 5 bytes, only 1 remain');
    assert.equal(nesting('3003300130', 2), 'elements nested more than 2 deep at offset 2');
    assert.equal(nesting('3003300130', 3), 'tag 0x30 at offset 4 has no length');
    // Elements side by side, each checked.
    assert.equal(nesting('30003000310504'), 'tag 0x31 at offset 4 announces 5 bytes, only 1 remain');
  });

  it('never throws and never reads past its bounds, whatever the bytes', () => {
    const random = mulberry32(0xbe5);
    for (let round = 0; round < 2000; round++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(random() * 24) }, () => Math.floor(random() * 256)));
      const element = readElement(bytes, 0, bytes.length);
      if (!(element instanceof Malformed)) {
        assert.ok(element.end <= bytes.length);
        const children = readChildren(bytes, element, 'x');
        if (!(children instanceof Malformed)) assert.ok(children.every((child) => child.end <= element.end));
      }
      ldapMessageLength(bytes);
      startTlsResult(bytes);
      checkNesting(bytes, 0, bytes.length);
    }
  });

  it('StartTLS: the resultCode of an ExtendedResponse; the frame length once the header is there', () => {
    const response = tlv(
      0x30,
      tlv(0x02, Buffer.from([1])),
      tlv(0x78, tlv(0x0a, Buffer.from([0])), tlv(0x04), tlv(0x04)),
    );
    assert.deepEqual(startTlsResult(response), { resultCode: 0 });
    assert.equal(ldapMessageLength(response), response.length);
    assert.equal(ldapMessageLength(response.subarray(0, 1)), undefined);
    assert.deepEqual(startTlsResult(tlv(0x30, tlv(0x02, Buffer.from([1])), tlv(0x65))), {
      malformed: 'expected an ExtendedResponse (0x78), got tag 0x65',
    });
  });
});
