/**
 * The state of the detailed implementation: plain readonly data (arrays,
 * records, numbers, strings), JSON-serialisable, hashed by {@link implKey}.
 *
 * A thread is a stack of frames. Each frame names a routine (`fn`, the
 * kernel's or the runtime's function name), a program counter inside it
 * (`pc`, the access it performs next) and its locals (plain numbers). A
 * routine returns by popping its frame and leaving its result in the task's
 * `rv` (return value) and `rv2` (an out-parameter: cmpxchg's `*old`,
 * get_user's value, sll_pop's `*value`).
 */
import { createMemory, memoryKey, withCell, type MemoryModel, type MemoryState } from './memory.ts';
import {
  IDLE_SERVERS_HEAD,
  OFF_API_VERSION,
  OFF_IDLE_SERVERS_PTR,
  OFF_IDLE_WORKERS_PTR,
  OFF_NEXT_TID,
  OFF_SERVER_TID,
  OFF_STATE,
  RUNTIME_LOCK,
  idleWorkersHead,
  structOf,
} from './layout.ts';
import { UMCG_TASK_IDLE, UMCG_TASK_RUNNING, type Profile, type Tid } from '../model/types.ts';

export interface Frame {
  readonly fn: string;
  readonly pc: string;
  readonly v: Readonly<Record<string, number>>;
}

/** The kernel task state: TASK_RUNNING, TASK_INTERRUPTIBLE, TASK_UNINTERRUPTIBLE. */
export type KState = 'R' | 'S' | 'D';

export interface KTask {
  readonly tid: Tid;
  readonly role: 'server' | 'worker';
  /** `current->umcg_task` (0 = NULL). */
  readonly umcg: number;
  /** `PF_UMCG_WORKER`. */
  readonly pfw: boolean;
  /** `p->__state`. */
  readonly ks: KState;
  /** `p->on_rq`: queued on its CPU's runqueue (or running there). */
  readonly onRq: boolean;
  /** The CPU it runs on or is queued on (`task_cpu(p)`). */
  readonly cpu: number;
  /** `p->cpus_ptr` as a bit mask. */
  readonly allowed: number;
  /** preempt_count()'s disable depth. */
  readonly preempt: number;
  /** `current->pagefault_disabled`. */
  readonly pfDisabled: number;
  /** A signal is pending. */
  readonly sig: boolean;
  /**
   * Kernel retry-loop iterations taken since preemption was last enabled
   * (0 while `preempt` is 0): each time a retry loop goes round again with
   * preemption disabled (umcg_sll_push's CAS retry, umcg_sll_pop's walk,
   * the fault fix-up retry of the user-access helpers, B-WAKE-SPIN's ttwu
   * retry). Read by the check INV-NO-SPIN-IN-ATOMIC (engine/impl-system.ts).
   */
  readonly spins: number;
  readonly end: 'none' | 'sigsegv' | 'exit';
  readonly stack: readonly Frame[];
  readonly rv: number;
  readonly rv2: number;
}

/** Kernel warnings the run has hit (bit mask), e.g. sleeping in atomic context. */
export const WARN_SLEEP_IN_ATOMIC = 1;

export interface ImplState {
  readonly mem: MemoryState;
  /** Indexed by tid - 1: servers first, then workers (as in the model). */
  readonly tasks: readonly KTask[];
  /** `cpu_curr(c)`: the task running on each CPU, 0 when idle. */
  readonly cpus: readonly Tid[];
  readonly envBudget: number;
  /** The task whose umcg_die()/fault sent the process-killing SIGSEGV; 0 if none. */
  readonly killedBy: Tid;
  readonly warn: number;
}

/**
 * A named deviation from the v0.3 code (the seam for the bug gallery). Each
 * flag is false in `v0.3`; a gallery entry flips one and documents the
 * invariant it must break (manifest/variants.json, docs/bugs/).
 */
