/**
 * The gallery variant FIXED (docs/bugs/FIXED.md): v0.3 plus a fix for each
 * problem exploration found in v0.3. Each fix is pinned by the schedule that
 * shows the v0.3 problem, run on both variants: v0.3 shows it, FIXED does
 * not. The searches that find no counterexample in FIXED are manifest
 * entries (manifest/variants.json, run by test/engine/variants.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { INVARIANTS } from '../../properties/registry.ts';
import { makeImplSystem, SLEEP_IN_ATOMIC_ID, SPIN_IN_ATOMIC_ID, type ImplChoice, type ImplSystem } from '../../engine/impl-system.ts';
import { execute, Execution } from '../../engine/system.ts';
import { quietPhase } from '../../engine/strategies/run.ts';
import { IDLE_SERVERS_HEAD, IDLE_WORKERS_HEAD, OFF_IDLE_SERVERS_PTR, OFF_IDLE_WORKERS_PTR, OFF_STATE, RUNTIME_LOCK, structOf } from '../../impl/layout.ts';
import { peek, setPageStatus } from '../../impl/memory.ts';
import { GALLERY, V03, variantByName, WARN_SLEEP_IN_ATOMIC, type ImplState } from '../../impl/state.ts';
import { UMCG_TASK_BLOCKED, UMCG_TASK_IDLE, type Profile } from '../../model/types.ts';
import { EFAULT } from '../../model/errno.ts';
import { callRoutine, config, implInit, withTask } from './helpers.ts';

const FIXED = variantByName('FIXED')!;
/** Every check but REFINEMENT, as in FIXED's manifest entries (docs/bugs/FIXED.md, "REFINEMENT"). */
const NO_REFINEMENT = [...INVARIANTS.map((i) => i.id), SLEEP_IN_ATOMIC_ID, SPIN_IN_ATOMIC_ID];

function system(variant: string, o: { workers?: number; yield?: boolean; profile?: Profile; envBudget?: number; only?: readonly string[] } = {}): ImplSystem {
  return makeImplSystem({
    servers: 1,
    workers: o.workers ?? 1,
    memory: 'sc',
    profile: o.profile ?? 'contract',
    yield: o.yield ?? false,
    locks: false,
    envBudget: o.envBudget ?? 0,
    variant: variantByName(variant)!,
    ...(o.only === undefined ? {} : { only: o.only }),
  });
}

/** Take the choice encoded as `text` (it must be enabled). */
function take(sys: ImplSystem, s: ImplState, text: string): ImplState {
  const c = sys.choices(s).find((x) => sys.encodeChoice(x) === text);
  if (c === undefined) throw new Error(`${text} is not enabled`);
  return sys.step(s, c).next;
}

/** Run task `tid` (switching its CPU to it if needed) while it has code to run, at most `max` steps. */
function runWhile(sys: ImplSystem, s0: ImplState, tid: number, max = 200): ImplState {
  let s = s0;
  for (let i = 0; i < max; i++) {
    const cs = sys.choices(s);
    const c: ImplChoice | undefined = cs.find((x) => x.c.kind === 'run' && x.c.tid === tid) ?? cs.find((x) => x.c.kind === 'switch' && x.c.tid === tid && x.cause === 'code');
    if (c === undefined) return s;
    s = sys.step(s, c).next;
  }
  return s;
}

const stateWord = (s: ImplState, tid: number): number => peek(s.mem, structOf(tid) + OFF_STATE) ?? -1;
const onIdleWorkers = (s: ImplState, tid: number): boolean => peek(s.mem, IDLE_WORKERS_HEAD) === structOf(tid) + OFF_IDLE_WORKERS_PTR;

/** `r2-14_y2` -> r2 x 14, y2 (a replay token's schedule). */
function schedule(sys: ImplSystem, text: string): ImplChoice[] {
  return text.split('_').flatMap((part) => {
    const [c, n] = part.split('-');
    return Array<string>(Number(n ?? 1)).fill(c!).map((t) => sys.decodeChoice(t)!);
  });
}

/**
 * Shortest counterexamples, found by `exhaustive` (BFS) searches of the
 * implementation (1 server; 1 worker, or 2 for the last), pinned here.
 */
