// A guard around ldapts' message parser. ldapts 8 (and 9) parses the first LDAPMessage of a
// socket read and then calls itself on the rest: one stack frame per message, so a server
// that packs ~5,000 tiny messages into one read overflows the stack inside the socket's
// 'data' handler, where no caller can catch it (issue 15). The guard hands ldapts exactly
// one complete LDAPMessage per call, so its recursion never goes deeper than one frame, and
// drops the connection when a server sends what no honest server does: many messages that
// no request waits for, a message larger than any directory entry, far more entries in
// answer to one page request than the page size asked for (ldapts holds a whole answer in
// memory and converts it in one go), or bytes that are not an LDAPMessage (any element
// that claims more bytes than its container holds included).
//
// It replaces `read` on the client's own MessageParser instance, an ldapts internal. The
// internals it needs are checked when the guard is made, so an ldapts release that moves
// them fails the first LDAP read (and the tests) loudly instead of running unguarded;
// package.json pins ldapts to a tilde range for the same reason.

import type { Socket } from 'node:net';
import type { Client } from 'ldapts';
import { checkNesting } from '../wire/ber.js';

/** The ldapts release whose internals the guard was written against (tested in test/probes/ldap/guard.test.ts). */
export const GUARDED_LDAPTS_RANGE = '~8.2.0';

/** What ldapts keeps per request it waits for, keyed by the messageID in decimal. */
type Pending = Map<string, unknown>;

interface LdaptsInternals {
  messageParser?: { read?: unknown };
  messageDetailsByMessageId?: unknown;
  socket?: Socket;
}

export interface LdapGuardLimits {
  /** Messages whose messageID no request waits for, per connection, before it is dropped. */
  maxUnsolicited: number;
  /** Largest LDAPMessage accepted, in bytes. */
  maxMessageBytes: number;
  /** SearchResultEntry and SearchResultReference messages accepted in answer to one search request (one page). */
  maxEntriesPerResponse: number;
}

export const DEFAULT_GUARD_LIMITS: LdapGuardLimits = {
  // An honest server sends one unsolicited message at most: the Notice of Disconnection.
  maxUnsolicited: 64,
  // AD's largest attribute values (thumbnailPhoto, certificates) are far below this.
  maxMessageBytes: 64 * 1024 * 1024,
  // Twice the page size the ldap family asks for, and AD's own MaxPageSize.
  maxEntriesPerResponse: 1000,
};

export type GuardTrip =
  | { kind: 'unsolicited'; count: number }
  | { kind: 'too_large'; bytes: number }
  | { kind: 'too_many_entries'; count: number }
  | { kind: 'not_ldap'; detail: string };

/** The trip in words, for a finding. */
export function describeTrip(trip: GuardTrip): string {
  switch (trip.kind) {
    case 'unsolicited':
      return `the server sent ${trip.count} unsolicited LDAP messages (answers to no request)`;
    case 'too_large':
      return `the server sent an LDAP message of ${trip.bytes} bytes`;
    case 'too_many_entries':
      return `the server sent more than ${trip.count - 1} entries in answer to one search request (one page)`;
    case 'not_ldap':
      return `the server sent bytes that are not an LDAP message (${trip.detail})`;
  }
}

export interface LdapGuard {
  /** Why the guard dropped the connection, once it has. */
  readonly tripped: GuardTrip | undefined;
}

class GuardViolation extends Error {
  constructor(readonly trip: GuardTrip) {
    super(`protocol violation: ${describeTrip(trip)}`);
    this.name = 'GuardViolation';
  }
}

/** Length of a whole LDAPMessage from its header; undefined while the header is incomplete. */
export function frameLength(head: Buffer): number | undefined {
  if (head.length < 1) return undefined;
  if (head[0] !== 0x30)
    throw new GuardViolation({
      kind: 'not_ldap',
      detail: `tag 0x${(head[0] ?? 0).toString(16).padStart(2, '0')} where an LDAPMessage SEQUENCE (0x30) starts`,
    });
  if (head.length < 2) return undefined;
  const first = head[1] ?? 0;
  if (first < 0x80) return 2 + first;
  const octets = first & 0x7f;
  if (octets === 0) throw new GuardViolation({ kind: 'not_ldap', detail: 'indefinite BER length, which LDAP forbids' });
  if (octets > 4) throw new GuardViolation({ kind: 'not_ldap', detail: `a BER length of ${octets} octets` });
  if (head.length < 2 + octets) return undefined;
  return 2 + octets + head.readUIntBE(2, octets);
}

