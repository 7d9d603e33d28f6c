/**
 * The invariant registry. IDs are permanent; docs/invariants.md is generated
 * from this file (`npm run docs`).
 */
import { causeOf, inUserspace, isAsleep, taskName } from '../model/transitions.ts';
import type { ListNode, State, Task, Tid, UmcgWord } from '../model/types.ts';
import type { Invariant, LivenessProperty, StateInvariant, TransitionInvariant, Witness } from './invariant.ts';

const witness = (message: string, tasks: readonly Tid[], list?: Witness['list']): Witness =>
  list === undefined ? { message, tasks } : { message, tasks, list };

const LISTS = [
  ['idle_workers', (s: State) => s.idleWorkers, 'worker'],
  ['idle_servers', (s: State) => s.idleServers, 'server'],
] as const;

/** The first node (in list order) whose TID an earlier node has; lists are short, so no set is built. */
function firstDuplicate(nodes: readonly ListNode[]): Tid | undefined {
  for (let i = 1; i < nodes.length; i++) for (let j = 0; j < i; j++) if (nodes[j]!.tid === nodes[i]!.tid) return nodes[i]!.tid;
  return undefined;
}

/** A worker executing its body with RUNNING in its state word. */
function runningWorker(t: Task): boolean {
  return t.role === 'worker' && t.pc === 'wkr:user' && t.word.state === 'RUNNING';
}

/**
 * A worker whose state is RUNNING with `server_tid == srv` holds that server,
 * wherever its thread is: in its body, or (LOCKED, so undetected) blocked in
 * the kernel; a LOCKED worker "behaves as a server" (§2.3 Note 3).
 */
function holdsServer(w: Task, srv: Tid): boolean {
  return w.role === 'worker' && w.pc !== 'dead' && w.word.state === 'RUNNING' && w.word.serverTid === srv;
}

/** Asleep in sys_umcg_wait's umcg_idle_loop (not in a blocking call, not in the wake hook). */
function asleepInWait(t: Task): boolean {
  return t.pc === 'sleep' && t.hookFrom === 'wait' && isAsleep(t);
}

/** Asleep in any umcg_idle_loop: sys_umcg_wait's, or the wake hook's nested one. */
function asleepInIdleLoop(t: Task): boolean {
  return asleepInWait(t) || (t.pc === 'update_worker:schedule' && isAsleep(t));
}

// --- well-formedness ------------------------------------------------------

const LIST_NO_DUPLICATE: StateInvariant = {
  id: 'INV-LIST-NO-DUPLICATE',
  kind: 'well-formedness',
  statement: 'No task appears twice on idle_workers or on idle_servers.',
  rationale:
    'Both lists are intrusive stacks linked through a field of the task\'s own struct: pushing a node that is still linked overwrites its link, which makes a cycle or cuts off the rest of the list.',
  spec: '§2.2, §5.1, §5.3',
  scope: 'contract',
  breakers: ['W3 umcg_sll_push', 'W4 worker pushes itself', 'S1 server pushes itself'],
  checked: 'Scans both lists for a repeated TID (marked nodes included: they are still linked).',
  check: (s) => {
    for (const [list, get] of LISTS) {
      const dup = firstDuplicate(get(s));
      if (dup !== undefined) return witness(`${taskName(s, dup)} is on ${list} twice`, [dup], list);
    }
    return null;
  },
};

const LIST_MEMBERS: StateInvariant = {
  id: 'INV-LIST-MEMBERS',
  kind: 'well-formedness',
  statement: 'Every node on idle_workers is a registered worker and every node on idle_servers a registered server.',
  rationale:
    'The kernel follows the links and writes through them (it marks popped nodes, cmpxchg\'s the server\'s state); a node of an exited or unregistered task points at memory nobody owns any more.',
  spec: '§2.2, §3.1, §4.6 W7-W8',
  scope: 'contract',
  breakers: ['W7 unregister', 'W8 exit', 'W3 umcg_sll_push', 'S1 server pushes itself'],
  checked: 'Checks the role and registration of every node\'s task.',
  check: (s) => {
    for (const [list, get, role] of LISTS) {
      for (const n of get(s)) {
        const t = s.tasks[n.tid - 1];
        if (t === undefined || t.role !== role || t.reg !== role) {
          return witness(`${taskName(s, n.tid)} on ${list} is not a registered ${role}`, [n.tid], list);
        }
      }
    }
    return null;
  },
};

