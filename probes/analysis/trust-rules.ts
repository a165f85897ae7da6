// Pure rules over one trustedDomain object (MS-ADTS 6.1.6.7): names for its raw numbers and the
// six verdicts the agent reports about it. Nothing here does I/O, so every rule can be pinned
// down by a table of (object -> verdicts) in the tests.
//
// The rules follow the specifications, not the public audit tools: PingCastle and ADEssentials
// read USES_RC4_ENCRYPTION (0x80) as "RC4 in use" on AD trusts, and ADEssentials maps the
// msDS-SupportedEncryptionTypes bits above 0x10 wrongly. See docs/ad-trust-facts.md (shared).

/** One trustedDomain object as read over LDAP, seen from `domain` (the domain holding it). */
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
  TREE_ROOT: 0x800000,
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
  RESOURCE_SID_COMPRESSION_DISABLED: 0x80000,
} as const;

const DES = EncryptionType.DES_CBC_CRC | EncryptionType.DES_CBC_MD5;
// MS-KILE's own test for "no AES": only these two bits are AES trust keys. AES256_SESSION_KEYS
// (0x20) governs session keys and does not put an AES key on the trust.
const AES = EncryptionType.AES128_CTS_HMAC_SHA1_96 | EncryptionType.AES256_CTS_HMAC_SHA1_96;

/** The value as an unsigned 32-bit number: LDAP integers with bit 31 set can arrive negative. */
function u32(value: number): number {
  return value >>> 0;
}

function hex(value: number): string {
  return `0x${u32(value).toString(16)}`;
}

function has(value: number, bits: number): boolean {
  return (u32(value) & bits) !== 0;
}

function bitNames(value: number, table: Readonly<Record<string, number>>): string[] {
  const known = new Map<number, string>(Object.entries(table).map(([name, bit]) => [bit, name]));
  const v = u32(value);
  const names: string[] = [];
  for (let shift = 0; shift < 32; shift++) {
    const bit = u32(1 << shift);
    if ((v & bit) !== 0) names.push(known.get(bit) ?? hex(bit));
  }
  return names;
}

export type DirectionName = 'disabled' | 'inbound' | 'outbound' | 'bidirectional' | 'unknown';

/** trustDirection (MS-ADTS 6.1.6.7.12) by name. */
export function directionName(direction: number): DirectionName {
  switch (direction) {
    case 0:
      return 'disabled';
    case 1:
      return 'inbound';
    case 2:
      return 'outbound';
    case 3:
      return 'bidirectional';
    default:
      return 'unknown';
  }
}

/** The direction the partner's object should carry for the same trust. */
export function mirrorDirection(direction: number): number {
  if (direction === 1) return 2;
  if (direction === 2) return 1;
  return direction;
}

/** The partner trusts `domain`: `domain`'s users can reach the partner's resources. */
export function includesInbound(direction: number): boolean {
  return direction === 1 || direction === 3;
}

/** `domain` trusts the partner: the partner's users can reach `domain`'s resources. */
export function includesOutbound(direction: number): boolean {
  return direction === 2 || direction === 3;
}

export type TrustTypeName = 'downlevel' | 'uplevel' | 'mit' | 'dce' | 'aad' | 'unknown';

/** trustType (MS-ADTS 6.1.6.7.15) by name. */
export function trustTypeName(type: number): TrustTypeName {
  switch (type) {
    case 1:
      return 'downlevel';
    case 2:
      return 'uplevel';
    case 3:
      return 'mit';
    case 4:
      return 'dce';
    case 5:
      return 'aad';
    default:
      return 'unknown';
  }
}

/** Every set bit by its spec name (TrustAttribute); unknown bits as "0x<hex>". */
export function attributeNames(attributes: number): string[] {
  return bitNames(attributes, TrustAttribute);
}

/** Every set bit by its spec name (EncryptionType); unknown bits as "0x<hex>"; [] when absent. */
export function encryptionTypeNames(value: number | undefined): string[] {
  return value === undefined ? [] : bitNames(value, EncryptionType);
}

