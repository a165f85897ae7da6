import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { format, inspect } from 'node:util';
import { Malformed } from '../../../probes/wire/ber.js';
import {
  aesCtsDecrypt,
  aesCtsEncrypt,
  checksum,
  CHECKSUM_TYPES,
  decrypt,
  encrypt,
  ENCTYPE_NAMES,
  isSupportedEncType,
  KerberosKey,
  keyFromBytes,
  MAX_PBKDF2_ITERATIONS,
  nfold,
  stringToKey,
  verifyChecksum,
  type EncType,
} from '../../../probes/wire/kerberos-crypto.js';
import { randomBytes } from '../../support/fuzz.js';
import { mulberry32 } from '../../support/random.js';

const ETYPES: EncType[] = [17, 18, 23];

function key(etype: EncType, hex: string): KerberosKey {
  const made = keyFromBytes(etype, Buffer.from(hex, 'hex'));
  assert.ok(made instanceof KerberosKey, String(made instanceof Malformed ? made.reason : made));
  return made;
}

function expectKey(made: KerberosKey | Malformed): KerberosKey {
  assert.ok(made instanceof KerberosKey, made instanceof Malformed ? made.reason : '');
  return made;
}

function expectPlain(result: Buffer | Malformed): Buffer {
  assert.ok(Buffer.isBuffer(result), result instanceof Malformed ? result.reason : '');
  return result;
}

function expectIntegrityFailure(result: Buffer | Malformed, what: string): void {
  assert.ok(result instanceof Malformed, `${what}: decrypted`);
  assert.equal(result.reason, 'integrity check failed', what);
  assert.deepEqual(result.problem, { kind: 'integrity' }, what);
}

function iterations(count: number): Buffer {
  const params = Buffer.alloc(4);
  params.writeUInt32BE(count, 0);
  return params;
}

