/**
 * The transitions of the abstract v0.3 machine. One action = one atomic step
 * of abstract shared state: a single cmpxchg, ttwu, list operation or store
 * of the v0.3 code or of the documented userspace protocol. Every action is
 * a pair `enabled(state, action)` / `apply(state, action)`; dispatch is by
 * ts-pattern with `.exhaustive()`, so a new action kind or program counter
 * that is not handled does not compile.
 *
 * Rows W0-W8 and S0-S3 refer to the transition tables of the domain
 * reference (§4.6); each step's label names its row and the kernel routine.
 */
import { produce, type Draft } from 'immer';
import { match } from 'ts-pattern';
import { EINTR, ESRCH, errnoName } from './errno.ts';
import {
  umcgCtl,
  umcgWait,
  UMCG_CTL_REGISTER,
  UMCG_CTL_WORKER,
  type RawUmcgTask,
  type SelfArg,
  type WaitContext,
} from './syscalls.ts';
import {
  NO_FIXES,
  UMCG_TF_LOCKED,
  UMCG_TF_STATE_MASK,
  type ListNode,
  type ModelConfig,
  type ModelFixes,
  type Pc,
  type State,
  type Task,
  type Tid,
  type UmcgState,
  type UmcgWord,
} from './types.ts';

/** Everything that can happen next. */
export type Action =
  /** The task executes the next step of its code (kernel or runtime) at its pc. */
  | { readonly kind: 'step'; readonly tid: Tid }
  /** Workload: a RUNNING worker makes a blocking (non-UMCG) syscall. */
  | { readonly kind: 'block'; readonly tid: Tid }
  /** Workload: a RUNNING worker yields back to its server (row W4). */
  | { readonly kind: 'yield'; readonly tid: Tid }
  /** Workload: a RUNNING worker sets UMCG_TF_LOCKED on itself (row W5). */
  | { readonly kind: 'lock'; readonly tid: Tid }
  /** Environment: the worker's blocking syscall completes and wakes it. */
  | { readonly kind: 'complete'; readonly tid: Tid }
  /** Adversarial environment: a signal is sent to the task. */
  | { readonly kind: 'signal'; readonly tid: Tid }
  /** Adversarial environment: a spurious or foreign (WAKE_ONLY) ttwu of the task. */
  | { readonly kind: 'ttwu'; readonly tid: Tid }
  /**
   * Adversarial environment: userspace stores the task's whole state word
   * concurrently: a state with UMCG_TF_LOCKED (`locked`) or without it
   * (absent or false: the store clears a LOCKED bit that was set).
   */
  | { readonly kind: 'write'; readonly tid: Tid; readonly state: UmcgState; readonly locked?: boolean }
  /** Adversarial environment: the task exits (row W8; do_exit does nothing else). */
  | { readonly kind: 'exit'; readonly tid: Tid }
  /** Adversarial environment: the task unregisters (row W7; no server wake, no list cleanup). */
  | { readonly kind: 'unregister'; readonly tid: Tid }
  /** A direct sys_umcg_ctl call with arbitrary arguments (every §3.1 outcome). */
  | { readonly kind: 'ctl'; readonly tid: Tid; readonly flags: number; readonly self: SelfArg }
  /** A direct sys_umcg_wait call with arbitrary arguments (every §3.2 outcome). */
  | { readonly kind: 'wait'; readonly tid: Tid; readonly flags: number; readonly timeout: number };

export type ActionKind = Action['kind'];

/** Who causes an action; the liveness check stops everything but `code`. */
export type Cause = 'code' | 'workload' | 'environment';

/** One taken transition. */
export interface Step {
  readonly action: Action;
  /** Row of §4.6 (W0-W8, S0-S3) or the syscall/event it belongs to. */
  readonly row: string;
  /** `routine: what happened`, e.g. `umcg_wq_worker_sleeping: W3 RUNNING -> BLOCKED`. */
  readonly label: string;
  /** The syscall's return value, for ctl/wait actions. */
  readonly ret?: number;
  readonly next: State;
}

const CAUSE: Readonly<Record<ActionKind, Cause>> = {
  step: 'code',
  ctl: 'code',
  wait: 'code',
  block: 'workload',
  yield: 'workload',
  lock: 'workload',
  complete: 'environment',
  signal: 'environment',
  ttwu: 'environment',
  write: 'environment',
  exit: 'environment',
  unregister: 'environment',
};

export function causeOf(action: Action): Cause {
  return CAUSE[action.kind];
}

// ---------------------------------------------------------------------------
// Reading the state

export function task(s: State, tid: Tid): Task | undefined {
  return tid >= 1 ? s.tasks[tid - 1] : undefined;
}

function must(s: State, tid: Tid): Task {
  const t = task(s, tid);
  if (t === undefined) throw new RangeError(`no task with tid ${tid}`);
  return t;
}

export function taskName(s: State, tid: Tid): string {
  const t = task(s, tid);
  if (t === undefined) return tid === 0 ? '-' : `T${tid}`;
  if (t.role === 'server') return `S${tid}`;
  let servers = 0;
  while (s.tasks[servers]?.role === 'server') servers++;
  return `W${tid - servers}`;
}

const USER_PCS: ReadonlySet<Pc> = new Set<Pc>([
  'srv:register',
  'srv:set_tid',
  'srv:loop',
  'srv:gc',
  'srv:gc:curr',
  'srv:pop',
  'srv:run:set_self_idle',
  'srv:run:assign',
  'srv:idle:set_self_idle',
  'srv:idle:push_self',
  'srv:idle:recheck',
  'srv:idle:remove_self',
  'wkr:register',
  'wkr:user',
  'wkr:yield:set_idle',
  'wkr:yield:wake_server',
  'wkr:yield:push_self',
  'wait:eintr',
]);

/** The thread is executing userspace code (not inside a syscall or hook). */
export function inUserspace(t: Task): boolean {
  return USER_PCS.has(t.pc);
}

/**
 * The thread runs userspace code and can make any syscall (exit, unregister):
 * in the runtime, about to call sys_umcg_wait (`wait:enter` is the runtime's
 * call site until the syscall's first access), or unregistered and running on.
 */
export function inUserThread(t: Task): boolean {
  return inUserspace(t) || t.pc === 'wait:enter' || t.pc === 'unregistered';
}

/** Where the thread of a blocking call sleeps uninterruptibly (a signal does not wake it). */
const CALL_PCS: ReadonlySet<Pc> = new Set<Pc>([
  'submit_work',
  'submit_work:change_state',
  'submit_work:wake_server',
  'submit_work:ttwu',
  'sleep',
]);

/**
 * Inside a blocking non-UMCG syscall whose completion has not come yet:
 * anywhere from its schedule() to its return, the wake hook included.
 */
