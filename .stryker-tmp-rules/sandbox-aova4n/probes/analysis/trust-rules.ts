// @ts-nocheck
// Pure rules over one trustedDomain object (MS-ADTS 6.1.6.7): names for its raw numbers and the
// six verdicts the agent reports about it. Nothing here does I/O, so every rule can be pinned
// down by a table of (object -> verdicts) in the tests.
//
// The rules follow the specifications, not the public audit tools: PingCastle and ADEssentials
// read USES_RC4_ENCRYPTION (0x80) as "RC4 in use" on AD trusts, and ADEssentials maps the
// msDS-SupportedEncryptionTypes bits above 0x10 wrongly. See docs/ad-trust-facts.md (shared).

/** One trustedDomain object as read over LDAP, seen from `domain` (the domain holding it). */function stryNS_9fa48() {
  var g = typeof globalThis === 'object' && globalThis && globalThis.Math === Math && globalThis || new Function("return this")();
  var ns = g.__stryker__ || (g.__stryker__ = {});
  if (ns.activeMutant === undefined && g.process && g.process.env && g.process.env.__STRYKER_ACTIVE_MUTANT__) {
    ns.activeMutant = g.process.env.__STRYKER_ACTIVE_MUTANT__;
  }
  function retrieveNS() {
    return ns;
  }
  stryNS_9fa48 = retrieveNS;
  return retrieveNS();
}
stryNS_9fa48();
function stryCov_9fa48() {
  var ns = stryNS_9fa48();
  var cov = ns.mutantCoverage || (ns.mutantCoverage = {
    static: {},
    perTest: {}
  });
  function cover() {
    var c = cov.static;
    if (ns.currentTestId) {
      c = cov.perTest[ns.currentTestId] = cov.perTest[ns.currentTestId] || {};
    }
    var a = arguments;
    for (var i = 0; i < a.length; i++) {
      c[a[i]] = (c[a[i]] || 0) + 1;
    }
  }
  stryCov_9fa48 = cover;
  cover.apply(null, arguments);
}
function stryMutAct_9fa48(id) {
  var ns = stryNS_9fa48();
  function isActive(id) {
    if (ns.activeMutant === id) {
      if (ns.hitCount !== void 0 && ++ns.hitCount > ns.hitLimit) {
        throw new Error('Stryker: Hit count limit reached (' + ns.hitCount + ')');
      }
      return true;
    }
    return false;
  }
  stryMutAct_9fa48 = isActive;
  return isActive(id);
}
export interface TrustObject {
  /** Lower-case DNS name of the domain holding the object. */
  domain: string;
  /** trustPartner, lower-case. */
  partner: string;
  /** The partner's NetBIOS name. */
  flatName: string;
  /** trustDirection, raw. */
  direction: number;
  /** trustType, raw. */
  type: number;
  /** trustAttributes, raw (may be 0). */
  attributes: number;
  /** msDS-SupportedEncryptionTypes, undefined when absent. */
  encryptionTypes: number | undefined;
}

/** trustAttributes bits (MS-ADTS 6.1.6.7.9), in bit order. */
export const TrustAttribute = {
  NON_TRANSITIVE: 0x1,
  UPLEVEL_ONLY: 0x2,
  QUARANTINED_DOMAIN: 0x4,
  FOREST_TRANSITIVE: 0x8,
  CROSS_ORGANIZATION: 0x10,
  WITHIN_FOREST: 0x20,
  TREAT_AS_EXTERNAL: 0x40,
  USES_RC4_ENCRYPTION: 0x80,
  // Not in MS-ADTS; named after ntsecapi.h's TRUST_ATTRIBUTE_TRUST_USES_AES_KEYS ("Use AES keys
  // to encrypt KRB TGTs"). No verdict reads it.
  TRUST_USES_AES_KEYS: 0x100,
  CROSS_ORGANIZATION_NO_TGT_DELEGATION: 0x200,
  PIM_TRUST: 0x400,
  CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION: 0x800,
  DISABLE_AUTH_TARGET_VALIDATION: 0x1000,
  TREE_PARENT: 0x400000,
  TREE_ROOT: 0x800000
} as const;

/** msDS-SupportedEncryptionTypes bits (MS-KILE 2.2.7), in bit order. */
export const EncryptionType = {
  DES_CBC_CRC: 0x1,
  DES_CBC_MD5: 0x2,
  RC4_HMAC: 0x4,
  AES128_CTS_HMAC_SHA1_96: 0x8,
  AES256_CTS_HMAC_SHA1_96: 0x10,
  AES256_SESSION_KEYS: 0x20,
  FAST_SUPPORTED: 0x10000,
  COMPOUND_IDENTITY_SUPPORTED: 0x20000,
  CLAIMS_SUPPORTED: 0x40000,
  RESOURCE_SID_COMPRESSION_DISABLED: 0x80000
} as const;
const DES = EncryptionType.DES_CBC_CRC | EncryptionType.DES_CBC_MD5;
// MS-KILE's own test for "no AES": only these two bits are AES trust keys. AES256_SESSION_KEYS
// (0x20) governs session keys and does not put an AES key on the trust.
const AES = EncryptionType.AES128_CTS_HMAC_SHA1_96 | EncryptionType.AES256_CTS_HMAC_SHA1_96;

/** The value as an unsigned 32-bit number: LDAP integers with bit 31 set can arrive negative. */
function u32(value: number): number {
  if (stryMutAct_9fa48("0")) {
    {}
  } else {
    stryCov_9fa48("0");
    return value >>> 0;
  }
}
function hex(value: number): string {
  if (stryMutAct_9fa48("1")) {
    {}
  } else {
    stryCov_9fa48("1");
    return stryMutAct_9fa48("2") ? `` : (stryCov_9fa48("2"), `0x${u32(value).toString(16)}`);
  }
}
function has(value: number, bits: number): boolean {
  if (stryMutAct_9fa48("3")) {
    {}
  } else {
    stryCov_9fa48("3");
    return stryMutAct_9fa48("6") ? (u32(value) & bits) === 0 : stryMutAct_9fa48("5") ? false : stryMutAct_9fa48("4") ? true : (stryCov_9fa48("4", "5", "6"), (u32(value) & bits) !== 0);
  }
}
function bitNames(value: number, table: Readonly<Record<string, number>>): string[] {
  if (stryMutAct_9fa48("7")) {
    {}
  } else {
    stryCov_9fa48("7");
    const known = new Map<number, string>(Object.entries(table).map(stryMutAct_9fa48("8") ? () => undefined : (stryCov_9fa48("8"), ([name, bit]) => stryMutAct_9fa48("9") ? [] : (stryCov_9fa48("9"), [bit, name]))));
    const v = u32(value);
    const names: string[] = stryMutAct_9fa48("10") ? ["Stryker was here"] : (stryCov_9fa48("10"), []);
    for (let shift = 0; stryMutAct_9fa48("13") ? shift >= 32 : stryMutAct_9fa48("12") ? shift <= 32 : stryMutAct_9fa48("11") ? false : (stryCov_9fa48("11", "12", "13"), shift < 32); stryMutAct_9fa48("14") ? shift-- : (stryCov_9fa48("14"), shift++)) {
      if (stryMutAct_9fa48("15")) {
        {}
      } else {
        stryCov_9fa48("15");
        const bit = u32(1 << shift);
        if (stryMutAct_9fa48("18") ? (v & bit) === 0 : stryMutAct_9fa48("17") ? false : stryMutAct_9fa48("16") ? true : (stryCov_9fa48("16", "17", "18"), (v & bit) !== 0)) names.push(stryMutAct_9fa48("19") ? known.get(bit) && hex(bit) : (stryCov_9fa48("19"), known.get(bit) ?? hex(bit)));
      }
    }
    return names;
  }
}
export type DirectionName = 'disabled' | 'inbound' | 'outbound' | 'bidirectional' | 'unknown';

/** trustDirection (MS-ADTS 6.1.6.7.12) by name. */
export function directionName(direction: number): DirectionName {
  if (stryMutAct_9fa48("20")) {
    {}
  } else {
    stryCov_9fa48("20");
    switch (direction) {
      case 0:
        if (stryMutAct_9fa48("21")) {} else {
          stryCov_9fa48("21");
          return stryMutAct_9fa48("22") ? "" : (stryCov_9fa48("22"), 'disabled');
        }
      case 1:
        if (stryMutAct_9fa48("23")) {} else {
          stryCov_9fa48("23");
          return stryMutAct_9fa48("24") ? "" : (stryCov_9fa48("24"), 'inbound');
        }
      case 2:
        if (stryMutAct_9fa48("25")) {} else {
          stryCov_9fa48("25");
          return stryMutAct_9fa48("26") ? "" : (stryCov_9fa48("26"), 'outbound');
        }
      case 3:
        if (stryMutAct_9fa48("27")) {} else {
          stryCov_9fa48("27");
          return stryMutAct_9fa48("28") ? "" : (stryCov_9fa48("28"), 'bidirectional');
        }
      default:
        if (stryMutAct_9fa48("29")) {} else {
          stryCov_9fa48("29");
          return stryMutAct_9fa48("30") ? "" : (stryCov_9fa48("30"), 'unknown');
        }
    }
  }
}

