// Each trust port probed with its own protocol, so that "open" means a real service
// answered (ad-trust-facts.md sections 8-11): DNS, Kerberos and kpasswd, NTP and the
// CLDAP LDAP ping over UDP; Kerberos over TCP; the RPC endpoint mapper and the dynamic
// ports it names; TLS on 636, 3269 and StartTLS on 389.

import { randomBytes, randomInt } from 'node:crypto';
import { describeDc, discoveryFinding, findDcs, findGlobalCatalogs, type DcTarget } from '../discovery/dcs.js';
import { finding, type Finding, type Status, type Target } from '../model/finding.js';
import { formatSeconds } from '../model/format.js';
import { limitFinding } from '../model/limits.js';
import type { Measurement, PortState } from '../model/measurement.js';
import type { ProbeContext, ProbeOutput } from '../model/probe.js';
import type { ProtocolsTargets } from '../model/targets.js';
import { queryDns } from '../transport/dns-client.js';
import { TcpConversation, tcpConnect, tcpRequest, udpExchange, type Framer } from '../transport/sockets.js';
import { probeTls, type TlsOutcome } from '../transport/tls.js';
import { decodeLdapPingReply, encodeLdapPing, type NetlogonResponse } from '../wire/cldap.js';
import {
  decodeKerberosReply,
  decodeKpasswdReply,
  encodeAsReq,
  encodeKpasswdProbe,
  frameTcp,
  unframeTcp,
  type KerberosReply,
} from '../wire/kerberos.js';
import { clockOffset, decodeNtpReply, encodeNtpRequest } from '../wire/ntp.js';
import { decodeBindReply, decodeEptMapResponse, encodeBind, encodeEptMap, INTERFACES, pduLength } from '../wire/rpc.js';

/** Where each service listens; tests move them to loopback ports of their own. */
export interface ServicePorts {
  dns: number;
  kerberos: number;
  ntp: number;
  cldap: number;
  kpasswd: number;
  endpointMapper: number;
  ldap: number;
  ldaps: number;
  globalCatalogTls: number;
}

export const STANDARD_PORTS: ServicePorts = {
  dns: 53,
  kerberos: 88,
  ntp: 123,
  cldap: 389,
  kpasswd: 464,
  endpointMapper: 135,
  ldap: 389,
  ldaps: 636,
  globalCatalogTls: 3269,
};

type UdpService = 'dns' | 'kerberos' | 'ntp' | 'cldap' | 'kpasswd';

const UDP_SERVICES: Record<UdpService, string> = {
  dns: 'DNS',
  kerberos: 'Kerberos',
  ntp: 'NTP',
  cldap: 'CLDAP (DC locator)',
  kpasswd: 'Kerberos password change',
};

/** Needed for time sync and password changes, not for every authentication: a warning. */
const UDP_WARNING_ONLY = new Set<UdpService>(['ntp', 'kpasswd']);

export const CLOCK_SKEW_WARNING_SECONDS = 60;
/** Kerberos tolerates 300 s; 240 s leaves a margin. */
export const CLOCK_SKEW_CRITICAL_SECONDS = 240;

const DS_FLAGS = { GC: 0x4, LDAP: 0x8, DS: 0x10, KDC: 0x20 } as const;

type Output = { findings: Finding[]; measurements: Measurement[] };

// ---- UDP: one datagram, one protocol reply ----

type UdpResult = { state: PortState; seconds: number; answer: string; detail?: unknown };

async function udpProbe(
  ctx: ProbeContext,
  dc: DcTarget,
  port: number,
  payload: Buffer,
  accept: (reply: Buffer) => boolean,
  describe: (reply: Buffer) => { valid: boolean; answer: string; detail?: unknown },
): Promise<UdpResult> {
  const attempt = await ctx.attempt((signal) => udpExchange(dc.address, port, payload, accept, signal));
  if (!attempt.ok)
    return {
      state: 'filtered',
      seconds: attempt.seconds,
      answer: attempt.reason === 'timeout' ? `no reply in ${formatSeconds(ctx.timeoutMs / 1000)}` : attempt.reason,
    };
  if (attempt.value.kind === 'unreachable')
    return { state: 'closed', seconds: attempt.seconds, answer: attempt.value.reason };
  const described = describe(attempt.value.bytes);
  // Something answered on the port, but not the protocol: the service there is not the one a trust needs.
  return {
    state: described.valid ? 'open' : 'closed',
    seconds: attempt.seconds,
    answer: described.answer,
    detail: described.detail,
  };
}

