// The test LDAP server of ldap-server.ts answers every messageID a client can send: ldapts
// counts them from 1 up to 2^31 - 1, a BER INTEGER of 1 to 4 bytes, and a run against 60k
// trustedDomain objects in pages of 500 passes 127 (the last one-byte ID).

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { Client } from 'ldapts';
import { integer, Malformed, readChildren, readElement, readInteger, tlv } from '../../probes/wire/ber.js';
import { startLdapServer, trustedDomainEntry } from './ldap-server.js';

const BASE_DN = 'DC=tailspin,DC=test';
const SYSTEM = `CN=System,${BASE_DN}`;

/** A SearchRequest as the server reads it: the base DN is all it looks at. */
function searchRequest(id: number, base: string): Buffer {
  return tlv(0x30, integer(id), tlv(0x63, tlv(0x04, Buffer.from(base))));
}

/** The messageID and protocolOp tag of each whole LDAPMessage in `bytes`. */
function messages(bytes: Buffer): { id: number; op: number | undefined }[] {
  const found: { id: number; op: number | undefined }[] = [];
  for (let at = 0; at < bytes.length;) {
    const message = readElement(bytes, at, bytes.length);
    if (message instanceof Malformed) break;
    const fields = readChildren(bytes, message, 'LDAPMessage');
    assert.ok(!(fields instanceof Malformed), fields instanceof Malformed ? fields.reason : '');
    const [idField, op] = fields;
    assert.ok(idField !== undefined);
    const id = readInteger(bytes, idField, 'messageID');
    assert.ok(!(id instanceof Malformed), id instanceof Malformed ? id.reason : '');
    found.push({ id, op: op?.tag });
    at = message.end;
  }
  return found;
}

describe('the test LDAP server', () => {
  it('answers ldapts past messageID 127, plain and paged searches', async () => {
    const ldap = await startLdapServer({
      baseDn: BASE_DN,
      trusts: [trustedDomainEntry(BASE_DN, 1), trustedDomainEntry(BASE_DN, 2), trustedDomainEntry(BASE_DN, 3)],
    });
    const client = new Client({ url: ldap.url, timeout: 5000 });
    try {
      await client.bind('probe@tailspin.test', 'test-password');
      // The bind was message 1; searches 2 to 131 cross from one-byte to two-byte IDs.
      for (let search = 2; search <= 131; search++) {
        const { searchEntries } = await client.search(SYSTEM, { attributes: ['trustPartner'] });
        assert.deepEqual(
          searchEntries.map((entry) => entry['trustPartner']),
          ['partner1.example', 'partner2.example', 'partner3.example'],
          `search with messageID ${search}`,
        );
      }
      const pages: string[][] = [];
      for await (const page of client.searchPaginated(SYSTEM, { paged: { pageSize: 2 } })) {
        pages.push(page.searchEntries.map((entry) => String(entry['trustPartner'])));
      }
      assert.deepEqual(pages, [['partner1.example', 'partner2.example'], ['partner3.example']]);
      assert.equal(ldap.searches.length, 132);
    } finally {
      await client.unbind();
      await ldap.close();
    }
  });

  it('answers each request with its own messageID, from one to four bytes', async () => {
    const ldap = await startLdapServer({ baseDn: BASE_DN, trusts: [trustedDomainEntry(BASE_DN, 1)] });
    const socket = connect(ldap.port, '127.0.0.1');
    try {
      await once(socket, 'connect');
      const ids = [127, 128, 255, 256, 32_767, 32_768, 8_388_608, 2 ** 31 - 1];
      socket.write(Buffer.concat(ids.map((id) => searchRequest(id, SYSTEM))));
      let received = Buffer.alloc(0);
      // Each search is answered with one SearchResultEntry (0x64) and one SearchResultDone (0x65).
      while (messages(received).length < 2 * ids.length) {
        const [chunk] = (await once(socket, 'data')) as [Buffer];
        received = Buffer.concat([received, chunk]);
      }
      assert.deepEqual(
        messages(received),
        ids.flatMap((id) => [
          { id, op: 0x64 },
          { id, op: 0x65 },
        ]),
      );
    } finally {
      socket.destroy();
      await ldap.close();
    }
  });
});
