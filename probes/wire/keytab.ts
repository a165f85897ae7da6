// MIT keytab files (the format `ktutil` and `ktpass` write, version 0x0502): the long-term keys
// of a principal, so a canary can log on without its password on disk. Pure and bounded: every
// length is checked against the bytes that are there; a malformed file is a Malformed value.

import { Malformed } from './ber.js';

export interface KeytabEntry {
  realm: string;
  components: string[];
  nameType: number;
  /** Seconds since 1970, when the key was written. */
  timestamp: number;
  kvno: number;
  etype: number;
  key: Uint8Array;
}

/** Far above a keytab of a few principals; the config reads no more than this. */
export const MAX_KEYTAB_BYTES = 64 * 1024;

class Reader {
  offset = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly end: number,
  ) {}

  take(count: number, what: string): Uint8Array | Malformed {
    if (count < 0 || this.offset + count > this.end)
      return new Malformed(`keytab ${what} at byte ${this.offset} runs past its entry (${count} bytes wanted)`);
    const bytes = this.bytes.subarray(this.offset, this.offset + count);
    this.offset += count;
    return bytes;
  }

  u8(what: string): number | Malformed {
    const bytes = this.take(1, what);
    return bytes instanceof Malformed ? bytes : (bytes[0] ?? 0);
  }

  u16(what: string): number | Malformed {
    const bytes = this.take(2, what);
    return bytes instanceof Malformed ? bytes : (bytes[0] ?? 0) * 0x100 + (bytes[1] ?? 0);
  }

  u32(what: string): number | Malformed {
    const bytes = this.take(4, what);
    return bytes instanceof Malformed ? bytes : Buffer.from(bytes).readUInt32BE(0);
  }

  text(what: string): string | Malformed {
    const length = this.u16(`${what} length`);
    if (length instanceof Malformed) return length;
    const bytes = this.take(length, what);
    return bytes instanceof Malformed ? bytes : Buffer.from(bytes).toString('utf8');
  }
}

function readEntry(bytes: Uint8Array, start: number, end: number): KeytabEntry | Malformed {
  const reader = new Reader(bytes, end);
  reader.offset = start;
  const count = reader.u16('component count');
  if (count instanceof Malformed) return count;
  const realm = reader.text('realm');
  if (realm instanceof Malformed) return realm;
  const components: string[] = [];
  for (let index = 0; index < count; index++) {
    const component = reader.text('name component');
    if (component instanceof Malformed) return component;
    components.push(component);
  }
  const nameType = reader.u32('name type');
  if (nameType instanceof Malformed) return nameType;
  const timestamp = reader.u32('timestamp');
  if (timestamp instanceof Malformed) return timestamp;
  const kvno8 = reader.u8('key version');
  if (kvno8 instanceof Malformed) return kvno8;
  const etype = reader.u16('key type');
  if (etype instanceof Malformed) return etype;
  const keyLength = reader.u16('key length');
  if (keyLength instanceof Malformed) return keyLength;
  const key = reader.take(keyLength, 'key');
  if (key instanceof Malformed) return key;
  // A 32-bit key version follows when the entry has room for it; it wins over the 8-bit one.
  const kvno32 = end - reader.offset >= 4 ? reader.u32('key version') : undefined;
  const kvno = kvno32 instanceof Malformed || kvno32 === undefined || kvno32 === 0 ? kvno8 : kvno32;
  return { realm, components, nameType, timestamp, kvno, etype, key: Uint8Array.from(key) };
}

/** Every entry of a version 0x0502 keytab, holes (deleted entries) skipped. */
export function parseKeytab(bytes: Uint8Array): KeytabEntry[] | Malformed {
  if (bytes.length > MAX_KEYTAB_BYTES)
    return new Malformed(`a keytab of ${bytes.length} bytes is more than ${MAX_KEYTAB_BYTES}`);
  if (bytes[0] !== 0x05 || bytes[1] !== 0x02)
    return new Malformed(
      bytes[0] === 0x05 && bytes[1] === 0x01
        ? 'keytab version 0x0501 (from before 1999) is not supported: write it again with ktutil'
        : 'not a keytab (it does not start with 0x0502)',
    );
  const entries: KeytabEntry[] = [];
  let offset = 2;
  while (offset < bytes.length) {
    if (bytes.length - offset < 4) return new Malformed(`keytab ends inside an entry's size at byte ${offset}`);
    const size = Buffer.from(bytes.subarray(offset, offset + 4)).readInt32BE(0);
    offset += 4;
    const length = Math.abs(size);
    if (length > bytes.length - offset)
      return new Malformed(
        `keytab entry at byte ${offset - 4} announces ${length} bytes, ${bytes.length - offset} are left`,
      );
    if (size > 0) {
      const entry = readEntry(bytes, offset, offset + length);
      if (entry instanceof Malformed) return entry;
      entries.push(entry);
    }
    offset += length;
  }
  return entries;
}