/**
 * Samba's rule. WITHIN_FOREST wins over NON_TRANSITIVE because every trust inside a forest is
 * transitive whatever else is set; without either, only a forest trust is transitive (external
 * trusts never are). A Windows 2000-era intra-forest trust with attributes 0 therefore reads as
 * not transitive: the object alone cannot tell it from an external trust.
 */
export function isTransitive(trust: Pick<TrustObject, 'attributes'>): boolean {
  if (has(trust.attributes, TrustAttribute.WITHIN_FOREST)) return true;
  if (has(trust.attributes, TrustAttribute.NON_TRANSITIVE)) return false;
  return has(trust.attributes, TrustAttribute.FOREST_TRANSITIVE);
}

export type TrustKind = 'forest' | 'external' | 'within_forest' | 'realm' | 'other';

/**
 * What sort of trust the object describes; the verdicts below hang on this. The type decides
 * before the attributes: netdom's /foresttransitive is also "valid for non-Windows realm trusts",
 * and such a realm is still a realm, not an Active Directory forest.
 */
export function trustKind(trust: Pick<TrustObject, 'type' | 'attributes'>): TrustKind {
  if (trust.type === 3) return 'realm';
  if (trust.type !== 1 && trust.type !== 2) return 'other';
  if (has(trust.attributes, TrustAttribute.FOREST_TRANSITIVE)) return 'forest';
  if (has(trust.attributes, TrustAttribute.WITHIN_FOREST)) return 'within_forest';
  return 'external';
}

export type VerdictStatus = 'ok' | 'warning' | 'critical' | 'not_applicable';

export type TrustCheck =
  | 'trust.sid_filtering'
  | 'trust.tgt_delegation'
  | 'trust.selective_auth'
  | 'trust.auth_target_validation'
  | 'trust.encryption'
  | 'trust.downlevel';

/** The checks trustVerdicts returns, in its order. */
export const TRUST_CHECKS: readonly TrustCheck[] = [
  'trust.sid_filtering',
  'trust.tgt_delegation',
  'trust.selective_auth',
  'trust.auth_target_validation',
  'trust.encryption',
  'trust.downlevel',
];

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
  return `netdom trust ${trusting} /domain:${trusted} ${option}`;
}

/** The trusting and the trusted domain of the direction an object describes, seen from its holder. */
export function trustingFirst(trust: Pick<TrustObject, 'domain' | 'partner' | 'direction'>): {
  trusting: string;
  trusted: string;
} {
  return includesOutbound(trust.direction)
    ? { trusting: trust.domain, trusted: trust.partner }
    : { trusting: trust.partner, trusted: trust.domain };
}

function verdict(check: TrustCheck, status: VerdictStatus, reason: string, remediation = ''): Verdict {
  return { check, status, reason, remediation };
}

function disabled(check: TrustCheck): Verdict {
  return verdict(check, 'not_applicable', 'The trust is disabled (trustDirection 0): no authentication crosses it.');
}

function isWindowsDomainType(type: number): boolean {
  return type === 1 || type === 2;
}

function notWindowsDomain(check: TrustCheck, trust: TrustObject, why: string): Verdict {
  return verdict(
    check,
    'not_applicable',
    `trustType ${trust.type} (${trustTypeName(trust.type)}) is not a Windows domain trust: ${why}`,
  );
}