export function inBlockingCall(t: Task): boolean {
  return t.hookFrom === 'call' && !t.callDone && !inUserspace(t) && t.pc !== 'dead';
}

/**
 * Asleep: at a schedule point, TASK_INTERRUPTIBLE (or UNINTERRUPTIBLE),
 * nothing to wake it yet. A pending signal keeps a task from sleeping where
 * it waits interruptibly.
 */
export function isAsleep(t: Task, fixes: ModelFixes = NO_FIXES): boolean {
  if (t.kstate !== 'interruptible') return false;
  if (t.pc === 'sleep' || t.pc === 'update_worker:schedule') return !t.sigpending || signalIgnored(t, fixes);
  return false;
}

// ---------------------------------------------------------------------------
// The fixes (ModelFixes, model/README.md). Each flag is read here and only
// here; with NO_FIXES every predicate gives v0.3's answer.

/** The fix set of a configuration: none (v0.3) when it names none. */
export function fixesOf(cfg: Pick<ModelConfig, 'fixes'> | undefined): ModelFixes {
  return cfg?.fixes ?? NO_FIXES;
}

/**
 * schedule() runs the UMCG hooks around the task's sleep: it is a worker
 * (PF_UMCG_WORKER) and, with `noHooksInWait` (F1, F2), not inside
 * sys_umcg_wait.
 */
function hooksRun(t: Task, fixes: ModelFixes): boolean {
  return t.reg === 'worker' && !(fixes.noHooksInWait && t.hookFrom === 'wait');
}

/**
 * The wake hook runs when schedule() returns. With `wakeHookAtCallExit`
 * (F4) not inside a blocking syscall: there it runs once, when the syscall
 * is done (`call:wait`).
 */
function wakeHookAfterSchedule(t: Task, fixes: ModelFixes): boolean {
  return !(fixes.wakeHookAtCallExit && t.hookFrom === 'call');
}

/**
 * umcg_sll_pop's cmpxchg on `node` failed: with `popRetryCurr` (F5) a node
 * whose link is unmarked (nobody claimed it; its successor changed) is
 * tried again with the link observed.
 */
function popRetriesCurr(node: ListNode, fixes: ModelFixes): boolean {
  return fixes.popRetryCurr && !node.marked;
}

/** The wake hook's nested umcg_idle_loop (its sleep and the steps either side). */
const HOOK_WAIT_PCS: ReadonlySet<Pc> = new Set<Pc>(['update_worker:check', 'update_worker:schedule', 'update_worker:after']);

/** The wake hook's wait is TASK_UNINTERRUPTIBLE and ignores signals (`hookWaitUninterruptible`, F3). */
function hookWaitUninterruptible(fixes: ModelFixes): boolean {
  return fixes.hookWaitUninterruptible;
}

/**
 * A pending signal neither wakes the task nor ends its wait: the blocking
 * call sleeps uninterruptibly, and with `hookWaitUninterruptible` so does
 * the wake hook's wait.
 */
function signalIgnored(t: Task, fixes: ModelFixes): boolean {
  if (t.pc === 'sleep') return t.hookFrom === 'call';
  return hookWaitUninterruptible(fixes) && HOOK_WAIT_PCS.has(t.pc);
}

export function isAlive(t: Task): boolean {
  return t.pc !== 'dead';
}

/** The raw 32-bit value of a state word (flags included). */
export function rawState(w: UmcgWord): number {
  const code = { NONE: 0, RUNNING: 1, IDLE: 2, BLOCKED: 3 }[w.state];
  return code | (w.locked ? UMCG_TF_LOCKED : 0);
}

const STATE_OF_CODE: readonly (UmcgState | undefined)[] = ['NONE', 'RUNNING', 'IDLE', 'BLOCKED'];

/** Decode a raw state word; unknown state codes or extra bits do not fit the abstract word. */
export function decodeState(raw: number): { state: UmcgState; locked: boolean } | undefined {
  const state = STATE_OF_CODE[raw & UMCG_TF_STATE_MASK];
  if (state === undefined || (raw & ~(UMCG_TF_STATE_MASK | UMCG_TF_LOCKED)) !== 0) return undefined;
  return { state, locked: (raw & UMCG_TF_LOCKED) !== 0 };
}

// ---------------------------------------------------------------------------
// Enabled

/** Whether `action` can be taken in `s`. Never throws for a well-formed action. */
export function enabled(s: State, action: Action, cfg?: StepConfig): boolean {
  // A process killed by umcg_die() runs no more code.
  if (s.killedBy !== 0) return false;
  const t = task(s, action.tid);
  if (t === undefined || !isAlive(t)) return false;
  const rule = ENABLED[action.kind] as (s: State, t: Task, a: Action, cfg: StepConfig | undefined) => boolean;
  return rule(s, t, action, cfg);
}

/** What of a configuration the transitions read: the workload switches and the fix set. */
export type StepConfig = Pick<ModelConfig, 'yield' | 'locks' | 'fixes'>;

type EnabledRules = {
  readonly [K in ActionKind]: (
    s: State,
    t: Task,
    a: Extract<Action, { kind: K }>,
    cfg: StepConfig | undefined,
  ) => boolean;
};

/** The enabling condition of each action kind (a total record: a missing kind does not compile). */
const ENABLED: EnabledRules = {
  step: (s, t, _a, cfg) => stepEnabled(s, t, fixesOf(cfg)),
  block: (_s, t) => t.pc === 'wkr:user',
  yield: (_s, t, _a, cfg) => t.pc === 'wkr:user' && (cfg?.yield ?? true),
  lock: (_s, t, _a, cfg) => t.pc === 'wkr:user' && !t.word.locked && (cfg?.locks ?? true),
  complete: (_s, t) => inBlockingCall(t),
  signal: (s, t) => s.envBudget > 0 && !t.sigpending,
  ttwu: (s, t) => s.envBudget > 0 && t.kstate === 'interruptible',
  write: (s, t, a) => s.envBudget > 0 && t.reg !== 'none' && (t.word.state !== a.state || t.word.locked !== (a.locked ?? false)),
  exit: (s, t) => s.envBudget > 0 && inUserThread(t),
  unregister: (s, t) => s.envBudget > 0 && inUserThread(t) && t.reg !== 'none',
  ctl: (_s, t) => inUserspace(t),
  wait: (_s, t) => inUserspace(t),
};

/** Program counters with no code step of their own (workload or a wakeup moves them on). */
const NO_STEP: ReadonlySet<Pc> = new Set<Pc>(['wkr:user', 'dead', 'unregistered']);