export interface Variant {
  readonly name: string;
  /** Where the deviation comes from (spec section); empty for v0.3 itself. */
  readonly history: string;
  /** Userspace server: no MFENCE between pushing itself and re-checking idle_workers (B-TSO-DEKKER). */
  readonly noServerIdleFence: boolean;
  /**
   * Userspace server going idle: keeps the runtime lock through its push onto
   * idle_servers and publishes itself with plain stores (head = self, then
   * unlock) instead of LOCK CMPXCHG. Correct with the MFENCE; with
   * noServerIdleFence it is the store of B-TSO-DEKKER that TSO delays (a
   * locked push is itself a full barrier on x86, so dropping the fence
   * alone changes nothing).
   */
  readonly plainIdleServerPush: boolean;
  /**
   * Userspace server running a worker: wake it (sys_umcg_wait(UMCG_WAIT_WAKE_ONLY))
   * before storing `worker->state = RUNNING`, then clear next_tid and wait (B-LOST-WAKE).
   */
  readonly ttwuBeforeStateStore: boolean;
  /** umcg_idle_loop reads `self->state` before set_current_state(TASK_INTERRUPTIBLE) (B-LOST-WAKE-WAITER). */
  readonly readStateBeforeInterruptible: boolean;
  /** Userspace server: atomic_stack_remove(idle_servers, self) without the runtime lock (finding F-REMOVE-GC). */
  readonly removeWithoutLock: boolean;
  /**
   * Userspace server running a worker: `worker->state = RUNNING` and a
   * sys_umcg_wait(UMCG_WAIT_WAKE_ONLY) first, `self->state = IDLE` only
   * after them, then a plain wait (B-SRV-ORDER).
   */
  readonly serverIdleAfterWake: boolean;
  /**
   * try_to_wake_server() loops on umcg_ttwu() until it returns 1, as v0.2's
   * umcg_do_wake_loop did, also from the preempt-disabled block hook (B-WAKE-SPIN).
   */
  readonly wakeSpin: boolean;
  /**
   * v0.2's userspace spinlock in the list head: the kernel's umcg_sll_push
   * spins while `*head & 1` ("first is being deleted"), and the userspace
   * runtime sets the head's bit 0 around its gc and removal (B-USPINLOCK).
   */
  readonly headSpinlock: boolean;
  /**
   * Userspace server: the runtime lock covers the gc only; the Treiber pop of
   * idle_workers (CAS of the head from `first` to `first->next`) runs without
   * it, so servers pop concurrently (B-ABA). Found by PCT with change points
   * right after loads of list links (`--focus link-loads`, docs/exploration.md).
   */
  readonly treiberPop: boolean;
  /**
   * Userspace server, after its gc unlinked its own idle_servers node: it
   * reuses the node at once ("restore @next", Peter O.'s tests point a
   * reclaimed node at the head), racing a kernel pop that read the node
   * before the gc (B-GC-UAF).
   */
  readonly reuseNodeAfterGc: boolean;
  /** The runtime places a list head across a cache-line boundary (misaligned u64): locked ops on it raise #AC (B-ALIGN). */
  readonly misalignedHead: boolean;
  /**
   * FIXED (findings F1, F2): schedule() runs neither UMCG hook while the task
   * is inside sys_umcg_wait, as if PF_UMCG_WORKER were cleared around it
   * (PeterZ's rewrite, spec §8.4). A stray wakeup there is absorbed by
   * umcg_idle_loop's own loop.
   */
  readonly noHooksInWait: boolean;
  /**
   * FIXED (finding F4): the wake hook runs when a blocking syscall returns
   * (v0.6's exit_to_user_mode_loop, PeterZ's umcg_sys_exit, spec §8.3-8.4),
   * not after every schedule() inside it, so a spurious wakeup inside the
   * syscall only goes round its wait loop.
   */
  readonly wakeHookAtCallExit: boolean;
  /**
   * FIXED (finding F3): the wake hook's nested umcg_idle_loop sleeps in
   * TASK_UNINTERRUPTIBLE and ignores pending signals, so the worker leaves
   * the hook only once RUNNING (v0.4 ignored non-fatal signals in the
   * hooks, spec §8.2).
   */
  readonly hookWaitUninterruptible: boolean;
  /**
   * FIXED (B-SLEEP-ATOMIC): the user-access helpers do not call
   * fix_pagefault() with preemption disabled; a fault there is -EFAULT
   * (v0.6's get_user_nofault / cmpxchg_user_64_nofault, spec §6.2).
   */
  readonly nofaultInAtomic: boolean;
  /**
   * FIXED: the wake hook no longer kills the worker on list contention.
   * umcg_sll_push's -EAGAIN (max_tries CAS failures) retries the push (v0.4's
   * enqueue_idle_worker: sleep with backoff and retry, "no kill on
   * contention", spec §5.5; v0.3's own "TODO: sleep+retry"), and
   * umcg_sll_pop's -EAGAIN means "no idle server" (v0.3's documentation: "it
   * is NOT considered an error if the kernel cannot find an idle server",
   * spec §5.2; v0.4's get_idle_server: "Another worker got it").
   */
  readonly noDieOnContention: boolean;
  /**
   * FIXED (the runtime's lock, not the kernel's): the userspace runtime lock
   * sleeps instead of spinning. It is the classic futex mutex (lock word 0
   * free, 1 held, 2 held with waiters; U. Drepper, "Futexes Are Tricky",
   * mutex2): a contended locker sets 2 and calls futex_wait(lock, 2), the
   * unlocker of a word that is not 1 stores 0 and calls futex_wake(lock, 1).
   * v0.3's runtime spins on cmpxchg, the userspace spinlock PeterZ objected
   * to (spec §5.1): a server preempted while it holds the lock, queued on the
   * CPU where the other server spins, never runs again once nothing preempts.
   */
  readonly futexRuntimeLock: boolean;
  /**
   * FIXED (the runtime's protocol): a server whose gc meets its own
   * idle_servers node unmarked marks it deleted (as atomic_stack_remove
   * does, spec §5.3) and unlinks it. The node is on the list only when the
   * server returned from sys_umcg_wait without being popped, which the
   * documented protocol allows only through an environment that broke the
   * contract (a signal plus a store of RUNNING into the server's state word,
   * or a worker woken by such a store that yields to it); without the check
   * the server's next idle push links the node a second time, a cycle.
   */
  readonly gcRemovesOwnIdleNode: boolean;
  /**
   * FIXED (finding F5): umcg_sll_pop's cmpxchg that fails on a node whose
   * link is still unmarked (nobody claimed it; the gc unlinked its
   * successor) retries that node with the link it observed, instead of
   * moving on past an idle server that then sleeps on. Counts against
   * max_tries. v0.4 replaced the idle-server list by one word (spec §5.5);
   * the form is ours. The model's fix of the same name (model/README.md).
   */
  readonly popRetryCurr: boolean;
}

