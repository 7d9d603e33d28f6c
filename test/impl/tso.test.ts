import { describe, expect, it } from 'vitest';
import { implChoices, implStep, type Choice } from '../../impl/machine.ts';
import { OFF_NEXT_TID, OFF_SERVER_TID, structOf } from '../../impl/layout.ts';
import type { ImplState } from '../../impl/state.ts';
import { config, implInit, withTask } from './helpers.ts';

/**
 * Store buffering through the simulation's own steps: T1 stores X then
 * loads Y, T2 stores Y then loads X (X, Y: next_tid of T1/T2, values 1).
 * Both loads returning 0 is the SB outcome: possible under TSO, never
 * under SC, and never with a fence between store and load.
 */
function outcomes(model: 'sc' | 'tso', fence: boolean): Set<string> {
  const cfg = config({ servers: 2, workers: 0, cpus: 2, memoryModel: model });
  const X = structOf(1) + OFF_NEXT_TID;
  const Y = structOf(2) + OFF_NEXT_TID;
  let s = implInit(cfg);
  // Each task runs a tiny program through get_user/put_user frames: put, [smp_mb via sll_pop start? no], get.
  const prog = (me: number, st: number, ld: number) => [
    { fn: 'worker', pc: 'user', v: {} },
    { fn: 'get_user', pc: 'start', v: { a: ld, w: 4, ns: 0, st: 0, val: 0 } },
    ...(fence ? [{ fn: 'umcg_sll_pop', pc: 'start', v: { head: structOf(me) + OFF_SERVER_TID - OFF_SERVER_TID + 16, max: 0, step: 0, curr: 0, next: 0 } }] : []),
    { fn: 'put_user', pc: 'start', v: { a: st, w: 4, ns: 0, st: 1, val: 1 } },
  ];
  s = withTask(s, 1, { stack: prog(1, X, Y) });
  s = withTask(s, 2, { stack: prog(2, Y, X) });
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
