// @ts-nocheck
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clockOffset, decodeNtpReply, encodeNtpRequest, type NtpReply } from '../../../probes/wire/ntp.js';
import { mulberry32 } from '../../support/random.js';

// chronyd's reply on dca (198.51.100.10, the lab's Samba 4.17 DC; chronyd -x, local stratum 10) to
// encodeNtpRequest(2026-11-21T04:44:23.085Z), received at 04:44:23.085Z by adtl-client.
const CHRONYD_REPLY = Buffer.from(
  '240a00e600000000000000007f7f0101eeaba025a111f4f9eeaba02715c28f5ceeaba02715e59e51eeaba02715eb77d2',
  'hex',
);
const CHRONYD_T1 = new Date('2026-11-21T04:44:23.085Z');
const CHRONYD_T4 = new Date('2026-11-21T04:44:23.085Z');

function expectReply(reply: NtpReply): Extract<NtpReply, { kind: 'reply' }> {
  assert.equal(reply.kind, 'reply', JSON.stringify(reply));
  return reply;
}

function expectMalformed(reply: NtpReply): string {
  assert.equal(reply.kind, 'malformed', JSON.stringify(reply));
  return reply.reason;
}

/** A mode 4 reply: receive and transmit as given, originate as given or zero. */
function serverReply(options: {
  stratum?: number;
  refId?: Buffer;
  receive: Date;
  transmit: Date;
  originate?: Date;
  first?: number;
}): Buffer {
  const packet = Buffer.alloc(48);
  packet.writeUInt8(options.first ?? 0x24, 0);
  packet.writeUInt8(options.stratum ?? 2, 1);
  (options.refId ?? Buffer.from([192, 0, 2, 1])).copy(packet, 12);
  // Reuse the encoder's timestamp writer through the transmit field of a request.
  const stamp = (time: Date): Buffer => encodeNtpRequest(time).subarray(40, 48);
  if (options.originate) stamp(options.originate).copy(packet, 24);
  stamp(options.receive).copy(packet, 32);
  stamp(options.transmit).copy(packet, 40);
  return packet;
}

describe('encodeNtpRequest', () => {
  it('48 bytes: LI 0, VN 4, mode 3, and only the transmit timestamp', () => {
    const packet = encodeNtpRequest(new Date('2026-01-01T00:00:00.500Z'));
    assert.equal(packet.length, 48);
    assert.equal(packet[0], 0x23); // 00 100 011
    assert.ok(packet.subarray(1, 40).every((byte) => byte === 0));
    // 1767225600 s after 1970 + 2208988800 s from 1900 to 1970 = 3976214400 = 0xed003780; .5 s = 2^31.
    assert.equal(packet.subarray(40).toString('hex'), 'ed00378080000000');
  });

  it('the NTP epoch boundaries: 1970, and 2040 in era 1', () => {
    assert.equal(encodeNtpRequest(new Date(0)).subarray(40).toString('hex'), '83aa7e8000000000');
    // 2040-01-01 is 4417977600 s after 1900, past 2^32: written modulo 2^32.
    assert.equal(
      encodeNtpRequest(new Date('2040-01-01T00:00:00.250Z')).subarray(40).toString('hex'),
      '0754fd0040000000',
    );
  });

  it('refuses an invalid Date', () => {
    assert.throws(() => encodeNtpRequest(new Date(Number.NaN)), RangeError);
  });
});

