import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  attributeNames,
  directionName,
  encryptionTypeNames,
  includesInbound,
  includesOutbound,
  isTransitive,
  mirrorDirection,
  netdom,
  TRUST_CHECKS,
  trustKind,
  trustingFirst,
  trustTypeName,
  trustVerdicts,
  type TrustKind,
  type TrustObject,
  type Verdict,
  type VerdictStatus,
} from '../../../probes/analysis/trust-rules.js';

// Statuses of the six verdicts in TRUST_CHECKS order, one letter each, so a table row reads
// like the report: sid_filtering, tgt_delegation, selective_auth, auth_target_validation,
// encryption, downlevel.
const LETTER: Record<string, VerdictStatus> = { o: 'ok', w: 'warning', c: 'critical', n: 'not_applicable' };

function statuses(code: string): VerdictStatus[] {
  assert.equal(code.length, 6, `status code "${code}" must have six letters`);
  return Array.from({ length: code.length }, (_, index) => {
    const letter = code.charAt(index);
    const status = LETTER[letter];
    assert.ok(status, `unknown status letter "${letter}" in "${code}"`);
    return status;
  });
}

interface Case {
  name: string;
  type: number;
  attributes: number;
  encryptionTypes: number | undefined;
  /** Expected statuses for trustDirection 0, 1, 2 and 3. */
  expect: [string, string, string, string];
  attributeNames: string[];
  encryptionTypeNames: string[];
  transitive: boolean;
  kind: TrustKind;
}

const AES = ['AES128_CTS_HMAC_SHA1_96', 'AES256_CTS_HMAC_SHA1_96'];
// The usual AD pattern with nothing risky. By direction: disabled, everything n/a but the key
// and the type; inbound-only, the checks judged where the partner trusts this domain (TGT
// delegation, auth target validation); outbound-only, those judged where this domain trusts the
// partner (SID filtering, selective authentication); bidirectional, all of them.
const ALL_OK: Case['expect'] = ['nnnnoo', 'nonooo', 'ononoo', 'oooooo'];
const NO_SID_FILTERING: Case['expect'] = ['nnnnoo', 'nonooo', 'wnonoo', 'wooooo'];
const WEAK_ENCRYPTION: Case['expect'] = ['nnnnwo', 'nonowo', 'ononwo', 'oooowo'];
// 0x800 without a DisableCondition: TGTs delegated where the partner trusts this domain.
const DELEGATES: Case['expect'] = ['nnnnoo', 'nwnooo', 'ononoo', 'owoooo'];
const DELEGATES_UNFILTERED: Case['expect'] = ['nnnnoo', 'nwnooo', 'wnonoo', 'wwoooo'];
const NO_VALIDATION: Case['expect'] = ['nnnnoo', 'nonwoo', 'ononoo', 'ooowoo'];
const WITHIN: Case['expect'] = ['nnnnoo', 'nnnooo', 'nnnnoo', 'nnnooo'];
const REALM_AES: Case['expect'] = ['nnnnon', 'nonnon', 'nnnnon', 'nonnon'];
const NOTHING: Case['expect'] = ['nnnnnn', 'nnnnnn', 'nnnnnn', 'nnnnnn'];

// Every trustAttributes bit alone, on an external trust (type 2, nothing else set) and on a
// forest trust (with FOREST_TRANSITIVE): [bit, its name, external expect, forest expect].
const BITS: [number, string, Case['expect'], Case['expect']][] = [
  [0x1, 'NON_TRANSITIVE', NO_SID_FILTERING, ALL_OK],
  [0x2, 'UPLEVEL_ONLY', NO_SID_FILTERING, ALL_OK],
  [0x4, 'QUARANTINED_DOMAIN', ALL_OK, ALL_OK],
  [0x10, 'CROSS_ORGANIZATION', NO_SID_FILTERING, ALL_OK],
  // WITHIN_FOREST with FOREST_TRANSITIVE is not a real object; the bit still makes the
  // delegation an EnableCondition by design and SID filtering not applicable.
  [0x20, 'WITHIN_FOREST', WITHIN, WITHIN],
  [0x40, 'TREAT_AS_EXTERNAL', NO_SID_FILTERING, NO_SID_FILTERING],
  [0x80, 'USES_RC4_ENCRYPTION', NO_SID_FILTERING, ALL_OK],
  [0x100, 'TRUST_USES_AES_KEYS', NO_SID_FILTERING, ALL_OK],
  [0x200, 'CROSS_ORGANIZATION_NO_TGT_DELEGATION', NO_SID_FILTERING, ALL_OK],
  [0x400, 'PIM_TRUST', NO_SID_FILTERING, ALL_OK],
  [0x800, 'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION', DELEGATES_UNFILTERED, DELEGATES],
  [0x1000, 'DISABLE_AUTH_TARGET_VALIDATION', ['nnnnoo', 'nonwoo', 'wnonoo', 'woowoo'], NO_VALIDATION],
  [0x400000, 'TREE_PARENT', NO_SID_FILTERING, ALL_OK],
  [0x800000, 'TREE_ROOT', NO_SID_FILTERING, ALL_OK],
];

const BIT_CASES: Case[] = BITS.flatMap(([bit, name, external, forest]): Case[] => [
  {
    name: `${name} (${hexOf(bit)}) alone on an external trust`,
    type: 2,
    attributes: bit,
    encryptionTypes: 24,
    expect: external,
    attributeNames: [name],
    encryptionTypeNames: AES,
    transitive: bit === 0x20,
    kind: bit === 0x20 ? 'within_forest' : 'external',
  },
  {
    name: `${name} (${hexOf(bit)}) on a forest trust`,
    type: 2,
    attributes: bit | 0x8,
    encryptionTypes: 24,
    expect: forest,
    attributeNames: bit < 0x8 ? [name, 'FOREST_TRANSITIVE'] : ['FOREST_TRANSITIVE', name],
    encryptionTypeNames: AES,
    // NON_TRANSITIVE wins over FOREST_TRANSITIVE (samba-tool --not-transitive makes 0x9).
    transitive: bit !== 0x1,
    kind: 'forest',
  },
]);

function hexOf(value: number): string {
  return `0x${value.toString(16)}`;
}