/** The direction the partner's object should carry for the same trust. */
export function mirrorDirection(direction: number): number {
  if (stryMutAct_9fa48("31")) {
    {}
  } else {
    stryCov_9fa48("31");
    if (stryMutAct_9fa48("34") ? direction !== 1 : stryMutAct_9fa48("33") ? false : stryMutAct_9fa48("32") ? true : (stryCov_9fa48("32", "33", "34"), direction === 1)) return 2;
    if (stryMutAct_9fa48("37") ? direction !== 2 : stryMutAct_9fa48("36") ? false : stryMutAct_9fa48("35") ? true : (stryCov_9fa48("35", "36", "37"), direction === 2)) return 1;
    return direction;
  }
}

/** The partner trusts `domain`: `domain`'s users can reach the partner's resources. */
export function includesInbound(direction: number): boolean {
  if (stryMutAct_9fa48("38")) {
    {}
  } else {
    stryCov_9fa48("38");
    return stryMutAct_9fa48("41") ? direction === 1 && direction === 3 : stryMutAct_9fa48("40") ? false : stryMutAct_9fa48("39") ? true : (stryCov_9fa48("39", "40", "41"), (stryMutAct_9fa48("43") ? direction !== 1 : stryMutAct_9fa48("42") ? false : (stryCov_9fa48("42", "43"), direction === 1)) || (stryMutAct_9fa48("45") ? direction !== 3 : stryMutAct_9fa48("44") ? false : (stryCov_9fa48("44", "45"), direction === 3)));
  }
}

/** `domain` trusts the partner: the partner's users can reach `domain`'s resources. */
export function includesOutbound(direction: number): boolean {
  if (stryMutAct_9fa48("46")) {
    {}
  } else {
    stryCov_9fa48("46");
    return stryMutAct_9fa48("49") ? direction === 2 && direction === 3 : stryMutAct_9fa48("48") ? false : stryMutAct_9fa48("47") ? true : (stryCov_9fa48("47", "48", "49"), (stryMutAct_9fa48("51") ? direction !== 2 : stryMutAct_9fa48("50") ? false : (stryCov_9fa48("50", "51"), direction === 2)) || (stryMutAct_9fa48("53") ? direction !== 3 : stryMutAct_9fa48("52") ? false : (stryCov_9fa48("52", "53"), direction === 3)));
  }
}
export type TrustTypeName = 'downlevel' | 'uplevel' | 'mit' | 'dce' | 'aad' | 'unknown';

/** trustType (MS-ADTS 6.1.6.7.15) by name. */
export function trustTypeName(type: number): TrustTypeName {
  if (stryMutAct_9fa48("54")) {
    {}
  } else {
    stryCov_9fa48("54");
    switch (type) {
      case 1:
        if (stryMutAct_9fa48("55")) {} else {
          stryCov_9fa48("55");
          return stryMutAct_9fa48("56") ? "" : (stryCov_9fa48("56"), 'downlevel');
        }
      case 2:
        if (stryMutAct_9fa48("57")) {} else {
          stryCov_9fa48("57");
          return stryMutAct_9fa48("58") ? "" : (stryCov_9fa48("58"), 'uplevel');
        }
      case 3:
        if (stryMutAct_9fa48("59")) {} else {
          stryCov_9fa48("59");
          return stryMutAct_9fa48("60") ? "" : (stryCov_9fa48("60"), 'mit');
        }
      case 4:
        if (stryMutAct_9fa48("61")) {} else {
          stryCov_9fa48("61");
          return stryMutAct_9fa48("62") ? "" : (stryCov_9fa48("62"), 'dce');
        }
      case 5:
        if (stryMutAct_9fa48("63")) {} else {
          stryCov_9fa48("63");
          return stryMutAct_9fa48("64") ? "" : (stryCov_9fa48("64"), 'aad');
        }
      default:
        if (stryMutAct_9fa48("65")) {} else {
          stryCov_9fa48("65");
          return stryMutAct_9fa48("66") ? "" : (stryCov_9fa48("66"), 'unknown');
        }
    }
  }
}

/** Every set bit by its spec name (TrustAttribute); unknown bits as "0x<hex>". */
export function attributeNames(attributes: number): string[] {
  if (stryMutAct_9fa48("67")) {
    {}
  } else {
    stryCov_9fa48("67");
    return bitNames(attributes, TrustAttribute);
  }
}

/** Every set bit by its spec name (EncryptionType); unknown bits as "0x<hex>"; [] when absent. */
export function encryptionTypeNames(value: number | undefined): string[] {
  if (stryMutAct_9fa48("68")) {
    {}
  } else {
    stryCov_9fa48("68");
    return (stryMutAct_9fa48("71") ? value !== undefined : stryMutAct_9fa48("70") ? false : stryMutAct_9fa48("69") ? true : (stryCov_9fa48("69", "70", "71"), value === undefined)) ? stryMutAct_9fa48("72") ? ["Stryker was here"] : (stryCov_9fa48("72"), []) : bitNames(value, EncryptionType);
  }
}

/**
 * Samba's rule. WITHIN_FOREST wins over NON_TRANSITIVE because every trust inside a forest is
 * transitive whatever else is set; without either, only a forest trust is transitive (external
 * trusts never are). A Windows 2000-era intra-forest trust with attributes 0 therefore reads as
 * not transitive: the object alone cannot tell it from an external trust.
 */
export function isTransitive(trust: Pick<TrustObject, 'attributes'>): boolean {
  if (stryMutAct_9fa48("73")) {
    {}
  } else {
    stryCov_9fa48("73");
    if (stryMutAct_9fa48("75") ? false : stryMutAct_9fa48("74") ? true : (stryCov_9fa48("74", "75"), has(trust.attributes, TrustAttribute.WITHIN_FOREST))) return stryMutAct_9fa48("76") ? false : (stryCov_9fa48("76"), true);
    if (stryMutAct_9fa48("78") ? false : stryMutAct_9fa48("77") ? true : (stryCov_9fa48("77", "78"), has(trust.attributes, TrustAttribute.NON_TRANSITIVE))) return stryMutAct_9fa48("79") ? true : (stryCov_9fa48("79"), false);
    return has(trust.attributes, TrustAttribute.FOREST_TRANSITIVE);
  }
}
export type TrustKind = 'forest' | 'external' | 'within_forest' | 'realm' | 'other';

/**
 * What sort of trust the object describes; the verdicts below hang on this. The type decides
 * before the attributes: netdom's /foresttransitive is also "valid for non-Windows realm trusts",
 * and such a realm is still a realm, not an Active Directory forest.
 */
export function trustKind(trust: Pick<TrustObject, 'type' | 'attributes'>): TrustKind {
  if (stryMutAct_9fa48("80")) {
    {}
  } else {
    stryCov_9fa48("80");
    if (stryMutAct_9fa48("83") ? trust.type !== 3 : stryMutAct_9fa48("82") ? false : stryMutAct_9fa48("81") ? true : (stryCov_9fa48("81", "82", "83"), trust.type === 3)) return stryMutAct_9fa48("84") ? "" : (stryCov_9fa48("84"), 'realm');
    if (stryMutAct_9fa48("87") ? trust.type !== 1 || trust.type !== 2 : stryMutAct_9fa48("86") ? false : stryMutAct_9fa48("85") ? true : (stryCov_9fa48("85", "86", "87"), (stryMutAct_9fa48("89") ? trust.type === 1 : stryMutAct_9fa48("88") ? true : (stryCov_9fa48("88", "89"), trust.type !== 1)) && (stryMutAct_9fa48("91") ? trust.type === 2 : stryMutAct_9fa48("90") ? true : (stryCov_9fa48("90", "91"), trust.type !== 2)))) return stryMutAct_9fa48("92") ? "" : (stryCov_9fa48("92"), 'other');
    if (stryMutAct_9fa48("94") ? false : stryMutAct_9fa48("93") ? true : (stryCov_9fa48("93", "94"), has(trust.attributes, TrustAttribute.FOREST_TRANSITIVE))) return stryMutAct_9fa48("95") ? "" : (stryCov_9fa48("95"), 'forest');
    if (stryMutAct_9fa48("97") ? false : stryMutAct_9fa48("96") ? true : (stryCov_9fa48("96", "97"), has(trust.attributes, TrustAttribute.WITHIN_FOREST))) return stryMutAct_9fa48("98") ? "" : (stryCov_9fa48("98"), 'within_forest');
    return stryMutAct_9fa48("99") ? "" : (stryCov_9fa48("99"), 'external');
  }
}
export type VerdictStatus = 'ok' | 'warning' | 'critical' | 'not_applicable';
export type TrustCheck = 'trust.sid_filtering' | 'trust.tgt_delegation' | 'trust.selective_auth' | 'trust.auth_target_validation' | 'trust.encryption' | 'trust.downlevel';

