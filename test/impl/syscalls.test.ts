/**
 * sys_umcg_ctl and sys_umcg_wait (patch 4), every path and errno of spec
 * §3.1 (items 1-9) and §3.2, run step by step through implStep on hand-built
 * states. T1 is a server, T2 a worker; T1 runs on cpu0, T2 on cpu1.
 */
import { describe, expect, it } from 'vitest';
import { EFAULT, EINTR, EINVAL, EOPNOTSUPP, ESRCH } from '../../model/errno.ts';
import { UMCG_CTL_REGISTER, UMCG_CTL_UNREGISTER, UMCG_CTL_WORKER, UMCG_WAIT_WAKE_ONLY, UMCG_WAIT_WF_CURRENT_CPU } from '../../model/syscalls.ts';
import { UMCG_TASK_IDLE, UMCG_TASK_RUNNING, UMCG_TF_LOCKED } from '../../model/types.ts';
import {
  IDLE_SERVERS_HEAD,
  IDLE_WORKERS_HEAD,
  OFF_API_VERSION,
  OFF_IDLE_SERVERS_PTR,
  OFF_IDLE_WORKERS_PTR,
  OFF_NEXT_TID,
  OFF_SERVER_TID,
  OFF_STATE,
  STRUCT_BASE,
  structOf,
} from '../../impl/layout.ts';
import { peek, setPageStatus } from '../../impl/memory.ts';
import type { ImplState } from '../../impl/state.ts';
import { callRoutine, config, implInit, readList, runTask, take, withList, withTask, withWords } from './helpers.ts';

const cfg = config({ servers: 1, workers: 1, cpus: 2, profile: 'adversarial', envBudget: 20 });
const S = (tid: number, off: number): number => structOf(tid) + off;
const REG = UMCG_CTL_REGISTER;
const REG_WORKER = UMCG_CTL_REGISTER | UMCG_CTL_WORKER;

/** T1 not registered, its struct ready for a server registration (RUNNING, server_tid 0). */
const unregisteredServer = (): ImplState => withWords(withTask(implInit(cfg), 1, { umcg: 0 }), [[S(1, OFF_SERVER_TID), 4, 0]]);
const ctl = (s: ImplState, tid: number, flags: number, self: number) => callRoutine(cfg, s, tid, 'sys_umcg_ctl', { flags, self }, 300);
const wait = (s: ImplState, tid: number, flags = 0, timeout = 0) => callRoutine(cfg, s, tid, 'sys_umcg_wait', { flags, timeout, next: 0 }, 300);
/** Task `tid` is registered and asleep in TASK_INTERRUPTIBLE, off the runqueue (its CPU idle). */
function asleep(s: ImplState, tid: number, patch: Partial<ImplState['tasks'][number]> = {}): ImplState {
  const t = s.tasks[tid - 1]!;
  const cpus = s.cpus.slice();
  if (cpus[t.cpu] === tid) cpus[t.cpu] = 0;
  return { ...withTask(s, tid, { umcg: structOf(tid), ks: 'S', onRq: false, ...patch }), cpus };
}
/** T2 registered as a worker, running. */
const runningWorker = (s: ImplState): ImplState => withTask(s, 2, { umcg: structOf(2), pfw: true });

