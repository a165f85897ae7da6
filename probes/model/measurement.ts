// The numbers behind the metrics: each family's metrics.ts turns these into samples.

export type Transport = 'udp' | 'tcp';

export type PortState = 'open' | 'closed' | 'filtered';

export type Measurement =
  | {
      kind: 'dns_lookup';
      server: string;
      partnerDomain: string;
      record: string;
      /** SRV for a locator record, A or AAAA for a DC's address. */
      recordType: string;
      transport: Transport;
      success: boolean;
      seconds: number;
    }
  | {
      kind: 'port';
      partnerDomain: string;
      target: string;
      port: number;
      transport: Transport;
      state: PortState;
      seconds: number;
    }
  | { kind: 'ldap_bind'; domain: string; server: string; success: boolean; seconds: number }
  | {
      kind: 'trust_info';
      domain: string;
      partnerDomain: string;
      direction: string;
      trustType: string;
      trustKind: string;
      transitive: boolean;
      attributes: string;
    }
  | { kind: 'trust_present'; domain: string; partnerDomain: string; present: boolean }
  | { kind: 'trust_consistent'; domain: string; partnerDomain: string; consistent: boolean }
  | { kind: 'trust_password'; domain: string; partnerDomain: string; lastSet: Date; source: string }
  | { kind: 'preauth'; domain: string; accounts: number; unexpected: number; privileged: number }
  | { kind: 'trust_path'; fromDomain: string; toDomain: string; available: boolean }
  | {
      kind: 'auth';
      fromDomain: string;
      toDomain: string;
      protocol: 'kerberos' | 'ntlm';
      success: boolean;
      /** The exchange's seconds; undefined when the verdict stands from an earlier run (nothing was sent). */
      seconds: number | undefined;
      /** The encryption type of the first referral ticket (the trust key's), when one was issued. */
      referralEtype: number | undefined;
    }
  | { kind: 'kerberos'; partnerDomain: string; target: string; port: number; transport: Transport; errorCode: number }
  | { kind: 'clock'; partnerDomain: string; target: string; offsetSeconds: number }
  | {
      kind: 'locator';
      partnerDomain: string;
      target: string;
      forest: string;
      domain: string;
      dcSite: string;
      clientSite: string;
      ok: boolean;
    }
  | { kind: 'rpc'; partnerDomain: string; target: string; iface: string; port: number; up: boolean }
  | { kind: 'certificate'; partnerDomain: string; target: string; port: number; notAfter: Date; verified: boolean };

export type MeasurementOf<K extends Measurement['kind']> = Extract<Measurement, { kind: K }>;

/** The measurements of one kind, typed. */
export function measurementsOf<K extends Measurement['kind']>(
  measurements: readonly Measurement[],
  kind: K,
): MeasurementOf<K>[] {
  return measurements.filter((m): m is MeasurementOf<K> => m.kind === kind);
}