describe('decodeNtpReply', () => {
  it('round-trips timestamps to the millisecond, across era 0 and era 1', () => {
    const times = [
      '1970-01-01T00:00:00.000Z',
      '2000-02-29T12:34:56.789Z',
      '2026-11-21T04:44:23.085Z',
      '2036-02-07T06:28:15.999Z', // the last second of era 0
      // 06:28:16.000 itself is all zero bits on the wire, which NTP reserves for "no time".
      '2036-02-07T06:28:16.001Z', // era 1
      '2040-01-01T00:00:00.001Z',
      '2100-12-31T23:59:59.999Z',
    ].map((text) => new Date(text));
    for (let ms = 0; ms < 1000; ms++) times.push(new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)));
    for (const time of times) {
      const reply = expectReply(decodeNtpReply(serverReply({ originate: time, receive: time, transmit: time })));
      assert.equal(reply.transmit.toISOString(), time.toISOString());
      assert.equal(reply.receive.toISOString(), time.toISOString());
      assert.equal(reply.originate?.toISOString(), time.toISOString());
    }
  });

  it("decodes chronyd's reply captured in the lab", () => {
    const reply = expectReply(decodeNtpReply(CHRONYD_REPLY));
    assert.deepEqual(reply, {
      kind: 'reply',
      mode: 4,
      stratum: 10,
      leap: 0,
      originate: CHRONYD_T1, // our transmit timestamp, echoed exactly
      receive: new Date('2026-11-21T04:44:23.086Z'),
      transmit: new Date('2026-11-21T04:44:23.086Z'),
      referenceId: '127.127.1.1', // chrony's local reference clock
    });
    const { offsetSeconds, delaySeconds } = clockOffset(CHRONYD_T1, reply, CHRONYD_T4);
    assert.equal(offsetSeconds, 0.001);
    assert.equal(delaySeconds, 0);
  });

  it('a stratum 1 reference id is ASCII, a missing originate is undefined', () => {
    const now = new Date('2026-05-01T00:00:00.000Z');
    const reply = expectReply(
      decodeNtpReply(serverReply({ stratum: 1, refId: Buffer.from('GPS\0', 'latin1'), receive: now, transmit: now })),
    );
    assert.equal(reply.referenceId, 'GPS');
    assert.equal(reply.originate, undefined);
  });

  it("reports a kiss-o'-death with its code", () => {
    const now = new Date('2026-05-01T00:00:00.000Z');
    assert.equal(
      expectMalformed(
        decodeNtpReply(serverReply({ stratum: 0, refId: Buffer.from('RATE', 'latin1'), receive: now, transmit: now })),
      ),
      "kiss-o'-death RATE",
    );
    assert.equal(
      expectMalformed(
        decodeNtpReply(serverReply({ stratum: 0, refId: Buffer.from('DENY', 'latin1'), receive: now, transmit: now })),
      ),
      "kiss-o'-death DENY",
    );
    assert.equal(
      expectMalformed(decodeNtpReply(serverReply({ stratum: 0, refId: Buffer.alloc(4), receive: now, transmit: now }))),
      "kiss-o'-death without a code",
    );
  });

  it('short packets are malformed', () => {
    for (let length = 0; length < 48; length++) {
      assert.equal(
        expectMalformed(decodeNtpReply(CHRONYD_REPLY.subarray(0, length))),
        `${length} bytes, shorter than the 48-byte NTP header`,
      );
    }
    // Extension fields or a MAC after the header are not an error.
    assert.equal(decodeNtpReply(Buffer.concat([CHRONYD_REPLY, Buffer.alloc(20)])).kind, 'reply');
  });

  it('our own mode 3 request echoed back is not a reply', () => {
    assert.equal(expectMalformed(decodeNtpReply(encodeNtpRequest(new Date()))), 'mode 3, not 4 (server)');
    const broadcast = Buffer.from(CHRONYD_REPLY);
    broadcast[0] = 0x25;
    assert.equal(expectMalformed(decodeNtpReply(broadcast)), 'mode 5, not 4 (server)');
  });

  it('zero timestamps, version 0 and reserved strata are malformed', () => {
    const zeroTransmit = Buffer.from(CHRONYD_REPLY).fill(0, 40);
    assert.equal(expectMalformed(decodeNtpReply(zeroTransmit)), 'transmit timestamp is zero');
    const zeroReceive = Buffer.from(CHRONYD_REPLY).fill(0, 32, 40);
    assert.equal(expectMalformed(decodeNtpReply(zeroReceive)), 'receive timestamp is zero');
    const version0 = Buffer.from(CHRONYD_REPLY);
    version0[0] = 0x04;
    assert.equal(expectMalformed(decodeNtpReply(version0)), 'version 0 is not NTP');
    const stratum17 = Buffer.from(CHRONYD_REPLY);
    stratum17[1] = 17;
    assert.equal(expectMalformed(decodeNtpReply(stratum17)), 'stratum 17 is reserved');
  });

  it('reports the leap indicator of an unsynchronized server', () => {
    const unsynchronized = Buffer.from(CHRONYD_REPLY);
    unsynchronized[0] = 0xe4; // LI 3, VN 4, mode 4
    unsynchronized[1] = 16;
    const reply = expectReply(decodeNtpReply(unsynchronized));
    assert.equal(reply.leap, 3);
    assert.equal(reply.stratum, 16);
  });
});