describe('sys_umcg_ctl (spec §3.1)', () => {
  it('item 1: UNREGISTER with a non-NULL self is -EINVAL', () => {
    expect(ctl(implInit(cfg), 1, UMCG_CTL_UNREGISTER, structOf(1)).rv).toBe(-EINVAL);
  });
  it('item 1: UNREGISTER of a task that is not registered is -EINVAL', () => {
    expect(ctl(implInit(cfg), 2, UMCG_CTL_UNREGISTER, 0).rv).toBe(-EINVAL);
  });
  it('item 1: UNREGISTER clears umcg_task and PF_UMCG_WORKER and wakes nobody, not even a sleeping server', () => {
    const s = asleep(runningWorker(implInit(cfg)), 1);
    const r = ctl(s, 2, UMCG_CTL_UNREGISTER, 0);
    expect(r.rv).toBe(0);
    expect(r.state.tasks[1]).toMatchObject({ umcg: 0, pfw: false });
    expect(r.state.tasks[0]).toMatchObject({ ks: 'S', onRq: false });
  });
  it('item 2: flags without REGISTER (0, or UNREGISTER|WORKER) are -EINVAL', () => {
    expect(ctl(unregisteredServer(), 1, 0, structOf(1)).rv).toBe(-EINVAL);
    expect(ctl(unregisteredServer(), 1, UMCG_CTL_UNREGISTER | UMCG_CTL_WORKER, structOf(1)).rv).toBe(-EINVAL);
  });
  it('item 3: REGISTER with another bit than WORKER (UNREGISTER, or an unknown bit) is -EINVAL', () => {
    expect(ctl(unregisteredServer(), 1, REG | UMCG_CTL_UNREGISTER, structOf(1)).rv).toBe(-EINVAL);
    expect(ctl(unregisteredServer(), 1, REG | 0x100, structOf(1)).rv).toBe(-EINVAL);
  });
  it('item 4: registering a task that is already registered is -EINVAL', () => {
    expect(ctl(implInit(cfg), 1, REG, structOf(1)).rv).toBe(-EINVAL);
  });
  it('items 4-5: v0.3 does not check self == NULL; copy_from_user of NULL fails with -EFAULT', () => {
    expect(ctl(unregisteredServer(), 1, REG, 0).rv).toBe(-EFAULT);
  });
  it('item 5: a struct on an unmapped page is -EFAULT', () => {
    const s = unregisteredServer();
    expect(ctl({ ...s, mem: setPageStatus(s.mem, STRUCT_BASE, 'unmapped') }, 1, REG, structOf(1)).rv).toBe(-EFAULT);
  });
  it('item 6: api_version != 1 returns 1, the highest supported version, before the other field checks', () => {
    const s = withWords(unregisteredServer(), [[S(1, OFF_API_VERSION), 4, 2], [S(1, OFF_SERVER_TID), 4, 7]]);
    const r = ctl(s, 1, REG, structOf(1));
    expect(r.rv).toBe(1);
    expect(r.state.tasks[0]!.umcg).toBe(0);
  });
  it('item 7: a non-zero server_tid or next_tid is -EINVAL', () => {
    expect(ctl(withWords(unregisteredServer(), [[S(1, OFF_SERVER_TID), 4, 1]]), 1, REG, structOf(1)).rv).toBe(-EINVAL);
    expect(ctl(withWords(unregisteredServer(), [[S(1, OFF_NEXT_TID), 4, 2]]), 1, REG, structOf(1)).rv).toBe(-EINVAL);
  });
  it('item 8: a worker whose state is not exactly IDLE (LOCKED or a user bit set, or RUNNING) is -EINVAL', () => {
    for (const st of [UMCG_TASK_IDLE | UMCG_TF_LOCKED, UMCG_TASK_IDLE | 0x01000000, UMCG_TASK_RUNNING]) {
      const s = withWords(implInit(cfg), [[S(2, OFF_STATE), 4, st]]);
      expect(ctl(s, 2, REG_WORKER, structOf(2)).rv).toBe(-EINVAL);
    }
  });
  it('item 8: a worker registers, pushes itself onto idle_workers (IDLE -> IDLE), pops and wakes an idle server, and sleeps until RUNNING', () => {
    let s = withList(asleep(withWords(implInit(cfg), [[S(1, OFF_STATE), 4, UMCG_TASK_IDLE]]), 1), IDLE_SERVERS_HEAD, [S(1, OFF_IDLE_SERVERS_PTR)]);
    const r = ctl(s, 2, REG_WORKER, structOf(2));
    expect(r.returned).toBe(false);
    s = r.state;
    expect(s.tasks[1]).toMatchObject({ umcg: structOf(2), ks: 'S', onRq: false, pfw: false }); // PF_UMCG_WORKER cleared inside the hook
    expect(peek(s.mem, S(2, OFF_STATE))).toBe(UMCG_TASK_IDLE);
    expect(peek(s.mem, IDLE_WORKERS_HEAD)).toBe(S(2, OFF_IDLE_WORKERS_PTR));
    expect(peek(s.mem, S(1, OFF_STATE))).toBe(UMCG_TASK_RUNNING);
    expect(s.tasks[0]).toMatchObject({ ks: 'R', onRq: true, cpu: 1 }); // WF_CURRENT_CPU: the worker's CPU
    expect(readList(s, IDLE_SERVERS_HEAD)).toEqual([`0x${S(1, OFF_IDLE_SERVERS_PTR).toString(16)}*`]);
    // the server runs it: server_tid, then state RUNNING, then a wakeup
    s = withWords(s, [[S(2, OFF_SERVER_TID), 4, 1], [S(2, OFF_STATE), 4, UMCG_TASK_RUNNING]]);
    s = take(cfg, s, { kind: 'ttwu', tid: 2 });
    const done = runTask(cfg, s, 2);
    expect([done.returned, done.rv]).toEqual([true, 0]);
    expect(done.state.tasks[1]).toMatchObject({ pfw: true, ks: 'R' });
  });
  it('item 8: registration returns 0 even when the idle loop inside it returns -EINTR', () => {
    let s = ctl(implInit(cfg), 2, REG_WORKER, structOf(2)).state;
    s = take(cfg, s, { kind: 'signal', tid: 2 });
    const done = runTask(cfg, s, 2);
    expect([done.returned, done.rv]).toEqual([true, 0]);
    expect(peek(done.state.mem, S(2, OFF_STATE))).toBe(UMCG_TASK_IDLE);
  });
  it('item 9: a server whose state is not RUNNING is -EINVAL', () => {
    expect(ctl(withWords(unregisteredServer(), [[S(1, OFF_STATE), 4, UMCG_TASK_IDLE]]), 1, REG, structOf(1)).rv).toBe(-EINVAL);
  });
  it('item 9: a server registers: umcg_task = self, no PF_UMCG_WORKER, no sleep', () => {
    const r = ctl(unregisteredServer(), 1, REG, structOf(1));
    expect([r.rv, r.returned]).toEqual([0, true]);
    expect(r.state.tasks[0]).toMatchObject({ umcg: structOf(1), pfw: false, ks: 'R' });
  });
});