function kerberosAnswer(reply: KerberosReply): { valid: boolean; answer: string; detail: KerberosReply } {
  if (reply.kind === 'krb-error')
    return {
      valid: true,
      answer: `KRB-ERROR ${reply.errorCode} ${reply.errorName}${reply.realm === undefined ? '' : ` from realm ${reply.realm}`}`,
      detail: reply,
    };
  if (reply.kind === 'as-rep')
    return { valid: true, answer: 'an AS-REP (a ticket for a principal that should not exist)', detail: reply };
  return { valid: false, answer: `not Kerberos: ${reply.reason}`, detail: reply };
}

function udpFinding(dc: DcTarget, role: UdpService, port: number, result: UdpResult): Finding {
  const service = UDP_SERVICES[role];
  const status: Status = result.state === 'open' ? 'ok' : UDP_WARNING_ONLY.has(role) ? 'warning' : 'critical';
  const message =
    result.state === 'open'
      ? `UDP ${port} (${service}) open on ${describeDc(dc)}: ${result.answer}`
      : `UDP ${port} (${service}) ${result.state} on ${describeDc(dc)}: ${result.answer}`;
  const remediation =
    result.state === 'filtered'
      ? `allow UDP ${port} from this host to ${dc.host} (${dc.address}) in every firewall between them`
      : `start the ${service} service on ${dc.host}, or remove the firewall rule that rejects UDP ${port}`;
  return finding({
    check: 'port.udp',
    status,
    domain: dc.domain,
    target: { kind: 'port', host: dc.host, port, transport: 'udp' },
    message,
    remediation,
    observed: {
      state: result.state,
      seconds: Number(result.seconds.toFixed(4)),
      address: dc.address,
      port,
      transport: 'udp',
      answer: result.answer,
    },
  });
}

function udpMeasurement(dc: DcTarget, port: number, result: UdpResult): Measurement {
  return {
    kind: 'port',
    partnerDomain: dc.domain,
    target: dc.host,
    port,
    transport: 'udp',
    state: result.state,
    seconds: result.seconds,
  };
}

function kerberosFinding(
  dc: DcTarget,
  service: 'KDC' | 'kpasswd',
  port: number,
  transport: 'udp' | 'tcp',
  reply: KerberosReply,
  output: Output,
): void {
  if (reply.kind !== 'krb-error') return;
  const realm = dc.domain.toUpperCase();
  output.measurements.push({
    kind: 'kerberos',
    partnerDomain: dc.domain,
    target: dc.host,
    port,
    transport,
    errorCode: reply.errorCode,
  });
  let status: Status = 'ok';
  let remediation = '';
  if (reply.errorCode === 68) {
    status = 'critical';
    remediation = `${dc.host} does not serve the realm ${realm}: check that the DC locator records of ${dc.domain} name its own DCs`;
  } else if (reply.errorCode === 37) {
    status = 'critical';
    remediation = `the clocks of this host and ${dc.host} differ by more than Kerberos allows: fix time synchronisation`;
  }
  output.findings.push(
    finding({
      check: 'port.kerberos',
      status,
      domain: dc.domain,
      target: { kind: 'port', host: dc.host, port, transport },
      message: `${service} on ${describeDc(dc)} answered ${transport.toUpperCase()} ${port} with KRB-ERROR ${reply.errorCode} ${reply.errorName} for ${realm}`,
      remediation,
      observed: {
        port,
        transport,
        error_code: reply.errorCode,
        error_name: reply.errorName,
        realm: reply.realm ?? null,
      },
    }),
  );
}

function kerberosRequest(dc: DcTarget, service: 'KDC' | 'kpasswd'): Buffer {
  // kpasswd ignores an AS-REQ; an empty password-change request (no principal, no
  // password) makes it answer with its own error.
  if (service === 'kpasswd') return encodeKpasswdProbe();
  // A principal that cannot exist: the point is a KRB-ERROR, never a ticket for a real account.
  return encodeAsReq({
    realm: dc.domain.toUpperCase(),
    clientName: `adtrust-probe-${randomBytes(6).toString('hex')}`,
    nonce: randomInt(1, 0x7fffffff),
  });
}

