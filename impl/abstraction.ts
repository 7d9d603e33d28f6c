/**
 * The abstraction function impl -> model, and the refinement check built
 * on it: every implementation step must leave the abstract state unchanged
 * (a stutter) or take exactly one enabled model transition.
 *
 * Where the model folds several accesses of one thread into one step, the
 * early accesses are hidden here until the commit access (impl/README.md
 * lists every case):
 *
 * - program counters: a task's model pc is read off its frame stack (see
 *   `control`); all accesses before a model step's commit map to the pc the
 *   model is at, the commit access moves to the next pc.
 * - `srv:run:assign`: worker->server_tid and self->next_tid are stored
 *   before worker->state; until the last store they show their old values.
 * - `sys_umcg_wait` returning: the runtime's `self->next_tid = 0` store
 *   shows as already done (the model clears next_tid on return).
 * - umcg_idle_loop: the LOCKED bit shows cleared during the unlock
 *   prologue. (set_current_state and the read of `state` are separate model
 *   steps, 'idle_loop' and 'idle_loop:check', as in the code.)
 * - a blocking call woken before its completion: back in its wait loop it
 *   shows TASK_RUNNING until the set_current_state(TASK_UNINTERRUPTIBLE)
 *   access, which is the model's 'call:wait' step.
 * - `srv:loop`'s gc of idle_servers: nodes the gc unlinks stay in the
 *   abstract list until the loop's commit (the pop of idle_workers), and
 *   nodes still marked at that commit disappear from it (ghost
 *   `ghostCollected`) although a later gc unlinks them physically.
 */
import { stateKey } from '../model/canon.ts';
import { candidateActions } from '../model/init.ts';
import { applyMutable, decodeState, enabled, type Action, type Step } from '../model/transitions.ts';
import type { ListNode, ModelConfig, Pc, Registration, State, Task, Tid, UmcgWord } from '../model/types.ts';
import {
  IDLE_SERVERS_HEAD,
  IDLE_WORKERS_HEAD,
  OFF_IDLE_SERVERS_PTR,
  OFF_IDLE_WORKERS_PTR,
  OFF_NEXT_TID,
  OFF_SERVER_TID,
  OFF_STATE,
  STRUCT_BASE,
  STRUCT_SIZE,
  bit0,
  clear0,
  structOf,
} from './layout.ts';
import { peek } from './memory.ts';
import type { Frame, ImplConfig, ImplState, KTask } from './state.ts';

export class AbstractionError extends Error {}

export function modelConfigOf(cfg: ImplConfig): ModelConfig {
  return { servers: cfg.servers, workers: cfg.workers, profile: cfg.profile, yield: cfg.yield, locks: cfg.locks, envBudget: cfg.envBudget };
}

/** What the stack says about a task, in model terms. */
interface Control {
  pc: Pc;
  other: Tid;
  hookFrom: 'call' | 'wait';
  /** Overrides of the kernel task state and of words not yet committed. */
  kstate?: 'running' | 'interruptible';
  nextTid?: Tid;
  unlocked?: boolean;
  /** [worker tid, server_tid it shows] while a server is inside srv:run:assign. */
  hideServerTid?: readonly [Tid, Tid];
  /** Inside a blocking call whose completion came (registration's hook counts as done). */
  callDone?: boolean;
}