describe('clockOffset', () => {
  const t1 = new Date('2026-05-01T12:00:00.000Z');
  const at = (ms: number): Date => new Date(t1.getTime() + ms);

  it('a server 120 s ahead, 10 ms each way, 5 ms to answer', () => {
    // t2 = t1 + 0.010 + 120, t3 = t2 + 0.005, t4 = t1 + 0.025:
    // offset = ((120.010) + (120.015 - 0.025)) / 2 = 120, delay = 0.025 - 0.005 = 0.020.
    const result = clockOffset(t1, { receive: at(120_010), transmit: at(120_015) }, at(25));
    assert.equal(result.offsetSeconds, 120);
    assert.equal(result.delaySeconds, 0.02);
  });

  it('a server 300 s behind, with an asymmetric path', () => {
    // Out 30 ms, back 10 ms, no processing: offset = ((-299.970) + (-299.970 - 0.040)) / 2 = -299.99,
    // off by half the asymmetry; delay = 0.040.
    const result = clockOffset(t1, { receive: at(-299_970), transmit: at(-299_970) }, at(40));
    assert.equal(result.offsetSeconds, -299.99);
    assert.equal(result.delaySeconds, 0.04);
  });

  it('clocks in step', () => {
    assert.deepEqual(clockOffset(t1, { receive: at(2), transmit: at(3) }, at(5)), {
      offsetSeconds: 0,
      delaySeconds: 0.004,
    });
  });
});

// ---- Bounded fuzzing, seeded so a failure reproduces.

function assertValid(reply: NtpReply, context: string): void {
  if (reply.kind === 'malformed') {
    assert.ok(reply.reason.length > 0, context);
    return;
  }
  assert.equal(reply.kind, 'reply', context);
  assert.equal(reply.mode, 4, context);
  assert.ok(reply.stratum >= 1 && reply.stratum <= 16, context);
  assert.ok(reply.leap >= 0 && reply.leap <= 3, context);
  for (const time of [reply.receive, reply.transmit, ...(reply.originate ? [reply.originate] : [])]) {
    assert.ok(!Number.isNaN(time.getTime()), `${context}: invalid date`);
  }
  assert.equal(typeof reply.referenceId, 'string', context);
}

describe('decodeNtpReply fuzzing (deterministic, bounded)', () => {
  it('3000 random and 3000 mutated packets: never throws, always one of the two shapes', () => {
    const random = mulberry32(0x0123_4567);
    const pick = (n: number): number => Math.floor(random() * n);
    for (let i = 0; i < 3000; i++) {
      const input = Buffer.alloc(pick(80));
      for (let j = 0; j < input.length; j++) input[j] = pick(256);
      assertValid(decodeNtpReply(input), `random ${i}: ${input.toString('hex')}`);
    }
    let replies = 0;
    for (let i = 0; i < 3000; i++) {
      let input = Buffer.from(CHRONYD_REPLY);
      for (let step = 1 + pick(3); step > 0; step--) {
        if (random() < 0.1) input = input.subarray(0, pick(input.length + 1));
        else if (input.length > 0) input[pick(input.length)] = pick(256);
      }
      const reply = decodeNtpReply(input);
      assertValid(reply, `mutation ${i}: ${input.toString('hex')}`);
      if (reply.kind === 'reply') replies++;
    }
    assert.ok(replies > 500, `only ${replies} mutations still decoded`);
  });
});
