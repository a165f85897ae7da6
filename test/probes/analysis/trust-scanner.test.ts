// The forest trust scanner check (KB5010576) on parsed records: presence and coverage of the
// partner's domains, never the age of a record; not applicable where no scanner runs.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ForestTrustInfo, ForestTrustRecord } from '../../../probes/analysis/forest-trust-info.js';
import {
  localScanner,
  SCANNER_GRACE_MS,
  scannerVerdict,
  type ScannerInput,
} from '../../../probes/analysis/trust-scanner.js';

const NOW = new Date('2026-11-21T12:00:00Z');
const hoursAgo = (hours: number) => new Date(NOW.getTime() - hours * 3_600_000);
const WINDOWS = { vendorVersion: undefined };

function domainInfo(
  dnsName: string,
  netbiosName: string,
  flags = 0,
  timestamp = hoursAgo(24 * 365),
): ForestTrustRecord {
  return { kind: 'domain_info', flags, timestamp, sid: 'S-1-5-21-1-2-3', dnsName, netbiosName };
}

function scannerInfo(
  dnsName: string,
  netbiosName: string,
  flags = 0,
  timestamp = hoursAgo(24 * 365),
): ForestTrustRecord {
  return { kind: 'scanner_info', flags, timestamp, subType: 4, sid: undefined, dnsName, netbiosName };
}

function info(records: ForestTrustRecord[]): ForestTrustInfo {
  return {
    ok: true,
    version: 1,
    records: [{ kind: 'tln', flags: 0, timestamp: undefined, name: 'wingtip.test' }, ...records],
  };
}

function input(
  fields: Partial<ScannerInput> & {
    direction?: number;
    type?: number;
    attributes?: number;
    whenCreated?: Date | undefined;
  } = {},
): ScannerInput {
  const { direction = 1, type = 2, attributes = 0x8, ...rest } = fields;
  delete rest.whenCreated;
  // An explicit undefined means "no whenCreated", so no default for it.
  const whenCreated = 'whenCreated' in fields ? fields.whenCreated : hoursAgo(24 * 30);
  return {
    trust: { domain: 'tailspin.test', partner: 'wingtip.test', direction, type, attributes, whenCreated },
    info: info([domainInfo('wingtip.test', 'WINGTIP')]),
    rootDse: WINDOWS,
    partnerSelectiveAuth: false,
    now: NOW,
    ...rest,
  };
}

