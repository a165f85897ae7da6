// @ts-nocheck
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../support/random.js';
import {
  decodeBindReply,
  decodeEptMapResponse,
  encodeBind,
  encodeEptMap,
  EPMAPPER,
  EPT_S_NOT_REGISTERED,
  INTERFACES,
  NDR,
  pduLength,
  statusName,
  type BindResult,
  type EptMapResult,
  type SyntaxId,
} from '../../../probes/wire/rpc.js';

// Replies captured from the Samba 4.17 AD DCs of the lab (dca.tailspin.test, 198.51.100.10) to
// encodeBind(1) and encodeEptMap(2, ...). dcb and dcc answered byte for byte the same apart from
// the association group id in the bind_ack: netlogon on 49152, lsarpc and drsuapi on 49153.
const SAMBA = {
  bindAck:
    '05000c03100000003c00000001000000d016d016468f000004003133350000000100000000000000045d888aeb1cc9119fe808002b10486002000000',
  netlogon:
    '050002031000000098000000020000008000000000000000000000000000000000000000000000000000000001000000040000000000000001000000030000004b0000004b000000050013000d785634123412cdabef0001234567cffb01000200000013000d045d888aeb1cc9119fe808002b10486002000200000001000b020000000100070200c0000100090400000000000000000000',
  lsarpc:
    '050002031000000098000000020000008000000000000000000000000000000000000000000000000000000001000000040000000000000001000000030000004b0000004b000000050013000d785734123412cdabef000123456789ab00000200000013000d045d888aeb1cc9119fe808002b10486002000200000001000b020000000100070200c0010100090400000000000000000000',
  drsuapi:
    '050002031000000098000000020000008000000000000000000000000000000000000000000000000000000001000000040000000000000001000000030000004b0000004b000000050013000d354251e3064bd111ab0400c04fc2dcd204000200000013000d045d888aeb1cc9119fe808002b10486002000200000001000b020000000100070200c0010100090400000000000000000000',
  // ept_map for an interface nobody registered (a made-up UUID, and netlogon v2.0): no fault,
  // a response with no towers and status EPT_S_NOT_REGISTERED.
  notRegistered:
    '050002031000000040000000020000002800000000000000000000000000000000000000000000000000000000000000040000000000000000000000d6a0c916',
  // ept_map sent with opnum 99: a fault (flags first|last|did_not_execute), nca_s_op_rng_error.
  fault: '0500032310000000200000000200000018000000000000000200011c00000000',
  // Bind (call id 7) for a made-up abstract syntax, and (call id 8) with a mangled transfer syntax.
  abstractRejected:
    '05000c03100000003c00000007000000d016d0169c760000040031333500000001000000020001000000000000000000000000000000000000000000',
  transferRejected:
    '05000c03100000003c00000008000000d016d016da400000040031333500000001000000020002000000000000000000000000000000000000000000',
  // Bind (call id 9) whose header says RPC version 4.0: bind_nak, protocol version not supported.
  nak: '05000d031000000018000000090000000400010500000000',
};

function hex(text: string): Buffer {
  return Buffer.from(text, 'hex');
}

/** Reads a PDU the way the spec lays it out, to check the encoders field by field. */
class Cursor {
  constructor(
    readonly bytes: Buffer,
    public at = 0,
  ) {}

  u8(): number {
    const value = this.bytes.readUInt8(this.at);
    this.at += 1;
    return value;
  }

  u16(): number {
    const value = this.bytes.readUInt16LE(this.at);
    this.at += 2;
    return value;
  }

  u16be(): number {
    const value = this.bytes.readUInt16BE(this.at);
    this.at += 2;
    return value;
  }

  u32(): number {
    const value = this.bytes.readUInt32LE(this.at);
    this.at += 4;
    return value;
  }

  take(count: number): Buffer {
    const value = this.bytes.subarray(this.at, this.at + count);
    assert.equal(value.length, count, `${count} bytes at ${this.at}`);
    this.at += count;
    return value;
  }

