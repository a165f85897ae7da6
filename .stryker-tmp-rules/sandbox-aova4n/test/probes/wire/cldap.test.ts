// @ts-nocheck
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32 } from '../../support/random.js';
import {
  decodeLdapPingReply,
  dsFlagNames,
  encodeLdapPing,
  parseNetlogonSamLogonResponseEx,
  type LdapPingReply,
  type NetlogonResponse,
} from '../../../probes/wire/cldap.js';

// ---- Replies captured from the lab's Samba 4.17 DCs (test/lab), sent from adtl-client to UDP 389
// with encodeLdapPing. Each datagram holds the SearchResultEntry and the SearchResultDone.

/** dca (198.51.100.10) asked for its own domain tailspin.test, NtVer 6, messageID 100. */
const DCA_OWN = Buffer.from(
  '307b020164647604003072307004086e65746c6f676f6e3164046217000000fd13000088689766a8dfad4697547a643b0bcc2c087461696c7370696e047465737400c01803646361c018085441494c5350494e000344434100001744656661756c742d46697273742d536974652d4e616d6500c03f05000000ffffffff300c02016465070a010004000400',
  'hex',
);
/** dcb (198.51.100.20) asked for wingtip.test, NtVer 6, messageID 104. */
const DCB_OWN = Buffer.from(
  '3079020168647404003070306e04086e65746c6f676f6e3162046017000000fd1300002fe6e9b11b4def4daf964ebda709d04e0777696e67746970047465737400c01803646362c0180757494e47544950000344434200001744656661756c742d46697273742d536974652d4e616d6500c03d05000000ffffffff300c02016865070a010004000400',
  'hex',
);
/** dcc (198.51.100.30) asked for fabrikam.test, NtVer 6, messageID 108. */
const DCC_OWN = Buffer.from(
  '307b02016c647604003072307004086e65746c6f676f6e3164046217000000fd130000eae0299e878b6b4d9a10c758cd7e3ed30866616272696b616d047465737400c01803646363c0180846414252494b414d000344434300001744656661756c742d46697273742d536974652d4e616d6500c03f05000000ffffffff300c02016c65070a010004000400',
  'hex',
);
/** dca asked for the partner domain wingtip.test, messageID 101: only a SearchResultDone, success. */
const DCA_PARTNER = Buffer.from('300c02016565070a010004000400', 'hex');
/**
 * dca asked for tailspin.test with NtVer 0xe (V5 | V5EX | V5EX_WITH_IP), messageID 0x1235: the
 * names are followed by DcSockAddrSize 0x10 and a sockaddr_in for 198.51.100.10, then NtVersion 13.
 */
const DCA_WITH_IP = Buffer.from(
  '30819002021235648189040030818430818104086e65746c6f676f6e3175047317000000fd13000088689766a8dfad4697547a643b0bcc2c087461696c7370696e047465737400c01803646361c018085441494c5350494e000344434100001744656661756c742d46697273742d536974652d4e616d6500c03f1002000000c633640a00000000000000000d000000ffffffff300d0202123565070a010004000400',
  'hex',
);
/** dca asked for tailspin.test with NtVer 2 (V5 alone), messageID 0x1237: opcode 19, the older layout. */
const DCA_NT_V5 = Buffer.from(
  '30818302021237647d04003079307704086e65746c6f676f6e316b046913005c005c00440043004100000000005400410049004c005300500049004e00000088689766a8dfad4697547a643b0bcc2c00000000000000000000000000000000087461696c7370696e047465737400c04203646361c0420a6433c6fd13000003000000ffffffff300d0202123765070a010004000400',
  'hex',
);

/** Samba's flags for a writable PDC that is also a GC: 0x13fd. */
const SAMBA_DC_FLAGS = [
  'DS_PDC_FLAG',
  'DS_GC_FLAG',
  'DS_LDAP_FLAG',
  'DS_DS_FLAG',
  'DS_KDC_FLAG',
  'DS_TIMESERV_FLAG',
  'DS_CLOSEST_FLAG',
  'DS_WRITABLE_FLAG',
  'DS_GOOD_TIMESERV_FLAG',
  'DS_FULL_SECRET_DOMAIN_6_FLAG',
];