/** A key of each type, fixed so that a failure reproduces. */
const KEYS: Record<EncType, KerberosKey> = {
  17: key(17, '000102030405060708090a0b0c0d0e0f'),
  18: key(18, '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
  23: key(23, 'f0e0d0c0b0a090807060504030201000'),
};

function fixedConfounder(etype: EncType): Buffer {
  return Buffer.alloc(etype === 23 ? 8 : 16, 0x5c);
}

describe('nfold', () => {
  it('the n-fold vectors of RFC 3961 appendix A.1', () => {
    const vectors: [string, number, string][] = [
      ['012345', 64, 'be072631276b1955'],
      ['password', 56, '78a07b6caf85fa'],
      ['Rough Consensus, and Running Code', 64, 'bb6ed30870b7f0e0'],
      ['password', 168, '59e4a8ca7c0385c3c37b3f6d2000247cb6e6bd5b3e'],
      ['MASSACHVSETTS INSTITVTE OF TECHNOLOGY', 192, 'db3b0d8f0b061e603282b308a50841229ad798fab9540c1b'],
      ['Q', 168, '518a54a215a8452a518a54a215a8452a518a54a215'],
      ['ba', 168, 'fb25d531ae8974499f52fd92ea9857c4ba24cf297e'],
      ['kerberos', 64, '6b65726265726f73'],
      ['kerberos', 128, '6b65726265726f737b9b5b2b93132b93'],
      ['kerberos', 168, '8372c236344e5f1550cd0747e15d62ca7a5a3bcea4'],
      ['kerberos', 256, '6b65726265726f737b9b5b2b93132b935c9bdcdad95c9899c4cae4dee6d6cae4'],
    ];
    for (const [input, bits, folded] of vectors) {
      assert.equal(nfold(Buffer.from(input), bits / 8).toString('hex'), folded, `${bits}-fold("${input}")`);
    }
  });
});

describe('stringToKey', () => {
  // RFC 3962 appendix B: iteration count, pass phrase, salt, then the AES-128 and AES-256 keys.
  const gClef = '\u{1D11E}';
  const vectors: [number, string, string, string, string][] = [
    [
      1,
      'password',
      'ATHENA.MIT.EDUraeburn',
      '42263c6e89f4fc28b8df68ee09799f15',
      'fe697b52bc0d3ce14432ba036a92e65bbb52280990a2fa27883998d72af30161',
    ],
    [
      2,
      'password',
      'ATHENA.MIT.EDUraeburn',
      'c651bf29e2300ac27fa469d693bdda13',
      'a2e16d16b36069c135d5e9d2e25f896102685618b95914b467c67622225824ff',
    ],
    [
      1200,
      'password',
      'ATHENA.MIT.EDUraeburn',
      '4c01cd46d632d01e6dbe230a01ed642a',
      '55a6ac740ad17b4846941051e1e8b0a7548d93b0ab30a8bc3ff16280382b8c2a',
    ],
    [
      5,
      'password',
      String.fromCharCode(0x12, 0x34, 0x56, 0x78, 0x78, 0x56, 0x34, 0x12),
      'e9b23d52273747dd5c35cb55be619d8e',
      '97a4e786be20d81a382d5ebc96d5909cabcdadc87ca48f574504159f16c36e31',
    ],
    [
      1200,
      'X'.repeat(64),
      'pass phrase equals block size',
      '59d1bb789a828b1aa54ef9c2883f69ed',
      '89adee3608db8bc71f1bfbfe459486b05618b70cbae22092534e56c553ba4b34',
    ],
    [
      1200,
      'X'.repeat(65),
      'pass phrase exceeds block size',
      'cb8005dc5f90179a7f02104c0018751d',
      'd78c5c9cb872a8c9dad4697f0bb5b2d21496c82beb2caeda2112fceea057401b',
    ],
    [
      50,
      gClef,
      'EXAMPLE.COMpianist',
      'f149c1f2e154a73452d43e7fe62a56e5',
      '4b6d9839f84406df1f09cc166db4b83c571848b784a3d6bdc346589a3e393f9e',
    ],
  ];
  for (const [count, password, salt, aes128, aes256] of vectors) {
    it(`RFC 3962 appendix B: ${count} iterations, a ${Buffer.byteLength(password)}-byte pass phrase`, () => {
      assert.ok(expectKey(stringToKey(17, password, salt, iterations(count))).equals(key(17, aes128)));
      assert.ok(expectKey(stringToKey(18, password, salt, iterations(count))).equals(key(18, aes256)));
    });
  }

  it('4096 iterations when the KDC sends no s2kparams (RFC 3962 4)', () => {
    const absent = expectKey(stringToKey(18, 'password', 'ATHENA.MIT.EDUraeburn'));
    assert.ok(absent.equals(expectKey(stringToKey(18, 'password', 'ATHENA.MIT.EDUraeburn', iterations(4096)))));
    assert.ok(!absent.equals(expectKey(stringToKey(18, 'password', 'ATHENA.MIT.EDUraeburn', iterations(4095)))));
  });

  it('refuses s2kparams that are not 4 bytes, or ask for too many iterations (zero stands for 2^32)', () => {
    const refused = (params: Buffer): string => {
      const made = stringToKey(18, 'password', 'salt', params);
      assert.ok(made instanceof Malformed);
      return made.reason;
    };
    assert.equal(refused(Buffer.alloc(3)), 'AES s2kparams are 4 bytes, these are 3');
    assert.equal(refused(Buffer.alloc(5)), 'AES s2kparams are 4 bytes, these are 5');
    assert.equal(
      refused(iterations(MAX_PBKDF2_ITERATIONS + 1)),
      's2kparams ask for 1000001 PBKDF2 iterations, more than the 1000000 allowed',
    );
    assert.equal(
      refused(iterations(0)),
      's2kparams ask for 4294967296 PBKDF2 iterations, more than the 1000000 allowed',
    );
  });

  it('rc4-hmac: the NT hash, MD4 of the UTF-16LE password (MS-NLMP 4.2.1: "Password"); salt and params ignored', () => {
    const nt = key(23, 'a4f49c406510bdcab6824ee7c30fd852');
    assert.ok(expectKey(stringToKey(23, 'Password', '')).equals(nt));
    assert.ok(expectKey(stringToKey(23, 'Password', 'TAILSPIN.TESTuser', Buffer.alloc(2))).equals(nt));
    assert.ok(!expectKey(stringToKey(23, 'password', '')).equals(nt));
  });
});

describe('keyFromBytes', () => {
  it('takes a key of the length of its type and refuses any other', () => {
    for (const [etype, length] of [
      [17, 16],
      [18, 32],
      [23, 16],
    ] as const) {
      assert.ok(keyFromBytes(etype, Buffer.alloc(length)) instanceof KerberosKey);
      for (const wrong of [0, length - 1, length + 1, 24]) {
        const refused = keyFromBytes(etype, Buffer.alloc(wrong));
        assert.ok(refused instanceof Malformed);
        assert.equal(refused.reason, `a ${ENCTYPE_NAMES[etype]} key is ${length} bytes, this one has ${wrong}`);
      }
    }
  });

  it('copies the bytes: changing the caller buffer afterwards does not change the key', () => {
    const bytes = Buffer.alloc(16, 1);
    const made = expectKey(keyFromBytes(17, bytes));
    bytes.fill(2);
    assert.ok(made.equals(key(17, '01'.repeat(16))));
  });

  it('equals: same type and bytes only', () => {
    assert.ok(key(17, '00'.repeat(16)).equals(key(17, '00'.repeat(16))));
    assert.ok(!key(17, '00'.repeat(16)).equals(key(23, '00'.repeat(16))));
    assert.ok(!key(17, '00'.repeat(16)).equals(key(17, '00'.repeat(15) + '01')));
  });

  it('isSupportedEncType: 17, 18 and 23 only', () => {
    assert.deepEqual(
      [-138, 0, 1, 3, 16, 17, 18, 19, 20, 23, 24].filter((n) => isSupportedEncType(n)),
      [17, 18, 23],
    );
  });
});

describe('a key never prints its bytes', () => {
  it('String, util.format, JSON.stringify and util.inspect give only the encryption type', () => {
    const bytes = Buffer.from('8a7f2c91d4e6b35a0f1e2d3c4b5a6978' + 'c1d2e3f405162738495a6b7c8d9eafb0', 'hex');
    const secret = expectKey(keyFromBytes(18, bytes));
    const texts = [
      String(secret),
      format('%s %o %O %j', secret, secret, secret, secret),
      JSON.stringify(secret),
      JSON.stringify({ nested: { secret } }),
      inspect(secret),
      inspect({ nested: [secret] }, { depth: 10, showHidden: true }),
      JSON.stringify(Object.entries(secret)),
    ];
    assert.equal(String(secret), 'KerberosKey(aes256-cts-hmac-sha1-96)');
    assert.equal(JSON.stringify(secret), '"KerberosKey(aes256-cts-hmac-sha1-96)"');
    assert.equal(inspect(secret), 'KerberosKey(aes256-cts-hmac-sha1-96)');
    const forms = [bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url')];
    // Any 6 bytes of the key, in hex, would give it away as surely as the whole.
    for (let start = 0; start + 6 <= bytes.length; start += 1)
      forms.push(bytes.subarray(start, start + 6).toString('hex'));
    for (const text of texts) {
      for (const form of forms) assert.ok(!text.toLowerCase().includes(form.toLowerCase()), `${text} holds ${form}`);
      assert.ok(!text.includes('138, 127'), text); // the first bytes as a decimal list
    }
  });

  it('nor do the reasons of what it fails on', () => {
    const secret = KEYS[18];
    const reasons = [
      decrypt(secret, 2, Buffer.alloc(40, 1)),
      decrypt(secret, 2, Buffer.alloc(3)),
      decrypt(secret, -1, Buffer.alloc(40)),
    ].map((result) => (result instanceof Malformed ? result.reason : 'decrypted'));
    for (const reason of reasons) assert.ok(!reason.includes('000102030405'), reason);
  });
});

describe('AES with ciphertext stealing (the CTS core)', () => {
  // RFC 3962 appendix B: AES-128, key "chicken teriyaki", IV zero.
  const chickenTeriyaki = Buffer.from('chicken teriyaki');
  const message = Buffer.from("I would like the General Gau's Chicken, please, and wonton soup.");
  const vectors: [number, string][] = [
    [17, 'c6353568f2bf8cb4d8a580362da7ff7f97'],
    [31, 'fc00783e0efdb2c1d445d4c8eff7ed2297687268d6ecccc0c07b25e25ecfe5'],
    [32, '39312523a78662d5be7fcbcc98ebf5a897687268d6ecccc0c07b25e25ecfe584'],
    [47, '97687268d6ecccc0c07b25e25ecfe584b3fffd940c16a18c1b5549d2f838029e39312523a78662d5be7fcbcc98ebf5'],
    [48, '97687268d6ecccc0c07b25e25ecfe5849dad8bbb96c4cdc03bc103e1a194bbd839312523a78662d5be7fcbcc98ebf5a8'],
    [
      64,
      '97687268d6ecccc0c07b25e25ecfe58439312523a78662d5be7fcbcc98ebf5a84807efe836ee89a526730dbc2f7bc840' +
        '9dad8bbb96c4cdc03bc103e1a194bbd8',
    ],
  ];
  for (const [length, ciphertext] of vectors) {
    it(`RFC 3962 appendix B: ${length} bytes, both ways`, () => {
      assert.equal(aesCtsEncrypt(chickenTeriyaki, message.subarray(0, length)).toString('hex'), ciphertext);
      assert.equal(
        aesCtsDecrypt(chickenTeriyaki, Buffer.from(ciphertext, 'hex')).toString(),
        message.subarray(0, length).toString(),
      );
    });
  }

  it('one block is plain AES; every length from 16 to 80 bytes, with AES-256 too, comes back', () => {
    const single = aesCtsEncrypt(chickenTeriyaki, message.subarray(0, 16));
    assert.equal(single.length, 16);
    assert.equal(aesCtsDecrypt(chickenTeriyaki, single).toString(), message.subarray(0, 16).toString());
    const key256 = Buffer.alloc(32, 0x42);
    const data = Buffer.concat([message, message]);
    for (let length = 16; length <= 80; length += 1) {
      const encrypted = aesCtsEncrypt(key256, data.subarray(0, length));
      assert.equal(encrypted.length, length);
      assert.deepEqual(aesCtsDecrypt(key256, encrypted), data.subarray(0, length), `${length} bytes`);
    }
  });
});

describe('decrypt: the known ciphertexts of MIT krb5 (src/lib/crypto/crypto_tests/t_decrypt.c)', () => {
  // enctype, plaintext, key usage, key, ciphertext: as MIT's harness decrypts them. Usage 3
  // on rc4-hmac only decrypts with RFC 4757's translation of usage 3 to 8.
  const cases: [EncType, string, number, string, string][] = [
    [17, '', 0, '5a5c0f0ba54f3828b2195e66ca24a289', '49ff8e11c173d9583a3254fbe7b1f1df36c538e8416784a1672e6676'],
    [17, '1', 1, '98450e3f3baa13f5c99beb936981b06f', 'f86742f537b35dc2174a4dbaa920faf9042090b065e1ebb1cad9a65394'],
    [
      17,
      '9 bytesss',
      2,
      '9062430c8cda3388922e6d6a509f5b7a',
      '68fb9679601f45c78857b2bf820fd6e53eca8d42fd4b1d7024a09205abb7cd2ec26c355d2f',
    ],
    [
      17,
      '13 bytes byte',
      3,
      '033ee6502c54fd23e27791e987983827',
      'ec366d0327a933bf49330e650e49bc6b974637fe80bf532fe51795b4809718e6194724db948d1fd637',
    ],
    [
      17,
      '30 bytes bytes bytes bytes byt',
      4,
      'dceeb70b3de76562e689226c76429148',
      'c96081032d5d8eeb7e32b4089f789d0faa481dea74c0f97cbf3146ddfcf8e800156ecb532fc203e30ff600b63b350939fece510f02d7ff1e7bac',
    ],
    [
      18,
      '',
      0,
      '17f275f2954f2ed1f90c377ba7f4d6a369aa0136e0bf0c927ad6133c693759a9',
      'e5094c55ee7b38262e2b044280b069379a95bf95bd8376fb3281b435',
    ],
    [
      18,
      '1',
      1,
      'b9477e1ff0329c0050e20ce6c72d2dff27e8fe541ab0954429a9cb5b4f7b1e2a',
      '406150b97aeb76d43b36b62cc1ecdfbe6f40e95755e0beb5c27825f3a4',
    ],
    [
      18,
      '9 bytesss',
      2,
      'b1ae4cd8462aff1677053cc9279aac30b796fb81ce21474dd3ddbcfea4ec76d7',
      '09957aa25fcaf88f7b39e4406e633012d5fea21853f6478da7065caef41fd454a40824eec5',
    ],
    [
      18,
      '13 bytes byte',
      3,
      'e5a72be9b7926c1225bafef9c1872e7ba4cdb2b17893d84abd90acdd8764d966',
      'd8f1aafeec84587cc3e700a774e56651a6d693e174ec4473b5e6d96f80297a653fb818ad893e719f96',
    ],
    [
      18,
      '30 bytes bytes bytes bytes byt',
      4,
      'f1c795e9248a09338d82c3f8d5b567040b0110736845041347235b1404231398',
      'd1137a4d634cfece924dbc3bf6790648bd5cff7de0e7b99460211d0daef3d79a295c688858f3b34b9cbd6eebae81daf6b734d4d498b6714f1c1d',
    ],
    [23, '', 0, 'f81fec39255f5784e850c4377c88bd85', '02c1eb15586144122ec717763dd348bf00434ddc6585954c'],
    [23, '1', 1, '67d1300d281223867f9647ff48721273', '6156e0cc04e0a0874f9fda008f498a7adbbc80b70b14dddbc0'],
    [
      23,
      '9 bytesss',
      2,
      '3e40ab6093695281b3ac1a9304224d98',
      '0f9ad121d99d4a09448e4f1f718c4f5cbe6096262c66f29df232a87c9f98755d55',
    ],
    [
      23,
      '13 bytes byte',
      3,
      '4ba2fbf0379faed87a254d3b353d5a7e',
      '612c57568b17a70352bae8cf26fb9459a6f3353cd35fd439db3107cbec765d326dfc04c1dd',
    ],
    [
      23,
      '30 bytes bytes bytes bytes byt',
      4,
      '68f263db3fce15d031c9eab02d67107a',
      '95f9047c3ad75891c2e9b04b16566dc8b6eb9ce4231afb2542ef87a7b5a0f260a99f0460508de0cecc632d07c354124e46c5d2234eb8',
    ],
  ];
  for (const [etype, plaintext, usage, keyHex, ciphertext] of cases) {
    it(`${ENCTYPE_NAMES[etype]}, usage ${usage}: "${plaintext}"`, () => {
      const sessionKey = key(etype, keyHex);
      const bytes = Buffer.from(ciphertext, 'hex');
      assert.equal(expectPlain(decrypt(sessionKey, usage, bytes)).toString(), plaintext);
      expectIntegrityFailure(decrypt(sessionKey, usage + 1, bytes), 'the next usage');
    });
  }
});

describe('checksum: the known checksums of MIT krb5 (src/lib/crypto/crypto_tests/t_cksums.c)', () => {
  const cases: [EncType, string, number, string, number, string][] = [
    [
      17,
      'eight nine ten eleven twelve thirteen',
      3,
      '9062430c8cda3388922e6d6a509f5b7a',
      15,
      '01a4b088d45628f6946614e3',
    ],
    [
      18,
      'fourteen',
      4,
      'b1ae4cd8462aff1677053cc9279aac30b796fb81ce21474dd3ddbcfea4ec76d7',
      16,
      'e08739e3279e2903ec8e3836',
    ],
    [
      23,
      'seventeen eighteen nineteen twenty',
      6,
      'f7d3a155af5e238a0b7a871a96ba2ab2',
      -138,
      'eb38cc97e2230f59da4117dc5859d7ec',
    ],
  ];
  for (const [etype, data, usage, keyHex, cksumtype, expected] of cases) {
    it(`${ENCTYPE_NAMES[etype]}, usage ${usage}: type ${cksumtype}`, () => {
      const signingKey = key(etype, keyHex);
      const made = checksum(signingKey, usage, Buffer.from(data));
      assert.equal(made.cksumtype, cksumtype);
      assert.equal(made.bytes.toString('hex'), expected);
      const bytes = Buffer.from(expected, 'hex');
      assert.ok(verifyChecksum(signingKey, usage, Buffer.from(data), cksumtype, bytes));
      assert.ok(!verifyChecksum(signingKey, usage + 1, Buffer.from(data), cksumtype, bytes), 'another usage');
      assert.ok(!verifyChecksum(signingKey, usage, Buffer.from(data + '.'), cksumtype, bytes), 'other data');
      assert.ok(!verifyChecksum(signingKey, usage, Buffer.from(data), 1, bytes), 'another checksum type');
      assert.ok(!verifyChecksum(signingKey, usage, Buffer.from(data), cksumtype, bytes.subarray(1)), 'cut');
      const flipped = Buffer.from(bytes);
      flipped[flipped.length - 1] = (flipped.at(-1) ?? 0) ^ 1;
      assert.ok(!verifyChecksum(signingKey, usage, Buffer.from(data), cksumtype, flipped), 'a flipped bit');
    });
  }

  it('each encryption type keys its own checksum type', () => {
    assert.deepEqual(CHECKSUM_TYPES, { 17: 15, 18: 16, 23: -138 });
    for (const etype of ETYPES)
      assert.equal(checksum(KEYS[etype], 7, Buffer.alloc(0)).cksumtype, CHECKSUM_TYPES[etype]);
  });
});

describe('encrypt and decrypt', () => {
  const LENGTHS = [0, 1, 15, 16, 17, 31, 32, 33, 100];
  const overhead = (etype: EncType): number => (etype === 23 ? 24 : 28);

  for (const etype of ETYPES) {
    describe(ENCTYPE_NAMES[etype], () => {
      it('round trip of 0 to 100 bytes with a fixed confounder: deterministic, and the right length', () => {
        for (const length of LENGTHS) {
          const plaintext = Buffer.from(Array.from({ length }, (_, i) => (i * 7 + length) & 0xff));
          const sealed = encrypt(KEYS[etype], 3, plaintext, fixedConfounder(etype));
          assert.equal(sealed.length, length + overhead(etype), `${length} bytes`);
          assert.deepEqual(encrypt(KEYS[etype], 3, plaintext, fixedConfounder(etype)), sealed);
          assert.deepEqual(expectPlain(decrypt(KEYS[etype], 3, sealed)), plaintext, `${length} bytes`);
        }
      });

      it('a random confounder by default: two encryptions differ, both decrypt', () => {
        const plaintext = Buffer.from('the same plaintext');
        const first = encrypt(KEYS[etype], 1, plaintext);
        const second = encrypt(KEYS[etype], 1, plaintext);
        assert.notDeepEqual(first, second);
        assert.deepEqual(expectPlain(decrypt(KEYS[etype], 1, first)), plaintext);
        assert.deepEqual(expectPlain(decrypt(KEYS[etype], 1, second)), plaintext);
      });

      it('a flipped bit anywhere fails the integrity check', () => {
        const sealed = encrypt(
          KEYS[etype],
          2,
          Buffer.from('a 33-byte timestamp for PA-ENC-TS'),
          fixedConfounder(etype),
        );
        for (let bit = 0; bit < sealed.length * 8; bit += 1) {
          const flipped = Buffer.from(sealed);
          flipped[bit >> 3] = (flipped[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7));
          expectIntegrityFailure(decrypt(KEYS[etype], 2, flipped), `bit ${bit}`);
        }
      });

      it('another key, key type or usage fails the integrity check', () => {
        const sealed = encrypt(KEYS[etype], 11, Buffer.from('enc-part'), fixedConfounder(etype));
        const otherBytes = etype === 18 ? 'ff'.repeat(32) : 'ff'.repeat(16);
        expectIntegrityFailure(decrypt(key(etype, otherBytes), 11, sealed), 'another key');
        expectIntegrityFailure(decrypt(KEYS[etype], 12, sealed), 'another usage');
        const otherType = etype === 17 ? key(23, '000102030405060708090a0b0c0d0e0f') : KEYS[17];
        expectIntegrityFailure(decrypt(otherType, 11, sealed), 'another key type');
      });

      it('every truncation, and an extra byte, is Malformed and never a throw', () => {
        const sealed = encrypt(KEYS[etype], 7, Buffer.alloc(40, 0x33), fixedConfounder(etype));
        for (let length = 0; length < sealed.length; length += 1) {
          const result = decrypt(KEYS[etype], 7, sealed.subarray(0, length));
          assert.ok(result instanceof Malformed, `${length} bytes`);
          if (length < overhead(etype)) {
            assert.match(
              result.reason,
              new RegExp(
                `^${ENCTYPE_NAMES[etype]} ciphertext of ${length} bytes, shorter than the ${overhead(etype)} of `,
              ),
            );
            assert.equal(result.problem, undefined);
          } else {
            assert.deepEqual(result.problem, { kind: 'integrity' }, `${length} bytes`);
          }
        }
        expectIntegrityFailure(decrypt(KEYS[etype], 7, Buffer.concat([sealed, Buffer.from([0])])), 'an extra byte');
      });

      it('random bytes of every length up to 100 are Malformed and never a throw (seeded)', () => {
        const random = mulberry32(20261202 + etype);
        for (let round = 0; round < 500; round += 1) {
          const bytes = randomBytes(random, Math.floor(random() * 101));
          const result = decrypt(KEYS[etype], Math.floor(random() * 30), bytes);
          assert.ok(result instanceof Malformed, bytes.toString('hex'));
        }
      });

      it('reads a Uint8Array view at its own offset', () => {
        const sealed = encrypt(KEYS[etype], 3, Buffer.from('view'), fixedConfounder(etype));
        const backing = Buffer.concat([Buffer.from('junk'), sealed, Buffer.from('junk')]);
        const view = new Uint8Array(backing.buffer, backing.byteOffset + 4, sealed.length);
        assert.equal(expectPlain(decrypt(KEYS[etype], 3, view)).toString(), 'view');
      });
    });
  }

  it('a confounder of the wrong length, or a usage that is not a 32-bit unsigned integer, is a caller bug', () => {
    assert.throws(() => encrypt(KEYS[18], 1, Buffer.alloc(1), Buffer.alloc(8)), {
      name: 'RangeError',
      message: 'a aes256-cts-hmac-sha1-96 confounder is 16 bytes, not 8',
    });
    assert.throws(
      () => encrypt(KEYS[23], 1, Buffer.alloc(1), Buffer.alloc(16)),
      /rc4-hmac confounder is 8 bytes, not 16/,
    );
    for (const usage of [-1, 1.5, 2 ** 32, Number.NaN]) {
      assert.throws(() => encrypt(KEYS[17], usage, Buffer.alloc(1)), /is not a 32-bit unsigned integer/);
      assert.throws(() => checksum(KEYS[17], usage, Buffer.alloc(1)), /is not a 32-bit unsigned integer/);
      const result = decrypt(KEYS[17], usage, Buffer.alloc(40));
      assert.ok(result instanceof Malformed);
      assert.equal(result.reason, `key usage ${usage} is not a 32-bit unsigned integer`);
      assert.equal(verifyChecksum(KEYS[17], usage, Buffer.alloc(1), 15, Buffer.alloc(12)), false);
    }
  });

  it('the largest usage works, and usages 3 and 8 are the same for rc4-hmac only (RFC 4757 3)', () => {
    const sealed = encrypt(KEYS[18], 0xffffffff, Buffer.from('x'));
    assert.equal(expectPlain(decrypt(KEYS[18], 0xffffffff, sealed)).toString(), 'x');
    const rc4Sealed = encrypt(KEYS[23], 3, Buffer.from('as-rep'), fixedConfounder(23));
    assert.deepEqual(encrypt(KEYS[23], 8, Buffer.from('as-rep'), fixedConfounder(23)), rc4Sealed);
    const aesSealed = encrypt(KEYS[17], 3, Buffer.from('as-rep'), fixedConfounder(17));
    assert.notDeepEqual(encrypt(KEYS[17], 8, Buffer.from('as-rep'), fixedConfounder(17)), aesSealed);
  });
});
