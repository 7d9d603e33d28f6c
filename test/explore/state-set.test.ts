import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateSet } from '../../engine/state-set.ts';

/** A key buffer as the explorer passes one: the key at the start, zero after it. */
function keyBuffer(bytes: readonly number[], length: number): Uint8Array {
  const b = new Uint8Array(Math.ceil(length / 4) * 4);
  b.set(bytes.slice(0, length));
  return b;
}

describe('StateSet', () => {
  it('gives equal keys one id and distinct keys distinct ids, in order of first add, across many resizes', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 7, maxLength: 7 }), { maxLength: 3000 }), (keys) => {
        const set = new StateSet(7);
        const ids = new Map<string, number>();
        for (const k of keys) {
          const id = set.add(keyBuffer(k, 7));
          const known = ids.get(k.join());
          if (known === undefined) {
            expect(id).toBe(ids.size);
            ids.set(k.join(), id);
          } else {
            expect(id).toBe(known);
          }
        }
        expect(set.size).toBe(ids.size);
        for (const [k, id] of ids) expect(set.find(keyBuffer(k.split(',').map(Number), 7))).toBe(id);
      }),
      { seed: 20261125, numRuns: 50 },
    );
  });

  it('tells apart keys that differ only in their last byte, and finds no key it was not given', () => {
    const set = new StateSet(9);
    const a = set.add(keyBuffer([1, 2, 3, 4, 5, 6, 7, 8, 9], 9));
    expect(set.add(keyBuffer([1, 2, 3, 4, 5, 6, 7, 8, 10], 9))).not.toBe(a);
    expect(set.add(keyBuffer([1, 2, 3, 4, 5, 6, 7, 8, 9], 9))).toBe(a);
    expect(set.find(keyBuffer([1, 2, 3, 4, 5, 6, 7, 8, 11], 9))).toBe(-1);
    expect(set.size).toBe(2);
  });

  it('survives 600,000 distinct keys (many part resizes and key chunks) and gives their bytes back', () => {
    const set = new StateSet(5);
    const key = new Uint8Array(8);
    const put = (i: number): void => {
      key[0] = i & 255;
      key[1] = (i >> 8) & 255;
      key[2] = i >> 16;
      key[3] = 7;
      key[4] = 42;
    };
    for (let i = 0; i < 600_000; i++) {
      put(i);
      expect(set.add(key)).toBe(i);
    }
    expect(set.size).toBe(600_000);
    put(523_456);
    expect(set.add(key)).toBe(523_456);
    expect(set.find(key)).toBe(523_456);
    const w = set.where(523_456);
    expect([...w.bytes.subarray(w.at, w.at + 5)]).toEqual([...key.subarray(0, 5)]);
    expect(set.size).toBe(600_000);
  });

  it('refuses a key that does not start its buffer instead of hashing the wrong bytes', () => {
    const set = new StateSet(4);
    expect(() => set.add(new Uint8Array(16).subarray(4))).toThrow(/start its buffer/);
  });
});