const IDLE_WORKER_NODE_IDLE: StateInvariant = {
  id: 'INV-IDLE-LIST-STATE',
  kind: 'well-formedness',
  statement: 'Every unmarked node on idle_workers is a worker whose state is IDLE, and every unmarked node on idle_servers a server whose state is IDLE.',
  rationale:
    'Userspace removes a worker from the list before it marks it RUNNING (I4), and the kernel marks a server\'s node before it makes the server RUNNING; an unmarked node in another state will be handed out again.',
  spec: '§7 I4, §4.4, §5.2',
  scope: 'contract',
  breakers: ['W1 server marks a worker RUNNING', 'S2 try_to_wake_server', 'W4 yield'],
  checked: 'Reads the state word of every unmarked node\'s task.',
  check: (s) => {
    for (const [list, get] of LISTS) {
      for (const n of get(s)) {
        const t = s.tasks[n.tid - 1];
        if (!n.marked && t !== undefined && t.word.state !== 'IDLE') {
          return witness(`${taskName(s, n.tid)} is on ${list} unmarked but its state is ${t.word.state}`, [n.tid], list);
        }
      }
    }
    return null;
  },
};

const STATE_VALID: StateInvariant = {
  id: 'INV-STATE-VALID',
  kind: 'well-formedness',
  statement: 'A registered task\'s state is RUNNING, IDLE or BLOCKED; a server is never BLOCKED and never LOCKED.',
  rationale:
    'NONE is for unregistered tasks; only workers are subject to block detection (Note 2), and LOCKED is a worker flag (Note 3). Any other value makes the kernel\'s exact-value cmpxchg fail and kill the process.',
  spec: '§2.1, §2.3',
  scope: 'contract',
  breakers: ['userspace state stores', 'W2', 'S2'],
  checked: 'Reads every registered task\'s state word.',
  check: (s) => {
    for (const t of s.tasks) {
      if (t.reg === 'none') continue;
      const w = t.word;
      if (w.state === 'NONE') return witness(`${taskName(s, t.tid)} is registered with state NONE`, [t.tid]);
      if (t.role === 'server' && (w.state === 'BLOCKED' || w.locked)) {
        return witness(`server ${taskName(s, t.tid)} has state ${w.state}${w.locked ? '|LOCKED' : ''}`, [t.tid]);
      }
    }
    return null;
  },
};

// --- safety ---------------------------------------------------------------

const RUNNING_HAS_SERVER: StateInvariant = {
  id: 'INV-RUNNING-HAS-SERVER',
  kind: 'safety',
  statement: 'A worker running its body with state RUNNING and not LOCKED has a server (server_tid != 0).',
  rationale:
    'When it blocks, the kernel wakes server_tid; without one, the blocking goes unnoticed and the server side of the M:N scheduler loses a CPU.',
  spec: '§7 I1, §2.3',
  scope: 'contract',
  breakers: ['W1 run a worker', 'W6 RUNNING without server'],
  checked: 'Reads server_tid of every worker at its body with state RUNNING.',
  check: (s) => {
    for (const t of s.tasks) {
      if (runningWorker(t) && !t.word.locked && t.word.serverTid === 0) {
        return witness(`${taskName(s, t.tid)} runs with state RUNNING and no server`, [t.tid]);
      }
    }
    return null;
  },
};

const USER_ONLY_RUNNING: StateInvariant = {
  id: 'INV-USER-ONLY-RUNNING',
  kind: 'safety',
  statement: 'A worker executing its body is RUNNING with a server, or LOCKED.',
  rationale:
    'Blocked workers and workers woken without a server must not return to userspace: the kernel parks them on idle_workers until a server runs them, or two threads run on one server\'s behalf.',
  spec: '§7 I3, §4.4',
  scope: 'contract',
  breakers: ['W3 umcg_wq_worker_running', 'umcg_idle_loop return paths'],
  checked: 'Reads the state word of every worker at its body.',
  check: (s) => {
    for (const t of s.tasks) {
      if (t.role !== 'worker' || t.pc !== 'wkr:user' || t.word.locked) continue;
      if (t.word.state !== 'RUNNING' || t.word.serverTid === 0) {
        return witness(`${taskName(s, t.tid)} returned to userspace with state ${t.word.state}, server ${taskName(s, t.word.serverTid)}`, [t.tid]);
      }
    }
    return null;
  },
};

