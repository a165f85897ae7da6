// @ts-nocheck
// NTP client/server exchange on the wire (RFC 5905 7.3): one 48-byte mode 3 request, one mode 4
// reply, enough to tell that a DC's time service answers and how far its clock is from ours
// (Kerberos refuses tickets beyond 5 minutes of skew). Pure; the decoder never throws.

export type NtpReply =
  | {
      kind: 'reply';
      mode: number;
      stratum: number;
      /** 0 none, 1 last minute has 61 s, 2 has 59 s, 3 the server's clock is unsynchronized. */
      leap: number;
      /** Our transmit timestamp echoed back; undefined when the server sent zero. */
      originate: Date | undefined;
      receive: Date;
      transmit: Date;
      /** Stratum 1: the ASCII source ("GPS"); above: the upstream's IPv4 address (or an IPv6 hash, shown the same way). */
      referenceId: string;
    }
  | { kind: 'malformed'; reason: string };

const PACKET_SIZE = 48;
const VERSION = 4;
const MODE_CLIENT = 3;
const MODE_SERVER = 4;
/** Seconds from 1900-01-01 (NTP's epoch) to 1970-01-01 (the Unix epoch). */
const NTP_TO_UNIX_SECONDS = 2_208_988_800;
const ERA_SECONDS = 2 ** 32;
const ORIGINATE_OFFSET = 24;
const RECEIVE_OFFSET = 32;
const TRANSMIT_OFFSET = 40;

/**
 * Era 0 ends in February 2036. The seconds are written modulo 2^32 and read back under RFC 4330
 * section 3's rule (top bit clear means era 1), which is exact for 1968 to 2104.
 */
function writeTimestamp(target: Buffer, offset: number, time: Date): void {
  const ms = time.getTime();
  const unixSeconds = Math.floor(ms / 1000);
  const seconds = (((unixSeconds + NTP_TO_UNIX_SECONDS) % ERA_SECONDS) + ERA_SECONDS) % ERA_SECONDS;
  const fraction = Math.round(((ms - unixSeconds * 1000) / 1000) * ERA_SECONDS);
  target.writeUInt32BE(seconds, offset);
  target.writeUInt32BE(fraction, offset + 4);
}

function readTimestamp(view: DataView, offset: number): Date | undefined {
  const seconds = view.getUint32(offset);
  const fraction = view.getUint32(offset + 4);
  if (seconds === 0 && fraction === 0) return undefined;
  const era = seconds >= 0x80000000 ? 0 : 1;
  const unixSeconds = seconds + era * ERA_SECONDS - NTP_TO_UNIX_SECONDS;
  return new Date(unixSeconds * 1000 + Math.round((fraction * 1000) / ERA_SECONDS));
}

/**
 * A client request whose transmit timestamp is `transmit`: the server copies it into the reply's
 * originate field, which lets the caller match the reply to the request. Throws a RangeError
 * only for an invalid Date, the caller's bug.
 */
export function encodeNtpRequest(transmit: Date): Buffer {
  if (Number.isNaN(transmit.getTime())) throw new RangeError('NTP transmit time is an invalid Date');
  const packet = Buffer.alloc(PACKET_SIZE);
  packet.writeUInt8((0 << 6) | (VERSION << 3) | MODE_CLIENT, 0); // LI 0, VN 4, mode 3
  writeTimestamp(packet, TRANSMIT_OFFSET, transmit);
  return packet;
}

function ascii(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) {
    if (byte === 0) break;
    text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '?';
  }
  return text;
}

export function decodeNtpReply(bytes: Uint8Array): NtpReply {
  // Extension fields and a MAC may follow the header (RFC 5905 7.5): tolerated, not read.
  if (bytes.length < PACKET_SIZE)
    return { kind: 'malformed', reason: `${bytes.length} bytes, shorter than the ${PACKET_SIZE}-byte NTP header` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const first = view.getUint8(0);
  const leap = first >> 6;
  const version = (first >> 3) & 0x7;
  const mode = first & 0x7;
  if (version === 0) return { kind: 'malformed', reason: 'version 0 is not NTP' };
  // Mode 3 coming back is our own request reflected, not a server's answer.
  if (mode !== MODE_SERVER) return { kind: 'malformed', reason: `mode ${mode}, not 4 (server)` };
  const stratum = view.getUint8(1);
  const refId = bytes.subarray(12, 16);
  // RFC 5905 7.4: stratum 0 carries a kiss code ("RATE", "DENY", ...) instead of the time.
  if (stratum === 0) return { kind: 'malformed', reason: `kiss-o'-death ${ascii(refId) || 'without a code'}` };
  if (stratum > 16) return { kind: 'malformed', reason: `stratum ${stratum} is reserved` };
  const receive = readTimestamp(view, RECEIVE_OFFSET);
  const transmit = readTimestamp(view, TRANSMIT_OFFSET);
  if (receive === undefined) return { kind: 'malformed', reason: 'receive timestamp is zero' };
  // RFC 5905 8: a zero transmit timestamp marks a bogus packet.
  if (transmit === undefined) return { kind: 'malformed', reason: 'transmit timestamp is zero' };
  return {
    kind: 'reply',
    mode,
    stratum,
    leap,
    originate: readTimestamp(view, ORIGINATE_OFFSET),
    receive,
    transmit,
    referenceId: stratum === 1 ? ascii(refId) : Array.from(refId).join('.'),
  };
}

/**
 * RFC 5905 8: t1 our send, t2 server receive, t3 server send, t4 our receive. A positive offset
 * means the server's clock is ahead of ours.
 */
export function clockOffset(
  t1: Date,
  reply: { receive: Date; transmit: Date },
  t4: Date,
): { offsetSeconds: number; delaySeconds: number } {
  const a = t1.getTime();
  const b = reply.receive.getTime();
  const c = reply.transmit.getTime();
  const d = t4.getTime();
  return { offsetSeconds: (b - a + (c - d)) / 2 / 1000, delaySeconds: (d - a - (c - b)) / 1000 };
}