function stepEnabled(s: State, t: Task, fixes: ModelFixes): boolean {
  if (NO_STEP.has(t.pc)) return false;
  if (t.pc === 'sleep' || t.pc === 'update_worker:schedule') return !isAsleep(t, fixes);
  // The runtime lock (§5.3: "gc (under a lock)"): one server at a time
  // runs atomic_stack_gc and the pop of idle_workers, and
  // atomic_stack_remove never overlaps a gc (a concurrent gc can unlink
  // the remover's successor and make it walk past its own node).
  if (t.pc === 'srv:loop' || t.pc === 'srv:idle:remove_self') return lockHolder(s) === 0;
  return true;
}

/** Program counters at which a server holds the runtime lock. */
const LOCKED_PCS: ReadonlySet<Pc> = new Set<Pc>(['srv:gc', 'srv:gc:curr', 'srv:pop']);

/** The server holding the runtime lock, 0 if none. */
export function lockHolder(s: State): Tid {
  for (const t of s.tasks) if (t.role === 'server' && LOCKED_PCS.has(t.pc)) return t.tid;
  return 0;
}

// ---------------------------------------------------------------------------
// Apply

type D = Draft<State>;
type DT = Draft<Task>;

interface Out {
  row: string;
  label: string;
  ret?: number;
}

/**
 * Take `action` in `s`. The caller checks `enabled` first; applying a
 * disabled action throws, because it is a bug in the caller, not a state of
 * the system.
 */
export function apply(s: State, action: Action, cfg?: StepConfig): Step {
  if (!enabled(s, action, cfg)) {
    throw new Error(`action ${JSON.stringify(action)} is not enabled`);
  }
  const fixes = fixesOf(cfg);
  let out: Out = { row: '', label: '' };
  const next = produce(s, (d) => {
    out = applyDraft(d, action, fixes);
  });
  return { action, next, ...out };
}

/**
 * The same transition as `apply`, on a plain structural copy instead of an
 * immer draft: the explorer's inner loop takes millions of steps, and
 * immer's proxies were a quarter of its time (measured). Both run the same
 * `applyDraft`, so the semantics cannot drift apart; the caller checks
 * `enabled` first.
 */
export function applyMutable(s: State, action: Action, cfg?: Pick<ModelConfig, 'fixes'>): Step {
  const d = cloneState(s);
  const out = applyDraft(d, action, fixesOf(cfg));
  return { action, next: d as State, ...out };
}

function cloneState(s: State): D {
  const n = s.tasks.length;
  const tasks = new Array<DT>(n);
  for (let i = 0; i < n; i++) {
    const t = s.tasks[i]!;
    const w = t.word;
    // Explicit literals keep one hidden class per record (object spread is
    // several times slower here).
    tasks[i] = {
      tid: t.tid,
      role: t.role,
      reg: t.reg,
      word: { state: w.state, locked: w.locked, serverTid: w.serverTid, nextTid: w.nextTid },
      pc: t.pc,
      kstate: t.kstate,
      sigpending: t.sigpending,
      other: t.other,
      seen: t.seen,
      hookFrom: t.hookFrom,
      callDone: t.callDone,
      end: t.end,
    };
  }
  const copy = (nodes: readonly ListNode[]): Draft<ListNode>[] => {
    const out = new Array<Draft<ListNode>>(nodes.length);
    for (let i = 0; i < nodes.length; i++) out[i] = { tid: nodes[i]!.tid, marked: nodes[i]!.marked };
    return out;
  };
  return { tasks, idleWorkers: copy(s.idleWorkers), idleServers: copy(s.idleServers), envBudget: s.envBudget, killedBy: s.killedBy };
}

function applyDraft(d: D, action: Action, fixes: ModelFixes): Out {
  const rule = APPLY[action.kind] as (d: D, t: DT, a: Action, fixes: ModelFixes) => Out;
  return rule(d, d.tasks[action.tid - 1]!, action, fixes);
}

function env(d: D): void {
  d.envBudget -= 1;
}

type ApplyRules = { readonly [K in ActionKind]: (d: D, t: DT, a: Extract<Action, { kind: K }>, fixes: ModelFixes) => Out };

/**
 * What each action kind does. A total record over the action kinds: a new
 * kind without an entry does not compile. (A ts-pattern chain here cost 8%
 * of exploration time; the syscall outcomes below still use `.exhaustive()`.)
 */
const APPLY: ApplyRules = {
  step: (d, t, _a, fixes) => {
    const out = stepDraft(d, t, fixes);
    // A wake hook that returns into sys_umcg_wait's umcg_idle_loop with a
    // signal pending: the loop's signal_pending() check and its -EINTR
    // return touch nothing shared, so the code does them in the hook's
    // last step, and so does the model (without a signal the loop's next
    // access, the state read, is a step of its own).
    if (t.pc === 'idle_loop:after' && t.sigpending) {
      const more = STEP['idle_loop:after'](d, t, t.word, fixes);
      return { ...out, label: `${out.label}; ${more.label}` };
    }
    return out;
  },
  block: (d, t) => {
    // The blocking syscall's wait loop: set_current_state(TASK_UNINTERRUPTIBLE),
    // its condition is false, schedule(), which runs sched_submit_work()
    // first (PF_UMCG_WORKER).
    t.kstate = 'interruptible';
    t.hookFrom = 'call';
    t.callDone = false;
    t.pc = 'submit_work';
    return { row: 'W2', label: 'worker: blocking syscall, schedule()' };
  },
  yield: (d, t) => {
    t.pc = 'wkr:yield:set_idle';
    return { row: 'W4', label: 'worker: yield to its server' };
  },
  lock: (d, t) => {
    t.word.locked = true;
    return { row: 'W5', label: 'worker: self->state |= UMCG_TF_LOCKED' };
  },
  complete: (d, t) => {
    // The condition becomes true, then wake_up_process(): a ttwu like any other.
    t.callDone = true;
    const woke = ttwu(d, t.tid);
    return { row: 'W3', label: `environment: blocking syscall completes, wake_up_process = ${woke}` };
  },
  signal: (d, t, _a, fixes) => {
    env(d);
    t.sigpending = true;
    // signal_wake_up(): an interruptible sleep in UMCG code ends; the
    // blocking call is modelled as uninterruptible, and so is the wake
    // hook's wait with hookWaitUninterruptible.
    if (t.kstate === 'interruptible' && !(t.hookFrom === 'call' && CALL_PCS.has(t.pc)) && !signalIgnored(t, fixes)) t.kstate = 'running';
    return { row: 'env', label: 'environment: signal sent' };
  },
  ttwu: (d, t) => {
    env(d);
    const woke = ttwu(d, t.tid);
    return { row: 'env', label: `environment: spurious ttwu (returns ${woke})` };
  },
  write: (d, t, a) => {
    env(d);
    t.word.state = a.state;
    t.word.locked = a.locked ?? false;
    return { row: 'env', label: `environment: userspace writes state = ${a.state}${a.locked === true ? '|LOCKED' : ''}` };
  },
  exit: (d, t) => {
    env(d);
    t.reg = 'none';
    t.pc = 'dead';
    t.end = 'exit';
    return { row: 'W8', label: 'do_exit: clears umcg_task and PF_UMCG_WORKER, nothing else' };
  },
  unregister: (d, t) => {
    env(d);
    t.reg = 'none';
    t.pc = 'unregistered';
    return { row: 'W7', label: 'sys_umcg_ctl(UNREGISTER): clears umcg_task only' };
  },
  ctl: (d, t, a) => ctlDraft(d, t, a.flags, a.self),
  wait: (d, t, a) => waitDraft(d, t, a.flags, a.timeout),
};

