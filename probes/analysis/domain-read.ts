// What one domain said over LDAP, as the ldap family hands it to the analysis: plain
// data, so the analysis is pure and tested without a directory.

import type { TrustObject } from './trust-rules.js';

export interface TrustRecord extends TrustObject {
  sid: string | undefined;
  whenCreated: Date | undefined;
  whenChanged: Date | undefined;
  forestTrustInfo: Uint8Array | undefined;
  /** From replPropertyMetaData of trustAuthIncoming / trustAuthOutgoing, when readable. */
  trustAuthChanged: { incoming: Date | undefined; outgoing: Date | undefined } | undefined;
}

export interface TrustAccount {
  name: string;
  pwdLastSet: Date | undefined;
}

export interface PreauthAccount {
  name: string;
  /** adminCount=1: a member (now or once) of a protected group. */
  privileged: boolean;
  kind: 'user' | 'computer' | 'service account';
}

export type BindFailure =
  | 'wrong credentials'
  | 'account disabled'
  | 'account locked'
  | 'account expired'
  | 'password expired'
  | 'certificate name mismatch'
  | 'untrusted certificate'
  | 'certificate expired'
  | 'TLS required'
  | 'refused'
  | 'unreachable'
  | 'timeout'
  | 'ca_file unreadable'
  /** The password was rejected in an earlier run: not sent again until it changes. */
  | 'not retried'
  /** The server broke the protocol (see probes/ldap/guard.ts); the connection was dropped. */
  | 'protocol violation'
  /** The directory holds more than a bound of limits: allows. */
  | 'limit exceeded'
  | 'error';

/** A bound of the config's limits: mapping that a read ran into. */
export interface LimitHit {
  /** The config key, such as limits.trusted_domain_objects. */
  key: string;
  value: number;
}

export type DomainRead =
  | {
      ok: true;
      domain: string;
      server: string;
      seconds: number;
      trusts: TrustRecord[];
      trustAccounts: TrustAccount[];
      /** The forest's domain DNS names and UPN suffixes: what a partner's names may collide with. */
      localNames: string[];
      /** Enabled accounts with DONT_REQ_PREAUTH. */
      preauth: PreauthAccount[];
      /**
       * The rootDSE's vendorVersion, asked for by name: Samba answers with its version
       * ("4.17.12-Debian"), Windows has none. The outer undefined: the rootDSE was not readable.
       */
      rootDse: { vendorVersion: string | undefined } | undefined;
      /** Parts that could not be read, in words; the rest of the read stands. */
      problems: string[];
    }
  | {
      ok: false;
      domain: string;
      server: string;
      seconds: number;
      failure: BindFailure;
      detail: string;
      /** Set when the bind succeeded and reading the domain failed afterwards. */
      afterBind?: boolean;
      limit?: LimitHit;
    };