/** The checks trustVerdicts returns, in its order. */
export const TRUST_CHECKS: readonly TrustCheck[] = stryMutAct_9fa48("100") ? [] : (stryCov_9fa48("100"), [stryMutAct_9fa48("101") ? "" : (stryCov_9fa48("101"), 'trust.sid_filtering'), stryMutAct_9fa48("102") ? "" : (stryCov_9fa48("102"), 'trust.tgt_delegation'), stryMutAct_9fa48("103") ? "" : (stryCov_9fa48("103"), 'trust.selective_auth'), stryMutAct_9fa48("104") ? "" : (stryCov_9fa48("104"), 'trust.auth_target_validation'), stryMutAct_9fa48("105") ? "" : (stryCov_9fa48("105"), 'trust.encryption'), stryMutAct_9fa48("106") ? "" : (stryCov_9fa48("106"), 'trust.downlevel')]);
export interface Verdict {
  check: TrustCheck;
  status: VerdictStatus;
  /** One plain sentence a person understands, naming the bit(s) that decided it. */
  reason: string;
  /** The fix by name (a netdom or ksetup command line); "" when nothing is to be done. */
  remediation: string;
}

/**
 * netdom's own argument order (Microsoft's "netdom trust" page): the trusting domain first, the
 * trusted one after /domain:. Every caller says which of its two names is which.
 */
export function netdom(trusting: string, trusted: string, option: string): string {
  if (stryMutAct_9fa48("107")) {
    {}
  } else {
    stryCov_9fa48("107");
    return stryMutAct_9fa48("108") ? `` : (stryCov_9fa48("108"), `netdom trust ${trusting} /domain:${trusted} ${option}`);
  }
}

/** The trusting and the trusted domain of the direction an object describes, seen from its holder. */
export function trustingFirst(trust: Pick<TrustObject, 'domain' | 'partner' | 'direction'>): {
  trusting: string;
  trusted: string;
} {
  if (stryMutAct_9fa48("109")) {
    {}
  } else {
    stryCov_9fa48("109");
    return includesOutbound(trust.direction) ? stryMutAct_9fa48("110") ? {} : (stryCov_9fa48("110"), {
      trusting: trust.domain,
      trusted: trust.partner
    }) : stryMutAct_9fa48("111") ? {} : (stryCov_9fa48("111"), {
      trusting: trust.partner,
      trusted: trust.domain
    });
  }
}
function verdict(check: TrustCheck, status: VerdictStatus, reason: string, remediation = stryMutAct_9fa48("112") ? "Stryker was here!" : (stryCov_9fa48("112"), '')): Verdict {
  if (stryMutAct_9fa48("113")) {
    {}
  } else {
    stryCov_9fa48("113");
    return stryMutAct_9fa48("114") ? {} : (stryCov_9fa48("114"), {
      check,
      status,
      reason,
      remediation
    });
  }
}
function disabled(check: TrustCheck): Verdict {
  if (stryMutAct_9fa48("115")) {
    {}
  } else {
    stryCov_9fa48("115");
    return verdict(check, stryMutAct_9fa48("116") ? "" : (stryCov_9fa48("116"), 'not_applicable'), stryMutAct_9fa48("117") ? "" : (stryCov_9fa48("117"), 'The trust is disabled (trustDirection 0): no authentication crosses it.'));
  }
}
function isWindowsDomainType(type: number): boolean {
  if (stryMutAct_9fa48("118")) {
    {}
  } else {
    stryCov_9fa48("118");
    return stryMutAct_9fa48("121") ? type === 1 && type === 2 : stryMutAct_9fa48("120") ? false : stryMutAct_9fa48("119") ? true : (stryCov_9fa48("119", "120", "121"), (stryMutAct_9fa48("123") ? type !== 1 : stryMutAct_9fa48("122") ? false : (stryCov_9fa48("122", "123"), type === 1)) || (stryMutAct_9fa48("125") ? type !== 2 : stryMutAct_9fa48("124") ? false : (stryCov_9fa48("124", "125"), type === 2)));
  }
}
function notWindowsDomain(check: TrustCheck, trust: TrustObject, why: string): Verdict {
  if (stryMutAct_9fa48("126")) {
    {}
  } else {
    stryCov_9fa48("126");
    return verdict(check, stryMutAct_9fa48("127") ? "" : (stryCov_9fa48("127"), 'not_applicable'), stryMutAct_9fa48("128") ? `` : (stryCov_9fa48("128"), `trustType ${trust.type} (${trustTypeName(trust.type)}) is not a Windows domain trust: ${why}`));
  }
}

/** "DC=tailspin,DC=test" for "tailspin.test". */
function domainDn(domain: string): string {
  if (stryMutAct_9fa48("129")) {
    {}
  } else {
    stryCov_9fa48("129");
    return domain.split(stryMutAct_9fa48("130") ? "" : (stryCov_9fa48("130"), '.')).map(stryMutAct_9fa48("131") ? () => undefined : (stryCov_9fa48("131"), label => stryMutAct_9fa48("132") ? `` : (stryCov_9fa48("132"), `DC=${label}`))).join(stryMutAct_9fa48("133") ? "" : (stryCov_9fa48("133"), ','));
  }
}

/**
 * SID filtering (MS-PAC 4.1.2.2) is done by the trusting side on the SIDs the partner's users
 * bring in, so only an object whose direction includes outbound has anything to filter; an
 * inbound-only object is filtered (or not) by the partner. Within a forest SIDs are not filtered.
 *
 * Forest trust (CrossForest row): SIDs local to this forest are dropped. TREAT_AS_EXTERNAL (0x40,
 * MS-ADTS 6.1.6.7.9 TATE) relaxes it to the External row, which lets SID history through. PIM_TRUST
 * (0x400, TAPT) counts only "if this bit and the TATE bit are set", and only on FOREST_TRANSITIVE
 * trusts: then the PrivilegedIdentityManagement row lets SIDs local to *this* (trusting) forest
 * come over, privileged ones included, as the bastion forest's shadow principals carry them.
 * External trust: filtered down to the partner's own SIDs only with QUARANTINED_DOMAIN (TAQD).
 */
