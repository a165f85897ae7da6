// The auth family against the real Samba lab: the canary of each forest authenticates across
// each trust with Kerberos, hop by hop, and MIT Kerberos (kinit + kvno with the same canary, in
// the same namespace) agrees with the agent's verdict in every case; and with NTLM at the
// partner's DC, where Samba's smbclient with the same canary agrees.

import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JsonFinding as Finding } from '../../agent/outputs/report.js';
import { parseMetrics, sampleValue } from '../support/metrics.js';
import { closedPort } from '../support/tcp.js';
import { findings, lab, LAB_CONFIG, PROBE, probeRun, probeUntil, tempConfig, type Report } from './support.js';

const AUTH = ['--only', 'auth'];
const LAB_DIR = process.env['ADTRUST_LAB_DIR'] ?? '/var/lib/adtrust-lab';
const DC: Record<string, string> = {
  'tailspin.test': 'dca.tailspin.test',
  'wingtip.test': 'dcb.wingtip.test',
  'fabrikam.test': 'dcc.fabrikam.test',
};
/** Every direction the config's trusts open, and the one they do not (tailspin trusts fabrikam one way). */
const ALLOWED = [
  ['tailspin.test', 'wingtip.test'],
  ['wingtip.test', 'tailspin.test'],
  ['wingtip.test', 'fabrikam.test'],
  ['fabrikam.test', 'wingtip.test'],
  ['fabrikam.test', 'tailspin.test'],
] as const;
const CLOSED = ['tailspin.test', 'fabrikam.test'] as const;
/** Both directions of the forest trust the trust faults below break. */
const TAILSPIN_WINGTIP = [
  ['tailspin.test', 'wingtip.test'],
  ['wingtip.test', 'tailspin.test'],
] as const;

function direction(report: Report, from: string, to: string): Finding {
  const found = findings(report, 'auth.kerberos', (f) => f.target === `${from}->${to}`);
  assert.equal(found.length, 1, `auth.kerberos ${from}->${to}: ${found.length} findings`);
  return found[0] as Finding;
}

function ntlm(report: Report, from: string, to: string): Finding {
  const found = findings(report, 'auth.ntlm', (f) => f.target === `${from}->${to}`);
  assert.equal(found.length, 1, `auth.ntlm ${from}->${to}: ${found.length} findings`);
  return found[0] as Finding;
}

type ObservedHop = Record<string, unknown>;
const hopsOf = (finding: Finding): ObservedHop[] => finding.observed['hops'] as ObservedHop[];
const lastHop = (finding: Finding): ObservedHop => hopsOf(finding).at(-1) as ObservedHop;

const healthy = (report: Report): boolean =>
  ALLOWED.every(
    ([from, to]) => direction(report, from, to).status === 'ok' && ntlm(report, from, to).status === 'ok',
  ) && direction(report, ...CLOSED).status === 'ok';

/**
 * Samba's smbclient with the same canary, NTLM only: a session at the partner DC's NETLOGON
 * share, which that DC can only grant through its secure channel to the canary's domain.
 * Returns '' when the logon worked, else smbclient's NT_STATUS_ name.
 */
function smbclient(from: string, to: string): string {
  const password = readFileSync(join(LAB_DIR, 'secrets', `${from}.canary.pw`), 'utf8');
  const run = spawnSync(
    'smbclient',
    [
      `//${DC[to] ?? to}/netlogon`,
      '-U',
      `${from.toUpperCase()}\\canary`,
      '--option=client use kerberos=off',
      '-c',
      'ls',
    ],
    { env: { ...process.env, PASSWD: password }, encoding: 'utf8', timeout: 60_000 },
  );
  if (run.status === 0) return '';
  return /NT_STATUS_[A-Z_]+/.exec(`${run.stdout}${run.stderr}`)?.[0] ?? `smbclient: ${run.stdout}${run.stderr}`;
}

/** Restarts both DCs: Samba's winbindd keeps a secure channel it has until then, whatever the trust key. */
async function restartBoth(): Promise<void> {
  for (const dc of ['dca', 'dcb']) {
    await lab('stop', dc);
    await lab('start', dc);
  }
}

