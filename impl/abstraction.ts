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
 * - the list walks: atomic_stack_gc and umcg_sll_pop are step-wise in the
 *   model too (`srv:gc`, `srv:gc:curr`; `update_worker:pop_read`,
 *   `update_worker:pop_cas`), so idle_servers is the list in memory as it
 *   is; a walk's cursor is read off its locals. A kernel pop whose curr
 *   the gc has unlinked shows at the first node on the list along the
 *   unlinked nodes' (marked) links, as the model moves it at the unlink; an
 *   unlinked node with an unmarked link there (pushed again while the pop
 *   still stands on it) has no model counterpart: F-POP-UAF (§5.4(b)).
 */
import { stateKey } from '../model/canon.ts';
import { EAGAIN, errnoName } from '../model/errno.ts';
import { candidateActions } from '../model/init.ts';
import { applyMutable, decodeState, enabled, fixesOf, taskName, type Action, type Step } from '../model/transitions.ts';
import { NO_FIXES, type ListNode, type ModelConfig, type ModelFixes, type Pc, type Registration, type State, type Task, type Tid, type UmcgWord } from '../model/types.ts';
import {
  IDLE_SERVERS_HEAD,
  OFF_IDLE_SERVERS_PTR,
  OFF_IDLE_WORKERS_PTR,
  OFF_NEXT_TID,
  OFF_SERVER_TID,
  OFF_STATE,
  STRUCT_BASE,
  STRUCT_SIZE,
  bit0,
  clear0,
  idleWorkersHeadIn,
  structOf,
} from './layout.ts';
import { peek, pendingStores } from './memory.ts';
import type { Frame, ImplConfig, ImplState, KTask, Variant } from './state.ts';
import { LOCK_PCS } from './runtime.ts';

export class AbstractionError extends Error {}

/**
 * The model configuration an implementation configuration refines: the
 * same workload and environment, and the model fixes that match the
 * variant's kernel flags (FIXED: all of them; every other variant: none).
 */
export function modelConfigOf(cfg: ImplConfig): ModelConfig {
  const fixes = modelFixesOf(cfg.variant);
  const any = fixes.noHooksInWait || fixes.wakeHookAtCallExit || fixes.hookWaitUninterruptible || fixes.popRetryCurr;
  return {
    servers: cfg.servers,
    workers: cfg.workers,
    profile: cfg.profile,
    yield: cfg.yield,
    locks: cfg.locks,
    envBudget: cfg.envBudget,
    ...(any ? { fixes } : {}),
  };
}

/**
 * The model fixes of a variant: its flags of the same names. FIXED's
 * `nofaultInAtomic` and `noDieOnContention` have no model counterpart: the
 * model has no page faults and no `max_tries` bound.
 */
export function modelFixesOf(v: Variant): ModelFixes {
  return { noHooksInWait: v.noHooksInWait, wakeHookAtCallExit: v.wakeHookAtCallExit, hookWaitUninterruptible: v.hookWaitUninterruptible, popRetryCurr: v.popRetryCurr };
}

