// A simulated estate for the status page: a config of forests, domains, DCs and trusts,
// and the findings each family would report about it, with a few problems placed where a
// person must find them. No network: the findings are built the way the probes build them
// (the `finding()` of the model, the same checks, targets and kinds of message), so that
// the page's size and layout at 500 DCs are those of a real run. Used by the status page
// tests and by bench/status-page.ts.

import type { Config } from '../../agent/config/config.js';
import type { FamilyRun } from '../../agent/run/runner.js';
import { finding, type CheckId, type Finding, type Status } from '../../probes/model/finding.js';
import type { Family } from '../../probes/model/probe.js';
import { configFrom } from './config.js';

const FOREST_NAMES = [
  'tailspin',
  'wingtip',
  'fabrikam',
  'contoso',
  'northwind',
  'litware',
  'proseware',
  'woodgrove',
  'adatum',
  'treyresearch',
  'lucerne',
  'margie',
];
const CHILD_NAMES = ['emea', 'apac', 'amer', 'corp', 'labs'];
const TCP_PORTS = [53, 88, 135, 389, 445, 464, 636, 3268, 3269];
const UDP_PORTS: [number, string][] = [
  [88, 'Kerberos'],
  [389, 'CLDAP'],
  [123, 'NTP'],
];

export interface EstateShape {
  forests: number;
  /** Domains in each forest, its root included. */
  domainsPerForest: number;
  /** DCs in all, spread over the domains in turn. */
  dcs: number;
  /** Every DC's UDP ports unanswered, as in a lab of TCP listeners only: the worst case for the page's size. */
  udpSilentEverywhere?: boolean;
}

export interface Estate {
  config: Config;
  families: Family[];
  runs: FamilyRun[];
  /** Each domain's DC host names, in config order. */
  dcsOf: Map<string, string[]>;
}

/** An auth finding (`auth.kerberos` or `auth.ntlm`) about the path from one domain to another. */
export function authFinding(fields: {
  check: Extract<CheckId, `auth.${string}`>;
  status: Status;
  from: string;
  to: string;
  message: string;
}): Finding {
  return finding({
    check: fields.check,
    status: fields.status,
    domain: fields.from,
    target: { kind: 'path', from: fields.from, to: fields.to },
    message: fields.message,
    remediation:
      fields.status === 'ok' ? '' : `see the trust, DNS and port findings between ${fields.from} and ${fields.to}`,
  });
}
export const AUTH_FAMILY: Family = 'auth';

/**
 * Forest roots trust each other two-way in a ring (forest trusts); the first child of
 * every other forest trusts the next forest's root one-way (external). Problems: every
 * 97th DC filters TCP 445, every 40th is 90 s fast, the fifth domain's DCs do not answer
 * CLDAP, one DC's certificate expires soon, the last ring trust's DNS forwarder is
 * missing (and Kerberos across it fails), one trust password is old.
 */
