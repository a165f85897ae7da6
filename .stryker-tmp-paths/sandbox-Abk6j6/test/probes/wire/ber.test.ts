// @ts-nocheck
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { integer, Malformed, readChildren, readElement, readInteger, tlv } from '../../../probes/wire/ber.js';
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
