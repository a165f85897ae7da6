// The netdom lines the trust findings print. Microsoft's "netdom trust" page: `netdom trust
// <trusting domain> /domain:<trusted domain> ...`; getting the order wrong reverses the trust.
// Pure, so each line and the order of its two names is pinned down by a test.

import type { ExpectedTrust } from '../model/targets.js';
import { includesInbound, includesOutbound, netdom, trustingFirst } from './trust-rules.js';

/**
 * Resetting a trust password: /reset, trusting domain first, the trusted side's admin after /userD.
 * The one-side form, for a partner that cannot be reached, is the Forest Recovery guide's
 * (`netdom experthelp trust`): it runs on each side with the same /passwordT.
 */
export function passwordResetFix(trust: { domain: string; partner: string; direction: number }): string {
  const { trusting, trusted } = trustingFirst(trust);
  return [
    `reset it with ${netdom(trusting, trusted, `/reset /userD:${trusted}\\<admin> /passwordD:*`)}`,
    `if ${trusted} cannot be reached, on a DC of each side with the same password: ${netdom(trusting, trusted, `/resetOneSide /passwordT:<password> /userO:${trusting}\\<admin> /passwordO:*`)} and ${netdom(trusted, trusting, `/resetOneSide /passwordT:<password> /userO:${trusted}\\<admin> /passwordO:*`)}`,
  ].join('; ');
}

/** netdom's listing of a forest trust's routed names: "The /domain parameter isn't required for this operation". */
export function namesuffixes(domain: string, partner: string): string {
  return `netdom trust ${domain} /namesuffixes:${partner}`;
}

/** /namesuffixes only lists; the names are refreshed from the trust's properties. */
export function refreshNames(domain: string, partner: string): string {
  return `refresh the name suffixes in Active Directory Domains and Trusts (properties of the trust with ${partner}, Name Suffix Routing, Refresh) on ${domain}'s forest root, then check them with ${namesuffixes(domain, partner)}`;
}

/**
 * How to create a configured trust, trusting domain first whichever side is missing: /add "with
 * the trusting domain first" makes the trusting side trust the /domain: side, and with /userD and
 * /userO it creates both sides. netdom "can't be used to create a forest trust between two AD DS
 * forests", so a forest trust gets the wizard or samba-tool instead (samba-tool's directions are
 * the local object's: outgoing on the trusting side).
 */
export function createFix(trust: ExpectedTrust): string {
  if (trust.type === 'forest') {
    return `create the forest trust on the forest roots in Active Directory Domains and Trusts (New Trust Wizard: ${trust.trusting} trusts ${trust.trusted}${trust.twoWay ? ', two-way' : ', one-way'}), or on a DC of ${trust.trusting} with samba-tool domain trust create ${trust.trusted} --type=forest --direction=${trust.twoWay ? 'both' : 'outgoing'} --create-location=both; netdom cannot create forest trusts`;
  }
  return `create the trust (both sides at once): ${netdomAdd(trust)}`;
}

function netdomAdd(trust: ExpectedTrust): string {
  const twoWay = trust.twoWay ? ' /twoway' : '';
  return netdom(
    trust.trusting,
    trust.trusted,
    `/add${twoWay} /userD:${trust.trusted}\\<admin> /passwordD:* /userO:${trust.trusting}\\<admin> /passwordO:*`,
  );
}

/** netdom cannot change a trust's direction or type in place: remove and re-create, trusting domain first. */
export function recreateFix(trust: ExpectedTrust): string {
  if (trust.type === 'forest') {
    return `change the trust in Active Directory Domains and Trusts on both forest roots (delete it and run the New Trust Wizard again: ${trust.trusting} trusts ${trust.trusted}${trust.twoWay ? ', two-way' : ', one-way'})`;
  }
  return `re-create the trust: ${netdom(trust.trusting, trust.trusted, '/remove')}, then ${netdomAdd(trust)}`;
}

/**
 * /verify for each direction the trust has, trusting domain first; both ways when the direction
 * (seen from `domain`) is unknown or disabled.
 */
export function verifyFix(domain: string, partner: string, direction: number | undefined): string {
  const outbound = direction !== undefined && includesOutbound(direction);
  const inbound = direction !== undefined && includesInbound(direction);
  const lines: string[] = [];
  if (outbound || !inbound) lines.push(netdom(domain, partner, '/verify'));
  if (inbound || !outbound) lines.push(netdom(partner, domain, '/verify'));
  return lines.join(' and ');
}
