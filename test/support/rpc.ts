// An RPC endpoint mapper on loopback that binds as Samba does and answers every ept_map
// with the TCP ports the test gives it, as many as it likes (one PDU holds about 1,600).

import { tcpServer, type Running } from './servers.js';

/** Samba 4.17's bind_ack to encodeBind(1), captured in the lab (see test/probes/wire/rpc.test.ts). */
const SAMBA_BIND_ACK = Buffer.from(
  '05000c03100000003c00000001000000d016d016468f000004003133350000000100000000000000045d888aeb1cc9119fe808002b10486002000000',
  'hex',
);

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0, 0);
  return bytes;
}

function u16(value: number): Buffer {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16LE(value, 0);
  return bytes;
}

/** A tower of three floors: ncacn_ip_tcp, the TCP port (big-endian), IPv4 127.0.0.1. */
function tcpTower(port: number): Buffer {
  const floor = (lhs: Buffer, rhs: Buffer) => Buffer.concat([u16(lhs.length), lhs, u16(rhs.length), rhs]);
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port, 0);
  return Buffer.concat([
    u16(3),
    floor(Buffer.of(0x0b), u16(0)),
    floor(Buffer.of(0x07), portBytes),
    floor(Buffer.of(0x09), Buffer.of(127, 0, 0, 1)),
  ]);
}

/** An ept_map response PDU for `callId` naming `ports`, laid out as NDR: pointers, then towers. */
export function eptMapResponse(callId: number, ports: number[]): Buffer {
  const stub: Buffer[] = [Buffer.alloc(20), u32(ports.length), u32(ports.length), u32(0), u32(ports.length)];
  ports.forEach((_, index) => stub.push(u32(index + 1)));
  for (const port of ports) {
    const tower = tcpTower(port);
    stub.push(u32(tower.length), u32(tower.length), tower, Buffer.alloc((4 - (tower.length % 4)) % 4));
  }
  stub.push(u32(0));
  const body = Buffer.concat(stub);
  const head = Buffer.alloc(24);
  head.set([5, 0, 2, 3, 0x10, 0, 0, 0]);
  head.writeUInt16LE(24 + body.length, 8);
  head.writeUInt32LE(callId, 12);
  head.writeUInt32LE(body.length, 16);
  return Buffer.concat([head, body]);
}

/** An endpoint mapper: binds, then names `ports` for every interface asked about. */
export function endpointMapper(ports: number[]): Promise<Running> {
  return tcpServer((socket, chunk) => {
    // ptype 11 is a bind; anything else from the probe is the ept_map request (call id at byte 12).
    if (chunk[2] === 11) socket.write(SAMBA_BIND_ACK);
    else socket.write(eptMapResponse(chunk.length >= 16 ? chunk.readUInt32LE(12) : 2, ports));
  });
}
