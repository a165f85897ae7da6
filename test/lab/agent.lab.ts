// `probe agent` in the client namespace against the lab: a fault shows in /metrics with
// the right labels and values, and clears once the fault is removed.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parseMetrics, sampleValue, type Sample } from '../support/metrics.js';
import { closedPort } from '../support/tcp.js';
import { lab, LAB_CONFIG, PROBE, tempConfig } from './support.js';

let agent: ChildProcess;
let base = '';
let log = '';

async function scrape(): Promise<Sample[]> {
  const response = await fetch(`${base}/metrics`);
  return parseMetrics(await response.text());
}

/** Polls /metrics until `accept` holds (the agent runs every 2 seconds). */
async function metricsUntil(what: string, accept: (samples: Sample[]) => boolean, seconds = 45): Promise<Sample[]> {
  const until = Date.now() + seconds * 1000;
  for (;;) {
    const samples = await scrape().catch(() => []);
    if (accept(samples)) return samples;
    if (Date.now() > until) throw new Error(`not seen in /metrics within ${seconds}s: ${what}\n${log.slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

before(async () => {
  await lab('reset');
  const port = await closedPort();
  const config = readFileSync(LAB_CONFIG, 'utf8')
    .replace(/^listen: .*$/m, `listen: 127.0.0.1:${String(port)}`)
    .replace(
      /^timeout: .*$/m,
      'timeout: 1s\nschedule:\n  dns: "*/2 * * * * *"\n  ports: "*/2 * * * * *"\n  protocols: "*/2 * * * * *"\n  ldap: "*/5 * * * * *"',
    );
  agent = spawn(process.execPath, [PROBE, 'agent', '--config', tempConfig(config)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  agent.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  agent.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  base = `http://127.0.0.1:${String(port)}`;
  await metricsUntil(
    'a first complete run',
    (samples) =>
      sampleValue(samples, 'adtrust_probe_runs_total', { family: 'ports' }) !== undefined &&
      (sampleValue(samples, 'adtrust_probe_runs_total', { family: 'ports' }) ?? 0) > 0,
  );
});

after(async () => {
  agent.kill('SIGTERM');
  await lab('reset');
});

const kerberosOnDcb = { partner_domain: 'wingtip.test', target: 'dcb.wingtip.test', port: '88', transport: 'tcp' };
const ldapRecordViaDca = {
  server: '198.51.100.10',
  partner_domain: 'wingtip.test',
  record: '_ldap._tcp.dc._msdcs.wingtip.test',
  transport: 'udp',
};

describe('probe agent against the lab', () => {
  it('a healthy lab: every check status 0', async () => {
    // The DNS findings in adtrust_check_status, every DC's in adtrust_dc_status (the series budget).
    const networkChecks = (s: Sample[]) =>
      s.filter(
        (x) =>
          (x.name === 'adtrust_check_status' && /^dns\./.test(x.labels['check'] ?? '')) ||
          x.name === 'adtrust_dc_status',
      );
    const samples = await metricsUntil(
      'all DNS and port checks ok',
      (s) => networkChecks(s).length > 0 && networkChecks(s).every((x) => x.value === 0),
    );
    assert.equal(sampleValue(samples, 'adtrust_port_up', kerberosOnDcb), 1);
    assert.equal(sampleValue(samples, 'adtrust_dns_lookup_success', ldapRecordViaDca), 1);
  });

  it('the LDAP family: trusts present and consistent, paths as the lab has them, pre-auth counts, no account name in labels', async () => {
    // A run that read all three domains: with a 1 s timeout, a read can time out while every
    // family makes its first run at once (seen in CI), and the next ldap run reads it again.
    const samples = await metricsUntil(
      'an ldap run that read every domain',
      (s) =>
        ['tailspin.test', 'wingtip.test', 'fabrikam.test'].every(
          (domain) => sampleValue(s, 'adtrust_ldap_bind_success', { domain }) === 1,
        ) && s.filter((x) => x.name === 'adtrust_trust_consistent').length === 6,
    );
    for (const [domain, partner] of [
      ['tailspin.test', 'wingtip.test'],
      ['wingtip.test', 'tailspin.test'],
      ['fabrikam.test', 'tailspin.test'],
    ] as const) {
      assert.equal(sampleValue(samples, 'adtrust_trust_present', { domain, partner_domain: partner }), 1);
      assert.equal(sampleValue(samples, 'adtrust_trust_consistent', { domain, partner_domain: partner }), 1);
    }
    assert.equal(
      sampleValue(samples, 'adtrust_trust_info', {
        domain: 'tailspin.test',
        partner_domain: 'fabrikam.test',
        direction: 'outbound',
        kind: 'external',
        transitive: 'false',
      }),
      1,
    );
    assert.equal(
      sampleValue(samples, 'adtrust_trust_path_available', {
        from_domain: 'fabrikam.test',
        to_domain: 'tailspin.test',
      }),
      1,
    );
    assert.equal(
      sampleValue(samples, 'adtrust_trust_path_available', {
        from_domain: 'tailspin.test',
        to_domain: 'fabrikam.test',
      }),
      0,
    );
    assert.ok(
      (sampleValue(samples, 'adtrust_trust_password_last_set_timestamp_seconds', {
        domain: 'tailspin.test',
        partner_domain: 'wingtip.test',
      }) ?? 0) > 1.7e9,
    );
    assert.equal(sampleValue(samples, 'adtrust_preauth_disabled_accounts', { domain: 'tailspin.test' }), 2);
    assert.equal(sampleValue(samples, 'adtrust_preauth_disabled_privileged_accounts', { domain: 'tailspin.test' }), 1);
    assert.equal(sampleValue(samples, 'adtrust_preauth_disabled_unexpected_accounts', { domain: 'tailspin.test' }), 0);
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.ok(!/roast_|alice|Lab-Pass/.test(text), 'an account name or the password reached /metrics');
  });

  it('TCP 88 rejected on dcb: adtrust_port_up 0, adtrust_dc_status 2, then open again', async () => {
    await lab('block', 'dcb', '88/tcp', 'reject');
    try {
      const samples = await metricsUntil(
        'port 88 closed',
        (s) => sampleValue(s, 'adtrust_port_up', kerberosOnDcb) === 0,
      );
      assert.equal(
        sampleValue(samples, 'adtrust_dc_status', { partner_domain: 'wingtip.test', target: 'dcb.wingtip.test' }),
        2,
      );
      assert.ok(
        (sampleValue(samples, 'adtrust_check_findings', {
          check: 'port.tcp',
          domain: 'wingtip.test',
          status: 'critical',
        }) ?? 0) >= 1,
      );
      assert.equal(sampleValue(samples, 'adtrust_port_up', { ...kerberosOnDcb, port: '389' }), 1);
    } finally {
      await lab('unblock', 'dcb', '88/tcp');
    }
    await metricsUntil('port 88 open again', (s) => sampleValue(s, 'adtrust_port_up', kerberosOnDcb) === 1);
  });

  it('TCP 636 dropped on dcb: adtrust_port_up 0, then open again', async () => {
    const ldaps = { ...kerberosOnDcb, port: '636' };
    await lab('block', 'dcb', '636/tcp', 'drop');
    try {
      await metricsUntil('port 636 filtered', (s) => sampleValue(s, 'adtrust_port_up', ldaps) === 0);
    } finally {
      await lab('unblock', 'dcb', '636/tcp');
    }
    await metricsUntil('port 636 open again', (s) => sampleValue(s, 'adtrust_port_up', ldaps) === 1);
  });

  it('dcc stopped, then frozen: the lookups of fabrikam.test fail everywhere, then succeed again', async () => {
    const fabrikamViaDca = {
      server: '198.51.100.10',
      partner_domain: 'fabrikam.test',
      record: '_ldap._tcp.dc._msdcs.fabrikam.test',
      transport: 'udp',
    };
    for (const [fault, undo] of [
      ['stop', 'start'],
      ['freeze', 'thaw'],
    ] as const) {
      await lab(fault, 'dcc');
      try {
        await metricsUntil(
          `fabrikam.test unresolvable (${fault})`,
          (s) => sampleValue(s, 'adtrust_dns_lookup_success', fabrikamViaDca) === 0,
        );
      } finally {
        await lab(undo, 'dcc');
      }
      await metricsUntil(
        `fabrikam.test resolvable again (${undo})`,
        (s) => sampleValue(s, 'adtrust_dns_lookup_success', fabrikamViaDca) === 1,
        90,
      );
    }
  });

  it('forwarder to wingtip.test cut on dca: adtrust_dns_lookup_success 0 via dca only, then 1 again', async () => {
    await lab('forwarder-cut', 'dca', 'wingtip.test');
    try {
      const samples = await metricsUntil(
        'lookup failing via dca',
        (s) => sampleValue(s, 'adtrust_dns_lookup_success', ldapRecordViaDca) === 0,
      );
      assert.equal(
        sampleValue(samples, 'adtrust_dns_lookup_success', { ...ldapRecordViaDca, server: '198.51.100.30' }),
        1,
      );
      assert.equal(
        sampleValue(samples, 'adtrust_check_status', {
          check: 'dns.srv',
          domain: 'tailspin.test',
          target: '_ldap._tcp.dc._msdcs.wingtip.test@198.51.100.10/udp',
        }),
        2,
      );
    } finally {
      await lab('forwarder-restore', 'dca', 'wingtip.test');
    }
    await metricsUntil('lookup ok again', (s) => sampleValue(s, 'adtrust_dns_lookup_success', ldapRecordViaDca) === 1);
  });
});