async function probeUdpPorts(
  targets: ProtocolsTargets,
  ctx: ProbeContext,
  dc: DcTarget,
  expectGc: boolean,
  ports: ServicePorts,
  output: Output,
): Promise<void> {
  const dnsName = `_ldap._tcp.dc._msdcs.${dc.domain}`;
  const dns = (async (): Promise<UdpResult> => {
    const attempt = await ctx.attempt((signal) =>
      queryDns({ host: dc.address, port: ports.dns }, dnsName, 'SRV', 'udp', signal),
    );
    if (!attempt.ok)
      return {
        state: 'filtered',
        seconds: attempt.seconds,
        answer: attempt.reason === 'timeout' ? `no reply in ${formatSeconds(ctx.timeoutMs / 1000)}` : attempt.reason,
      };
    const outcome = attempt.value;
    if (outcome.kind === 'refused-connection')
      return { state: 'closed', seconds: attempt.seconds, answer: outcome.reason };
    if (outcome.kind === 'malformed')
      return { state: 'closed', seconds: attempt.seconds, answer: `not DNS: ${outcome.reason}` };
    return { state: 'open', seconds: attempt.seconds, answer: `a DNS reply (${outcome.rcode})` };
  })();

  const kerberos = (service: 'KDC' | 'kpasswd') =>
    udpProbe(
      ctx,
      dc,
      service === 'KDC' ? ports.kerberos : ports.kpasswd,
      kerberosRequest(dc, service),
      () => true,
      (reply) => kerberosAnswer(service === 'KDC' ? decodeKerberosReply(reply) : decodeKpasswdReply(reply)),
    );

  const ntpSent = new Date();
  const ntp = udpProbe(
    ctx,
    dc,
    ports.ntp,
    encodeNtpRequest(ntpSent),
    () => true,
    (reply) => {
      const decoded = decodeNtpReply(reply);
      if (decoded.kind !== 'reply') return { valid: false, answer: `not NTP: ${decoded.reason}` };
      const { offsetSeconds } = clockOffset(ntpSent, decoded, new Date());
      return {
        valid: true,
        answer: `NTP stratum ${decoded.stratum}, clock offset ${offsetSeconds.toFixed(3)} s`,
        detail: offsetSeconds,
      };
    },
  );

  const pingId = randomInt(1, 0x7fffffff);
  const cldap = udpProbe(
    ctx,
    dc,
    ports.cldap,
    encodeLdapPing(pingId, dc.domain),
    () => true,
    (reply) => {
      const decoded = decodeLdapPingReply(reply, pingId);
      if (decoded.kind === 'netlogon')
        return {
          valid: true,
          answer: `LDAP ping answered by ${decoded.response.hostName} (forest ${decoded.response.forest}, site ${decoded.response.dcSite})`,
          detail: decoded.response,
        };
      if (decoded.kind === 'no-netlogon')
        return {
          valid: true,
          answer: `an LDAP reply without the Netlogon attribute (resultCode ${decoded.resultCode})`,
        };
      return { valid: false, answer: `not CLDAP: ${decoded.reason}` };
    },
  );

  const [dnsResult, kdcResult, kpasswdResult, ntpResult, cldapResult] = await Promise.all([
    dns,
    kerberos('KDC'),
    kerberos('kpasswd'),
    ntp,
    cldap,
  ]);
  for (const [role, result] of [
    ['dns', dnsResult],
    ['kerberos', kdcResult],
    ['ntp', ntpResult],
    ['cldap', cldapResult],
    ['kpasswd', kpasswdResult],
  ] as const) {
    output.findings.push(udpFinding(dc, role, ports[role], result));
    output.measurements.push(udpMeasurement(dc, ports[role], result));
  }
  for (const [service, result] of [
    ['KDC', kdcResult],
    ['kpasswd', kpasswdResult],
  ] as const) {
    if (result.detail !== undefined && (result.detail as KerberosReply).kind === 'krb-error')
      kerberosFinding(
        dc,
        service,
        service === 'KDC' ? ports.kerberos : ports.kpasswd,
        'udp',
        result.detail as KerberosReply,
        output,
      );
  }
  if (typeof ntpResult.detail === 'number') output.findings.push(clockFinding(dc, ntpResult.detail, output));
  if (cldapResult.detail !== undefined)
    output.findings.push(locatorFinding(targets, dc, cldapResult.detail as NetlogonResponse, expectGc, output));
}

