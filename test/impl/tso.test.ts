import { describe, expect, it } from 'vitest';
import { implChoices, implStep, type Choice } from '../../impl/machine.ts';
import { IDLE_SERVERS_HEAD, OFF_NEXT_TID, structOf } from '../../impl/layout.ts';
import type { Frame, ImplState } from '../../impl/state.ts';
import { config, implInit, withTask, withWords } from './helpers.ts';

/**
 * Store buffering through the simulation's own steps: T1 stores X then
 * loads Y, T2 stores Y then loads X (X, Y: next_tid of T1/T2, values 1).
 * Both loads returning 0 is the SB outcome: possible under TSO, never
 * under SC, and never with a fence between store and load.
 */
function outcomes(model: 'sc' | 'tso', fence: boolean, misaligned = false): Set<string> {
  const cfg = config({ servers: 2, workers: 0, cpus: 2, memoryModel: model });
  // Misaligned: two u32s that each span a cache-line boundary (plain accesses: no #AC).
  const X = misaligned ? 0x3003e : structOf(1) + OFF_NEXT_TID;
  const Y = misaligned ? 0x3007e : structOf(2) + OFF_NEXT_TID;
  let s = implInit(cfg);
  if (misaligned) s = withWords(s, [[X, 4, 0], [Y, 4, 0]]);
  // Each task runs put_user(st, 1); [smp_mb() as the first access of umcg_sll_pop with max 0]; get_user(ld)
  // (frames run top first). The pop returns -EAGAIN at once after its smp_mb() and get_user of a head.
  const prog = (st: number, ld: number): Frame[] => [
    { fn: 'worker', pc: 'user', v: {} },
    { fn: 'get_user', pc: 'start', v: { a: ld, w: 4, ns: 0, st: 0, val: 0 } },
    ...(fence ? [{ fn: 'umcg_sll_pop', pc: 'start', v: { head: IDLE_SERVERS_HEAD, max: 0, step: 0, curr: 0, next: 0 } }] : []),
    { fn: 'put_user', pc: 'start', v: { a: st, w: 4, ns: 0, st: 1, val: 1 } },
  ];
  s = withTask(s, 1, { stack: prog(X, Y) });
  s = withTask(s, 2, { stack: prog(Y, X) });
  const seen = new Set<string>();
  const go = (st: ImplState, depth: number): void => {
    const cs = implChoices(st, cfg).filter((c: Choice) => c.kind === 'run' || c.kind === 'drain');
    const done = st.tasks.every((t) => t.stack.length === 1);
    if (done) {
      seen.add(`${st.tasks[0]!.rv2},${st.tasks[1]!.rv2}`);
      return;
    }
    if (depth > 40) return;
    for (const c of cs) go(implStep(st, c, cfg).state, depth + 1);
  };
  go(s, 0);
  return seen;
}

describe('x86-TSO store buffer in the simulation', () => {
  it('the store-buffering outcome (0,0) is observable under TSO', () => {
    expect(outcomes('tso', false).has('0,0')).toBe(true);
  });
  it('is never observable under SC', () => {
    expect(outcomes('sc', false).has('0,0')).toBe(false);
  });
  it('an smp_mb() between the store and the load forbids it under TSO', () => {
    const o = outcomes('tso', true);
    expect(o.has('0,0')).toBe(false);
    expect(o.size).toBeGreaterThan(0);
  });
});

describe('x86-TSO store buffer in the simulation, words across cache lines', () => {
  it('the outcomes are exactly those of the aligned test, under SC and TSO, with and without the fence', () => {
    for (const model of ['sc', 'tso'] as const) {
      for (const fence of [false, true]) expect([...outcomes(model, fence, true)].sort()).toEqual([...outcomes(model, fence)].sort());
    }
  });
  it('the store-buffering outcome (0,0) is observable under TSO', () => {
    expect(outcomes('tso', false, true).has('0,0')).toBe(true);
  });
  it('is never observable under SC', () => {
    expect(outcomes('sc', false, true).has('0,0')).toBe(false);
  });
  it('an smp_mb() between the store and the load forbids it under TSO', () => {
    const o = outcomes('tso', true, true);
    expect(o.has('0,0')).toBe(false);
    expect(o.size).toBeGreaterThan(0);
  });
});