const SINGLE_RUNNING: StateInvariant = {
  id: 'INV-SINGLE-RUNNING',
  kind: 'safety',
  statement: 'For each server, at most one of {the server, its workers} runs userspace code in state RUNNING.',
  rationale: '"If a worker is running, its server is sleeping, period": a server stands for one CPU of the userspace scheduler.',
  spec: '§7 I2',
  scope: 'contract',
  breakers: ['W1 run a worker', 'S2 server woken', 'W4 yield', 'umcg_idle_loop returns'],
  checked: 'Counts, per server, the running workers naming it and the server itself when it runs with state RUNNING.',
  check: (s) => {
    const runsFor = (w: Task, srv: Task): boolean => w.role === 'worker' && w.word.state === 'RUNNING' && w.word.serverTid === srv.tid && inUserspace(w);
    const runsItself = (srv: Task): boolean => srv.word.state === 'RUNNING' && inUserspace(srv);
    for (const srv of s.tasks) {
      if (srv.role !== 'server') continue;
      // Counted first: the list is built only for a witness (this runs on every state the explorer finds).
      let count = runsItself(srv) ? 1 : 0;
      for (const w of s.tasks) if (runsFor(w, srv)) count++;
      if (count > 1) {
        const running = s.tasks.filter((w) => runsFor(w, srv)).map((w) => w.tid);
        if (runsItself(srv)) running.push(srv.tid);
        return witness(`on behalf of ${taskName(s, srv.tid)} run ${running.map((t) => taskName(s, t)).join(' and ')}`, running);
      }
    }
    return null;
  },
};

const NO_SIGSEGV: StateInvariant = {
  id: 'INV-NO-SIGSEGV',
  kind: 'safety',
  statement: 'The kernel never kills a program that follows the documented protocol (umcg_die is not reached).',
  rationale:
    'umcg_die() sends SIGSEGV to the whole process on any unexpected state word; a correct program must never see it.',
  spec: '§4.1, §4.2, §4.3, §11 item 6',
  scope: 'contract',
  breakers: ['S2 try_to_wake_server', 'W2/W3 wq_worker_change_state', 'W3 umcg_sll_push/pop'],
  checked: 'Reads the state\'s killedBy field.',
  check: (s) => (s.killedBy === 0 ? null : witness(`umcg_die() in ${taskName(s, s.killedBy)} killed the process`, [s.killedBy])),
};

// --- transitions ----------------------------------------------------------

const NO_FORBIDDEN_TRANSITION: TransitionInvariant = {
  id: 'INV-NO-FORBIDDEN-TRANSITION',
  kind: 'transition',
  statement: 'No step of kernel or program code takes a task IDLE => BLOCKED or BLOCKED => RUNNING.',
  rationale:
    'The documented state machine forbids both: an IDLE task is not running, so it cannot block; a BLOCKED worker must pass through IDLE and the idle list so that a server decides when it runs. (Whatever userspace does, the kernel side alone is held to INV-KERNEL-STATE-CHANGES.)',
  spec: '§2.3 ("Never"), §7 I7',
  scope: 'contract',
  breakers: ['W2 umcg_wq_worker_sleeping', 'W1 userspace marks RUNNING'],
  checked: 'Compares every task\'s state before and after each step not caused by the environment.',
  check: (before, step) => {
    if (causeOf(step.action) === 'environment') return null;
    for (const t of before.tasks) {
      const after = step.next.tasks[t.tid - 1]!.word.state;
      const from = t.word.state;
      if ((from === 'IDLE' && after === 'BLOCKED') || (from === 'BLOCKED' && after === 'RUNNING')) {
        return witness(`${taskName(before, t.tid)} went ${from} => ${after} (${step.label})`, [t.tid]);
      }
    }
    return null;
  },
};