function clockFinding(dc: DcTarget, offset: number, output: Output): Finding {
  output.measurements.push({ kind: 'clock', partnerDomain: dc.domain, target: dc.host, offsetSeconds: offset });
  const skew = Math.abs(offset);
  const status: Status =
    skew >= CLOCK_SKEW_CRITICAL_SECONDS ? 'critical' : skew >= CLOCK_SKEW_WARNING_SECONDS ? 'warning' : 'ok';
  const direction = offset >= 0 ? 'ahead of' : 'behind';
  return finding({
    check: 'time.skew',
    status,
    domain: dc.domain,
    target: { kind: 'host', host: dc.host },
    message: `${dc.host}'s clock is ${skew.toFixed(3)} s ${direction} this host's (Kerberos fails beyond 300 s)`,
    remediation: `synchronise both clocks with the forest time hierarchy (w32tm /resync on ${dc.host}, and NTP on this host)`,
    observed: {
      offset_seconds: Number(offset.toFixed(4)),
    },
  });
}

export function locatorFinding(
  targets: ProtocolsTargets,
  dc: DcTarget,
  response: NetlogonResponse,
  expectGc: boolean,
  output: Output,
): Finding {
  const expectedForest = targets.domains.find((domain) => domain.domain === dc.domain)?.forest ?? dc.domain;
  const problems: string[] = [];
  let status: Status = 'ok';
  const same = (a: string, b: string) => a.toLowerCase().replace(/\.$/, '') === b.toLowerCase();
  if (!same(response.domain, dc.domain)) problems.push(`it is a DC of ${response.domain}, not of ${dc.domain}`);
  if (!same(response.forest, expectedForest))
    problems.push(`it is in forest ${response.forest}, not ${expectedForest}`);
  const missing = (['DS', 'LDAP', 'KDC'] as const).filter((flag) => (response.flags & DS_FLAGS[flag]) === 0);
  if (missing.length > 0) problems.push(`it does not advertise ${missing.join(', ')}`);
  if (problems.length > 0) status = 'critical';
  if (expectGc && (response.flags & DS_FLAGS.GC) === 0) {
    problems.push('it does not advertise GC although _gc._tcp lists it');
    if (status === 'ok') status = 'warning';
  }
  output.measurements.push({
    kind: 'locator',
    partnerDomain: dc.domain,
    target: dc.host,
    forest: response.forest,
    domain: response.domain,
    dcSite: response.dcSite,
    clientSite: response.clientSite,
    ok: status === 'ok',
  });
  const facts = `forest ${response.forest}, domain ${response.domain}, host ${response.hostName}, NetBIOS ${response.netbiosDomain}\\${response.netbiosComputer}, DC site ${response.dcSite}, client site ${response.clientSite || '(none)'}, flags ${response.flagNames.join(' ')}`;
  return finding({
    check: 'dc.locator',
    status,
    domain: dc.domain,
    target: { kind: 'host', host: dc.host },
    message:
      problems.length === 0 ? `LDAP ping: ${facts}` : `LDAP ping of ${dc.host}: ${problems.join('; ')} (${facts})`,
    remediation: `check that the DC locator records of ${dc.domain} name only its own DCs, and that the DC's services (Netlogon, KDC, global catalog) run`,
    observed: {
      forest: response.forest,
      domain: response.domain,
      host_name: response.hostName,
      netbios_domain: response.netbiosDomain,
      netbios_computer: response.netbiosComputer,
      dc_site: response.dcSite,
      client_site: response.clientSite,
      flags: response.flagNames,
    },
  });
}

// ---- TCP 88 and 464: Kerberos over TCP ----

