import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rc4 } from '../../../probes/wire/rc4.js';

/** RFC 6229 section 2: the keystream (RC4 of zeros) at the given offsets, per key. */
const RFC_6229: { key: string; stream: Record<number, string> }[] = [
  {
    key: '0102030405',
    stream: {
      0: 'b2396305f03dc027ccc3524a0a1118a8',
      16: '6982944f18fc82d589c403a47a0d0919',
      240: '28cb1132c96ce286421dcaadb8b69eae',
      256: '1cfcf62b03eddb641d77dfcf7f8d8c93',
      496: '42b7d0cdd918a8a33dd51781c81f4041',
      512: '6459844432a7da923cfb3eb4980661f6',
      1008: '45129048e6a0ed0b56b490338f078da5',
      1024: '30abbcc7c20b01609f23ee2d5f6bb7df',
      2032: '1eb14a0c13b3bf47fa2a0ba93ad45b8b',
      2048: 'cc582f8ba9f265e2b1be9112e975d2d7',
    },
  },
  {
    key: '01020304050607',
    stream: { 0: '293f02d47f37c9b633f2af5285feb46b', 16: 'e620f1390d19bd84e2e0fd752031afc1' },
  },
  { key: '0102030405060708', stream: { 0: '97ab8a1bf0afb96132f2f67258da15a8' } },
  {
    key: '0102030405060708090a0b0c0d0e0f10',
    stream: { 0: '9ac7cc9a609d1ef7b2932899cde41b97', 16: '5248c4959014126a6e8a84f11d1a9e1c' },
  },
];

describe('rc4', () => {
  for (const { key, stream } of RFC_6229) {
    it(`RFC 6229 keystream for key ${key}`, () => {
      const keystream = rc4(Buffer.from(key, 'hex'), Buffer.alloc(2064));
      for (const [offset, expected] of Object.entries(stream)) {
        const start = Number(offset);
        assert.equal(keystream.subarray(start, start + 16).toString('hex'), expected, `offset ${offset}`);
      }
    });
  }

  it('the same call decrypts, and the input is left as it was', () => {
    const key = Buffer.from('0102030405', 'hex');
    const plaintext = Buffer.from('Attack at dawn');
    const ciphertext = rc4(key, plaintext);
    assert.notEqual(ciphertext.toString('hex'), plaintext.toString('hex'));
    assert.equal(rc4(key, ciphertext).toString(), 'Attack at dawn');
    assert.equal(plaintext.toString(), 'Attack at dawn');
  });

  it('an empty message gives an empty output', () => {
    assert.equal(rc4(Buffer.from([1]), Buffer.alloc(0)).length, 0);
  });

  it('refuses an empty key and one over 256 bytes', () => {
    assert.throws(() => rc4(Buffer.alloc(0), Buffer.alloc(1)), /an RC4 key is 1 to 256 bytes, not 0/);
    assert.throws(() => rc4(Buffer.alloc(257), Buffer.alloc(1)), /an RC4 key is 1 to 256 bytes, not 257/);
    assert.equal(rc4(Buffer.alloc(256, 7), Buffer.alloc(4)).length, 4);
  });
});
