// Kerberos encryption and checksums for the three encryption types Active Directory uses:
// aes256- and aes128-cts-hmac-sha1-96 (RFC 3962, on the simplified profile of RFC 3961) and
// rc4-hmac (RFC 4757). Pure functions over bytes, no ASN.1 (the message codecs call these).
//
// A key's bytes never leave its KerberosKey: it prints as its encryption type only, so a
// log line, a report or an error message cannot carry it. Decryption never throws: a short
// input or a failed integrity check is a returned Malformed; the latter carries the problem
// kind 'integrity', which the caller reports as a wrong key (or key usage).
//
// node:crypto does AES, SHA-1, MD5, HMAC and PBKDF2; MD4 and RC4 are ours (md4.ts, rc4.ts),
// as OpenSSL 3 keeps them behind its legacy provider.

import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { inspect } from 'node:util';
import { Malformed } from './ber.js';
import { md4 } from './md4.js';
import { rc4 } from './rc4.js';

export type EncType = 17 | 18 | 23;

export const ENCTYPE_NAMES: Readonly<Record<EncType, string>> = Object.freeze({
  17: 'aes128-cts-hmac-sha1-96',
  18: 'aes256-cts-hmac-sha1-96',
  23: 'rc4-hmac',
});

/** The checksum type each encryption type keys (RFC 3962 7, RFC 4757 4). */
export const CHECKSUM_TYPES: Readonly<Record<EncType, number>> = Object.freeze({
  17: 15, // hmac-sha1-96-aes128
  18: 16, // hmac-sha1-96-aes256
  23: -138, // hmac-md5
});

const KEY_BYTES: Readonly<Record<EncType, number>> = { 17: 16, 18: 32, 23: 16 };

export function isSupportedEncType(n: number): n is EncType {
  return n === 17 || n === 18 || n === 23;
}

/**
 * PBKDF2 iterations beyond which string-to-key refuses: the count comes from the KDC (the
 * s2kparams of its ETYPE-INFO2), and 2^32 iterations would hold the agent for hours. AD uses
 * the default, 4096.
 */
export const MAX_PBKDF2_ITERATIONS = 1_000_000;
const DEFAULT_PBKDF2_ITERATIONS = 4096;

const AES_BLOCK = 16;
const AES_CONFOUNDER = 16;
const AES_MAC = 12;
const RC4_CONFOUNDER = 8;
const RC4_MAC = 16;

/** Only this module reads a key's bytes, through these two, set by the class's static block. */
let secretsOf: (key: KerberosKey) => { bytes: Buffer; derived: Map<number, Buffer> };
let makeKey: (etype: EncType, bytes: Buffer) => KerberosKey;

export class KerberosKey {
  readonly #bytes: Buffer;
  /** Keys derived for (usage, purpose), so a session key derives each once (RFC 3961 5.3). */
  readonly #derived = new Map<number, Buffer>();

