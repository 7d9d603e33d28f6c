/**
 * The abstract UMCG v0.3 state: who is registered, each task's `struct
 * umcg_task` as far as the protocol reads it, where each thread is in its
 * (kernel or userspace) code, who sleeps in `umcg_idle_loop`, and the two
 * userspace lists. Plain readonly data: task identity is a TID, never an
 * object reference, so states hash, compare and print.
 *
 * @see include/uapi/linux/umcg.h (v0.3, 16 Jul 2021)
 */

/** A thread id. 0 means "none", as in `server_tid == 0`. */
export type Tid = number;

/** `UMCG_TASK_*`, bits 0-7 of `umcg_task.state`. */
export type UmcgState = 'NONE' | 'RUNNING' | 'IDLE' | 'BLOCKED';

export const UMCG_TASK_NONE = 0;
export const UMCG_TASK_RUNNING = 1;
export const UMCG_TASK_IDLE = 2;
export const UMCG_TASK_BLOCKED = 3;
export const UMCG_TF_STATE_MASK = 0xff;
export const UMCG_TF_LOCKED = 1 << 8;

/** The fields of `struct umcg_task` the protocol reads (offsets 0, 8, 12). */
export interface UmcgWord {
  readonly state: UmcgState;
  /** `UMCG_TF_LOCKED`: block/wake detection is off while it is set. */
  readonly locked: boolean;
  /** Worker: the server to wake when it blocks. Server: its own TID. */
  readonly serverTid: Tid;
  /** The task `sys_umcg_wait()` context-switches into; 0 for none. */
  readonly nextTid: Tid;
}

/** What the task's program is; fixed for the whole run. */
export type Role = 'server' | 'worker';

/**
 * The kernel's view of a task: `current->umcg_task != NULL` and
 * `PF_UMCG_WORKER`. `worker` means both are set.
 */
export type Registration = 'none' | 'server' | 'worker';

/**
 * Where a thread is. Names follow the code they stand for: `srv:*` and
 * `wkr:*` are the userspace runtime (server loop, worker body), the rest are
 * kernel routines of patch 4.
 */
export type Pc =
  // userspace server loop (runtime, follows the documented protocol)
  | 'srv:register' // sys_umcg_ctl(UMCG_CTL_REGISTER) with state RUNNING, server_tid 0
  | 'srv:set_tid' // self->server_tid = self (needed before it can be popped from idle_servers)
  | 'srv:loop' // top of the loop: take the runtime lock (gc and pop run under it)
  | 'srv:gc' // atomic_stack_gc(idle_servers): curr = *prev (other = prev, 0 for the head)
  | 'srv:gc:curr' // atomic_stack_gc: next = *curr; unlink a marked curr (other = curr, seen = prev)
  | 'srv:pop' // pop the first idle worker from idle_workers, or go idle; unlock
  | 'srv:run:set_self_idle' // self->state = IDLE (the waiter's half of the wake protocol)
  | 'srv:run:assign' // worker->server_tid = self; self->next_tid = worker; worker->state = RUNNING
  | 'srv:idle:set_self_idle' // self->state = IDLE before publishing itself
  | 'srv:idle:push_self' // atomic_stack_push(idle_servers, self)
  | 'srv:idle:recheck' // full fence, then look at idle_workers again
  | 'srv:idle:remove_self' // atomic_stack_remove(idle_servers, self)
  // userspace worker body
  | 'wkr:register' // sys_umcg_ctl(UMCG_CTL_REGISTER | UMCG_CTL_WORKER) with state IDLE
  | 'wkr:user' // RUNNING: computing
  | 'wkr:yield:set_idle' // self->state = IDLE (remember the server)
  | 'wkr:yield:push_self' // atomic_stack_push(idle_workers, self)
  | 'wkr:yield:wake_server' // server->state = RUNNING; next_tid = server (wake protocol)
  // kernel: sys_umcg_wait and umcg_idle_loop
  | 'wait:enter' // sys_umcg_wait(): read next_tid (server_tid for a worker), ttwu(next)
  | 'idle_loop' // umcg_idle_loop(): set_current_state(TASK_INTERRUPTIBLE)
  | 'idle_loop:check' // smp_mb(); read self->state: RUNNING returns, else schedule()
  | 'idle_loop:after' // after schedule(): signal_pending -> -EINTR; read state
  | 'wait:eintr' // userspace got -EINTR from sys_umcg_wait: run the handler, call again
  // kernel: block detection, sched_submit_work -> umcg_wq_worker_sleeping
  | 'submit_work' // sched_submit_work(): task already TASK_RUNNING? then no hook
  | 'submit_work:change_state' // wq_worker_change_state(sleeping): RUNNING -> BLOCKED, read server_tid
  | 'submit_work:wake_server' // try_to_wake_server(): cmpxchg server IDLE -> RUNNING
  | 'submit_work:ttwu' // umcg_ttwu(server, WF_CURRENT_CPU)
  | 'sleep' // __schedule(): off the CPU while TASK_INTERRUPTIBLE; then sched_update_worker
  | 'call:wait' // the blocking call's wait loop: set_current_state(TASK_UNINTERRUPTIBLE); done? return : schedule()
  // kernel: wake detection, sched_update_worker -> umcg_wq_worker_running
  | 'update_worker' // wq_worker_change_state(waking): -> IDLE, or pass through
  | 'update_worker:push' // umcg_sll_push(idle_workers, self)
  | 'update_worker:pop_server' // umcg_sll_pop(idle_servers): smp_mb(); curr = *head
  | 'update_worker:pop_read' // umcg_sll_pop: next = *curr; skip a marked curr (other = curr)
  | 'update_worker:pop_cas' // umcg_sll_pop: cmpxchg(curr, next, next | 1) (other = curr, seen = next)
  | 'update_worker:wake_server' // try_to_wake_server(popped): cmpxchg IDLE -> RUNNING
  | 'update_worker:ttwu' // umcg_ttwu(server, WF_CURRENT_CPU)
  | 'update_worker:idle_loop' // the nested umcg_idle_loop(0), PF_UMCG_WORKER cleared: set_current_state
  | 'update_worker:check' // its read of self->state
  | 'update_worker:schedule' // its freezable_schedule() (no hooks: the flag is clear)
  | 'update_worker:after' // after it: signal -> -EINTR (ignored); read state
  // off the scheduler for good
  | 'dead' // killed by umcg_die() (SIGSEGV) or exited
  | 'unregistered'; // called umcg_ctl(UNREGISTER) and left UMCG (its thread runs on)