/** The state changes kernel code may make (§4.2-§4.4): anything else is a kernel bug. */
function kernelMayChange(role: Task['role'], from: UmcgWord, to: UmcgWord): boolean {
  if (role === 'server') return from.state === 'IDLE' && !from.locked && to.state === 'RUNNING' && !to.locked;
  // Worker: W2 RUNNING -> BLOCKED, W3/W6/W0 -> IDLE (flags kept), W5 clear LOCKED.
  if (from.state === to.state) return from.locked && !to.locked;
  if (to.state === 'BLOCKED') return from.state === 'RUNNING' && from.locked === to.locked;
  return to.state === 'IDLE' && from.locked === to.locked;
}

const KERNEL_STATE_CHANGES: TransitionInvariant = {
  id: 'INV-KERNEL-STATE-CHANGES',
  kind: 'transition',
  statement:
    'Kernel code changes a server\'s state only IDLE => RUNNING, and a worker\'s only RUNNING => BLOCKED, to IDLE, or by clearing LOCKED.',
  rationale:
    'Userspace owns every other change (Note 4 of §2.3): the kernel cmpxchg\'s exactly IDLE to exactly RUNNING to wake a server (I6), marks a blocking worker BLOCKED, a waking one IDLE, and clears LOCKED in umcg_idle_loop. Anything else overwrites a state userspace relies on, whatever userspace did before.',
  spec: '§7 I6, I7; §4.2-§4.4; §2.3 Note 4',
  scope: 'always',
  breakers: ['S2 try_to_wake_server', 'W2/W3 wq_worker_change_state', 'W5 idle-loop prologue'],
  checked: 'On each kernel step, compares every task\'s state word before and after.',
  check: (before, step) => {
    if (causeOf(step.action) !== 'code') return null;
    const actor = before.tasks[step.action.tid - 1];
    if (actor === undefined || inUserspace(actor)) return null;
    for (const t of before.tasks) {
      const b = t.word;
      const a = step.next.tasks[t.tid - 1]!.word;
      if (a.state === b.state && a.locked === b.locked) continue;
      if (!kernelMayChange(t.role, b, a)) {
        const show = (w: UmcgWord): string => w.state + (w.locked ? '|LOCKED' : '');
        return witness(`kernel changed ${t.role} ${taskName(before, t.tid)} from ${show(b)} to ${show(a)} (${step.label})`, [t.tid]);
      }
    }
    return null;
  },
};

const KERNEL_RETURNS_RUNNING: TransitionInvariant = {
  id: 'INV-KERNEL-RETURNS-RUNNING',
  kind: 'transition',
  statement:
    'When kernel code returns a worker to its body (from a blocking call, a wake hook or sys_umcg_wait), the worker\'s state is RUNNING, or it is LOCKED.',
  rationale:
    '"Previously blocked or woken without servers workers are not allowed to return to the userspace" (I3): such a worker is on idle_workers, so a server may run it a second time. Unlike INV-USER-ONLY-RUNNING this blames only the kernel, so it must hold whatever userspace does; whether a RUNNING worker has a server is userspace\'s part of the contract (INV-RUNNING-HAS-SERVER).',
  spec: '§7 I3, §4.4',
  scope: 'always',
  breakers: ['W3 umcg_wq_worker_running (its nested umcg_idle_loop ignores -EINTR)', 'umcg_idle_loop return paths'],
  checked: 'On each kernel step that moves a worker into its body, reads the worker\'s state word after the step.',
  check: (before, step) => {
    if (causeOf(step.action) !== 'code') return null;
    const t = before.tasks[step.action.tid - 1];
    if (t === undefined || t.role !== 'worker' || inUserspace(t)) return null;
    // An error return from sys_umcg_wait is the syscall working as specified;
    // what the runtime then does with its own IDLE state is userspace's part.
    if (step.ret !== undefined && step.ret !== 0) return null;
    const after = step.next.tasks[t.tid - 1]!;
    if (after.pc !== 'wkr:user') return null;
    const w = after.word;
    if (w.locked || w.state === 'RUNNING') return null;
    return witness(`kernel returned ${taskName(before, t.tid)} to userspace with state ${w.state} (${step.label})`, [t.tid]);
  },
};

