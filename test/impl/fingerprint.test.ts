/**
 * The implementation state's fingerprint (impl/fingerprint.ts): a hash of
 * the fields `implKey` spells out, for PCT's revisit demotion. It must give
 * equal states equal fingerprints, whatever objects hold them and in
 * whatever order a frame's locals were added; and on the states of real
 * runs, different states different fingerprints.
 */
import { describe, expect, it } from 'vitest';
import { makeImplSystem } from '../../engine/impl-system.ts';
import { Rng, runSeed } from '../../engine/random.ts';
import { randomScheduler } from '../../engine/strategies/random.ts';
import { runScheduled } from '../../engine/strategies/run.ts';
import { implFingerprint } from '../../impl/fingerprint.ts';
import { implKey, variantByName, type ImplState } from '../../impl/state.ts';

const opts = { profile: 'contract', yield: true, locks: false, envBudget: 2 } as const;

function statesOf(memory: 'sc' | 'tso', runs: number): ImplState[] {
  const sys = makeImplSystem({ ...opts, servers: 2, workers: 2, memory, variant: variantByName('B-ABA')! });
  const states: ImplState[] = [sys.initial()];
  for (let i = 0; i < runs; i++) runScheduled(sys, randomScheduler(new Rng(runSeed(11, i))), { maxSteps: 200 }, (_b, _c, step) => states.push(step.next));
  return states;
}

describe('implFingerprint', () => {
  it.each(['sc', 'tso'] as const)('under %s: equal keys give equal fingerprints and, on these runs, different keys different ones', (memory) => {
    const byKey = new Map<string, number>();
    const byFingerprint = new Map<number, string>();
    for (const s of statesOf(memory, 20)) {
      const k = implKey(s);
      const f = implFingerprint(s);
      expect(Number.isSafeInteger(f) && f >= 0).toBe(true);
      if (byKey.has(k)) expect(byKey.get(k)).toBe(f);
      byKey.set(k, f);
      if (byFingerprint.has(f)) expect(byFingerprint.get(f)).toBe(k);
      byFingerprint.set(f, k);
    }
    expect(byKey.size).toBeGreaterThan(1000);
  });

  it('depends on the contents only: a copy of the state, with every local added in reverse order, has the same fingerprint', () => {
    for (const s of statesOf('sc', 2).slice(0, 300)) {
      const copy = structuredClone(s) as ImplState;
      const reordered: ImplState = {
        ...copy,
        tasks: copy.tasks.map((t) => ({ ...t, stack: t.stack.map((f) => ({ ...f, v: Object.fromEntries(Object.entries(f.v).reverse()) })) })),
      };
      expect(implFingerprint(reordered)).toBe(implFingerprint(s));
    }
  });

  it('changes with a memory word, a task field, a local and the extra text', () => {
    const s = statesOf('sc', 3)[40]!;
    const f = implFingerprint(s);
    const cells = s.mem.cells.slice();
    const [addr, width, value] = cells[0]!;
    cells[0] = [addr, width, value + 1];
    expect(implFingerprint({ ...s, mem: { ...s.mem, cells } })).not.toBe(f);
    expect(implFingerprint({ ...s, tasks: s.tasks.map((t, i) => (i === 0 ? { ...t, rv: t.rv - 1 } : t)) })).not.toBe(f);
    const t0 = s.tasks[0]!;
    const top = t0.stack[t0.stack.length - 1]!;
    const stack = [...t0.stack.slice(0, -1), { ...top, v: { ...top.v, extra: 1 } }];
    expect(implFingerprint({ ...s, tasks: s.tasks.map((t, i) => (i === 0 ? { ...t, stack } : t)) })).not.toBe(f);
    expect(implFingerprint(s, '|0')).not.toBe(f);
  });
});
