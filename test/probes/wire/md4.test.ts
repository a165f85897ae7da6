import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { md4 } from '../../../probes/wire/md4.js';

describe('md4', () => {
  it('the test suite of RFC 1320 appendix A.5', () => {
    const suite: [string, string][] = [
      ['', '31d6cfe0d16ae931b73c59d7e0c089c0'],
      ['a', 'bde52cb31de33e46245e05fbdbd6fb24'],
      ['abc', 'a448017aaf21d8525fc10ae87aa6729d'],
      ['message digest', 'd9130a8164549fe818874806e1c7014b'],
      ['abcdefghijklmnopqrstuvwxyz', 'd79e1c308aa5bbcdeea8ed63df412da9'],
      ['ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '043f8582f241db351ce627e153e7f0e4'],
      [
        '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
        'e33b4ddc9c38f2199c3e7b164fcc0536',
      ],
    ];
    for (const [message, digest] of suite) {
      assert.equal(md4(Buffer.from(message, 'latin1')).toString('hex'), digest, JSON.stringify(message));
    }
  });

  it('MIT krb5 t_cksums.c: rsa-md4 of "one"', () => {
    assert.equal(md4(Buffer.from('one')).toString('hex'), '305dcc2c0fdd5339969552c7b8996348');
  });

  it('the NT hash (RFC 4757 string-to-key) of "Password" from MS-NLMP 4.2.1', () => {
    assert.equal(md4(Buffer.from('Password', 'utf16le')).toString('hex'), 'a4f49c406510bdcab6824ee7c30fd852');
  });

  it('padding at the block edges: 55, 56, 63, 64 and 65 bytes differ and stay 16 bytes', () => {
    // 55 bytes leave room for the 0x80 and the length in one block; 56 need a second block.
    const digests = [55, 56, 63, 64, 65].map((length) => md4(Buffer.alloc(length, 0x61)).toString('hex'));
    assert.equal(new Set(digests).size, digests.length);
    for (const digest of digests) assert.equal(digest.length, 32);
  });

  it('reads a Uint8Array view at its own offset', () => {
    const backing = Buffer.from('xxabcxx');
    assert.equal(
      md4(new Uint8Array(backing.buffer, backing.byteOffset + 2, 3)).toString('hex'),
      'a448017aaf21d8525fc10ae87aa6729d',
    );
  });
});
