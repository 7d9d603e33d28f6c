/**
 * The step interpreter: one {@link Exec} per step, a mutable working copy
 * of the parts of the state the step touches (copy-on-write, shallow).
 *
 * The rule that makes every shared access its own step: a step runs the
 * task's routines from its current frame, performs exactly one shared
 * access (a user-memory load/store/cmpxchg/fence, a ttwu, a
 * set_current_state, a __schedule, a read of another task's kernel fields,
 * umcg_die), then keeps running purely local code until the next routine
 * would perform a second access. That routine throws {@link STOP} from its
 * access helper *before* it mutates anything (every handler performs its
 * access before its first mutation), so the state after a step is always
 * "about to perform the next access". A fence or locked instruction that
 * finds its CPU's store buffer non-empty throws {@link BLOCKED} instead:
 * the whole step is discarded and the task is not enabled.
 */
import {
  fixupFault,
  load,
  lockedCmpxchg,
  mfence,
  store,
  type LoadResult,
  type MemoryState,
  type Width,
} from './memory.ts';
import { WF_CURRENT_CPU } from './layout.ts';
import type { Frame, ImplConfig, ImplState, KState, KTask } from './state.ts';
import type { Tid } from '../model/types.ts';

const HELPERS = new Set(['get_user', 'get_user_nosleep', 'put_user', 'cmpxchg_user_32', 'cmpxchg_user_64']);

export const STOP = new Error('stop: second access');
export const BLOCKED = new Error('blocked: store buffer not empty');

/** What the step did to shared state, for traces and later checkers. */
export interface Access {
  readonly kind:
    | 'load'
    | 'store'
    | 'cmpxchg'
    | 'fence'
    | 'fixup'
    | 'ttwu'
    | 'set_current_state'
    | 'schedule'
    | 'task_read'
    | 'task_write'
    | 'die'
    | 'drain'
    | 'switch'
    | 'env';
  readonly addr?: number;
  readonly value?: number;
}

type Mut<T> = { -readonly [K in keyof T]: T[K] };
export type MTask = Mut<KTask> & { stack: Frame[] };

export class Exec {
  mem: MemoryState;
  tasks: KTask[];
  cpus: Tid[];
  envBudget: number;
  killedBy: Tid;
  warn: number;
  private copied = new Set<number>();
  accessed = false;
  label = '';
  access: Access | undefined;
  /** The running task (a mutable copy), or undefined for environment steps. */
  cur: MTask | undefined;

  constructor(
    s: ImplState,
    readonly cfg: ImplConfig,
    tid: Tid,
  ) {
    this.mem = s.mem;
    this.tasks = s.tasks.slice();
    this.cpus = s.cpus.slice();
    this.envBudget = s.envBudget;
    this.killedBy = s.killedBy;
    this.warn = s.warn;
    if (tid !== 0) this.cur = this.task(tid);
  }

  /** A mutable copy of task `tid` (copied once per step). */
  task(tid: Tid): MTask {
    const i = tid - 1;
    if (!this.copied.has(i)) {
      const t = this.tasks[i];
      if (t === undefined) throw new RangeError(`no task ${tid}`);
      this.tasks[i] = { ...t, stack: t.stack.slice() };
      this.copied.add(i);
    }
    return this.tasks[i] as MTask;
  }

  finish(): ImplState {
    return {
      mem: this.mem,
      tasks: this.tasks,
      cpus: this.cpus,
      envBudget: this.envBudget,
      killedBy: this.killedBy,
      warn: this.warn,
    };
  }

  get t(): MTask {
    if (this.cur === undefined) throw new Error('no current task');
    return this.cur;
  }

  top(): Frame {
    const f = this.t.stack[this.t.stack.length - 1];
    if (f === undefined) throw new Error('empty stack');
    return f;
  }

  /** Move the top frame to `pc`, updating some locals. */
  go(pc: string, patch?: Record<string, number>): void {
    const st = this.t.stack;
    const f = st[st.length - 1]!;
    st[st.length - 1] = { fn: f.fn, pc, v: patch === undefined ? f.v : { ...f.v, ...patch } };
  }

  /** Call `fn(args)`; the caller resumes at `retPc`. */
  call(fn: string, args: Record<string, number>, retPc: string, patch?: Record<string, number>): void {
    this.go(retPc, patch);
    this.t.stack.push({ fn, pc: 'start', v: args });
  }

  ret(rv: number, rv2 = 0): void {
    this.t.stack.pop();
    this.t.rv = rv;
    this.t.rv2 = rv2;
  }

  /** Claim this step's one access; a second claim stops the step before it happens. */
  begin(kind: Access['kind'], what: string, addr?: number): void {
    if (this.accessed) throw STOP;
    this.accessed = true;
    const st = this.cur === undefined ? [] : this.cur.stack;
    const f = st[st.length - 1];
    const caller = st[st.length - 2];
    const helper = f !== undefined && HELPERS.has(f.fn) && caller !== undefined ? `${caller.fn}:${caller.pc} > ` : '';
    this.label = f === undefined ? what : `${helper}${f.fn}:${f.pc}${what === '' ? '' : ' ' + what}`;
    this.access = addr === undefined ? { kind } : { kind, addr };
  }

  get cpu(): number {
    return this.t.cpu;
  }

  // --- user memory, through impl/memory.ts ------------------------------

  ld(addr: number, w: Width, what = ''): LoadResult {
    this.begin('load', what, addr);
    return load(this.mem, this.cpu, addr, w);
  }

