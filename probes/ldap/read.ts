// Reads what a domain says about its trusts over LDAP (ldapts): the trustedDomain
// objects, the interdomain trust accounts, the forest's names and the accounts without
// Kerberos pre-authentication. Every operation runs under the probe timeout.

import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import { setImmediate as nextTurn } from 'node:timers/promises';
import {
  Client,
  ConfidentialityRequiredError,
  InappropriateAuthError,
  InsufficientAccessError,
  InvalidCredentialsError,
  NoSuchObjectError,
  StrongAuthRequiredError,
  UnavailableError,
  type Entry,
} from 'ldapts';
import type { BindFailure, DomainRead, LimitHit, PreauthAccount, TrustRecord } from '../analysis/domain-read.js';
import { formatSid } from '../analysis/forest-trust-info.js';
import { fileTimeToDate, generalizedTimeToDate, trustAuthChanged } from '../analysis/repl-metadata.js';
import type { ProbeContext } from '../model/probe.js';
import type { LdapLimits, LdapServer, LdapTargets } from '../model/targets.js';
import { DEFAULT_GUARD_LIMITS, describeTrip, guardLdapClient } from './guard.js';

const UAC_ACCOUNTDISABLE = 0x2;
const UAC_INTERDOMAIN_TRUST_ACCOUNT = 0x800;
const UAC_DONT_REQ_PREAUTH = 0x400000;
const MATCH_BITS = '1.2.840.113556.1.4.803';

/**
 * AD puts a Win32 error code in the diagnostic message of invalidCredentials
 * ("80090308: LdapErr: ... data 533, v4563"): a protocol field (MS-ADTS 3.1.1.3.1.9),
 * read only after ldapts' typed error has said "invalid credentials".
 */
const AD_BIND_SUBCODES: Record<string, BindFailure> = {
  '52e': 'wrong credentials',
  '525': 'wrong credentials',
  '533': 'account disabled',
  '775': 'account locked',
  '701': 'account expired',
  '532': 'password expired',
  '773': 'password expired',
};

const TLS_FAILURES: Record<string, BindFailure> = {
  ERR_TLS_CERT_ALTNAME_INVALID: 'certificate name mismatch',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'untrusted certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'untrusted certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'untrusted certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'untrusted certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'untrusted certificate',
  CERT_UNTRUSTED: 'untrusted certificate',
  CERT_HAS_EXPIRED: 'certificate expired',
  CERT_NOT_YET_VALID: 'certificate expired',
};

/** Why a connect or bind failed, from ldapts' error classes and Node's error codes. */
export function classifyBindError(error: unknown): { failure: BindFailure; detail: string } {
  if (error instanceof InvalidCredentialsError) {
    const subcode = /\bdata ([0-9a-f]{3,4})\b/i.exec(error.message)?.[1]?.toLowerCase();
    return {
      failure: (subcode === undefined ? undefined : AD_BIND_SUBCODES[subcode]) ?? 'wrong credentials',
      detail: 'the server rejected the bind (invalidCredentials)',
    };
  }
  if (error instanceof StrongAuthRequiredError || error instanceof ConfidentialityRequiredError) {
    return {
      failure: 'TLS required',
      detail: 'the server requires TLS (strongerAuthRequired / confidentialityRequired)',
    };
  }
  if (error instanceof InappropriateAuthError)
    return {
      failure: 'wrong credentials',
      detail: 'the server refused this kind of bind (inappropriateAuthentication)',
    };
  if (error instanceof UnavailableError)
    return { failure: 'refused', detail: 'the server is unavailable (unavailable)' };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined) {
    const tls = TLS_FAILURES[code];
    if (tls !== undefined) return { failure: tls, detail: code };
    if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return { failure: 'refused', detail: code };
    if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
      return { failure: 'unreachable', detail: code };
    if (code === 'ETIMEDOUT') return { failure: 'timeout', detail: code };
  }
  return { failure: 'error', detail: error instanceof Error ? error.message : String(error) };
}