/**
 * try_to_wake_up(p, TASK_NORMAL, wf): 1 if p was TASK_INTERRUPTIBLE or
 * TASK_UNINTERRUPTIBLE (TASK_NORMAL wakes both) and is now TASK_RUNNING,
 * else 0. A task woken in a blocking syscall whose completion has not come
 * runs the scheduler hooks and goes round its wait loop again.
 * WF_CURRENT_CPU only picks a CPU, which the model does not have.
 */
function ttwu(d: D, tid: Tid): 0 | 1 {
  const p = d.tasks[tid - 1];
  if (p === undefined || p.pc === 'dead' || p.kstate !== 'interruptible') return 0;
  p.kstate = 'running';
  return 1;
}

/** umcg_ttwu(tid, wf): -ESRCH unless the task exists and is registered. */
function umcgTtwu(d: D, tid: Tid): { ret: number; woke: 0 | 1 } {
  const p = d.tasks[tid - 1];
  if (p === undefined || p.pc === 'dead' || p.reg === 'none') return { ret: -ESRCH, woke: 0 };
  return { ret: 0, woke: ttwu(d, tid) };
}

/** umcg_die(): force_sig(SIGSEGV); the default action kills the whole process. */
function die(d: D, t: DT, why: string): Out {
  d.killedBy = t.tid;
  t.end = 'sigsegv';
  t.pc = 'dead';
  return { row: 'die', label: `umcg_die: SIGSEGV (${why})` };
}

function name(d: D, tid: Tid): string {
  return taskName(d as State, tid);
}

/**
 * Return from sys_umcg_wait to userspace with `ret`. Dead locals are reset
 * (they are never read again, and keeping them would only split states), and
 * the runtime clears its own next_tid at once: a store to a field no other
 * task and no kernel hook reads.
 */
function returnFromWait(t: DT, ret: number): void {
  t.kstate = 'running';
  t.other = 0;
  t.hookFrom = 'wait';
  t.word.nextTid = 0;
  if (ret !== 0) {
    t.pc = 'wait:eintr';
    return;
  }
  t.pc = t.role === 'server' ? 'srv:loop' : 'wkr:user';
}

/**
 * The wake hook is done: back to whichever schedule() it ran after. A
 * blocking call whose completion came returns to userspace; one woken
 * early goes round its wait loop again.
 */
function hookOut(t: DT): void {
  t.kstate = 'running';
  t.other = 0;
  if (t.hookFrom === 'call') {
    if (t.callDone) {
      t.pc = 'wkr:user';
      t.hookFrom = 'wait';
      t.callDone = false;
    } else {
      t.pc = 'call:wait';
    }
  } else {
    t.pc = 'idle_loop:after';
  }
}

function push(list: Draft<State['idleWorkers']>, tid: Tid): void {
  list.unshift({ tid, marked: false });
}

function waitContext(d: D, t: DT): WaitContext {
  return {
    registered: t.reg !== 'none',
    isWorker: t.reg === 'worker',
    selfFaults: false,
    nextTid: t.word.nextTid,
    serverTid: t.word.serverTid,
    exists: (tid) => {
      const p = d.tasks[tid - 1];
      return p !== undefined && p.pc !== 'dead';
    },
    isUmcg: (tid) => d.tasks[tid - 1]?.reg !== 'none',
  };
}

/** The idle-loop prologue: a worker's LOCKED flag is cleared (W5). */
function enterIdleLoop(t: DT): void {
  if (t.reg === 'worker' && t.word.locked) t.word.locked = false;
  t.pc = 'idle_loop';
}

function waitDraft(d: D, t: DT, flags: number, timeout: number): Out {
  const o = umcgWait(flags, timeout, waitContext(d, t));
  return match(o)
    .with({ kind: 'error' }, (e) => ({ row: 'wait', label: `sys_umcg_wait: returns ${errnoName(e.ret)}`, ret: e.ret }))
    .with({ kind: 'wake-only' }, (w) => {
      const r = umcgTtwu(d, w.target);
      return { row: 'wait', label: `sys_umcg_wait(WAKE_ONLY): umcg_ttwu(${name(d, w.target)}) = ${r.woke}`, ret: 0 };
    })
    .with({ kind: 'context-switch' }, (c) => {
      const woke = ttwu(d, c.target);
      enterIdleLoop(t);
      const row = t.reg === 'worker' ? 'W4' : 'S1';
      return { row, label: `umcg_do_context_switch: ttwu(${name(d, c.target)}, WF_CURRENT_CPU) = ${woke}` };
    })
    .with({ kind: 'idle-loop' }, () => {
      enterIdleLoop(t);
      return { row: 'S1', label: 'sys_umcg_wait: umcg_idle_loop(0)' };
    })
    .exhaustive();
}

function wordFromRaw(raw: RawUmcgTask): UmcgWord {
  const dec = decodeState(raw.state);
  // Registration accepts only exact IDLE or RUNNING, which always decode.
  if (dec === undefined) throw new Error(`cannot register with state word 0x${raw.state.toString(16)}`);
  return { ...dec, serverTid: raw.serverTid, nextTid: raw.nextTid };
}

