// One Kerberos request to one KDC, as a Windows client sends it: over UDP 88 first, then over
// TCP 88 when the KDC says the answer is too big for UDP (KRB_ERR_RESPONSE_TOO_BIG), refuses
// UDP (ICMP port unreachable) or stays silent on it. Which transport answered, and why UDP
// was left, are part of the result: "ok via TCP" is worth knowing when UDP 88 is blocked.

import type { Transport } from '../model/measurement.js';
import type { ProbeContext } from '../model/probe.js';
import { tcpRequest, udpExchange, type Framer } from '../transport/sockets.js';
import { frameTcp, unframeTcp } from '../wire/kerberos.js';
import { decodeKdcReply } from '../wire/kerberos-messages.js';

export const KERBEROS_PORT = 88;
const RESPONSE_TOO_BIG = 52;

/** A KDC of a realm, as discovery found it; `port` is 88 unless the config names another. */
export interface Kdc {
  host: string;
  address: string;
  port: number;
}

export type KdcAnswer =
  | { kind: 'reply'; bytes: Buffer; transport: Transport; udpFallback: string | undefined; seconds: number }
  | { kind: 'unreachable'; detail: string; transport: Transport; udpFallback: string | undefined; seconds: number };

const kerberosFramer: Framer = (buffered) => {
  const frame = unframeTcp(buffered);
  if (frame.kind === 'malformed') return { malformed: frame.reason };
  return frame.kind === 'complete' ? 4 + frame.message.length : undefined;
};

function tooBig(bytes: Buffer): boolean {
  const reply = decodeKdcReply(bytes);
  return 'kind' in reply && reply.kind === 'krb-error' && reply.errorCode === RESPONSE_TOO_BIG;
}

export async function askKdc({ address, port }: Kdc, request: Buffer, ctx: ProbeContext): Promise<KdcAnswer> {
  const udp = await ctx.attempt((signal) => udpExchange(address, port, request, () => true, signal));
  let seconds = udp.seconds;
  let udpFallback: string;
  if (udp.ok) {
    const outcome = udp.value;
    if (outcome.kind === 'unreachable') udpFallback = `UDP ${port}: ${outcome.reason}`;
    else if (tooBig(outcome.bytes)) udpFallback = 'KRB_ERR_RESPONSE_TOO_BIG over UDP';
    else return { kind: 'reply', bytes: outcome.bytes, transport: 'udp', udpFallback: undefined, seconds };
  } else if (udp.reason === 'cancelled') {
    return { kind: 'unreachable', detail: 'the run was cancelled', transport: 'udp', udpFallback: undefined, seconds };
  } else {
    udpFallback =
      udp.reason === 'timeout' ? `no answer over UDP ${port} in ${ctx.timeoutMs / 1000} s` : `UDP ${port} failed`;
  }
  const tcp = await ctx.attempt((signal) => tcpRequest(address, port, frameTcp(request), kerberosFramer, signal));
  seconds += tcp.seconds;
  if (!tcp.ok)
    return {
      kind: 'unreachable',
      detail: `${udpFallback}; TCP ${port}: ${tcp.reason === 'timeout' ? `no answer in ${ctx.timeoutMs / 1000} s` : tcp.reason}`,
      transport: 'tcp',
      udpFallback,
      seconds,
    };
  const outcome = tcp.value;
  if (outcome.kind === 'reply')
    return { kind: 'reply', bytes: outcome.bytes.subarray(4), transport: 'tcp', udpFallback, seconds };
  return {
    kind: 'unreachable',
    detail: `${udpFallback}; TCP ${port}: ${outcome.reason}`,
    transport: 'tcp',
    udpFallback,
    seconds,
  };
}