function sidFiltering(trust: TrustObject, kind: TrustKind): Verdict {
  if (stryMutAct_9fa48("134")) {
    {}
  } else {
    stryCov_9fa48("134");
    const check = stryMutAct_9fa48("135") ? "" : (stryCov_9fa48("135"), 'trust.sid_filtering');
    const {
      domain,
      partner,
      attributes
    } = trust;
    if (stryMutAct_9fa48("138") ? trust.direction !== 0 : stryMutAct_9fa48("137") ? false : stryMutAct_9fa48("136") ? true : (stryCov_9fa48("136", "137", "138"), trust.direction === 0)) return disabled(check);
    if (stryMutAct_9fa48("141") ? false : stryMutAct_9fa48("140") ? true : stryMutAct_9fa48("139") ? includesOutbound(trust.direction) : (stryCov_9fa48("139", "140", "141"), !includesOutbound(trust.direction))) {
      if (stryMutAct_9fa48("142")) {
        {}
      } else {
        stryCov_9fa48("142");
        return verdict(check, stryMutAct_9fa48("143") ? "" : (stryCov_9fa48("143"), 'not_applicable'), stryMutAct_9fa48("144") ? `` : (stryCov_9fa48("144"), `Inbound-only trust: ${partner} holds the resources, so SID filtering is decided on its side, not in ${domain}.`));
      }
    }
    if (stryMutAct_9fa48("146") ? false : stryMutAct_9fa48("145") ? true : (stryCov_9fa48("145", "146"), has(attributes, TrustAttribute.WITHIN_FOREST))) {
      if (stryMutAct_9fa48("147")) {
        {}
      } else {
        stryCov_9fa48("147");
        return verdict(check, stryMutAct_9fa48("148") ? "" : (stryCov_9fa48("148"), 'not_applicable'), stryMutAct_9fa48("149") ? "" : (stryCov_9fa48("149"), 'Trust inside the forest (WITHIN_FOREST): SIDs are not filtered between domains of one forest.'));
      }
    }
    if (stryMutAct_9fa48("152") ? kind !== 'realm' : stryMutAct_9fa48("151") ? false : stryMutAct_9fa48("150") ? true : (stryCov_9fa48("150", "151", "152"), kind === (stryMutAct_9fa48("153") ? "" : (stryCov_9fa48("153"), 'realm')))) {
      if (stryMutAct_9fa48("154")) {
        {}
      } else {
        stryCov_9fa48("154");
        return verdict(check, stryMutAct_9fa48("155") ? "" : (stryCov_9fa48("155"), 'not_applicable'), stryMutAct_9fa48("156") ? "" : (stryCov_9fa48("156"), 'Trust with an MIT Kerberos realm (trustType 3): no Windows SIDs come across it to filter.'));
      }
    }
    if (stryMutAct_9fa48("159") ? kind !== 'other' : stryMutAct_9fa48("158") ? false : stryMutAct_9fa48("157") ? true : (stryCov_9fa48("157", "158", "159"), kind === (stryMutAct_9fa48("160") ? "" : (stryCov_9fa48("160"), 'other')))) return notWindowsDomain(check, trust, stryMutAct_9fa48("161") ? "" : (stryCov_9fa48("161"), 'SID filtering does not apply.'));
    const pim = has(attributes, TrustAttribute.PIM_TRUST);
    const treatAsExternal = has(attributes, TrustAttribute.TREAT_AS_EXTERNAL);
    if (stryMutAct_9fa48("164") ? kind !== 'forest' : stryMutAct_9fa48("163") ? false : stryMutAct_9fa48("162") ? true : (stryCov_9fa48("162", "163", "164"), kind === (stryMutAct_9fa48("165") ? "" : (stryCov_9fa48("165"), 'forest')))) {
      if (stryMutAct_9fa48("166")) {
        {}
      } else {
        stryCov_9fa48("166");
        if (stryMutAct_9fa48("169") ? treatAsExternal || pim : stryMutAct_9fa48("168") ? false : stryMutAct_9fa48("167") ? true : (stryCov_9fa48("167", "168", "169"), treatAsExternal && pim)) {
          if (stryMutAct_9fa48("170")) {
            {}
          } else {
            stryCov_9fa48("170");
            return verdict(check, stryMutAct_9fa48("171") ? "" : (stryCov_9fa48("171"), 'warning'), stryMutAct_9fa48("172") ? `` : (stryCov_9fa48("172"), `PIM_TRUST (0x400) with TREAT_AS_EXTERNAL (0x40): a Privileged Identity Management trust (MS-ADTS 6.1.6.7.9, MS-PAC 4.1.2.2): SIDs of ${domain}'s own forest, privileged ones included, are accepted from ${partner}'s shadow principals, and SID history from ${partner} too. Right only if ${partner} is this forest's bastion (PAM) forest.`), stryMutAct_9fa48("173") ? `` : (stryCov_9fa48("173"), `if ${partner} is not (or no longer) this forest's bastion forest: ${netdom(domain, partner, stryMutAct_9fa48("174") ? "" : (stryCov_9fa48("174"), '/EnablePIMTrust:no'))}, then ${netdom(domain, partner, stryMutAct_9fa48("175") ? "" : (stryCov_9fa48("175"), '/enablesidhistory:no'))}`));
          }
        }
        if (stryMutAct_9fa48("177") ? false : stryMutAct_9fa48("176") ? true : (stryCov_9fa48("176", "177"), treatAsExternal)) {
          if (stryMutAct_9fa48("178")) {
            {}
          } else {
            stryCov_9fa48("178");
            return verdict(check, stryMutAct_9fa48("179") ? "" : (stryCov_9fa48("179"), 'warning'), stryMutAct_9fa48("180") ? `` : (stryCov_9fa48("180"), `TREAT_AS_EXTERNAL (0x40) is set on this forest trust (MS-ADTS 6.1.6.7.9): it is filtered by external-trust rules, so SID history from the partner forest ${partner} is accepted.`), netdom(domain, partner, stryMutAct_9fa48("181") ? "" : (stryCov_9fa48("181"), '/enablesidhistory:no')));
          }
        }
        const inert = pim ? stryMutAct_9fa48("182") ? "" : (stryCov_9fa48("182"), ' PIM_TRUST (0x400) is set without TREAT_AS_EXTERNAL (0x40), so it has no effect (MS-ADTS 6.1.6.7.9: it counts only with both bits).') : stryMutAct_9fa48("183") ? "Stryker was here!" : (stryCov_9fa48("183"), '');
        return verdict(check, stryMutAct_9fa48("184") ? "" : (stryCov_9fa48("184"), 'ok'), stryMutAct_9fa48("185") ? `` : (stryCov_9fa48("185"), `Forest trust (FOREST_TRANSITIVE) without TREAT_AS_EXTERNAL: SID filtering on, SIDs of ${domain}'s own forest are dropped (MS-PAC 4.1.2.2).${inert}`));
      }
    }
    const inertBits = stryMutAct_9fa48("186") ? [pim ? 'PIM_TRUST (0x400)' : '', treatAsExternal ? 'TREAT_AS_EXTERNAL (0x40)' : ''] : (stryCov_9fa48("186"), (stryMutAct_9fa48("187") ? [] : (stryCov_9fa48("187"), [pim ? stryMutAct_9fa48("188") ? "" : (stryCov_9fa48("188"), 'PIM_TRUST (0x400)') : stryMutAct_9fa48("189") ? "Stryker was here!" : (stryCov_9fa48("189"), ''), treatAsExternal ? stryMutAct_9fa48("190") ? "" : (stryCov_9fa48("190"), 'TREAT_AS_EXTERNAL (0x40)') : stryMutAct_9fa48("191") ? "Stryker was here!" : (stryCov_9fa48("191"), '')])).filter(stryMutAct_9fa48("192") ? () => undefined : (stryCov_9fa48("192"), name => stryMutAct_9fa48("195") ? name === '' : stryMutAct_9fa48("194") ? false : stryMutAct_9fa48("193") ? true : (stryCov_9fa48("193", "194", "195"), name !== (stryMutAct_9fa48("196") ? "Stryker was here!" : (stryCov_9fa48("196"), ''))))));
    const inert = (stryMutAct_9fa48("200") ? inertBits.length <= 0 : stryMutAct_9fa48("199") ? inertBits.length >= 0 : stryMutAct_9fa48("198") ? false : stryMutAct_9fa48("197") ? true : (stryCov_9fa48("197", "198", "199", "200"), inertBits.length > 0)) ? stryMutAct_9fa48("201") ? `` : (stryCov_9fa48("201"), ` ${inertBits.join(stryMutAct_9fa48("202") ? "" : (stryCov_9fa48("202"), ' and '))} ${(stryMutAct_9fa48("206") ? inertBits.length <= 1 : stryMutAct_9fa48("205") ? inertBits.length >= 1 : stryMutAct_9fa48("204") ? false : stryMutAct_9fa48("203") ? true : (stryCov_9fa48("203", "204", "205", "206"), inertBits.length > 1)) ? stryMutAct_9fa48("207") ? "" : (stryCov_9fa48("207"), 'are') : stryMutAct_9fa48("208") ? "" : (stryCov_9fa48("208"), 'is')} evaluated only on forest trusts (FOREST_TRANSITIVE), so ${(stryMutAct_9fa48("212") ? inertBits.length <= 1 : stryMutAct_9fa48("211") ? inertBits.length >= 1 : stryMutAct_9fa48("210") ? false : stryMutAct_9fa48("209") ? true : (stryCov_9fa48("209", "210", "211", "212"), inertBits.length > 1)) ? stryMutAct_9fa48("213") ? "" : (stryCov_9fa48("213"), 'they change') : stryMutAct_9fa48("214") ? "" : (stryCov_9fa48("214"), 'it changes')} nothing here.`) : stryMutAct_9fa48("215") ? "Stryker was here!" : (stryCov_9fa48("215"), '');
    if (stryMutAct_9fa48("217") ? false : stryMutAct_9fa48("216") ? true : (stryCov_9fa48("216", "217"), has(attributes, TrustAttribute.QUARANTINED_DOMAIN))) {
      if (stryMutAct_9fa48("218")) {
        {}
      } else {
        stryCov_9fa48("218");
        return verdict(check, stryMutAct_9fa48("219") ? "" : (stryCov_9fa48("219"), 'ok'), stryMutAct_9fa48("220") ? `` : (stryCov_9fa48("220"), `QUARANTINED_DOMAIN is set: SID filtering on, only SIDs of ${partner} itself are accepted (MS-PAC 4.1.2.2).${inert}`));
      }
    }
    // Attributes 0 is also what a Windows 2000-era trust inside one forest carries; the object
    // cannot tell the two apart, so the reason says so instead of guessing.
    const era = (stryMutAct_9fa48("223") ? u32(attributes) !== 0 : stryMutAct_9fa48("222") ? false : stryMutAct_9fa48("221") ? true : (stryCov_9fa48("221", "222", "223"), u32(attributes) === 0)) ? stryMutAct_9fa48("224") ? `` : (stryCov_9fa48("224"), ` (trustAttributes 0 is also what a Windows 2000-era trust inside one forest carries; if ${partner} is in this forest, there is nothing to fix.)`) : stryMutAct_9fa48("225") ? "Stryker was here!" : (stryCov_9fa48("225"), '');
    return verdict(check, stryMutAct_9fa48("226") ? "" : (stryCov_9fa48("226"), 'warning'), stryMutAct_9fa48("227") ? `` : (stryCov_9fa48("227"), `QUARANTINED_DOMAIN is not set on this external trust: SID history from ${partner} is accepted; only SIDs of ${domain}'s own forest are dropped (MS-PAC 4.1.2.2).${inert}${era}`), netdom(domain, partner, stryMutAct_9fa48("228") ? "" : (stryCov_9fa48("228"), '/quarantine:yes')));
  }
}

/**
 * MS-KILE 3.3.5.7.5: the KDC sets ok-as-delegate on a cross-realm referral only if
 * EnableConditions (WITHIN_FOREST or CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION 0x800) hold and no
 * DisableCondition does (the source ticket lacks ok-as-delegate, CROSS_ORGANIZATION_NO_TGT_DELEGATION
 * 0x200, QUARANTINED_DOMAIN 0x4). The spec names no trust type, so an external trust counts too.
 * The referral for this domain's users to the partner is issued from the object whose direction
 * includes inbound (the partner trusts this domain; KB4490425: "set in the trusted domain ... for
 * each trusting domain"), so an outbound-only object decides nothing. The source ticket cannot be
 * seen here, so the verdict assumes the worst: that it carries ok-as-delegate.
 */