function ctlDraft(_d: D, t: DT, flags: number, self: SelfArg): Out {
  const o = umcgCtl(flags, self, t.reg !== 'none');
  return match(o)
    .with({ kind: 'error' }, (e) => ({ row: 'ctl', label: `sys_umcg_ctl: returns ${errnoName(e.ret)}`, ret: e.ret }))
    .with({ kind: 'unregister' }, () => {
      t.reg = 'none';
      return { row: 'W7', label: 'sys_umcg_ctl(UNREGISTER): returns 0', ret: 0 };
    })
    .with({ kind: 'register-server' }, () => {
      t.reg = 'server';
      if (self.kind === 'struct') t.word = wordFromRaw(self.raw);
      return { row: 'S0', label: 'sys_umcg_ctl(REGISTER): returns 0', ret: 0 };
    })
    .with({ kind: 'register-worker' }, () => {
      t.reg = 'worker';
      if (self.kind === 'struct') t.word = wordFromRaw(self.raw);
      // umcg_wq_worker_running(current) runs before the syscall returns 0
      // (a "call" with nothing left to wait for).
      t.hookFrom = 'call';
      t.callDone = true;
      t.pc = 'update_worker';
      return { row: 'W0', label: 'sys_umcg_ctl(REGISTER|WORKER): umcg_wq_worker_running()', ret: 0 };
    })
    .exhaustive();
}

/**
 * A worker's `sleep` that no wakeup ended: the step is enabled only because
 * a signal is pending (isAsleep). __schedule() sees signal_pending_state()
 * and puts the task back to TASK_RUNNING instead of dequeuing it. Where the
 * wake hook runs next, that store is a step of its own, as in the code: the
 * hook's first access is a shared one, and between the two a ttwu finds the
 * task running (returns 0). The task then goes on from `sleep` as one woken
 * there would. (Where what follows is local, the -EINTR return of an idle
 * loop, the code does it all in one step, and so does the model.)
 */
function staysRunnable(t: DT): Out {
  t.kstate = 'running';
  return { row: 'W3', label: '__schedule(): signal pending, stays TASK_RUNNING' };
}

/**
 * The runtime's plain 32-bit store of a whole state word (`x->state = S`):
 * it also clears a UMCG_TF_LOCKED bit that someone else set (only the
 * adversarial environment's locked write does that to a word the runtime
 * stores; a worker's yield keeps its own bit, `wkr:yield:set_idle`).
 */
function setWord(w: Draft<UmcgWord>, state: UmcgState): void {
  w.state = state;
  w.locked = false;
}

/** Move to `pc` and take its step at once (the step before was local). */
function continueAt(d: D, t: DT, pc: Pc, prefix: string, fixes: ModelFixes): Out {
  t.pc = pc;
  const out = stepDraft(d, t, fixes);
  return { ...out, label: prefix + out.label };
}

/**
 * The code step at each program counter. A total record over `Pc` is as
 * exhaustive at compile time as ts-pattern's `.exhaustive()` (a missing pc
 * does not compile), and it costs one property read in the explorer's
 * inner loop instead of a pattern chain per step (measured: the chain was a
 * fifth of exploration time).
 */
type Handler = (d: D, t: DT, w: Draft<UmcgWord>, fixes: ModelFixes) => Out;

function stepDraft(d: D, t: DT, fixes: ModelFixes): Out {
  return STEP[t.pc](d, t, t.word, fixes);
}