const frameKerberos: Framer = (buffered) => {
  const framed = unframeTcp(buffered);
  if (framed.kind === 'incomplete') return undefined;
  if (framed.kind === 'malformed') return { malformed: framed.reason };
  return buffered.length - framed.rest.length;
};

async function probeKerberosTcp(
  ctx: ProbeContext,
  dc: DcTarget,
  service: 'KDC' | 'kpasswd',
  port: number,
  output: Output,
): Promise<void> {
  const attempt = await ctx.attempt((signal) =>
    tcpRequest(dc.address, port, frameTcp(kerberosRequest(dc, service)), frameKerberos, signal),
  );
  const broken = (why: string): void => {
    output.findings.push(
      finding({
        check: 'port.kerberos',
        status: 'critical',
        domain: dc.domain,
        target: { kind: 'port', host: dc.host, port, transport: 'tcp' },
        message: `the ${service} on ${describeDc(dc)} did not answer over TCP ${port}: ${why}`,
        remediation: `check what listens on TCP ${port} of ${dc.host}: it should be the ${service}, answering Kerberos`,
        observed: { port, transport: 'tcp' },
      }),
    );
  };
  if (!attempt.ok) {
    broken(attempt.reason === 'timeout' ? `no reply in ${formatSeconds(ctx.timeoutMs / 1000)}` : attempt.reason);
    return;
  }
  // A refused connection is port.tcp's finding; this one is about what answered.
  if (attempt.value.kind === 'refused') return;
  if (attempt.value.kind === 'malformed') {
    broken(attempt.value.reason);
    return;
  }
  const framed = unframeTcp(attempt.value.bytes);
  const reply: KerberosReply =
    framed.kind !== 'complete'
      ? { kind: 'malformed', reason: 'incomplete frame' }
      : service === 'KDC'
        ? decodeKerberosReply(framed.message)
        : decodeKpasswdReply(framed.message);
  if (reply.kind === 'malformed') {
    broken(`not Kerberos: ${reply.reason}`);
    return;
  }
  kerberosFinding(dc, service, port, 'tcp', reply, output);
}

// ---- RPC: the endpoint mapper and the dynamic ports it names ----

const frameRpc: Framer = (buffered) => {
  const length = pduLength(buffered);
  if (typeof length === 'object') return { malformed: length.malformed };
  return length;
};

const INTERFACE_LABEL: Record<keyof typeof INTERFACES, string> = {
  netlogon: 'Netlogon',
  lsarpc: 'LSARPC',
  drsuapi: 'DRSUAPI',
};
const INTERFACE_BREAKS: Record<keyof typeof INTERFACES, string> = {
  netlogon: 'the secure channel, NTLM pass-through and trust validation',
  lsarpc: 'name and SID lookups across the trust, and trust management',
  drsuapi: 'directory replication and some name cracking calls',
};

async function mapInterface(
  dc: DcTarget,
  name: keyof typeof INTERFACES,
  mapperPort: number,
  signal: AbortSignal,
): Promise<{ ports: number[] } | { problem: string }> {
  const conversation = await TcpConversation.open(dc.address, mapperPort, signal);
  if (!(conversation instanceof TcpConversation))
    return { problem: `the endpoint mapper (TCP ${mapperPort}): ${conversation.reason}` };
  try {
    const bindReply = await conversation.exchange(encodeBind(1), frameRpc, signal);
    if (bindReply.kind !== 'reply') return { problem: `endpoint mapper bind: ${bindReply.reason}` };
    const bound = decodeBindReply(bindReply.bytes, 1);
    if (bound.kind !== 'bind-ack' || !bound.accepted)
      return { problem: `endpoint mapper bind refused: ${bound.reason}` };
    const mapReply = await conversation.exchange(encodeEptMap(2, INTERFACES[name]), frameRpc, signal);
    if (mapReply.kind !== 'reply') return { problem: `ept_map: ${mapReply.reason}` };
    const mapped = decodeEptMapResponse(mapReply.bytes, 2);
    if (mapped.kind === 'malformed') return { problem: `ept_map reply malformed: ${mapped.reason}` };
    if (mapped.kind === 'fault') return { problem: `ept_map fault 0x${mapped.status.toString(16)}` };
    const ports = [...new Set(mapped.endpoints.map((endpoint) => endpoint.port))];
    if (ports.length === 0)
      return {
        problem: `the endpoint mapper knows no TCP endpoint of ${INTERFACE_LABEL[name]} (status 0x${mapped.status.toString(16)})`,
      };
    return { ports };
  } finally {
    conversation.close();
  }
}

