// Reachability of the trust ports on every partner DC: open, closed (refused) or
// filtered (no answer before the timeout), with the connect latency. TCP connects only:
// what answers on each port is the protocols family's question.

import { describeDc, discoveryFinding, findDcs, type DcTarget } from '../discovery/dcs.js';
import { finding, type Finding } from '../model/finding.js';
import { limitFinding } from '../model/limits.js';
import { formatSeconds } from '../model/format.js';
import type { Measurement, PortState } from '../model/measurement.js';
import { mapPooled, type ProbeContext, type ProbeOutput } from '../model/probe.js';
import type { PortsTargets } from '../model/targets.js';
import { tcpConnect, type ConnectResult } from '../transport/sockets.js';

export const PORT_SERVICES: Record<number, string> = {
  53: 'DNS',
  88: 'Kerberos',
  135: 'RPC endpoint mapper',
  389: 'LDAP',
  445: 'SMB',
  464: 'Kerberos password change',
  636: 'LDAPS',
  3268: 'Global Catalog',
  3269: 'Global Catalog over TLS',
};

/** Ports a trust needs only while it is being created (KB179442): a failure is a warning. */
const CREATION_ONLY_PORTS = new Set([445]);

export function portStatus(port: number, state: PortState): Finding['status'] {
  if (state === 'open') return 'ok';
  return CREATION_ONLY_PORTS.has(port) ? 'warning' : 'critical';
}

export async function probePorts(targets: PortsTargets, ctx: ProbeContext): Promise<ProbeOutput> {
  const findings: Finding[] = [];
  const measurements: Measurement[] = [];
  await Promise.all(
    targets.domains.map(async (domain) => {
      const { targets: dcs, problems, limitsReached } = await findDcs(domain, targets.limits, ctx, targets.shard);
      for (const problem of problems) findings.push(discoveryFinding(domain.domain, problem));
      for (const reached of limitsReached) findings.push(limitFinding(reached));
      const probes = dcs.flatMap((dc) => dc.ports.map((port) => ({ dc, port })));
      const results = await mapPooled(probes, ctx.concurrency, ({ dc, port }) =>
        ctx.attempt((signal) => tcpConnect(dc.address, port, signal)),
      );
      probes.forEach(({ dc, port }, index) => {
        const attempt = results[index];
        if (attempt === undefined) return;
        const result: ConnectResult = attempt.ok
          ? attempt.value
          : {
              state: 'filtered',
              reason:
                attempt.reason === 'timeout' ? `no answer in ${formatSeconds(ctx.timeoutMs / 1000)}` : attempt.reason,
            };
        findings.push(portFinding(dc, port, result, attempt.seconds));
        measurements.push({
          kind: 'port',
          partnerDomain: dc.domain,
          target: dc.host,
          port,
          transport: 'tcp',
          state: result.state,
          seconds: attempt.seconds,
        });
      });
    }),
  );
  return { findings, measurements };
}

function portFinding(dc: DcTarget, port: number, result: ConnectResult, seconds: number): Finding {
  const service = PORT_SERVICES[port];
  const label = service === undefined ? `TCP ${port}` : `TCP ${port} (${service})`;
  const at = describeDc(dc);
  let message: string;
  if (result.state === 'open') {
    message = `${label} open on ${at}: connected in ${formatSeconds(seconds)}`;
  } else {
    const suffix = CREATION_ONLY_PORTS.has(port) ? ' (needed to create a trust, not to use it)' : '';
    message = `${label} ${result.state} on ${at}: ${result.reason}${suffix}`;
  }
  const remediation =
    result.state === 'closed'
      ? `start the ${service ?? 'service'} on ${dc.host}, or remove the firewall rule that rejects TCP ${port}`
      : `allow TCP ${port} from this host to ${dc.host} (${dc.address}) in every firewall between them`;
  return finding({
    check: 'port.tcp',
    status: portStatus(port, result.state),
    domain: dc.domain,
    target: { kind: 'port', host: dc.host, port, transport: 'tcp' },
    message,
    remediation,
    observed: { state: result.state, seconds: Number(seconds.toFixed(4)), address: dc.address, port, transport: 'tcp' },
  });
}