const STEP: Readonly<Record<Pc, Handler>> = {
  // --- runtime: registration -------------------------------------------
  'srv:register': (d, t, w) => {
    const out = ctlDraft(d, t, UMCG_CTL_REGISTER, {
      kind: 'struct',
      raw: { state: rawState(w), apiVersion: 1, serverTid: 0, nextTid: 0 },
    });
    t.pc = 'srv:set_tid';
    return out;
  },
  'srv:set_tid': (d, t, w) => {
    w.serverTid = t.tid;
    t.pc = 'srv:loop';
    return { row: 'S0', label: 'server: self->server_tid = self' };
  },
  'wkr:register': (d, t, w) =>
    ctlDraft(d, t, UMCG_CTL_REGISTER | UMCG_CTL_WORKER, {
      kind: 'struct',
      raw: { state: rawState(w), apiVersion: 1, serverTid: 0, nextTid: 0 },
    }),
  // --- runtime: server loop --------------------------------------------
  'srv:loop': (d, t) => {
    // Enabled only while no other server holds the lock (stepEnabled).
    t.other = 0;
    t.pc = 'srv:gc';
    return { row: 'S1', label: 'server: lock the runtime lock; atomic_stack_gc(idle_servers): prev = head' };
  },
  // atomic_stack_gc (§5.3), one shared access per step: `curr = *prev`,
  // then `next = *curr`, and for a marked curr the unlinking cmpxchg on
  // prev. The read of a marked next and the cmpxchg are one step: a marked
  // node on the list stays marked and only this gc unlinks it, so nothing
  // the read saw can change before the cmpxchg.
  'srv:gc': (d, t) => {
    const prev = t.other;
    let curr: Tid;
    if (prev === 0) {
      curr = d.idleServers[0]?.tid ?? 0;
    } else {
      const i = d.idleServers.findIndex((n) => n.tid === prev);
      if (i < 0) throw new Error(`gc: prev ${name(d, prev)} is not on idle_servers (only this gc unlinks)`);
      if (d.idleServers[i]!.marked) {
        t.other = 0;
        return { row: 'S1', label: `gc: curr = *${name(d, prev)} is marked, prev = head` };
      }
      curr = d.idleServers[i + 1]?.tid ?? 0;
    }
    const at = prev === 0 ? 'head' : name(d, prev);
    if (curr === 0) {
      t.other = 0;
      t.pc = 'srv:pop';
      return { row: 'S1', label: `gc: curr = *${at} = NULL, done` };
    }
    t.other = curr;
    t.seen = prev;
    t.pc = 'srv:gc:curr';
    return { row: 'S1', label: `gc: curr = *${at} = ${name(d, curr)}` };
  },
  'srv:gc:curr': (d, t) => {
    const curr = t.other;
    const prev = t.seen;
    const list = d.idleServers;
    const i = list.findIndex((n) => n.tid === curr);
    if (i < 0) throw new Error(`gc: curr ${name(d, curr)} is not on idle_servers (only this gc unlinks)`);
    t.seen = 0;
    if (!list[i]!.marked) {
      if (i === list.length - 1) {
        t.other = 0;
        t.pc = 'srv:pop';
        return { row: 'S1', label: `gc: next = *${name(d, curr)} = NULL, done` };
      }
      t.pc = 'srv:gc';
      return { row: 'S1', label: `gc: ${name(d, curr)} not marked, prev = ${name(d, curr)}` };
    }
    // cmpxchg(prev, curr, next & ~1): fails if a push changed the head or
    // prev was marked since the gc read it.
    const ok = prev === 0 ? i === 0 : i > 0 && list[i - 1]!.tid === prev && !list[i - 1]!.marked;
    t.pc = 'srv:gc';
    if (!ok) {
      t.other = 0;
      return { row: 'S1', label: `gc: cmpxchg(${prev === 0 ? 'head' : name(d, prev)}, ${name(d, curr)}, next) fails, prev = head` };
    }
    const succ = list[i + 1]?.tid ?? 0;
    list.splice(i, 1);
    unlinked(d, curr, succ);
    t.other = prev;
    return { row: 'S1', label: `gc: unlink marked ${name(d, curr)}` };
  },
  'srv:pop': (d, t) => {
    const first = d.idleWorkers[0];
    if (first !== undefined) {
      d.idleWorkers.shift();
      t.other = first.tid;
      t.pc = 'srv:run:set_self_idle';
      return { row: 'W1', label: `server: pop ${name(d, first.tid)} from idle_workers; unlock` };
    }
    t.other = 0;
    t.pc = 'srv:idle:set_self_idle';
    return { row: 'S1', label: 'server: idle_workers empty; unlock' };
  },
  'srv:run:set_self_idle': (d, t, w) => {
    setWord(w, 'IDLE');
    t.pc = 'srv:run:assign';
    return { row: 'S1', label: 'server: self->state = IDLE' };
  },
  'srv:run:assign': (d, t, w) => {
    // Two stores, server_tid first: nobody reads a worker's server_tid
    // before seeing RUNNING, so under SC the pair is one visible step.
    const worker = t.other;
    const wk = d.tasks[worker - 1]!;
    wk.word.serverTid = t.tid;
    w.nextTid = worker;
    setWord(wk.word, 'RUNNING');
    t.other = 0;
    t.pc = 'wait:enter';
    const n = name(d, worker);
    return { row: 'W1', label: `server: ${n}->server_tid = self; self->next_tid = ${n}; ${n}->state = RUNNING` };
  },
  'srv:idle:set_self_idle': (d, t, w) => {
    setWord(w, 'IDLE');
    w.nextTid = 0;
    t.pc = 'srv:idle:push_self';
    return { row: 'S1', label: 'server: self->state = IDLE; self->next_tid = 0' };
  },
  'srv:idle:push_self': (d, t, w) => {
    push(d.idleServers, t.tid);
    t.pc = 'srv:idle:recheck';
    return { row: 'S1', label: 'server: atomic_stack_push(idle_servers, self)' };
  },
  'srv:idle:recheck': (d, t, w) => {
    const some = d.idleWorkers.length > 0;
    t.pc = some ? 'srv:idle:remove_self' : 'wait:enter';
    return { row: 'S1', label: `server: smp_mb(); idle_workers ${some ? 'not empty' : 'empty'}` };
  },
  'srv:idle:remove_self': (d, t, w) => {
    const mine = d.idleServers.find((n) => n.tid === t.tid && !n.marked);
    if (mine !== undefined) {
      mine.marked = true;
      t.pc = 'srv:loop';
      return { row: 'S1', label: 'server: atomic_stack_remove(idle_servers, self) succeeds' };
    }
    // The kernel popped us first: its wakeup is on the way.
    t.pc = 'wait:enter';
    return { row: 'S1', label: 'server: atomic_stack_remove(idle_servers, self) fails (popped)' };
  },
  // --- runtime: worker body --------------------------------------------
  'wkr:user': noStep('wkr:user'),
  dead: noStep('dead'),
  unregistered: noStep('unregistered'),
  // Yield (W4): publish self on idle_workers before waking the server, so
  // that the server, once awake, finds this worker (a userspace push wakes
  // nobody, unlike the kernel's push in the wake hook). The server's TID is
  // read before the push: once on the list, another server may take this
  // worker and rewrite its server_tid.
  'wkr:yield:set_idle': (d, t, w) => {
    w.state = 'IDLE';
    t.other = w.serverTid;
    t.pc = 'wkr:yield:push_self';
    return { row: 'W4', label: 'worker: self->state = IDLE' };
  },
  'wkr:yield:push_self': (d, t) => {
    push(d.idleWorkers, t.tid);
    t.pc = 'wkr:yield:wake_server';
    return { row: 'W4', label: 'worker: atomic_stack_push(idle_workers, self)' };
  },
  'wkr:yield:wake_server': (d, t, w) => {
    const server = t.other;
    const srv = d.tasks[server - 1];
    if (srv !== undefined) setWord(srv.word, 'RUNNING');
    w.nextTid = server;
    t.other = 0;
    t.pc = 'wait:enter';
    return { row: 'S2', label: `worker: ${name(d, server)}->state = RUNNING; self->next_tid = ${name(d, server)}` };
  },
  // --- kernel: sys_umcg_wait / umcg_idle_loop --------------------------
  'wait:enter': (d, t) => {
    const out = waitDraft(d, t, 0, 0);
    // The runtime's answer to an error return: -EINTR is retried after the
    // signal handler ran; any other error ends this wait, back to the loop.
    if (out.ret !== undefined && out.ret !== 0) returnFromWait(t, out.ret === -EINTR ? -EINTR : 0);
    return out;
  },
  // set_current_state(TASK_INTERRUPTIBLE) and the read of state are two
  // steps, as in the code: a ttwu between them finds the task interruptible,
  // returns 1, and the task then does not sleep (it goes round once more).
  'idle_loop': (d, t) => {
    t.kstate = 'interruptible';
    t.pc = 'idle_loop:check';
    return { row: 'S1', label: 'umcg_idle_loop: set_current_state(TASK_INTERRUPTIBLE)' };
  },
  'idle_loop:check': (d, t, w, fixes) => {
    if (w.state === 'RUNNING') {
      returnFromWait(t, 0);
      return { row: 'S2', label: 'umcg_idle_loop: smp_mb(); state RUNNING, return 0' };
    }
    // freezable_schedule(): a worker passes sched_submit_work() first
    // (not with noHooksInWait).
    t.hookFrom = 'wait';
    t.pc = hooksRun(t, fixes) ? 'submit_work' : 'sleep';
    return { row: 'S1', label: `umcg_idle_loop: smp_mb(); state ${w.state}; schedule()` };
  },
  'idle_loop:after': (d, t, w) => {
    t.kstate = 'running';
    if (t.sigpending) {
      returnFromWait(t, -EINTR);
      return { row: 'S2', label: 'umcg_idle_loop: signal_pending, return -EINTR' };
    }
    if (w.state === 'RUNNING') {
      returnFromWait(t, 0);
      return { row: 'S2', label: 'umcg_idle_loop: state RUNNING, return 0' };
    }
    t.pc = 'idle_loop';
    return { row: 'S1', label: `umcg_idle_loop: state ${w.state}, loop` };
  },
  'wait:eintr': (d, t, w) => {
    // The runtime's signal handler runs, then it calls sys_umcg_wait again.
    t.sigpending = false;
    t.pc = 'wait:enter';
    return { row: 'env', label: 'userspace: sys_umcg_wait returned -EINTR, retry' };
  },
  // --- kernel: block detection (W2) ------------------------------------
  'submit_work': (d, t, w, fixes) => {
    // sched_submit_work() reads the task state once: a wakeup after this
    // check no longer stops the block hook (it runs on a woken task).
    if (t.kstate === 'running') {
      if (wakeHookAfterSchedule(t, fixes)) return continueAt(d, t, 'update_worker', 'sched_submit_work: already TASK_RUNNING; ', fixes);
      // wakeHookAtCallExit: no wake hook; schedule() returns to the
      // syscall's wait loop, whose next step is that of 'sleep'.
      t.pc = 'sleep';
      return { row: 'W2', label: 'sched_submit_work: already TASK_RUNNING; schedule() returns, no wake hook inside the syscall' };
    }
    t.pc = 'submit_work:change_state';
    return { row: 'W2', label: 'sched_submit_work: not TASK_RUNNING, umcg_wq_worker_sleeping() (preemption off)' };
  },
  'submit_work:change_state': (d, t, w) => {
    // wq_worker_change_state(ut_worker, sleeping = true)
    if (w.locked) {
      t.pc = 'sleep';
      return { row: 'W5', label: 'umcg_wq_worker_sleeping: LOCKED, no detection' };
    }
    if (w.state !== 'RUNNING') {
      t.pc = 'sleep';
      return { row: 'W2', label: `umcg_wq_worker_sleeping: state ${w.state}, nothing to do` };
    }
    w.state = 'BLOCKED';
    t.other = w.serverTid;
    t.pc = t.other === 0 ? 'sleep' : 'submit_work:wake_server';
    return { row: 'W2', label: `umcg_wq_worker_sleeping: RUNNING -> BLOCKED, server_tid ${name(d, t.other)}` };
  },
  'submit_work:ttwu': (d, t, w) => {
    const target = t.other;
    const r = umcgTtwu(d, target);
    t.other = 0;
    t.pc = 'sleep';
    return { row: 'S2', label: `umcg_ttwu(${name(d, target)}, WF_CURRENT_CPU): ${r.ret === 0 ? `ttwu = ${r.woke}` : '-ESRCH'}` };
  },
  'call:wait': (d, t, w, fixes) => {
    // set_current_state(TASK_UNINTERRUPTIBLE); the condition; schedule().
    if (t.callDone) {
      // wakeHookAtCallExit: the wake hook runs now, on the way out, and
      // returns to userspace (hookOut).
      if (!wakeHookAfterSchedule(t, fixes)) return continueAt(d, t, 'update_worker', 'blocking syscall: done; at its exit ', fixes);
      t.pc = 'wkr:user';
      t.hookFrom = 'wait';
      t.callDone = false;
      return { row: 'W3', label: 'blocking syscall: done, returns' };
    }
    t.kstate = 'interruptible';
    t.pc = 'submit_work';
    return { row: 'W2', label: 'blocking syscall: not done, set_current_state(TASK_UNINTERRUPTIBLE); schedule()' };
  },
  'sleep': (d, t, w, fixes) => {
    // Not woken, only a signal pending (isAsleep), and the wake hook runs
    // next: __schedule()'s own store of TASK_RUNNING comes before the
    // hook's first access.
    if (t.kstate === 'interruptible' && hooksRun(t, fixes) && wakeHookAfterSchedule(t, fixes)) return staysRunnable(t);
    // Woken: returning from __schedule() is local, so it is folded into
    // the next visible step (sched_update_worker or the state re-read).
    t.kstate = 'running';
    if (!hooksRun(t, fixes)) return continueAt(d, t, 'idle_loop:after', 'schedule() returns; ', fixes);
    if (wakeHookAfterSchedule(t, fixes)) return continueAt(d, t, 'update_worker', 'schedule() returns; ', fixes);
    // wakeHookAtCallExit: no hook; the syscall's wait loop goes on (its
    // set_current_state, or the wake hook at its exit, is the next access).
    return continueAt(d, t, 'call:wait', 'schedule() returns, no wake hook inside the syscall; ', fixes);
  },
  // --- kernel: wake detection (W3, W6, W0) -----------------------------
  'update_worker': (d, t, w) => {
    // wq_worker_change_state(ut_worker, sleeping = false), PF_UMCG_WORKER cleared
    if (w.locked) {
      hookOut(t);
      return { row: 'W5', label: 'umcg_wq_worker_running: LOCKED, no detection' };
    }
    if (w.state === 'RUNNING' && w.serverTid !== 0) {
      hookOut(t);
      return { row: 'W1', label: 'umcg_wq_worker_running: RUNNING with a server, pass through' };
    }
    const prev = w.state;
    w.state = 'IDLE';
    t.pc = 'update_worker:push';
    const row = prev === 'RUNNING' ? 'W6' : 'W3';
    return { row, label: `umcg_wq_worker_running: ${prev} -> IDLE` };
  },
  'update_worker:push': (d, t, w) => {
    push(d.idleWorkers, t.tid);
    t.pc = 'update_worker:pop_server';
    return { row: 'W3', label: 'umcg_sll_push(idle_workers, self)' };
  },
  // umcg_sll_pop (§5.2), one shared access per step: it walks from one
  // read of the head, so a server pushed after that read is not seen, and a
  // failed cmpxchg moves on to the successor it observed without retrying
  // curr. Reaching the end of the list returns "none" at once (local code).
  'update_worker:pop_server': (d, t) => {
    const first = d.idleServers[0];
    if (first === undefined) {
      t.other = 0;
      t.pc = 'update_worker:idle_loop';
      return { row: 'W3', label: 'umcg_sll_pop(idle_servers): smp_mb(); curr = *head = NULL, none' };
    }
    t.other = first.tid;
    t.pc = 'update_worker:pop_read';
    return { row: 'W3', label: `umcg_sll_pop(idle_servers): smp_mb(); curr = *head = ${name(d, first.tid)}` };
  },
  'update_worker:pop_read': (d, t) => {
    const curr = t.other;
    const list = d.idleServers;
    const i = list.findIndex((n) => n.tid === curr);
    if (i < 0) throw new Error(`umcg_sll_pop: curr ${name(d, curr)} is not on idle_servers (gc moves the walk on)`);
    const next = list[i + 1]?.tid ?? 0;
    if (list[i]!.marked) {
      popMoveTo(t, next);
      return { row: 'W3', label: `umcg_sll_pop: smp_mb(); *${name(d, curr)} is marked, curr = ${next === 0 ? 'NULL, none' : name(d, next)}` };
    }
    t.seen = next;
    t.pc = 'update_worker:pop_cas';
    return { row: 'W3', label: `umcg_sll_pop: smp_mb(); next = *${name(d, curr)} = ${next === 0 ? 'NULL' : name(d, next)}` };
  },
  'update_worker:pop_cas': (d, t, w, fixes) => {
    const curr = t.other;
    const list = d.idleServers;
    const i = list.findIndex((n) => n.tid === curr);
    if (i < 0) throw new Error(`umcg_sll_pop: curr ${name(d, curr)} is not on idle_servers (gc moves the walk on)`);
    const node = list[i]!;
    const next = list[i + 1]?.tid ?? 0;
    if (!node.marked && next === t.seen) {
      node.marked = true;
      t.seen = 0;
      t.pc = 'update_worker:wake_server';
      return { row: 'W3', label: `umcg_sll_pop: cmpxchg(${name(d, curr)}, next, next | 1) claims ${name(d, curr)}` };
    }
    // The cmpxchg fails (curr was marked, or the gc unlinked its
    // successor): curr = observed & ~1, curr itself is not retried
    // (except with popRetryCurr).
    if (popRetriesCurr(node, fixes)) {
      t.seen = next;
      return { row: 'W3', label: `umcg_sll_pop: cmpxchg(${name(d, curr)}) fails, link now ${next === 0 ? 'NULL' : name(d, next)}: retry ${name(d, curr)}` };
    }
    t.seen = 0;
    popMoveTo(t, next);
    return { row: 'W3', label: `umcg_sll_pop: cmpxchg(${name(d, curr)}) fails, curr = ${next === 0 ? 'NULL, none' : name(d, next)}` };
  },
  'update_worker:ttwu': (d, t, w) => {
    const target = t.other;
    const r = umcgTtwu(d, target);
    t.other = 0;
    t.pc = 'update_worker:idle_loop';
    return { row: 'S2', label: `umcg_ttwu(${name(d, target)}, WF_CURRENT_CPU): ${r.ret === 0 ? `ttwu = ${r.woke}` : '-ESRCH'}` };
  },
  'update_worker:idle_loop': (d, t, w, fixes) => {
    // hookWaitUninterruptible: TASK_UNINTERRUPTIBLE (still `interruptible`
    // here: the model's one sleeping kstate; signalIgnored tells them apart).
    t.kstate = 'interruptible';
    t.pc = 'update_worker:check';
    const how = hookWaitUninterruptible(fixes) ? 'UNINTERRUPTIBLE' : 'INTERRUPTIBLE';
    return { row: 'W3', label: `umcg_wq_worker_running: umcg_idle_loop: set_current_state(TASK_${how})` };
  },
  'update_worker:check': (d, t, w) => {
    if (w.state === 'RUNNING') {
      hookOut(t);
      return { row: 'W1', label: 'umcg_wq_worker_running: umcg_idle_loop: state RUNNING, return' };
    }
    t.pc = 'update_worker:schedule';
    return { row: 'W3', label: `umcg_wq_worker_running: umcg_idle_loop: smp_mb(); state ${w.state}; schedule()` };
  },
  'update_worker:schedule': (d, t, w, fixes) => {
    t.kstate = 'running';
    return continueAt(d, t, 'update_worker:after', 'schedule() returns; ', fixes);
  },
  'update_worker:after': (d, t, w, fixes) => {
    if (t.sigpending && !signalIgnored(t, fixes)) {
      hookOut(t);
      return { row: 'W1', label: 'umcg_wq_worker_running: umcg_idle_loop: -EINTR (ignored)' };
    }
    if (w.state === 'RUNNING') {
      hookOut(t);
      return { row: 'W1', label: 'umcg_wq_worker_running: umcg_idle_loop: state RUNNING, return' };
    }
    t.pc = 'update_worker:idle_loop';
    return { row: 'W3', label: `umcg_wq_worker_running: umcg_idle_loop: state ${w.state}, loop` };
  },
  'submit_work:wake_server': (d, t) => tryToWakeServer(d, t, 'submit_work'),
  'update_worker:wake_server': (d, t) => tryToWakeServer(d, t, 'update_worker'),
};