  /** An NDR UUID in little-endian data representation, back to its text form. */
  uuid(): string {
    const first = this.u32().toString(16).padStart(8, '0');
    const second = this.u16().toString(16).padStart(4, '0');
    const third = this.u16().toString(16).padStart(4, '0');
    const rest = this.take(8).toString('hex');
    return `${first}-${second}-${third}-${rest.slice(0, 4)}-${rest.slice(4)}`;
  }

  syntax(): SyntaxId {
    const uuid = this.uuid();
    const major = this.u16();
    const minor = this.u16();
    return { uuid, major, minor };
  }
}

function checkHeader(cursor: Cursor, ptype: number, callId: number): void {
  assert.equal(cursor.u8(), 5, 'rpc_vers');
  assert.equal(cursor.u8(), 0, 'rpc_vers_minor');
  assert.equal(cursor.u8(), ptype, 'PTYPE');
  assert.equal(cursor.u8(), 0x03, 'pfc_flags: first and last fragment');
  assert.deepEqual([...cursor.take(4)], [0x10, 0, 0, 0], 'data representation: little-endian, ASCII, IEEE');
  assert.equal(cursor.u16(), cursor.bytes.length, 'frag_length');
  assert.equal(cursor.u16(), 0, 'auth_length');
  assert.equal(cursor.u32(), callId, 'call_id');
}

// ---------------------------------------------------------------- building replies

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

function floorBytes(lhs: Buffer, rhs: Buffer): Buffer {
  return Buffer.concat([u16(lhs.length), lhs, u16(rhs.length), rhs]);
}

function tcpTower(port: number, address: number[]): Buffer {
  const portBytes = Buffer.alloc(2);
  portBytes.writeUInt16BE(port, 0);
  return Buffer.concat([
    u16(3),
    floorBytes(Buffer.of(0x0b), u16(0)),
    floorBytes(Buffer.of(0x07), portBytes),
    floorBytes(Buffer.of(0x09), Buffer.from(address)),
  ]);
}

interface ResponseParts {
  numTowers?: number;
  maxCount?: number;
  offset?: number;
  actualCount?: number;
  referents: number[];
  /** One per non-null, not yet seen referent, in order; `length` overrides the tower's length fields. */
  towers: { octets: Buffer; length?: number }[];
  status?: number;
}

/** An ept_map response PDU (call id 2), laid out as NDR would: pointers first, then the towers. */
function response(parts: ResponseParts): Buffer {
  const stub: Buffer[] = [Buffer.alloc(20)];
  stub.push(u32(parts.numTowers ?? parts.referents.length));
  stub.push(u32(parts.maxCount ?? Math.max(parts.referents.length, 4)));
  stub.push(u32(parts.offset ?? 0));
  stub.push(u32(parts.actualCount ?? parts.referents.length));
  for (const referent of parts.referents) stub.push(u32(referent));
  for (const tower of parts.towers) {
    const length = tower.length ?? tower.octets.length;
    stub.push(u32(length), u32(length), tower.octets, Buffer.alloc((4 - (tower.octets.length % 4)) % 4));
  }
  stub.push(u32(parts.status ?? 0));
  const body = Buffer.concat(stub);
  const head = Buffer.alloc(24);
  head.set([5, 0, 2, 3, 0x10, 0, 0, 0]);
  head.writeUInt16LE(24 + body.length, 8);
  head.writeUInt32LE(2, 12);
  head.writeUInt32LE(body.length, 16);
  return Buffer.concat([head, body]);
}

/** The same PDU with frag_length cut to `length`, as a server that wrote a short PDU would send. */
function cutTo(pdu: Buffer, length: number): Buffer {
  const cut = Buffer.from(pdu.subarray(0, length));
  if (length >= 10) cut.writeUInt16LE(length, 8);
  return cut;
}

// ---------------------------------------------------------------- checking shapes

const DOTTED_QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isU32(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 0xffffffff;
}