async function probeRpc(
  targets: ProtocolsTargets,
  ctx: ProbeContext,
  dc: DcTarget,
  mapperPort: number,
  output: Output,
): Promise<void> {
  const names = Object.keys(INTERFACES) as (keyof typeof INTERFACES)[];
  const mapped = await Promise.all(
    names.map((name) => ctx.attempt((signal) => mapInterface(dc, name, mapperPort, signal))),
  );
  const named = new Map<keyof typeof INTERFACES, number[]>();
  names.forEach((name, index) => {
    const attempt = mapped[index];
    if (attempt === undefined) return;
    const target: Target = { kind: 'rpc', host: dc.host, interface: name };
    // Port 0 is no port: a mapper that names it has nothing to offer for the interface.
    const ports = attempt.ok && 'ports' in attempt.value ? attempt.value.ports.filter((port) => port !== 0) : [];
    if (ports.length > 0) {
      named.set(name, ports);
      return;
    }
    const problem = !attempt.ok
      ? `no answer from the endpoint mapper in ${formatSeconds(ctx.timeoutMs / 1000)}`
      : 'problem' in attempt.value
        ? attempt.value.problem
        : `the endpoint mapper names only TCP port 0 for ${INTERFACE_LABEL[name]}, which is no port`;
    output.findings.push(
      finding({
        check: 'port.rpc',
        status: 'critical',
        domain: dc.domain,
        target,
        message: `${INTERFACE_LABEL[name]} on ${describeDc(dc)}: cannot learn its port: ${problem}`,
        remediation: `allow TCP ${mapperPort} from this host to ${dc.host}, and check that the DC's RPC services run`,
        observed: { interface: name, port: null, state: null },
      }),
    );
    output.measurements.push({
      kind: 'rpc',
      partnerDomain: dc.domain,
      target: dc.host,
      iface: name,
      port: 0,
      up: false,
    });
  });
  // Each interface's first port before any interface's second, so that a bound reached
  // still probes every interface; a port two interfaces share is connected to once.
  const followed: { name: keyof typeof INTERFACES; port: number }[] = [];
  const distinct = new Set<number>();
  const allPorts = new Set([...named.values()].flat());
  for (let rank = 0; [...named.values()].some((ports) => rank < ports.length); rank++) {
    for (const [name, ports] of named) {
      const port = ports[rank];
      if (port === undefined) continue;
      if (!distinct.has(port) && distinct.size >= targets.limits.rpcPortsPerDc) continue;
      distinct.add(port);
      followed.push({ name, port });
    }
  }
  if (allPorts.size > distinct.size) {
    output.findings.push(
      limitFinding({
        limit: 'rpcPortsPerDc',
        bound: targets.limits.rpcPortsPerDc,
        seen: allPorts.size,
        domain: dc.domain,
        what: `the endpoint mapper of ${describeDc(dc)} named ${allPorts.size} TCP ports`,
        remediation: `find out why the endpoint mapper of ${dc.host} names so many ports for Netlogon, LSARPC and DRSUAPI; raise limits.rpc_ports_per_dc only if it really serves them on that many`,
      }),
    );
  }
  const states = new Map<number, Promise<PortState>>();
  for (const port of distinct) {
    states.set(
      port,
      ctx
        .attempt((signal) => tcpConnect(dc.address, port, signal))
        .then((connected) => (connected.ok ? connected.value.state : 'filtered')),
    );
  }
  for (const { name, port } of followed) {
    const state = await (states.get(port) as Promise<PortState>);
    const label = INTERFACE_LABEL[name];
    const target: Target = { kind: 'rpc', host: dc.host, interface: name };
    output.measurements.push({
      kind: 'rpc',
      partnerDomain: dc.domain,
      target: dc.host,
      iface: name,
      port,
      up: state === 'open',
    });
    output.findings.push(
      finding({
        check: 'port.rpc',
        status: state === 'open' ? 'ok' : 'critical',
        domain: dc.domain,
        target,
        message:
          state === 'open'
            ? `${label} on ${describeDc(dc)}: the endpoint mapper names TCP ${port}, open`
            : `${label} on ${describeDc(dc)}: the endpoint mapper names TCP ${port}, but it is ${state}: this breaks ${INTERFACE_BREAKS[name]}`,
        remediation: `allow TCP ${port} (RPC dynamic ports, 49152-65535 by default) from this host and the partner DCs to ${dc.host} (${dc.address})`,
        observed: {
          interface: name,
          uuid: INTERFACES[name].uuid,
          port,
          state,
        },
      }),
    );
  }
}