/** What the stack says about a task, in model terms. */
interface Control {
  pc: Pc;
  other: Tid;
  seen?: Tid;
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

/**
 * A control with every field present (the optional ones undefined), so that
 * all controls share one object shape: `abstractState` reads each field of
 * every task's control on every state, and reads of objects of many shapes
 * were a tenth of its time.
 */
function newControl(pc: Pc, hookFrom: 'call' | 'wait', extra?: Partial<Control>): Control {
  const c: Control = { pc, other: 0, seen: undefined, hookFrom, kstate: undefined, nextTid: undefined, unlocked: undefined, hideServerTid: undefined, callDone: undefined };
  if (extra !== undefined) Object.assign(c, extra);
  return c;
}

const SERVER_PC: Readonly<Record<string, Pc>> = {
  loop: 'srv:loop',
  gc_load_prev: 'srv:gc',
  gc_load_curr: 'srv:gc:curr',
  gc_cas: 'srv:gc:curr',
  pop_head: 'srv:pop',
  pop_next: 'srv:pop',
  pop_cas: 'srv:pop',
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
  const c = newControl(pc, 'wait');
  const v = r.v;
  if (t.role === 'server') {
    if (pc === 'srv:run:set_self_idle' || pc === 'srv:run:assign') c.other = v.w!;
    if (r.pc === 'gc_load_prev') c.other = serverNode(v.prev!);
    if (pc === 'srv:gc:curr') {
      c.other = serverNode(v.curr!);
      c.seen = serverNode(v.prev!);
    }
    if (r.pc === 'run_assign_next' || r.pc === 'run_assign_state') c.hideServerTid = [v.w!, v.oldsrv!];
    if (r.pc === 'run_assign_state') c.nextTid = v.oldnext!;
  } else {
    if (pc === 'wkr:yield:push_self' || pc === 'wkr:yield:wake_server') c.other = v.srv!;
    if (r.pc === 'yield_set_next') c.nextTid = v.srv!;
  }
  if (r.pc === 'clear_next' || r.pc === 'eintr_clear' || r.pc === 'idle_set_next') c.nextTid = 0;
  // Variant futexRuntimeLock (FIXED): a server asleep in futex_wait on the
  // runtime lock is, for the model, a server at the lock that cannot take
  // it yet (the model's lock is an enabling condition, with no wait queue):
  // its sleep and wakeup are stutters.
  if (t.role === 'server' && LOCK_PCS.has(r.pc)) c.kstate = 'running';
  // Variant plainIdleServerPush: published (head = self), the unlock store
  // to follow touches only the runtime's lock word.
  if (r.pc === 'push_cas' && t.role === 'server' && v.pp === 1) c.pc = 'srv:idle:recheck';
  return c;
}

/** The server whose idle_servers node is at `addr`; 0 for the list head. */
function serverNode(addr: number): Tid {
  return addr === IDLE_SERVERS_HEAD ? 0 : tidOfStruct(addr - OFF_IDLE_SERVERS_PTR);
}

const HELPERS = new Set(['get_user', 'get_user_nosleep', 'put_user', 'cmpxchg_user_32', 'cmpxchg_user_64']);

function fnAt(t: KTask, i: number): string | undefined {
  return t.stack[i]?.fn;
}

function tidOfStruct(ut: number): Tid {
  return (ut - STRUCT_BASE) / STRUCT_SIZE + 1;
}

/** The control state of a task whose stack has kernel frames above the runtime's. */
function kernelControl(s: ImplState, t: KTask, fixes: ModelFixes): Control {
  const k = t.stack[1]!;
  const cs = t.stack.find((f) => f.fn === 'wq_worker_change_state');
  if (cs?.pc === 'die') {
    // The model's hooks read the state word and cmpxchg it in one step.
    throw new AbstractionError(
      `F-CHANGE-STATE-RACE: T${t.tid}'s wq_worker_change_state goes to umcg_die: the state word changed between its read and its cmpxchg (or the read faulted)`,
    );
  }
  const wait = (pc: Pc, extra?: Partial<Control>): Control => newControl(pc, 'wait', extra);
  const call = (pc: Pc, extra?: Partial<Control>): Control => newControl(pc, 'call', extra);
  switch (k.fn) {
    case 'sys_umcg_ctl': {
      const done = (pc: Pc, extra: Partial<Control> = {}): Control => call(pc, { callDone: true, ...extra });
      if (fnAt(t, 2) === 'umcg_wq_worker_running') return wakeHook(s, t, 2, 'update_worker', done);
      return wait(t.role === 'server' ? 'srv:register' : 'wkr:register');
    }
    case 'blocking_call': {
      const inCall = (pc: Pc, extra: Partial<Control> = {}): Control => call(pc, { callDone: k.v.done === 1, ...extra });
      if (fnAt(t, 2) === 'schedule') return sched(s, t, 2, inCall);
      if (fixes.wakeHookAtCallExit) {
        // Variant wakeHookAtCallExit (FIXED): back from schedule() in the
        // wait loop, and in the wake hook on the syscall's way out until
        // its first visible step, the task is where the model's 'sleep'
        // step starts: that step is the loop's set_current_state (model
        // 'call:wait') or, for a call that is done, the hook's step.
        if (fnAt(t, 2) === 'umcg_wq_worker_running') return wakeHook(s, t, 2, 'sleep', inCall);
        return inCall('sleep', { kstate: 'running' });
      }
      // Back in the wait loop after an early wakeup: the model's 'call:wait'
      // step is the set_current_state(TASK_UNINTERRUPTIBLE) access and the
      // condition check after it, so until then the task shows TASK_RUNNING.
      return inCall('call:wait', { kstate: 'running' });
    }
    case 'sys_umcg_wait': {
      const a = fnAt(t, 2);
      if (a === 'umcg_do_context_switch') {
        if (fnAt(t, 3) === 'umcg_idle_loop') return idle(s, t, 3, wait, fixes);
        return wait('wait:enter');
      }
      if (a === 'umcg_idle_loop') return idle(s, t, 2, wait, fixes);
      return wait('wait:enter');
    }
  }
  throw new AbstractionError(`T${t.tid}: unexpected kernel entry ${k.fn}`);
}

type Mk = (pc: Pc, extra?: Partial<Control>) => Control;

/**
 * umcg_idle_loop called by sys_umcg_wait (directly or via
 * umcg_do_context_switch). A worker's schedule() runs the hooks, except
 * with the fix noHooksInWait: then it sleeps there as a server does.
 */
function idle(s: ImplState, t: KTask, j: number, mk: Mk, fixes: ModelFixes): Control {
  const I = t.stack[j]!;
  const hooks = t.role === 'worker' && !fixes.noHooksInWait;
  if (fnAt(t, j + 1) === 'schedule') {
    if (hooks) return sched(s, t, j + 1, mk);
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
      return mk(hooks ? 'idle_loop:after' : 'sleep');
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
  if (above === 'umcg_sll_push' && t.stack[r + 1]!.v.head !== idleWorkersHeadIn(s.mem)) {
    // The worker's idle_workers_ptr holds its link, not the head: it is
    // already on idle_workers (F1, docs/findings.md), and the kernel pushes
    // it onto the list that starts at its successor.
    throw new AbstractionError(
      `F1: T${t.tid}'s wake hook pushes it onto idle_workers while it is already on the list (its idle_workers_ptr reads 0x${t.stack[r + 1]!.v.head!.toString(16)}, its link)`,
    );
  }
  if (above === 'umcg_sll_push' || R.pc === 'got_workers_head' || R.pc === 'pushed') return mk('update_worker:push');
  if (above === 'umcg_sll_pop') return popControl(s, t.stack[r + 1]!, mk);
  if (R.pc === 'mb' || R.pc === 'got_servers_head' || R.pc === 'popped') return mk('update_worker:pop_server');
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
  if (R.pc === 'die') {
    // The model's list operations have no retry bound and never fault
    // (model/README.md), and its wake hook finds the head in idle_workers_ptr.
    if (t.rv === 0) {
      const on = walk(s, idleWorkersHeadIn(s.mem), OFF_IDLE_WORKERS_PTR, 'idle_workers').some((n) => n.tid === t.tid);
      throw new AbstractionError(
        `F1: T${t.tid}'s wake hook goes to die: its idle_workers_ptr reads NULL (${on ? 'it is already on idle_workers, as the tail, and the field is its link' : 'a server popped it from idle_workers and has not restored the field yet'})`,
      );
    }
    throw new AbstractionError(
      `T${t.tid}: umcg_wq_worker_running goes to die: a list helper returned ${errnoName(t.rv)}${t.rv === -EAGAIN ? ' (F-LIST-EAGAIN: max_tries = 2 * nr_cpu_ids used up; the uapi doc says sleep and retry, the code sends SIGSEGV)' : ''}`,
    );
  }
  return mk(base);
}

/** umcg_sll_pop's frame: before its read of the head, on a curr, or at its cmpxchg. */
function popControl(s: ImplState, P: Frame, mk: Mk): Control {
  if (P.pc === 'start' || P.pc === 'got_head') return mk('update_worker:pop_server');
  const curr = P.v.curr ?? 0;
  if (P.pc === 'cas_done' && onIdleServers(s, curr)) {
    return mk('update_worker:pop_cas', { other: serverNode(curr), seen: P.v.next === 0 ? 0 : serverNode(P.v.next!) });
  }
  if (P.pc !== 'loop' && P.pc !== 'read_next' && P.pc !== 'cas_done') throw new AbstractionError(`umcg_sll_pop:${P.pc}`);
  // A curr the gc unlinked: the pop reads (or its cmpxchg observes) the
  // node's marked link and moves on, as the model moved it at the unlink.
  let at = curr;
  for (let n = 0; at !== 0 && !onIdleServers(s, at); n++) {
    const link = peek(s.mem, at) ?? 0;
    if (bit0(link) === 0 || n > s.tasks.length) {
      throw new AbstractionError(
        `F-POP-UAF: umcg_sll_pop stands on S${serverNode(at)}, which the gc unlinked and whose link now reads 0x${link.toString(16)} (unmarked): the pop will claim a node that is not on idle_servers (§5.4(b))`,
      );
    }
    at = clear0(link);
  }
  return at === 0 ? mk('update_worker:idle_loop') : mk('update_worker:pop_read', { other: serverNode(at) });
}

function onIdleServers(s: ImplState, node: number): boolean {
  let addr = peek(s.mem, IDLE_SERVERS_HEAD) ?? 0;
  for (let n = 0; addr !== 0 && n <= s.tasks.length; n++) {
    if (clear0(addr) === node) return true;
    addr = peek(s.mem, clear0(addr)) ?? 0;
  }
  return false;
}

function control(s: ImplState, t: KTask, fixes: ModelFixes): Control {
  if (t.end !== 'none') return newControl('dead', 'wait');
  const r = t.stack[0];
  if (r === undefined) throw new AbstractionError(`T${t.tid}: empty stack`);
  if (t.stack.length === 1) return runtimeControl(t, r);
  const c = kernelControl(s, t, fixes);
  if (c.pc === 'wait:enter' && fnAt(t, 1) === 'sys_umcg_wait') {
    // Before the commit the runtime's own next_tid is what the syscall reads.
  }
  return c;
}

/**
 * The list as a walker of the code sees it. A corrupt list stays mappable
 * where the model can say what is wrong: a cycle shows as its nodes up to
 * and including the first repeated one (the model's "on the list twice",
 * INV-LIST-NO-DUPLICATE), and a link holding the head's own address (a
 * popped node's restored idle_*_ptr, still reachable after an unlinking pop
 * raced, B-ABA) is followed the way a walker would: the head word read as
 * one more link. v0.3 reaches a cycle in the adversarial profile: after F3
 * the runtime's yield pushes a worker that is still on idle_workers, and
 * its `self->next = first` links the node to itself (docs/findings.md,
 * "F3's aftermath"); no v0.3 run reaches the head-address link.
 */
function walk(s: ImplState, head: number, off: number, list: string): ListNode[] {
  const out: ListNode[] = [];
  let addr = peek(s.mem, head) ?? 0;
  if (bit0(addr) === 1) throw new AbstractionError(`${list}: head has bit 0 set`);
  const n = s.tasks.length;
  let viaHead = 0;
  while (addr !== 0) {
    if (addr === head && out.length > 0 && viaHead++ === 0) {
      addr = clear0(peek(s.mem, head) ?? 0);
      continue;
    }
    const tid = (addr - off - STRUCT_BASE) / STRUCT_SIZE + 1;
    if (!Number.isInteger(tid) || tid < 1 || tid > n) throw new AbstractionError(`${list}: 0x${addr.toString(16)} is not a node`);
    const link = peek(s.mem, addr) ?? 0;
    const repeated = out.some((x) => x.tid === tid);
    out.push({ tid, marked: bit0(link) === 1 });
    if (repeated) break;
    addr = clear0(link);
  }
  return out;
}


/**
 * The model state an implementation state stands for, in the model with
 * `fixes` (those of the variant, `modelConfigOf`). Throws AbstractionError
 * when there is none.
 */
export function abstractState(s: ImplState, fixes: ModelFixes = NO_FIXES): State {
  const tasks: Task[] = [];
  const ctl = s.tasks.map((t) => control(s, t, fixes));
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
      seen: c.seen ?? 0,
      hookFrom: c.hookFrom,
      callDone: c.callDone === true,
      end: t.end,
    });
  }
  return {
    tasks,
    idleWorkers: walk(s, idleWorkersHeadIn(s.mem), OFF_IDLE_WORKERS_PTR, 'idle_workers'),
    idleServers: walk(s, IDLE_SERVERS_HEAD, OFF_IDLE_SERVERS_PTR, 'idle_servers'),
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
  const mcfg = modelConfigOf(cfg);
  try {
    a0 = abstractState(before, fixesOf(mcfg));
    a1 = abstractState(after, fixesOf(mcfg));
  } catch (e) {
    if (e instanceof AbstractionError) return { ok: false, reason: `no abstract state: ${e.message}` };
    throw e;
  }
  return checkAbstractStep(a0, a1, mcfg);
}

