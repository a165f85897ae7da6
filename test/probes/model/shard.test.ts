import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ownsDc, parseShard, shardFamilies, shardOf } from '../../../probes/model/shard.js';

const hosts = Array.from({ length: 5000 }, (_, index) => `dc${index}.wingtip.test`);

describe('--shard K/N', () => {
  it('takes K/N with 1 <= K <= N, and hostname/N from a StatefulSet pod name', () => {
    assert.deepEqual(parseShard('2/5', 'any'), { ok: true, shard: { index: 2, count: 5 } });
    assert.deepEqual(parseShard('1/1', 'any'), { ok: true, shard: { index: 1, count: 1 } });
    assert.deepEqual(parseShard('hostname/10', 'adtrust-agent-0'), { ok: true, shard: { index: 1, count: 10 } });
    assert.deepEqual(parseShard('hostname/10', 'adtrust-agent-9'), { ok: true, shard: { index: 10, count: 10 } });
  });

  it('refuses the rest with a message that names the flag and what is wrong', () => {
    const problem = (text: string, host = 'agent'): string => {
      const parsed = parseShard(text, host);
      if (parsed.ok) assert.fail(`${text} was taken as shard ${parsed.shard.index}/${parsed.shard.count}`);
      return parsed.problem;
    };
    assert.equal(problem('0/5'), '--shard 0/5: K must be from 1 to 5 (shards are numbered from 1)');
    assert.equal(problem('6/5'), '--shard 6/5: K must be from 1 to 5 (shards are numbered from 1)');
    assert.equal(problem('x/y'), '--shard must be K/N, such as 2/5, or hostname/N (got "x/y")');
    assert.equal(problem('2'), '--shard must be K/N, such as 2/5, or hostname/N (got "2")');
    assert.equal(problem('1/0'), '--shard 1/0: N must be at least 1');
    assert.equal(
      problem('hostname/3', 'probe-host'),
      '--shard hostname/3: the host name "probe-host" does not end in -<ordinal>, as a StatefulSet\'s pods do',
    );
    assert.equal(
      problem('hostname/3', 'adtrust-agent-3'),
      '--shard hostname/3: the host name "adtrust-agent-3" is ordinal 3, beyond 3 shards (0 to 2)',
    );
  });
});

describe('rendezvous hashing of DCs', () => {
  it('gives every DC to exactly one shard, and the shards about equal shares', () => {
    for (const count of [2, 5, 10]) {
      const sizes = Array.from(
        { length: count },
        (_, index) => hosts.filter((host) => ownsDc({ index: index + 1, count }, 'wingtip.test', host)).length,
      );
      assert.equal(
        sizes.reduce((sum, size) => sum + size, 0),
        hosts.length,
      );
      const fair = hosts.length / count;
      for (const size of sizes) assert.ok(Math.abs(size - fair) < fair * 0.15, `${count} shards: ${sizes.join(', ')}`);
    }
  });

  it('when a shard joins, only the DCs the new shard takes move, and none between the others', () => {
    for (const count of [1, 4, 9]) {
      const moved = hosts.filter(
        (host) => shardOf('wingtip.test', host, count) !== shardOf('wingtip.test', host, count + 1),
      );
      for (const host of moved) assert.equal(shardOf('wingtip.test', host, count + 1), count + 1, host);
      const share = moved.length / hosts.length;
      assert.ok(Math.abs(share - 1 / (count + 1)) < 0.05, `${count} -> ${count + 1}: ${moved.length} moved`);
    }
  });

  it('hashes the DC by domain and name, whatever their case', () => {
    assert.equal(shardOf('Wingtip.Test', 'DC7.wingtip.test', 7), shardOf('wingtip.test', 'dc7.wingtip.test', 7));
  });
});

describe('the families of a shard', () => {
  it('shard 1 runs every family; the others the families about DCs only', () => {
    const all = ['dns', 'ports', 'protocols', 'ldap'] as const;
    assert.deepEqual(shardFamilies(all, undefined), all);
    assert.deepEqual(shardFamilies(all, { index: 1, count: 3 }), all);
    assert.deepEqual(shardFamilies(all, { index: 2, count: 3 }), ['ports', 'protocols']);
  });
});