function tlsOptions(ldap: LdapServer, host: string, ca: Buffer | undefined): ConnectionOptions {
  // Verified against the configured name (the URL's host by default), even when the URL names an address.
  const name = ldap.serverName ?? host;
  const options: ConnectionOptions = {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    checkServerIdentity: (_host, certificate) => checkServerIdentity(name, certificate),
  };
  if (isIP(name) === 0) options.servername = name;
  if (ca !== undefined) options.ca = [ca];
  return options;
}

function text(entry: Entry, name: string): string | undefined {
  const value = entry[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return Buffer.isBuffer(first) ? first.toString('utf8') : first;
}

function texts(entry: Entry, name: string): string[] {
  const value = entry[name];
  const all = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return all.map((item) => (Buffer.isBuffer(item) ? item.toString('utf8') : item));
}

function bytes(entry: Entry, name: string): Uint8Array | undefined {
  const value = entry[name];
  const first = Array.isArray(value) ? value[0] : value;
  return Buffer.isBuffer(first) ? first : undefined;
}

function integer(entry: Entry, name: string): number | undefined {
  const value = text(entry, name);
  if (value === undefined || !/^-?\d+$/.test(value)) return undefined;
  // trustAttributes and userAccountControl are signed 32-bit in AD: read them as bits.
  return Number(value) >>> 0;
}

function toTrustRecord(domain: string, entry: Entry): TrustRecord | undefined {
  const partner = text(entry, 'trustPartner')?.toLowerCase().replace(/\.$/, '');
  if (partner === undefined) return undefined;
  const sid = bytes(entry, 'securityIdentifier');
  const metadata = bytes(entry, 'replPropertyMetaData');
  const created = text(entry, 'whenCreated');
  const changed = text(entry, 'whenChanged');
  return {
    domain,
    partner,
    flatName: text(entry, 'flatName') ?? '',
    direction: integer(entry, 'trustDirection') ?? 0,
    type: integer(entry, 'trustType') ?? 0,
    attributes: integer(entry, 'trustAttributes') ?? 0,
    encryptionTypes: integer(entry, 'msDS-SupportedEncryptionTypes'),
    sid: sid === undefined ? undefined : formatSid(sid),
    whenCreated: created === undefined ? undefined : generalizedTimeToDate(created),
    whenChanged: changed === undefined ? undefined : generalizedTimeToDate(changed),
    forestTrustInfo: bytes(entry, 'msDS-TrustForestTrustInfo'),
    trustAuthChanged: metadata === undefined ? undefined : trustAuthChanged(metadata),
  };
}

function preauthKind(entry: Entry): PreauthAccount['kind'] {
  const classes = texts(entry, 'objectClass').map((name) => name.toLowerCase());
  if (classes.some((name) => name.startsWith('msds-') && name.includes('serviceaccount'))) return 'service account';
  if (classes.includes('computer')) return 'computer';
  return 'user';
}

/** Entries asked for per page; AD's own MaxPageSize is 1000. */
const PAGE_SIZE = 500;
/**
 * Entries converted between two turns of the event loop: a page arrives in the same task as
 * the parsing of the last bytes of it, and both at once held the loop for tens of ms.
 */
const CONVERT_SLICE = 100;

/** Connects, binds and reads one domain. Never throws. */
export async function readDomain(ldap: LdapServer, limits: LdapLimits, ctx: ProbeContext): Promise<DomainRead> {
  const url = new URL(ldap.url);
  const server = url.host;
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  let bound = false;
  const fail = (failure: BindFailure, detail: string, limit?: LimitHit): DomainRead => ({
    ok: false,
    domain: ldap.domain,
    server,
    seconds: seconds(),
    failure,
    detail,
    ...(bound ? { afterBind: true } : {}),
    ...(limit === undefined ? {} : { limit }),
  });

  if (ldap.ca?.ok === false) return fail('ca_file unreadable', `cannot read ${ldap.ca.file}: ${ldap.ca.error}`);
  // A password the directory rejected is not sent again until it changes: never a lockout.
  const credential = ['ldap', ldap.bindDn.toLowerCase(), ldap.password.reveal()];
  const rejected = ctx.credentials.rejection(credential);
  if (rejected !== undefined)
    return fail(
      'not retried',
      `the password of ${ldap.bindDn} was rejected before (${rejected}); it is not tried again until it changes`,
    );
  const tls = tlsOptions(ldap, url.hostname, ldap.ca?.pem);
  // ldapts opens a TLS connection whenever tlsOptions are given, so ldap:// gets them only at StartTLS.
  const secure = url.protocol === 'ldaps:';
  const client = new Client({
    url: ldap.url,
    timeout: ctx.timeoutMs,
    connectTimeout: ctx.timeoutMs,
    strictDN: false,
    ...(secure ? { tlsOptions: tls } : {}),
  });
  const guard = guardLdapClient(client, DEFAULT_GUARD_LIMITS);
  // A deadline closes the connection, so a server that hangs cannot keep the run waiting.
  const close = (): void => {
    client.unbind().catch(() => undefined);
  };
  const step = async <T>(
    work: () => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false; timeout: boolean; error: unknown }> => {
    const attempt = await ctx.attempt(async (signal) => {
      signal.addEventListener('abort', close, { once: true });
      try {
        return await work();
      } finally {
        signal.removeEventListener('abort', close);
      }
    });
    return attempt.ok
      ? { ok: true, value: attempt.value }
      : { ok: false, timeout: attempt.reason !== 'error', error: attempt.error };
  };
  const entriesBound: LimitHit = { key: 'limits.ldap_entries_per_search', value: limits.entriesPerSearch };
  /** The guard's reason in the words of a finding; undefined when it did not trip. */
  const violation = (): DomainRead | undefined =>
    guard.tripped === undefined
      ? undefined
      : fail('protocol violation', `${describeTrip(guard.tripped)}; the connection was dropped`);

  try {
    const bind = await step(async () => {
      if (!secure && ldap.startTls) await client.startTLS(tls);
      await client.bind(ldap.bindDn, ldap.password.reveal());
    });
    if (!bind.ok) {
      const violated = violation();
      if (violated !== undefined) return violated;
      if (bind.timeout) return fail('timeout', `no answer in ${ctx.timeoutMs / 1000}s`);
      const { failure, detail } = classifyBindError(bind.error);
      if (bind.error instanceof InvalidCredentialsError) ctx.credentials.reject(credential, `${server}: ${failure}`);
      return fail(failure, detail);
    }
    bound = true;

    const problems: string[] = [];
    // Each page is converted as it comes, a slice at a time, so that no step handles more than a slice of entries.
    const search = async <T>(
      what: string,
      base: string,
      options: Parameters<Client['search']>[1],
      convert: (entry: Entry) => T | undefined,
      limit: LimitHit = entriesBound,
    ): Promise<T[]> => {
      const result = await step(async () => {
        const items: T[] = [];
        let count = 0;
        for await (const page of client.searchPaginated(base, { ...options, paged: { pageSize: PAGE_SIZE } })) {
          count += page.searchEntries.length;
          if (count > limit.value) throw new LimitExceeded(what, limit);
          for (const [index, entry] of page.searchEntries.entries()) {
            if (index > 0 && index % CONVERT_SLICE === 0) await nextTurn();
            const item = convert(entry);
            if (item !== undefined) items.push(item);
          }
        }
        return items;
      });
      if (result.ok) return result.value;
      const violated = violation();
      if (violated !== undefined) throw new ReadFailed(violated);
      if (result.error instanceof LimitExceeded) throw result.error;
      if (result.timeout) throw new DomainTimeout(what);
      const error = result.error;
      const why =
        error instanceof InsufficientAccessError
          ? 'access denied'
          : error instanceof NoSuchObjectError
            ? 'no such object'
            : error instanceof Error
              ? error.message
              : String(error);
      problems.push(`cannot read ${what}: ${why}`);
      return [];
    };
    const asIs = (entry: Entry): Entry => entry;

    const trusts = await search(
      'the trustedDomain objects',
      `CN=System,${ldap.baseDn}`,
      {
        scope: 'one',
        filter: '(objectClass=trustedDomain)',
        attributes: [
          'trustPartner',
          'flatName',
          'securityIdentifier',
          'trustDirection',
          'trustType',
          'trustAttributes',
          'msDS-SupportedEncryptionTypes',
          'msDS-TrustForestTrustInfo',
          'whenCreated',
          'whenChanged',
          'replPropertyMetaData',
        ],
        explicitBufferAttributes: ['securityIdentifier', 'msDS-TrustForestTrustInfo', 'replPropertyMetaData'],
      },
      (entry) => toTrustRecord(ldap.domain, entry),
      limits.trustedDomainObjects < limits.entriesPerSearch
        ? { key: 'limits.trusted_domain_objects', value: limits.trustedDomainObjects }
        : entriesBound,
    );
    const trustAccounts = await search(
      'the interdomain trust accounts',
      ldap.baseDn,
      {
        scope: 'sub',
        filter: `(userAccountControl:${MATCH_BITS}:=${UAC_INTERDOMAIN_TRUST_ACCOUNT})`,
        attributes: ['sAMAccountName', 'pwdLastSet'],
      },
      (entry) => {
        const pwdLastSet = text(entry, 'pwdLastSet');
        return {
          name: text(entry, 'sAMAccountName') ?? '',
          pwdLastSet: pwdLastSet === undefined ? undefined : fileTimeToDate(pwdLastSet),
        };
      },
    );
    const root = await search(
      'the rootDSE',
      '',
      { scope: 'base', filter: '(objectClass=*)', attributes: ['configurationNamingContext', 'vendorVersion'] },
      asIs,
    );
    const configurationDn = root[0] === undefined ? undefined : text(root[0], 'configurationNamingContext');
    const partitions =
      configurationDn === undefined
        ? []
        : await search(
            'the forest names (CN=Partitions)',
            `CN=Partitions,${configurationDn}`,
            {
              scope: 'sub',
              filter: `(|(&(objectClass=crossRef)(systemFlags:${MATCH_BITS}:=2))(&(objectClass=crossRefContainer)(uPNSuffixes=*)))`,
              attributes: ['dnsRoot', 'uPNSuffixes'],
            },
            asIs,
          );
    const preauth = await search(
      'the accounts without Kerberos pre-authentication',
      ldap.baseDn,
      {
        scope: 'sub',
        filter: `(&(objectClass=user)(userAccountControl:${MATCH_BITS}:=${UAC_DONT_REQ_PREAUTH})(!(userAccountControl:${MATCH_BITS}:=${UAC_ACCOUNTDISABLE})))`,
        attributes: ['sAMAccountName', 'adminCount', 'objectClass'],
      },
      (entry): PreauthAccount => ({
        name: text(entry, 'sAMAccountName') ?? entry.dn,
        privileged: text(entry, 'adminCount') === '1',
        kind: preauthKind(entry),
      }),
    );

    const localNames = [
      ...new Set(
        partitions
          .flatMap((entry) => [...texts(entry, 'dnsRoot'), ...texts(entry, 'uPNSuffixes')])
          .map((name) => name.toLowerCase()),
      ),
    ].sort();
    return {
      ok: true,
      domain: ldap.domain,
      server,
      seconds: seconds(),
      trusts,
      trustAccounts,
      localNames,
      rootDse: root[0] === undefined ? undefined : { vendorVersion: text(root[0], 'vendorVersion') },
      preauth,
      problems,
    };
  } catch (error) {
    if (error instanceof ReadFailed) return error.read;
    if (error instanceof LimitExceeded)
      return fail(
        'limit exceeded',
        `${error.what} number more than ${error.limit.value} (${error.limit.key})`,
        error.limit,
      );
    if (error instanceof DomainTimeout)
      return fail('timeout', `no answer in ${ctx.timeoutMs / 1000}s while reading ${error.what}`);
    const { failure, detail } = classifyBindError(error);
    return fail(failure, detail);
  } finally {
    close();
  }
}

class DomainTimeout extends Error {
  constructor(readonly what: string) {
    super(`timed out reading ${what}`);
  }
}

class LimitExceeded extends Error {
  constructor(
    readonly what: string,
    readonly limit: LimitHit,
  ) {
    super(`${what}: more than ${limit.value} (${limit.key})`);
  }
}

/** A read that ended early, already worded. */
class ReadFailed extends Error {
  constructor(readonly read: DomainRead) {
    super('read failed');
  }
}

/** Every domain with an ldap section, read side by side. */
export function readDomains(targets: LdapTargets, ctx: ProbeContext): Promise<DomainRead[]> {
  return Promise.all(targets.servers.map((server) => readDomain(server, targets.limits, ctx)));
}