const SITE = 'Default-First-Site-Name';

// ---- A small BER reader of the test's own, to read encodeLdapPing's output back independently.

interface Tlv {
  tag: number;
  content: Buffer;
  /** Offset just past this element in the buffer it was read from. */
  next: number;
}

function readTlv(buffer: Buffer, offset: number): Tlv {
  const tag = buffer.readUInt8(offset);
  let length = buffer.readUInt8(offset + 1);
  let start = offset + 2;
  if (length >= 0x80) {
    const count = length & 0x7f;
    length = buffer.readUIntBE(offset + 2, count);
    start += count;
  }
  assert.ok(start + length <= buffer.length, `element at ${offset} overruns its container`);
  return { tag, content: buffer.subarray(start, start + length), next: start + length };
}

function children(content: Buffer): Tlv[] {
  const result: Tlv[] = [];
  for (let offset = 0; offset < content.length;) {
    const element = readTlv(content, offset);
    result.push(element);
    offset = element.next;
  }
  return result;
}

function only<T>(items: T[], index: number): T {
  const item = items[index];
  assert.ok(item !== undefined, `no element ${index}`);
  return item;
}

/** The Netlogon value inside a captured datagram (first message, entry, attribute, value). */
function netlogonBlob(datagram: Buffer): Buffer {
  const message = readTlv(datagram, 0);
  const entry = only(children(message.content), 1);
  const attributes = only(children(entry.content), 1);
  const attribute = only(children(attributes.content), 0);
  const values = only(children(attribute.content), 1);
  return only(children(values.content), 0).content;
}

// ---- Builders for hand-made replies.

