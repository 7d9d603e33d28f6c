import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StateSet } from '../../engine/state-set.ts';

const enc = (text: string): [Uint16Array, number] => {
  const b = new Uint16Array(text.length + 1);
  for (let i = 0; i < text.length; i++) b[i] = text.charCodeAt(i);
  return [b, text.length];
};

describe('StateSet', () => {
  it('gives equal keys one id and distinct keys distinct ids, across many resizes', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 12 }), { maxLength: 3000 }), (keys) => {
        const set = new StateSet(12);
        const ids = new Map<string, number>();
        for (const k of keys) {
          const id = set.add(...enc(k));
          const known = ids.get(k);
          if (known === undefined) {
            expect(id).toBe(ids.size);
            ids.set(k, id);
          } else {
            expect(id).toBe(known);
          }
        }
        expect(set.size).toBe(ids.size);
      }),
      { seed: 20261125, numRuns: 50 },
    );
  });

  it('tells apart keys that differ only in length or in one late byte', () => {
    const set = new StateSet(8);
    const a = set.add(...enc('abc'));
    expect(set.add(...enc('abc\u0000'))).not.toBe(a);
    expect(set.add(...enc('abd'))).not.toBe(a);
    expect(set.add(...enc('abc'))).toBe(a);
  });

  it('survives 600,000 distinct keys (several rehashes and chunks) and gives their bytes back', () => {
    const set = new StateSet(8);
    for (let i = 0; i < 600_000; i++) set.add(...enc(`k${i}`));
    expect(set.size).toBe(600_000);
    expect(set.add(...enc('k523456'))).toBe(523_456);
    const w = set.where(523_456);
    expect(String.fromCharCode(...w.bytes.subarray(w.at, w.at + w.length))).toBe('k523456');
  });

  it('refuses a key longer than planned instead of truncating it', () => {
    const set = new StateSet(4);
    expect(() => set.add(...enc('12345'))).toThrow(/longer than the 4 planned/);
  });
});
