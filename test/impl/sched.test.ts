/**
 * The scheduler entry points the patches use (patch 1, spec §1.1, §4.5):
 * try_to_wake_up's return value and WF_CURRENT_CPU placement, and
 * schedule() with a pending signal. ttwu is reached through umcg_ttwu,
 * whose rv2 carries try_to_wake_up's result (the syscall ignores it).
 */
import { describe, expect, it } from 'vitest';
import { EINTR } from '../../model/errno.ts';
import { UMCG_TASK_IDLE } from '../../model/types.ts';
import { OFF_STATE, WF_CURRENT_CPU, structOf } from '../../impl/layout.ts';
import type { ImplState } from '../../impl/state.ts';
import { callRoutine, config, implInit, take, withTask, withWords } from './helpers.ts';

const cfg = config({ servers: 1, workers: 1, cpus: 2, profile: 'adversarial', envBudget: 10 });
/** T1 runs on cpu0; T2 (registered, `umcg_task` set) is off the runqueue in `ks` on cpu1, or running there. */
function twoTasks(ks: 'R' | 'S' | 'D', allowed = 0b11): ImplState {
  const s = implInit(cfg);
  const asleep = ks !== 'R';
  const cpus = s.cpus.slice();
  cpus[1] = asleep ? 0 : 2;
  return { ...withTask(s, 2, { ks, onRq: !asleep, cpu: 1, allowed, umcg: structOf(2) }), cpus };
}
const ttwu = (s: ImplState, wf: number) => callRoutine(cfg, s, 1, 'umcg_ttwu', { tid: 2, wf });

describe('try_to_wake_up (patch 1)', () => {
  it('returns 1 and makes a TASK_INTERRUPTIBLE task runnable and queued', () => {
    const r = ttwu(twoTasks('S'), 0);
    expect([r.rv, r.rv2]).toEqual([0, 1]);
    expect(r.state.tasks[1]).toMatchObject({ ks: 'R', onRq: true });
  });

  it('returns 1 for a TASK_UNINTERRUPTIBLE task (TASK_NORMAL covers both)', () => {
    const r = ttwu(twoTasks('D'), 0);
    expect(r.rv2).toBe(1);
    expect(r.state.tasks[1]).toMatchObject({ ks: 'R', onRq: true });
  });

  it('returns 0 and changes nothing for a task that is already running', () => {
    const s = twoTasks('R');
    const r = ttwu(s, WF_CURRENT_CPU);
    expect(r.rv2).toBe(0);
    expect(r.state.tasks[1]).toEqual(s.tasks[1]);
  });

  it('WF_CURRENT_CPU places the wakee on the waker\'s CPU when its affinity allows it', () => {
    expect(ttwu(twoTasks('S'), WF_CURRENT_CPU).state.tasks[1]!.cpu).toBe(0);
  });

  it('WF_CURRENT_CPU leaves the wakee on its previous CPU when its affinity excludes the waker\'s CPU', () => {
    const r = ttwu(twoTasks('S', 0b10), WF_CURRENT_CPU);
    expect(r.rv2).toBe(1);
    expect(r.state.tasks[1]!.cpu).toBe(1);
  });

  it('without WF_CURRENT_CPU the wakee stays on its previous CPU', () => {
    expect(ttwu(twoTasks('S'), 0).state.tasks[1]!.cpu).toBe(1);
  });

  it('a completion wakes a TASK_UNINTERRUPTIBLE task in a blocking call, and a signal does not', () => {
    let s = withTask(twoTasks('D'), 2, { stack: [{ fn: 'worker', pc: 'user', v: {} }, { fn: 'blocking_call', pc: 'after', v: { done: 0 } }] });
    s = take(cfg, s, { kind: 'signal', tid: 2 });
    expect(s.tasks[1]).toMatchObject({ ks: 'D', onRq: false, sig: true });
    s = take(cfg, s, { kind: 'complete', tid: 2 });
    expect(s.tasks[1]).toMatchObject({ ks: 'R', onRq: true });
  });
});

describe('schedule()', () => {
  const sched = (s: ImplState) => callRoutine(cfg, s, 1, 'schedule', { skipped: 0 });

  it('deactivates a TASK_INTERRUPTIBLE task without a pending signal and leaves its CPU idle', () => {
    const r = sched(withTask(implInit(cfg), 1, { ks: 'S' }));
    expect(r.returned).toBe(false);
    expect(r.state.tasks[0]).toMatchObject({ onRq: false, ks: 'S' });
    expect(r.state.cpus[0]).toBe(0);
  });

  it('does not sleep with a pending signal: the task stays runnable and returns TASK_RUNNING', () => {
    const r = sched(withTask(implInit(cfg), 1, { ks: 'S', sig: true }));
    expect(r.returned).toBe(true);
    expect(r.state.tasks[0]).toMatchObject({ onRq: true, ks: 'R' });
    expect(r.labels.some((l) => l.includes('stays runnable'))).toBe(true);
  });

  it('sleeps in TASK_UNINTERRUPTIBLE even with a pending signal', () => {
    const r = sched(withTask(implInit(cfg), 1, { ks: 'D', sig: true }));
    expect(r.returned).toBe(false);
    expect(r.state.tasks[0]!.onRq).toBe(false);
  });

  it('umcg_idle_loop with a signal already pending does not sleep and returns -EINTR', () => {
    const s = withWords(withTask(implInit(cfg), 1, { sig: true }), [[structOf(1) + OFF_STATE, 4, UMCG_TASK_IDLE]]);
    const r = callRoutine(cfg, s, 1, 'umcg_idle_loop', { timeout: 0, s: 0 });
    expect(r.rv).toBe(-EINTR);
    expect(r.state.tasks[0]).toMatchObject({ onRq: true, ks: 'R' });
  });
});