function tgtDelegation(trust: TrustObject, kind: TrustKind): Verdict {
  if (stryMutAct_9fa48("229")) {
    {}
  } else {
    stryCov_9fa48("229");
    const check = stryMutAct_9fa48("230") ? "" : (stryCov_9fa48("230"), 'trust.tgt_delegation');
    const {
      domain,
      partner,
      attributes
    } = trust;
    if (stryMutAct_9fa48("233") ? trust.direction !== 0 : stryMutAct_9fa48("232") ? false : stryMutAct_9fa48("231") ? true : (stryCov_9fa48("231", "232", "233"), trust.direction === 0)) return disabled(check);
    if (stryMutAct_9fa48("236") ? trust.type !== 2 || trust.type !== 3 : stryMutAct_9fa48("235") ? false : stryMutAct_9fa48("234") ? true : (stryCov_9fa48("234", "235", "236"), (stryMutAct_9fa48("238") ? trust.type === 2 : stryMutAct_9fa48("237") ? true : (stryCov_9fa48("237", "238"), trust.type !== 2)) && (stryMutAct_9fa48("240") ? trust.type === 3 : stryMutAct_9fa48("239") ? true : (stryCov_9fa48("239", "240"), trust.type !== 3)))) {
      if (stryMutAct_9fa48("241")) {
        {}
      } else {
        stryCov_9fa48("241");
        return verdict(check, stryMutAct_9fa48("242") ? "" : (stryCov_9fa48("242"), 'not_applicable'), stryMutAct_9fa48("243") ? `` : (stryCov_9fa48("243"), `trustType ${trust.type} (${trustTypeName(trust.type)}): no Kerberos referral crosses this trust, so TGT delegation does not apply.`));
      }
    }
    if (stryMutAct_9fa48("245") ? false : stryMutAct_9fa48("244") ? true : (stryCov_9fa48("244", "245"), has(attributes, TrustAttribute.WITHIN_FOREST))) {
      if (stryMutAct_9fa48("246")) {
        {}
      } else {
        stryCov_9fa48("246");
        return verdict(check, stryMutAct_9fa48("247") ? "" : (stryCov_9fa48("247"), 'not_applicable'), stryMutAct_9fa48("248") ? "" : (stryCov_9fa48("248"), 'Trust inside the forest (WITHIN_FOREST): an EnableCondition of MS-KILE 3.3.5.7.5 by design; delegation inside one forest is not limited by the trust.'));
      }
    }
    if (stryMutAct_9fa48("251") ? false : stryMutAct_9fa48("250") ? true : stryMutAct_9fa48("249") ? includesInbound(trust.direction) : (stryCov_9fa48("249", "250", "251"), !includesInbound(trust.direction))) {
      if (stryMutAct_9fa48("252")) {
        {}
      } else {
        stryCov_9fa48("252");
        return verdict(check, stryMutAct_9fa48("253") ? "" : (stryCov_9fa48("253"), 'not_applicable'), stryMutAct_9fa48("254") ? `` : (stryCov_9fa48("254"), `Outbound-only trust: ${partner} does not trust ${domain}, so no referral for ${domain}'s users is issued under this object (MS-KILE 3.3.5.7.5 reads the TDO of the trusted side).`));
      }
    }
    const enable = has(attributes, TrustAttribute.CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION);
    const noTgt = has(attributes, TrustAttribute.CROSS_ORGANIZATION_NO_TGT_DELEGATION);
    const quarantined = has(attributes, TrustAttribute.QUARANTINED_DOMAIN);
    if (stryMutAct_9fa48("257") ? false : stryMutAct_9fa48("256") ? true : stryMutAct_9fa48("255") ? enable : (stryCov_9fa48("255", "256", "257"), !enable)) {
      if (stryMutAct_9fa48("258")) {
        {}
      } else {
        stryCov_9fa48("258");
        const alsoBlocked = noTgt ? stryMutAct_9fa48("259") ? "" : (stryCov_9fa48("259"), ' CROSS_ORGANIZATION_NO_TGT_DELEGATION (0x200) is set too, a DisableCondition that would block it anyway.') : stryMutAct_9fa48("260") ? "Stryker was here!" : (stryCov_9fa48("260"), '');
        return verdict(check, stryMutAct_9fa48("261") ? "" : (stryCov_9fa48("261"), 'ok'), stryMutAct_9fa48("262") ? `` : (stryCov_9fa48("262"), `CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) is not set: no EnableCondition of MS-KILE 3.3.5.7.5, so TGTs of ${domain}'s users are not delegated to ${partner}'s services.${alsoBlocked}`));
      }
    }
    if (stryMutAct_9fa48("265") ? noTgt && quarantined : stryMutAct_9fa48("264") ? false : stryMutAct_9fa48("263") ? true : (stryCov_9fa48("263", "264", "265"), noTgt || quarantined)) {
      if (stryMutAct_9fa48("266")) {
        {}
      } else {
        stryCov_9fa48("266");
        const blockers = stryMutAct_9fa48("267") ? [noTgt ? 'CROSS_ORGANIZATION_NO_TGT_DELEGATION (0x200)' : '', quarantined ? 'QUARANTINED_DOMAIN (0x4)' : ''] : (stryCov_9fa48("267"), (stryMutAct_9fa48("268") ? [] : (stryCov_9fa48("268"), [noTgt ? stryMutAct_9fa48("269") ? "" : (stryCov_9fa48("269"), 'CROSS_ORGANIZATION_NO_TGT_DELEGATION (0x200)') : stryMutAct_9fa48("270") ? "Stryker was here!" : (stryCov_9fa48("270"), ''), quarantined ? stryMutAct_9fa48("271") ? "" : (stryCov_9fa48("271"), 'QUARANTINED_DOMAIN (0x4)') : stryMutAct_9fa48("272") ? "Stryker was here!" : (stryCov_9fa48("272"), '')])).filter(stryMutAct_9fa48("273") ? () => undefined : (stryCov_9fa48("273"), name => stryMutAct_9fa48("276") ? name === '' : stryMutAct_9fa48("275") ? false : stryMutAct_9fa48("274") ? true : (stryCov_9fa48("274", "275", "276"), name !== (stryMutAct_9fa48("277") ? "Stryker was here!" : (stryCov_9fa48("277"), ''))))));
        return verdict(check, stryMutAct_9fa48("278") ? "" : (stryCov_9fa48("278"), 'ok'), stryMutAct_9fa48("279") ? `` : (stryCov_9fa48("279"), `CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) is set, but ${blockers.join(stryMutAct_9fa48("280") ? "" : (stryCov_9fa48("280"), ' and '))} ${(stryMutAct_9fa48("284") ? blockers.length <= 1 : stryMutAct_9fa48("283") ? blockers.length >= 1 : stryMutAct_9fa48("282") ? false : stryMutAct_9fa48("281") ? true : (stryCov_9fa48("281", "282", "283", "284"), blockers.length > 1)) ? stryMutAct_9fa48("285") ? "" : (stryCov_9fa48("285"), 'are DisableConditions') : stryMutAct_9fa48("286") ? "" : (stryCov_9fa48("286"), 'is a DisableCondition')} of MS-KILE 3.3.5.7.5 and ${(stryMutAct_9fa48("290") ? blockers.length <= 1 : stryMutAct_9fa48("289") ? blockers.length >= 1 : stryMutAct_9fa48("288") ? false : stryMutAct_9fa48("287") ? true : (stryCov_9fa48("287", "288", "289", "290"), blockers.length > 1)) ? stryMutAct_9fa48("291") ? "" : (stryCov_9fa48("291"), 'cancel') : stryMutAct_9fa48("292") ? "" : (stryCov_9fa48("292"), 'cancels')} it: TGTs of ${domain}'s users are not delegated.`));
      }
    }
    const cleared = u32(attributes) & (stryMutAct_9fa48("293") ? TrustAttribute.CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION : (stryCov_9fa48("293"), ~TrustAttribute.CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION));
    // netdom's /EnableTGTDelegation works "on outbound forest trusts" only; elsewhere the bit is cleared on the object.
    const fix = (stryMutAct_9fa48("296") ? kind !== 'forest' : stryMutAct_9fa48("295") ? false : stryMutAct_9fa48("294") ? true : (stryCov_9fa48("294", "295", "296"), kind === (stryMutAct_9fa48("297") ? "" : (stryCov_9fa48("297"), 'forest')))) ? netdom(partner, domain, stryMutAct_9fa48("298") ? "" : (stryCov_9fa48("298"), '/EnableTGTDelegation:no')) : stryMutAct_9fa48("299") ? `` : (stryCov_9fa48("299"), `clear 0x800 on ${domain}'s trust object for ${partner} (netdom's /EnableTGTDelegation applies to forest trusts only): Set-ADObject -Identity "CN=${partner},CN=System,${domainDn(domain)}" -Replace @{trustAttributes=${cleared}}`);
    return verdict(check, stryMutAct_9fa48("300") ? "" : (stryCov_9fa48("300"), 'warning'), stryMutAct_9fa48("301") ? `` : (stryCov_9fa48("301"), `CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) is set without 0x200 or QUARANTINED_DOMAIN on a trust whose direction includes inbound: by MS-KILE 3.3.5.7.5 referrals carry ok-as-delegate, so services in ${partner} trusted for unconstrained delegation receive the TGTs of ${domain}'s users (assuming their service tickets carry ok-as-delegate, which the trust object cannot show).`), fix);
  }
}