function assertBindShape(result: BindResult): void {
  assert.ok(typeof result.reason === 'string' && result.reason.length > 0);
  assert.ok(!result.reason.startsWith('decoder failure'), result.reason);
  assert.ok(['bind-ack', 'bind-nak', 'malformed'].includes(result.kind), result.kind);
  if (result.kind === 'bind-ack') assert.equal(typeof result.accepted, 'boolean');
}

function assertEptMapShape(result: EptMapResult): void {
  if (result.kind === 'malformed') {
    assert.ok(result.reason.length > 0);
    assert.ok(!result.reason.startsWith('decoder failure'), result.reason);
    return;
  }
  assert.ok(isU32(result.status));
  if (result.kind === 'fault') return;
  assert.equal(result.kind, 'towers');
  for (const endpoint of result.endpoints) {
    assert.equal(endpoint.protocol, 'tcp');
    assert.ok(Number.isInteger(endpoint.port) && endpoint.port >= 0 && endpoint.port <= 65535);
    if (endpoint.address !== undefined) {
      const octets = DOTTED_QUAD.exec(endpoint.address);
      assert.ok(octets, endpoint.address);
      assert.ok(octets.slice(1).every((octet) => Number(octet) <= 255));
    }
  }
}

function assertPduLengthShape(result: ReturnType<typeof pduLength>, bytes: Uint8Array): void {
  if (result === undefined) assert.ok(bytes.length < 16);
  else if (typeof result === 'number') assert.ok(Number.isInteger(result) && result >= 16 && result <= 65535);
  else assert.ok(result.malformed.length > 0);
}

// ---------------------------------------------------------------- tests

describe('encodeBind', () => {
  it('is a bind PDU with one presentation context: the endpoint mapper over NDR', () => {
    const bind = encodeBind(0x01020304);
    const cursor = new Cursor(bind);
    checkHeader(cursor, 11, 0x01020304);
    assert.equal(cursor.u16(), 5840, 'max_xmit_frag');
    assert.equal(cursor.u16(), 5840, 'max_recv_frag');
    assert.equal(cursor.u32(), 0, 'assoc_group_id: a new group');
    assert.equal(cursor.u8(), 1, 'n_context_elem');
    cursor.take(3);
    assert.equal(cursor.u16(), 0, 'p_cont_id');
    assert.equal(cursor.u8(), 1, 'n_transfer_syn');
    cursor.take(1);
    assert.deepEqual(cursor.syntax(), EPMAPPER);
    assert.deepEqual(cursor.syntax(), NDR);
    assert.equal(cursor.at, bind.length, 'nothing after the transfer syntax');
    // The UUID's first three fields go little-endian: e1af8308 is sent as 08 83 af e1.
    assert.equal(bind.subarray(32, 36).toString('hex'), '0883afe1');
  });

  it('reduces a call id to 32 bits instead of throwing', () => {
    assert.equal(encodeBind(2 ** 32 + 5).readUInt32LE(12), 5);
    assert.equal(encodeBind(-1).readUInt32LE(12), 0xffffffff);
  });
});