const SERVER_PC: Readonly<Record<string, Pc>> = {
  loop: 'srv:loop',
  gc_load_prev: 'srv:loop',
  gc_load_curr: 'srv:loop',
  gc_cas: 'srv:loop',
  pop_head: 'srv:loop',
  pop_next: 'srv:loop',
  pop_cas: 'srv:loop',
  restore: 'srv:run:set_self_idle',
  unlock_run: 'srv:run:set_self_idle',
  run_set_idle: 'srv:run:set_self_idle',
  run_assign_srv: 'srv:run:assign',
  run_assign_next: 'srv:run:assign',
  run_assign_state: 'srv:run:assign',
  wait: 'wait:enter',
  after_wait: 'wait:enter',
  clear_next: 'srv:loop',
  eintr_clear: 'wait:eintr',
  eintr: 'wait:eintr',
  unlock_idle: 'srv:idle:set_self_idle',
  idle_set_idle: 'srv:idle:set_self_idle',
  idle_set_next: 'srv:idle:push_self',
  push_load: 'srv:idle:push_self',
  push_link: 'srv:idle:push_self',
  push_cas: 'srv:idle:push_self',
  idle_fence: 'srv:idle:recheck',
  recheck: 'srv:idle:recheck',
  rm_head: 'srv:idle:remove_self',
  rm_next: 'srv:idle:remove_self',
  rm_cas: 'srv:idle:remove_self',
  rm_lock: 'srv:idle:remove_self',
  rm_unlock_loop: 'srv:loop',
  rm_unlock_wait: 'wait:enter',
  unregistered: 'unregistered',
};

const WORKER_PC: Readonly<Record<string, Pc>> = {
  register: 'wkr:register',
  user: 'wkr:user',
  yield_load_srv: 'wkr:yield:set_idle',
  yield_set_idle: 'wkr:yield:set_idle',
  yield_wake_srv: 'wkr:yield:wake_server',
  push_load: 'wkr:yield:push_self',
  push_link: 'wkr:yield:push_self',
  push_cas: 'wkr:yield:push_self',
  yield_set_next: 'wait:enter',
  wait: 'wait:enter',
  after_wait: 'wait:enter',
  clear_next: 'wkr:user',
  eintr_clear: 'wait:eintr',
  eintr: 'wait:eintr',
  unregistered: 'unregistered',
};

function runtimeControl(t: KTask, r: Frame): Control {
  const table = t.role === 'server' ? SERVER_PC : WORKER_PC;
  const pc = table[r.pc];
  if (pc === undefined) throw new AbstractionError(`T${t.tid}: runtime pc ${r.fn}:${r.pc} has no model pc`);
  const c: Control = { pc, other: 0, hookFrom: 'wait' };
  const v = r.v;
  if (t.role === 'server') {
    if (pc === 'srv:run:set_self_idle' || pc === 'srv:run:assign') c.other = v.w!;
    if (r.pc === 'run_assign_next' || r.pc === 'run_assign_state') c.hideServerTid = [v.w!, v.oldsrv!];
    if (r.pc === 'run_assign_state') c.nextTid = v.oldnext!;
  } else {
    if (pc === 'wkr:yield:push_self' || pc === 'wkr:yield:wake_server') c.other = v.srv!;
    if (r.pc === 'yield_set_next') c.nextTid = v.srv!;
  }
  if (r.pc === 'clear_next' || r.pc === 'eintr_clear' || r.pc === 'idle_set_next') c.nextTid = 0;
  return c;
}

const HELPERS = new Set(['get_user', 'get_user_nosleep', 'put_user', 'cmpxchg_user_32', 'cmpxchg_user_64']);

function fnAt(t: KTask, i: number): string | undefined {
  return t.stack[i]?.fn;
}

function tidOfStruct(ut: number): Tid {
  return (ut - STRUCT_BASE) / STRUCT_SIZE + 1;
}

