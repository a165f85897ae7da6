// The verdicts of auth.ntlm, one row per branch of judgeNtlm: which NTSTATUS is the trust's
// secure channel and which is the canary's own account, what stays unknown (a port, not a trust),
// and the words of each message and fix. Messages are compared whole.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  judgeNtlm,
  ntStatusHex,
  ntStatusName,
  rejectsCanary,
  type NtlmOutcome,
  type NtlmUnreachable,
} from '../../../probes/analysis/ntlm-verdict.js';
import type { Finding, Status } from '../../../probes/model/finding.js';
import type { AuthDirection } from '../../../probes/model/targets.js';

const DIRECTION: AuthDirection = { from: 'tailspin.test', to: 'wingtip.test', allowed: true, service: undefined };
const CANARY = 'canary@TAILSPIN.TEST';
const DC = { dc: 'dcb.wingtip.test', address: '198.51.100.20', port: 445 };

function answered(status: number, passwordProven = true, tried: NtlmUnreachable[] = []): NtlmOutcome {
  return { kind: 'answered', ...DC, status, guest: false, seconds: 0.25, passwordProven, tried };
}

const RETRY =
  "fix or unlock the canary's account in tailspin.test; the agent tries again as soon as the canary's password (password_file or password_env) changes, or, for the same password, once its memory is cleared (restart the agent and remove its state file)";
const SC_RESET =
  'on dcb.wingtip.test: nltest /server:dcb.wingtip.test /sc_verify:tailspin.test, then /sc_reset:tailspin.test; if the two sides hold different trust passwords, reset them (netdom trust wingtip.test /domain:tailspin.test /resetOneSide, on each side with the same password) or re-create the trust';

