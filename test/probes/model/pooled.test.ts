import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { mapPooled } from '../../../probes/model/probe.js';

describe('mapPooled', () => {
  it('keeps the items order in the results, with at most `width` calls under way, every item once', async () => {
    let running = 0;
    let most = 0;
    const seen: number[] = [];
    const results = await mapPooled(
      Array.from({ length: 100 }, (_, index) => index),
      7,
      async (item) => {
        running++;
        most = Math.max(most, running);
        seen.push(item);
        // Later items finish sooner: the results still follow the items.
        for (let turn = 0; turn < (100 - item) % 5; turn++) await nextTurn();
        running--;
        return item * 2;
      },
    );
    assert.deepEqual(
      results,
      Array.from({ length: 100 }, (_, index) => index * 2),
    );
    assert.equal(most, 7);
    assert.deepEqual(
      [...seen].sort((a, b) => a - b),
      Array.from({ length: 100 }, (_, index) => index),
    );
  });

  it('an empty list, and a width larger than the list', async () => {
    assert.deepEqual(await mapPooled([], 5, () => Promise.resolve(1)), []);
    assert.deepEqual(await mapPooled([1, 2], 50, (item) => Promise.resolve(item + 1)), [2, 3]);
  });
});