describe('encodeEptMap', () => {
  for (const [name, iface] of Object.entries(INTERFACES)) {
    it(`asks ept_map for the TCP tower of ${name}`, () => {
      const request = encodeEptMap(9, iface, 3);
      const cursor = new Cursor(request);
      checkHeader(cursor, 0, 9);
      assert.equal(cursor.u32(), request.length - 24, 'alloc_hint: the stub length');
      assert.equal(cursor.u16(), 0, 'p_cont_id');
      assert.equal(cursor.u16(), 3, 'opnum: ept_map');
      // object: a full pointer to the nil UUID.
      assert.notEqual(cursor.u32(), 0, 'object referent');
      assert.ok(
        cursor.take(16).every((byte) => byte === 0),
        'nil object UUID',
      );
      // map_tower: a full pointer to a conformant twr_t.
      assert.notEqual(cursor.u32(), 0, 'map_tower referent');
      const size = cursor.u32();
      assert.equal(cursor.u32(), size, 'tower_length equals the conformance');
      const tower = new Cursor(cursor.take(size));
      assert.equal(tower.u16(), 5, 'floor count');
      const floors: { lhs: Buffer; rhs: Buffer }[] = [];
      for (let n = 0; n < 5; n++) {
        const lhs = tower.take(tower.u16());
        const rhs = tower.take(tower.u16());
        floors.push({ lhs, rhs });
      }
      assert.equal(tower.at, size, 'the floors fill the tower');
      const [first, second, third, fourth, fifth] = floors;
      assert.ok(first && second && third && fourth && fifth);
      const interfaceFloor = new Cursor(first.lhs);
      assert.equal(interfaceFloor.u8(), 0x0d);
      assert.equal(interfaceFloor.uuid(), iface.uuid);
      assert.equal(interfaceFloor.u16(), iface.major);
      assert.equal(first.rhs.readUInt16LE(0), iface.minor);
      assert.equal(first.rhs.length, 2);
      const syntaxFloor = new Cursor(second.lhs);
      assert.equal(syntaxFloor.u8(), 0x0d);
      assert.equal(syntaxFloor.uuid(), NDR.uuid);
      assert.equal(syntaxFloor.u16(), 2);
      assert.deepEqual([...second.rhs], [0, 0]);
      assert.deepEqual([...third.lhs], [0x0b], 'connection-oriented RPC');
      assert.deepEqual([...third.rhs], [0, 0]);
      assert.deepEqual([...fourth.lhs], [0x07], 'TCP');
      assert.equal(new Cursor(fourth.rhs).u16be(), 135, 'port, big-endian');
      assert.deepEqual([...fifth.lhs], [0x09], 'IP');
      assert.deepEqual([...fifth.rhs], [0, 0, 0, 0]);
      // NDR pads the tower octets to 4 before the next field.
      while (cursor.at % 4 !== 0) assert.equal(cursor.u8(), 0, 'padding');
      assert.ok(
        cursor.take(20).every((byte) => byte === 0),
        'entry_handle',
      );
      assert.equal(cursor.u32(), 3, 'max_towers');
      assert.equal(cursor.at, request.length, 'nothing after max_towers');
    });
  }

  it('keeps max_towers within what one reply fragment holds', () => {
    const maxTowers = (request: Buffer) => request.readUInt32LE(request.length - 4);
    assert.equal(maxTowers(encodeEptMap(1, INTERFACES.netlogon)), 4);
    assert.equal(maxTowers(encodeEptMap(1, INTERFACES.netlogon, 0)), 1);
    assert.equal(maxTowers(encodeEptMap(1, INTERFACES.netlogon, 1e9)), 32);
    assert.equal(maxTowers(encodeEptMap(1, INTERFACES.netlogon, Number.NaN)), 4);
  });
});

describe('decodeBindReply', () => {
  it('takes the bind_ack of Samba as accepted', () => {
    assert.deepEqual(decodeBindReply(hex(SAMBA.bindAck), 1), {
      kind: 'bind-ack',
      accepted: true,
      reason: 'acceptance',
    });
  });

  it('reads the rejections and the bind_nak Samba sent', () => {
    assert.deepEqual(decodeBindReply(hex(SAMBA.abstractRejected), 7), {
      kind: 'bind-ack',
      accepted: false,
      reason: 'provider rejection: abstract syntax not supported',
    });
    assert.deepEqual(decodeBindReply(hex(SAMBA.transferRejected), 8), {
      kind: 'bind-ack',
      accepted: false,
      reason: 'provider rejection: proposed transfer syntaxes not supported',
    });
    assert.deepEqual(decodeBindReply(hex(SAMBA.nak), 9), {
      kind: 'bind-nak',
      reason: 'protocol version not supported',
    });
  });

  it('refuses another call id and another PDU type', () => {
    const wrongCall = decodeBindReply(hex(SAMBA.bindAck), 2);
    assert.equal(wrongCall.kind, 'malformed');
    assert.match(wrongCall.reason, /call id 1, not 2/);
    const response = decodeBindReply(hex(SAMBA.netlogon), 2);
    assert.equal(response.kind, 'malformed');
    assert.match(response.reason, /response PDU, not bind_ack/);
  });

  it('does not take an ack whose transfer syntax is not NDR', () => {
    const ack = hex(SAMBA.bindAck);
    ack.writeUInt8(ack.readUInt8(40) ^ 0xff, 40); // inside the transfer syntax UUID
    assert.deepEqual(decodeBindReply(ack, 1), {
      kind: 'bind-ack',
      accepted: false,
      reason: 'accepted with transfer syntax 8a885dfb-1ceb-11c9-9fe8-08002b104860, not NDR',
    });
  });

  it('gives malformed for a secondary address or a result count beyond the bytes', () => {
    const address = hex(SAMBA.bindAck);
    address.writeUInt16LE(0xffff, 24);
    assert.equal(decodeBindReply(address, 1).kind, 'malformed');
    const results = hex(SAMBA.bindAck);
    results[32] = 0xff;
    assert.match(decodeBindReply(results, 1).reason, /claims 255 results/);
    const none = hex(SAMBA.bindAck);
    none[32] = 0;
    assert.match(decodeBindReply(none, 1).reason, /no result/);
  });
});