const ROWS: { name: string; outcome: NtlmOutcome; status: Status; message: string; remediation: string }[] = [
  {
    name: 'accepted',
    outcome: answered(0),
    status: 'ok',
    message:
      "tailspin.test users log on to wingtip.test with NTLM: dcb.wingtip.test passed canary@TAILSPIN.TEST's logon through its secure channel to tailspin.test and accepted it",
    remediation: '',
  },
  {
    name: 'a guest session is not the canary logged on',
    outcome: { ...(answered(0) as NtlmOutcome & { kind: 'answered' }), guest: true },
    status: 'critical',
    message:
      "dcb.wingtip.test (198.51.100.20) gave a guest session, not canary@TAILSPIN.TEST's: it did not verify the logon, so NTLM across the trust is not proven",
    remediation:
      'turn guest mapping off on dcb.wingtip.test (Samba: map to guest = never; Windows: keep the Guest account disabled), then check this again',
  },
  {
    name: 'trusted relationship failure',
    outcome: answered(0xc000018d),
    status: 'critical',
    message:
      'tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC000018D STATUS_TRUSTED_RELATIONSHIP_FAILURE: the secure channel to tailspin.test is broken',
    remediation: SC_RESET,
  },
  {
    name: 'access denied, as Samba answers a broken channel',
    outcome: answered(0xc0000022),
    status: 'critical',
    message:
      'tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC0000022 STATUS_ACCESS_DENIED: the DC refused to pass the logon to tailspin.test (how Samba DCs answer when the secure channel fails)',
    remediation: SC_RESET,
  },
  {
    name: 'trusted domain failure',
    outcome: answered(0xc000018c),
    status: 'critical',
    message:
      'tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC000018C STATUS_TRUSTED_DOMAIN_FAILURE: the trust with tailspin.test failed on this DC',
    remediation:
      "look up 0xC000018C in the DC's Netlogon and security logs on dcb.wingtip.test, and check the secure channel: nltest /server:dcb.wingtip.test /sc_verify:tailspin.test",
  },
  {
    name: 'no trust SAM account',
    outcome: answered(0xc000018b),
    status: 'critical',
    message:
      "tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC000018B STATUS_NO_TRUST_SAM_ACCOUNT: tailspin.test has no interdomain trust account for wingtip.test's side",
    remediation:
      "the trust account of wingtip.test's side is missing in tailspin.test: re-create the trust (both sides), then nltest /server:dcb.wingtip.test /sc_verify:tailspin.test",
  },
  {
    name: 'no logon servers',
    outcome: answered(0xc000005e),
    status: 'critical',
    message:
      'tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC000005E STATUS_NO_LOGON_SERVERS: the DC found no DC of tailspin.test to pass the logon to',
    remediation:
      "let dcb.wingtip.test find and reach a DC of tailspin.test: DNS for tailspin.test (conditional forwarder), and TCP/UDP 88, 389, TCP 135, 445 and the RPC ports from dcb.wingtip.test to tailspin.test's DCs; then nltest /server:dcb.wingtip.test /sc_verify:tailspin.test",
  },
  {
    name: 'selective authentication',
    outcome: answered(0xc0000413),
    status: 'critical',
    message:
      'tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC0000413 STATUS_AUTHENTICATION_FIREWALL_FAILED: selective authentication: tailspin.test users are not allowed to authenticate to this DC',
    remediation:
      'grant the canary\'s group (or tailspin.test users) "Allowed to authenticate" on dcb.wingtip.test\'s computer object in wingtip.test, or remove selective authentication from the trust if it is not meant',
  },
  {
    name: 'NTLM blocked',
    outcome: answered(0xc0000418),
    status: 'critical',
    message:
      'tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC0000418 STATUS_NTLM_BLOCKED: NTLM is blocked by policy on this DC or in tailspin.test',
    remediation:
      'allow NTLM for this trust: "Network security: Restrict NTLM" policies on dcb.wingtip.test and in tailspin.test (add exceptions), or accept that only Kerberos works across it',
  },
  {
    name: 'Netlogon not started',
    outcome: answered(0xc0000192),
    status: 'critical',
    message:
      'tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC0000192 STATUS_NETLOGON_NOT_STARTED: the Netlogon service is not running on the DC',
    remediation: 'start the Netlogon service on dcb.wingtip.test',
  },
  {
    name: 'a status the agent does not know',
    outcome: answered(0xc0001234),
    status: 'critical',
    message:
      'tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC0001234 an NTSTATUS this agent does not know: the logon across the trust failed',
    remediation:
      "look up 0xC0001234 in the DC's Netlogon and security logs on dcb.wingtip.test, and check the secure channel: nltest /server:dcb.wingtip.test /sc_verify:tailspin.test",
  },
  {
    name: 'logon failure for a password its own KDC took: the partner did not pass it on',
    outcome: answered(0xc000006d, true),
    status: 'critical',
    message:
      "tailspin.test users cannot log on to wingtip.test with NTLM: dcb.wingtip.test (198.51.100.20) answered 0xC000006D STATUS_LOGON_FAILURE: the logon failed, though tailspin.test's KDC took the same password in this run: dcb.wingtip.test did not pass it to tailspin.test",
    remediation:
      "the canary's own KDC took its password in this run, so dcb.wingtip.test did not pass the logon to tailspin.test: check that wingtip.test trusts tailspin.test (trust objects, their direction, and the name TAILSPIN.TEST in the trust), and nltest /server:dcb.wingtip.test /sc_verify:tailspin.test; the agent tries again when the canary's password changes or its memory is cleared (restart the agent and remove its state file)",
  },
  {
    name: 'logon failure without a proven password: the canary is refused',
    outcome: answered(0xc000006d, false),
    status: 'unknown',
    message:
      'canary password rejected; not retried: dcb.wingtip.test (198.51.100.20) answered 0xC000006D STATUS_LOGON_FAILURE: unknown user name or bad password',
    remediation: RETRY,
  },
  {
    name: 'locked out, even with a proven password',
    outcome: answered(0xc0000234, true),
    status: 'unknown',
    message:
      'canary password rejected; not retried: dcb.wingtip.test (198.51.100.20) answered 0xC0000234 STATUS_ACCOUNT_LOCKED_OUT: the canary is locked out',
    remediation: RETRY,
  },
  {
    name: 'not tried: the own KDC refused the password',
    outcome: { kind: 'not-tried', why: 'the password was refused', rejected: true, trustFailure: false },
    status: 'unknown',
    message: 'canary password rejected; not retried: the password was refused',
    remediation: RETRY,
  },
  {
    name: 'not tried: a keytab without an NT hash',
    outcome: { kind: 'not-tried', why: 'the keytab holds no RC4-HMAC key', rejected: false, trustFailure: false },
    status: 'unknown',
    message: 'NTLM across the trust not tried: the keytab holds no RC4-HMAC key',
    remediation: '',
  },
  {
    name: 'not tried: a remembered partner logon failure stays critical',
    outcome: { kind: 'not-tried', why: 'dcb answered 0xC000006D', rejected: true, trustFailure: true },
    status: 'critical',
    message:
      "tailspin.test users cannot log on to wingtip.test with NTLM: dcb answered 0xC000006D; not sent again until the canary's password changes",
    remediation:
      "the canary's own KDC took its password in this run, so <a DC of wingtip.test> did not pass the logon to tailspin.test: check that wingtip.test trusts tailspin.test (trust objects, their direction, and the name TAILSPIN.TEST in the trust), and nltest /server:<a DC of wingtip.test> /sc_verify:tailspin.test; the agent tries again when the canary's password changes or its memory is cleared (restart the agent and remove its state file)",
  },
  {
    name: 'no DC of the partner found',
    outcome: { kind: 'no-dc', detail: 'NXDOMAIN' },
    status: 'critical',
    message: 'no DC of wingtip.test found to log on at: NXDOMAIN',
    remediation:
      "make wingtip.test's DCs findable from this host (DNS forwarding of wingtip.test, or dcs: under domains.wingtip.test)",
  },
  {
    name: 'port 445 unreachable: a port, not the trust',
    outcome: {
      kind: 'unreachable',
      tried: [
        { ...DC, detail: 'no answer to the connect in 5 s' },
        { dc: 'dcb2.wingtip.test', address: '198.51.100.21', port: 445, detail: 'connection refused' },
      ],
    },
    status: 'unknown',
    message:
      'NTLM across the trust not tested: no DC of wingtip.test took a connection on its SMB port: dcb.wingtip.test (198.51.100.20) port 445: no answer to the connect in 5 s; dcb2.wingtip.test (198.51.100.21) port 445: connection refused',
    remediation:
      'allow TCP 445 (SMB) from this host to the DCs of wingtip.test; this says nothing about the trust itself',
  },
  {
    name: 'a DC that does not speak SMB2',
    outcome: {
      kind: 'broken',
      ...DC,
      detail: 'answered SMB2 NEGOTIATE with something unusable: x',
      tried: [],
      seconds: 0.1,
    },
    status: 'unknown',
    message:
      'NTLM across the trust not tested: dcb.wingtip.test (198.51.100.20) port 445 answered SMB2 NEGOTIATE with something unusable: x',
    remediation: 'check that dcb.wingtip.test serves SMB2 on TCP 445 to this host',
  },
];