const BLOCKED_ONLY_WHEN_BLOCKING: TransitionInvariant = {
  id: 'INV-BLOCKED-ONLY-WHEN-BLOCKING',
  kind: 'transition',
  statement: 'The kernel marks a worker BLOCKED only when the worker blocks in a (non-UMCG) syscall, never while it waits in sys_umcg_wait.',
  rationale:
    'RUNNING => BLOCKED means "a RUNNING worker blocks" (§2.3), and its server is woken to run someone else. A worker sleeping in sys_umcg_wait that a server has just marked RUNNING is about to run, not blocked: reporting it BLOCKED wakes the server for nothing and sends the worker back through the idle list.',
  spec: '§2.3, §4.3, §4.4 (sys_umcg_wait does not clear PF_UMCG_WORKER)',
  scope: 'always',
  breakers: ['W2 umcg_wq_worker_sleeping called from the schedule() of umcg_idle_loop'],
  checked: 'On each kernel step that takes a worker RUNNING => BLOCKED, checks that the schedule() it runs in belongs to a blocking call.',
  check: (before, step) => {
    if (causeOf(step.action) !== 'code') return null;
    const t = before.tasks[step.action.tid - 1];
    if (t === undefined || t.role !== 'worker' || inUserspace(t)) return null;
    const after = step.next.tasks[t.tid - 1]!;
    if (t.word.state !== 'RUNNING' || after.word.state !== 'BLOCKED' || t.hookFrom === 'call') return null;
    return witness(`kernel marked ${taskName(before, t.tid)} BLOCKED inside sys_umcg_wait (${step.label})`, [t.tid]);
  },
};

const KERNEL_LIST_OPS: TransitionInvariant = {
  id: 'INV-KERNEL-LIST-OPS',
  kind: 'transition',
  statement: 'Kernel code only pushes a node at the head of a list or marks a node; it never unlinks one.',
  rationale:
    'v0.3 avoids ABA by leaving every unlink to a single userspace gc; a kernel unlink racing that gc can reinsert a node that was already taken.',
  spec: '§7 I9, §5.2, §5.4(a)',
  scope: 'always',
  breakers: ['W3 umcg_sll_push', 'W3 umcg_sll_pop'],
  checked: 'On each kernel step, checks that each list after is the list before with at most one node added at the head and some nodes marked.',
  check: (before, step) => {
    if (causeOf(step.action) !== 'code') return null;
    const actor = before.tasks[step.action.tid - 1];
    if (actor === undefined || inUserspace(actor)) return null;
    for (const [list, get] of LISTS) {
      const b = get(before);
      const a = get(step.next);
      if (!pushedOrMarked(b, a)) return witness(`kernel step changed ${list} other than by push or mark (${step.label})`, [actor.tid], list);
    }
    return null;
  },
};

/** `after` is `before` with at most one node pushed at the head and some nodes marked. */
function pushedOrMarked(before: readonly ListNode[], after: readonly ListNode[]): boolean {
  const shift = after.length - before.length;
  if (shift !== 0 && shift !== 1) return false;
  for (let i = 0; i < before.length; i++) {
    const n = after[i + shift]!;
    const o = before[i]!;
    if (n.tid !== o.tid || (o.marked && !n.marked)) return false;
  }
  return true;
}

// --- liveness -------------------------------------------------------------

