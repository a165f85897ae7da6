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

/** What sort of trust the object describes; the verdicts below hang on this. */
export function trustKind(trust: TrustObject): TrustKind {
  if (has(trust.attributes, TrustAttribute.FOREST_TRANSITIVE)) return 'forest';
  if (has(trust.attributes, TrustAttribute.WITHIN_FOREST)) return 'within_forest';
  if (trust.type === 3) return 'realm';
  if (trust.type === 1 || trust.type === 2) return 'external';
  return 'other';
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

/** netdom's own argument order: the trusting domain first, the trusted one after /domain:. */
function netdom(trusting: string, trusted: string, option: string): string {
  return `netdom trust ${trusting} /domain:${trusted} ${option}`;
}

function verdict(check: TrustCheck, status: VerdictStatus, reason: string, remediation = ''): Verdict {
  return { check, status, reason, remediation };
}

function disabled(check: TrustCheck): Verdict {
  return verdict(check, 'not_applicable', 'The trust is disabled (trustDirection 0): no authentication crosses it.');
}

/**
 * SID filtering is done by the trusting side, on the SIDs the partner's users bring in, so only
 * a direction that includes outbound has anything to filter here; an inbound-only object is
 * filtered (or not) by the partner. Inside a forest SIDs are not filtered by design, and a PIM
 * trust carries shadow-principal SIDs on purpose. A forest trust filters by default;
 * TREAT_AS_EXTERNAL relaxes it to external-trust rules, which let SID history through. An
 * external trust filters only when QUARANTINED_DOMAIN is set.
 */
function sidFiltering(trust: TrustObject, kind: TrustKind): Verdict {
  const check = 'trust.sid_filtering';
  const { domain, partner, attributes } = trust;
  if (trust.direction === 0) return disabled(check);
  if (trust.direction === 1) {
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
  if (has(attributes, TrustAttribute.PIM_TRUST)) {
    return verdict(
      check,
      'not_applicable',
      'Privileged-access trust (PIM_TRUST): it carries shadow-principal SIDs by design, so SID filtering rules do not apply.',
    );
  }
  if (kind === 'realm') {
    return verdict(
      check,
      'not_applicable',
      'Trust with an MIT Kerberos realm (trustType 3): no Windows SIDs come across it to filter.',
    );
  }
  if (kind === 'other') {
    return verdict(
      check,
      'not_applicable',
      `trustType ${trust.type} (${trustTypeName(trust.type)}) is not an Active Directory trust: SID filtering does not apply.`,
    );
  }
  if (kind === 'forest') {
    if (has(attributes, TrustAttribute.TREAT_AS_EXTERNAL)) {
      return verdict(
        check,
        'warning',
        `TREAT_AS_EXTERNAL is set on this forest trust: SID history from the partner forest ${partner} is accepted.`,
        netdom(domain, partner, '/enablesidhistory:no'),
      );
    }
    return verdict(
      check,
      'ok',
      `Forest trust (FOREST_TRANSITIVE) without TREAT_AS_EXTERNAL: SID filtering on, SIDs from outside ${partner}'s forest are dropped.`,
    );
  }
  if (has(attributes, TrustAttribute.QUARANTINED_DOMAIN)) {
    return verdict(
      check,
      'ok',
      `QUARANTINED_DOMAIN is set: SID filtering on, only SIDs of ${partner} itself are accepted.`,
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
    `QUARANTINED_DOMAIN is not set on this external trust: SID filtering is off, so SID history from ${partner} is accepted.${era}`,
    netdom(domain, partner, '/quarantine:yes'),
  );
}

/**
 * With CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) on a forest trust, a service trusted for
 * unconstrained delegation on the trusting side receives full TGTs of the trusted side's users.
 * Seen from `domain`, its users go to the partner's services when the direction includes inbound,
 * so that is where the risk lies (KB4490425). CROSS_ORGANIZATION_NO_TGT_DELEGATION (0x200) has
 * meant nothing since the 2019 update made "no TGT delegation" the default, so it never changes
 * the verdict; the reason mentions it so nobody reads it as a mitigation.
 */
function tgtDelegation(trust: TrustObject, kind: TrustKind): Verdict {
  const check = 'trust.tgt_delegation';
  const { domain, partner, attributes } = trust;
  if (kind === 'within_forest') {
    return verdict(
      check,
      'not_applicable',
      'Trust inside the forest (WITHIN_FOREST): TGT delegation between domains of one forest is not limited by the trust.',
    );
  }
  const obsolete = has(attributes, TrustAttribute.CROSS_ORGANIZATION_NO_TGT_DELEGATION)
    ? ' CROSS_ORGANIZATION_NO_TGT_DELEGATION (0x200) is also set; it has meant nothing since the 2019 update that disabled TGT delegation by default, so it is not counted.'
    : '';
  if (!has(attributes, TrustAttribute.CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION)) {
    return verdict(
      check,
      'ok',
      `CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION is not set: TGTs of ${domain}'s users are not delegated across the trust.${obsolete}`,
    );
  }
  if (kind !== 'forest') {
    return verdict(
      check,
      'ok',
      `CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) is set, but this is not a forest trust (no FOREST_TRANSITIVE), where the flag is judged.${obsolete}`,
    );
  }
  if (!includesInbound(trust.direction)) {
    return verdict(
      check,
      'ok',
      `CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) is set, but the direction (${directionName(trust.direction)}) has no inbound part: ${domain}'s users do not use ${partner}'s services over this trust.${obsolete}`,
    );
  }
  return verdict(
    check,
    'warning',
    `CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) is set on a forest trust whose direction includes inbound: services in ${partner} trusted for unconstrained delegation receive the TGTs of ${domain}'s users.${obsolete}`,
    netdom(partner, domain, '/EnableTGTDelegation:no'),
  );
}

/**
 * Selective authentication (CROSS_ORGANIZATION) limits which of `domain`'s resources the
 * partner's users may authenticate to. Its absence is the default, not a fault, so the verdict is
 * information only. It applies where the partner's users come in (direction includes outbound);
 * not inside a forest, where it cannot be set.
 */
function selectiveAuth(trust: TrustObject, kind: TrustKind): Verdict {
  const check = 'trust.selective_auth';
  const { domain, partner } = trust;
  if (trust.direction === 0) return disabled(check);
  if (kind === 'within_forest') {
    return verdict(
      check,
      'not_applicable',
      'Trust inside the forest (WITHIN_FOREST): selective authentication does not exist between domains of one forest.',
    );
  }
  if (trust.direction === 1) {
    return verdict(
      check,
      'not_applicable',
      `Inbound-only trust: ${partner}'s users do not authenticate to ${domain} over it; selective authentication would be set on ${partner}'s side.`,
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
    `${scope} authentication (CROSS_ORGANIZATION not set): every partner user can authenticate to every resource.`,
  );
}

/**
 * DISABLE_AUTH_TARGET_VALIDATION (0x1000) turns off the check that an authentication request
 * really targets a server of the trusting side; off is always a risk. The flag is judged where
 * the validation happens, on the side holding the accounts, hence the argument order.
 */
function authTargetValidation(trust: TrustObject): Verdict {
  const check = 'trust.auth_target_validation';
  const { domain, partner } = trust;
  if (has(trust.attributes, TrustAttribute.DISABLE_AUTH_TARGET_VALIDATION)) {
    const fix = includesInbound(trust.direction)
      ? netdom(partner, domain, '/AuthTargetValidation:yes')
      : netdom(domain, partner, '/AuthTargetValidation:yes');
    return verdict(
      check,
      'warning',
      'DISABLE_AUTH_TARGET_VALIDATION (0x1000) is set: authentication target validation is off for this trust.',
      fix,
    );
  }
  return verdict(check, 'ok', 'DISABLE_AUTH_TARGET_VALIDATION is not set: authentication target validation is on.');
}

function aesFix(trust: TrustObject): string {
  return `ksetup /setenctypeattr ${trust.partner} AES128-CTS-HMAC-SHA1-96 AES256-CTS-HMAC-SHA1-96 on a DC of ${trust.domain} (or tick "The other domain supports Kerberos AES Encryption" in the trust's properties)`;
}

function etypes(value: number): string {
  return `msDS-SupportedEncryptionTypes ${hex(value)} (${encryptionTypeNames(value).join(', ')})`;
}

/**
 * On an Active Directory trust (types 1, 2) the trust key's encryption types come from
 * msDS-SupportedEncryptionTypes alone. USES_RC4_ENCRYPTION (0x80) is defined only for MIT realm
 * trusts (MS-ADTS on TDO keys: RC4 keys are derived for a type 3 trust only with that flag); on an
 * AD trust it means nothing and is ignored here, although PingCastle and ADEssentials report it
 * as "RC4 in use". Unset or 0 means RC4 by default on older systems; "no AES" is
 * `(v & 0x18) == 0` (MS-KILE), so AES256_SESSION_KEYS (0x20) alone does not count as AES. DES
 * alone is critical: it is broken and off by default since Windows 7 / 2008 R2.
 */
function encryption(trust: TrustObject): Verdict {
  const check = 'trust.encryption';
  const v = trust.encryptionTypes;
  const rc4Flag = has(trust.attributes, TrustAttribute.USES_RC4_ENCRYPTION);
  if (trust.type === 1 || trust.type === 2) {
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

/** A downlevel (NT4-style) trust speaks NTLM only, so it loses Kerberos and everything above. */
function downlevel(trust: TrustObject): Verdict {
  const check = 'trust.downlevel';
  if (trust.type === 1) {
    return verdict(
      check,
      'warning',
      'trustType 1 (downlevel): a Windows NT4-style trust, NTLM only, no Kerberos.',
      `remove the trust and create it again with the DNS name ${trust.partner} (netdom trust ... /remove, then /add), so it is made as an Active Directory (uplevel) trust`,
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

/** All six verdicts, always in TRUST_CHECKS order. */
export function trustVerdicts(trust: TrustObject): Verdict[] {
  const kind = trustKind(trust);
  return [
    sidFiltering(trust, kind),
    tgtDelegation(trust, kind),
    selectiveAuth(trust, kind),
    authTargetValidation(trust),
    encryption(trust),
    downlevel(trust),
  ];
}