// ---- TLS ----

async function probeCertificates(
  targets: ProtocolsTargets,
  ctx: ProbeContext,
  dc: DcTarget,
  ports: ServicePorts,
  output: Output,
): Promise<void> {
  const bundle = targets.domains.find((domain) => domain.domain === dc.domain)?.ca;
  if (bundle?.ok === false) {
    output.findings.push(
      finding({
        check: 'tls.certificate',
        status: 'unknown',
        domain: dc.domain,
        target: { kind: 'port', host: dc.host, port: ports.ldaps, transport: 'tcp' },
        message: `cannot read the CA file of ${dc.domain}: ${bundle.error}`,
        remediation: `make domains.${dc.domain}.ca_file (or ldap.ca_file) readable`,
        observed: {},
      }),
    );
    return;
  }
  const ca = bundle?.pem;
  const now = Date.now();
  await Promise.all(
    (
      [
        [ports.ldaps, false, 'LDAPS'],
        [ports.globalCatalogTls, false, 'Global Catalog over TLS'],
        [ports.ldap, true, 'LDAP StartTLS'],
      ] as const
    ).map(async ([port, startTls, label]) => {
      // A port that does not connect is port.tcp's finding; here only what TLS says.
      const connected = await ctx.attempt((signal) => TcpConversation.open(dc.address, port, signal));
      if (!connected.ok || !(connected.value instanceof TcpConversation)) return;
      const conversation = connected.value;
      const attempt = await ctx
        .attempt((signal) => probeTls(conversation, dc.host, ca, startTls, signal))
        .finally(() => {
          conversation.close();
        });
      const target: Target = { kind: 'port', host: dc.host, port, transport: 'tcp' };
      const outcome: TlsOutcome = attempt.ok
        ? attempt.value
        : {
            kind: 'failed',
            reason:
              attempt.reason === 'timeout'
                ? `no TLS handshake in ${formatSeconds(ctx.timeoutMs / 1000)}`
                : attempt.reason,
          };
      if (outcome.kind === 'failed') {
        output.findings.push(
          finding({
            check: 'tls.certificate',
            status: 'critical',
            domain: dc.domain,
            target,
            message: `${label} on ${describeDc(dc)}: ${outcome.reason}`,
            remediation: `check the TLS configuration and certificate of ${dc.host}`,
            observed: { port },
          }),
        );
        return;
      }
      const certificate = outcome.certificate;
      const daysLeft = (certificate.notAfter.getTime() - now) / 86_400_000;
      output.measurements.push({
        kind: 'certificate',
        partnerDomain: dc.domain,
        target: dc.host,
        port,
        notAfter: certificate.notAfter,
        verified: certificate.chainVerified && certificate.nameMatches,
      });
      const problems: string[] = [];
      let status: Status = 'ok';
      if (daysLeft * 86_400_000 <= targets.certificateCriticalMs) {
        status = 'critical';
        problems.push(
          daysLeft < 0 ? `expired ${Math.ceil(-daysLeft)} day(s) ago` : `expires in ${Math.floor(daysLeft)} day(s)`,
        );
      } else if (daysLeft * 86_400_000 <= targets.certificateWarningMs) {
        status = 'warning';
        problems.push(`expires in ${Math.floor(daysLeft)} day(s)`);
      }
      if (!certificate.chainVerified)
        problems.push(
          `does not verify against ${ca === undefined ? 'the system CAs' : `the CA of ${dc.domain}`} (${certificate.chainError ?? 'unknown reason'})`,
        );
      if (!certificate.nameMatches)
        problems.push(`does not carry the name ${dc.host} (${certificate.nameError ?? 'mismatch'})`);
      if (status === 'ok' && problems.length > 0) status = 'warning';
      const facts = `subject ${certificate.subject}; names ${certificate.names.join(', ') || 'none'}; valid until ${certificate.notAfter.toISOString()}; ${outcome.protocol}`;
      output.findings.push(
        finding({
          check: 'tls.certificate',
          status,
          domain: dc.domain,
          target,
          message:
            problems.length === 0
              ? `${label} on ${describeDc(dc)}: certificate verified, ${Math.floor(daysLeft)} days left (${facts})`
              : `${label} on ${describeDc(dc)}: the certificate ${problems.join('; ')} (${facts})`,
          remediation: `renew or replace the certificate of ${dc.host} with one from a CA this host trusts, naming ${dc.host} in its subjectAltName; set domains.${dc.domain}.ca_file to that CA`,
          observed: {
            port,
            subject: certificate.subject,
            issuer: certificate.issuer,
            names: certificate.names,
            not_after: certificate.notAfter.toISOString(),
            days_left: Math.floor(daysLeft),
            chain_verified: certificate.chainVerified,
            name_matches: certificate.nameMatches,
            fingerprint_sha256: certificate.fingerprint256,
          },
        }),
      );
    }),
  );
}