export const V03: Variant = {
  name: 'v0.3',
  history: '',
  noServerIdleFence: false,
  plainIdleServerPush: false,
  ttwuBeforeStateStore: false,
  readStateBeforeInterruptible: false,
  removeWithoutLock: false,
  serverIdleAfterWake: false,
  wakeSpin: false,
  headSpinlock: false,
  treiberPop: false,
  reuseNodeAfterGc: false,
  misalignedHead: false,
  noHooksInWait: false,
  wakeHookAtCallExit: false,
  hookWaitUninterruptible: false,
  nofaultInAtomic: false,
  noDieOnContention: false,
  futexRuntimeLock: false,
  gcRemovesOwnIdleNode: false,
  popRetryCurr: false,
};

/**
 * The bug gallery (issue 5): v0.3 first, then one entry per seeded bug,
 * named after its spec §8 entry. manifest/variants.json records the
 * invariant each must break; docs/bugs/<name>.md says why.
 */
export const GALLERY: readonly Variant[] = [
  V03,
  { ...V03, name: 'B-TSO-DEKKER', history: 'spec §6.3, §8.1 B-TSO-DEKKER', noServerIdleFence: true, plainIdleServerPush: true },
  { ...V03, name: 'B-LOST-WAKE', history: 'spec §4.5, §8.1 B-LOST-WAKE (waker side)', ttwuBeforeStateStore: true },
  { ...V03, name: 'B-LOST-WAKE-WAITER', history: 'spec §4.5, §8.1 B-LOST-WAKE (waiter side)', readStateBeforeInterruptible: true },
  { ...V03, name: 'B-SRV-ORDER', history: 'spec §4.3, §8.1 B-SRV-ORDER', serverIdleAfterWake: true },
  { ...V03, name: 'B-ALIGN', history: 'spec §6.2, §8.1 B-ALIGN (cmpxchg_user_64 on a list head across a cache line)', misalignedHead: true },
  { ...V03, name: 'B-USPINLOCK', history: 'spec §5.1, §8.1 B-USPINLOCK (v0.2 atomic_stack_push_user)', headSpinlock: true },
  { ...V03, name: 'B-GC-UAF', history: 'spec §5.3 (restore @next), §5.4(b), §8.1 B-GC-UAF (Thierry Delisle, 23 Jul 2021)', reuseNodeAfterGc: true },
  // v0.3 itself: its block hook's fault fix-up may sleep with preemption
  // disabled. No deviation is needed; the name gives the bug its gallery row
  // (manifest, bench), and FIXED (nofaultInAtomic) is its control.
  { ...V03, name: 'B-SLEEP-ATOMIC', history: 'spec §6.2, §8.1 B-SLEEP-ATOMIC (v0.3 itself, no deviation)' },
  { ...V03, name: 'B-ABA', history: 'spec §5.4(a), §8.1 B-ABA (Peter O., 9 Jul 2021: Treiber pop without the lock)', treiberPop: true },
  // Finding F-REMOVE-GC: the runtime removes itself from idle_servers with
  // atomic_stack_remove without its lock, as the helper's comment says it
  // may ("safe to run concurrently with push/pop/remove" of the gc).
  { ...V03, name: 'B-REMOVE-GC', history: 'spec §5.3 (atomic_stack_remove against a concurrent atomic_stack_gc), finding F-REMOVE-GC (docs/bugs/F-REMOVE-GC.md)', removeWithoutLock: true },
  { ...V03, name: 'B-WAKE-SPIN', history: 'v0.2 umcg_do_wake_loop; spec §1, §4.3, §4.5, §8.1 B-WAKE-SPIN', wakeSpin: true },
  {
    ...V03,
    name: 'FIXED',
    history: 'v0.3 with fixes for F1-F5 (docs/findings.md) and B-SLEEP-ATOMIC (spec §6.2), from v0.4, v0.6 and PeterZ (spec §5.5, §8.2-8.4); in the runtime a futex lock instead of a spinlock (spec §5.1) and a gc that drops a stale own idle_servers node (spec §5.3); docs/bugs/FIXED.md',
    noHooksInWait: true,
    wakeHookAtCallExit: true,
    hookWaitUninterruptible: true,
    nofaultInAtomic: true,
    noDieOnContention: true,
    futexRuntimeLock: true,
    gcRemovesOwnIdleNode: true,
    popRetryCurr: true,
  },
];