/** The control state of a task whose stack has kernel frames above the runtime's. */
function kernelControl(s: ImplState, t: KTask): Control {
  const k = t.stack[1]!;
  const wait = (pc: Pc, extra: Partial<Control> = {}): Control => ({ pc, other: 0, hookFrom: 'wait', ...extra });
  const call = (pc: Pc, extra: Partial<Control> = {}): Control => ({ pc, other: 0, hookFrom: 'call', ...extra });
  switch (k.fn) {
    case 'sys_umcg_ctl': {
      const done = (pc: Pc, extra: Partial<Control> = {}): Control => call(pc, { callDone: true, ...extra });
      if (fnAt(t, 2) === 'umcg_wq_worker_running') return wakeHook(s, t, 2, 'update_worker', done);
      return wait(t.role === 'server' ? 'srv:register' : 'wkr:register');
    }
    case 'blocking_call': {
      const inCall = (pc: Pc, extra: Partial<Control> = {}): Control => call(pc, { callDone: k.v.done === 1, ...extra });
      if (fnAt(t, 2) === 'schedule') return sched(s, t, 2, inCall);
      // Variant wakeHookAtCallExit (FIXED): the wake hook on the syscall's way out.
      if (fnAt(t, 2) === 'umcg_wq_worker_running') return wakeHook(s, t, 2, 'update_worker', inCall);
      // Back in the wait loop after an early wakeup: the model's 'call:wait'
      // step is the set_current_state(TASK_UNINTERRUPTIBLE) access and the
      // condition check after it, so until then the task shows TASK_RUNNING.
      return inCall('call:wait', { kstate: 'running' });
    }
    case 'sys_umcg_wait': {
      const a = fnAt(t, 2);
      if (a === 'umcg_do_context_switch') {
        if (fnAt(t, 3) === 'umcg_idle_loop') return idle(s, t, 3, wait);
        return wait('wait:enter');
      }
      if (a === 'umcg_idle_loop') return idle(s, t, 2, wait);
      return wait('wait:enter');
    }
  }
  throw new AbstractionError(`T${t.tid}: unexpected kernel entry ${k.fn}`);
}

type Mk = (pc: Pc, extra?: Partial<Control>) => Control;

/** umcg_idle_loop called by sys_umcg_wait (directly or via umcg_do_context_switch). */
function idle(s: ImplState, t: KTask, j: number, mk: Mk): Control {
  const I = t.stack[j]!;
  if (fnAt(t, j + 1) === 'schedule') {
    if (t.role === 'worker') return sched(s, t, j + 1, mk);
    return mk('sleep');
  }
  switch (I.pc) {
    case 'start':
    case 'unlock_mb':
    case 'unlock_got':
    case 'unlock_done':
      return mk('idle_loop', { unlocked: true });
    case 'set_interruptible':
      return mk('idle_loop');
    case 'mb':
    case 'got_state':
      return mk('idle_loop:check');
    case 'after':
    case 'got_state2':
      return mk(t.role === 'worker' ? 'idle_loop:after' : 'sleep');
  }
  throw new AbstractionError(`T${t.tid}: umcg_idle_loop:${I.pc}`);
}

/** schedule() at stack[j]. */
function sched(s: ImplState, t: KTask, j: number, mk: Mk): Control {
  const S = t.stack[j]!;
  const above = fnAt(t, j + 1);
  const skipped = S.v.skipped === 1;
  if (above === 'umcg_wq_worker_sleeping') return sleepHook(s, t, j + 1, mk);
  if (above === 'umcg_wq_worker_running') return wakeHook(s, t, j + 1, skipped ? 'submit_work' : 'sleep', mk);
  switch (S.pc) {
    case 'start':
    case 'submit_check':
      return mk('submit_work');
    case 'submit_done':
    case '__schedule':
      return mk(skipped ? 'submit_work' : 'sleep');
    case 'after':
    case 'done':
      return mk('sleep');
  }
  throw new AbstractionError(`T${t.tid}: schedule:${S.pc}`);
}

function sleepHook(s: ImplState, t: KTask, h: number, mk: Mk): Control {
  const H = t.stack[h]!;
  const above = fnAt(t, h + 1);
  if (above === 'wq_worker_change_state') return mk('submit_work:change_state');
  if (above === 'try_to_wake_server') {
    const T = t.stack[h + 1]!;
    return mk(fnAt(t, h + 2) === 'umcg_ttwu' ? 'submit_work:ttwu' : 'submit_work:wake_server', { other: T.v.tid! });
  }
  if (H.pc === 'got_server') {
    const srv = peek(s.mem, structOf(t.tid) + OFF_SERVER_TID) ?? 0;
    return mk(srv === 0 ? 'sleep' : 'submit_work:wake_server', { other: srv });
  }
  // Inside umcg_wq_worker_sleeping: sched_submit_work's task-state check is done.
  return mk('submit_work:change_state');
}