  static {
    secretsOf = (key) => ({ bytes: key.#bytes, derived: key.#derived });
    makeKey = (etype, bytes) => new KerberosKey(etype, bytes);
  }

  private constructor(
    readonly etype: EncType,
    bytes: Buffer,
  ) {
    this.#bytes = bytes;
  }

  /** The same encryption type and the same key bytes; compared in constant time. */
  equals(other: KerberosKey): boolean {
    const theirs = secretsOf(other).bytes;
    return this.etype === other.etype && this.#bytes.length === theirs.length && timingSafeEqual(this.#bytes, theirs);
  }

  toString(): string {
    return `KerberosKey(${ENCTYPE_NAMES[this.etype]})`;
  }

  toJSON(): string {
    return this.toString();
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A key as the KDC sends it (EncryptionKey.keyvalue: a session key), its length checked. */
export function keyFromBytes(etype: EncType, bytes: Uint8Array): KerberosKey | Malformed {
  const expected = KEY_BYTES[etype];
  if (bytes.length !== expected) {
    return new Malformed(`a ${ENCTYPE_NAMES[etype]} key is ${expected} bytes, this one has ${bytes.length}`);
  }
  return makeKey(etype, Buffer.from(bytes));
}

/**
 * The long-term key of a password. AES (RFC 3962 4): PBKDF2-HMAC-SHA1 over the UTF-8 password
 * and salt, with the iteration count of `params` (4 bytes, big-endian; 4096 when absent),
 * then DK(key, "kerberos"). RC4 (RFC 4757 2): MD4 of the UTF-16LE password; no salt, no params.
 */
export function stringToKey(
  etype: EncType,
  password: string,
  salt: string,
  params?: Uint8Array,
): KerberosKey | Malformed {
  if (etype === 23) return makeKey(etype, md4(Buffer.from(password, 'utf16le')));
  const iterations = pbkdf2Iterations(params);
  if (iterations instanceof Malformed) return iterations;
  const passwordKey = pbkdf2Sync(
    Buffer.from(password, 'utf8'),
    Buffer.from(salt, 'utf8'),
    iterations,
    KEY_BYTES[etype],
    'sha1',
  );
  return makeKey(etype, deriveKey(passwordKey, Buffer.from('kerberos', 'latin1')));
}

function pbkdf2Iterations(params: Uint8Array | undefined): number | Malformed {
  if (params === undefined) return DEFAULT_PBKDF2_ITERATIONS;
  if (params.length !== 4) return new Malformed(`AES s2kparams are 4 bytes, these are ${params.length}`);
  // RFC 3962 4: a count of zero stands for 2^32.
  const iterations = Buffer.from(params).readUInt32BE(0) || 2 ** 32;
  if (iterations > MAX_PBKDF2_ITERATIONS) {
    return new Malformed(
      `s2kparams ask for ${iterations} PBKDF2 iterations, more than the ${MAX_PBKDF2_ITERATIONS} allowed`,
    );
  }
  return iterations;
}

/**
 * `plaintext` encrypted for `usage` (RFC 4120 7.5.1). The confounder is random unless given
 * (tests): 16 bytes for AES, 8 for RC4.
 */
export function encrypt(key: KerberosKey, usage: number, plaintext: Uint8Array, confounder?: Uint8Array): Buffer {
  checkUsage(usage);
  const size = key.etype === 23 ? RC4_CONFOUNDER : AES_CONFOUNDER;
  if (confounder !== undefined && confounder.length !== size) {
    throw new RangeError(`a ${ENCTYPE_NAMES[key.etype]} confounder is ${size} bytes, not ${confounder.length}`);
  }
  const sealed = Buffer.concat([confounder ?? randomBytes(size), plaintext]);
  if (key.etype === 23) {
    const usageKey = rc4UsageKey(key, usage);
    const mac = hmac('md5', usageKey, sealed);
    return Buffer.concat([mac, rc4(hmac('md5', usageKey, mac), sealed)]);
  }
  const ciphertext = aesCtsEncrypt(derived(key, usage, ENCRYPTION), sealed);
  return Buffer.concat([ciphertext, hmac('sha1', derived(key, usage, INTEGRITY), sealed).subarray(0, AES_MAC)]);
}

/** The plaintext of `ciphertext`, which was encrypted for `usage`; never throws. */
export function decrypt(key: KerberosKey, usage: number, ciphertext: Uint8Array): Buffer | Malformed {
  if (!isUsage(usage)) return new Malformed(`key usage ${usage} is not a 32-bit unsigned integer`);
  const data = Buffer.from(ciphertext.buffer, ciphertext.byteOffset, ciphertext.byteLength);
  const name = ENCTYPE_NAMES[key.etype];
  if (key.etype === 23) {
    if (data.length < RC4_MAC + RC4_CONFOUNDER) {
      return new Malformed(
        `${name} ciphertext of ${data.length} bytes, shorter than the ${RC4_MAC + RC4_CONFOUNDER} of checksum and confounder`,
      );
    }
    const usageKey = rc4UsageKey(key, usage);
    const mac = data.subarray(0, RC4_MAC);
    const sealed = rc4(hmac('md5', usageKey, mac), data.subarray(RC4_MAC));
    if (!timingSafeEqual(hmac('md5', usageKey, sealed), mac)) return integrityFailure();
    return sealed.subarray(RC4_CONFOUNDER);
  }
  if (data.length < AES_CONFOUNDER + AES_MAC) {
    return new Malformed(
      `${name} ciphertext of ${data.length} bytes, shorter than the ${AES_CONFOUNDER + AES_MAC} of confounder and checksum`,
    );
  }
  const sealed = aesCtsDecrypt(derived(key, usage, ENCRYPTION), data.subarray(0, data.length - AES_MAC));
  const mac = hmac('sha1', derived(key, usage, INTEGRITY), sealed).subarray(0, AES_MAC);
  if (!timingSafeEqual(mac, data.subarray(data.length - AES_MAC))) return integrityFailure();
  return sealed.subarray(AES_CONFOUNDER);
}

function integrityFailure(): Malformed {
  return new Malformed('integrity check failed', { kind: 'integrity' });
}

/** The keyed checksum of `data` for `usage`, of the type the key's encryption type uses. */
export function checksum(key: KerberosKey, usage: number, data: Uint8Array): { cksumtype: number; bytes: Buffer } {
  checkUsage(usage);
  const cksumtype = CHECKSUM_TYPES[key.etype];
  if (key.etype === 23) {
    // RFC 4757 4: HMAC-MD5 under a signing key, over MD5(usage, data).
    const signingKey = hmac('md5', secretsOf(key).bytes, Buffer.from('signaturekey\0', 'latin1'));
    const digest = createHash('md5').update(rc4Usage(usage)).update(data).digest();
    return { cksumtype, bytes: hmac('md5', signingKey, digest) };
  }
  return { cksumtype, bytes: hmac('sha1', derived(key, usage, CHECKSUM), data).subarray(0, AES_MAC) };
}

/** Whether `bytes` is the checksum of `data` for `usage`, of the type the key uses; never throws. */
export function verifyChecksum(
  key: KerberosKey,
  usage: number,
  data: Uint8Array,
  cksumtype: number,
  bytes: Uint8Array,
): boolean {
  if (!isUsage(usage) || cksumtype !== CHECKSUM_TYPES[key.etype]) return false;
  const expected = checksum(key, usage, data).bytes;
  return expected.length === bytes.length && timingSafeEqual(expected, bytes);
}

// ---- RFC 3961: key derivation for the simplified profile

/** The last byte of a derivation constant: which key of a usage (RFC 3961 5.3). */
const CHECKSUM = 0x99;
const ENCRYPTION = 0xaa;
const INTEGRITY = 0x55;

function isUsage(usage: number): boolean {
  return Number.isInteger(usage) && usage >= 0 && usage <= 0xffffffff;
}

/** A usage number is the caller's constant, never read off the wire: a bad one is a bug. */
function checkUsage(usage: number): void {
  if (!isUsage(usage)) throw new RangeError(`key usage ${usage} is not a 32-bit unsigned integer`);
}

/** DK(base key, usage | purpose), derived once per key. */
function derived(key: KerberosKey, usage: number, purpose: number): Buffer {
  const { bytes, derived: cache } = secretsOf(key);
  const id = usage * 256 + purpose;
  let derivedKey = cache.get(id);
  if (derivedKey === undefined) {
    const constant = Buffer.alloc(5);
    constant.writeUInt32BE(usage, 0);
    constant[4] = purpose;
    derivedKey = deriveKey(bytes, constant);
    cache.set(id, derivedKey);
  }
  return derivedKey;
}

/**
 * DK(key, constant) = random-to-key(DR(key, constant)); random-to-key is the identity for AES
 * (RFC 3962 6). DR encrypts n-fold(constant) and then each output block again, until there
 * are as many bytes as the key has.
 */
function deriveKey(key: Buffer, constant: Uint8Array): Buffer {
  const blocks: Buffer[] = [];
  let block = nfold(constant, AES_BLOCK);
  for (let length = 0; length < key.length; length += AES_BLOCK) {
    block = aesBlock(key, block);
    blocks.push(block);
  }
  return Buffer.concat(blocks).subarray(0, key.length);
}

/**
 * n-fold (RFC 3961 5.1): copies of the input, each rotated 13 bits right of the one before,
 * to the least common multiple of the two lengths, added in `bytes`-sized chunks with
 * ones'-complement addition. Exported for the RFC's vectors.
 */
export function nfold(input: Uint8Array, bytes: number): Buffer {
  const inBits = input.length * 8;
  const totalBytes = leastCommonMultiple(input.length, bytes);
  const bitOf = (position: number): number => {
    const copy = Math.floor(position / inBits);
    const bit = ((((position % inBits) - 13 * copy) % inBits) + inBits) % inBits;
    return ((input[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1;
  };
  const sum = new Array<number>(bytes).fill(0);
  for (let chunk = 0; chunk < totalBytes; chunk += bytes) {
    let carry = 0;
    for (let i = bytes - 1; i >= 0; i -= 1) {
      let byte = 0;
      for (let bit = 0; bit < 8; bit += 1) byte = (byte << 1) | bitOf((chunk + i) * 8 + bit);
      const total = (sum[i] ?? 0) + byte + carry;
      sum[i] = total & 0xff;
      carry = total >> 8;
    }
    // Ones' complement: the carry out of the top wraps around to the bottom.
    for (let i = bytes - 1; carry > 0 && i >= 0; i -= 1) {
      const total = (sum[i] ?? 0) + carry;
      sum[i] = total & 0xff;
      carry = total >> 8;
    }
  }
  return Buffer.from(sum);
}

function leastCommonMultiple(a: number, b: number): number {
  let [x, y] = [a, b];
  while (y !== 0) [x, y] = [y, x % y];
  return (a / x) * b;
}

// ---- RFC 3962: AES in CBC mode with ciphertext stealing, zero IV

const ZERO_IV = Buffer.alloc(AES_BLOCK);

function aesCipherName(key: Buffer, mode: 'cbc' | 'ecb'): string {
  return `aes-${key.length * 8}-${mode}`;
}

function aesBlock(key: Buffer, block: Buffer): Buffer {
  const cipher = createCipheriv(aesCipherName(key, 'ecb'), key, null).setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

function cbc(direction: 'encrypt' | 'decrypt', key: Buffer, data: Buffer): Buffer {
  const name = aesCipherName(key, 'cbc');
  const cipher = (
    direction === 'encrypt' ? createCipheriv(name, key, ZERO_IV) : createDecipheriv(name, key, ZERO_IV)
  ).setAutoPadding(false);
  return Buffer.concat([cipher.update(data), cipher.final()]);
}

/**
 * CBC over the zero-padded data, then the last two blocks swapped and the output cut to the
 * input's length (RFC 3962 5). One block is plain CBC. At least one block: Kerberos always
 * has its 16-byte confounder. Exported for the RFC's vectors (key "chicken teriyaki").
 */
export function aesCtsEncrypt(key: Uint8Array, data: Uint8Array): Buffer {
  const keyBytes = Buffer.from(key);
  const padded = Buffer.alloc(Math.ceil(data.length / AES_BLOCK) * AES_BLOCK);
  padded.set(data);
  const chained = cbc('encrypt', keyBytes, padded);
  if (chained.length === AES_BLOCK) return chained;
  const beforeLastTwo = chained.length - 2 * AES_BLOCK;
  const lastPartial = data.length - (chained.length - AES_BLOCK);
  return Buffer.concat([
    chained.subarray(0, beforeLastTwo),
    chained.subarray(chained.length - AES_BLOCK),
    chained.subarray(beforeLastTwo, beforeLastTwo + lastPartial),
  ]);
}

/**
 * The inverse: the last full block decrypted alone gives the stolen tail of the block before
 * it, which rebuilds the plain CBC ciphertext. Needs at least one block (callers check).
 */
export function aesCtsDecrypt(key: Uint8Array, data: Uint8Array): Buffer {
  const keyBytes = Buffer.from(key);
  const input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (input.length === AES_BLOCK) return cbc('decrypt', keyBytes, input);
  const blocks = Math.ceil(input.length / AES_BLOCK);
  const beforeLastTwo = (blocks - 2) * AES_BLOCK;
  const lastPartial = input.length - (blocks - 1) * AES_BLOCK;
  const lastBlock = input.subarray(beforeLastTwo, beforeLastTwo + AES_BLOCK);
  const decryptedLast = cbc('decrypt', keyBytes, lastBlock);
  const previousBlock = Buffer.concat([input.subarray(beforeLastTwo + AES_BLOCK), decryptedLast.subarray(lastPartial)]);
  const chained = Buffer.concat([input.subarray(0, beforeLastTwo), previousBlock, lastBlock]);
  return cbc('decrypt', keyBytes, chained).subarray(0, input.length);
}

// ---- RFC 4757: RC4-HMAC

/** The usage as RC4-HMAC numbers it (RFC 4757 3: the AS-REP part, 3, is 8), 4 bytes little-endian. */
function rc4Usage(usage: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(usage === 3 ? 8 : usage, 0);
  return bytes;
}

/** K1 = HMAC-MD5(key, usage). */
function rc4UsageKey(key: KerberosKey, usage: number): Buffer {
  return hmac('md5', secretsOf(key).bytes, rc4Usage(usage));
}

function hmac(hash: 'md5' | 'sha1', key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac(hash, key).update(data).digest();
}
