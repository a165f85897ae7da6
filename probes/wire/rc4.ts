// RC4 (the cipher of RFC 4757's RC4-HMAC and of NTLM's key exchange; the keystream as RFC 6229
// tests it). Written here because Node 20's OpenSSL 3 refuses RC4 unless the legacy provider is
// loaded. Pure; RC4 is weak and used only where those protocols require it.

/** `data` XORed with the keystream of `key` (1 to 256 bytes); the same call decrypts. */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  if (key.length === 0 || key.length > 256) throw new RangeError(`an RC4 key is 1 to 256 bytes, not ${key.length}`);
  // Key scheduling: the identity permutation, shuffled by the key.
  const state = Uint8Array.from({ length: 256 }, (_, i) => i);
  let j = 0;
  for (let i = 0; i < 256; i += 1) {
    j = (j + at(state, i) + at(key, i % key.length)) & 0xff;
    swap(state, i, j);
  }
  const output = Buffer.alloc(data.length);
  let i = 0;
  j = 0;
  for (let n = 0; n < data.length; n += 1) {
    i = (i + 1) & 0xff;
    j = (j + at(state, i)) & 0xff;
    swap(state, i, j);
    output[n] = at(data, n) ^ at(state, (at(state, i) + at(state, j)) & 0xff);
  }
  return output;
}

/** An index the loops above keep in range. */
function at(bytes: Uint8Array, index: number): number {
  return bytes[index] ?? 0;
}

function swap(state: Uint8Array, i: number, j: number): void {
  const held = at(state, i);
  state[i] = at(state, j);
  state[j] = held;
}