const NO_LOST_WAKEUP: LivenessProperty = {
  id: 'LIVE-NO-LOST-WAKEUP',
  kind: 'liveness',
  form: 'at-quiescence',
  statement:
    'Once workload and environment stop, every run of kernel and program code ends (within LIVE-BOUNDED-PROGRESS) in a state where no task sleeps in umcg_idle_loop with state RUNNING, and no IDLE worker waits on idle_workers while a server that no RUNNING worker holds sleeps IDLE in sys_umcg_wait.',
  rationale:
    'Either shape is a lost wakeup: the first is a ttwu that missed its sleeper (the wait/wake ordering of §4.5), the second a worker that became runnable while a free server sleeps with nobody left to wake it (§4.4, the Dekker pattern of §6.3). A server is not free while one of its workers is RUNNING, even a LOCKED one blocked in the kernel: LOCKED workers behave as servers (§2.3 Note 3).',
  spec: '§7 I5, I10; §4.5; §6.3; §11 item 6',
  scope: 'contract',
  breakers: ['umcg_idle_loop', 'W3 push/pop/wake', 'S1 server goes idle', 'W2 wake server'],
  checked:
    'The explorer calls it on every reachable quiescent state (no code step enabled); bounded-progress makes sure every quiet run gets to one.',
  check: (s) => {
    if (s.killedBy !== 0) return null;
    for (const t of s.tasks) {
      if (asleepInIdleLoop(t) && t.word.state === 'RUNNING') {
        return witness(`${taskName(s, t.tid)} sleeps in umcg_idle_loop with state RUNNING`, [t.tid]);
      }
    }
    const waiting = s.idleWorkers.find((n) => !n.marked && s.tasks[n.tid - 1]?.word.state === 'IDLE');
    if (waiting === undefined) return null;
    const free = s.tasks.find(
      (srv) =>
        srv.role === 'server' &&
        asleepInWait(srv) &&
        srv.word.state === 'IDLE' &&
        !s.tasks.some((w) => holdsServer(w, srv.tid)),
    );
    if (free === undefined) return null;
    return witness(
      `${taskName(s, waiting.tid)} waits on idle_workers while ${taskName(s, free.tid)} sleeps IDLE with no RUNNING worker`,
      [waiting.tid, free.tid],
      'idle_workers',
    );
  },
};

const NO_LOST_WORKER: LivenessProperty = {
  id: 'LIVE-NO-LOST-WORKER',
  kind: 'liveness',
  form: 'at-quiescence',
  statement: 'Once workload and environment stop, every worker that sleeps IDLE in umcg_idle_loop is on idle_workers (unmarked).',
  rationale:
    'A sleeping IDLE worker that no list holds can only be run by a server that remembers it; the v0.3 protocol keeps no such memory, so the worker is lost for good.',
  spec: '§7 I4, I10; §4.4',
  scope: 'contract',
  breakers: ['W3 umcg_sll_push', 'W4 yield', 'W1 server pops a worker'],
  checked: 'The explorer calls it on every reachable quiescent state.',
  check: (s) => {
    if (s.killedBy !== 0) return null;
    for (const t of s.tasks) {
      if (t.role !== 'worker' || !asleepInIdleLoop(t) || t.word.state !== 'IDLE') continue;
      if (!s.idleWorkers.some((n) => n.tid === t.tid && !n.marked)) {
        return witness(`${taskName(s, t.tid)} sleeps IDLE but is not on idle_workers`, [t.tid], 'idle_workers');
      }
    }
    return null;
  },
};

export const DEFAULT_PROGRESS_BOUND = 256;

const BOUNDED_PROGRESS: LivenessProperty = {
  id: 'LIVE-BOUNDED-PROGRESS',
  kind: 'liveness',
  form: 'progress-bound',
  defaultBound: DEFAULT_PROGRESS_BOUND,
  statement: `Once workload and environment stop, every run of kernel and program code reaches a quiescent state within K steps (K = ${DEFAULT_PROGRESS_BOUND} by default).`,
  rationale:
    'A cycle of code steps with no outside event is a livelock or an unbounded kernel loop (§7 I8); a bound also makes LIVE-NO-LOST-WAKEUP a bounded-liveness property rather than an eventual one.',
  spec: '§7 I8, I10',
  scope: 'always',
  breakers: ['any loop in kernel or runtime code'],
  checked:
    'After exploration, the explorer computes the longest path of code steps from every reachable state to a quiescent one over the (symmetry-reduced) state graph; a cycle is an infinite path.',
};

export const INVARIANTS: readonly Invariant[] = [
  LIST_NO_DUPLICATE,
  LIST_MEMBERS,
  IDLE_WORKER_NODE_IDLE,
  STATE_VALID,
  RUNNING_HAS_SERVER,
  USER_ONLY_RUNNING,
  SINGLE_RUNNING,
  NO_SIGSEGV,
  NO_FORBIDDEN_TRANSITION,
  KERNEL_STATE_CHANGES,
  KERNEL_RETURNS_RUNNING,
  BLOCKED_ONLY_WHEN_BLOCKING,
  KERNEL_LIST_OPS,
  NO_LOST_WAKEUP,
  NO_LOST_WORKER,
  BOUNDED_PROGRESS,
];

export function invariantById(id: string): Invariant | undefined {
  return INVARIANTS.find((i) => i.id === id);
}