/** "DC=tailspin,DC=test" for "tailspin.test". */
function domainDn(domain: string): string {
  return domain
    .split('.')
    .map((label) => `DC=${label}`)
    .join(',');
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
  const check = 'trust.sid_filtering';
  const { domain, partner, attributes } = trust;
  if (trust.direction === 0) return disabled(check);
  if (!includesOutbound(trust.direction)) {
    return verdict(
      check,
      'not_applicable',
      `Inbound-only trust: ${partner} holds the resources, so SID filtering is decided on its side, not in ${domain}.`,
    );
  }
  if (has(attributes, TrustAttribute.WITHIN_FOREST)) {
    return verdict(
      check,
      'not_applicable',
      'Trust inside the forest (WITHIN_FOREST): SIDs are not filtered between domains of one forest.',
    );
  }
  if (kind === 'realm') {
    return verdict(
      check,
      'not_applicable',
      'Trust with an MIT Kerberos realm (trustType 3): no Windows SIDs come across it to filter.',
    );
  }
  if (kind === 'other') return notWindowsDomain(check, trust, 'SID filtering does not apply.');
  const pim = has(attributes, TrustAttribute.PIM_TRUST);
  const treatAsExternal = has(attributes, TrustAttribute.TREAT_AS_EXTERNAL);
  if (kind === 'forest') {
    if (treatAsExternal && pim) {
      return verdict(
        check,
        'warning',
        `PIM_TRUST (0x400) with TREAT_AS_EXTERNAL (0x40): a Privileged Identity Management trust (MS-ADTS 6.1.6.7.9, MS-PAC 4.1.2.2): SIDs of ${domain}'s own forest, privileged ones included, are accepted from ${partner}'s shadow principals, and SID history from ${partner} too. Right only if ${partner} is this forest's bastion (PAM) forest.`,
        `if ${partner} is not (or no longer) this forest's bastion forest: ${netdom(domain, partner, '/EnablePIMTrust:no')}, then ${netdom(domain, partner, '/enablesidhistory:no')}`,
      );
    }
    if (treatAsExternal) {
      return verdict(
        check,
        'warning',
        `TREAT_AS_EXTERNAL (0x40) is set on this forest trust (MS-ADTS 6.1.6.7.9): it is filtered by external-trust rules, so SID history from the partner forest ${partner} is accepted.`,
        netdom(domain, partner, '/enablesidhistory:no'),
      );
    }
    const inert = pim
      ? ' PIM_TRUST (0x400) is set without TREAT_AS_EXTERNAL (0x40), so it has no effect (MS-ADTS 6.1.6.7.9: it counts only with both bits).'
      : '';
    return verdict(
      check,
      'ok',
      `Forest trust (FOREST_TRANSITIVE) without TREAT_AS_EXTERNAL: SID filtering on, SIDs of ${domain}'s own forest are dropped (MS-PAC 4.1.2.2).${inert}`,
    );
  }
  const inertBits = [pim ? 'PIM_TRUST (0x400)' : '', treatAsExternal ? 'TREAT_AS_EXTERNAL (0x40)' : ''].filter(
    (name) => name !== '',
  );
  const inert =
    inertBits.length > 0
      ? ` ${inertBits.join(' and ')} ${inertBits.length > 1 ? 'are' : 'is'} evaluated only on forest trusts (FOREST_TRANSITIVE), so ${inertBits.length > 1 ? 'they change' : 'it changes'} nothing here.`
      : '';
  if (has(attributes, TrustAttribute.QUARANTINED_DOMAIN)) {
    return verdict(
      check,
      'ok',
      `QUARANTINED_DOMAIN is set: SID filtering on, only SIDs of ${partner} itself are accepted (MS-PAC 4.1.2.2).${inert}`,
    );
  }
  // Attributes 0 is also what a Windows 2000-era trust inside one forest carries; the object
  // cannot tell the two apart, so the reason says so instead of guessing.
  const era =
    u32(attributes) === 0
      ? ` (trustAttributes 0 is also what a Windows 2000-era trust inside one forest carries; if ${partner} is in this forest, there is nothing to fix.)`
      : '';
  return verdict(
    check,
    'warning',
    `QUARANTINED_DOMAIN is not set on this external trust: SID history from ${partner} is accepted; only SIDs of ${domain}'s own forest are dropped (MS-PAC 4.1.2.2).${inert}${era}`,
    netdom(domain, partner, '/quarantine:yes'),
  );
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
  const check = 'trust.tgt_delegation';
  const { domain, partner, attributes } = trust;
  if (trust.direction === 0) return disabled(check);
  if (trust.type !== 2 && trust.type !== 3) {
    return verdict(
      check,
      'not_applicable',
      `trustType ${trust.type} (${trustTypeName(trust.type)}): no Kerberos referral crosses this trust, so TGT delegation does not apply.`,
    );
  }
  if (has(attributes, TrustAttribute.WITHIN_FOREST)) {
    return verdict(
      check,
      'not_applicable',
      'Trust inside the forest (WITHIN_FOREST): an EnableCondition of MS-KILE 3.3.5.7.5 by design; delegation inside one forest is not limited by the trust.',
    );
  }
  if (!includesInbound(trust.direction)) {
    return verdict(
      check,
      'not_applicable',
      `Outbound-only trust: ${partner} does not trust ${domain}, so no referral for ${domain}'s users is issued under this object (MS-KILE 3.3.5.7.5 reads the TDO of the trusted side).`,
    );
  }
  const enable = has(attributes, TrustAttribute.CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION);
  const noTgt = has(attributes, TrustAttribute.CROSS_ORGANIZATION_NO_TGT_DELEGATION);
  const quarantined = has(attributes, TrustAttribute.QUARANTINED_DOMAIN);
  if (!enable) {
    const alsoBlocked = noTgt
      ? ' CROSS_ORGANIZATION_NO_TGT_DELEGATION (0x200) is set too, a DisableCondition that would block it anyway.'
      : '';
    return verdict(
      check,
      'ok',
      `CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) is not set: no EnableCondition of MS-KILE 3.3.5.7.5, so TGTs of ${domain}'s users are not delegated to ${partner}'s services.${alsoBlocked}`,
    );
  }
  if (noTgt || quarantined) {
    const blockers = [
      noTgt ? 'CROSS_ORGANIZATION_NO_TGT_DELEGATION (0x200)' : '',
      quarantined ? 'QUARANTINED_DOMAIN (0x4)' : '',
    ].filter((name) => name !== '');
    return verdict(
      check,
      'ok',
      `CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) is set, but ${blockers.join(' and ')} ${blockers.length > 1 ? 'are DisableConditions' : 'is a DisableCondition'} of MS-KILE 3.3.5.7.5 and ${blockers.length > 1 ? 'cancel' : 'cancels'} it: TGTs of ${domain}'s users are not delegated.`,
    );
  }
  const cleared = u32(attributes) & ~TrustAttribute.CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION;
  // netdom's /EnableTGTDelegation works "on outbound forest trusts" only; elsewhere the bit is cleared on the object.
  const fix =
    kind === 'forest'
      ? netdom(partner, domain, '/EnableTGTDelegation:no')
      : `clear 0x800 on ${domain}'s trust object for ${partner} (netdom's /EnableTGTDelegation applies to forest trusts only): Set-ADObject -Identity "CN=${partner},CN=System,${domainDn(domain)}" -Replace @{trustAttributes=${cleared}}`;
  return verdict(
    check,
    'warning',
    `CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) is set without 0x200 or QUARANTINED_DOMAIN on a trust whose direction includes inbound: by MS-KILE 3.3.5.7.5 referrals carry ok-as-delegate, so services in ${partner} trusted for unconstrained delegation receive the TGTs of ${domain}'s users (assuming their service tickets carry ok-as-delegate, which the trust object cannot show).`,
    fix,
  );
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
  const check = 'trust.selective_auth';
  const { domain, partner } = trust;
  if (trust.direction === 0) return disabled(check);
  if (has(trust.attributes, TrustAttribute.WITHIN_FOREST)) {
    return verdict(
      check,
      'not_applicable',
      'Trust inside the forest (WITHIN_FOREST): selective authentication does not exist between domains of one forest.',
    );
  }
  if (!includesOutbound(trust.direction)) {
    return verdict(
      check,
      'not_applicable',
      `Inbound-only trust: ${partner}'s users do not authenticate to ${domain} over it; selective authentication would be set on ${partner}'s side.`,
    );
  }
  if (kind === 'realm' || kind === 'other') {
    return verdict(
      check,
      'not_applicable',
      `trustType ${trust.type} (${trustTypeName(trust.type)}): selective authentication exists only on forest and external trusts between Windows domains.`,
    );
  }
  if (has(trust.attributes, TrustAttribute.CROSS_ORGANIZATION)) {
    return verdict(
      check,
      'ok',
      `Selective authentication on (CROSS_ORGANIZATION): ${partner}'s users reach only the resources that grant them "Allowed to authenticate".`,
    );
  }
  const scope = kind === 'forest' ? 'Forest-wide' : 'Domain-wide';
  return verdict(
    check,
    'ok',
    `${scope} authentication (CROSS_ORGANIZATION not set): every user of ${partner} can authenticate to every resource of ${domain}.`,
  );
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
  const check = 'trust.auth_target_validation';
  const { domain, partner } = trust;
  if (trust.direction === 0) return disabled(check);
  if (!isWindowsDomainType(trust.type)) return notWindowsDomain(check, trust, 'no NTLM pass-through crosses it.');
  if (!includesInbound(trust.direction)) {
    return verdict(
      check,
      'not_applicable',
      `Outbound-only trust: ${domain}'s DCs receive no NTLM pass-through requests from ${partner} over it; the validation is done by ${partner}'s DCs.`,
    );
  }
  const wholeTrust = has(trust.attributes, TrustAttribute.DISABLE_AUTH_TARGET_VALIDATION);
  if (!wholeTrust && scannerDisabled.length === 0) {
    return verdict(
      check,
      'ok',
      `DISABLE_AUTH_TARGET_VALIDATION (0x1000) is not set${trustKind(trust) === 'forest' ? ' and no scanner-info record disables it' : ''}: authentication target validation is on for NTLM pass-through from ${partner}.`,
    );
  }
  const reasons: string[] = [];
  const fixes: string[] = [];
  if (wholeTrust) {
    reasons.push(
      `DISABLE_AUTH_TARGET_VALIDATION (0x1000) is set: authentication target validation is off for all NTLM pass-through from ${partner} over this trust`,
    );
    fixes.push(netdom(domain, partner, '/AuthTargetValidation:yes'));
  }
  if (scannerDisabled.length > 0) {
    reasons.push(
      `scanner-info records turn it off (LSA_SCANNER_INFO_DISABLE_AUTH_TARGET_VALIDATION, flag 0x1) for ${scannerDisabled.join(', ')}`,
    );
    for (const child of scannerDisabled)
      fixes.push(netdom(domain, partner, `/AuthTargetValidation:yes /ChildDomain:${child}`));
  }
  return verdict(check, 'warning', `${reasons.join('; ')} (KB5010576).`, fixes.join('; '));
}