/**
 * Selective authentication (CROSS_ORGANIZATION, MS-ADTS 6.1.6.7.9 TACO; MS-KILE 3.3.5.7.5 adds the
 * OTHER_ORGANIZATION SID and an ACL check) limits which of `domain`'s resources the partner's users
 * may authenticate to. Its absence is the default, not a fault, so the verdict is information only.
 * It applies where the partner's users come in (direction includes outbound), and only on forest
 * and external trusts (netdom: "Valid only on outbound forest and external trusts"): not inside a
 * forest, and not on realm or Entra objects, whose tickets carry no PAC for the check to act on.
 */
function selectiveAuth(trust: TrustObject, kind: TrustKind): Verdict {
  if (stryMutAct_9fa48("302")) {
    {}
  } else {
    stryCov_9fa48("302");
    const check = stryMutAct_9fa48("303") ? "" : (stryCov_9fa48("303"), 'trust.selective_auth');
    const {
      domain,
      partner
    } = trust;
    if (stryMutAct_9fa48("306") ? trust.direction !== 0 : stryMutAct_9fa48("305") ? false : stryMutAct_9fa48("304") ? true : (stryCov_9fa48("304", "305", "306"), trust.direction === 0)) return disabled(check);
    if (stryMutAct_9fa48("308") ? false : stryMutAct_9fa48("307") ? true : (stryCov_9fa48("307", "308"), has(trust.attributes, TrustAttribute.WITHIN_FOREST))) {
      if (stryMutAct_9fa48("309")) {
        {}
      } else {
        stryCov_9fa48("309");
        return verdict(check, stryMutAct_9fa48("310") ? "" : (stryCov_9fa48("310"), 'not_applicable'), stryMutAct_9fa48("311") ? "" : (stryCov_9fa48("311"), 'Trust inside the forest (WITHIN_FOREST): selective authentication does not exist between domains of one forest.'));
      }
    }
    if (stryMutAct_9fa48("314") ? false : stryMutAct_9fa48("313") ? true : stryMutAct_9fa48("312") ? includesOutbound(trust.direction) : (stryCov_9fa48("312", "313", "314"), !includesOutbound(trust.direction))) {
      if (stryMutAct_9fa48("315")) {
        {}
      } else {
        stryCov_9fa48("315");
        return verdict(check, stryMutAct_9fa48("316") ? "" : (stryCov_9fa48("316"), 'not_applicable'), stryMutAct_9fa48("317") ? `` : (stryCov_9fa48("317"), `Inbound-only trust: ${partner}'s users do not authenticate to ${domain} over it; selective authentication would be set on ${partner}'s side.`));
      }
    }
    if (stryMutAct_9fa48("320") ? kind === 'realm' && kind === 'other' : stryMutAct_9fa48("319") ? false : stryMutAct_9fa48("318") ? true : (stryCov_9fa48("318", "319", "320"), (stryMutAct_9fa48("322") ? kind !== 'realm' : stryMutAct_9fa48("321") ? false : (stryCov_9fa48("321", "322"), kind === (stryMutAct_9fa48("323") ? "" : (stryCov_9fa48("323"), 'realm')))) || (stryMutAct_9fa48("325") ? kind !== 'other' : stryMutAct_9fa48("324") ? false : (stryCov_9fa48("324", "325"), kind === (stryMutAct_9fa48("326") ? "" : (stryCov_9fa48("326"), 'other')))))) {
      if (stryMutAct_9fa48("327")) {
        {}
      } else {
        stryCov_9fa48("327");
        return verdict(check, stryMutAct_9fa48("328") ? "" : (stryCov_9fa48("328"), 'not_applicable'), stryMutAct_9fa48("329") ? `` : (stryCov_9fa48("329"), `trustType ${trust.type} (${trustTypeName(trust.type)}): selective authentication exists only on forest and external trusts between Windows domains.`));
      }
    }
    if (stryMutAct_9fa48("331") ? false : stryMutAct_9fa48("330") ? true : (stryCov_9fa48("330", "331"), has(trust.attributes, TrustAttribute.CROSS_ORGANIZATION))) {
      if (stryMutAct_9fa48("332")) {
        {}
      } else {
        stryCov_9fa48("332");
        return verdict(check, stryMutAct_9fa48("333") ? "" : (stryCov_9fa48("333"), 'ok'), stryMutAct_9fa48("334") ? `` : (stryCov_9fa48("334"), `Selective authentication on (CROSS_ORGANIZATION): ${partner}'s users reach only the resources that grant them "Allowed to authenticate".`));
      }
    }
    const scope = (stryMutAct_9fa48("337") ? kind !== 'forest' : stryMutAct_9fa48("336") ? false : stryMutAct_9fa48("335") ? true : (stryCov_9fa48("335", "336", "337"), kind === (stryMutAct_9fa48("338") ? "" : (stryCov_9fa48("338"), 'forest')))) ? stryMutAct_9fa48("339") ? "" : (stryCov_9fa48("339"), 'Forest-wide') : stryMutAct_9fa48("340") ? "" : (stryCov_9fa48("340"), 'Domain-wide');
    return verdict(check, stryMutAct_9fa48("341") ? "" : (stryCov_9fa48("341"), 'ok'), stryMutAct_9fa48("342") ? `` : (stryCov_9fa48("342"), `${scope} authentication (CROSS_ORGANIZATION not set): every user of ${partner} can authenticate to every resource of ${domain}.`));
  }
}

/**
 * Authentication target validation of NTLM pass-through (KB5010576, CVE-2022-21857) is done by
 * the trusted side's DCs on requests a trusting domain sends them, so it is read from the object
 * whose direction includes inbound. Two switches turn it off: DISABLE_AUTH_TARGET_VALIDATION
 * (0x1000, ntsecapi.h) on the object, for the whole trust; and flag 0x1 of a forest trust info
 * scanner-info record (LSA_SCANNER_INFO_DISABLE_AUTH_TARGET_VALIDATION, MS-LSAD 2.2.1.5) for one
 * domain of a trusting forest. The KB's netdom line names the local (trusted) domain first.
 */