  /**
   * MOV [addr], value: 'ok', 'notPresent' (a page fault the caller may fix
   * up and retry), or 'fault' (unmapped: -EFAULT or SIGSEGV). Any
   * alignment, like a load.
   */
  st(addr: number, w: Width, value: number, what = ''): 'ok' | 'notPresent' | 'fault' {
    this.begin('store', what, addr);
    const r = store(this.mem, this.cpu, addr, w, value);
    if (r.kind === 'ok') {
      this.mem = r.state;
      return 'ok';
    }
    return r.kind === 'notPresent' ? 'notPresent' : 'fault';
  }

  /**
   * LOCK CMPXCHG. A split lock (operand across a 64-byte line, see
   * impl/memory.ts) depends on the mode the task runs in, with Linux's
   * default `split_lock_detect=warn`:
   *
   * - kernel mode (the access is made from a kernel uaccess helper,
   *   `cmpxchg_user_32/64`, the only v0.3 kernel code that issues a locked
   *   instruction on user memory): #AC, which the helper's exception-table
   *   fixup turns into -EFAULT, reported here as 'splitLock' (spec §6.2
   *   B-ALIGN: the caller then "fixes" a page that is present and retries);
   * - user mode (the runtime): the #AC handler warns once, disables
   *   detection for the task and re-executes the instruction, which then
   *   completes as a bus lock. Modelled as one atomic step that succeeds;
   *   the warning is not recorded. NOT MODELLED: `split_lock_detect=fatal`
   *   (SIGBUS) and `ratelimit`.
   */
  cas(
    addr: number,
    w: Width,
    expected: number,
    desired: number,
    what = '',
  ): { kind: 'ok'; observed: number; swapped: boolean } | { kind: 'notPresent' | 'splitLock' | 'fault' } {
    this.begin('cmpxchg', what, addr);
    const r = lockedCmpxchg(this.mem, this.cpu, addr, w, expected, desired, { splitLockDetect: this.kernelMode() });
    if (r.kind === 'blocked') throw BLOCKED;
    if (r.kind === 'ok') {
      this.mem = r.state;
      return { kind: 'ok', observed: r.observed, swapped: r.swapped };
    }
    if (r.kind === 'splitLock') this.label += ' #AC (split lock)';
    if (r.kind === 'notPresent' || r.kind === 'splitLock') return { kind: r.kind };
    return { kind: 'fault' };
  }

  /** The running task is executing a kernel uaccess helper (its top frame), not userspace code. */
  private kernelMode(): boolean {
    const st = this.cur === undefined ? [] : this.cur.stack;
    const f = st[st.length - 1];
    return f !== undefined && HELPERS.has(f.fn);
  }

  /** MFENCE / smp_mb(): enabled only with an empty store buffer. */
  fence(what = 'smp_mb()'): void {
    this.begin('fence', what);
    if (mfence(this.mem, this.cpu).kind === 'blocked') throw BLOCKED;
  }

  /** fix_pagefault(): mmap_read_lock + fixup_user_fault. May sleep. */
  fixup(addr: number, what = ''): boolean {
    this.begin('fixup', what, addr);
    if (this.t.preempt > 0) this.warn |= 1;
    const r = fixupFault(this.mem, addr);
    if (r.kind !== 'ok') return false;
    this.mem = r.state;
    return true;
  }

  /** A step that takes a lock or is a full barrier but touches no user word (rq lock, set_current_state). */
  barrier(kind: Access['kind'], what: string): void {
    this.begin(kind, what);
    if (mfence(this.mem, this.cpu).kind === 'blocked') throw BLOCKED;
  }

  // --- the scheduler (patch 1 and the core around it) ------------------

  /**
   * The deactivate part of __schedule() for the current task: off its
   * runqueue and its CPU when `sleeps`, else TASK_RUNNING again. Appends
   * what happened to the step's label.
   */
  scheduleOut(sleeps: boolean): void {
    const t = this.t;
    if (sleeps) {
      t.onRq = false;
      if (this.cpus[t.cpu] === t.tid) this.cpus[t.cpu] = 0;
      this.label += ' deactivate_task: sleeps';
    } else {
      t.ks = 'R';
      this.label += ' stays runnable';
    }
  }

  /**
   * try_to_wake_up(p, state, wake_flags): 1 when p's state matched `mask`
   * and is now TASK_RUNNING (queued if it was off the runqueue), else 0.
   * WF_CURRENT_CPU places the wakee on the waker's CPU when its affinity
   * allows it (select_task_rq_fair); otherwise it stays on its previous CPU.
   * @see kernel/sched/core.c: try_to_wake_up; kernel/sched/fair.c: select_task_rq_fair
   */
  tryToWakeUp(tid: Tid, mask: readonly KState[], wf: number, wakerCpu: number): 0 | 1 {
    const p = this.tasks[tid - 1];
    if (p === undefined || p.end !== 'none' || !mask.includes(p.ks)) return 0;
    const m = this.task(tid);
    m.ks = 'R';
    if (!m.onRq) {
      let cpu = m.cpu;
      if ((wf & WF_CURRENT_CPU) !== 0 && wakerCpu >= 0 && (m.allowed >> wakerCpu) & 1) cpu = wakerCpu;
      else if (!((m.allowed >> cpu) & 1)) cpu = Math.log2(m.allowed & -m.allowed);
      m.cpu = cpu;
      m.onRq = true;
    }
    return 1;
  }

  /** force_sig(SIGSEGV) with the default action: the whole process dies. */
  kill(tid: Tid): void {
    this.killedBy = tid;
    const m = this.task(tid);
    m.end = 'sigsegv';
  }
}

/** TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE. */
export const TASK_NORMAL: readonly KState[] = ['S', 'D'];
export const TASK_INTERRUPTIBLE: readonly KState[] = ['S'];

export type Handler = (x: Exec, f: Frame) => void;
