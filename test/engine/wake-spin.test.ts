/**
 * INV-NO-SPIN-IN-ATOMIC and the gallery variant B-WAKE-SPIN (spec §8.1):
 * v0.2's wake loop, try_to_wake_server() retrying umcg_ttwu() until
 * try_to_wake_up() returns 1, run from the block hook with preemption
 * disabled. The schedule below is the one the manifest's PCT search finds
 * (docs/bugs/B-WAKE-SPIN.md): W1 registers and is queued; S1 pops it, stores
 * its own state IDLE and W1's RUNNING, and has not yet entered
 * sys_umcg_wait; W1 sees RUNNING, returns to userspace and blocks at once.
 */
import { describe, expect, it } from 'vitest';
import { SPIN_IN_ATOMIC_ID, spinInAtomicBound, type ImplChoice, type ImplSystem } from '../../engine/impl-system.ts';
import { execute } from '../../engine/system.ts';
import { type ImplState } from '../../impl/state.ts';
import { implOneByOne } from './helpers.ts';

function system(variant: string, only: readonly string[]): ImplSystem {
  return implOneByOne(variant, only);
}

/** 20 steps of W1 (T2), 11 of S1, then W1 runs, blocks and runs on. */
const SCHEDULE = [...Array<string>(20).fill('r2'), ...Array<string>(11).fill('r1'), 'r2', 'b2', ...Array<string>(17).fill('r2')];

function decode(sys: ImplSystem, texts: readonly string[]): ImplChoice[] {
  return texts.map((t) => sys.decodeChoice(t)!);
}

describe(`${SPIN_IN_ATOMIC_ID}`, () => {
  it(`${SPIN_IN_ATOMIC_ID}: its bound is v0.3's max_tries, 2 * nr_cpu_ids`, () => {
    expect(spinInAtomicBound(2)).toBe(4);
    expect(spinInAtomicBound(4)).toBe(8);
  });

  it(`${SPIN_IN_ATOMIC_ID}: B-WAKE-SPIN's block hook retries ttwu on a server that is still running, with preemption disabled`, () => {
    const sys = system('B-WAKE-SPIN', [SPIN_IN_ATOMIC_ID]);
    const r = execute(sys, decode(sys, SCHEDULE));
    expect(r.violation?.invariant).toBe(SPIN_IN_ATOMIC_ID);
    expect(r.violation?.tasks).toEqual(['W1']);
    expect(r.violation?.message).toMatch(/try_to_wake_up\(T1, TASK_NORMAL, WF_CURRENT_CPU\) = 0: 5 kernel retry-loop iterations/);
    const w1 = r.final.tasks[1]!;
    expect(w1.preempt).toBe(1);
    expect(w1.spins).toBe(5);
    expect(w1.stack.map((f) => f.fn)).toContain('umcg_wq_worker_sleeping');
  });

  it(`${SPIN_IN_ATOMIC_ID}: v0.3 on the same schedule makes one ttwu, ignores its result and sleeps`, () => {
    const sys = system('v0.3', [SPIN_IN_ATOMIC_ID]);
    const r = execute(sys, decode(sys, SCHEDULE), { skipDisabled: true });
    expect(r.violation).toBeNull();
    expect(r.final.tasks.every((t) => t.spins === 0)).toBe(true);
  });

  it(`${SPIN_IN_ATOMIC_ID}: the count ends when the server sleeps, the ttwu succeeds and preemption is enabled again`, () => {
    // Without the check the run goes on: W1 spins until S1 (on the other
    // CPU) reaches its idle loop and sleeps; then ttwu returns 1.
    const sys = system('B-WAKE-SPIN', ['LIVE-NO-LOST-WAKEUP']);
    let s: ImplState = execute(sys, decode(sys, SCHEDULE)).final;
    expect(s.tasks[1]!.spins).toBe(5);
    const maxSpins: number[] = [];
    for (let i = 0; i < 200 && s.tasks[1]!.preempt > 0; i++) {
      const cs = sys.choices(s);
      const c = cs.find((x) => x.c.kind === 'run' && x.c.tid === 1) ?? cs.find((x) => x.c.kind === 'run' && x.c.tid === 2);
      if (c === undefined) break;
      s = sys.step(s, c).next;
      maxSpins.push(s.tasks[1]!.spins);
    }
    expect(s.tasks[1]!.preempt).toBe(0);
    expect(s.tasks[1]!.spins).toBe(0);
    expect(Math.max(...maxSpins)).toBeGreaterThanOrEqual(5);
  });
});