function authTargetValidation(trust: TrustObject, scannerDisabled: readonly string[]): Verdict {
  if (stryMutAct_9fa48("343")) {
    {}
  } else {
    stryCov_9fa48("343");
    const check = stryMutAct_9fa48("344") ? "" : (stryCov_9fa48("344"), 'trust.auth_target_validation');
    const {
      domain,
      partner
    } = trust;
    if (stryMutAct_9fa48("347") ? trust.direction !== 0 : stryMutAct_9fa48("346") ? false : stryMutAct_9fa48("345") ? true : (stryCov_9fa48("345", "346", "347"), trust.direction === 0)) return disabled(check);
    if (stryMutAct_9fa48("350") ? false : stryMutAct_9fa48("349") ? true : stryMutAct_9fa48("348") ? isWindowsDomainType(trust.type) : (stryCov_9fa48("348", "349", "350"), !isWindowsDomainType(trust.type))) return notWindowsDomain(check, trust, stryMutAct_9fa48("351") ? "" : (stryCov_9fa48("351"), 'no NTLM pass-through crosses it.'));
    if (stryMutAct_9fa48("354") ? false : stryMutAct_9fa48("353") ? true : stryMutAct_9fa48("352") ? includesInbound(trust.direction) : (stryCov_9fa48("352", "353", "354"), !includesInbound(trust.direction))) {
      if (stryMutAct_9fa48("355")) {
        {}
      } else {
        stryCov_9fa48("355");
        return verdict(check, stryMutAct_9fa48("356") ? "" : (stryCov_9fa48("356"), 'not_applicable'), stryMutAct_9fa48("357") ? `` : (stryCov_9fa48("357"), `Outbound-only trust: ${domain}'s DCs receive no NTLM pass-through requests from ${partner} over it; the validation is done by ${partner}'s DCs.`));
      }
    }
    const wholeTrust = has(trust.attributes, TrustAttribute.DISABLE_AUTH_TARGET_VALIDATION);
    if (stryMutAct_9fa48("360") ? !wholeTrust || scannerDisabled.length === 0 : stryMutAct_9fa48("359") ? false : stryMutAct_9fa48("358") ? true : (stryCov_9fa48("358", "359", "360"), (stryMutAct_9fa48("361") ? wholeTrust : (stryCov_9fa48("361"), !wholeTrust)) && (stryMutAct_9fa48("363") ? scannerDisabled.length !== 0 : stryMutAct_9fa48("362") ? true : (stryCov_9fa48("362", "363"), scannerDisabled.length === 0)))) {
      if (stryMutAct_9fa48("364")) {
        {}
      } else {
        stryCov_9fa48("364");
        return verdict(check, stryMutAct_9fa48("365") ? "" : (stryCov_9fa48("365"), 'ok'), stryMutAct_9fa48("366") ? `` : (stryCov_9fa48("366"), `DISABLE_AUTH_TARGET_VALIDATION (0x1000) is not set${(stryMutAct_9fa48("369") ? trustKind(trust) !== 'forest' : stryMutAct_9fa48("368") ? false : stryMutAct_9fa48("367") ? true : (stryCov_9fa48("367", "368", "369"), trustKind(trust) === (stryMutAct_9fa48("370") ? "" : (stryCov_9fa48("370"), 'forest')))) ? stryMutAct_9fa48("371") ? "" : (stryCov_9fa48("371"), ' and no scanner-info record disables it') : stryMutAct_9fa48("372") ? "Stryker was here!" : (stryCov_9fa48("372"), '')}: authentication target validation is on for NTLM pass-through from ${partner}.`));
      }
    }
    const reasons: string[] = stryMutAct_9fa48("373") ? ["Stryker was here"] : (stryCov_9fa48("373"), []);
    const fixes: string[] = stryMutAct_9fa48("374") ? ["Stryker was here"] : (stryCov_9fa48("374"), []);
    if (stryMutAct_9fa48("376") ? false : stryMutAct_9fa48("375") ? true : (stryCov_9fa48("375", "376"), wholeTrust)) {
      if (stryMutAct_9fa48("377")) {
        {}
      } else {
        stryCov_9fa48("377");
        reasons.push(stryMutAct_9fa48("378") ? `` : (stryCov_9fa48("378"), `DISABLE_AUTH_TARGET_VALIDATION (0x1000) is set: authentication target validation is off for all NTLM pass-through from ${partner} over this trust`));
        fixes.push(netdom(domain, partner, stryMutAct_9fa48("379") ? "" : (stryCov_9fa48("379"), '/AuthTargetValidation:yes')));
      }
    }
    if (stryMutAct_9fa48("383") ? scannerDisabled.length <= 0 : stryMutAct_9fa48("382") ? scannerDisabled.length >= 0 : stryMutAct_9fa48("381") ? false : stryMutAct_9fa48("380") ? true : (stryCov_9fa48("380", "381", "382", "383"), scannerDisabled.length > 0)) {
      if (stryMutAct_9fa48("384")) {
        {}
      } else {
        stryCov_9fa48("384");
        reasons.push(stryMutAct_9fa48("385") ? `` : (stryCov_9fa48("385"), `scanner-info records turn it off (LSA_SCANNER_INFO_DISABLE_AUTH_TARGET_VALIDATION, flag 0x1) for ${scannerDisabled.join(stryMutAct_9fa48("386") ? "" : (stryCov_9fa48("386"), ', '))}`));
        for (const child of scannerDisabled) fixes.push(netdom(domain, partner, stryMutAct_9fa48("387") ? `` : (stryCov_9fa48("387"), `/AuthTargetValidation:yes /ChildDomain:${child}`)));
      }
    }
    return verdict(check, stryMutAct_9fa48("388") ? "" : (stryCov_9fa48("388"), 'warning'), stryMutAct_9fa48("389") ? `` : (stryCov_9fa48("389"), `${reasons.join(stryMutAct_9fa48("390") ? "" : (stryCov_9fa48("390"), '; '))} (KB5010576).`), fixes.join(stryMutAct_9fa48("391") ? "" : (stryCov_9fa48("391"), '; ')));
  }
}
function aesFix(trust: TrustObject): string {
  if (stryMutAct_9fa48("392")) {
    {}
  } else {
    stryCov_9fa48("392");
    return stryMutAct_9fa48("393") ? `` : (stryCov_9fa48("393"), `ksetup /setenctypeattr ${trust.partner} AES128-CTS-HMAC-SHA1-96 AES256-CTS-HMAC-SHA1-96 on a DC of ${trust.domain} (or tick "The other domain supports Kerberos AES Encryption" in the trust's properties)`);
  }
}
function etypes(value: number): string {
  if (stryMutAct_9fa48("394")) {
    {}
  } else {
    stryCov_9fa48("394");
    return stryMutAct_9fa48("395") ? `` : (stryCov_9fa48("395"), `msDS-SupportedEncryptionTypes ${hex(value)} (${encryptionTypeNames(value).join(stryMutAct_9fa48("396") ? "" : (stryCov_9fa48("396"), ', '))})`);
  }
}

/**
 * On an uplevel Active Directory trust (type 2) the trust key's encryption types come from
 * msDS-SupportedEncryptionTypes alone. USES_RC4_ENCRYPTION (0x80) is defined only for MIT realm
 * trusts (MS-ADTS 6.1.6.7.9 TARC: "Only evaluated on TRUST_TYPE_MIT"); on an AD trust it means
 * nothing and is ignored here, although PingCastle and ADEssentials report it as "RC4 in use".
 * Unset or 0 means RC4 by default on older systems; "no AES" is `(v & 0x18) == 0` (MS-KILE), so
 * AES256_SESSION_KEYS (0x20) alone does not count as AES. DES alone is critical: it is broken and
 * off by default since Windows 7 / 2008 R2. A downlevel trust (type 1) carries no Kerberos
 * referral (MS-KILE 3.3.5.7.5 takes inter-realm keys from the TDO for referrals only), so its
 * types are not judged; trust.downlevel already warns about the trust itself.
 */