function wakeHook(s: ImplState, t: KTask, r: number, base: Pc, mk: Mk): Control {
  const R = t.stack[r]!;
  const above = fnAt(t, r + 1);
  if (above === 'wq_worker_change_state' || R.pc === 'start' || R.pc === 'changed') return mk(base);
  if (above === 'umcg_sll_push' || R.pc === 'got_workers_head' || R.pc === 'pushed') return mk('update_worker:push');
  if (above === 'umcg_sll_pop' || R.pc === 'mb' || R.pc === 'got_servers_head' || R.pc === 'popped') return mk('update_worker:pop_server');
  if (above === 'try_to_wake_server') {
    const T = t.stack[r + 1]!;
    if (fnAt(t, r + 2) === 'umcg_ttwu') return mk('update_worker:ttwu', { other: T.v.tid! });
    return mk('update_worker:wake_server', { other: tidOfStruct(T.v.ut!) });
  }
  if (above === 'umcg_idle_loop') {
    const I = t.stack[r + 1]!;
    if (fnAt(t, r + 2) === 'schedule') return mk('update_worker:schedule');
    switch (I.pc) {
      case 'start':
      case 'set_interruptible':
        return mk('update_worker:idle_loop');
      case 'mb':
      case 'got_state':
        return mk('update_worker:check');
      default:
        return mk('update_worker:schedule');
    }
  }
  if (R.pc === 'idle') return mk('update_worker:idle_loop');
  return mk(base);
}

function control(s: ImplState, t: KTask): Control {
  if (t.end !== 'none') return { pc: 'dead', other: 0, hookFrom: 'wait' };
  const r = t.stack[0];
  if (r === undefined) throw new AbstractionError(`T${t.tid}: empty stack`);
  if (t.stack.length === 1) return runtimeControl(t, r);
  const c = kernelControl(s, t);
  if (c.pc === 'wait:enter' && fnAt(t, 1) === 'sys_umcg_wait') {
    // Before the commit the runtime's own next_tid is what the syscall reads.
  }
  return c;
}

function walk(s: ImplState, head: number, off: number, list: string): ListNode[] {
  const out: ListNode[] = [];
  let addr = peek(s.mem, head) ?? 0;
  if (bit0(addr) === 1) throw new AbstractionError(`${list}: head has bit 0 set`);
  const n = s.tasks.length;
  while (addr !== 0) {
    const tid = (addr - off - STRUCT_BASE) / STRUCT_SIZE + 1;
    if (!Number.isInteger(tid) || tid < 1 || tid > n) throw new AbstractionError(`${list}: 0x${addr.toString(16)} is not a node`);
    const link = peek(s.mem, addr) ?? 0;
    out.push({ tid, marked: bit0(link) === 1 });
    if (out.length > n) throw new AbstractionError(`${list}: cycle`);
    addr = clear0(link);
  }
  return out;
}

/** idle_servers as the model sees it: undo the running gc's unlinks, hide the collected marked nodes. */
function idleServers(s: ImplState): ListNode[] {
  let nodes = walk(s, IDLE_SERVERS_HEAD, OFF_IDLE_SERVERS_PTR, 'idle_servers');
  for (const t of s.tasks) {
    for (let i = t.glog.length - 1; i >= 0; i--) {
      const e = t.glog[i]!;
      const u = Math.floor(e / 64);
      const p = e % 64;
      const at = p === 0 ? 0 : nodes.findIndex((x) => x.tid === p) + 1;
      if (p !== 0 && at === 0) throw new AbstractionError(`idle_servers: gc predecessor T${p} of T${u} is gone`);
      nodes = [...nodes.slice(0, at), { tid: u, marked: true }, ...nodes.slice(at)];
    }
  }
  if (s.ghostCollected !== 0) nodes = nodes.filter((x) => !(x.marked && Math.floor(s.ghostCollected / 2 ** x.tid) % 2 === 1));
  return nodes;
}

