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
  TRUST_CHECKS,
  trustKind,
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
// The usual AD pattern with nothing risky: n/a where the direction gives SID filtering and
// selective authentication nothing to judge (disabled, inbound-only), ok everywhere else.
const ALL_OK: Case['expect'] = ['nonooo', 'nonooo', 'oooooo', 'oooooo'];
const NO_SID_FILTERING: Case['expect'] = ['nonooo', 'nonooo', 'wooooo', 'wooooo'];
const WEAK_ENCRYPTION: Case['expect'] = ['nonowo', 'nonowo', 'oooowo', 'oooowo'];

const CASES: Case[] = [
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
    name: 'USES_RC4_ENCRYPTION on an uplevel forest trust with AES: still ok',
    type: 2,
    attributes: 0x88,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['FOREST_TRANSITIVE', 'USES_RC4_ENCRYPTION'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
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
  {
    name: 'USES_RC4_ENCRYPTION on an MIT realm trust: RC4 only',
    type: 3,
    attributes: 0x80,
    encryptionTypes: undefined,
    expect: ['nonown', 'nonown', 'nooown', 'nooown'],
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
    expect: ['nonocn', 'nonocn', 'nooocn', 'nooocn'],
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
    expect: ['nonown', 'nonown', 'nooown', 'nooown'],
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
    expect: ['nonoon', 'nonoon', 'noooon', 'noooon'],
    attributeNames: [],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'realm',
  },
  // CROSS_ORGANIZATION_NO_TGT_DELEGATION is meaningless since 2019: it changes nothing.
  {
    name: '0x200 alone: an external trust without quarantine, delegation verdict unchanged',
    type: 2,
    attributes: 0x200,
    encryptionTypes: 24,
    expect: NO_SID_FILTERING,
    attributeNames: ['CROSS_ORGANIZATION_NO_TGT_DELEGATION'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  {
    name: '0x200 on a forest trust',
    type: 2,
    attributes: 0x208,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['FOREST_TRANSITIVE', 'CROSS_ORGANIZATION_NO_TGT_DELEGATION'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  // CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION: a risk on a forest trust whose direction includes inbound.
  {
    name: '0x800 on a forest trust: warning for inbound and bidirectional, not outbound-only',
    type: 2,
    attributes: 0x808,
    encryptionTypes: 24,
    expect: ['nonooo', 'nwnooo', 'oooooo', 'owoooo'],
    attributeNames: ['FOREST_TRANSITIVE', 'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  {
    name: '0x800 with 0x200 on a forest trust: 0x200 does not cancel it',
    type: 2,
    attributes: 0xa08,
    encryptionTypes: 24,
    expect: ['nonooo', 'nwnooo', 'oooooo', 'owoooo'],
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
    name: '0x800 on a quarantined external trust: judged on forest trusts only',
    type: 2,
    attributes: 0x804,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['QUARANTINED_DOMAIN', 'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  // TREAT_AS_EXTERNAL relaxes a forest trust's filtering; on an external trust it means nothing.
  {
    name: 'TREAT_AS_EXTERNAL on a forest trust: SID history accepted',
    type: 2,
    attributes: 0x48,
    encryptionTypes: 24,
    expect: NO_SID_FILTERING,
    attributeNames: ['FOREST_TRANSITIVE', 'TREAT_AS_EXTERNAL'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
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
  {
    name: 'TREAT_AS_EXTERNAL on an external trust without quarantine: unfiltered because of the missing 0x4',
    type: 2,
    attributes: 0x40,
    encryptionTypes: 24,
    expect: NO_SID_FILTERING,
    attributeNames: ['TREAT_AS_EXTERNAL'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  // Inside a forest.
  {
    name: 'WITHIN_FOREST (parent-child)',
    type: 2,
    attributes: 0x20,
    encryptionTypes: 24,
    expect: ['nnnooo', 'nnnooo', 'nnnooo', 'nnnooo'],
    attributeNames: ['WITHIN_FOREST'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'within_forest',
  },
  {
    name: 'WITHIN_FOREST + NON_TRANSITIVE: still transitive',
    type: 2,
    attributes: 0x21,
    encryptionTypes: 24,
    expect: ['nnnooo', 'nnnooo', 'nnnooo', 'nnnooo'],
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
    expect: ['nnnooo', 'nnnooo', 'nnnooo', 'nnnooo'],
    attributeNames: ['WITHIN_FOREST', 'CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'within_forest',
  },
  {
    name: 'WITHIN_FOREST + TREE_ROOT (obsolete bit named)',
    type: 2,
    attributes: 0x800020,
    encryptionTypes: 24,
    expect: ['nnnooo', 'nnnooo', 'nnnooo', 'nnnooo'],
    attributeNames: ['WITHIN_FOREST', 'TREE_ROOT'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'within_forest',
  },
  // Other attribute bits.
  {
    name: 'selective authentication on a forest trust',
    type: 2,
    attributes: 0x18,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['FOREST_TRANSITIVE', 'CROSS_ORGANIZATION'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'PIM_TRUST on a forest trust: SID filtering not applicable',
    type: 2,
    attributes: 0x408,
    encryptionTypes: 24,
    expect: ['nonooo', 'nonooo', 'nooooo', 'nooooo'],
    attributeNames: ['FOREST_TRANSITIVE', 'PIM_TRUST'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
  },
  {
    name: 'DISABLE_AUTH_TARGET_VALIDATION',
    type: 2,
    attributes: 0x1008,
    encryptionTypes: 24,
    expect: ['nonwoo', 'nonwoo', 'ooowoo', 'ooowoo'],
    attributeNames: ['FOREST_TRANSITIVE', 'DISABLE_AUTH_TARGET_VALIDATION'],
    encryptionTypeNames: AES,
    transitive: true,
    kind: 'forest',
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
    name: 'unknown attribute bits are named by value',
    type: 2,
    attributes: 0x400108,
    encryptionTypes: 24,
    expect: ALL_OK,
    attributeNames: ['FOREST_TRANSITIVE', '0x100', 'TREE_PARENT'],
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
    expect: ['nonoco', 'nonoco', 'ooooco', 'ooooco'],
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
    name: 'downlevel (NT4-style) trust, types unset',
    type: 1,
    attributes: 0,
    encryptionTypes: undefined,
    expect: ['nonoww', 'nonoww', 'woooww', 'woooww'],
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
    expect: ['nonoow', 'nonoow', 'ooooow', 'ooooow'],
    attributeNames: ['QUARANTINED_DOMAIN'],
    encryptionTypeNames: AES,
    transitive: false,
    kind: 'external',
  },
  {
    name: 'Azure AD trust (type 5): most checks not applicable',
    type: 5,
    attributes: 0,
    encryptionTypes: undefined,
    expect: ['nononn', 'nononn', 'nooonn', 'nooonn'],
    attributeNames: [],
    encryptionTypeNames: [],
    transitive: false,
    kind: 'other',
  },
  {
    name: 'every risk at once: TREAT_AS_EXTERNAL, 0x800, 0x1000, 0x80 and DES only',
    type: 2,
    attributes: 0x18c8,
    encryptionTypes: 0x3,
    expect: ['nonwco', 'nwnwco', 'woowco', 'wwowco'],
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

describe('trust rules: reasons and fixes', () => {
  const forest = { type: 2, encryptionTypes: 24 };

  it('the lab external trust without quarantine names the netdom fix at the trusting side', () => {
    const object: TrustObject = {
      ...trust({ ...forest, attributes: 0 }, 2),
      partner: 'fabrikam.test',
      flatName: 'FABRIKAM',
    };
    const sid = byCheck(trustVerdicts(object), 'trust.sid_filtering');
    assert.equal(sid.status, 'warning');
    assert.match(sid.reason, /QUARANTINED_DOMAIN is not set/);
    assert.match(sid.reason, /Windows 2000-era/);
    assert.equal(sid.remediation, 'netdom trust tailspin.test /domain:fabrikam.test /quarantine:yes');
  });

  it('TREAT_AS_EXTERNAL on a forest trust: SID history accepted, /enablesidhistory:no', () => {
    const sid = byCheck(trustVerdicts(trust({ ...forest, attributes: 0x48 }, 3)), 'trust.sid_filtering');
    assert.match(sid.reason, /TREAT_AS_EXTERNAL/);
    assert.match(sid.reason, /SID history from the partner forest wingtip\.test is accepted/);
    assert.equal(sid.remediation, 'netdom trust tailspin.test /domain:wingtip.test /enablesidhistory:no');
  });

  it('a forest trust says SID filtering on', () => {
    const sid = byCheck(trustVerdicts(trust({ ...forest, attributes: 0x8 }, 3)), 'trust.sid_filtering');
    assert.match(sid.reason, /SID filtering on/);
  });

  it("0x800 with inbound: the partner receives our users' TGTs; the fix is on the trusted side", () => {
    const tgt = byCheck(trustVerdicts(trust({ ...forest, attributes: 0x808 }, 1)), 'trust.tgt_delegation');
    assert.match(tgt.reason, /CROSS_ORGANIZATION_ENABLE_TGT_DELEGATION \(0x800\)/);
    assert.match(tgt.reason, /services in wingtip\.test .* receive the TGTs of tailspin\.test's users/);
    assert.equal(tgt.remediation, 'netdom trust wingtip.test /domain:tailspin.test /EnableTGTDelegation:no');
  });

  it('0x200 is named as not counted, alone and next to 0x800', () => {
    for (const [attributes, status] of [
      [0x208, 'ok'],
      [0xa08, 'warning'],
    ] as const) {
      const tgt = byCheck(trustVerdicts(trust({ ...forest, attributes }, 3)), 'trust.tgt_delegation');
      assert.equal(tgt.status, status);
      assert.match(tgt.reason, /CROSS_ORGANIZATION_NO_TGT_DELEGATION \(0x200\).*not counted/);
    }
    const plain = byCheck(trustVerdicts(trust({ ...forest, attributes: 0x808 }, 3)), 'trust.tgt_delegation');
    assert.doesNotMatch(plain.reason, /0x200/);
  });

  it('selective authentication reasons', () => {
    const on = byCheck(trustVerdicts(trust({ ...forest, attributes: 0x18 }, 2)), 'trust.selective_auth');
    assert.match(on.reason, /^Selective authentication on \(CROSS_ORGANIZATION\)/);
    const forestWide = byCheck(trustVerdicts(trust({ ...forest, attributes: 0x8 }, 2)), 'trust.selective_auth');
    assert.match(
      forestWide.reason,
      /^Forest-wide authentication .*every partner user can authenticate to every resource/,
    );
    const domainWide = byCheck(trustVerdicts(trust({ ...forest, attributes: 0x4 }, 3)), 'trust.selective_auth');
    assert.match(domainWide.reason, /^Domain-wide authentication/);
  });

  it('auth target validation: the fix turns it back on', () => {
    const atv = byCheck(trustVerdicts(trust({ ...forest, attributes: 0x1008 }, 2)), 'trust.auth_target_validation');
    assert.match(atv.reason, /DISABLE_AUTH_TARGET_VALIDATION \(0x1000\)/);
    assert.equal(atv.remediation, 'netdom trust tailspin.test /domain:wingtip.test /AuthTargetValidation:yes');
  });

  it('USES_RC4_ENCRYPTION on an AD trust is said to be ignored, and only there', () => {
    const ad = byCheck(trustVerdicts(trust({ ...forest, attributes: 0x88 }, 3)), 'trust.encryption');
    assert.equal(ad.status, 'ok');
    assert.match(ad.reason, /USES_RC4_ENCRYPTION \(0x80\) is set but means nothing on an Active Directory trust/);
    const realm = byCheck(
      trustVerdicts(trust({ type: 3, attributes: 0x80, encryptionTypes: undefined }, 3)),
      'trust.encryption',
    );
    assert.match(realm.reason, /RC4 only on this MIT realm trust: USES_RC4_ENCRYPTION \(0x80\) is set/);
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
  });

  it('downlevel trust: NTLM only', () => {
    const dl = byCheck(
      trustVerdicts(trust({ type: 1, attributes: 0, encryptionTypes: undefined }, 3)),
      'trust.downlevel',
    );
    assert.match(dl.reason, /trustType 1 \(downlevel\).*NTLM only/);
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
      '0x100',
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
