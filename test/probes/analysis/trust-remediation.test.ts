// The netdom lines of trust.expected, trust.consistent, trust.password_age and trust.forest_info,
// checked against Microsoft's "netdom trust" page: the trusting domain first, the trusted one
// after /domain:, whichever side the finding is about.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createFix,
  namesuffixes,
  passwordResetFix,
  recreateFix,
  refreshNames,
  verifyFix,
} from '../../../probes/analysis/trust-remediation.js';

describe('trust remediation lines', () => {
  it('creating an external trust: trusting domain first, /twoway only when two-way', () => {
    assert.equal(
      createFix({ trusting: 'a.test', trusted: 'b.test', twoWay: false, type: 'external' }),
      'create the trust (both sides at once): netdom trust a.test /domain:b.test /add /userD:b.test\\<admin> /passwordD:* /userO:a.test\\<admin> /passwordO:*',
    );
    assert.equal(
      createFix({ trusting: 'a.test', trusted: 'b.test', twoWay: true, type: 'external' }),
      'create the trust (both sides at once): netdom trust a.test /domain:b.test /add /twoway /userD:b.test\\<admin> /passwordD:* /userO:a.test\\<admin> /passwordO:*',
    );
  });

  it('creating a forest trust: never netdom, which cannot', () => {
    const oneWay = createFix({ trusting: 'a.test', trusted: 'b.test', twoWay: false, type: 'forest' });
    assert.equal(
      oneWay,
      'create the forest trust on the forest roots in Active Directory Domains and Trusts (New Trust Wizard: a.test trusts b.test, one-way), or on a DC of a.test with samba-tool domain trust create b.test --type=forest --direction=outgoing --create-location=both; netdom cannot create forest trusts',
    );
    assert.doesNotMatch(oneWay, /netdom trust/);
    assert.match(
      createFix({ trusting: 'a.test', trusted: 'b.test', twoWay: true, type: 'forest' }),
      /a\.test trusts b\.test, two-way\), .* --direction=both /,
    );
  });

  it('re-creating: remove then add, trusting domain first; forest trusts in the wizard', () => {
    assert.equal(
      recreateFix({ trusting: 'a.test', trusted: 'b.test', twoWay: true, type: 'external' }),
      're-create the trust: netdom trust a.test /domain:b.test /remove, then netdom trust a.test /domain:b.test /add /twoway /userD:b.test\\<admin> /passwordD:* /userO:a.test\\<admin> /passwordO:*',
    );
    assert.equal(
      recreateFix({ trusting: 'a.test', trusted: 'b.test', twoWay: false, type: 'forest' }),
      'change the trust in Active Directory Domains and Trusts on both forest roots (delete it and run the New Trust Wizard again: a.test trusts b.test, one-way)',
    );
    assert.match(
      recreateFix({ trusting: 'a.test', trusted: 'b.test', twoWay: true, type: 'forest' }),
      /a\.test trusts b\.test, two-way\)$/,
    );
  });

  it('verify: one line per direction, trusting domain first', () => {
    assert.equal(verifyFix('a.test', 'b.test', 2), 'netdom trust a.test /domain:b.test /verify');
    assert.equal(verifyFix('a.test', 'b.test', 1), 'netdom trust b.test /domain:a.test /verify');
    const both = 'netdom trust a.test /domain:b.test /verify and netdom trust b.test /domain:a.test /verify';
    assert.equal(verifyFix('a.test', 'b.test', 3), both);
    assert.equal(verifyFix('a.test', 'b.test', 0), both);
    assert.equal(verifyFix('a.test', 'b.test', undefined), both);
  });

  it('password reset: /reset trusting first; /resetOneSide on both sides with the same /passwordT', () => {
    const outbound = passwordResetFix({ domain: 'a.test', partner: 'b.test', direction: 2 });
    assert.equal(
      outbound,
      'reset it with netdom trust a.test /domain:b.test /reset /userD:b.test\\<admin> /passwordD:*; if b.test cannot be reached, on a DC of each side with the same password: netdom trust a.test /domain:b.test /resetOneSide /passwordT:<password> /userO:a.test\\<admin> /passwordO:* and netdom trust b.test /domain:a.test /resetOneSide /passwordT:<password> /userO:b.test\\<admin> /passwordO:*',
    );
    assert.match(
      passwordResetFix({ domain: 'a.test', partner: 'b.test', direction: 1 }),
      /^reset it with netdom trust b\.test \/domain:a\.test \/reset \/userD:a\.test\\<admin>/,
    );
    assert.match(
      passwordResetFix({ domain: 'a.test', partner: 'b.test', direction: 3 }),
      /^reset it with netdom trust a\.test \/domain:b\.test \/reset/,
    );
  });

  it("name suffixes are listed with /namesuffixes:<trust name>, refreshed in the trust's properties", () => {
    assert.equal(namesuffixes('a.test', 'b.test'), 'netdom trust a.test /namesuffixes:b.test');
    assert.equal(
      refreshNames('a.test', 'b.test'),
      "refresh the name suffixes in Active Directory Domains and Trusts (properties of the trust with b.test, Name Suffix Routing, Refresh) on a.test's forest root, then check them with netdom trust a.test /namesuffixes:b.test",
    );
  });
});