describe('judgeNtlm', () => {
  for (const row of ROWS)
    it(row.name, () => {
      const verdict = judgeNtlm(DIRECTION, CANARY, row.outcome);
      assert.equal(verdict.check, 'auth.ntlm');
      assert.equal(verdict.domain, 'tailspin.test');
      assert.deepEqual(verdict.target, { kind: 'path', from: 'tailspin.test', to: 'wingtip.test' });
      assert.equal(verdict.status, row.status);
      assert.equal(verdict.message, row.message);
      assert.equal(verdict.remediation, row.remediation);
      assert.equal(verdict.observed['protocol'], 'ntlm');
    });

  it('records the status, its name, the DC and the DCs tried before it', () => {
    const verdict = judgeNtlm(
      DIRECTION,
      CANARY,
      answered(0xc000018d, true, [
        { dc: 'dcb0.wingtip.test', address: '198.51.100.19', port: 445, detail: 'connection refused' },
      ]),
    );
    assert.deepEqual(verdict.observed, {
      protocol: 'ntlm',
      allowed: true,
      dc: 'dcb.wingtip.test',
      address: '198.51.100.20',
      port: 445,
      status: '0xC000018D',
      status_name: 'STATUS_TRUSTED_RELATIONSHIP_FAILURE',
      seconds: 0.25,
      tried: ['dcb0.wingtip.test (198.51.100.19) port 445: connection refused'],
      not_retried: false,
    });
    assert.deepEqual(judgeNtlm(DIRECTION, CANARY, answered(0)).observed['status_name'], 'STATUS_SUCCESS');
    assert.equal(judgeNtlm(DIRECTION, CANARY, answered(0xc000006d, true)).observed['not_retried'], true);
    assert.equal(judgeNtlm(DIRECTION, CANARY, answered(0xc000006d, false)).observed['not_retried'], true);
  });
});

