// MD4 (RFC 1320): the hash under the RC4-HMAC string-to-key (RFC 4757, the NT hash) and NTLM.
// Written here because Node 20's OpenSSL 3 refuses MD4 unless the legacy provider is loaded,
// which a daemon should not have to ask for. Pure; MD4 is broken as a hash and used only where
// those protocols require it.

type RoundFunction = (x: number, y: number, z: number) => number;

const ROUNDS: { combine: RoundFunction; constant: number; words: number[]; shifts: number[] }[] = [
  {
    combine: (x, y, z) => (x & y) | (~x & z),
    constant: 0,
    words: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    shifts: [3, 7, 11, 19],
  },
  {
    combine: (x, y, z) => (x & y) | (x & z) | (y & z),
    constant: 0x5a827999,
    words: [0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15],
    shifts: [3, 5, 9, 13],
  },
  {
    combine: (x, y, z) => x ^ y ^ z,
    constant: 0x6ed9eba1,
    words: [0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15],
    shifts: [3, 9, 11, 15],
  },
];

/** The 48 steps of RFC 1320 3.4 in order: which message word each adds, and its rotation. */
const STEPS = ROUNDS.flatMap(({ combine, constant, words, shifts }) =>
  words.map((word, step) => ({ combine, constant, word, shift: shifts[step % 4] ?? 0 })),
);

function rotateLeft(value: number, bits: number): number {
  return (value << bits) | (value >>> (32 - bits));
}

/** The message, a 0x80 byte, zeros up to 56 mod 64, then the bit length as 64 bits little-endian. */
function pad(message: Uint8Array): Buffer {
  const blocks = Math.floor((message.length + 8) / 64) + 1;
  const padded = Buffer.alloc(blocks * 64);
  padded.set(message);
  padded[message.length] = 0x80;
  padded.writeUInt32LE((message.length * 8) % 2 ** 32, padded.length - 8);
  padded.writeUInt32LE(Math.floor(message.length / 2 ** 29), padded.length - 4);
  return padded;
}

export function md4(message: Uint8Array): Buffer {
  const padded = pad(message);
  let [h0, h1, h2, h3] = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
  for (let block = 0; block < padded.length; block += 64) {
    // Registers named as in the RFC's first step; each step updates the first one, and the
    // names then shift by one (abcd, dabc, cdab, bcda), back in order after four steps.
    let [a, b, c, d] = [h0, h1, h2, h3];
    for (const { combine, constant, word, shift } of STEPS) {
      const sum = (a + combine(b, c, d) + padded.readUInt32LE(block + word * 4) + constant) | 0;
      [a, b, c, d] = [d, rotateLeft(sum, shift), b, c];
    }
    [h0, h1, h2, h3] = [(h0 + a) | 0, (h1 + b) | 0, (h2 + c) | 0, (h3 + d) | 0];
  }
  const digest = Buffer.alloc(16);
  [h0, h1, h2, h3].forEach((word, i) => digest.writeInt32LE(word | 0, i * 4));
  return digest;
}