function encryption(trust: TrustObject): Verdict {
  if (stryMutAct_9fa48("397")) {
    {}
  } else {
    stryCov_9fa48("397");
    const check = stryMutAct_9fa48("398") ? "" : (stryCov_9fa48("398"), 'trust.encryption');
    const v = trust.encryptionTypes;
    const rc4Flag = has(trust.attributes, TrustAttribute.USES_RC4_ENCRYPTION);
    if (stryMutAct_9fa48("401") ? trust.type !== 1 : stryMutAct_9fa48("400") ? false : stryMutAct_9fa48("399") ? true : (stryCov_9fa48("399", "400", "401"), trust.type === 1)) {
      if (stryMutAct_9fa48("402")) {
        {}
      } else {
        stryCov_9fa48("402");
        return verdict(check, stryMutAct_9fa48("403") ? "" : (stryCov_9fa48("403"), 'not_applicable'), stryMutAct_9fa48("404") ? "" : (stryCov_9fa48("404"), 'trustType 1 (downlevel): NTLM only, no Kerberos trust key whose encryption types could be judged (trust.downlevel reports the trust itself).'));
      }
    }
    if (stryMutAct_9fa48("407") ? trust.type !== 2 : stryMutAct_9fa48("406") ? false : stryMutAct_9fa48("405") ? true : (stryCov_9fa48("405", "406", "407"), trust.type === 2)) {
      if (stryMutAct_9fa48("408")) {
        {}
      } else {
        stryCov_9fa48("408");
        const ignored = rc4Flag ? stryMutAct_9fa48("409") ? "" : (stryCov_9fa48("409"), ' USES_RC4_ENCRYPTION (0x80) is set but means nothing on an Active Directory trust, so it is ignored.') : stryMutAct_9fa48("410") ? "Stryker was here!" : (stryCov_9fa48("410"), '');
        if (stryMutAct_9fa48("413") ? v === undefined && u32(v) === 0 : stryMutAct_9fa48("412") ? false : stryMutAct_9fa48("411") ? true : (stryCov_9fa48("411", "412", "413"), (stryMutAct_9fa48("415") ? v !== undefined : stryMutAct_9fa48("414") ? false : (stryCov_9fa48("414", "415"), v === undefined)) || (stryMutAct_9fa48("417") ? u32(v) !== 0 : stryMutAct_9fa48("416") ? false : (stryCov_9fa48("416", "417"), u32(v) === 0)))) {
          if (stryMutAct_9fa48("418")) {
            {}
          } else {
            stryCov_9fa48("418");
            return verdict(check, stryMutAct_9fa48("419") ? "" : (stryCov_9fa48("419"), 'warning'), stryMutAct_9fa48("420") ? `` : (stryCov_9fa48("420"), `msDS-SupportedEncryptionTypes is unset: RC4 by default on older systems, no AES.${ignored}`), aesFix(trust));
          }
        }
        if (stryMutAct_9fa48("422") ? false : stryMutAct_9fa48("421") ? true : (stryCov_9fa48("421", "422"), has(v, AES))) {
          if (stryMutAct_9fa48("423")) {
            {}
          } else {
            stryCov_9fa48("423");
            const des = has(v, DES) ? stryMutAct_9fa48("424") ? "" : (stryCov_9fa48("424"), ' DES is listed too.') : stryMutAct_9fa48("425") ? "Stryker was here!" : (stryCov_9fa48("425"), '');
            return verdict(check, stryMutAct_9fa48("426") ? "" : (stryCov_9fa48("426"), 'ok'), stryMutAct_9fa48("427") ? `` : (stryCov_9fa48("427"), `AES allowed: ${etypes(v)}.${des}${ignored}`));
          }
        }
        if (stryMutAct_9fa48("430") ? has(v, DES) || !has(v, EncryptionType.RC4_HMAC) : stryMutAct_9fa48("429") ? false : stryMutAct_9fa48("428") ? true : (stryCov_9fa48("428", "429", "430"), has(v, DES) && (stryMutAct_9fa48("431") ? has(v, EncryptionType.RC4_HMAC) : (stryCov_9fa48("431"), !has(v, EncryptionType.RC4_HMAC))))) {
          if (stryMutAct_9fa48("432")) {
            {}
          } else {
            stryCov_9fa48("432");
            return verdict(check, stryMutAct_9fa48("433") ? "" : (stryCov_9fa48("433"), 'critical'), stryMutAct_9fa48("434") ? `` : (stryCov_9fa48("434"), `DES only: ${etypes(v)} has neither AES (0x8, 0x10) nor RC4 (0x4).${ignored}`), aesFix(trust));
          }
        }
        return verdict(check, stryMutAct_9fa48("435") ? "" : (stryCov_9fa48("435"), 'warning'), stryMutAct_9fa48("436") ? `` : (stryCov_9fa48("436"), `No AES: ${etypes(v)} has neither AES128 (0x8) nor AES256 (0x10), so RC4 is used.${ignored}`), aesFix(trust));
      }
    }
    if (stryMutAct_9fa48("439") ? trust.type !== 3 : stryMutAct_9fa48("438") ? false : stryMutAct_9fa48("437") ? true : (stryCov_9fa48("437", "438", "439"), trust.type === 3)) {
      if (stryMutAct_9fa48("440")) {
        {}
      } else {
        stryCov_9fa48("440");
        if (stryMutAct_9fa48("443") ? v !== undefined || has(v, AES) : stryMutAct_9fa48("442") ? false : stryMutAct_9fa48("441") ? true : (stryCov_9fa48("441", "442", "443"), (stryMutAct_9fa48("445") ? v === undefined : stryMutAct_9fa48("444") ? true : (stryCov_9fa48("444", "445"), v !== undefined)) && has(v, AES))) return verdict(check, stryMutAct_9fa48("446") ? "" : (stryCov_9fa48("446"), 'ok'), stryMutAct_9fa48("447") ? `` : (stryCov_9fa48("447"), `AES allowed: ${etypes(v)}.`));
        const rc4Types = stryMutAct_9fa48("450") ? v !== undefined || has(v, EncryptionType.RC4_HMAC) : stryMutAct_9fa48("449") ? false : stryMutAct_9fa48("448") ? true : (stryCov_9fa48("448", "449", "450"), (stryMutAct_9fa48("452") ? v === undefined : stryMutAct_9fa48("451") ? true : (stryCov_9fa48("451", "452"), v !== undefined)) && has(v, EncryptionType.RC4_HMAC));
        if (stryMutAct_9fa48("455") ? rc4Flag && rc4Types : stryMutAct_9fa48("454") ? false : stryMutAct_9fa48("453") ? true : (stryCov_9fa48("453", "454", "455"), rc4Flag || rc4Types)) {
          if (stryMutAct_9fa48("456")) {
            {}
          } else {
            stryCov_9fa48("456");
            const why = rc4Flag ? stryMutAct_9fa48("457") ? "" : (stryCov_9fa48("457"), 'USES_RC4_ENCRYPTION (0x80) is set') : stryMutAct_9fa48("458") ? `` : (stryCov_9fa48("458"), `${etypes(stryMutAct_9fa48("459") ? v && 0 : (stryCov_9fa48("459"), v ?? 0))} lists RC4_HMAC`);
            return verdict(check, stryMutAct_9fa48("460") ? "" : (stryCov_9fa48("460"), 'warning'), stryMutAct_9fa48("461") ? `` : (stryCov_9fa48("461"), `RC4 only on this MIT realm trust: ${why} and no AES type is listed.`), aesFix(trust));
          }
        }
        // Without the flag and without AES or RC4 types, only DES keys are derived for a realm trust.
        const listed = (stryMutAct_9fa48("464") ? v === undefined && u32(v) === 0 : stryMutAct_9fa48("463") ? false : stryMutAct_9fa48("462") ? true : (stryCov_9fa48("462", "463", "464"), (stryMutAct_9fa48("466") ? v !== undefined : stryMutAct_9fa48("465") ? false : (stryCov_9fa48("465", "466"), v === undefined)) || (stryMutAct_9fa48("468") ? u32(v) !== 0 : stryMutAct_9fa48("467") ? false : (stryCov_9fa48("467", "468"), u32(v) === 0)))) ? stryMutAct_9fa48("469") ? "" : (stryCov_9fa48("469"), 'msDS-SupportedEncryptionTypes is unset') : etypes(v);
        return verdict(check, stryMutAct_9fa48("470") ? "" : (stryCov_9fa48("470"), 'critical'), stryMutAct_9fa48("471") ? `` : (stryCov_9fa48("471"), `DES only on this MIT realm trust: ${listed} and USES_RC4_ENCRYPTION (0x80) is not set.`), aesFix(trust));
      }
    }
    return verdict(check, stryMutAct_9fa48("472") ? "" : (stryCov_9fa48("472"), 'not_applicable'), stryMutAct_9fa48("473") ? `` : (stryCov_9fa48("473"), `trustType ${trust.type} (${trustTypeName(trust.type)}): no Active Directory or MIT Kerberos trust key to judge.`));
  }
}

/**
 * A downlevel (NT4-style) trust speaks NTLM only, so it loses Kerberos and everything above. The
 * fix re-creates it by DNS name, trusting domain first, once per direction it has.
 */
function downlevel(trust: TrustObject): Verdict {
  if (stryMutAct_9fa48("474")) {
    {}
  } else {
    stryCov_9fa48("474");
    const check = stryMutAct_9fa48("475") ? "" : (stryCov_9fa48("475"), 'trust.downlevel');
    if (stryMutAct_9fa48("478") ? trust.type !== 1 : stryMutAct_9fa48("477") ? false : stryMutAct_9fa48("476") ? true : (stryCov_9fa48("476", "477", "478"), trust.type === 1)) {
      if (stryMutAct_9fa48("479")) {
        {}
      } else {
        stryCov_9fa48("479");
        const {
          trusting,
          trusted
        } = trustingFirst(trust);
        const twoWay = (stryMutAct_9fa48("482") ? trust.direction !== 3 : stryMutAct_9fa48("481") ? false : stryMutAct_9fa48("480") ? true : (stryCov_9fa48("480", "481", "482"), trust.direction === 3)) ? stryMutAct_9fa48("483") ? "" : (stryCov_9fa48("483"), ' /twoway') : stryMutAct_9fa48("484") ? "Stryker was here!" : (stryCov_9fa48("484"), '');
        return verdict(check, stryMutAct_9fa48("485") ? "" : (stryCov_9fa48("485"), 'warning'), stryMutAct_9fa48("486") ? "" : (stryCov_9fa48("486"), 'trustType 1 (downlevel): a Windows NT4-style trust, NTLM only, no Kerberos.'), stryMutAct_9fa48("487") ? `` : (stryCov_9fa48("487"), `remove the trust and create it again by DNS name, so it is made as an Active Directory (uplevel) trust: ${netdom(trusting, trusted, stryMutAct_9fa48("488") ? "" : (stryCov_9fa48("488"), '/remove'))}, then ${netdom(trusting, trusted, stryMutAct_9fa48("489") ? `` : (stryCov_9fa48("489"), `/add${twoWay} /userD:${trusted}\\<admin> /passwordD:* /userO:${trusting}\\<admin> /passwordO:*`))}`));
      }
    }
    if (stryMutAct_9fa48("492") ? trust.type !== 2 : stryMutAct_9fa48("491") ? false : stryMutAct_9fa48("490") ? true : (stryCov_9fa48("490", "491", "492"), trust.type === 2)) return verdict(check, stryMutAct_9fa48("493") ? "" : (stryCov_9fa48("493"), 'ok'), stryMutAct_9fa48("494") ? "" : (stryCov_9fa48("494"), 'trustType 2 (uplevel): an Active Directory trust, Kerberos and NTLM.'));
    return verdict(check, stryMutAct_9fa48("495") ? "" : (stryCov_9fa48("495"), 'not_applicable'), stryMutAct_9fa48("496") ? `` : (stryCov_9fa48("496"), `trustType ${trust.type} (${trustTypeName(trust.type)}) is not a Windows domain trust.`));
  }
}

/** What the verdicts need beyond the object itself. */
export interface VerdictContext {
  /** DNS names of the partner forest's domains that a scanner-info record (flag 0x1) exempts from authentication target validation. */
  scannerValidationDisabled: readonly string[];
}

/** All six verdicts, always in TRUST_CHECKS order. */
export function trustVerdicts(trust: TrustObject, context: VerdictContext = stryMutAct_9fa48("497") ? {} : (stryCov_9fa48("497"), {
  scannerValidationDisabled: stryMutAct_9fa48("498") ? ["Stryker was here"] : (stryCov_9fa48("498"), [])
})): Verdict[] {
  if (stryMutAct_9fa48("499")) {
    {}
  } else {
    stryCov_9fa48("499");
    const kind = trustKind(trust);
    return stryMutAct_9fa48("500") ? [] : (stryCov_9fa48("500"), [sidFiltering(trust, kind), tgtDelegation(trust, kind), selectiveAuth(trust, kind), authTargetValidation(trust, context.scannerValidationDisabled), encryption(trust), downlevel(trust)]);
  }
}