describe('what each NTSTATUS means across the trust', () => {
  const MEANINGS: [number, Status, string][] = [
    [0xc0000198, 'critical', 'STATUS_NOLOGON_INTERDOMAIN_TRUST_ACCOUNT: the canary is an interdomain trust account'],
    [0xc0000199, 'critical', 'STATUS_NOLOGON_WORKSTATION_TRUST_ACCOUNT: the canary is a computer account'],
    [0xc00000df, 'critical', 'STATUS_NO_SUCH_DOMAIN: the DC does not know the domain tailspin.test'],
    [0xc000015b, 'critical', 'STATUS_LOGON_TYPE_NOT_GRANTED: the canary may not log on over the network here'],
    [0xc000006a, 'unknown', 'STATUS_WRONG_PASSWORD: wrong password'],
    [0xc0000064, 'unknown', 'STATUS_NO_SUCH_USER: no such user'],
    [0xc0000072, 'unknown', 'STATUS_ACCOUNT_DISABLED: the canary is disabled'],
    [0xc0000193, 'unknown', 'STATUS_ACCOUNT_EXPIRED: the canary has expired'],
    [0xc0000071, 'unknown', "STATUS_PASSWORD_EXPIRED: the canary's password has expired"],
    [0xc0000224, 'unknown', "STATUS_PASSWORD_MUST_CHANGE: the canary's password must change"],
    [0xc000006e, 'unknown', 'STATUS_ACCOUNT_RESTRICTION: an account restriction'],
    [0xc000006f, 'unknown', 'STATUS_INVALID_LOGON_HOURS: outside its logon hours'],
    [0xc0000070, 'unknown', 'STATUS_INVALID_WORKSTATION: not allowed from this workstation'],
  ];
  for (const [status, verdict, meaning] of MEANINGS)
    it(`${ntStatusHex(status)}: ${verdict}, "${meaning}"`, () => {
      const found = judgeNtlm(DIRECTION, CANARY, answered(status));
      assert.equal(found.status, verdict);
      assert.ok(
        found.message.endsWith(`dcb.wingtip.test (198.51.100.20) answered ${ntStatusHex(status)} ${meaning}`),
        found.message,
      );
    });
});

describe('observed, beyond the answered logon', () => {
  const observedOf = (outcome: NtlmOutcome): Finding['observed'] => judgeNtlm(DIRECTION, CANARY, outcome).observed;
  const base = { protocol: 'ntlm', allowed: true };
  it('not tried: whether the password is held back', () => {
    assert.deepEqual(observedOf({ kind: 'not-tried', why: 'x', rejected: true, trustFailure: false }), {
      ...base,
      not_retried: true,
    });
    assert.deepEqual(observedOf({ kind: 'not-tried', why: 'x', rejected: false, trustFailure: false }), {
      ...base,
      not_retried: false,
    });
    assert.deepEqual(observedOf({ kind: 'not-tried', why: 'x', rejected: true, trustFailure: true }), {
      ...base,
      not_retried: true,
    });
  });
  it('unreachable: every DC tried; broken: the DC and its port', () => {
    assert.deepEqual(observedOf({ kind: 'unreachable', tried: [{ ...DC, detail: 'connection refused' }] }), {
      ...base,
      tried: ['dcb.wingtip.test (198.51.100.20) port 445: connection refused'],
    });
    assert.deepEqual(observedOf({ kind: 'broken', ...DC, detail: 'x', tried: [], seconds: 0.5 }), {
      ...base,
      dc: 'dcb.wingtip.test',
      address: '198.51.100.20',
      port: 445,
      seconds: 0.5,
    });
  });
  it('an answer with no DC passed over has no tried list; a guest session says so', () => {
    assert.equal('tried' in observedOf(answered(0)), false);
    assert.equal(observedOf({ ...(answered(0) as NtlmOutcome & { kind: 'answered' }), guest: true })['guest'], true);
  });
});

describe('NTSTATUS', () => {
  it('names statuses in hex, upper case, eight digits', () => {
    assert.equal(ntStatusHex(0xc000018d), '0xC000018D');
    assert.equal(ntStatusHex(0x103), '0x00000103');
    assert.equal(ntStatusHex(-1073741427), '0xC000018D');
    assert.equal(ntStatusName(0xc000005e), 'STATUS_NO_LOGON_SERVERS');
    assert.equal(ntStatusName(-1073741715), 'STATUS_LOGON_FAILURE');
  });

  it("the canary's own account statuses, and only those, are never sent again", () => {
    for (const status of [
      0xc000006d, 0xc000006a, 0xc0000064, 0xc0000234, 0xc0000072, 0xc0000193, 0xc0000071, 0xc0000224, 0xc000006e,
      0xc000006f, 0xc0000070,
    ])
      assert.equal(rejectsCanary(status), true, ntStatusHex(status));
    for (const status of [0, 0xc000018d, 0xc000018b, 0xc000005e, 0xc0000022, 0xc0000413, 0xc0000418, 0xc0001234])
      assert.equal(rejectsCanary(status), false, ntStatusHex(status));
  });
});