export function variantByName(name: string): Variant | undefined {
  return GALLERY.find((v) => v.name === name);
}

export interface ImplConfig {
  readonly servers: number;
  readonly workers: number;
  readonly cpus: number;
  readonly memoryModel: MemoryModel;
  readonly profile: Profile;
  /** Workers may yield (row W4). */
  readonly yield: boolean;
  /** Workers may set UMCG_TF_LOCKED on themselves (row W5). */
  readonly locks: boolean;
  /** Adversarial events allowed in one run. */
  readonly envBudget: number;
  readonly variant: Variant;
}

export const DEFAULT_IMPL_CONFIG: Omit<ImplConfig, 'servers' | 'workers'> = {
  cpus: 2,
  memoryModel: 'sc',
  profile: 'contract',
  yield: true,
  locks: false,
  envBudget: 0,
  variant: V03,
};

export function frame(fn: string, pc: string, v: Record<string, number> = {}): Frame {
  return { fn, pc, v };
}

/**
 * The initial state, matching model/init.ts initialState: servers
 * registered (state RUNNING, server_tid = self) at the top of their loop;
 * workers about to call sys_umcg_ctl(REGISTER|WORKER) with state IDLE.
 * Every struct's idle_*_ptr fields point at the list heads (§2.2).
 */