/**
 * Every program counter, with the role whose thread can be there. A total
 * record: a new pc that is not listed here does not compile. Other modules
 * derive their pc lists from it (state encoding, coverage).
 */
export const PC_ROLES: Readonly<Record<Pc, Role | 'both'>> = {
  'srv:register': 'server',
  'srv:set_tid': 'server',
  'srv:loop': 'server',
  'srv:gc': 'server',
  'srv:gc:curr': 'server',
  'srv:pop': 'server',
  'srv:run:set_self_idle': 'server',
  'srv:run:assign': 'server',
  'srv:idle:set_self_idle': 'server',
  'srv:idle:push_self': 'server',
  'srv:idle:recheck': 'server',
  'srv:idle:remove_self': 'server',
  'wkr:register': 'worker',
  'wkr:user': 'worker',
  'wkr:yield:set_idle': 'worker',
  'wkr:yield:push_self': 'worker',
  'wkr:yield:wake_server': 'worker',
  'wait:enter': 'both',
  idle_loop: 'both',
  'idle_loop:check': 'both',
  'idle_loop:after': 'both',
  'wait:eintr': 'both',
  submit_work: 'worker',
  'submit_work:change_state': 'worker',
  'submit_work:wake_server': 'worker',
  'submit_work:ttwu': 'worker',
  sleep: 'both',
  'call:wait': 'worker',
  update_worker: 'worker',
  'update_worker:push': 'worker',
  'update_worker:pop_server': 'worker',
  'update_worker:pop_read': 'worker',
  'update_worker:pop_cas': 'worker',
  'update_worker:wake_server': 'worker',
  'update_worker:ttwu': 'worker',
  'update_worker:idle_loop': 'worker',
  'update_worker:check': 'worker',
  'update_worker:schedule': 'worker',
  'update_worker:after': 'worker',
  dead: 'both',
  unregistered: 'both',
};

/** The program counters a thread of `role` can be at. */
export function pcsOf(role: Role): Pc[] {
  return (Object.keys(PC_ROLES) as Pc[]).filter((pc) => PC_ROLES[pc] === role || PC_ROLES[pc] === 'both');
}

/** A node of a userspace idle stack. `marked`: bit 0 of its link (popped, awaiting gc). */
export interface ListNode {
  readonly tid: Tid;
  readonly marked: boolean;
}