/** The messageID and the protocolOp tag of one complete LDAPMessage, where they are well formed. */
export function messageHead(frame: Buffer): { id: number | undefined; op: number | undefined } {
  const second = frame[1] ?? 0;
  const at = second < 0x80 ? 2 : 2 + (second & 0x7f);
  const size = frame[at + 1] ?? 0;
  if (frame[at] !== 0x02 || size < 1 || size > 4 || at + 2 + size > frame.length)
    return { id: undefined, op: undefined };
  return { id: frame.readIntBE(at + 2, size), op: frame[at + 2 + size] };
}

const SEARCH_RESULT_ENTRY = 0x64;
const SEARCH_RESULT_REFERENCE = 0x73;

/** Puts the guard on a client before it connects. Throws if ldapts' internals are not where the guard expects them. */
export function guardLdapClient(client: Client, limits: LdapGuardLimits = DEFAULT_GUARD_LIMITS): LdapGuard {
  const internals = client as unknown as LdaptsInternals;
  const parser = internals.messageParser;
  const read = parser?.read;
  if (
    parser === undefined ||
    typeof read !== 'function' ||
    !(internals.messageDetailsByMessageId instanceof Map) ||
    !Object.hasOwn(client, 'socket')
  ) {
    throw new Error(
      `ldapts internals changed (messageParser.read, messageDetailsByMessageId, socket): the LDAP flood guard was written for ldapts ${GUARDED_LDAPTS_RANGE}; check probes/ldap/guard.ts before upgrading`,
    );
  }
  const deliver = (read as (data: Buffer, pending: Pending) => void).bind(parser);

  let socket: Socket | undefined;
  let chunks: Buffer[] = [];
  let held = 0;
  let need: number | undefined;
  let unsolicited = 0;
  let entries = new Map<number, number>();
  let tripped: GuardTrip | undefined;

  const guardedRead = (data: Buffer, pending: Pending): void => {
    if (internals.socket !== socket) {
      // A new connection, or the TLS socket after StartTLS: plaintext leftovers never mix with TLS.
      socket = internals.socket;
      chunks = [];
      held = 0;
      need = undefined;
      unsolicited = 0;
      entries = new Map();
    }
    if (tripped !== undefined) {
      internals.socket?.destroy(new GuardViolation(tripped));
      return;
    }
    chunks.push(data);
    held += data.length;
    try {
      for (;;) {
        if (need === undefined) {
          const first = chunks[0];
          if (first === undefined) return;
          need = frameLength(chunks.length === 1 || first.length >= 6 ? first : Buffer.concat(chunks));
          if (need === undefined) return;
          if (need > limits.maxMessageBytes) throw new GuardViolation({ kind: 'too_large', bytes: need });
        }
        if (held < need) return;
        const all = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, held);
        const frame = all.subarray(0, need);
        const rest = all.subarray(need);
        chunks = rest.length > 0 ? [rest] : [];
        held = rest.length;
        need = undefined;
        // ldapts' own reader trusts inner lengths: an element that claims more than its container
        // holds makes it grow an array until V8 aborts the process (found by the socket fuzz test).
        const nesting = checkNesting(frame, 0, frame.length);
        if (nesting !== undefined) throw new GuardViolation({ kind: 'not_ldap', detail: nesting.reason });
        const { id, op } = messageHead(frame);
        // messageID 0 is the Notice of Disconnection (RFC 4511 4.4.1), the one unsolicited message allowed.
        if (id !== 0 && (id === undefined || !pending.has(String(id)))) {
          unsolicited++;
          if (unsolicited > limits.maxUnsolicited)
            throw new GuardViolation({ kind: 'unsolicited', count: unsolicited });
        } else if (op === SEARCH_RESULT_ENTRY || op === SEARCH_RESULT_REFERENCE) {
          const count = (entries.get(id) ?? 0) + 1;
          entries.set(id, count);
          if (count > limits.maxEntriesPerResponse) throw new GuardViolation({ kind: 'too_many_entries', count });
        }
        // Exactly one message per call: ldapts' parser never recurses.
        deliver(frame, pending);
        if (held === 0) return;
      }
    } catch (error) {
      if (!(error instanceof GuardViolation)) throw error;
      tripped = error.trip;
      chunks = [];
      held = 0;
      // ldapts' socket 'error' handler rejects every request under way with this error.
      internals.socket?.destroy(error);
    }
  };
  parser.read = guardedRead;
  return {
    get tripped() {
      return tripped;
    },
  };
}