describe('decodeEptMapResponse', () => {
  it('reads the ports Samba named: netlogon 49152, lsarpc and drsuapi 49153', () => {
    const expected = { netlogon: 49152, lsarpc: 49153, drsuapi: 49153 };
    for (const [name, port] of Object.entries(expected)) {
      const vector = name === 'netlogon' ? SAMBA.netlogon : name === 'lsarpc' ? SAMBA.lsarpc : SAMBA.drsuapi;
      // Samba leaves the address floor at 0.0.0.0: "the host you asked".
      assert.deepEqual(
        decodeEptMapResponse(hex(vector), 2),
        {
          kind: 'towers',
          status: 0,
          endpoints: [{ protocol: 'tcp', port, address: '0.0.0.0' }],
        },
        name,
      );
    }
  });

  it('an unregistered interface: a response with no towers and EPT_S_NOT_REGISTERED, not a fault', () => {
    const result = decodeEptMapResponse(hex(SAMBA.notRegistered), 2);
    assert.deepEqual(result, { kind: 'towers', status: EPT_S_NOT_REGISTERED, endpoints: [] });
    assert.equal(statusName(EPT_S_NOT_REGISTERED), 'EPT_S_NOT_REGISTERED');
  });

  it('reads the fault Samba sent for an unknown operation', () => {
    assert.deepEqual(decodeEptMapResponse(hex(SAMBA.fault), 2), { kind: 'fault', status: 0x1c010002 });
    assert.match(statusName(0x1c010002), /nca_s_op_rng_error/);
    assert.equal(statusName(0x12345678), '0x12345678');
  });

  it('reads a big-endian data representation too', () => {
    const big = hex(SAMBA.netlogon);
    big[4] = 0x00;
    for (const at of [8, 10, 20]) big.writeUInt16BE(big.readUInt16LE(at), at);
    // Every NDR integer of the stub; the tower octets (72..147) stay little-endian by definition.
    for (const at of [12, 16, 44, 48, 52, 56, 60, 64, 68, 148]) big.writeUInt32BE(big.readUInt32LE(at), at);
    assert.deepEqual(decodeEptMapResponse(big, 2), {
      kind: 'towers',
      status: 0,
      endpoints: [{ protocol: 'tcp', port: 49152, address: '0.0.0.0' }],
    });
    assert.equal(pduLength(big), 152);
  });

  it('decodes only the first PDU when the next one follows it', () => {
    const two = Buffer.concat([hex(SAMBA.lsarpc), hex(SAMBA.netlogon)]);
    const result = decodeEptMapResponse(two, 2);
    assert.ok(result.kind === 'towers');
    assert.equal(result.endpoints[0]?.port, 49153);
  });

  it('skips null pointers, aliases and towers without a TCP floor', () => {
    const pipeTower = Buffer.concat([u16(1), floorBytes(Buffer.of(0x10), Buffer.from('\\pipe\\lsass\0'))]);
    const result = decodeEptMapResponse(
      response({
        referents: [0x11, 0, 0x11, 0x22, 0x33],
        towers: [
          { octets: tcpTower(49160, [10, 0, 0, 1]) },
          { octets: pipeTower },
          { octets: tcpTower(49161, [10, 0, 0, 2]) },
        ],
      }),
      2,
    );
    assert.deepEqual(result, {
      kind: 'towers',
      status: 0,
      endpoints: [
        { protocol: 'tcp', port: 49160, address: '10.0.0.1' },
        { protocol: 'tcp', port: 49161, address: '10.0.0.2' },
      ],
    });
  });

  it('a tower without an IP floor has no address', () => {
    const portOnly = Buffer.concat([u16(1), floorBytes(Buffer.of(0x07), Buffer.of(0xc0, 0x05))]);
    const result = decodeEptMapResponse(response({ referents: [1], towers: [{ octets: portOnly }] }), 2);
    assert.deepEqual(result, {
      kind: 'towers',
      status: 0,
      endpoints: [{ protocol: 'tcp', port: 49157, address: undefined }],
    });
  });

  it('refuses a fragment, another call id and another PDU type', () => {
    const fragment = hex(SAMBA.netlogon);
    fragment[3] = 0x01;
    assert.deepEqual(decodeEptMapResponse(fragment, 2), {
      kind: 'malformed',
      reason: 'ept_map reply is one fragment of several; fragments are not reassembled',
    });
    assert.equal(decodeEptMapResponse(hex(SAMBA.netlogon), 3).kind, 'malformed');
    assert.equal(decodeEptMapResponse(hex(SAMBA.bindAck), 1).kind, 'malformed');
  });

  it('gives malformed for counts and lengths larger than the bytes', () => {
    const tower = { octets: tcpTower(49152, [1, 2, 3, 4]) };
    const cases: [string, Buffer][] = [
      [
        'num_towers 0xffffffff',
        response({
          numTowers: 0xffffffff,
          maxCount: 0xffffffff,
          actualCount: 0xffffffff,
          referents: [1],
          towers: [tower],
        }),
      ],
      ['actual count over the maximum', response({ maxCount: 0, referents: [1], towers: [tower] })],
      ['num_towers unlike the actual count', response({ numTowers: 2, referents: [1], towers: [tower] })],
      ['a non-zero offset', response({ offset: 1, referents: [1], towers: [tower] })],
      ['tower length 0xffffffff', response({ referents: [1], towers: [{ octets: tower.octets, length: 0xffffffff }] })],
      [
        'floor count 0xffff',
        response({ referents: [1], towers: [{ octets: Buffer.concat([u16(0xffff), tower.octets.subarray(2)]) }] }),
      ],
      [
        'lhs length 0xffff',
        response({ referents: [1], towers: [{ octets: Buffer.concat([u16(1), u16(0xffff), Buffer.of(7)]) }] }),
      ],
      [
        'rhs length 0xffff',
        response({
          referents: [1],
          towers: [{ octets: Buffer.concat([u16(1), u16(1), Buffer.of(7), u16(0xffff), Buffer.of(0, 135)]) }],
        }),
      ],
      [
        'empty lhs',
        response({ referents: [1], towers: [{ octets: Buffer.concat([u16(1), u16(0), u16(2), Buffer.of(0, 135)]) }] }),
      ],
      [
        'a 3-byte port',
        response({
          referents: [1],
          towers: [{ octets: Buffer.concat([u16(1), floorBytes(Buffer.of(7), Buffer.of(0, 0, 135))]) }],
        }),
      ],
      [
        'a 6-byte address',
        response({
          referents: [1],
          towers: [{ octets: Buffer.concat([u16(1), floorBytes(Buffer.of(9), Buffer.alloc(6))]) }],
        }),
      ],
      ['a pointer with no tower', response({ referents: [1], towers: [] })],
    ];
    for (const [name, pdu] of cases) {
      const result = decodeEptMapResponse(pdu, 2);
      assert.equal(result.kind, 'malformed', name);
      assertEptMapShape(result);
    }
    // And the same lies in the Samba vector itself.
    const towerLength = hex(SAMBA.netlogon);
    towerLength.writeUInt32LE(0xffffffff, 64);
    towerLength.writeUInt32LE(0xffffffff, 68);
    assert.equal(decodeEptMapResponse(towerLength, 2).kind, 'malformed');
    const floorCount = hex(SAMBA.netlogon);
    floorCount.writeUInt16LE(0xffff, 72);
    assert.deepEqual(decodeEptMapResponse(floorCount, 2), {
      kind: 'malformed',
      reason: 'tower 1 claims 65535 floors in 73 bytes',
    });
  });
});