function aesFix(trust: TrustObject): string {
  return `ksetup /setenctypeattr ${trust.partner} AES128-CTS-HMAC-SHA1-96 AES256-CTS-HMAC-SHA1-96 on a DC of ${trust.domain} (or tick "The other domain supports Kerberos AES Encryption" in the trust's properties)`;
}

function etypes(value: number): string {
  return `msDS-SupportedEncryptionTypes ${hex(value)} (${encryptionTypeNames(value).join(', ')})`;
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
  const check = 'trust.encryption';
  const v = trust.encryptionTypes;
  const rc4Flag = has(trust.attributes, TrustAttribute.USES_RC4_ENCRYPTION);
  if (trust.type === 1) {
    return verdict(
      check,
      'not_applicable',
      'trustType 1 (downlevel): NTLM only, no Kerberos trust key whose encryption types could be judged (trust.downlevel reports the trust itself).',
    );
  }
  if (trust.type === 2) {
    const ignored = rc4Flag
      ? ' USES_RC4_ENCRYPTION (0x80) is set but means nothing on an Active Directory trust, so it is ignored.'
      : '';
    if (v === undefined || u32(v) === 0) {
      return verdict(
        check,
        'warning',
        `msDS-SupportedEncryptionTypes is unset: RC4 by default on older systems, no AES.${ignored}`,
        aesFix(trust),
      );
    }
    if (has(v, AES)) {
      const des = has(v, DES) ? ' DES is listed too.' : '';
      return verdict(check, 'ok', `AES allowed: ${etypes(v)}.${des}${ignored}`);
    }
    if (has(v, DES) && !has(v, EncryptionType.RC4_HMAC)) {
      return verdict(
        check,
        'critical',
        `DES only: ${etypes(v)} has neither AES (0x8, 0x10) nor RC4 (0x4).${ignored}`,
        aesFix(trust),
      );
    }
    return verdict(
      check,
      'warning',
      `No AES: ${etypes(v)} has neither AES128 (0x8) nor AES256 (0x10), so RC4 is used.${ignored}`,
      aesFix(trust),
    );
  }
  if (trust.type === 3) {
    if (v !== undefined && has(v, AES)) return verdict(check, 'ok', `AES allowed: ${etypes(v)}.`);
    const rc4Types = v !== undefined && has(v, EncryptionType.RC4_HMAC);
    if (rc4Flag || rc4Types) {
      const why = rc4Flag ? 'USES_RC4_ENCRYPTION (0x80) is set' : `${etypes(v ?? 0)} lists RC4_HMAC`;
      return verdict(
        check,
        'warning',
        `RC4 only on this MIT realm trust: ${why} and no AES type is listed.`,
        aesFix(trust),
      );
    }
    // Without the flag and without AES or RC4 types, only DES keys are derived for a realm trust.
    const listed = v === undefined || u32(v) === 0 ? 'msDS-SupportedEncryptionTypes is unset' : etypes(v);
    return verdict(
      check,
      'critical',
      `DES only on this MIT realm trust: ${listed} and USES_RC4_ENCRYPTION (0x80) is not set.`,
      aesFix(trust),
    );
  }
  return verdict(
    check,
    'not_applicable',
    `trustType ${trust.type} (${trustTypeName(trust.type)}): no Active Directory or MIT Kerberos trust key to judge.`,
  );
}