export function checkAbstractStep(a0: State, a1: State, mcfg: ModelConfig): RefinementVerdict {
  const k1 = stateKey(a1);
  if (stateKey(a0) === k1 || isEnvOnlyStep(a0, a1)) return { ok: true, stutter: true };
  const step = matchAbstractStep(a0, k1, mcfg);
  if (step !== null) return { ok: true, stutter: false, action: step.action, label: step.label };
  const why = cycleOnIdleWorkers(a0, a1);
  return { ok: false, reason: `the step is neither a stutter nor an enabled model transition${why === '' ? '' : `: ${why}`}`, before: a0, after: a1 };
}

/**
 * The commonest unmatched steps after F3 or F1 (docs/findings.md, "F3's
 * aftermath"), named for the reader: a step that makes idle_workers a cycle.
 * Mostly a worker in its yield's push, already on idle_workers, links its own
 * node, so the list the abstraction walks changes at an access it hides under
 * `wkr:yield:push_self`. Empty when the step makes no cycle.
 */
function cycleOnIdleWorkers(a0: State, a1: State): string {
  const count = (s: State, tid: number): number => s.idleWorkers.filter((n) => n.tid === tid).length;
  // The walk shows a cycle as its nodes up to the first one repeated.
  const twice = a1.tasks.find((t) => count(a1, t.tid) > 1 && count(a0, t.tid) <= 1);
  if (twice === undefined) return '';
  const cause = 'after F3 or F1; docs/findings.md, "F3\'s aftermath"';
  const yielder = a1.tasks.find(
    (t) => t.role === 'worker' && t.pc === 'wkr:yield:push_self' && a0.tasks[t.tid - 1]?.pc === 'wkr:yield:push_self' && count(a0, t.tid) === 1,
  );
  if (yielder !== undefined) {
    return `${taskName(a1, yielder.tid)}'s yield links its own node, already on idle_workers: a worker in its own code is on the list (${cause})`;
  }
  // Another store that links a listed node again: a server's restore of a
  // worker's idle_workers_ptr (its link) after the worker pushed itself
  // again, or a yield's cmpxchg that publishes a node already further down.
  return `the step makes idle_workers a cycle through ${taskName(a1, twice.tid)}: a node already on the list is linked into it again by a writer that takes it for private (${cause})`;
}