describe('truncations of the Samba vectors', () => {
  const bindVectors: [string, number][] = [
    [SAMBA.bindAck, 1],
    [SAMBA.abstractRejected, 7],
    [SAMBA.transferRejected, 8],
    [SAMBA.nak, 9],
  ];
  const mapVectors = [SAMBA.netlogon, SAMBA.lsarpc, SAMBA.drsuapi, SAMBA.notRegistered, SAMBA.fault];

  it('every prefix of a reply is malformed, and pduLength waits for the header', () => {
    for (const [vector, callId] of bindVectors) {
      const bytes = hex(vector);
      for (let length = 0; length < bytes.length; length++) {
        const prefix = bytes.subarray(0, length);
        assert.equal(decodeBindReply(prefix, callId).kind, 'malformed', `${length} of ${bytes.length}`);
        assert.equal(pduLength(prefix), length < 16 ? undefined : bytes.length);
      }
    }
    for (const vector of mapVectors) {
      const bytes = hex(vector);
      for (let length = 0; length < bytes.length; length++) {
        const prefix = bytes.subarray(0, length);
        assert.equal(decodeEptMapResponse(prefix, 2).kind, 'malformed', `${length} of ${bytes.length}`);
        assert.equal(pduLength(prefix), length < 16 ? undefined : bytes.length);
      }
    }
  });

  it('a PDU whose own frag_length is cut short is malformed too', () => {
    // A bind_nak needs only its reason; everything after it is optional.
    for (const [vector, callId] of bindVectors) {
      const bytes = hex(vector);
      const needed = vector === SAMBA.nak ? 18 : bytes.length;
      for (let length = 0; length < needed; length++) {
        assert.equal(decodeBindReply(cutTo(bytes, length), callId).kind, 'malformed', `${length} of ${bytes.length}`);
      }
    }
    for (const vector of mapVectors) {
      const bytes = hex(vector);
      const needed = vector === SAMBA.fault ? 28 : bytes.length;
      for (let length = 0; length < needed; length++) {
        assert.equal(decodeEptMapResponse(cutTo(bytes, length), 2).kind, 'malformed', `${length} of ${bytes.length}`);
      }
    }
  });
});