/** The groups of probes of one DC; tests run one group at a time. */
export type ProbeGroup = 'udp' | 'kerberos-tcp' | 'kpasswd-tcp' | 'rpc' | 'tls';

export const PROBE_GROUPS: readonly ProbeGroup[] = ['udp', 'kerberos-tcp', 'kpasswd-tcp', 'rpc', 'tls'];

/** Every protocol-level probe of one DC (or the groups given). */
export async function probeDcProtocols(
  targets: ProtocolsTargets,
  ctx: ProbeContext,
  dc: DcTarget,
  expectGc: boolean,
  ports: ServicePorts = STANDARD_PORTS,
  groups: readonly ProbeGroup[] = PROBE_GROUPS,
): Promise<ProbeOutput> {
  const output: Output = { findings: [], measurements: [] };
  const run: Record<ProbeGroup, () => Promise<void>> = {
    udp: () => probeUdpPorts(targets, ctx, dc, expectGc, ports, output),
    'kerberos-tcp': () => probeKerberosTcp(ctx, dc, 'KDC', ports.kerberos, output),
    'kpasswd-tcp': () => probeKerberosTcp(ctx, dc, 'kpasswd', ports.kpasswd, output),
    rpc: () => probeRpc(targets, ctx, dc, ports.endpointMapper, output),
    tls: () => probeCertificates(targets, ctx, dc, ports, output),
  };
  await Promise.all(groups.map((group) => run[group]()));
  return output;
}

/**
 * The protocols family: every DC named without a port (or discovered) asked in each
 * service's own protocol. The DCs are found as the ports family finds them, and a DC
 * that cannot be found is reported the same way (the report shows it once).
 */
export async function probeProtocols(targets: ProtocolsTargets, ctx: ProbeContext): Promise<ProbeOutput> {
  const output: Output = { findings: [], measurements: [] };
  await Promise.all(
    targets.domains.map(async (domain) => {
      const { targets: dcs, problems, limitsReached } = await findDcs(domain, targets.limits, ctx, targets.shard);
      for (const problem of problems) output.findings.push(discoveryFinding(domain.domain, problem));
      for (const reached of limitsReached) output.findings.push(limitFinding(reached));
      // A DC given only as host:port is probed on those ports only, never with the protocol probes.
      const everyPort = dcs.filter((dc) => dc.everyPort);
      const gcs = everyPort.length > 0 ? await findGlobalCatalogs(domain, targets.limits, ctx) : new Set<string>();
      for (const result of await Promise.all(
        everyPort.map((dc) => probeDcProtocols(targets, ctx, dc, gcs.has(dc.host))),
      )) {
        output.findings.push(...result.findings);
        output.measurements.push(...result.measurements);
      }
    }),
  );
  return output;
}