/**
 * A downlevel (NT4-style) trust speaks NTLM only, so it loses Kerberos and everything above. The
 * fix re-creates it by DNS name, trusting domain first, once per direction it has.
 */
function downlevel(trust: TrustObject): Verdict {
  const check = 'trust.downlevel';
  if (trust.type === 1) {
    const { trusting, trusted } = trustingFirst(trust);
    const twoWay = trust.direction === 3 ? ' /twoway' : '';
    return verdict(
      check,
      'warning',
      'trustType 1 (downlevel): a Windows NT4-style trust, NTLM only, no Kerberos.',
      `remove the trust and create it again by DNS name, so it is made as an Active Directory (uplevel) trust: ${netdom(trusting, trusted, '/remove')}, then ${netdom(trusting, trusted, `/add${twoWay} /userD:${trusted}\\<admin> /passwordD:* /userO:${trusting}\\<admin> /passwordO:*`)}`,
    );
  }
  if (trust.type === 2)
    return verdict(check, 'ok', 'trustType 2 (uplevel): an Active Directory trust, Kerberos and NTLM.');
  return verdict(
    check,
    'not_applicable',
    `trustType ${trust.type} (${trustTypeName(trust.type)}) is not a Windows domain trust.`,
  );
}

/** What the verdicts need beyond the object itself. */
export interface VerdictContext {
  /** DNS names of the partner forest's domains that a scanner-info record (flag 0x1) exempts from authentication target validation. */
  scannerValidationDisabled: readonly string[];
}

/** All six verdicts, always in TRUST_CHECKS order. */
export function trustVerdicts(
  trust: TrustObject,
  context: VerdictContext = { scannerValidationDisabled: [] },
): Verdict[] {
  const kind = trustKind(trust);
  return [
    sidFiltering(trust, kind),
    tgtDelegation(trust, kind),
    selectiveAuth(trust, kind),
    authTargetValidation(trust, context.scannerValidationDisabled),
    encryption(trust),
    downlevel(trust),
  ];
}