const CASES: Case[] = [
  ...BIT_CASES,
  // The lab's real objects (test/lab/README.md).
  {
    name: 'lab forest trust: FOREST_TRANSITIVE, AES',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'lab external trust: QUARANTINED_DOMAIN, AES',
    type: 2,
    attributes: 0x4,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['QUARANTINED_DOMAIN'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  // Windows 2000-era intra-forest trusts carry 0; the object alone reads as an unfiltered external trust.
  {
    name: 'attributes 0',
    type: 2,
    attributes: 0,
    encryptionTypes: 24,
    expect: NO_SID_FILTERING,
    attributeNames: [],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  // USES_RC4_ENCRYPTION: PingCastle and ADEssentials read it as RC4 on AD trusts; it is not.
  {
    name: 'USES_RC4_ENCRYPTION on an uplevel external trust, types unset: the unset warning, nothing worse',
    type: 2,
    attributes: 0x84,
    encryptionTypes: undefined,
    expect: WEAK_ENCRYPTION,
    attributeNames: ['QUARANTINED_DOMAIN', 'USES_RC4_ENCRYPTION'],
    encryptionTypeNames: [],
    transitive: false,
    kind: 'external',
  },
  // MIT realms: TGT delegation is judged (MS-KILE names no trust type); SID filtering,
  // selective authentication and NTLM target validation are not.
  {
    name: 'USES_RC4_ENCRYPTION on an MIT realm trust: RC4 only',
    type: 3,
    attributes: 0x80,
    encryptionTypes: undefined,
    expect: ['nnnnwn', 'nonnwn', 'nnnnwn', 'nonnwn'],
    attributeNames: ['USES_RC4_ENCRYPTION'],
    encryptionTypeNames: [],
    transitive: false,
    kind: 'realm',
  },
  {
    name: 'MIT realm trust without USES_RC4_ENCRYPTION or types: DES only',
    type: 3,
    attributes: 0x1,
    encryptionTypes: undefined,
    expect: ['nnnncn', 'nonncn', 'nnnncn', 'nonncn'],
    attributeNames: ['NON_TRANSITIVE'],
    encryptionTypeNames: [],
    transitive: false,
    kind: 'realm',
  },
  {
    name: 'MIT realm trust with RC4_HMAC in its types: RC4 only',
    type: 3,
    attributes: 0,
    encryptionTypes: 0x4,
    expect: ['nnnnwn', 'nonnwn', 'nnnnwn', 'nonnwn'],
    attributeNames: [],
    encryptionTypeNames: ['RC4_HMAC'],
    transitive: false,
    kind: 'realm',
  },
  {
    name: 'MIT realm trust with AES',
    type: 3,
    attributes: 0,
    encryptionTypes: 0x18,
    expect: REALM_AES,
    attributeNames: [],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'realm',
  },
  {
    name: 'forest-transitive MIT realm (netdom /foresttransitive): a realm, not an AD forest',
    type: 3,
    attributes: 0x8,
    encryptionTypes: 0x18,
    expect: REALM_AES,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'realm',
  },
  {
    name: 'MIT realm with PIM_TRUST, TREAT_AS_EXTERNAL and FOREST_TRANSITIVE: still no SID filtering to judge',
    type: 3,
    attributes: 0x448,
    encryptionTypes: 0x18,
    expect: REALM_AES,
    attributeNames: ['FOREST_TRANSITIVE', 'TREAT_AS_EXTERNAL', 'PIM_TRUST'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'realm',
  },
  {
    name: 'MIT realm with 0x800: referrals to the realm carry ok-as-delegate',
    type: 3,
    attributes: 0x800,
    encryptionTypes: 0x18,
    expect: ['nnnnon', 'nwnnon', 'nnnnon', 'nwnnon'],
    attributeNames: ['CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'realm',
  },
  {
    name: 'MIT realm with 0x1000 and 0x10: neither NTLM validation nor selective authentication applies',
    type: 3,
    attributes: 0x1010,
    encryptionTypes: 0x18,
    expect: REALM_AES,
    attributeNames: ['CROSS_ORGANIZATION', 'DISABLE_AUTH_TARGET_VALIDATION'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'realm',
  },
  // MS-KILE 3.3.5.7.5: ok-as-delegate iff (WITHIN_FOREST or 0x800) and not (0x200 or 0x4).
  {
    name: '0x800 with 0x200 on a forest trust: 0x200 is a DisableCondition and cancels it',
    type: 2,
    attributes: 0xa08,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: [
      'FOREST_TRANSITIVE',
      'CROSS_ORGANIZATION_NO_TGT_DELEGATION',
      'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION',
    ],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  {
    name: '0x800 with QUARANTINED_DOMAIN on a forest trust: 0x4 cancels it',
    type: 2,
    attributes: 0x80c,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['QUARANTINED_DOMAIN', 'FOREST_TRANSITIVE', 'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  {
    name: '0x800 on a quarantined external trust: 0x4 cancels it',
    type: 2,
    attributes: 0x804,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['QUARANTINED_DOMAIN', 'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  {
    name: '0x800 with 0x200 on an external trust: cancelled',
    type: 2,
    attributes: 0xa00,
    encryptionTypes: 24,
    expect: NO_SID_FILTERING,
    attributeNames: ['CROSS_ORGANIZATION_NO_TGT_DELEGATION', 'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  {
    name: '0x800 with 0x200, 0x4 and 0x8: cancelled twice',
    type: 2,
    attributes: 0xa0c,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: [
      'QUARANTINED_DOMAIN',
      'FOREST_TRANSITIVE',
      'CROSS_ORGANIZATION_NO_TGT_DELEGATION',
      'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION',
    ],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  {
    name: '0x800 with PIM_TRUST and 0x200 on a forest trust: 0x200 decides',
    type: 2,
    attributes: 0xe08,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: [
      'FOREST_TRANSITIVE',
      'CROSS_ORGANIZATION_NO_TGT_DELEGATION',
      'PIM_TRUST',
      'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION',
    ],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  {
    name: '0x800 on a downlevel trust: no Kerberos referral, so no delegation verdict',
    type: 1,
    attributes: 0x800,
    encryptionTypes: 24,
    expect: ['nnnnnw', 'nnnonw', 'wnonnw', 'wnoonw'],
    attributeNames: ['CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  {
    name: '0x800 on an Entra ID trust (type 5): not a Windows domain trust',
    type: 5,
    attributes: 0x800,
    encryptionTypes: 24,
    expect: NOTHING,
    attributeNames: ['CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'other',
  },
  // PIM_TRUST counts only with TREAT_AS_EXTERNAL, and only on a forest trust (MS-ADTS 6.1.6.7.9).
  {
    name: "PIM trust (PIM_TRUST + TREAT_AS_EXTERNAL on a forest trust): this forest's SIDs accepted",
    type: 2,
    attributes: 0x448,
    encryptionTypes: 24,
    expect: NO_SID_FILTERING,
    attributeNames: ['FOREST_TRANSITIVE', 'TREAT_AS_EXTERNAL', 'PIM_TRUST'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'PIM_TRUST on a quarantined external trust: inert, still filtered',
    type: 2,
    attributes: 0x404,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['QUARANTINED_DOMAIN', 'PIM_TRUST'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  {
    name: 'PIM_TRUST with TREAT_AS_EXTERNAL on an external trust without quarantine: unfiltered for the missing 0x4',
    type: 2,
    attributes: 0x440,
    encryptionTypes: 24,
    expect: NO_SID_FILTERING,
    attributeNames: ['TREAT_AS_EXTERNAL', 'PIM_TRUST'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  {
    name: 'PIM_TRUST inside a forest: WITHIN_FOREST wins',
    type: 2,
    attributes: 0x420,
    encryptionTypes: 24,
    expect: WITHIN,
    attributeNames: ['WITHIN_FOREST', 'PIM_TRUST'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'within_forest',
  },
  // TREAT_AS_EXTERNAL relaxes a forest trust's filtering; on an external trust it means nothing.
  {
    name: 'TREAT_AS_EXTERNAL on a quarantined external trust: still filtered',
    type: 2,
    attributes: 0x44,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['QUARANTINED_DOMAIN', 'TREAT_AS_EXTERNAL'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  // Inside a forest.
  {
    name: 'WITHIN_FOREST + NON_TRANSITIVE: still transitive',
    type: 2,
    attributes: 0x21,
    encryptionTypes: 24,
    expect: WITHIN,
    attributeNames: ['NON_TRANSITIVE', 'WITHIN_FOREST'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'within_forest',
  },
  {
    name: 'WITHIN_FOREST with 0x800: delegation not applicable',
    type: 2,
    attributes: 0x820,
    encryptionTypes: 24,
    expect: WITHIN,
    attributeNames: ['WITHIN_FOREST', 'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'within_forest',
  },
  {
    name: 'WITHIN_FOREST + CROSS_ORGANIZATION (invalid, Samba refuses it): selective authentication not applicable',
    type: 2,
    attributes: 0x30,
    encryptionTypes: 24,
    expect: WITHIN,
    attributeNames: ['CROSS_ORGANIZATION', 'WITHIN_FOREST'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'within_forest',
  },
  // Authentication target validation (KB5010576): judged on the object the partner's requests arrive under.
  {
    name: 'DISABLE_AUTH_TARGET_VALIDATION on a quarantined external trust',
    type: 2,
    attributes: 0x1004,
    encryptionTypes: 24,
    expect: NO_VALIDATION,
    attributeNames: ['QUARANTINED_DOMAIN', 'DISABLE_AUTH_TARGET_VALIDATION'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  {
    name: 'UPLEVEL_ONLY + NON_TRANSITIVE external trust',
    type: 2,
    attributes: 0x7,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['NON_TRANSITIVE', 'UPLEVEL_ONLY', 'QUARANTINED_DOMAIN'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  {
    name: 'unknown attribute bits are named by value, known ones by name',
    type: 2,
    attributes: 0x402108,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['FOREST_TRANSITIVE', 'TRUST_USES_AES_KEYS', '0x2000', 'TREE_PARENT'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'bit 31 set, read from LDAP as a negative number',
    type: 2,
    attributes: -2147483640,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['FOREST_TRANSITIVE', '0x80000000'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'NON_TRANSITIVE + WITHIN_FOREST + FOREST_TRANSITIVE: WITHIN_FOREST wins transitivity',
    type: 2,
    attributes: 0x29,
    encryptionTypes: 24,
    expect: WITHIN,
    attributeNames: ['NON_TRANSITIVE', 'FOREST_TRANSITIVE', 'WITHIN_FOREST'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  // msDS-SupportedEncryptionTypes on an AD forest trust: "no AES" is (v & 0x18) == 0.
  {
    name: 'encryption 0x1c (RC4 + AES): ok',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0x1c,
    expect: ALL_OK,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: ['RC4_HMAC', ...AES],
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'encryption 0x4 (RC4 only): warning',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0x4,
    expect: WEAK_ENCRYPTION,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: ['RC4_HMAC'],
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'encryption absent: warning',
    type: 2,
    attributes: 0x8,
    encryptionTypes: undefined,
    expect: WEAK_ENCRYPTION,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: [],
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'encryption 0: warning',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0,
    expect: WEAK_ENCRYPTION,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: [],
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'encryption 0x3 (DES only): critical',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0x3,
    expect: ['nnnnco', 'nonoco', 'ononco', 'ooooco'],
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: ['DES_CBC_CRC', 'DES_CBC_MD5'],
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'encryption 0x7 (DES + RC4): warning, not critical',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0x7,
    expect: WEAK_ENCRYPTION,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: ['DES_CBC_CRC', 'DES_CBC_MD5', 'RC4_HMAC'],
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'encryption 0x20 only (AES256_SESSION_KEYS): no AES key, warning',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0x20,
    expect: WEAK_ENCRYPTION,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: ['AES256_SESSION_KEYS'],
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'encryption 0x24 (RC4 + AES256_SESSION_KEYS): warning',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0x24,
    expect: WEAK_ENCRYPTION,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: ['RC4_HMAC', 'AES256_SESSION_KEYS'],
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'encryption 0x8 (AES128 alone): ok',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0x8,
    expect: ALL_OK,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: ['AES128_CTS_HMAC_SHA1_96'],
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'encryption 0x10 (AES256 alone): ok',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0x10,
    expect: ALL_OK,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: ['AES256_CTS_HMAC_SHA1_96'],
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'encryption 0x1b (DES + AES): ok',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0x1b,
    expect: ALL_OK,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: ['DES_CBC_CRC', 'DES_CBC_MD5', ...AES],
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'encryption 0xf0038: the bits above 0x10 by their MS-KILE names',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0xf0038,
    expect: ALL_OK,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: [
      ...AES,
      'AES256_SESSION_KEYS',
      'FAST_SUPPORTED',
      'COMPOUND_IDENTITY_SUPPORTED',
      'CLAIMS_SUPPORTED',
      'RESOURCE_SID_COMPRESSION_DISABLED',
    ],
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'encryption 0x10040 (FAST + an unknown bit, no etype): warning',
    type: 2,
    attributes: 0x8,
    encryptionTypes: 0x10040,
    expect: WEAK_ENCRYPTION,
    attributeNames: ['FOREST_TRANSITIVE'],
    encryptionTypeNames: ['0x40', 'FAST_SUPPORTED'],
    transitive: true,
    kind: 'forest',
  },
  // trustType.
  {
    name: 'downlevel (NT4-style) trust, types unset: NTLM only, its key types not judged',
    type: 1,
    attributes: 0,
    encryptionTypes: undefined,
    expect: ['nnnnnw', 'nnnonw', 'wnonnw', 'wnoonw'],
    attributeNames: [],
    encryptionTypeNames: [],
    transitive: false,
    kind: 'external',
  },
  {
    name: 'downlevel trust, quarantined, AES',
    type: 1,
    attributes: 0x4,
    encryptionTypes: 24,
    expect: ['nnnnnw', 'nnnonw', 'ononnw', 'onoonw'],
    attributeNames: ['QUARANTINED_DOMAIN'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  {
    name: 'Azure AD trust (type 5): not applicable',
    type: 5,
    attributes: 0,
    encryptionTypes: undefined,
    expect: NOTHING,
    attributeNames: [],
    encryptionTypeNames: [],
    transitive: false,
    kind: 'other',
  },
  {
    name: 'Entra trust with FOREST_TRANSITIVE and CROSS_ORGANIZATION: still not an AD forest',
    type: 5,
    attributes: 0x18,
    encryptionTypes: undefined,
    expect: NOTHING,
    attributeNames: ['FOREST_TRANSITIVE', 'CROSS_ORGANIZATION'],
    encryptionTypeNames: [],
    transitive: true,
    kind: 'other',
  },
  {
    name: 'every risk at once: TREAT_AS_EXTERNAL, 0x800, 0x1000, 0x80 and DES only',
    type: 2,
    attributes: 0x18c8,
    encryptionTypes: 0x3,
    expect: ['nnnnco', 'nwnwco', 'wnonco', 'wwowco'],
    attributeNames: [
      'FOREST_TRANSITIVE',
      'TREAT_AS_EXTERNAL',
      'USES_RC4_ENCRYPTION',
      'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION',
      'DISABLE_AUTH_TARGET_VALIDATION',
    ],
    encryptionTypeNames: ['DES_CBC_CRC', 'DES_CBC_MD5'],
    transitive: true,
    kind: 'forest',
  },
];

function trust(row: Pick<Case, 'type' | 'attributes' | 'encryptionTypes'>, direction: number): TrustObject {
  return {
    domain: 'tailspin.test',
    partner: 'wingtip.test',
    flatName: 'WINGTIP',
    direction,
    type: row.type,
    attributes: row.attributes,
    encryptionTypes: row.encryptionTypes,
  };
}

function byCheck(verdicts: Verdict[], check: Verdict['check']): Verdict {
  const found = verdicts.find((v) => v.check === check);
  assert.ok(found, `no ${check} verdict`);
  return found;
}

describe('trust rules: every direction x attribute case', () => {
  for (const row of CASES) {
    for (const direction of [0, 1, 2, 3]) {
      const code = row.expect[direction] ?? '';
      it(`${row.name}, direction ${direction} (${directionName(direction)}) -> ${code}`, () => {
        const object = trust(row, direction);
        const verdicts = trustVerdicts(object);
        assert.deepEqual(
          verdicts.map((v) => v.check),
          TRUST_CHECKS,
        );
        assert.deepEqual(
          verdicts.map((v) => v.status),
          statuses(code),
        );
        for (const v of verdicts) {
          assert.ok(v.reason.length > 0, `${v.check}: empty reason`);
          // A fix exactly when something is to be fixed.
          const faulty = v.status === 'warning' || v.status === 'critical';
          assert.equal(v.remediation !== '', faulty, `${v.check} (${v.status}): remediation "${v.remediation}"`);
        }
        assert.deepEqual(attributeNames(row.attributes), row.attributeNames);
        assert.deepEqual(encryptionTypeNames(row.encryptionTypes), row.encryptionTypeNames);
        assert.equal(isTransitive(object), row.transitive);
        assert.equal(trustKind(object), row.kind);
      });
    }
  }
});

function verdictOf(
  check: Verdict['check'],
  attributes: number,
  direction: number,
  type = 2,
  context?: Parameters<typeof trustVerdicts>[1],
): Verdict {
  return byCheck(trustVerdicts(trust({ type, attributes, encryptionTypes: 24 }, direction), context), check);
}

describe('trust rules: reasons name the deciding bit and the spec', () => {
  it('SID filtering on a forest trust, and off with TREAT_AS_EXTERNAL', () => {
    assert.match(
      verdictOf('trust.sid_filtering', 0x8, 3).reason,
      /SID filtering on, SIDs of tailspin\.test's own forest are dropped \(MS-PAC 4\.1\.2\.2\)/,
    );
    const relaxed = verdictOf('trust.sid_filtering', 0x48, 3);
    assert.match(
      relaxed.reason,
      /TREAT_AS_EXTERNAL \(0x40\).*SID history from the partner forest wingtip\.test is accepted/,
    );
  });

  it('external trust: QUARANTINED_DOMAIN decides; attributes 0 names the Windows 2000 ambiguity', () => {
    assert.match(
      verdictOf('trust.sid_filtering', 0x4, 2).reason,
      /^QUARANTINED_DOMAIN is set: SID filtering on, only SIDs of wingtip\.test itself/,
    );
    const open = verdictOf('trust.sid_filtering', 0, 2);
    assert.match(open.reason, /QUARANTINED_DOMAIN is not set on this external trust/);
    assert.match(open.reason, /Windows 2000-era/);
    assert.doesNotMatch(verdictOf('trust.sid_filtering', 0x40, 2).reason, /Windows 2000-era/);
  });

  it("PIM trust: this forest's own SIDs come over the shadow principals", () => {
    const pim = verdictOf('trust.sid_filtering', 0x448, 2);
    assert.equal(pim.status, 'warning');
    assert.match(
      pim.reason,
      /PIM_TRUST \(0x400\) with TREAT_AS_EXTERNAL \(0x40\).*SIDs of tailspin\.test's own forest, privileged ones included, are accepted from wingtip\.test's shadow principals/,
    );
    assert.match(
      verdictOf('trust.sid_filtering', 0x408, 2).reason,
      /PIM_TRUST \(0x400\) is set without TREAT_AS_EXTERNAL \(0x40\), so it has no effect/,
    );
    assert.doesNotMatch(verdictOf('trust.sid_filtering', 0x8, 2).reason, /PIM/);
    assert.match(
      verdictOf('trust.sid_filtering', 0x404, 2).reason,
      /PIM_TRUST \(0x400\) is evaluated only on forest trusts/,
    );
    assert.match(
      verdictOf('trust.sid_filtering', 0x440, 2).reason,
      /PIM_TRUST \(0x400\) and TREAT_AS_EXTERNAL \(0x40\) are evaluated only on forest trusts/,
    );
  });

  it('TGT delegation: the deciding bit, and the worst-case assumption about the source ticket', () => {
    const on = verdictOf('trust.tgt_delegation', 0x808, 1);
    assert.match(
      on.reason,
      /^CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION \(0x800\) is set without 0x200 or QUARANTINED_DOMAIN/,
    );
    assert.match(on.reason, /MS-KILE 3\.3\.5\.7\.5/);
    assert.match(on.reason, /services in wingtip\.test .* receive the TGTs of tailspin\.test's users/);
    assert.match(on.reason, /assuming their service tickets carry ok-as-delegate/);
    assert.match(
      verdictOf('trust.tgt_delegation', 0xa08, 3).reason,
      /0x800\) is set, but CROSS_ORGANIZATION_NO_TGT_DELEGATION \(0x200\) is a DisableCondition of MS-KILE 3\.3\.5\.7\.5 and cancels it/,
    );
    assert.match(
      verdictOf('trust.tgt_delegation', 0x80c, 3).reason,
      /0x800\) is set, but QUARANTINED_DOMAIN \(0x4\) is a DisableCondition/,
    );
    assert.match(
      verdictOf('trust.tgt_delegation', 0xa0c, 3).reason,
      /but CROSS_ORGANIZATION_NO_TGT_DELEGATION \(0x200\) and QUARANTINED_DOMAIN \(0x4\) are DisableConditions .* and cancel it/,
    );
    assert.match(
      verdictOf('trust.tgt_delegation', 0x804, 1).reason,
      /QUARANTINED_DOMAIN \(0x4\) is a DisableCondition/,
    );
    const off = verdictOf('trust.tgt_delegation', 0x8, 1);
    assert.match(off.reason, /^CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION \(0x800\) is not set: no EnableCondition/);
    assert.doesNotMatch(off.reason, /0x200/);
    assert.match(verdictOf('trust.tgt_delegation', 0x208, 1).reason, /0x200\) is set too, a DisableCondition/);
    assert.match(
      verdictOf('trust.tgt_delegation', 0x808, 2).reason,
      /^Outbound-only trust: wingtip\.test does not trust tailspin\.test/,
    );
    assert.match(verdictOf('trust.tgt_delegation', 0x808, 0).reason, /disabled \(trustDirection 0\)/);
    assert.match(verdictOf('trust.tgt_delegation', 0x800, 1, 1).reason, /no Kerberos referral/);
    assert.match(verdictOf('trust.tgt_delegation', 0x820, 1).reason, /WITHIN_FOREST/);
  });

  it('selective authentication: on, forest-wide, domain-wide; n/a inbound-only and outside Windows domains', () => {
    assert.match(
      verdictOf('trust.selective_auth', 0x18, 2).reason,
      /^Selective authentication on \(CROSS_ORGANIZATION\)/,
    );
    assert.match(verdictOf('trust.selective_auth', 0x18, 3).reason, /^Selective authentication on/);
    assert.match(
      verdictOf('trust.selective_auth', 0x8, 2).reason,
      /^Forest-wide authentication .*every user of wingtip\.test can authenticate to every resource of tailspin\.test/,
    );
    assert.match(verdictOf('trust.selective_auth', 0x4, 3).reason, /^Domain-wide authentication/);
    for (const attributes of [0x8, 0x18, 0x4, 0x14])
      assert.match(verdictOf('trust.selective_auth', attributes, 1).reason, /^Inbound-only trust/);
    assert.match(
      verdictOf('trust.selective_auth', 0x10, 2, 3).reason,
      /trustType 3 \(mit\): selective authentication exists only on forest and external trusts/,
    );
    assert.match(verdictOf('trust.selective_auth', 0x10, 3, 5).reason, /trustType 5 \(aad\)/);
  });

  it("auth target validation: 0x1000 judged where the partner's NTLM pass-through arrives", () => {
    const off = verdictOf('trust.auth_target_validation', 0x1008, 1);
    assert.match(
      off.reason,
      /^DISABLE_AUTH_TARGET_VALIDATION \(0x1000\) is set: authentication target validation is off for all NTLM pass-through from wingtip\.test/,
    );
    assert.match(off.reason, /KB5010576/);
    assert.match(
      verdictOf('trust.auth_target_validation', 0x1008, 2).reason,
      /^Outbound-only trust: tailspin\.test's DCs receive no NTLM pass-through requests from wingtip\.test/,
    );
    assert.match(
      verdictOf('trust.auth_target_validation', 0x8, 3).reason,
      /is not set and no scanner-info record disables it/,
    );
    assert.doesNotMatch(verdictOf('trust.auth_target_validation', 0x4, 3).reason, /scanner/);
    assert.match(
      verdictOf('trust.auth_target_validation', 0x1000, 3, 3).reason,
      /trustType 3 \(mit\) is not a Windows domain trust: no NTLM pass-through/,
    );
  });

  it('auth target validation: a scanner-info record with flag 0x1 names the child domain', () => {
    const context = { scannerValidationDisabled: ['child.wingtip.test'] };
    for (const direction of [1, 3]) {
      const child = verdictOf('trust.auth_target_validation', 0x8, direction, 2, context);
      assert.equal(child.status, 'warning');
      assert.match(
        child.reason,
        /LSA_SCANNER_INFO_DISABLE_AUTH_TARGET_VALIDATION, flag 0x1\) for child\.wingtip\.test/,
      );
      assert.equal(
        child.remediation,
        'netdom trust tailspin.test /domain:wingtip.test /AuthTargetValidation:yes /ChildDomain:child.wingtip.test',
      );
    }
    for (const direction of [0, 2])
      assert.equal(verdictOf('trust.auth_target_validation', 0x8, direction, 2, context).status, 'not_applicable');
    const both = verdictOf('trust.auth_target_validation', 0x1008, 3, 2, {
      scannerValidationDisabled: ['a.wingtip.test', 'b.wingtip.test'],
    });
    assert.match(both.reason, /0x1000\) is set.*; scanner-info records .* for a\.wingtip\.test, b\.wingtip\.test/);
    assert.equal(
      both.remediation,
      'netdom trust tailspin.test /domain:wingtip.test /AuthTargetValidation:yes; netdom trust tailspin.test /domain:wingtip.test /AuthTargetValidation:yes /ChildDomain:a.wingtip.test; netdom trust tailspin.test /domain:wingtip.test /AuthTargetValidation:yes /ChildDomain:b.wingtip.test',
    );
  });

  it('USES_RC4_ENCRYPTION on an AD trust is said to be ignored, and only there', () => {
    const ad = byCheck(trustVerdicts(trust({ type: 2, attributes: 0x88, encryptionTypes: 24 }, 3)), 'trust.encryption');
    assert.equal(ad.status, 'ok');
    assert.match(ad.reason, /USES_RC4_ENCRYPTION \(0x80\) is set but means nothing on an Active Directory trust/);
    assert.doesNotMatch(
      byCheck(trustVerdicts(trust({ type: 2, attributes: 0x8, encryptionTypes: 24 }, 3)), 'trust.encryption').reason,
      /0x80/,
    );
    const realm = byCheck(
      trustVerdicts(trust({ type: 3, attributes: 0x80, encryptionTypes: undefined }, 3)),
      'trust.encryption',
    );
    assert.match(realm.reason, /RC4 only on this MIT realm trust: USES_RC4_ENCRYPTION \(0x80\) is set/);
    const realmTypes = byCheck(
      trustVerdicts(trust({ type: 3, attributes: 0, encryptionTypes: 0x4 }, 3)),
      'trust.encryption',
    );
    assert.match(realmTypes.reason, /msDS-SupportedEncryptionTypes 0x4 \(RC4_HMAC\) lists RC4_HMAC/);
  });

  it('encryption reasons name the bits', () => {
    const unset = byCheck(
      trustVerdicts(trust({ type: 2, attributes: 0x8, encryptionTypes: undefined }, 3)),
      'trust.encryption',
    );
    assert.match(unset.reason, /unset: RC4 by default on older systems/);
    assert.match(
      unset.remediation,
      /^ksetup \/setenctypeattr wingtip\.test AES128-CTS-HMAC-SHA1-96 AES256-CTS-HMAC-SHA1-96 on a DC of tailspin\.test/,
    );
    const sessionOnly = byCheck(
      trustVerdicts(trust({ type: 2, attributes: 0x8, encryptionTypes: 0x20 }, 3)),
      'trust.encryption',
    );
    assert.match(sessionOnly.reason, /^No AES: msDS-SupportedEncryptionTypes 0x20 \(AES256_SESSION_KEYS\)/);
    const des = byCheck(
      trustVerdicts(trust({ type: 2, attributes: 0x8, encryptionTypes: 0x3 }, 3)),
      'trust.encryption',
    );
    assert.match(des.reason, /^DES only: msDS-SupportedEncryptionTypes 0x3 \(DES_CBC_CRC, DES_CBC_MD5\)/);
    const desAes = byCheck(
      trustVerdicts(trust({ type: 2, attributes: 0x8, encryptionTypes: 0x1b }, 3)),
      'trust.encryption',
    );
    assert.match(desAes.reason, /DES is listed too/);
    const realmDes = byCheck(
      trustVerdicts(trust({ type: 3, attributes: 0, encryptionTypes: 0x3 }, 3)),
      'trust.encryption',
    );
    assert.match(realmDes.reason, /^DES only on this MIT realm trust: msDS-SupportedEncryptionTypes 0x3/);
    const realmUnset = byCheck(
      trustVerdicts(trust({ type: 3, attributes: 0, encryptionTypes: 0 }, 3)),
      'trust.encryption',
    );
    assert.match(realmUnset.reason, /^DES only on this MIT realm trust: msDS-SupportedEncryptionTypes is unset/);
    const downlevel = byCheck(
      trustVerdicts(trust({ type: 1, attributes: 0, encryptionTypes: 0x4 }, 3)),
      'trust.encryption',
    );
    assert.match(downlevel.reason, /trustType 1 \(downlevel\): NTLM only/);
  });

  it('downlevel trust: NTLM only', () => {
    const dl = byCheck(
      trustVerdicts(trust({ type: 1, attributes: 0, encryptionTypes: undefined }, 3)),
      'trust.downlevel',
    );
    assert.match(dl.reason, /trustType 1 \(downlevel\).*NTLM only/);
  });
});

// Whole reasons, where a word or a clause of them is decided by a bit: a reason that gains or
// loses a clause must fail here.
describe('trust rules: whole reasons', () => {
  it('every direction-aware verdict says a disabled trust is disabled', () => {
    for (const check of [
      'trust.sid_filtering',
      'trust.tgt_delegation',
      'trust.selective_auth',
      'trust.auth_target_validation',
    ] as const) {
      for (const attributes of [0x0, 0x8, 0x48, 0x808, 0x1008]) {
        const found = verdictOf(check, attributes, 0);
        assert.equal(found.status, 'not_applicable');
        assert.equal(found.reason, 'The trust is disabled (trustDirection 0): no authentication crosses it.', check);
      }
    }
  });

  it('SID filtering', () => {
    assert.equal(
      verdictOf('trust.sid_filtering', 0x8, 2).reason,
      "Forest trust (FOREST_TRANSITIVE) without TREAT_AS_EXTERNAL: SID filtering on, SIDs of tailspin.test's own forest are dropped (MS-PAC 4.1.2.2).",
    );
    assert.equal(
      verdictOf('trust.sid_filtering', 0x4, 2).reason,
      'QUARANTINED_DOMAIN is set: SID filtering on, only SIDs of wingtip.test itself are accepted (MS-PAC 4.1.2.2).',
    );
    assert.equal(
      verdictOf('trust.sid_filtering', 0x404, 2).reason,
      'QUARANTINED_DOMAIN is set: SID filtering on, only SIDs of wingtip.test itself are accepted (MS-PAC 4.1.2.2). PIM_TRUST (0x400) is evaluated only on forest trusts (FOREST_TRANSITIVE), so it changes nothing here.',
    );
    assert.equal(
      verdictOf('trust.sid_filtering', 0x44, 2).reason,
      'QUARANTINED_DOMAIN is set: SID filtering on, only SIDs of wingtip.test itself are accepted (MS-PAC 4.1.2.2). TREAT_AS_EXTERNAL (0x40) is evaluated only on forest trusts (FOREST_TRANSITIVE), so it changes nothing here.',
    );
    assert.equal(
      verdictOf('trust.sid_filtering', 0x440, 3).reason,
      "QUARANTINED_DOMAIN is not set on this external trust: SID history from wingtip.test is accepted; only SIDs of tailspin.test's own forest are dropped (MS-PAC 4.1.2.2). PIM_TRUST (0x400) and TREAT_AS_EXTERNAL (0x40) are evaluated only on forest trusts (FOREST_TRANSITIVE), so they change nothing here.",
    );
    assert.equal(
      verdictOf('trust.sid_filtering', 0x40, 2).reason,
      "QUARANTINED_DOMAIN is not set on this external trust: SID history from wingtip.test is accepted; only SIDs of tailspin.test's own forest are dropped (MS-PAC 4.1.2.2). TREAT_AS_EXTERNAL (0x40) is evaluated only on forest trusts (FOREST_TRANSITIVE), so it changes nothing here.",
    );
    assert.equal(
      verdictOf('trust.sid_filtering', 0x8, 1).reason,
      'Inbound-only trust: wingtip.test holds the resources, so SID filtering is decided on its side, not in tailspin.test.',
    );
    assert.equal(
      verdictOf('trust.sid_filtering', 0x20, 2).reason,
      'Trust inside the forest (WITHIN_FOREST): SIDs are not filtered between domains of one forest.',
    );
    assert.equal(
      verdictOf('trust.sid_filtering', 0x0, 2, 3).reason,
      'Trust with an MIT Kerberos realm (trustType 3): no Windows SIDs come across it to filter.',
    );
    assert.equal(
      verdictOf('trust.sid_filtering', 0x0, 2, 5).reason,
      'trustType 5 (aad) is not a Windows domain trust: SID filtering does not apply.',
    );
  });

  it('TGT delegation', () => {
    assert.equal(
      verdictOf('trust.tgt_delegation', 0x8, 1).reason,
      "CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) is not set: no EnableCondition of MS-KILE 3.3.5.7.5, so TGTs of tailspin.test's users are not delegated to wingtip.test's services.",
    );
    assert.equal(
      verdictOf('trust.tgt_delegation', 0x804, 3).reason,
      "CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION (0x800) is set, but QUARANTINED_DOMAIN (0x4) is a DisableCondition of MS-KILE 3.3.5.7.5 and cancels it: TGTs of tailspin.test's users are not delegated.",
    );
  });

  it('selective authentication', () => {
    assert.equal(
      verdictOf('trust.selective_auth', 0x20, 3).reason,
      'Trust inside the forest (WITHIN_FOREST): selective authentication does not exist between domains of one forest.',
    );
    assert.equal(
      verdictOf('trust.selective_auth', 0x18, 2).reason,
      'Selective authentication on (CROSS_ORGANIZATION): wingtip.test\'s users reach only the resources that grant them "Allowed to authenticate".',
    );
  });

  it('auth target validation', () => {
    assert.equal(
      verdictOf('trust.auth_target_validation', 0x4, 3).reason,
      'DISABLE_AUTH_TARGET_VALIDATION (0x1000) is not set: authentication target validation is on for NTLM pass-through from wingtip.test.',
    );
    assert.equal(
      verdictOf('trust.auth_target_validation', 0x8, 1).reason,
      'DISABLE_AUTH_TARGET_VALIDATION (0x1000) is not set and no scanner-info record disables it: authentication target validation is on for NTLM pass-through from wingtip.test.',
    );
    const off = verdictOf('trust.auth_target_validation', 0x1008, 1);
    assert.equal(
      off.reason,
      'DISABLE_AUTH_TARGET_VALIDATION (0x1000) is set: authentication target validation is off for all NTLM pass-through from wingtip.test over this trust (KB5010576).',
    );
    assert.equal(off.remediation, 'netdom trust tailspin.test /domain:wingtip.test /AuthTargetValidation:yes');
  });

  it('encryption', () => {
    const reason = (type: number, attributes: number, encryptionTypes: number | undefined) =>
      byCheck(trustVerdicts(trust({ type, attributes, encryptionTypes }, 3)), 'trust.encryption').reason;
    assert.equal(
      reason(2, 0x8, 0x18),
      'AES allowed: msDS-SupportedEncryptionTypes 0x18 (AES128_CTS_HMAC_SHA1_96, AES256_CTS_HMAC_SHA1_96).',
    );
    assert.equal(
      reason(2, 0x8, 0x1b),
      'AES allowed: msDS-SupportedEncryptionTypes 0x1b (DES_CBC_CRC, DES_CBC_MD5, AES128_CTS_HMAC_SHA1_96, AES256_CTS_HMAC_SHA1_96). DES is listed too.',
    );
    assert.equal(reason(2, 0x8, 0), 'msDS-SupportedEncryptionTypes is unset: RC4 by default on older systems, no AES.');
    assert.equal(
      reason(2, 0x8, undefined),
      'msDS-SupportedEncryptionTypes is unset: RC4 by default on older systems, no AES.',
    );
    assert.equal(
      reason(2, 0x88, 0x4),
      'No AES: msDS-SupportedEncryptionTypes 0x4 (RC4_HMAC) has neither AES128 (0x8) nor AES256 (0x10), so RC4 is used. USES_RC4_ENCRYPTION (0x80) is set but means nothing on an Active Directory trust, so it is ignored.',
    );
    assert.equal(
      reason(3, 0, 0x18),
      'AES allowed: msDS-SupportedEncryptionTypes 0x18 (AES128_CTS_HMAC_SHA1_96, AES256_CTS_HMAC_SHA1_96).',
    );
    assert.equal(reason(5, 0, 0x18), 'trustType 5 (aad): no Active Directory or MIT Kerberos trust key to judge.');
  });
});

// Microsoft's "netdom trust": `netdom trust <trusting> /domain:<trusted>`, except the
// KB5010576 switches, which name the local (trusted) domain first. One row per command.
describe('trust rules: remediation commands, and the order of the two domain names', () => {
  const rows: { check: Verdict['check']; attributes: number; direction: number; type?: number; remediation: string }[] =
    [
      {
        check: 'trust.sid_filtering',
        attributes: 0x0,
        direction: 2,
        remediation: 'netdom trust tailspin.test /domain:wingtip.test /quarantine:yes',
      },
      {
        check: 'trust.sid_filtering',
        attributes: 0x0,
        direction: 3,
        remediation: 'netdom trust tailspin.test /domain:wingtip.test /quarantine:yes',
      },
      {
        check: 'trust.sid_filtering',
        attributes: 0x48,
        direction: 3,
        remediation: 'netdom trust tailspin.test /domain:wingtip.test /enablesidhistory:no',
      },
      {
        check: 'trust.sid_filtering',
        attributes: 0x48,
        direction: 2,
        remediation: 'netdom trust tailspin.test /domain:wingtip.test /enablesidhistory:no',
      },
      {
        check: 'trust.sid_filtering',
        attributes: 0x448,
        direction: 2,
        remediation:
          "if wingtip.test is not (or no longer) this forest's bastion forest: netdom trust tailspin.test /domain:wingtip.test /EnablePIMTrust:no, then netdom trust tailspin.test /domain:wingtip.test /enablesidhistory:no",
      },
      // KB4490425: "netdom.exe trust fabrikam.com /domain:contoso.com /EnableTGTDelegation:No", set in the trusted domain.
      {
        check: 'trust.tgt_delegation',
        attributes: 0x808,
        direction: 1,
        remediation: 'netdom trust wingtip.test /domain:tailspin.test /EnableTGTDelegation:no',
      },
      {
        check: 'trust.tgt_delegation',
        attributes: 0x808,
        direction: 3,
        remediation: 'netdom trust wingtip.test /domain:tailspin.test /EnableTGTDelegation:no',
      },
      // netdom sets it on forest trusts only: elsewhere the bit is cleared on the object.
      {
        check: 'trust.tgt_delegation',
        attributes: 0x800,
        direction: 1,
        remediation:
          'clear 0x800 on tailspin.test\'s trust object for wingtip.test (netdom\'s /EnableTGTDelegation applies to forest trusts only): Set-ADObject -Identity "CN=wingtip.test,CN=System,DC=tailspin,DC=test" -Replace @{trustAttributes=0}',
      },
      {
        check: 'trust.tgt_delegation',
        attributes: 0x1802,
        direction: 3,
        remediation:
          'clear 0x800 on tailspin.test\'s trust object for wingtip.test (netdom\'s /EnableTGTDelegation applies to forest trusts only): Set-ADObject -Identity "CN=wingtip.test,CN=System,DC=tailspin,DC=test" -Replace @{trustAttributes=4098}',
      },
      // KB5010576: netdom trust <localdomain> /Domain:<trustingforest> /AuthTargetValidation.
      {
        check: 'trust.auth_target_validation',
        attributes: 0x1008,
        direction: 1,
        remediation: 'netdom trust tailspin.test /domain:wingtip.test /AuthTargetValidation:yes',
      },
      {
        check: 'trust.auth_target_validation',
        attributes: 0x1004,
        direction: 3,
        remediation: 'netdom trust tailspin.test /domain:wingtip.test /AuthTargetValidation:yes',
      },
      {
        check: 'trust.downlevel',
        attributes: 0,
        direction: 2,
        type: 1,
        remediation:
          'remove the trust and create it again by DNS name, so it is made as an Active Directory (uplevel) trust: netdom trust tailspin.test /domain:wingtip.test /remove, then netdom trust tailspin.test /domain:wingtip.test /add /userD:wingtip.test\\<admin> /passwordD:* /userO:tailspin.test\\<admin> /passwordO:*',
      },
      {
        check: 'trust.downlevel',
        attributes: 0,
        direction: 1,
        type: 1,
        remediation:
          'remove the trust and create it again by DNS name, so it is made as an Active Directory (uplevel) trust: netdom trust wingtip.test /domain:tailspin.test /remove, then netdom trust wingtip.test /domain:tailspin.test /add /userD:tailspin.test\\<admin> /passwordD:* /userO:wingtip.test\\<admin> /passwordO:*',
      },
      {
        check: 'trust.downlevel',
        attributes: 0,
        direction: 3,
        type: 1,
        remediation:
          'remove the trust and create it again by DNS name, so it is made as an Active Directory (uplevel) trust: netdom trust tailspin.test /domain:wingtip.test /remove, then netdom trust tailspin.test /domain:wingtip.test /add /twoway /userD:wingtip.test\\<admin> /passwordD:* /userO:tailspin.test\\<admin> /passwordO:*',
      },
    ];
  for (const row of rows) {
    it(`${row.check} ${hexOf(row.attributes)}, type ${row.type ?? 2}, direction ${row.direction}`, () => {
      const found = verdictOf(row.check, row.attributes, row.direction, row.type ?? 2);
      assert.ok(found.status === 'warning' || found.status === 'critical', `${row.check}: ${found.status}`);
      assert.equal(found.remediation, row.remediation);
    });
  }

  it('netdom puts the trusting domain first, whatever the caller calls its names', () => {
    assert.equal(netdom('a.test', 'b.test', '/verify'), 'netdom trust a.test /domain:b.test /verify');
    assert.deepEqual(
      [0, 1, 2, 3].map((direction) => trustingFirst({ domain: 'a.test', partner: 'b.test', direction })),
      [
        { trusting: 'b.test', trusted: 'a.test' },
        { trusting: 'b.test', trusted: 'a.test' },
        { trusting: 'a.test', trusted: 'b.test' },
        { trusting: 'a.test', trusted: 'b.test' },
      ],
    );
  });
});

describe('trust rules: names of raw values', () => {
  it('directionName', () => {
    assert.deepEqual([0, 1, 2, 3, 4, -1].map(directionName), [
      'disabled',
      'inbound',
      'outbound',
      'bidirectional',
      'unknown',
      'unknown',
    ]);
  });

  it('mirrorDirection: 1 <-> 2, the rest unchanged', () => {
    assert.deepEqual([0, 1, 2, 3, 7].map(mirrorDirection), [0, 2, 1, 3, 7]);
  });

  it('includesInbound / includesOutbound', () => {
    assert.deepEqual([0, 1, 2, 3, 4].map(includesInbound), [false, true, false, true, false]);
    assert.deepEqual([0, 1, 2, 3, 4].map(includesOutbound), [false, false, true, true, false]);
  });

  it('trustTypeName', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(trustTypeName), [
      'unknown',
      'downlevel',
      'uplevel',
      'mit',
      'dce',
      'aad',
      'unknown',
    ]);
  });

  it('attributeNames: every known bit, in bit order', () => {
    assert.deepEqual(attributeNames(0xc01fff), [
      'NON_TRANSITIVE',
      'UPLEVEL_ONLY',
      'QUARANTINED_DOMAIN',
      'FOREST_TRANSITIVE',
      'CROSS_ORGANIZATION',
      'WITHIN_FOREST',
      'TREAT_AS_EXTERNAL',
      'USES_RC4_ENCRYPTION',
      'TRUST_USES_AES_KEYS',
      'CROSS_ORGANIZATION_NO_TGT_DELEGATION',
      'PIM_TRUST',
      'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION',
      'DISABLE_AUTH_TARGET_VALIDATION',
      'TREE_PARENT',
      'TREE_ROOT',
    ]);
    assert.deepEqual(attributeNames(0), []);
  });

  it('encryptionTypeNames: undefined and 0 name nothing', () => {
    assert.deepEqual(encryptionTypeNames(undefined), []);
    assert.deepEqual(encryptionTypeNames(0), []);
  });
});