describe('sys_umcg_wait (spec §3.2)', () => {
  it('is -EINVAL for a task that is not registered', () => {
    expect(wait(implInit(cfg), 2).rv).toBe(-EINVAL);
  });
  it('is -EFAULT when next_tid cannot be read', () => {
    const s = implInit(cfg);
    expect(wait({ ...s, mem: setPageStatus(s.mem, STRUCT_BASE, 'unmapped') }, 1).rv).toBe(-EFAULT);
  });

  describe('WAKE_ONLY', () => {
    const base = (next: number) => asleep(withWords(implInit(cfg), [[S(1, OFF_NEXT_TID), 4, next]]), 2);
    it('is -EINVAL with next_tid == 0, with a timeout, or with a flag other than WF_CURRENT_CPU', () => {
      expect(wait(base(0), 1, UMCG_WAIT_WAKE_ONLY).rv).toBe(-EINVAL);
      expect(wait(base(2), 1, UMCG_WAIT_WAKE_ONLY, 1000).rv).toBe(-EINVAL);
      expect(wait(base(2), 1, UMCG_WAIT_WAKE_ONLY | 0x4).rv).toBe(-EINVAL);
    });
    it('is -ESRCH for a TID with no task, and for a task without umcg_task', () => {
      expect(wait(base(9), 1, UMCG_WAIT_WAKE_ONLY).rv).toBe(-ESRCH);
      expect(wait(withTask(base(2), 2, { umcg: 0 }), 1, UMCG_WAIT_WAKE_ONLY).rv).toBe(-ESRCH);
    });
    it('wakes next_tid on its own CPU and returns 0 without sleeping', () => {
      const r = wait(base(2), 1, UMCG_WAIT_WAKE_ONLY);
      expect([r.rv, r.returned]).toEqual([0, true]);
      expect(r.state.tasks[1]).toMatchObject({ ks: 'R', onRq: true, cpu: 1 });
      expect(r.state.tasks[0]).toMatchObject({ ks: 'R', onRq: true });
    });
    it('with WF_CURRENT_CPU wakes next_tid on the caller\'s CPU', () => {
      expect(wait(base(2), 1, UMCG_WAIT_WAKE_ONLY | UMCG_WAIT_WF_CURRENT_CPU).state.tasks[1]!.cpu).toBe(0);
    });
    it('returns 0 when next_tid is already running (the ttwu result is ignored)', () => {
      const s = withWords(withTask(implInit(cfg), 2, { umcg: structOf(2) }), [[S(1, OFF_NEXT_TID), 4, 2]]);
      expect(wait(s, 1, UMCG_WAIT_WAKE_ONLY).rv).toBe(0);
    });
  });

  describe('context switch (umcg_do_context_switch)', () => {
    const idleServer = (next: number) => withWords(implInit(cfg), [[S(1, OFF_STATE), 4, UMCG_TASK_IDLE], [S(1, OFF_NEXT_TID), 4, next]]);
    it('is -EOPNOTSUPP with a timeout, before any wakeup', () => {
      const r = wait(asleep(idleServer(2), 2), 1, 0, 1000);
      expect(r.rv).toBe(-EOPNOTSUPP);
      expect(r.state.tasks[1]!.onRq).toBe(false);
    });
    it('is -ESRCH for a TID with no task', () => {
      expect(wait(idleServer(9), 1).rv).toBe(-ESRCH);
    });
    it('wakes next_tid on the caller\'s CPU (WF_CURRENT_CPU) and the caller sleeps in umcg_idle_loop', () => {
      const r = wait(asleep(idleServer(2), 2), 1);
      expect(r.returned).toBe(false);
      expect(r.state.tasks[1]).toMatchObject({ ks: 'R', onRq: true, cpu: 0 });
      expect(r.state.tasks[0]).toMatchObject({ ks: 'S', onRq: false });
    });
    it('does not check next\'s umcg_task (unlike WAKE_ONLY): an unregistered task is woken too', () => {
      const r = wait(asleep(idleServer(2), 2, { umcg: 0 }), 1);
      expect(r.state.tasks[1]).toMatchObject({ ks: 'R', onRq: true });
    });
    it('returns 0 at once when the caller\'s own state is RUNNING (the IDLE precondition is not checked): both run', () => {
      const s = withWords(asleep(idleServer(2), 2), [[S(1, OFF_STATE), 4, UMCG_TASK_RUNNING]]);
      const r = wait(s, 1);
      expect([r.rv, r.returned]).toEqual([0, true]);
      expect(r.state.tasks[1]!.onRq).toBe(true);
    });
    it('a worker with next_tid == 0 switches to its server_tid; woken RUNNING with a server it passes through the wake hook and returns 0', () => {
      let s = asleep(runningWorker(withWords(implInit(cfg), [[S(2, OFF_STATE), 4, UMCG_TASK_IDLE], [S(2, OFF_SERVER_TID), 4, 1], [S(1, OFF_STATE), 4, UMCG_TASK_IDLE]])), 1);
      const r = wait(s, 2);
      expect(r.returned).toBe(false);
      expect(r.state.tasks[0]).toMatchObject({ ks: 'R', onRq: true, cpu: 1 });
      expect(peek(r.state.mem, S(2, OFF_STATE))).toBe(UMCG_TASK_IDLE); // the block hook skips an IDLE worker
      s = withWords(r.state, [[S(2, OFF_STATE), 4, UMCG_TASK_RUNNING]]);
      s = take(cfg, s, { kind: 'ttwu', tid: 2 });
      const done = runTask(cfg, s, 2);
      expect([done.returned, done.rv]).toEqual([true, 0]);
      expect(peek(done.state.mem, IDLE_WORKERS_HEAD)).toBe(0); // passed through: not pushed
    });
    it('a worker is -EFAULT when its server_tid cannot be read', () => {
      // A struct straddling two pages: next_tid (offset 12) on a mapped page, server_tid (offset 8) on an unmapped one.
      const U = 0x31000 - OFF_NEXT_TID;
      let s = withWords(implInit(cfg), [[U + OFF_NEXT_TID, 4, 0], [U + OFF_SERVER_TID, 4, 1]]);
      s = withTask({ ...s, mem: setPageStatus(s.mem, U + OFF_SERVER_TID, 'unmapped') }, 2, { umcg: U, pfw: true });
      expect(wait(s, 2).rv).toBe(-EFAULT);
    });
  });

  describe('umcg_idle_loop', () => {
    const idle = (st = UMCG_TASK_IDLE) => withWords(implInit(cfg), [[S(1, OFF_STATE), 4, st]]);
    it('is -EOPNOTSUPP with a timeout', () => {
      expect(wait(idle(), 1, 0, 1000).rv).toBe(-EOPNOTSUPP);
    });
    it('ignores flags outside WAKE_ONLY (v0.3 dropped the check): WF_CURRENT_CPU or an unknown bit alone reach the idle loop', () => {
      expect(wait(idle(UMCG_TASK_RUNNING), 1, UMCG_WAIT_WF_CURRENT_CPU | 0x100).rv).toBe(0);
      expect(wait(idle(), 1, UMCG_WAIT_WF_CURRENT_CPU, 1000).rv).toBe(-EOPNOTSUPP);
    });
    it('returns 0 without sleeping when the state is already RUNNING', () => {
      const r = wait(idle(UMCG_TASK_RUNNING), 1);
      expect([r.rv, r.returned]).toEqual([0, true]);
      expect(r.labels.some((l) => l.includes('deactivate_task'))).toBe(false);
    });
    it('sleeps while IDLE; a wakeup with state still IDLE sleeps again; a wakeup after RUNNING returns 0', () => {
      let s = wait(idle(), 1).state;
      expect(s.tasks[0]).toMatchObject({ ks: 'S', onRq: false });
      s = runTask(cfg, take(cfg, s, { kind: 'ttwu', tid: 1 }), 1).state;
      expect(s.tasks[0]).toMatchObject({ ks: 'S', onRq: false });
      s = take(cfg, withWords(s, [[S(1, OFF_STATE), 4, UMCG_TASK_RUNNING]]), { kind: 'ttwu', tid: 1 });
      const done = runTask(cfg, s, 1);
      expect([done.returned, done.rv]).toEqual([true, 0]);
    });
    it('returns -EINTR when a signal wakes it', () => {
      const s = take(cfg, wait(idle(), 1).state, { kind: 'signal', tid: 1 });
      expect(runTask(cfg, s, 1).rv).toBe(-EINTR);
    });
    it('returns -EFAULT when the state cannot be read after schedule()', () => {
      let s = wait(idle(), 1).state;
      s = take(cfg, s, { kind: 'page', addr: STRUCT_BASE, status: 'unmapped' });
      s = take(cfg, s, { kind: 'ttwu', tid: 1 });
      expect(runTask(cfg, s, 1).rv).toBe(-EFAULT);
    });
    it('sets TASK_RUNNING again and returns -EFAULT when the state cannot be read before sleeping', () => {
      // A struct straddling two pages: state (offset 0) unmapped, next_tid (offset 12) mapped.
      const U = 0x41000 - OFF_NEXT_TID;
      let s = withWords(implInit(cfg), [[U + OFF_STATE, 4, UMCG_TASK_IDLE], [U + OFF_NEXT_TID, 4, 0]]);
      s = withTask({ ...s, mem: setPageStatus(s.mem, U, 'unmapped') }, 1, { umcg: U });
      const r = wait(s, 1);
      expect(r.rv).toBe(-EFAULT);
      expect(r.state.tasks[0]).toMatchObject({ ks: 'R', onRq: true });
    });
    it('a worker\'s idle loop first clears UMCG_TF_LOCKED with a cmpxchg, then sleeps', () => {
      const s = runningWorker(withWords(implInit(cfg), [[S(2, OFF_STATE), 4, UMCG_TASK_IDLE | UMCG_TF_LOCKED], [S(2, OFF_SERVER_TID), 4, 0]]));
      const r = wait(s, 2);
      expect(r.returned).toBe(false);
      expect(peek(r.state.mem, S(2, OFF_STATE))).toBe(UMCG_TASK_IDLE);
      expect(r.state.tasks[1]).toMatchObject({ ks: 'S', onRq: false });
    });
  });
});