function ber(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const length =
    body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

function octets(value: string | Buffer): Buffer {
  return ber(0x04, typeof value === 'string' ? Buffer.from(value, 'utf8') : value);
}

function entryMessage(messageId: number, attributeType: string, values: Buffer[]): Buffer {
  const attribute = ber(0x30, octets(attributeType), ber(0x31, ...values.map((value) => octets(value))));
  return ber(0x30, ber(0x02, Buffer.from([messageId])), ber(0x64, octets(''), ber(0x30, attribute)));
}

function doneMessage(messageId: number, resultCode: number): Buffer {
  return ber(
    0x30,
    ber(0x02, Buffer.from([messageId])),
    ber(0x65, ber(0x0a, Buffer.from([resultCode])), octets(''), octets('')),
  );
}

function header(opcode: number, flags: number): Buffer {
  const fixed = Buffer.alloc(24);
  fixed.writeUInt16LE(opcode, 0);
  fixed.writeUInt32LE(flags >>> 0, 4);
  for (let i = 0; i < 16; i++) fixed[8 + i] = i; // GUID bytes 00 01 .. 0f
  return fixed;
}

function labels(...parts: string[]): Buffer {
  return Buffer.concat(
    parts.map((part) => {
      const text = Buffer.from(part, 'utf8');
      return Buffer.concat([Buffer.from([text.length]), text]);
    }),
  );
}

const END = Buffer.from([0]);

function pointer(offset: number): Buffer {
  return Buffer.from([0xc0 | (offset >> 8), offset & 0xff]);
}

function trailer(ntVersion: number): Buffer {
  const bytes = Buffer.alloc(8, 0xff);
  bytes.writeUInt32LE(ntVersion, 0);
  return bytes;
}

/** A header and eight empty names, with `forest` in place of the first. */
function withForest(forest: Buffer): Buffer {
  return Buffer.concat([header(23, 0), forest, Buffer.alloc(7), trailer(5)]);
}

function expectNetlogon(reply: LdapPingReply): NetlogonResponse {
  assert.equal(reply.kind, 'netlogon', JSON.stringify(reply));
  return reply.response;
}

function expectError(result: NetlogonResponse | { error: string }): string {
  assert.ok('error' in result, `parsed: ${JSON.stringify(result)}`);
  return result.error;
}

describe('encodeLdapPing', () => {
  it('writes the BER of RFC 4511 byte by byte', () => {
    // Derived by hand from RFC 4511 4.1.1 / 4.5.1 and X.690 (definite, short-form lengths).
    const expected = Buffer.concat([
      Buffer.from([0x30, 0x50]), // LDAPMessage SEQUENCE, 80 bytes
      Buffer.from([0x02, 0x02, 0x12, 0x38]), // messageID 0x1238
      Buffer.from([0x63, 0x4a]), // searchRequest [APPLICATION 3], 74 bytes
      Buffer.from([0x04, 0x00]), // baseObject ""
      Buffer.from([0x0a, 0x01, 0x00]), // scope baseObject
      Buffer.from([0x0a, 0x01, 0x00]), // derefAliases neverDerefAliases
      Buffer.from([0x02, 0x01, 0x00]), // sizeLimit 0
      Buffer.from([0x02, 0x01, 0x00]), // timeLimit 0
      Buffer.from([0x01, 0x01, 0x00]), // typesOnly FALSE
      Buffer.from([0xa0, 0x2b]), // filter and [0], 43 bytes
      Buffer.from([0xa3, 0x1a]), // equalityMatch [3], 26 bytes
      Buffer.from([0x04, 0x09]),
      Buffer.from('DnsDomain', 'latin1'),
      Buffer.from([0x04, 0x0d]),
      Buffer.from('tailspin.test', 'latin1'),
      Buffer.from([0xa3, 0x0d]), // equalityMatch [3], 13 bytes
      Buffer.from([0x04, 0x05]),
      Buffer.from('NtVer', 'latin1'),
      Buffer.from([0x04, 0x04, 0x06, 0x00, 0x00, 0x00]), // NtVer 6, little-endian
      Buffer.from([0x30, 0x0a]), // attributes SEQUENCE, 10 bytes
      Buffer.from([0x04, 0x08]),
      Buffer.from('Netlogon', 'latin1'),
    ]);
    assert.equal(encodeLdapPing(0x1238, 'tailspin.test').toString('hex'), expected.toString('hex'));
    // dca answered exactly this request (NtVer 6, messageID 0x1238) in the lab, like DCA_OWN.
    assert.equal(expected.length, 82);
  });

  it('encodes message ids minimally, with a leading zero where the top bit is set', () => {
    const idOf = (id: number): string =>
      readTlv(readTlv(encodeLdapPing(id, 'x.test'), 0).content, 0).content.toString('hex');
    assert.equal(idOf(0), '00');
    assert.equal(idOf(0x7f), '7f');
    assert.equal(idOf(0x80), '0080');
    assert.equal(idOf(0xffff), '00ffff');
    assert.equal(idOf(0x7fffffff), '7fffffff');
  });

  it('reads back with long-form lengths for a long domain and a custom NtVer', () => {
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(60)}.test`;
    const request = encodeLdapPing(5, domain, 0x16);
    const message = readTlv(request, 0);
    assert.equal(message.next, request.length, 'one message, nothing after it');
    assert.equal(request[1], 0x82, 'the message length needs the two-octet long form');
    const parts = children(message.content);
    assert.equal(only(parts, 0).tag, 0x02);
    const search = only(parts, 1);
    assert.equal(search.tag, 0x63);
    const fields = children(search.content);
    assert.deepEqual(
      fields.map((field) => field.tag),
      [0x04, 0x0a, 0x0a, 0x02, 0x02, 0x01, 0xa0, 0x30],
    );
    const filter = only(fields, 6);
    const [dnsDomain, ntVer] = children(filter.content).map((match) =>
      children(match.content).map((part) => part.content.toString('latin1')),
    );
    assert.deepEqual(dnsDomain, ['DnsDomain', domain]);
    assert.deepEqual(ntVer, ['NtVer', '\x16\x00\x00\x00']);
    assert.deepEqual(
      children(only(fields, 7).content).map((attribute) => attribute.content.toString('utf8')),
      ['Netlogon'],
    );
  });

  it('refuses ids and NtVer values that do not fit the wire', () => {
    assert.throws(() => encodeLdapPing(-1, 'x.test'), RangeError);
    assert.throws(() => encodeLdapPing(2 ** 31, 'x.test'), RangeError);
    assert.throws(() => encodeLdapPing(1.5, 'x.test'), RangeError);
    assert.throws(() => encodeLdapPing(1, 'x.test', 2 ** 32), RangeError);
  });
});

describe('decodeLdapPingReply on Samba 4.17 replies from the lab', () => {
  it('dca for tailspin.test', () => {
    const response = expectNetlogon(decodeLdapPingReply(DCA_OWN, 100));
    assert.deepEqual(response, {
      opcode: 23,
      flags: 0x13fd,
      flagNames: SAMBA_DC_FLAGS,
      domainGuid: '66976888-dfa8-46ad-9754-7a643b0bcc2c',
      forest: 'tailspin.test',
      domain: 'tailspin.test',
      hostName: 'dca.tailspin.test',
      netbiosDomain: 'TAILSPIN',
      netbiosComputer: 'DCA',
      userName: '',
      dcSite: SITE,
      clientSite: SITE,
      ntVersion: 5,
    });
  });

  it('dcb for wingtip.test and dcc for fabrikam.test', () => {
    const dcb = expectNetlogon(decodeLdapPingReply(DCB_OWN, 104));
    assert.equal(dcb.domainGuid, 'b1e9e62f-4d1b-4def-af96-4ebda709d04e');
    assert.deepEqual(
      [dcb.forest, dcb.domain, dcb.hostName, dcb.netbiosDomain, dcb.netbiosComputer],
      ['wingtip.test', 'wingtip.test', 'dcb.wingtip.test', 'WINGTIP', 'DCB'],
    );
    assert.deepEqual([dcb.dcSite, dcb.clientSite, dcb.flags], [SITE, SITE, 0x13fd]);
    const dcc = expectNetlogon(decodeLdapPingReply(DCC_OWN, 108));
    assert.equal(dcc.domainGuid, '9e29e0ea-8b87-4d6b-9a10-c758cd7e3ed3');
    assert.deepEqual(
      [dcc.forest, dcc.domain, dcc.hostName, dcc.netbiosDomain, dcc.netbiosComputer],
      ['fabrikam.test', 'fabrikam.test', 'dcc.fabrikam.test', 'FABRIKAM', 'DCC'],
    );
    assert.deepEqual(dcc.flagNames, SAMBA_DC_FLAGS);
  });

  it('a partner domain: Samba sends only a successful SearchResultDone', () => {
    assert.deepEqual(decodeLdapPingReply(DCA_PARTNER, 101), { kind: 'no-netlogon', resultCode: 0 });
  });

  it('skips the DcSockAddr that NETLOGON_NT_VERSION_5EX_WITH_IP adds', () => {
    const response = expectNetlogon(decodeLdapPingReply(DCA_WITH_IP, 0x1235));
    assert.equal(response.ntVersion, 13);
    assert.equal(response.clientSite, SITE);
    assert.equal(response.hostName, 'dca.tailspin.test');
  });

  it('refuses the pre-_EX layout (opcode 19) instead of misreading it', () => {
    assert.deepEqual(decodeLdapPingReply(DCA_NT_V5, 0x1237), {
      kind: 'malformed',
      reason: 'Netlogon value: opcode 19 is not an _EX response (23, 24 or 25)',
    });
  });

  it('refuses a reply to another message id', () => {
    assert.deepEqual(decodeLdapPingReply(DCA_OWN, 101), {
      kind: 'malformed',
      reason: 'LDAPMessage 1 has messageID 100, not 101',
    });
  });
});

describe('decodeLdapPingReply on hand-made envelopes', () => {
  const blob = netlogonBlob(DCA_OWN);

  it('an entry without a SearchResultDone in the same datagram', () => {
    assert.equal(
      expectNetlogon(decodeLdapPingReply(entryMessage(7, 'Netlogon', [blob]), 7)).hostName,
      'dca.tailspin.test',
    );
  });

  it('matches the attribute name case-insensitively', () => {
    assert.equal(decodeLdapPingReply(entryMessage(7, 'NETLOGON', [blob]), 7).kind, 'netlogon');
  });

  it('a failed search: the result code', () => {
    assert.deepEqual(decodeLdapPingReply(doneMessage(9, 1), 9), { kind: 'no-netlogon', resultCode: 1 });
    const other = Buffer.concat([entryMessage(9, 'dnsHostName', [Buffer.from('dca')]), doneMessage(9, 0)]);
    assert.deepEqual(decodeLdapPingReply(other, 9), { kind: 'no-netlogon', resultCode: 0 });
  });

  it('malformed envelopes', () => {
    const reason = (bytes: Buffer, id = 7): string => {
      const reply = decodeLdapPingReply(bytes, id);
      assert.equal(reply.kind, 'malformed');
      return reply.reason;
    };
    assert.equal(reason(Buffer.alloc(0)), 'empty datagram');
    assert.equal(
      reason(entryMessage(7, 'dnsHostName', [Buffer.from('dca')])),
      'a SearchResultEntry without Netlogon and no SearchResultDone',
    );
    assert.equal(reason(entryMessage(7, 'Netlogon', [blob, blob])), 'Netlogon has 2 values, expected one');
    assert.equal(
      reason(Buffer.concat([entryMessage(7, 'Netlogon', [blob]), entryMessage(7, 'Netlogon', [blob])])),
      'more than one SearchResultEntry for a base-object search',
    );
    assert.equal(reason(Buffer.concat([doneMessage(7, 0), doneMessage(7, 0)])), 'more than one SearchResultDone');
    assert.match(reason(Buffer.from('3080020107650700', 'hex')), /indefinite length/);
    assert.match(reason(Buffer.from('30850000000003', 'hex')), /5-octet length field/);
    assert.match(reason(Buffer.from('300502017f', 'hex')), /claims 5 bytes but 3 remain/);
    // An ExtendedResponse (notice of disconnection) is not an answer to the ping.
    assert.match(
      reason(ber(0x30, ber(0x02, Buffer.from([7])), ber(0x78, ber(0x0a, Buffer.from([2])), octets(''), octets('')))),
      /protocolOp tag 0x78/,
    );
    assert.match(
      reason(Buffer.concat([DCA_PARTNER, Buffer.from([0x00, 0x00])]), 101),
      /LDAPMessage 2 has tag 0x0, expected 0x30/,
    );
    assert.match(
      reason(ber(0x30, ber(0x02, Buffer.from([0xff])), ber(0x65, ber(0x0a, Buffer.from([0])), octets(''), octets('')))),
      /negative/,
    );
  });
});

describe('parseNetlogonSamLogonResponseEx on hand-made structures', () => {
  it('follows compression pointers, including chains and pointers into a name', () => {
    const parts: Buffer[] = [header(25, 0x80000000 | 0x40000000 | 0x20000000 | 0x20000 | 0x2 | 0x1)];
    const at = (): number => parts.reduce((sum, part) => sum + part.length, 0);
    const forest = at(); // 24
    parts.push(labels('corp', 'example'), END);
    const example = forest + 5; // the "example" label inside the forest name
    const domain = at();
    parts.push(labels('emea'), pointer(forest));
    const host = at();
    parts.push(labels('dc1'), pointer(domain));
    parts.push(labels('EMEA'), END); // NetBIOS domain
    parts.push(labels('DC1'), END); // NetBIOS computer
    parts.push(pointer(example)); // user: a pointer into the middle of the forest name
    parts.push(labels('Zürich'), END); // DC site, UTF-8
    parts.push(pointer(host)); // client site: three pointers deep
    parts.push(trailer(5), Buffer.from('tolerated trailing bytes'));
    const response = parseNetlogonSamLogonResponseEx(Buffer.concat(parts));
    assert.deepEqual(response, {
      opcode: 25,
      flags: 0xe0020003,
      flagNames: [
        'DS_PDC_FLAG',
        '0x2',
        'DS_KEY_LIST_FLAG',
        'DS_DNS_CONTROLLER_FLAG',
        'DS_DNS_DOMAIN_FLAG',
        'DS_DNS_FOREST_FLAG',
      ],
      domainGuid: '03020100-0504-0706-0809-0a0b0c0d0e0f',
      forest: 'corp.example',
      domain: 'emea.corp.example',
      hostName: 'dc1.emea.corp.example',
      netbiosDomain: 'EMEA',
      netbiosComputer: 'DC1',
      userName: 'example',
      dcSite: 'Zürich',
      clientSite: 'dc1.emea.corp.example',
      ntVersion: 5,
    });
  });

  it('finds NtVersion after a NextClosestSiteName', () => {
    const bytes = Buffer.concat([
      header(23, 0),
      Buffer.alloc(6),
      labels('Site'),
      END,
      END,
      labels('Other'),
      END,
      trailer(0x15),
    ]);
    const response = parseNetlogonSamLogonResponseEx(bytes);
    assert.ok(!('error' in response));
    assert.equal(response.dcSite, 'Site');
    assert.equal(response.ntVersion, 0x15);
  });

  it('a pointer loop is an error, not a hang', () => {
    assert.match(expectError(parseNetlogonSamLogonResponseEx(withForest(pointer(24)))), /^forest .*pointer loop/);
    assert.match(
      expectError(parseNetlogonSamLogonResponseEx(withForest(Buffer.concat([pointer(26), pointer(24)])))),
      /pointer loop/,
    );
    // A loop that adds a label on every turn stops at a bound too.
    assert.match(
      expectError(parseNetlogonSamLogonResponseEx(withForest(Buffer.concat([labels('a'), pointer(24)])))),
      /pointer loop|longer than 255/,
    );
  });

  it('a pointer past the end is an error', () => {
    const bytes = withForest(pointer(0x3fff));
    assert.equal(
      expectError(parseNetlogonSamLogonResponseEx(bytes)),
      `forest pointer at offset 24 points to 16383, past the end (${bytes.length})`,
    );
    assert.match(
      expectError(parseNetlogonSamLogonResponseEx(Buffer.concat([header(23, 0), Buffer.from([0xc0])]))),
      /pointer at offset 24 is cut off/,
    );
  });

  it('other bad names are errors', () => {
    assert.match(
      expectError(parseNetlogonSamLogonResponseEx(withForest(Buffer.from([0x40, 0])))),
      /label type 0x40 at offset 24 is reserved/,
    );
    assert.match(
      expectError(parseNetlogonSamLogonResponseEx(Buffer.concat([header(23, 0), Buffer.from([0x3f, 0x61])]))),
      /label at offset 24 claims 63 bytes past the end/,
    );
    const long = Buffer.concat(Array.from({ length: 5 }, () => labels('x'.repeat(60))));
    assert.match(
      expectError(parseNetlogonSamLogonResponseEx(withForest(Buffer.concat([long, END])))),
      /longer than 255 octets/,
    );
  });

  it('a short header, another opcode, a missing trailer or a cut DcSockAddr are errors', () => {
    assert.equal(
      expectError(parseNetlogonSamLogonResponseEx(Buffer.alloc(23))),
      '23 bytes, shorter than the 24-byte header',
    );
    assert.equal(
      expectError(parseNetlogonSamLogonResponseEx(withForest(END).fill(0, 0, 2))),
      'opcode 0 is not an _EX response (23, 24 or 25)',
    );
    assert.equal(
      expectError(parseNetlogonSamLogonResponseEx(Buffer.concat([header(23, 0), Buffer.alloc(8), Buffer.alloc(7)]))),
      '7 bytes after the names; NtVersion, LmNtToken and Lm20Token need 8',
    );
    assert.match(
      expectError(
        parseNetlogonSamLogonResponseEx(
          Buffer.concat([header(23, 0), Buffer.alloc(8), Buffer.from([0x10]), Buffer.alloc(20)]),
        ),
      ),
      /DcSockAddr/,
    );
  });

  it('names unknown DS flag bits in hex', () => {
    assert.deepEqual(dsFlagNames(0), []);
    assert.deepEqual(dsFlagNames(0x13fd), SAMBA_DC_FLAGS);
    assert.deepEqual(dsFlagNames(0x10040002), ['0x2', '0x40000', '0x10000000']);
  });
});

const VECTORS: readonly (readonly [string, Buffer, number])[] = [
  ['dca', DCA_OWN, 100],
  ['dcb', DCB_OWN, 104],
  ['dcc', DCC_OWN, 108],
  ['dca partner', DCA_PARTNER, 101],
  ['dca with ip', DCA_WITH_IP, 0x1235],
  ['dca nt v5', DCA_NT_V5, 0x1237],
];

describe('truncated replies', () => {
  it('every prefix of every vector is malformed, except a whole first message', () => {
    for (const [label, vector, id] of VECTORS) {
      // Cut right after the SearchResultEntry, the prefix is itself a complete reply: the
      // Done may come in a datagram of its own, so that one prefix must still decode.
      const firstMessageEnd = readTlv(vector, 0).next;
      for (let length = 0; length < vector.length; length++) {
        const reply = decodeLdapPingReply(vector.subarray(0, length), id);
        if (length === firstMessageEnd && label !== 'dca partner') {
          assert.equal(reply.kind, label === 'dca nt v5' ? 'malformed' : 'netlogon', `${label}: the entry alone`);
        } else {
          assert.equal(reply.kind, 'malformed', `${label}: prefix of ${length} bytes gave ${JSON.stringify(reply)}`);
        }
      }
    }
  });

  it('every prefix of a Netlogon value is an error', () => {
    for (const [label, vector] of VECTORS.filter(([name]) => name !== 'dca partner' && name !== 'dca nt v5')) {
      const blob = netlogonBlob(vector);
      assert.ok(!('error' in parseNetlogonSamLogonResponseEx(blob)), label);
      for (let length = 0; length < blob.length; length++) {
        expectError(parseNetlogonSamLogonResponseEx(blob.subarray(0, length)));
      }
    }
  });
});

// ---- Bounded fuzzing, seeded so a failure reproduces.

function randomBuffer(random: () => number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** Byte-level damage: flips, replaced bytes, BER-ish length octets, cuts, insertions, deletions. */
function mutate(random: () => number, source: Buffer): Buffer {
  let bytes = Buffer.from(source);
  const pick = (n: number): number => Math.floor(random() * n);
  const steps = 1 + pick(4);
  for (let step = 0; step < steps; step++) {
    switch (pick(6)) {
      case 0:
        if (bytes.length > 0) {
          const at = pick(bytes.length);
          bytes[at] = (bytes[at] ?? 0) ^ (1 << pick(8));
        }
        break;
      case 1:
        if (bytes.length > 0)
          bytes[pick(bytes.length)] = [0x00, 0x7f, 0x80, 0x81, 0x84, 0x85, 0xc0, 0xff][pick(8)] ?? 0;
        break;
      case 2:
        bytes = bytes.subarray(0, pick(bytes.length + 1));
        break;
      case 3: {
        const at = pick(bytes.length + 1);
        bytes = Buffer.concat([bytes.subarray(0, at), randomBuffer(random, 1 + pick(16)), bytes.subarray(at)]);
        break;
      }
      case 4: {
        const at = pick(bytes.length + 1);
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + pick(8))]);
        break;
      }
      default: // a compression pointer anywhere
        if (bytes.length >= 2) pointer(pick(0x4000)).copy(bytes, pick(bytes.length - 1));
    }
  }
  return bytes;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function assertValidResponse(response: NetlogonResponse, input: Uint8Array, context: string): void {
  assert.ok([23, 24, 25].includes(response.opcode), context);
  assert.ok(Number.isInteger(response.flags) && response.flags >= 0 && response.flags <= 0xffffffff, context);
  assert.deepEqual(response.flagNames, dsFlagNames(response.flags), context);
  assert.match(response.domainGuid, GUID, context);
  for (const name of [
    response.forest,
    response.domain,
    response.hostName,
    response.netbiosDomain,
    response.netbiosComputer,
    response.userName,
    response.dcSite,
    response.clientSite,
  ]) {
    assert.equal(typeof name, 'string', context);
    assert.ok(Buffer.byteLength(name) <= 255, `${context}: a name longer than the bound`);
  }
  assert.ok(
    Number.isInteger(response.ntVersion) && response.ntVersion >= 0 && response.ntVersion <= 0xffffffff,
    context,
  );
  assert.ok(input.length >= 24 + 8 + 8, `${context}: a response from too few bytes`);
}

function assertValidReply(reply: LdapPingReply, input: Uint8Array, context: string): void {
  switch (reply.kind) {
    case 'netlogon':
      assertValidResponse(reply.response, input, context);
      break;
    case 'no-netlogon':
      assert.ok(Number.isInteger(reply.resultCode) && reply.resultCode >= 0, context);
      break;
    case 'malformed':
      assert.ok(typeof reply.reason === 'string' && reply.reason.length > 0, context);
      break;
    default:
      assert.fail(`${context}: unknown kind ${JSON.stringify(reply)}`);
  }
}

describe('fuzzing (deterministic, bounded)', () => {
  it('decodeLdapPingReply: 3000 random and 3000 mutated datagrams', () => {
    const random = mulberry32(0xc1da_9001);
    for (let i = 0; i < 3000; i++) {
      const input = randomBuffer(random, Math.floor(random() * 200));
      // Half start like an LDAPMessage, so the parser gets past the first tag.
      if (input.length >= 2 && random() < 0.5) input[0] = 0x30;
      assertValidReply(decodeLdapPingReply(input, 100), input, `random ${i}: ${input.toString('hex')}`);
    }
    const kinds = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const [label, vector, id] = VECTORS[i % VECTORS.length] ?? ['dca', DCA_OWN, 100];
      const input = mutate(random, vector);
      const reply = decodeLdapPingReply(input, id);
      assertValidReply(reply, input, `mutation ${i} of ${label}: ${input.toString('hex')}`);
      kinds.set(reply.kind, (kinds.get(reply.kind) ?? 0) + 1);
    }
    // Enough mutations must survive the envelope for the Netlogon parser to be exercised.
    assert.ok((kinds.get('netlogon') ?? 0) > 100, JSON.stringify([...kinds]));
  });

  it('parseNetlogonSamLogonResponseEx: 3000 random and 3000 mutated values', () => {
    const random = mulberry32(0x5a3b_a0e1);
    const blobs = VECTORS.filter(([name]) => name !== 'dca partner').map(([, vector]) => netlogonBlob(vector));
    const check = (input: Buffer, context: string): boolean => {
      const result = parseNetlogonSamLogonResponseEx(input);
      if ('error' in result) {
        assert.ok(result.error.length > 0, context);
        return false;
      }
      assertValidResponse(result, input, context);
      return true;
    };
    for (let i = 0; i < 3000; i++) {
      const input = randomBuffer(random, Math.floor(random() * 200));
      if (input.length >= 2 && random() < 0.5) input.writeUInt16LE(23, 0);
      check(input, `random ${i}: ${input.toString('hex')}`);
    }
    let parsed = 0;
    for (let i = 0; i < 3000; i++) {
      const input = mutate(random, blobs[i % blobs.length] ?? Buffer.alloc(0));
      if (check(input, `mutation ${i}: ${input.toString('hex')}`)) parsed++;
    }
    assert.ok(parsed > 100, `only ${parsed} mutations parsed`);
  });
});