describe('trust.scanner', () => {
  it('a Windows forest root without scanner records, 30 days after creation: a warning naming the causes', () => {
    const verdict = scannerVerdict(input());
    assert.equal(verdict.status, 'warning');
    assert.match(
      verdict.reason,
      /^No scanner-info records in msDS-TrustForestTrustInfo, though the trust was created 2026-10-22T12:00:00Z and a Windows DC \(its rootDSE has no vendorVersion\) scans every trusting forest every 8 hours \(KB5010576\)/,
    );
    assert.match(
      verdict.reason,
      /cannot reach wingtip\.test's DCs on LDAP \(TCP and UDP 389\), Kerberos \(88\) or DNS \(53\), or lacks "Access this computer from the network" on them\.$/,
    );
    assert.equal(
      verdict.remediation,
      "on the PDC emulator of tailspin.test's forest root, fix the cause and run netdom trust tailspin.test /domain:wingtip.test /InvokeTrustScanner (KB5010576 gives this order: local forest first), then read the LSA events in its System log",
    );
    assert.deepEqual(verdict.missing, ['wingtip.test']);
  });

  it('"Allowed to authenticate" is named when the partner uses selective authentication, or may', () => {
    assert.match(
      scannerVerdict(input({ partnerSelectiveAuth: true })).reason,
      /; wingtip\.test uses selective authentication for this trust, so the PDC needs "Allowed to authenticate" on wingtip\.test's DC computer accounts\.$/,
    );
    assert.match(
      scannerVerdict(input({ partnerSelectiveAuth: undefined })).reason,
      /; if wingtip\.test uses selective authentication for this trust, the PDC needs "Allowed to authenticate"/,
    );
    assert.doesNotMatch(scannerVerdict(input({ partnerSelectiveAuth: false })).reason, /Allowed to authenticate/);
  });

  it('no msDS-TrustForestTrustInfo at all is the same as no scanner record', () => {
    assert.equal(scannerVerdict(input({ info: undefined })).status, 'warning');
    assert.equal(scannerVerdict(input({ info: undefined, whenCreated: undefined })).status, 'warning');
    assert.match(
      scannerVerdict(input({ info: undefined, whenCreated: undefined })).reason,
      /created at an unknown date/,
    );
  });

  it('records a year old that cover every domain are ok: the age of a record is never judged', () => {
    const verdict = scannerVerdict(
      input({
        info: info([
          domainInfo('wingtip.test', 'WINGTIP'),
          scannerInfo('wingtip.test', 'WINGTIP', 0, hoursAgo(24 * 365)),
        ]),
      }),
    );
    assert.equal(verdict.status, 'ok');
    assert.equal(
      verdict.reason,
      "The scanner has recorded wingtip.test's forest: wingtip.test (a Windows DC (its rootDSE has no vendorVersion)).",
    );
    assert.deepEqual(verdict.missing, []);
  });

  it('a child domain the scanner has not recorded is named', () => {
    const verdict = scannerVerdict(
      input({
        info: info([
          domainInfo('wingtip.test', 'WINGTIP'),
          domainInfo('child.wingtip.test', 'CHILD'),
          scannerInfo('wingtip.test', 'WINGTIP'),
        ]),
      }),
    );
    assert.equal(verdict.status, 'warning');
    assert.match(
      verdict.reason,
      /^The scanner has not recorded child\.wingtip\.test, though it is listed among wingtip\.test's domains in msDS-TrustForestTrustInfo: NTLM pass-through from it is not checked; likely causes/,
    );
    assert.deepEqual(verdict.missing, ['child.wingtip.test']);
    const two = scannerVerdict(
      input({
        info: info([
          domainInfo('a.wingtip.test', 'A'),
          domainInfo('b.wingtip.test', 'B'),
          scannerInfo('wingtip.test', 'WINGTIP'),
        ]),
      }),
    );
    assert.match(
      two.reason,
      /^The scanner has not recorded a\.wingtip\.test, b\.wingtip\.test, though they are listed .*: NTLM pass-through from them is not checked/,
    );
  });

  it('names match by DNS name in any case with or without the final dot, or by NetBIOS name', () => {
    for (const scanned of [scannerInfo('CHILD.Wingtip.Test.', 'X'), scannerInfo('other.test', 'child')]) {
      const verdict = scannerVerdict(input({ info: info([domainInfo('child.wingtip.test', 'CHILD'), scanned]) }));
      assert.equal(verdict.status, 'ok', verdict.reason);
    }
  });

  it('a domain whose SID this forest disabled is not asked for; one with only its NetBIOS name disabled is', () => {
    for (const flags of [0x1, 0x2]) {
      assert.equal(
        scannerVerdict(
          input({
            info: info([domainInfo('child.wingtip.test', 'CHILD', flags), scannerInfo('wingtip.test', 'WINGTIP')]),
          }),
        ).status,
        'ok',
      );
    }
    assert.equal(
      scannerVerdict(
        input({ info: info([domainInfo('child.wingtip.test', 'CHILD', 0x4), scannerInfo('wingtip.test', 'WINGTIP')]) }),
      ).status,
      'warning',
    );
  });

  it('a domain newly listed is given the grace period too', () => {
    const recent = info([
      domainInfo('child.wingtip.test', 'CHILD', 0, hoursAgo(2)),
      scannerInfo('wingtip.test', 'WINGTIP'),
    ]);
    assert.equal(scannerVerdict(input({ info: recent })).status, 'ok');
  });

  it('a trust younger than the grace period: the first scan is pending', () => {
    const young = scannerVerdict(input({ whenCreated: hoursAgo(1) }));
    assert.equal(young.status, 'ok');
    assert.equal(
      young.reason,
      'No scanner records yet, but the trust was created 2026-11-21T11:00:00Z, less than 24 hours ago: the first scan is pending (it runs every 8 hours, KB5010576).',
    );
    assert.equal(SCANNER_GRACE_MS, 24 * 3_600_000);
    assert.equal(scannerVerdict(input({ whenCreated: new Date(NOW.getTime() - SCANNER_GRACE_MS + 1) })).status, 'ok');
    assert.equal(scannerVerdict(input({ whenCreated: new Date(NOW.getTime() - SCANNER_GRACE_MS) })).status, 'warning');
  });

  it('not applicable: disabled, outbound-only, realm, not Windows-domain, not a forest trust', () => {
    const rows: [Partial<Parameters<typeof input>[0]>, RegExp][] = [
      [{ direction: 0 }, /^The trust is disabled \(trustDirection 0\)/],
      [
        { direction: 2 },
        /^Outbound-only forest trust \(outbound\): tailspin\.test trusts wingtip\.test, so the scanner records of this trust are kept on wingtip\.test's side/,
      ],
      [{ type: 3 }, /^Trust with an MIT Kerberos realm \(trustType 3\)/],
      [{ type: 1 }, /^trustType 1: not an Active Directory forest trust/],
      [{ type: 5 }, /^trustType 5: not an Active Directory forest trust/],
      [{ attributes: 0x4 }, /^Not a forest trust \(no FOREST_TRANSITIVE\)/],
    ];
    for (const [fields, reason] of rows) {
      const verdict = scannerVerdict(input(fields));
      assert.equal(verdict.status, 'not_applicable', JSON.stringify(fields));
      assert.match(verdict.reason, reason);
      assert.equal(verdict.remediation, '');
    }
    for (const direction of [1, 3]) assert.equal(scannerVerdict(input({ direction })).status, 'warning');
  });

  it('a Samba DC before 4.23 runs no scanner: not applicable (the lab is Samba 4.17)', () => {
    const verdict = scannerVerdict(input({ rootDse: { vendorVersion: '4.17.12-Debian' } }));
    assert.equal(verdict.status, 'not_applicable');
    assert.equal(
      verdict.reason,
      "No trust scanner is expected in tailspin.test's forest: the DC runs Samba 4.17.12-Debian (vendorVersion), and Samba has a forest trust scanner only from 4.23 on.",
    );
    assert.equal(scannerVerdict(input({ rootDse: { vendorVersion: '4.23.0' } })).status, 'warning');
  });

  it('an unreadable rootDSE or forest trust info: unknown, not a guess', () => {
    assert.deepEqual(scannerVerdict(input({ rootDse: undefined })), {
      status: 'unknown',
      reason:
        "The rootDSE of tailspin.test's DC could not be read, so whether its forest runs a trust scanner is not known.",
      remediation: "let the bind account read the rootDSE of tailspin.test's DC",
      missing: [],
    });
    assert.deepEqual(scannerVerdict(input({ info: { ok: false, error: 'x', version: 1, records: [] } })), {
      status: 'unknown',
      reason:
        'msDS-TrustForestTrustInfo does not parse (see trust.forest_info), so its scanner records cannot be read.',
      remediation: 'see trust.forest_info for wingtip.test',
      missing: [],
    });
  });

  it('NetBIOS names match in any case', () => {
    assert.equal(
      scannerVerdict(input({ info: info([domainInfo('x.wingtip.test', 'child'), scannerInfo('y.test', 'CHILD')]) }))
        .status,
      'ok',
    );
  });
});