export function implInit(cfg: ImplConfig): ImplState {
  const n = cfg.servers + cfg.workers;
  const workersHead = idleWorkersHead(cfg.variant);
  const cells = [
    { addr: IDLE_SERVERS_HEAD, width: 8 as const, value: 0 },
    { addr: workersHead, width: 8 as const, value: 0 },
    { addr: RUNTIME_LOCK, width: 4 as const, value: 0 },
  ];
  let mem = createMemory({ model: cfg.memoryModel, cpus: cfg.cpus, cells });
  const tasks: KTask[] = [];
  const cpus: Tid[] = new Array<Tid>(cfg.cpus).fill(0);
  const all = (1 << cfg.cpus) - 1;
  for (let tid = 1; tid <= n; tid++) {
    const server = tid <= cfg.servers;
    const base = structOf(tid);
    mem = withCell(mem, base + OFF_STATE, 4, server ? UMCG_TASK_RUNNING : UMCG_TASK_IDLE);
    mem = withCell(mem, base + OFF_API_VERSION, 4, 1);
    mem = withCell(mem, base + OFF_SERVER_TID, 4, server ? tid : 0);
    mem = withCell(mem, base + OFF_NEXT_TID, 4, 0);
    mem = withCell(mem, base + OFF_IDLE_SERVERS_PTR, 8, IDLE_SERVERS_HEAD);
    mem = withCell(mem, base + OFF_IDLE_WORKERS_PTR, 8, workersHead);
    const cpu = (tid - 1) % cfg.cpus;
    if (cpus[cpu] === 0) cpus[cpu] = tid;
    tasks.push({
      tid,
      role: server ? 'server' : 'worker',
      umcg: server ? base : 0,
      pfw: false,
      ks: 'R',
      onRq: true,
      cpu,
      allowed: all,
      preempt: 0,
      pfDisabled: 0,
      sig: false,
      spins: 0,
      end: 'none',
      stack: [server ? frame('server', 'loop') : frame('worker', 'register')],
      rv: 0,
      rv2: 0,
    });
  }
  return { mem, tasks, cpus, envBudget: cfg.profile === 'adversarial' ? cfg.envBudget : 0, killedBy: 0, warn: 0 };
}

/** A canonical string: equal states give equal keys and different states different keys. */
export function implKey(s: ImplState): string {
  let k = memoryKey(s.mem) + '#' + s.cpus.join(',') + '#' + s.envBudget + ',' + s.killedBy + ',' + s.warn;
  for (const t of s.tasks) {
    k += `#${t.umcg},${t.pfw ? 1 : 0}${t.ks}${t.onRq ? 1 : 0},${t.cpu},${t.allowed},${t.preempt},${t.spins},${t.pfDisabled},${t.sig ? 1 : 0}${t.end[0]},${t.rv},${t.rv2}`;
    for (const f of t.stack) {
      k += `/${f.fn}:${f.pc}`;
      for (const name of Object.keys(f.v).sort()) k += `,${name}=${f.v[name]}`;
    }
  }
  return k;
}