export interface Task {
  readonly tid: Tid;
  readonly role: Role;
  readonly reg: Registration;
  readonly word: UmcgWord;
  readonly pc: Pc;
  /**
   * The kernel task state. A task at a schedule point with `interruptible`
   * is asleep until a wakeup sets it back to `running`.
   */
  readonly kstate: 'running' | 'interruptible';
  /** A signal is pending (adversarial profile only). */
  readonly sigpending: boolean;
  /**
   * A remembered TID: for a server, the worker it picked; for a worker in
   * the wake path, the server it popped; for a yielding worker, its server.
   */
  readonly other: Tid;
  /**
   * A second remembered TID, for the two list walks that compare a link
   * they read earlier: umcg_sll_pop's `next` before its cmpxchg
   * (`update_worker:pop_cas`), atomic_stack_gc's `prev` before its unlink
   * (`srv:gc:curr`; 0 is the list head). 0 everywhere else.
   */
  readonly seen: Tid;
  /**
   * Which schedule() the scheduler hooks run around: a blocking non-UMCG
   * syscall (`call`, woken only by its completion) or umcg_idle_loop (`wait`).
   */
  readonly hookFrom: 'call' | 'wait';
  /**
   * The blocking call's wait condition holds (its completion came). Until
   * then any wakeup only sends it round its wait loop again. Registration's
   * synchronous wake hook counts as a call that is already done.
   */
  readonly callDone: boolean;
  /** How the task ended, if it did. */
  readonly end: 'none' | 'sigsegv' | 'exit';
}

export interface State {
  /** Indexed by tid - 1. Servers first, then workers. */
  readonly tasks: readonly Task[];
  /** `*idle_workers_ptr` stack, head first. */
  readonly idleWorkers: readonly ListNode[];
  /** `*idle_servers_ptr` stack, head first. */
  readonly idleServers: readonly ListNode[];
  /** Adversarial environment events still allowed. */
  readonly envBudget: number;
  /** The task whose umcg_die() sent SIGSEGV, killing the process; 0 if none. */
  readonly killedBy: Tid;
}

/**
 * Kernel fixes the model can take, each a named deviation from v0.3 (all
 * off in v0.3). They are the model's side of the FIXED implementation
 * variant (impl/state.ts, docs/bugs/FIXED.md) and carry the same names;
 * model/README.md says where each comes from. FIXED's other two flags need
 * nothing here: the model has no page faults (`nofaultInAtomic`) and no
 * `max_tries` bound on its list operations (`noDieOnContention`).
 */
export interface ModelFixes {
  /**
   * F1, F2: schedule() runs neither UMCG hook while the task is inside
   * sys_umcg_wait (as if PF_UMCG_WORKER were cleared around it; PeterZ's
   * rewrite, spec §8.4). A worker sleeps in umcg_idle_loop as a server does.
   */
  readonly noHooksInWait: boolean;
  /**
   * F4: inside a blocking syscall schedule() runs the block hook only; the
   * wake hook runs once, when the syscall returns (v0.6's
   * exit_to_user_mode_loop, PeterZ's umcg_sys_exit, spec §8.3-8.4).
   */
  readonly wakeHookAtCallExit: boolean;
  /**
   * F3: the wake hook's nested umcg_idle_loop sleeps in
   * TASK_UNINTERRUPTIBLE and ignores pending signals (v0.4 ignored
   * non-fatal signals in the hooks, spec §8.2).
   */
  readonly hookWaitUninterruptible: boolean;
  /**
   * F5: a failed cmpxchg of umcg_sll_pop on a node whose link is still
   * unmarked (its successor changed: the gc unlinked it) retries the same
   * node with the link it observed, as a compare-and-swap loop does,
   * instead of moving on past it. v0.4 replaced the idle-server list by
   * one word (spec §5.5); the form is ours.
   */
  readonly popRetryCurr: boolean;
}

/** v0.3: no fix. */
export const NO_FIXES: ModelFixes = { noHooksInWait: false, wakeHookAtCallExit: false, hookWaitUninterruptible: false, popRetryCurr: false };

/** Every fix: the model of the FIXED implementation variant (impl/state.ts GALLERY, docs/bugs/FIXED.md). */
export const FIXED_FIXES: ModelFixes = { noHooksInWait: true, wakeHookAtCallExit: true, hookWaitUninterruptible: true, popRetryCurr: true };

/** The named fix sets (`--variant` of `explore --target model`). */
export const MODEL_VARIANTS: Readonly<Record<'v0.3' | 'FIXED', ModelFixes>> = { 'v0.3': NO_FIXES, FIXED: FIXED_FIXES };

/** Which userspace the environment plays. */
export type Profile = 'contract' | 'adversarial';

export interface ModelConfig {
  readonly servers: number;
  readonly workers: number;
  readonly profile: Profile;
  /** Workers may yield (row W4). */
  readonly yield: boolean;
  /** Workers may set UMCG_TF_LOCKED on themselves (row W5). */
  readonly locks: boolean;
  /** Adversarial events (signal, spurious wakeup, WAKE_ONLY, exit, unregister) allowed in one run. */
  readonly envBudget: number;
  /** Kernel fixes in force; absent means none (the v0.3 model). */
  readonly fixes?: ModelFixes;
}

export const DEFAULT_MODEL_CONFIG: Omit<ModelConfig, 'servers' | 'workers'> = {
  profile: 'contract',
  yield: true,
  locks: false,
  envBudget: 0,
};
