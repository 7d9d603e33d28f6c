/**
 * The explorer's packed keys (KeyCodec) against the string canonical key:
 * on every reachable state of small configurations, packing is a bijection
 * on canonical forms (equal packed keys exactly when equal canonicalKeys),
 * and decoding gives back a state of the same canonical form.
 */
import { describe, expect, it } from 'vitest';
import { DigitPacker, KeyCodec, canonicalKey } from '../../model/canon.ts';
import { initialState } from '../../model/init.ts';
import type { ModelConfig, State } from '../../model/types.ts';
import { config, reachable } from '../helpers/model.ts';

const hasDuplicate = (nodes: State['idleWorkers']): boolean => new Set(nodes.map((n) => n.tid)).size !== nodes.length;
/** The explorer does not expand a state with a corrupt list; neither does this. */
const corrupt = (s: State): boolean => hasDuplicate(s.idleWorkers) || hasDuplicate(s.idleServers);

const CONFIGS: readonly [string, ModelConfig][] = [
  ['1x1 yield', config(1, 1, { yield: true })],
  ['1x2 yield', config(1, 2, { yield: true })],
  ['2x1 no-yield locks', config(2, 1, { yield: false, locks: true })],
  ['1x1 adversarial env=2', config(1, 1, { yield: true, profile: 'adversarial', envBudget: 2 })],
  ['2x0', config(2, 0, { yield: false })],
];

describe('KeyCodec', () => {
  for (const [name, cfg] of CONFIGS) {
    it(`${name}: packed keys and canonical keys tell the same states apart, and decoding keeps the canonical form`, () => {
      const codec = new KeyCodec(cfg);
      const { states } = reachable(cfg, { stop: corrupt, limit: 15_000, truncate: true });
      const byCanon = new Map<string, string>();
      const byPacked = new Map<string, string>();
      for (const s of states) {
        codec.encode(s);
        const packed = codec.key.slice(0, codec.bytes).join();
        const canon = canonicalKey(s);
        expect(byCanon.get(canon) ?? packed).toBe(packed);
        expect(byPacked.get(packed) ?? canon).toBe(canon);
        byCanon.set(canon, packed);
        byPacked.set(packed, canon);
        const back = codec.decode(codec.key.slice(), 0);
        expect(canonicalKey(back)).toBe(canon);
        codec.encode(back);
        expect(codec.key.slice(0, codec.bytes).join()).toBe(packed);
      }
      expect(byCanon.size).toBeGreaterThan(10);
    });
  }

  it('splits the digits into a servers part and a workers part that cover each digit once', () => {
    for (const [s, w] of [
      [2, 3],
      [1, 1],
      [2, 0],
    ] as const) {
      const codec = new KeyCodec({ servers: s, workers: w, envBudget: 0 });
      const { servers, workers } = codec.parts();
      expect([...servers, ...workers].sort((a, b) => a - b)).toEqual(Array.from({ length: codec.radix.length }, (_, i) => i));
    }
  });

  for (const [name, cfg] of CONFIGS.slice(0, 3)) {
    it(`${name}: a pair of packed parts tells the same states apart as the canonical key, and decodes to the same canonical form`, () => {
      const codec = new KeyCodec(cfg);
      const parts = codec.parts();
      const sp = new DigitPacker(codec.radix, parts.servers);
      const wp = new DigitPacker(codec.radix, parts.workers);
      const { states } = reachable(cfg, { stop: corrupt, limit: 15_000, truncate: true });
      const byCanon = new Map<string, string>();
      const byPair = new Map<string, string>();
      const serverParts = new Set<string>();
      for (const s of states) {
        codec.encodeDigits(s);
        sp.pack(codec.digits);
        wp.pack(codec.digits);
        const a = sp.key.slice(0, sp.bytes);
        const b = wp.key.slice(0, wp.bytes);
        const pair = `${a.join()}/${b.join()}`;
        serverParts.add(a.join());
        const canon = canonicalKey(s);
        expect(byCanon.get(canon) ?? pair).toBe(pair);
        expect(byPair.get(pair) ?? canon).toBe(canon);
        byCanon.set(canon, pair);
        byPair.set(pair, canon);
        codec.digits.fill(-1);
        sp.unpack(a, 0, codec.digits);
        wp.unpack(b, 0, codec.digits);
        expect(canonicalKey(codec.decodeDigits())).toBe(canon);
      }
      // Interning pays because far fewer parts than states occur.
      expect(serverParts.size).toBeLessThan(byPair.size);
    });
  }

  it('uses no more bytes than the ranges of its digits need (19 for 2x3 with the seen field of the step-wise list walks; the string key takes up to 46)', () => {
    expect(new KeyCodec({ servers: 2, workers: 3, envBudget: 0 }).bytes).toBe(19);
    expect(new KeyCodec({ servers: 2, workers: 2, envBudget: 0 }).bytes).toBe(15);
  });

  it('refuses a list longer than a corrupt one can be instead of truncating it', () => {
    const cfg = config(1, 1);
    const s = initialState(cfg);
    const W1 = 2;
    const bad: State = { ...s, idleWorkers: [W1, W1, W1].map((tid) => ({ tid, marked: false })) };
    expect(() => new KeyCodec(cfg).encode(bad)).toThrow(/idle list of 3 nodes/);
  });

  it('refuses a server on idle_workers', () => {
    const cfg = config(1, 1);
    const s = initialState(cfg);
    expect(() => new KeyCodec(cfg).encode({ ...s, idleWorkers: [{ tid: 1, marked: false }] })).toThrow(/wrong idle list/);
  });
});