describe('localScanner', () => {
  it('tells Windows, Samba by version, and anything else apart', () => {
    assert.deepEqual(localScanner(undefined), { runs: true, by: 'a Windows DC (its rootDSE has no vendorVersion)' });
    assert.deepEqual(localScanner('4.23.0'), { runs: true, by: 'Samba 4.23.0 (the ft_scanner service)' });
    assert.equal(localScanner('4.24.1-Ubuntu').runs, true);
    assert.equal(localScanner('5.0.0').runs, true);
    assert.equal(localScanner('5.1.0').runs, true);
    assert.equal(localScanner('4.22.9').runs, false);
    assert.equal(localScanner('3.99.0').runs, false);
    assert.equal(localScanner('4.17.12-Debian').runs, false);
    assert.equal(localScanner('10.0').runs, true);
    assert.equal(localScanner('4.100.0').runs, true);
    assert.deepEqual(localScanner('OpenLDAP 2.6.3'), {
      runs: false,
      why: 'the DC names itself "OpenLDAP 2.6.3" (vendorVersion), not Windows and no Samba version this agent can compare',
    });
    assert.deepEqual(localScanner('OpenLDAP'), {
      runs: false,
      why: 'the DC names itself "OpenLDAP" (vendorVersion), not Windows and no Samba version this agent can compare',
    });
  });
});