/**
 * An adversarial event the model does not have (a page becomes not present
 * or unmapped: the model has no memory pages) spends one unit of the shared
 * environment budget and changes nothing else: `a1` is `a0` with one unit
 * less. No model transition does that (each model event changes its task),
 * so such a step is a stutter of everything but the budget. What an
 * unmapped page does later (-EFAULT, umcg_die) is a documented model gap.
 */
export function isEnvOnlyStep(a0: State, a1: State): boolean {
  return a1.envBudget === a0.envBudget - 1 && stateKey({ ...a1, envBudget: a0.envBudget }) === stateKey(a0);
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
    const step = applyMutable(a0, a, mcfg);
    if (stateKey(step.next) === k1) return step;
  }
  return null;
}

// ---------------------------------------------------------------------------
// x86-TSO
//
// Under TSO the abstract state is what the other CPUs can see: memory
// without the store buffers (`peek` reads memory only), and each task's
// control as it was just before its oldest store still buffered. A buffered
// store is therefore a stutter, and so is everything its task does after it
// until that store drains (a context switch, a fence or a locked
// instruction waits for an empty buffer, so only a CPU's current task has
// buffered stores, and none of its other effects are visible meanwhile).
// The drain is the commit: memory gets the store and the task's control
// moves on to just before its next buffered store, which may be several of
// its own model steps (the store's, then the loads and local steps that
// followed it). Those loads ran earlier than the drain; if what they read
// has changed since, no run of model steps matches, and the refinement
// check reports the store->load reordering.