/** The model state an implementation state stands for. Throws AbstractionError when there is none. */
export function abstractState(s: ImplState): State {
  const tasks: Task[] = [];
  const ctl = s.tasks.map((t) => control(s, t));
  for (let i = 0; i < s.tasks.length; i++) {
    const t = s.tasks[i]!;
    const c = ctl[i]!;
    const base = structOf(t.tid);
    const raw = peek(s.mem, base + OFF_STATE) ?? 0;
    const dec = decodeState(raw);
    if (dec === undefined) throw new AbstractionError(`T${t.tid}: state word 0x${raw.toString(16)} has no model value`);
    let serverTid = peek(s.mem, base + OFF_SERVER_TID) ?? 0;
    for (const o of ctl) if (o.hideServerTid !== undefined && o.hideServerTid[0] === t.tid) serverTid = o.hideServerTid[1];
    const word: UmcgWord = {
      state: dec.state,
      locked: c.unlocked === true && t.role === 'worker' ? false : dec.locked,
      serverTid,
      nextTid: c.nextTid ?? peek(s.mem, base + OFF_NEXT_TID) ?? 0,
    };
    const inWakeHook = t.stack.some((f) => f.fn === 'umcg_wq_worker_running');
    let reg: Registration = 'none';
    if (t.umcg !== 0) reg = t.role === 'worker' && (t.pfw || inWakeHook || t.end === 'sigsegv') ? 'worker' : 'server';
    tasks.push({
      tid: t.tid,
      role: t.role,
      reg,
      word,
      pc: c.pc,
      kstate: c.kstate ?? (t.ks === 'R' ? 'running' : 'interruptible'),
      sigpending: t.sig,
      other: c.other,
      hookFrom: c.hookFrom,
      callDone: c.callDone === true,
      end: t.end,
    });
  }
  return {
    tasks,
    idleWorkers: walk(s, IDLE_WORKERS_HEAD, OFF_IDLE_WORKERS_PTR, 'idle_workers'),
    idleServers: idleServers(s),
    envBudget: s.envBudget,
    killedBy: s.killedBy,
  };
}

export type RefinementVerdict =
  | { readonly ok: true; readonly stutter: true }
  | { readonly ok: true; readonly stutter: false; readonly action: Action; readonly label: string }
  | { readonly ok: false; readonly reason: string; readonly before?: State; readonly after?: State };

/**
 * One step refines the model: abs(after) = abs(before), or abs(after) =
 * apply(abs(before), a).next for some enabled candidate model action a.
 */
export function checkStep(before: ImplState, after: ImplState, cfg: ImplConfig): RefinementVerdict {
  let a0: State;
  let a1: State;
  try {
    a0 = abstractState(before);
    a1 = abstractState(after);
  } catch (e) {
    if (e instanceof AbstractionError) return { ok: false, reason: `no abstract state: ${e.message}` };
    throw e;
  }
  return checkAbstractStep(a0, a1, modelConfigOf(cfg));
}

export function checkAbstractStep(a0: State, a1: State, mcfg: ModelConfig): RefinementVerdict {
  const k1 = stateKey(a1);
  if (stateKey(a0) === k1) return { ok: true, stutter: true };
  const step = matchAbstractStep(a0, k1, mcfg);
  if (step !== null) return { ok: true, stutter: false, action: step.action, label: step.label };
  return { ok: false, reason: 'the step is neither a stutter nor an enabled model transition', before: a0, after: a1 };
}

/**
 * The enabled model step from `a0` whose successor has the key `k1`, or
 * null: the search of `checkAbstractStep` (which it shares), returning the
 * step itself so a caller that needs its row need not apply it again.
 * `applyMutable` has `apply`'s semantics for an enabled action.
 */
export function matchAbstractStep(a0: State, k1: string, mcfg: ModelConfig): Step | null {
  for (const a of candidateActions(a0, mcfg)) {
    if (!enabled(a0, a, mcfg)) continue;
    const step = applyMutable(a0, a);
    if (stateKey(step.next) === k1) return step;
  }
  return null;
}
