// @ts-nocheck
// replPropertyMetaData (MS-DRSR 5.160 replPropertyMetaDataBlob): when each attribute of an
// object last changed. trustAuthIncoming/trustAuthOutgoing are secret, but their metadata
// is readable and dates the last trust password change.

/** ATTRTYP values with the standard prefix table (1.2.840.113556.1.4 is prefix index 9). */
export const ATTRTYP = {
  trustAuthIncoming: 0x00090081, // 1.2.840.113556.1.4.129
  trustAuthOutgoing: 0x00090087, // 1.2.840.113556.1.4.135
} as const;

const HEADER = 16;
const ENTRY = 48; // attrtyp u32, version u32, DSTIME i64, originating DSA guid 16, usnOriginating i64, usnProperty i64
const SECONDS_1601_TO_1970 = 11_644_473_600;

export interface AttributeChange {
  attrtyp: number;
  version: number;
  changed: Date;
}

/** Every entry of the blob, or an error; a count that the bytes cannot hold is an error. */
export function parseReplMetadata(
  bytes: Uint8Array,
): { ok: true; entries: AttributeChange[] } | { ok: false; error: string } {
  if (bytes.length < HEADER)
    return { ok: false, error: `replPropertyMetaData of ${bytes.length} bytes is shorter than its header` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(0, true);
  if (version !== 1) return { ok: false, error: `replPropertyMetaData version ${version}, expected 1` };
  const count = view.getUint32(8, true);
  if (count > (bytes.length - HEADER) / ENTRY)
    return {
      ok: false,
      error: `replPropertyMetaData claims ${count} entries but holds ${Math.floor((bytes.length - HEADER) / ENTRY)}`,
    };
  const entries: AttributeChange[] = [];
  for (let index = 0; index < count; index++) {
    const at = HEADER + index * ENTRY;
    // DSTIME: seconds since 1601-01-01 UTC.
    const seconds = Number(view.getBigInt64(at + 8, true));
    entries.push({
      attrtyp: view.getUint32(at, true),
      version: view.getUint32(at + 4, true),
      changed: new Date((seconds - SECONDS_1601_TO_1970) * 1000),
    });
  }
  return { ok: true, entries };
}

/** When a trust password last changed, per the metadata of trustAuthIncoming and trustAuthOutgoing. */
export function trustAuthChanged(
  bytes: Uint8Array,
): { incoming: Date | undefined; outgoing: Date | undefined } | undefined {
  const parsed = parseReplMetadata(bytes);
  if (!parsed.ok) return undefined;
  const find = (attrtyp: number): Date | undefined =>
    parsed.entries.find((entry) => entry.attrtyp === attrtyp)?.changed;
  return { incoming: find(ATTRTYP.trustAuthIncoming), outgoing: find(ATTRTYP.trustAuthOutgoing) };
}

/** A FILETIME as AD writes it in text (pwdLastSet): 100-ns ticks since 1601; 0 means never. */
export function fileTimeToDate(text: string): Date | undefined {
  if (!/^\d{1,20}$/.test(text)) return undefined;
  const ticks = BigInt(text);
  if (ticks === 0n || ticks >= 0x7fffffffffffffffn) return undefined;
  return new Date(Number(ticks / 10_000n) - SECONDS_1601_TO_1970 * 1000);
}

/** Generalized time as LDAP writes it (whenChanged: 20261121043302.0Z). */
export function generalizedTimeToDate(text: string): Date | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.\d+)?Z$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second));
}