/** The parts of a task that its buffered stores hold back. */
export interface TaskSnapshot {
  readonly tid: Tid;
  readonly stack: KTask['stack'];
  readonly rv: number;
  readonly rv2: number;
  readonly pfw: boolean;
  /**
   * Its pending signal. Only the task clears it (its signal handler, after
   * the store in program order) and only the environment sets it, so the
   * rolled-back task shows a signal pending now or at the snapshot.
   */
  readonly sig: boolean;
}

/**
 * Per CPU, oldest first: the CPU's current task as it was just before each
 * store still in that CPU's buffer (a history variable of the refinement
 * mapping, kept beside the state, never read by the simulation).
 */
export type StoreHistory = readonly (readonly TaskSnapshot[])[];

export const NO_BUFFERED_STORES: StoreHistory = [];

/**
 * A history as text, for a search's state cache: two implementation states
 * with equal `implKey` but different histories have different abstract
 * states under TSO, so a search must not merge them.
 */
export function storeHistoryKey(h: StoreHistory): string {
  let k = '';
  for (let c = 0; c < h.length; c++) {
    k += `|${c}`;
    for (const snap of h[c]!) {
      k += `;${snap.tid},${snap.rv},${snap.rv2},${snap.pfw ? 1 : 0}${snap.sig ? 1 : 0}`;
      for (const f of snap.stack) {
        k += `/${f.fn}:${f.pc}`;
        for (const name of Object.keys(f.v).sort()) k += `,${name}=${f.v[name]}`;
      }
    }
  }
  return k;
}

