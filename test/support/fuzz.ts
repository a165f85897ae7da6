// The replies of the socket fuzz test (test/probes/socket-fuzz.test.ts): random bytes, a
// valid reply mutated, or nothing, each drawn from a seeded PRNG so that a seed names them.

import { mulberry32 } from './random.js';

export const FUZZ_SEED = Number(process.env['FUZZ_SEED'] ?? 20261201);
export const FUZZ_EXCHANGES = Number(process.env['FUZZ_EXCHANGES'] ?? 2000);

export type Random = () => number;

export function randomBytes(random: Random, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let index = 0; index < length; index++) bytes[index] = Math.floor(random() * 256);
  return bytes;
}

/** What a fuzzing server sends back: bytes, silence, or (TCP) a hang-up. */
export type Reply = { kind: 'bytes'; bytes: Buffer } | { kind: 'silence' } | { kind: 'close' };

const SHAPES = [
  'silence',
  'random',
  'random',
  'random',
  'flipped',
  'flipped',
  'flipped',
  'cut',
  'junk-tail',
  'valid',
] as const;

/** One reply drawn from `random`: one of SHAPES, built on `valid` where there is one. */
export function fuzzReply(random: Random, valid: Buffer, maxRandom: number, tcp: boolean): Reply {
  const shape = SHAPES[Math.floor(random() * SHAPES.length)] ?? 'valid';
  if (tcp && random() < 0.05) return { kind: 'close' };
  switch (shape) {
    case 'silence':
      return random() < 0.5 ? { kind: 'silence' } : { kind: 'bytes', bytes: Buffer.alloc(0) };
    case 'random':
      return { kind: 'bytes', bytes: randomBytes(random, Math.floor(random() * (random() < 0.1 ? maxRandom : 600))) };
    case 'flipped': {
      const bytes = Buffer.from(valid);
      const flips = 1 + Math.floor(random() * 8);
      for (let flip = 0; flip < flips && bytes.length > 0; flip++)
        bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
      return { kind: 'bytes', bytes };
    }
    case 'cut':
      return { kind: 'bytes', bytes: valid.subarray(0, Math.floor(random() * valid.length)) };
    case 'junk-tail':
      return { kind: 'bytes', bytes: Buffer.concat([valid, randomBytes(random, 1 + Math.floor(random() * 200))]) };
    case 'valid':
      return { kind: 'bytes', bytes: valid };
  }
}

/** Each server draws its n-th reply from a PRNG of its own, so a seed names the same replies. */
export function replies(protocol: number): () => Random {
  let count = 0;
  return () => mulberry32((FUZZ_SEED + protocol * 1_000_003 + count++ * 7_919) >>> 0);
}

/** An LDAP response to `request`: success to a bind, StartTLS or search, with the request's message ID. */
export function ldapValid(request: Buffer): Buffer | undefined {
  const asked = messageIdOf(request);
  if (asked === undefined)
    return Buffer.of(0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00);
  if (asked.op === 0x42) return undefined; // unbind: no answer
  const op = asked.op === 0x60 ? 0x61 : asked.op === 0x77 ? 0x78 : 0x65;
  const result = Buffer.of(0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00);
  const body = Buffer.concat([asked.id, Buffer.of(op, result.length), result]);
  return Buffer.concat([Buffer.of(0x30), berLength(body.length), body]);
}

export function berLength(length: number): Buffer {
  return length < 0x80
    ? Buffer.of(length)
    : length < 0x100
      ? Buffer.of(0x81, length)
      : Buffer.of(0x82, length >> 8, length & 0xff);
}

/** The messageID element (02 len id) of an LDAP request, and the tag of the operation after it. */
export function messageIdOf(request: Buffer): { id: Buffer; op: number } | undefined {
  if (request.length < 5 || request[0] !== 0x30) return undefined;
  const header = (request[1] ?? 0) < 0x80 ? 2 : 2 + ((request[1] ?? 0) & 0x7f);
  if (request[header] !== 0x02) return undefined;
  const end = header + 2 + (request[header + 1] ?? 0);
  return { id: request.subarray(header, end), op: request[end] ?? 0 };
}
