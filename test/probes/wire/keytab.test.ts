// Keytabs as MIT Kerberos writes them: test/fixtures/keytab/canary.keytab was written by MIT's
// ktutil (addent -password for canary@TAILSPIN.TEST, the lab's password, kvno 3, three etypes),
// so its keys are MIT's string-to-key, against which ours is checked here too.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Malformed } from '../../../probes/wire/ber.js';
import { keyFromBytes, stringToKey, type EncType } from '../../../probes/wire/kerberos-crypto.js';
import { parseKeytab } from '../../../probes/wire/keytab.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const MIT = readFileSync(join(ROOT, 'test', 'fixtures', 'keytab', 'canary.keytab'));

describe('parseKeytab', () => {
  it("reads MIT ktutil's keytab: principal, kvno, etypes, and keys equal to our string-to-key of the password", () => {
    const entries = parseKeytab(MIT);
    assert.ok(!(entries instanceof Malformed), entries instanceof Malformed ? entries.reason : '');
    assert.deepEqual(
      entries.map(({ realm, components, nameType, kvno, etype, key }) => ({
        realm,
        components,
        nameType,
        kvno,
        etype,
        length: key.length,
      })),
      [18, 17, 23].map((etype) => ({
        realm: 'TAILSPIN.TEST',
        components: ['canary'],
        nameType: 1,
        kvno: 3,
        etype,
        length: etype === 18 ? 32 : 16,
      })),
    );
    for (const entry of entries) {
      const ours = stringToKey(entry.etype as EncType, 'Lab-Pass-2026!', 'TAILSPIN.TESTcanary');
      const mits = keyFromBytes(entry.etype as EncType, entry.key);
      assert.ok(!(ours instanceof Malformed) && !(mits instanceof Malformed));
      assert.ok(ours.equals(mits), `etype ${entry.etype}: our string-to-key differs from MIT's`);
    }
  });

  it('skips holes (deleted entries), and a 32-bit key version wins over the 8-bit one', () => {
    const first = MIT.subarray(2, 2 + 4 + MIT.readInt32BE(2));
    const hole = Buffer.alloc(4 + 10);
    hole.writeInt32BE(-10, 0);
    const entries = parseKeytab(Buffer.concat([Buffer.of(5, 2), hole, first]));
    assert.ok(!(entries instanceof Malformed));
    assert.equal(entries.length, 1);
    assert.equal(entries[0]?.kvno, 3);
  });

  it('a file that is not a keytab, an old version, or cut anywhere: Malformed, never a throw', () => {
    assert.match((parseKeytab(Buffer.from('Lab-Pass-2026!')) as Malformed).reason, /not a keytab/);
    assert.match((parseKeytab(Buffer.of(5, 1, 0, 0)) as Malformed).reason, /version 0x0501/);
    for (let length = 3; length < MIT.length; length++) {
      const cut = parseKeytab(MIT.subarray(0, length));
      if (!(cut instanceof Malformed)) assert.ok(cut.length < 3, `a cut at ${length} read as whole`);
    }
    const lying = Buffer.from(MIT);
    lying.writeInt32BE(0x7fffffff, 2);
    assert.match((parseKeytab(lying) as Malformed).reason, /announces \d+ bytes/);
  });
});