const F2_SCHEDULE = 'r1-2_r2-14_r1-14_r2-7_y2_r2-6_r1-12_r2-9_r1_r2-4';
const F1_SCHEDULE = 'r1-2_r2-14_r1-11_r2-7_y2_r2-13_r1_r2-9';
const CONTENTION_SCHEDULE = 'r1-2_r2-13_s0t3_r3-14_s0t1_r1-2_r2-3_r1-12_r2-7_s0t3_r3-7_y3_r3-5_r2-5_r3_s0t1_r1-7_r2-2';
/** Found by the exhaustive search of FIXED once the first retry was in: a retry that re-read idle_workers_ptr. */
const CONTENTION_REREAD_SCHEDULE = 'r1-2_r2-14_r1-2_r2-6_s0t3_r3-11_s0t1_r1-12_r2_y2_r2-4_s0t3_r3-5_r2-10_r3-5_s0t1_r1-13_r2-2_y2_r2-4_s0t3_r3-5_r2_r3-5';

describe('FIXED (docs/bugs/FIXED.md)', () => {
  it('INV-BLOCKED-ONLY-WHEN-BLOCKING: no block hook inside sys_umcg_wait (noHooksInWait, F2)', () => {
    const only = ['INV-BLOCKED-ONLY-WHEN-BLOCKING'];
    const v03 = system('v0.3', { yield: true, only });
    expect(execute(v03, schedule(v03, F2_SCHEDULE)).violation?.invariant).toBe('INV-BLOCKED-ONLY-WHEN-BLOCKING');
    const fixed = system('FIXED', { yield: true, only });
    const r = execute(fixed, schedule(fixed, F2_SCHEDULE), { skipDisabled: true });
    expect(r.violation).toBeNull();
    // The schedule has no blocking call: FIXED runs no block hook at all.
    expect(r.trace.some((t) => t.label.includes('umcg_wq_worker_sleeping') || t.label.includes('sched_submit_work'))).toBe(false);
  });

  it('INV-NO-SIGSEGV: a yielded worker is not pushed again by a stray wakeup (noHooksInWait, F1)', () => {
    // v0.3: the late ttwu of S1's context switch wakes W1 in its yield's
    // sys_umcg_wait; the wake hook reads idle_workers_ptr, which the yield's
    // push overwrote (0 on an empty list), and dies.
    const only = ['INV-NO-SIGSEGV'];
    const v03 = system('v0.3', { yield: true, only });
    const bad = execute(v03, schedule(v03, F1_SCHEDULE));
    expect(bad.violation?.invariant).toBe('INV-NO-SIGSEGV');
    expect(bad.trace.at(-1)?.label).toMatch(/umcg_wq_worker_running:die/);
    const fixed = system('FIXED', { yield: true, only });
    const r = execute(fixed, schedule(fixed, F1_SCHEDULE), { skipDisabled: true });
    expect(r.violation).toBeNull();
    expect(r.final.killedBy).toBe(0);
  });

  it('INV-NO-SIGSEGV: umcg_sll_push running out of tries retries instead of killing the worker (noDieOnContention)', () => {
    const only = ['INV-NO-SIGSEGV'];
    const v03 = system('v0.3', { workers: 2, yield: true, only });
    const bad = execute(v03, schedule(v03, CONTENTION_SCHEDULE), { skipDisabled: true });
    expect(bad.violation?.invariant).toBe('INV-NO-SIGSEGV');
    const fixed = system('FIXED', { workers: 2, yield: true, only });
    const r = execute(fixed, schedule(fixed, CONTENTION_SCHEDULE));
    expect(r.violation).toBeNull();
    expect(r.final.killedBy).toBe(0);
    // W1's fourth CAS failed; instead of umcg_die() it pushes again.
    expect(r.trace.at(-1)?.label).toMatch(/^T2 umcg_sll_push:start smp_mb\(\)/);
    expect(r.final.tasks[1]!.stack.map((f) => f.fn)).toEqual(['worker', 'sys_umcg_ctl', 'umcg_wq_worker_running', 'umcg_sll_push', 'get_user']);
  });

  it('INV-NO-SIGSEGV: the retry pushes onto the head read before the first round, not the node\'s overwritten idle_workers_ptr (noDieOnContention)', () => {
    // Each failed umcg_sll_push round stores `first` into the node, which is
    // the worker's own idle_workers_ptr: re-reading it for the retry read 0
    // (an empty list at that moment) and died.
    const fixed = system('FIXED', { workers: 2, yield: true, only: ['INV-NO-SIGSEGV'] });
    const r = execute(fixed, schedule(fixed, CONTENTION_REREAD_SCHEDULE), { skipDisabled: true });
    expect(r.violation).toBeNull();
    expect(r.final.killedBy).toBe(0);
    // W2 (T3) used up max_tries = 4 CAS attempts and starts a new round on the list head.
    expect(r.trace.filter((t) => t.label.startsWith('T3 umcg_sll_push:cas_done')).length).toBe(4);
    const push = r.final.tasks[2]!.stack.find((f) => f.fn === 'umcg_sll_push')!;
    expect(push.v.step).toBe(0);
    expect(push.v.head).toBe(IDLE_WORKERS_HEAD);
    expect(r.trace.at(-1)?.label).toBe('T3 umcg_sll_push:got_head > get_user:access 0x20008');
  });


  it('is v0.3 with only the FIXED flags set', () => {
    const flags = Object.entries(FIXED).filter(([k, v]) => typeof v === 'boolean' && v !== (V03 as unknown as Record<string, unknown>)[k]).map(([k]) => k);
    expect(flags.sort()).toEqual(['futexRuntimeLock', 'gcRemovesOwnIdleNode', 'hookWaitUninterruptible', 'noDieOnContention', 'noHooksInWait', 'nofaultInAtomic', 'popRetryCurr', 'wakeHookAtCallExit']);
    expect(GALLERY.map((v) => v.name)).toContain('FIXED');
    expect(FIXED.history).toMatch(/§/);
  });

  it(`${SLEEP_IN_ATOMIC_ID}: with preemption disabled a fault is -EFAULT, not a fix-up (nofaultInAtomic, B-SLEEP-ATOMIC)`, () => {
    const a = structOf(1) + OFF_STATE;
    for (const [variant, warned] of [[V03, true], [FIXED, false]] as const) {
      const cfg = config({ variant });
      const s = withTask(implInit(cfg), 1, { preempt: 1 });
      const r = callRoutine(cfg, { ...s, mem: setPageStatus(s.mem, a, 'notPresent') }, 1, 'cmpxchg_user_32', { a, w: 4, old: 1, nw: 2 });
      expect((r.state.warn & WARN_SLEEP_IN_ATOMIC) !== 0, variant.name).toBe(warned);
      if (!warned) {
        expect(r.rv).toBe(-EFAULT);
        expect(r.labels.some((l) => l.includes('fix_pagefault'))).toBe(false);
      }
    }
    // With preemption enabled FIXED still fixes the fault up and retries.
    const cfg = config({ variant: FIXED });
    const s = implInit(cfg);
    const r = callRoutine(cfg, { ...s, mem: setPageStatus(s.mem, a, 'notPresent') }, 1, 'cmpxchg_user_32', { a, w: 4, old: 1, nw: 2 });
    expect(r.rv).toBe(0);
  });

  it('INV-KERNEL-RETURNS-RUNNING: a signal during the wake hook\'s wait does not return an IDLE worker to userspace (hookWaitUninterruptible, F3)', () => {
    // W1 registers and sleeps in the wake hook's idle loop (no server has
    // run yet); the environment signals it.
    for (const [variant, violated] of [['v0.3', true], ['FIXED', false]] as const) {
      const sys = system(variant, { profile: 'adversarial', envBudget: 1, only: ['INV-KERNEL-RETURNS-RUNNING'] });
      const choices: string[] = [];
      let s = sys.initial();
      const code = (tid: number): void => {
        for (let i = 0; i < 100; i++) {
          const c = sys.choices(s).find((x) => (x.c.kind === 'run' || x.c.kind === 'switch') && x.c.tid === tid && x.cause === 'code');
          if (c === undefined) return;
          choices.push(sys.encodeChoice(c));
          s = sys.step(s, c).next;
        }
      };
      code(2);
      expect(s.tasks[1]!.ks, variant).toBe(variant === 'v0.3' ? 'S' : 'D');
      choices.push('g2');
      s = take(sys, s, 'g2');
      code(2);
      const r = execute(sys, choices.map((t) => sys.decodeChoice(t)!));
      expect(r.violation?.invariant === 'INV-KERNEL-RETURNS-RUNNING', variant).toBe(violated);
      if (!violated) expect(s.tasks[1]!.stack.map((f) => f.fn), variant).toContain('umcg_wq_worker_running');
    }
  });

  it('F4: a wakeup inside a blocking syscall leaves the worker BLOCKED and off idle_workers until the syscall returns (wakeHookAtCallExit)', () => {
    // S1 runs W1; W1 blocks (the block hook marks it BLOCKED and wakes S1);
    // then a spurious ttwu wakes W1 inside its syscall.
    for (const [variant, requeued] of [['v0.3', true], ['FIXED', false]] as const) {
      const sys = system(variant, { profile: 'adversarial', envBudget: 1, only: ['INV-KERNEL-RETURNS-RUNNING'] });
      let s = sys.initial();
      for (let round = 0; round < 20; round++) {
        s = runWhile(sys, s, 2);
        s = runWhile(sys, s, 1);
      }
      expect(s.tasks[1]!.stack.map((f) => f.pc), variant).toEqual(['user']);
      s = take(sys, s, 'b2');
      s = runWhile(sys, s, 2);
      expect(stateWord(s, 2), variant).toBe(UMCG_TASK_BLOCKED);
      expect(s.tasks[1]!.ks, variant).toBe('D');
      s = take(sys, s, 't2');
      s = runWhile(sys, s, 2, 60);
      expect(onIdleWorkers(s, 2), variant).toBe(requeued);
      expect(stateWord(s, 2), variant).toBe(requeued ? UMCG_TASK_IDLE : UMCG_TASK_BLOCKED);
      expect(s.tasks[1]!.stack.some((f) => f.fn === 'blocking_call'), variant).toBe(true);
    }
  });

  it('LIVE-BOUNDED-PROGRESS: a server preempted while it holds the runtime lock runs again, because the other server sleeps on the lock (futexRuntimeLock)', () => {
    // One CPU, two servers: S1 takes the lock and is preempted; S2 runs and
    // wants the lock. Then workload and environment stop (no more
    // preemption). v0.3's spinlock: S2 spins on the CPU S1 needs.
    for (const [variant, spins] of [[{ ...FIXED, name: 'FIXED without futexRuntimeLock', futexRuntimeLock: false }, true], [FIXED, false]] as const) {
      const sys = makeImplSystem({ servers: 2, workers: 0, cpus: 1, memory: 'sc', profile: 'contract', yield: false, locks: false, envBudget: 0, variant, only: NO_REFINEMENT });
      const run = new Execution(sys);
      for (const text of ['r1', 's0t2']) run.take(run.find(sys.decodeChoice(text)!)!);
      expect(run.state.tasks[0]!.stack.at(-1)!.pc, variant.name).toBe('gc_load_prev'); // S1 holds the lock
      quietPhase(run);
      if (spins) {
        expect(run.violation?.invariant, variant.name).toBe('LIVE-BOUNDED-PROGRESS');
        expect(run.trace.at(-1)!.label, variant.name).toBe('T2 server:loop lock');
        continue;
      }
      expect(run.violation, variant.name).toBeNull();
      const labels = run.trace.map((t) => t.label);
      // S2 marks the word contended and sleeps in futex_wait; S1's unlock wakes it.
      expect(labels).toContain('T2 server:loop lock: cmpxchg(lock, 1, 2)');
      expect(labels).toContain('T2 server:loop futex_wait(lock, 2): hb lock; uval = *lock == 2: set_current_state(TASK_INTERRUPTIBLE); queue_me');
      expect(labels).toContain('T2 server:loop futex_wait_queue_me: schedule(): rq lock deactivate_task: sleeps');
      expect(labels).toContain('T1 server:unlock_idle futex_wake(lock, 1): hb lock: dequeue T2, wake_up_q = 1');
      expect(labels).toContain('T2 server:loop futex_wait: unqueue_me (hb lock): futex_wake dequeued us, return 0');
      // Both servers end idle, asleep in sys_umcg_wait, the lock free.
      expect(peek(run.state.mem, RUNTIME_LOCK)).toBe(0);
      expect(run.state.tasks.map((t) => t.ks)).toEqual(['S', 'S']);
      expect(run.state.tasks.every((t) => t.stack.some((f) => f.fn === 'sys_umcg_wait'))).toBe(true);
    }
  });

  it('the futex lock: a signal or a spurious wakeup of a waiter sends it back round the lock loop (futexRuntimeLock)', () => {
    for (const event of ['g2', 't2']) {
      const sys = makeImplSystem({ servers: 2, workers: 0, cpus: 1, memory: 'sc', profile: 'adversarial', yield: false, locks: false, envBudget: 1, variant: FIXED, only: NO_REFINEMENT });
      const run = new Execution(sys);
      for (const text of ['r1', 's0t2', 'r2', 'r2', 'r2', 'r2']) run.take(run.find(sys.decodeChoice(text)!)!);
      expect(run.state.tasks[1]!.ks).toBe('S'); // asleep on the futex
      expect(run.state.tasks[1]!.onRq).toBe(false);
      expect(run.state.tasks[1]!.stack.at(-1)!.v.fq).toBe(1);
      for (const text of [event, 's0t2', 'r2']) run.take(run.find(sys.decodeChoice(text)!)!);
      expect(run.trace.at(-1)!.label, event).toBe(
        event === 'g2'
          ? 'T2 server:loop futex_wait: unqueue_me (hb lock): signal pending, -EINTR; the signal handler runs'
          : 'T2 server:loop futex_wait: unqueue_me (hb lock): still queued (a spurious wakeup), futex_wait_setup again',
      );
      expect(run.state.tasks[1]!.sig).toBe(false);
      expect(run.state.tasks[1]!.stack.at(-1)!.v.fq).toBe(0);
      quietPhase(run);
      expect(run.violation, event).toBeNull();
      expect(peek(run.state.mem, RUNTIME_LOCK)).toBe(0);
    }
  });

  it('a server that returns from its wait while its node is still on idle_servers does not push the node twice (gcRemovesOwnIdleNode)', () => {
    // S1 goes idle (its node on idle_servers, asleep in sys_umcg_wait). The
    // environment stores RUNNING into its state word and wakes it
    // spuriously: umcg_idle_loop returns 0 with the node still on the list.
    // Twice: the second time the gc walks what the first left.
    const node = structOf(1) + OFF_IDLE_SERVERS_PTR;
    for (const [variant, doubled] of [[{ ...FIXED, name: 'FIXED without gcRemovesOwnIdleNode', gcRemovesOwnIdleNode: false }, true], [FIXED, false]] as const) {
      const sys = makeImplSystem({ servers: 1, workers: 0, memory: 'sc', profile: 'adversarial', yield: false, locks: false, envBudget: 4, variant, only: NO_REFINEMENT });
      const run = new Execution(sys);
      quietPhase(run);
      expect(run.violation, variant.name).toBeNull();
      expect(peek(run.state.mem, IDLE_SERVERS_HEAD), variant.name).toBe(node);
      for (const round of [1, 2]) {
        for (const text of ['w1t1', 't1']) run.take(run.find(sys.decodeChoice(text)!)!);
        quietPhase(run);
        if (doubled && round === 1) {
          // The idle push linked the node to itself: a cycle (INV-LIST-NO-DUPLICATE is a contract check).
          expect(run.violation, variant.name).toBeNull();
          expect(peek(run.state.mem, node), variant.name).toBe(node);
        }
      }
      if (doubled) {
        // The second gc walks the cycle forever.
        expect(run.violation?.invariant, variant.name).toBe('LIVE-BOUNDED-PROGRESS');
        expect(run.trace.at(-1)!.label, variant.name).toMatch(/^T1 server:gc_load_/);
        continue;
      }
      expect(run.violation, variant.name).toBeNull();
      expect(run.trace.filter((t) => t.label === 'T1 server:gc_load_curr gc: mark own node deleted (still on idle_servers)').length).toBe(2);
      // Idle again, on idle_servers once.
      expect(peek(run.state.mem, IDLE_SERVERS_HEAD)).toBe(node);
      expect(peek(run.state.mem, node)).toBe(0);
      expect(run.state.tasks[0]!.ks).toBe('S');
    }
  });
});