/** try_to_wake_server(): from the block hook (by TID) or the wake hook (popped struct). */
function tryToWakeServer(d: D, t: DT, from: 'submit_work' | 'update_worker'): Out {
    const fail = from === 'submit_work' ? 'sleep' : 'update_worker:idle_loop';
    const target = t.other;
    const srv = d.tasks[target - 1];
    // From the block hook the server is looked up by TID and must be a live
    // UMCG task; from the wake hook the popped struct is used as it is.
    if (srv === undefined || (from === 'submit_work' && (srv.pc === 'dead' || srv.reg === 'none'))) {
      t.other = 0;
      t.pc = fail;
      return { row: 'S2', label: `try_to_wake_server: ${name(d, target)} not found` };
    }
    if (from === 'update_worker') t.other = srv.word.serverTid; // server_tid read from the popped struct
    const raw = rawState(srv.word);
    if (raw === rawState({ ...srv.word, state: 'IDLE', locked: false })) {
      srv.word.state = 'RUNNING';
      t.pc = from === 'submit_work' ? 'submit_work:ttwu' : 'update_worker:ttwu';
      return { row: 'S2', label: `try_to_wake_server: cmpxchg ${name(d, srv.tid)} IDLE -> RUNNING` };
    }
    if (srv.word.state === 'RUNNING' && !srv.word.locked) {
      t.other = 0;
      t.pc = fail;
      return { row: 'S2', label: `try_to_wake_server: ${name(d, srv.tid)} already RUNNING, no ttwu` };
    }
    return die(d, t, `try_to_wake_server: ${name(d, srv.tid)} state ${srv.word.state}${srv.word.locked ? '|LOCKED' : ''}`);
}

/** umcg_sll_pop moves on to `next` (its link's address part); NULL ends the walk with none. */
function popMoveTo(t: DT, next: Tid): void {
  t.other = next;
  t.pc = next === 0 ? 'update_worker:idle_loop' : 'update_worker:pop_read';
}

/**
 * The gc unlinked `node`, whose link still reads `succ | 1`. A kernel pop
 * whose curr is `node` will read (or, at its cmpxchg, observe) that marked
 * link and move on to `succ`; the model moves it there now, so that no walk
 * ever stands on a node that is off the list. (If the node is pushed again
 * before the pop reads its link, the pop would read the new link instead;
 * the model does not have that use-after-unlink: model/README.md.)
 */
function unlinked(d: D, node: Tid, succ: Tid): void {
  for (const u of d.tasks) {
    if (u.other === node && (u.pc === 'update_worker:pop_read' || u.pc === 'update_worker:pop_cas')) {
      u.seen = 0;
      popMoveTo(u, succ);
    }
  }
}

function noStep(pc: Pc): Handler {
  return () => {
    throw new Error(`no code step at ${pc}`);
  };
}