/**
 * MIT Kerberos with the same canary: kinit with its password file, then kvno for the partner
 * DC's LDAP service in the partner realm. A ccache of its own, so nothing else is disturbed.
 */
function mit(from: string, to: string, passwordFile = join(LAB_DIR, 'secrets', `${from}.canary.pw`)) {
  const ccache = join(mkdtempSync(join(tmpdir(), 'adtrust-mit-')), 'cc');
  const env = { ...process.env, KRB5CCNAME: `FILE:${ccache}` };
  const kinit = spawnSync('kinit', [`canary@${from.toUpperCase()}`], {
    env,
    input: readFileSync(passwordFile),
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (kinit.status !== 0) return { ok: false, output: `kinit: ${kinit.stderr}` };
  const kvno = spawnSync('kvno', [`ldap/${DC[to] ?? to}@${to.toUpperCase()}`], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { ok: kvno.status === 0, output: `${kvno.stdout}${kvno.stderr}` };
}

before(async () => {
  await lab('reset');
  await probeUntil(AUTH, 'every trust direction authenticates', healthy, 120);
});

after(async () => {
  await lab('reset');
});

describe('the canary authenticates across every trust of a healthy lab', () => {
  it('ok, hop by hop with AES referrals, in every direction the trusts open; "not available" where they do not; MIT agrees', async () => {
    const report = await probeRun(AUTH);
    assert.equal(report.status, 'ok');
    for (const [from, to] of ALLOWED) {
      const finding = direction(report, from, to);
      assert.equal(finding.status, 'ok', finding.message);
      assert.equal(finding.domain, from);
      assert.match(
        finding.message,
        new RegExp(`^${from} users authenticate to ${to}: service ticket for ldap/${DC[to]}`),
      );
      const [logon] = hopsOf(finding);
      assert.equal(logon?.['step'], 'as');
      assert.equal(logon['realm'], from.toUpperCase());
      assert.equal(lastHop(finding)['result'], 'ticket');
      assert.equal(lastHop(finding)['realm'], to.toUpperCase());
      assert.equal(finding.observed['referral_etype'], 'aes256-cts-hmac-sha1-96');
      const byMit = mit(from, to);
      assert.ok(byMit.ok, `MIT disagrees on ${from}->${to}: ${byMit.output}`);
    }
    for (const [from, to] of ALLOWED) {
      const finding = ntlm(report, from, to);
      assert.equal(finding.status, 'ok', finding.message);
      assert.equal(finding.observed['dc'], DC[to]);
      assert.equal(finding.observed['port'], 445);
      assert.equal(finding.observed['status'], '0x00000000');
      assert.equal(smbclient(from, to), '', `smbclient disagrees on ${from}->${to}`);
    }
    assert.equal(
      findings(report, 'auth.ntlm', (f) => f.target === CLOSED.join('->')).length,
      0,
      'NTLM where no trust opens',
    );
    const closed = direction(report, ...CLOSED);
    assert.equal(closed.status, 'ok');
    assert.match(closed.message, /^not available, as configured: tailspin\.test users cannot reach fabrikam\.test/);
    assert.equal(lastHop(closed)['error_name'], 'KDC_ERR_S_PRINCIPAL_UNKNOWN');
    assert.equal(mit(...CLOSED).ok, false, 'MIT reached fabrikam.test from tailspin.test');
  });
});

describe('probe path --live', () => {
  it('prints the Kerberos hops and the NTLM logon of the canary, and exits 0 when both work', () => {
    const run = spawnSync(
      process.execPath,
      [PROBE, 'path', 'tailspin.test', 'wingtip.test', '--live', '--config', LAB_CONFIG],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /^tailspin\.test->wingtip\.test \(Kerberos, ldap\/dcb\.wingtip\.test\):\n {2}1\. AS /);
    assert.match(
      run.stdout,
      /\ntailspin\.test->wingtip\.test \(NTLM at dcb\.wingtip\.test:445\):\nOK tailspin\.test users log on to wingtip\.test with NTLM: dcb\.wingtip\.test passed canary@TAILSPIN\.TEST's logon through its secure channel to tailspin\.test and accepted it\n$/,
    );
  });
});

describe('a canary with a keytab instead of a password', () => {
  it("MIT ktutil's keytab of the canary: the same verdicts as with its password", async () => {
    const password = readFileSync(join(LAB_DIR, 'secrets', 'fabrikam.test.canary.pw'), 'utf8');
    const keytab = join(mkdtempSync(join(tmpdir(), 'adtrust-keytab-')), 'canary.keytab');
    const script = ['aes256-cts-hmac-sha1-96', 'aes128-cts-hmac-sha1-96']
      .map((etype) => `addent -password -p canary@FABRIKAM.TEST -k 1 -e ${etype}\n${password}\n`)
      .join('');
    const ktutil = spawnSync('ktutil', [], {
      input: `${script}wkt ${keytab}\nquit\n`,
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(ktutil.status, 0, ktutil.stderr);
    const config = readFileSync(LAB_CONFIG, 'utf8').replace(
      `password_file: ${LAB_DIR}/secrets/fabrikam.test.canary.pw`,
      `keytab_file: ${keytab}`,
    );
    assert.ok(config.includes(keytab));
    const report = await probeRun(AUTH, tempConfig(config));
    for (const to of ['tailspin.test', 'wingtip.test']) {
      const finding = direction(report, 'fabrikam.test', to);
      assert.equal(finding.status, 'ok', finding.message);
      assert.equal(hopsOf(finding)[0]?.['etype'], 'aes256-cts-hmac-sha1-96');
    }
  });
});

describe('faults: the exact check, status and reason, and MIT agrees', () => {
  it('UDP 88 dropped at the partner KDC: still ok, over TCP, and the hop says why', async () => {
    await lab('block', 'dcb', '88/udp', 'drop');
    try {
      const report = await probeRun(AUTH);
      const finding = direction(report, 'tailspin.test', 'wingtip.test');
      assert.equal(finding.status, 'ok', finding.message);
      assert.match(
        finding.message,
        /UDP 88 failed at dcb\.wingtip\.test \(no answer over UDP 88 in \d+ s\), TCP worked/,
      );
      const partnerHop = lastHop(finding);
      assert.equal(partnerHop['kdc'], 'dcb.wingtip.test');
      assert.equal(partnerHop['transport'], 'tcp');
      assert.match(String(partnerHop['udp_fallback']), /no answer over UDP 88/);
      assert.ok(mit('tailspin.test', 'wingtip.test').ok);
    } finally {
      await lab('unblock', 'dcb', '88/udp');
    }
  });

  it("the partner's DC frozen: critical for the users who need it, unknown (not critical) for its own canary", async () => {
    await lab('freeze', 'dcb');
    try {
      const report = await probeRun(AUTH);
      for (const from of ['tailspin.test', 'fabrikam.test']) {
        const finding = direction(report, from, 'wingtip.test');
        assert.equal(finding.status, 'critical', finding.message);
        assert.match(finding.message, /wingtip\.test/);
      }
      for (const to of ['tailspin.test', 'fabrikam.test']) {
        const finding = direction(report, 'wingtip.test', to);
        assert.equal(finding.status, 'unknown', finding.message);
        assert.match(finding.message, /^the canary could not log on in wingtip\.test, so the trust was not tried/);
      }
      assert.equal(direction(report, 'fabrikam.test', 'tailspin.test').status, 'ok');
      assert.equal(mit('tailspin.test', 'wingtip.test').ok, false);
    } finally {
      await lab('thaw', 'dcb');
    }
  });

  it('the canary disabled: unknown, "canary password rejected; not retried", not a trust failure', async () => {
    await lab('user-disable', 'canary', 'wingtip.test');
    try {
      const report = await probeRun(AUTH);
      for (const to of ['tailspin.test', 'fabrikam.test']) {
        const finding = direction(report, 'wingtip.test', to);
        assert.equal(finding.status, 'unknown', finding.message);
        assert.match(finding.message, /^canary password rejected; not retried: .*KDC_ERR_CLIENT_REVOKED \(18/);
        assert.equal(finding.observed['not_retried'], true);
      }
      assert.equal(direction(report, 'tailspin.test', 'wingtip.test').status, 'ok');
      const byMit = mit('wingtip.test', 'tailspin.test');
      assert.equal(byMit.ok, false);
      assert.match(byMit.output, /revoked/);
    } finally {
      await lab('user-enable', 'canary', 'wingtip.test');
    }
  });

  it('a wrong canary password under a lockout policy: one failed attempt in many daemon runs, never a lockout', async () => {
    await lab('lockout', 'wingtip.test', '3');
    const wrong = join(mkdtempSync(join(tmpdir(), 'adtrust-canary-')), 'wrong.pw');
    writeFileSync(wrong, 'Not-The-Password-1!', { mode: 0o600 });
    const port = await closedPort();
    // Only the auth family, every 2 seconds; the others once a year.
    const config = readFileSync(LAB_CONFIG, 'utf8')
      .replace(/^listen: .*$/m, `listen: 127.0.0.1:${String(port)}`)
      .replace(
        /^timeout: .*$/m,
        'timeout: 3s\nschedule:\n  dns: "0 0 1 1 *"\n  ports: "0 0 1 1 *"\n  protocols: "0 0 1 1 *"\n  ldap: "0 0 1 1 *"\n  auth: "*/2 * * * * *"',
      )
      .replace(`${LAB_DIR}/secrets/wingtip.test.canary.pw`, wrong);
    let agent: ChildProcess | undefined;
    let log = '';
    try {
      agent = spawn(process.execPath, [PROBE, 'agent', '--config', tempConfig(config)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      agent.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      agent.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
      const until = Date.now() + 90_000;
      let runs = 0;
      let status: number | undefined;
      while (runs < 6) {
        assert.ok(Date.now() < until, `fewer than 6 auth runs in 90 s (${runs}):\n${log.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const text = await fetch(`http://127.0.0.1:${String(port)}/metrics`)
          .then((response) => response.text())
          .catch(() => '');
        const samples = parseMetrics(text);
        runs = sampleValue(samples, 'adtrust_probe_runs_total', { family: 'auth' }) ?? 0;
        status = sampleValue(samples, 'adtrust_check_status', {
          check: 'auth.kerberos',
          domain: 'wingtip.test',
          target: 'wingtip.test->tailspin.test',
        });
      }
      assert.equal(status, 3, 'the wrong password is an unknown, not a trust failure');
      assert.doesNotMatch(log, /Not-The-Password-1!/);
      assert.equal((await lab('bad-passwords', 'canary', 'wingtip.test')).trim(), 'badPwdCount 1 lockoutTime 0');
    } finally {
      agent?.kill('SIGTERM');
      await lab('lockout', 'wingtip.test', '0');
    }
    // Not locked out: the right password still works, for the agent and for MIT.
    const report = await probeRun(AUTH);
    assert.equal(direction(report, 'wingtip.test', 'tailspin.test').status, 'ok');
    assert.ok(mit('wingtip.test', 'tailspin.test').ok);
  });

  it('the trust key changed on one side only: critical "trust key mismatch" (BAD_INTEGRITY) both ways, the other trusts ok; NTLM fails once the secure channel is re-made, while the trust objects look fine', async () => {
    await lab('trust-key', 'dcb', 'tailspin.test');
    try {
      const report = await probeRun(AUTH);
      for (const [from, to] of TAILSPIN_WINGTIP) {
        const finding = direction(report, from, to);
        assert.equal(finding.status, 'critical', finding.message);
        assert.match(finding.message, /trust key mismatch/);
        assert.equal(lastHop(finding)['error_code'], 31);
        assert.equal(lastHop(finding)['realm'], to.toUpperCase());
        assert.match(finding.remediation, new RegExp(`netdom trust ${to} /domain:${from} /resetOneSide`));
        const byMit = mit(from, to);
        assert.equal(byMit.ok, false);
        assert.match(byMit.output, /integrity/i);
      }
      assert.equal(direction(report, 'fabrikam.test', 'wingtip.test').status, 'ok');

      // NTLM: the secure channel each DC already holds survives a new key until it is re-made.
      await restartBoth();
      const after = await probeUntil(
        AUTH,
        'NTLM across tailspin<->wingtip fails',
        (r) => TAILSPIN_WINGTIP.every(([from, to]) => ntlm(r, from, to).status === 'critical'),
        90,
      );
      for (const [from, to] of TAILSPIN_WINGTIP) {
        const finding = ntlm(after, from, to);
        assert.equal(finding.observed['dc'], DC[to]);
        assert.equal(finding.observed['status'], '0xC0000022', finding.message);
        assert.match(finding.message, /STATUS_ACCESS_DENIED: the DC refused to pass the logon to /);
        assert.match(finding.remediation, new RegExp(`nltest /server:${DC[to] ?? ''} /sc_verify:${from}`));
        assert.equal(smbclient(from, to), 'NT_STATUS_ACCESS_DENIED');
      }
      assert.equal(ntlm(after, 'fabrikam.test', 'wingtip.test').status, 'ok');
      // The trust objects on both sides still look right: only a logon shows the fault.
      const ldap = await probeRun(['--only', 'ldap']);
      for (const domain of ['tailspin.test', 'wingtip.test']) {
        const consistent = findings(ldap, 'trust.consistent', (f) => f.domain === domain);
        assert.ok(consistent.length > 0, `no trust.consistent finding for ${domain}`);
        for (const finding of consistent) assert.equal(finding.status, 'ok', finding.message);
      }
    } finally {
      await lab('trust-restore');
    }
  });

  it('TCP 445 dropped at the partner DC: NTLM unknown naming the port, not a broken trust; Kerberos ok', async () => {
    await lab('block', 'dcb', '445/tcp', 'drop');
    try {
      const report = await probeRun(AUTH);
      for (const from of ['tailspin.test', 'fabrikam.test']) {
        const finding = ntlm(report, from, 'wingtip.test');
        assert.equal(finding.status, 'unknown', finding.message);
        assert.equal(
          finding.message,
          'NTLM across the trust not tested: no DC of wingtip.test took a connection on its SMB port: dcb.wingtip.test (198.51.100.20) port 445: no answer to the connect in 3 s',
        );
        assert.match(finding.remediation, /^allow TCP 445 \(SMB\) from this host to the DCs of wingtip\.test/);
        assert.equal(direction(report, from, 'wingtip.test').status, 'ok');
      }
      assert.equal(ntlm(report, 'wingtip.test', 'tailspin.test').status, 'ok');
    } finally {
      await lab('unblock', 'dcb', '445/tcp');
    }
  });

  it("AES removed from one side's trust: critical, the sides disagree (BADKEYVER); from both: works with RC4, a warning", async () => {
    await lab('trust-aes-off', 'dcb', 'tailspin.test');
    try {
      const report = await probeRun(AUTH);
      for (const [from, to] of TAILSPIN_WINGTIP) {
        const finding = direction(report, from, to);
        assert.equal(finding.status, 'critical', finding.message);
        assert.match(finding.message, /disagree on the trust's encryption types/);
        assert.equal(lastHop(finding)['error_code'], 44);
        const byMit = mit(from, to);
        assert.equal(byMit.ok, false);
        assert.match(byMit.output, /Key version is not available/);
      }
      // The side with RC4 only issues its referrals with RC4.
      assert.equal(direction(report, 'wingtip.test', 'tailspin.test').observed['referral_etype'], 'rc4-hmac');

      // RC4 on both sides: it works again, with RC4 referrals: a warning of what breaks when RC4 goes.
      await lab('trust-aes-off', 'dca', 'wingtip.test');
      const both = await probeRun(AUTH);
      for (const [from, to] of TAILSPIN_WINGTIP) {
        const finding = direction(both, from, to);
        assert.equal(finding.status, 'warning', finding.message);
        assert.match(finding.message, /referral ticket was made with RC4 \(rc4-hmac\): once RC4 is turned off/);
        assert.equal(finding.observed['referral_etype'], 'rc4-hmac');
        assert.equal(lastHop(finding)['result'], 'ticket');
        assert.ok(mit(from, to).ok, `MIT disagrees on ${from}->${to} with RC4 on both sides`);
      }
    } finally {
      await lab('trust-restore');
    }
  });
});
