// What the Kerberos crypto costs the canary check: string-to-key per encryption type (done
// once per secret; the caller caches the key), then encrypt and decrypt at the sizes a
// Kerberos exchange has (a PA-ENC-TIMESTAMP, an enc-part, a ticket with a large PAC), and
// the two primitives written in JavaScript, MD4 and RC4.
// Run: npm run bench:crypto. Prints figures; asserts nothing.

import { performance } from 'node:perf_hooks';
import {
  decrypt,
  encrypt,
  ENCTYPE_NAMES,
  KerberosKey,
  stringToKey,
  type EncType,
} from '../probes/wire/kerberos-crypto.js';
import { md4 } from '../probes/wire/md4.js';
import { rc4 } from '../probes/wire/rc4.js';

const ETYPES: EncType[] = [18, 17, 23];
const SIZES = [64, 1024, 16 * 1024];
const PASSWORD = 'Canary-Passw0rd!';
const SALT = 'TAILSPIN.TESTcanary';

/** Milliseconds per call of `work`, over `rounds` calls. */
function timePerCall(rounds: number, work: () => void): number {
  work(); // warm up
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1) work();
  return (performance.now() - started) / rounds;
}

function keyOf(etype: EncType): KerberosKey {
  const key = stringToKey(etype, PASSWORD, SALT);
  if (!(key instanceof KerberosKey)) throw new Error(key.reason);
  return key;
}

console.log('stringToKey (4096 PBKDF2 iterations for AES):');
for (const etype of ETYPES) {
  const ms = timePerCall(20, () => keyOf(etype));
  console.log(`  ${ENCTYPE_NAMES[etype].padEnd(24)} ${ms.toFixed(2).padStart(8)} ms`);
}

console.log('encrypt / decrypt (key usage 7, derived keys cached in the key):');
for (const etype of ETYPES) {
  const key = keyOf(etype);
  for (const size of SIZES) {
    const plaintext = Buffer.alloc(size, 0x61);
    const rounds = Math.max(50, Math.floor(4_000_000 / size));
    const sealed = encrypt(key, 7, plaintext);
    const encryptMs = timePerCall(rounds, () => encrypt(key, 7, plaintext));
    const decryptMs = timePerCall(rounds, () => decrypt(key, 7, sealed));
    const mbps = (ms: number): string => (size / 1e6 / (ms / 1000)).toFixed(1).padStart(7);
    console.log(
      `  ${ENCTYPE_NAMES[etype].padEnd(24)} ${String(size).padStart(6)} B: ` +
        `encrypt ${(encryptMs * 1000).toFixed(1).padStart(8)} µs (${mbps(encryptMs)} MB/s), ` +
        `decrypt ${(decryptMs * 1000).toFixed(1).padStart(8)} µs (${mbps(decryptMs)} MB/s)`,
    );
  }
}

console.log('the JavaScript primitives, over 1 MiB:');
const mebibyte = Buffer.alloc(1024 * 1024, 0x5a);
const md4Ms = timePerCall(10, () => md4(mebibyte));
const rc4Ms = timePerCall(10, () => rc4(Buffer.alloc(16, 1), mebibyte));
console.log(`  md4 ${(1.048576 / (md4Ms / 1000)).toFixed(1)} MB/s, rc4 ${(1.048576 / (rc4Ms / 1000)).toFixed(1)} MB/s`);