/** The history after the step `before` -> `after`: stores buffered are recorded, stores drained dropped. */
export function nextStoreHistory(h: StoreHistory, before: ImplState, after: ImplState): StoreHistory {
  let out: (readonly TaskSnapshot[])[] | undefined;
  const n = Math.max(before.cpus.length, after.cpus.length);
  for (let c = 0; c < n; c++) {
    const nb = pendingStores(before.mem, c).length;
    const na = pendingStores(after.mem, c).length;
    if (na === nb) continue;
    out ??= Array.from({ length: n }, (_, i) => h[i] ?? []);
    const cur = out[c]!;
    if (na < nb) {
      out[c] = cur.slice(nb - na);
      continue;
    }
    const tid = before.cpus[c] ?? 0;
    const t = before.tasks[tid - 1];
    if (t === undefined) throw new AbstractionError(`cpu${c}: a store was buffered with no current task`);
    const snap: TaskSnapshot = { tid, stack: t.stack, rv: t.rv, rv2: t.rv2, pfw: t.pfw, sig: t.sig };
    out[c] = [...cur, ...Array.from({ length: na - nb }, () => snap)];
  }
  return out ?? h;
}

/** The abstract state under TSO: memory without the buffers, each storing task rolled back (see above). */
export function abstractStateTso(s: ImplState, h: StoreHistory, fixes: ModelFixes = NO_FIXES): State {
  let tasks: KTask[] | undefined;
  for (let c = 0; c < s.cpus.length; c++) {
    const pending = pendingStores(s.mem, c).length;
    const snaps = h[c] ?? [];
    if (snaps.length !== pending) throw new AbstractionError(`cpu${c}: ${pending} buffered stores but ${snaps.length} recorded`);
    const snap = snaps[0];
    if (snap === undefined) continue;
    tasks ??= s.tasks.slice();
    const t = tasks[snap.tid - 1]!;
    tasks[snap.tid - 1] = { ...t, stack: snap.stack, rv: snap.rv, rv2: snap.rv2, pfw: snap.pfw, sig: snap.sig || t.sig };
  }
  return abstractState(tasks === undefined ? s : { ...s, tasks }, fixes);
}

/**
 * The shortest run of at most `maxLen` model steps of task `tid` (its code
 * and workload actions) from `a0` to the state with key `k1`, or null: what
 * a drain commits under TSO.
 */
export function matchAbstractRun(a0: State, k1: string, mcfg: ModelConfig, tid: Tid, maxLen: number): Step[] | null {
  const own = candidateActions(a0, mcfg).filter((a) => a.tid === tid && (a.kind === 'step' || a.kind === 'block' || a.kind === 'yield' || a.kind === 'lock'));
  const search = (s: State, depth: number, path: Step[]): Step[] | null => {
    for (const a of own) {
      if (!enabled(s, a, mcfg)) continue;
      const step = applyMutable(s, a, mcfg);
      const key = stateKey(step.next);
      if (key === k1) return [...path, step];
      if (depth > 1) {
        const r = search(step.next, depth - 1, [...path, step]);
        if (r !== null) return r;
      }
    }
    return null;
  };
  for (let d = 1; d <= maxLen; d++) {
    const r = search(a0, d, []);
    if (r !== null) return r;
  }
  return null;
}