describe('pduLength', () => {
  it('waits for 16 bytes, then gives frag_length, whether or not the PDU is all there', () => {
    const ack = hex(SAMBA.bindAck);
    assert.equal(pduLength(new Uint8Array()), undefined);
    assert.equal(pduLength(ack.subarray(0, 15)), undefined);
    assert.equal(pduLength(ack.subarray(0, 16)), 60);
    assert.equal(pduLength(ack), 60);
    assert.equal(pduLength(Buffer.concat([ack, hex(SAMBA.fault)])), 60);
  });

  it('reads the length of a Uint8Array that is a window into a larger buffer', () => {
    const backing = Buffer.concat([Buffer.alloc(7, 0xee), hex(SAMBA.fault)]);
    const view = new Uint8Array(backing.buffer, backing.byteOffset + 7, 32);
    assert.equal(pduLength(view), 32);
    assert.deepEqual(decodeEptMapResponse(view, 2), { kind: 'fault', status: 0x1c010002 });
  });

  it('gives malformed for impossible headers', () => {
    const absurd = (mutate: (header: Buffer) => void): ReturnType<typeof pduLength> => {
      const header = hex(SAMBA.bindAck).subarray(0, 16);
      mutate(header);
      return pduLength(header);
    };
    const http = Buffer.from('HTTP/1.1 400 Bad Request\r\n');
    assert.match((pduLength(http) as { malformed: string }).malformed, /version 72\.84/);
    assert.ok(typeof absurd((h) => h.writeUInt16LE(15, 8)) === 'object', 'frag_length under the header');
    assert.ok(typeof absurd((h) => h.writeUInt16LE(0, 8)) === 'object', 'frag_length 0');
    assert.ok(typeof absurd((h) => h.writeUInt16LE(60, 10)) === 'object', 'authenticator longer than the PDU');
    assert.ok(typeof absurd((h) => (h[4] = 0x20)) === 'object', 'unknown data representation');
    assert.ok(typeof absurd((h) => (h[1] = 7)) === 'object', 'minor version 7');
    assert.equal(
      absurd((h) => h.writeUInt16LE(0xffff, 8)),
      0xffff,
      'the largest frag_length is possible',
    );
  });
});