export function simulatedEstate(shape: EstateShape): Estate {
  const forests = FOREST_NAMES.slice(0, shape.forests).map((name) => `${name}.test`);
  const domains: { name: string; forest: string }[] = forests.flatMap((forest) => [
    { name: forest, forest },
    ...CHILD_NAMES.slice(0, shape.domainsPerForest - 1).map((child) => ({ name: `${child}.${forest}`, forest })),
  ]);
  const dcsOf = new Map<string, string[]>(domains.map((domain) => [domain.name, []]));
  for (let index = 0; index < shape.dcs; index++) {
    const domain = domains[index % domains.length];
    if (domain === undefined) throw new Error('an estate needs at least one domain');
    const list = dcsOf.get(domain.name) ?? [];
    list.push(`dc${String(list.length + 1).padStart(2, '0')}.${domain.name}`);
    dcsOf.set(domain.name, list);
  }
  const trusts: { trusting: string; trusted: string; twoWay: boolean; type: 'forest' | 'external' }[] = [];
  for (let index = 0; index < forests.length; index++) {
    const next = forests[(index + 1) % forests.length];
    const here = forests[index];
    if (here === undefined || next === undefined || here === next) continue;
    if (forests.length > 2 || index === 0) trusts.push({ trusting: here, trusted: next, twoWay: true, type: 'forest' });
    const child = domains.find((domain) => domain.forest === here && domain.name !== here);
    if (child !== undefined && index % 2 === 0)
      trusts.push({ trusting: child.name, trusted: next, twoWay: false, type: 'external' });
  }
  const yaml = [
    'domains:',
    ...domains.flatMap((domain) => [
      `  ${domain.name}:`,
      `    forest: ${domain.forest}`,
      `    dcs: [${(dcsOf.get(domain.name) ?? []).join(', ')}]`,
    ]),
    'trusts:',
    ...trusts.map((trust) =>
      trust.twoWay
        ? `  - between: [${trust.trusting}, ${trust.trusted}]\n    type: ${trust.type}`
        : `  - trusting: ${trust.trusting}\n    trusted: ${trust.trusted}\n    type: ${trust.type}`,
    ),
  ].join('\n');
  const config = configFrom(yaml);

  const brokenDns = trusts.filter((trust) => trust.type === 'forest').at(-1);
  const oldPassword = trusts[0];
  const dcFindings = { ports: [] as Finding[], protocols: [] as Finding[] };
  let dcNumber = 0;
  for (const domain of domains) {
    const silentCldap = domain === domains[4];
    for (const host of dcsOf.get(domain.name) ?? []) {
      dcNumber++;
      const address = `198.18.${Math.floor(dcNumber / 250)}.${dcNumber % 250}`;
      const at = `${host} (${address})`;
      for (const port of TCP_PORTS) {
        const filtered = port === 445 && dcNumber % 97 === 0;
        dcFindings.ports.push(
          finding({
            check: 'port.tcp',
            status: filtered ? 'critical' : 'ok',
            domain: domain.name,
            target: { kind: 'port', host, port, transport: 'tcp' },
            message: filtered
              ? `TCP ${port} filtered on ${at}: no answer within 5 s`
              : `TCP ${port} open on ${at}: connected in 1.2 ms`,
            remediation: `allow TCP ${port} from this host to ${host} (${address}) in every firewall between them`,
            observed: { state: filtered ? 'filtered' : 'open', seconds: 0.0012, address, port, transport: 'tcp' },
          }),
        );
      }
      for (const [port, service] of UDP_PORTS) {
        const silent = shape.udpSilentEverywhere === true || (silentCldap && port === 389);
        dcFindings.protocols.push(
          finding({
            check: 'port.udp',
            status: silent ? (port === 123 ? 'warning' : 'critical') : 'ok',
            domain: domain.name,
            target: { kind: 'port', host, port, transport: 'udp' },
            message: silent
              ? `UDP ${port} (${service}) filtered on ${at}: no answer within 5 s`
              : `UDP ${port} (${service}) open on ${at}: answered in 0.9 ms`,
            remediation: `allow UDP ${port} from this host to ${host} (${address}) in every firewall between them`,
            observed: { state: silent ? 'filtered' : 'open', seconds: 0.0009, address, port, transport: 'udp' },
          }),
        );
      }
      const fast = dcNumber % 40 === 0;
      dcFindings.protocols.push(
        finding({
          check: 'port.kerberos',
          status: shape.udpSilentEverywhere === true ? 'critical' : 'ok',
          domain: domain.name,
          target: { kind: 'port', host, port: 88, transport: 'udp' },
          message:
            shape.udpSilentEverywhere === true
              ? `the KDC on ${at} did not answer an AS-REQ over UDP within 5 s`
              : `the KDC on ${at} answered an AS-REQ for ${domain.name.toUpperCase()} with KDC_ERR_PREAUTH_REQUIRED`,
          remediation: `allow UDP 88 from this host to ${host}, and check that the KDC service runs`,
        }),
        ...['epmapper', 'netlogon'].map((iface) =>
          finding({
            check: 'port.rpc',
            status: 'ok',
            domain: domain.name,
            target: { kind: 'rpc', host, interface: iface },
            message: `${iface} answered a bind on ${at}`,
          }),
        ),
        finding({
          check: 'time.skew',
          status: fast ? 'warning' : 'ok',
          domain: domain.name,
          target: { kind: 'host', host },
          message: `${host}'s clock is ${fast ? '90.412' : '0.012'} s ahead of this host's (Kerberos fails beyond 300 s)`,
          remediation: `synchronise both clocks with the forest time hierarchy (w32tm /resync on ${host}, and NTP on this host)`,
        }),
        finding({
          check: 'dc.locator',
          status: 'ok',
          domain: domain.name,
          target: { kind: 'host', host },
          message: `LDAP ping: forest ${domain.forest}, domain ${domain.name}, host ${host}, DC site Default-First-Site-Name`,
        }),
        ...[636, 3269].map((port) => {
          const expiring = dcNumber === 7 && port === 636;
          return finding({
            check: 'tls.certificate',
            status: expiring ? 'warning' : 'ok',
            domain: domain.name,
            target: { kind: 'port', host, port, transport: 'tcp' },
            message: expiring
              ? `the certificate of ${host}:${port} expires in 12 days (2026-12-03)`
              : `the certificate of ${host}:${port} is valid until 2027-06-30 and names ${host}`,
            remediation: `renew the DC's certificate on ${host} (certlm.msc, or the Domain Controller template's auto-enrolment)`,
          });
        }),
      );
    }
  }

  const dnsFindings: Finding[] = [];
  for (const trust of trusts) {
    for (const [local, partner] of [
      [trust.trusting, trust.trusted],
      [trust.trusted, trust.trusting],
    ] as const) {
      const broken = trust === brokenDns && local === trust.trusting;
      const server = { host: `ns1.${local}`, port: 53 };
      for (const record of [`_ldap._tcp.dc._msdcs.${partner}`, `_kerberos._tcp.dc._msdcs.${partner}`]) {
        dnsFindings.push(
          finding({
            check: 'dns.srv',
            status: broken ? 'critical' : 'ok',
            domain: local,
            target: { kind: 'dns', record, server },
            message: broken
              ? `ns1.${local} answered NXDOMAIN for ${record}: ${local} cannot find the DCs of ${partner}`
              : `ns1.${local} answered ${record} with ${(dcsOf.get(partner) ?? []).length} DC(s)`,
            remediation: `add a conditional forwarder for ${partner} on the DNS servers of ${local}`,
            observed: { server: `ns1.${local}`, partner_domain: partner },
          }),
        );
      }
    }
  }

  const ldapFindings: Finding[] = [];
  for (const domain of domains) {
    ldapFindings.push(
      finding({
        check: 'ldap.bind',
        status: 'ok',
        domain: domain.name,
        target: { kind: 'host', host: `dc01.${domain.name}`, port: 389 },
        message: `bound as CN=adtrust,CN=Users to dc01.${domain.name} with StartTLS`,
      }),
      finding({
        check: 'preauth.privileged',
        status: 'ok',
        domain: domain.name,
        target: { kind: 'host', host: domain.name },
        message: `no privileged account of ${domain.name} goes without Kerberos pre-authentication`,
      }),
    );
  }
  for (const trust of trusts) {
    const sides = trust.twoWay
      ? [
          [trust.trusting, trust.trusted],
          [trust.trusted, trust.trusting],
        ]
      : [[trust.trusting, trust.trusted]];
    for (const [domain = '', partner = ''] of sides) {
      for (const check of ['trust.expected', 'trust.consistent', 'trust.sid_filtering', 'trust.encryption'] as const) {
        ldapFindings.push(
          finding({
            check,
            status: 'ok',
            domain,
            target: { kind: 'host', host: partner },
            message: `${domain} -> ${partner}: ${check.slice(6).replace('_', ' ')} as expected`,
            observed: { partner_domain: partner },
          }),
        );
      }
      const old = trust === oldPassword && domain === trust.trusting;
      ldapFindings.push(
        finding({
          check: 'trust.password_age',
          status: old ? 'warning' : 'ok',
          domain,
          target: { kind: 'host', host: partner },
          message: `${domain} -> ${partner}: trust password last changed ${old ? '52' : '11'} days ago`,
          remediation: `netdom trust ${domain} /domain:${partner} /resetOneSide, on the PDC emulator of ${domain}`,
          observed: { partner_domain: partner },
        }),
      );
    }
  }

  const authFindings: Finding[] = [];
  for (const trust of trusts) {
    // Users of the trusted side use resources of the trusting side.
    const directions = trust.twoWay
      ? [
          [trust.trusted, trust.trusting],
          [trust.trusting, trust.trusted],
        ]
      : [[trust.trusted, trust.trusting]];
    for (const [from = '', to = ''] of directions) {
      const broken = trust === brokenDns && from === trust.trusted;
      authFindings.push(
        authFinding({
          check: 'auth.kerberos',
          status: broken ? 'critical' : 'ok',
          from,
          to,
          message: broken
            ? `a user of ${from} gets no service ticket for ${to}: the KDC of ${from} cannot find a DC of ${to} (DNS)`
            : `a user of ${from} got a service ticket for ${to} through 1 referral`,
        }),
        authFinding({
          check: 'auth.ntlm',
          status: 'ok',
          from,
          to,
          message: `an NTLM logon of a user of ${from} at a DC of ${to} was passed through and accepted`,
        }),
      );
    }
  }

  const startedAt = new Date('2026-11-21T09:59:00Z');
  const run = (family: Family, findings: Finding[]): FamilyRun => ({
    family,
    startedAt,
    durationSeconds: 1.5,
    findings,
    measurements: [],
  });
  return {
    config,
    families: ['dns', 'ports', 'protocols', 'ldap', AUTH_FAMILY],
    runs: [
      run('dns', dnsFindings),
      run('ports', dcFindings.ports),
      run('protocols', dcFindings.protocols),
      run('ldap', ldapFindings),
      run(AUTH_FAMILY, authFindings),
    ],
    dcsOf,
  };
}