describe('fuzz', () => {
  const vectors: [Buffer, number][] = [
    ...[SAMBA.netlogon, SAMBA.lsarpc, SAMBA.drsuapi, SAMBA.notRegistered, SAMBA.fault].map((v): [Buffer, number] => [
      hex(v),
      2,
    ]),
    [hex(SAMBA.bindAck), 1],
    [hex(SAMBA.abstractRejected), 7],
    [hex(SAMBA.transferRejected), 8],
    [hex(SAMBA.nak), 9],
  ];

  function decodeAll(bytes: Buffer, callId: number): void {
    const label = bytes.toString('hex');
    assert.doesNotThrow(() => {
      assertBindShape(decodeBindReply(bytes, callId));
      assertEptMapShape(decodeEptMapResponse(bytes, callId));
      assertPduLengthShape(pduLength(bytes), bytes);
    }, label);
  }

  it('3000 random inputs, most behind a plausible header, never throw and always have a valid shape', () => {
    const random = mulberry32(0x5eed);
    const byte = () => Math.floor(random() * 256);
    for (let n = 0; n < 3000; n++) {
      const length = Math.floor(random() * 200);
      const bytes = Buffer.from(Array.from({ length }, byte));
      // Random bytes rarely get past the header; give two thirds of them a valid one.
      if (length >= 16 && n % 3 !== 0) {
        bytes.set([5, 0, [2, 3, 12, 13][n % 4] ?? 2, 3, 0x10, 0, 0, 0]);
        bytes.writeUInt16LE(length, 8);
        bytes.writeUInt16LE(n % 5 === 0 ? byte() : 0, 10);
        bytes.writeUInt32LE(2, 12);
      }
      decodeAll(bytes, 2);
    }
  });

  it('3000 mutations of the Samba vectors never throw and always have a valid shape', () => {
    const random = mulberry32(135);
    const pick = (count: number) => Math.floor(random() * count);
    for (let n = 0; n < 3000; n++) {
      const [vector, callId] = vectors[n % vectors.length] ?? [Buffer.alloc(0), 0];
      let bytes = Buffer.from(vector);
      const edits = 1 + pick(4);
      for (let e = 0; e < edits; e++) {
        const kind = pick(5);
        const at = pick(bytes.length);
        if (kind === 0) bytes[at] = pick(256);
        else if (kind === 1) bytes[at] = (bytes[at] ?? 0) ^ (1 << pick(8));
        else if (kind === 2 && at + 4 <= bytes.length)
          bytes.writeUInt32LE([0, 0xffffffff, 0x7fffffff, 0x10000][pick(4)] ?? 0, at);
        else if (kind === 3) bytes = bytes.subarray(0, at);
        else bytes = Buffer.concat([bytes, Buffer.from(Array.from({ length: pick(16) }, () => pick(256)))]);
      }
      // Keep frag_length honest about half the time, so the mutations reach the stub.
      if (n % 2 === 0 && bytes.length >= 16) bytes.writeUInt16LE(bytes.length, 8);
      decodeAll(bytes, callId);
    }
  });
});
