/**
 * The kernel side, routine by routine: patch 2's userspace-access helpers,
 * patch 3's list helpers, patch 4's syscalls and hooks, and the scheduler
 * entry points they run in (schedule(), sched_submit_work,
 * sched_update_worker). Each routine is a handler over its frame's `pc`;
 * each pc performs at most one shared access (see exec.ts).
 *
 * Differences between the v0.3 code and its comments are listed in
 * docs/doc-vs-code.md; this file follows the code.
 */
import { EAGAIN, EFAULT, EINTR, EINVAL, EOPNOTSUPP, ESRCH } from '../model/errno.ts';
import {
  UMCG_CTL_REGISTER,
  UMCG_CTL_UNREGISTER,
  UMCG_CTL_WORKER,
  UMCG_WAIT_WAKE_ONLY,
  UMCG_WAIT_WF_CURRENT_CPU,
} from '../model/syscalls.ts';
import { UMCG_TASK_BLOCKED, UMCG_TASK_IDLE, UMCG_TASK_RUNNING, UMCG_TF_LOCKED, UMCG_TF_STATE_MASK } from '../model/types.ts';
import { TASK_NORMAL, type Exec, type Handler } from './exec.ts';
import {
  OFF_API_VERSION,
  OFF_IDLE_SERVERS_PTR,
  OFF_IDLE_WORKERS_PTR,
  OFF_NEXT_TID,
  OFF_SERVER_TID,
  OFF_STATE,
  TASK_SIZE_MAX,
  WF_CURRENT_CPU,
  bit0,
  clear0,
  set0,
} from './layout.ts';
import type { Frame } from './state.ts';
import type { Width } from './memory.ts';

const hex = (n: number): string => `0x${n.toString(16)}`;

/**
 * A kernel retry loop goes round once more (its cpu_relax(), or the retry
 * after a fault fix-up). Counted in `spins` while preemption is disabled,
 * for the check INV-NO-SPIN-IN-ATOMIC (engine/impl-system.ts).
 */
function retry(x: Exec): void {
  if (x.t.preempt > 0) x.t.spins++;
}

/**
 * Variant nofaultInAtomic (FIXED): with preemption disabled a fault is not
 * fixed up (fix_pagefault() may sleep) but reported as -EFAULT, as v0.6's
 * get_user_nofault / cmpxchg_user_64_nofault do.
 */
function nofault(x: Exec): boolean {
  return x.cfg.variant.nofaultInAtomic && x.t.preempt > 0;
}

/** Variant noHooksInWait (FIXED): the task is inside sys_umcg_wait, where schedule() runs no UMCG hook. */
function inWaitWithoutHooks(x: Exec): boolean {
  return x.cfg.variant.noHooksInWait && x.t.stack.some((f) => f.fn === 'sys_umcg_wait');
}

/** Variant wakeHookAtCallExit (FIXED): inside a blocking syscall the wake hook waits for the syscall's return. */
function inCallBeforeExit(x: Exec): boolean {
  return x.cfg.variant.wakeHookAtCallExit && x.t.stack.some((f) => f.fn === 'blocking_call');
}

// ---------------------------------------------------------------------------
// Patch 2: userspace atomic helpers (kernel/sched/umcg.h)

/**
 * cmpxchg_user_32/64(uaddr, &old, new): 0 swapped; -EAGAIN with the
 * observed value in rv2; -EFAULT when !access_ok or the fault cannot be
 * fixed. A fault (or #AC from a LOCK CMPXCHG across a cache line, B-ALIGN) is fixed up with
 * fix_pagefault() and retried without bound. pagefault_disable() around it.
 * Locals: a (address), w (width), old, nw (new).
 */
function cmpxchgUser(x: Exec, f: Frame): void {
  const { a, w, old, nw } = f.v as { a: number; w: Width; old: number; nw: number };
  switch (f.pc) {
    case 'start':
      if (a >= TASK_SIZE_MAX) return x.ret(-EFAULT, old);
      x.t.pfDisabled++;
      return x.go('try');
    case 'try': {
      // __try_cmpxchg_user_N between STAC and CLAC
      const r = x.cas(a, w, old, nw, `${hex(a)}: ${old} -> ${nw}`);
      if (r.kind === 'ok') {
        x.t.pfDisabled--;
        return x.ret(r.swapped ? 0 : -EAGAIN, r.observed);
      }
      if (r.kind === 'fault' || nofault(x)) {
        x.t.pfDisabled--;
        return x.ret(-EFAULT, old);
      }
      return x.go('fix_pagefault'); // ret == -EFAULT from the exception fixup
    }
    case 'fix_pagefault':
      if (!x.fixup(a, hex(a))) {
        x.t.pfDisabled--;
        return x.ret(-EFAULT, old);
      }
      retry(x);
      return x.go('try');
  }
}

/**
 * get_user_nosleep (ns = 1) / get_user, put_user (st = 1): a plain load or
 * store; a fault is fixed up (a step that may sleep) and the access
 * retried; an unmapped page gives -EFAULT. Locals: a, w, ns, st, val.
 */
function userAccess(x: Exec, f: Frame): void {
  const { a, w, st, val } = f.v as { a: number; w: Width; st: number; val: number };
  switch (f.pc) {
    case 'start':
      if (a >= TASK_SIZE_MAX) return x.ret(-EFAULT);
      return x.go('access');
    case 'access': {
      if (st === 1) {
        const r = x.st(a, w, val, `${hex(a)} := ${val}`);
        if (r === 'ok') return x.ret(0);
        if (r === 'fault' || nofault(x)) return x.ret(-EFAULT);
        return x.go('fix_pagefault');
      }
      const r = x.ld(a, w, hex(a));
      if (r.kind === 'ok') return x.ret(0, r.value);
      if (r.kind === 'notPresent' && !nofault(x)) return x.go('fix_pagefault');
      return x.ret(-EFAULT);
    }
    case 'fix_pagefault':
      if (!x.fixup(a, hex(a))) return x.ret(-EFAULT);
      retry(x);
      return x.go('access');
  }
}

const getUser = (x: Exec, a: number, w: Width, retPc: string, patch?: Record<string, number>, nosleep = false): void =>
  x.call(nosleep ? 'get_user_nosleep' : 'get_user', { a, w, ns: nosleep ? 1 : 0, st: 0, val: 0 }, retPc, patch);
const putUser = (x: Exec, a: number, w: Width, val: number, retPc: string, patch?: Record<string, number>): void =>
  x.call('put_user', { a, w, ns: 0, st: 1, val }, retPc, patch);
const cmpxchgCall = (x: Exec, a: number, w: Width, old: number, nw: number, retPc: string, patch?: Record<string, number>): void =>
  x.call(w === 4 ? 'cmpxchg_user_32' : 'cmpxchg_user_64', { a, w, old, nw }, retPc, patch);

// ---------------------------------------------------------------------------
// Patch 3: the kernel's list helpers

/**
 * umcg_sll_push(head, node, max_tries): a Treiber push bounded to max_tries
 * CAS attempts; -EAGAIN when they are used up. Locals: head, node, max, step, first.
 */
function sllPush(x: Exec, f: Frame): void {
  const v = f.v;
  switch (f.pc) {
    case 'start':
      if (v.step! >= v.max!) return x.ret(-EAGAIN);
      x.fence('smp_mb() /* Make the read below clean. */');
      return x.go('get_head');
    case 'get_head':
      return getUser(x, v.head!, 8, 'got_head');
    case 'got_head':
      if (x.t.rv < 0) return x.ret(-EFAULT);
      // Variant headSpinlock (B-USPINLOCK): v0.2's push spun, re-reading
      // *head without bound, while bit 0 ("first is being deleted") was set.
      if (x.cfg.variant.headSpinlock && bit0(x.t.rv2) === 1) return x.go('get_head');
      return putUser(x, v.node!, 8, x.t.rv2, 'put_done', { first: x.t.rv2 });
    case 'put_done':
      if (x.t.rv < 0) return x.ret(-EFAULT);
      return x.go('mb');
    case 'mb':
      x.fence('smp_mb() /* Make the write above visible. */');
      return cmpxchgCall(x, v.head!, 8, v.first!, v.node!, 'cas_done');
    case 'cas_done':
      if (x.t.rv === 0) return x.ret(0);
      if (x.t.rv === -EAGAIN) {
        retry(x); // cpu_relax()
        return x.go('start', { step: v.step! + 1 });
      }
      return x.ret(-EFAULT);
  }
}

/**
 * umcg_sll_pop(head, &value, max_tries): walks at most max_tries nodes and
 * claims the first unmarked one by setting bit 0 of its own link; never
 * unlinks and never CASes the head. rv2 = the claimed node (0: none).
 * Locals: head, max, step, curr, next.
 */
function sllPop(x: Exec, f: Frame): void {
  const v = f.v;
  switch (f.pc) {
    case 'start':
      x.fence();
      return getUser(x, v.head!, 8, 'got_head');
    case 'got_head':
      if (x.t.rv < 0) return x.ret(-EFAULT);
      return x.go('loop', { curr: x.t.rv2, step: 0 });
    case 'loop': {
      const curr = v.curr!;
      if (v.step! >= v.max!) return x.ret(-EAGAIN);
      if (curr === 0) return x.ret(0, 0);
      if (bit0(curr) === 1) return x.ret(-EFAULT); // "Should not happen."
      x.fence();
      return getUser(x, curr, 8, 'read_next');
    }
    case 'read_next': {
      if (x.t.rv < 0) return x.ret(-EFAULT);
      const next = x.t.rv2;
      if (bit0(next) === 1) {
        retry(x);
        return x.go('loop', { curr: clear0(next), step: v.step! + 1 });
      }
      return cmpxchgCall(x, v.curr!, 8, next, set0(next), 'cas_done', { next });
    }
    case 'cas_done':
      if (x.t.rv === 0) return x.ret(0, v.curr!);
      if (x.t.rv === -EAGAIN) {
        retry(x); // cpu_relax()
        // Variant popRetryCurr (FIXED, F5): an unmarked link means curr is
        // still unclaimed; try it again with the link observed.
        if (x.cfg.variant.popRetryCurr && bit0(x.t.rv2) === 0) {
          if (v.step! + 1 >= v.max!) return x.ret(-EAGAIN);
          return cmpxchgCall(x, v.curr!, 8, x.t.rv2, set0(x.t.rv2), 'cas_done', { next: x.t.rv2, step: v.step! + 1 });
        }
        return x.go('loop', { curr: clear0(x.t.rv2), step: v.step! + 1 });
      }
      return x.ret(-EFAULT);
  }
}

// ---------------------------------------------------------------------------
// Patch 4: kernel/sched/umcg.c

/** umcg_die(): pr_warn + force_sig(SIGSEGV); the caller then returns. */
function die(x: Exec, why: string): void {
  x.begin('die', `umcg_die: SIGSEGV (${why})`);
  x.kill(x.t.tid);
}

/**
 * wq_worker_change_state(ut, sleeping): rv 1 = go on, 0 = abort. Any
 * concurrent change of the state word makes the cmpxchg fail: SIGSEGV.
 * Locals: ut, sl (sleeping), prev.
 */
function changeState(x: Exec, f: Frame): void {
  const v = f.v;
  const ut = v.ut!;
  switch (f.pc) {
    case 'start':
      x.fence();
      return getUser(x, ut + OFF_STATE, 4, 'got_state', undefined, true);
    case 'got_state': {
      if (x.t.rv < 0) return x.go('die');
      const prev = x.t.rv2;
      if (prev & UMCG_TF_LOCKED) return x.ret(0);
      if (v.sl === 1) {
        if ((prev & UMCG_TF_STATE_MASK) !== UMCG_TASK_RUNNING) return x.ret(0);
        return x.go('cas', { prev });
      }
      if ((prev & UMCG_TF_STATE_MASK) === UMCG_TASK_RUNNING) {
        return getUser(x, ut + OFF_SERVER_TID, 4, 'got_server', { prev }, true);
      }
      return x.go('cas', { prev });
    }
    case 'got_server':
      if (x.t.rv < 0) return x.go('die');
      if (x.t.rv2 !== 0) return x.ret(0); // RUNNING with a server: pass through
      return x.go('cas');
    case 'cas': {
      const prev = v.prev!;
      const next = ((prev & ~UMCG_TF_STATE_MASK) | (v.sl === 1 ? UMCG_TASK_BLOCKED : UMCG_TASK_IDLE)) >>> 0;
      return cmpxchgCall(x, ut + OFF_STATE, 4, prev, next, 'cas_done');
    }
    case 'cas_done':
      if (x.t.rv === 0) return x.ret(1);
      return x.go('die');
    case 'die':
      die(x, 'wq_worker_change_state');
      return x.ret(0);
  }
}

/**
 * umcg_wq_worker_sleeping(tsk), from sched_submit_work() with preemption
 * disabled: RUNNING -> BLOCKED, then wake the server named by server_tid.
 */
function workerSleeping(x: Exec, f: Frame): void {
  const ut = x.t.umcg;
  switch (f.pc) {
    case 'start':
      if (ut === 0) return x.ret(0); // WARN_ONCE
      return x.call('wq_worker_change_state', { ut, sl: 1, prev: 0 }, 'changed');
    case 'changed':
      if (x.t.rv === 0) return x.ret(0);
      return getUser(x, ut + OFF_SERVER_TID, 4, 'got_server', undefined, true);
    case 'got_server':
      if (x.t.rv < 0) return x.go('die');
      if (x.t.rv2 === 0) return x.ret(0);
      return x.call('try_to_wake_server', { ut: 0, tid: x.t.rv2 }, 'woke');
    case 'woke':
      return x.ret(0); // result ignored in v0.3
    case 'die':
      die(x, 'umcg_wq_worker_sleeping: server_tid');
      return x.ret(0);
  }
}

/**
 * try_to_wake_server(ut_server, server_tid): cmpxchg the server's state
 * from exactly IDLE to exactly RUNNING, then umcg_ttwu(WF_CURRENT_CPU).
 * A server in any state but RUNNING: "the userspace broke the contract",
 * SIGSEGV. Locals: ut, tid.
 *
 * Variant wakeSpin (B-WAKE-SPIN, v0.2's umcg_do_wake_loop, spec §1 and
 * §8.1): while try_to_wake_up() returns 0, cpu_relax() and call umcg_ttwu
 * again, each attempt its own steps (the task lookup, then the ttwu), also
 * from the block hook with preemption disabled. A task that is gone ends
 * the loop (-ESRCH).
 */
function tryToWakeServer(x: Exec, f: Frame): void {
  const v = f.v;
  switch (f.pc) {
    case 'start':
      if (v.ut === 0) return x.go('find');
      if (v.tid === 0) return getUser(x, v.ut! + OFF_SERVER_TID, 4, 'got_tid');
      return x.go('cas');
    case 'find': {
      // rcu_read_lock(); find_task_by_vpid(server_tid); READ_ONCE(tsk->umcg_task)
      x.begin('task_read', `find_task_by_vpid(${v.tid})`);
      const p = x.tasks[v.tid! - 1];
      const ut = p === undefined || p.end !== 'none' ? 0 : p.umcg;
      if (ut === 0) return x.ret(0);
      return x.go('cas', { ut });
    }
    case 'got_tid':
      if (x.t.rv < 0) return x.ret(0);
      return x.go('cas', { tid: x.t.rv2 });
    case 'cas':
      return cmpxchgCall(x, v.ut! + OFF_STATE, 4, UMCG_TASK_IDLE, UMCG_TASK_RUNNING, 'cas_done');
    case 'cas_done':
      if (x.t.rv !== 0) {
        if (x.t.rv2 !== UMCG_TASK_RUNNING) return x.go('die');
        return x.ret(0);
      }
      return x.call('umcg_ttwu', { tid: v.tid!, wf: WF_CURRENT_CPU }, 'ttwu_done');
    case 'ttwu_done':
      if (x.cfg.variant.wakeSpin && x.t.rv === 0 && x.t.rv2 === 0) {
        retry(x); // cpu_relax()
        return x.call('umcg_ttwu', { tid: v.tid!, wf: WF_CURRENT_CPU }, 'ttwu_done');
      }
      return x.ret(x.t.rv === 0 ? 1 : 0);
    case 'die':
      die(x, 'try_to_wake_server: server not IDLE');
      return x.ret(0);
  }
}

/** umcg_ttwu(tid, wf): -ESRCH unless a task with a umcg_task exists; else one ttwu, result ignored. */
function umcgTtwu(x: Exec, f: Frame): void {
  const v = f.v;
  switch (f.pc) {
    case 'start': {
      x.begin('task_read', `find_task_by_vpid(${v.tid}); READ_ONCE(umcg_task)`);
      const p = x.tasks[v.tid! - 1];
      if (p === undefined || p.end !== 'none' || p.umcg === 0) return x.ret(-ESRCH);
      return x.go('ttwu');
    }
    case 'ttwu': {
      x.barrier('ttwu', '');
      const woke = x.tryToWakeUp(v.tid!, TASK_NORMAL, v.wf!, x.cpu);
      x.label += ` try_to_wake_up(T${v.tid}, TASK_NORMAL, ${v.wf ? 'WF_CURRENT_CPU' : '0'}) = ${woke}`;
      return x.ret(0, woke);
    }
  }
}

/**
 * umcg_wq_worker_running(tsk), from sched_update_worker(): -> IDLE, push
 * onto idle_workers, pop an idle server and wake it, sleep until RUNNING.
 * PF_UMCG_WORKER is cleared meanwhile; the `die:` path never restores it.
 * Locals: ut, hd (variant noDieOnContention: the idle_workers head).
 */
function workerRunning(x: Exec, f: Frame): void {
  const ut = f.v.ut ?? 0;
  const max = 2 * x.cfg.cpus; // nr_cpu_ids * 2
  switch (f.pc) {
    case 'start': {
      const self = x.t.umcg;
      if (self === 0) return x.ret(0); // WARN_ONCE
      x.t.pfw = false;
      return x.call('wq_worker_change_state', { ut: self, sl: 0, prev: 0 }, 'changed', { ut: self });
    }
    case 'changed':
      if (x.t.rv === 0) return x.go('out');
      return getUser(x, ut + OFF_IDLE_WORKERS_PTR, 8, 'got_workers_head');
    case 'got_workers_head':
      if (x.t.rv < 0 || x.t.rv2 === 0) return x.go('die');
      // Variant noDieOnContention keeps the head (local hd): each failed push
      // attempt overwrote idle_workers_ptr, the node's own link.
      return x.call('umcg_sll_push', { head: x.t.rv2, node: ut + OFF_IDLE_WORKERS_PTR, max, step: 0, first: 0 }, 'pushed', x.cfg.variant.noDieOnContention ? { hd: x.t.rv2 } : undefined);
    case 'pushed':
      // Variant noDieOnContention (FIXED): push again, from the head read
      // before the first round (NOT MODELLED: v0.4's timed sleep with
      // backoff between rounds).
      if (x.t.rv === -EAGAIN && x.cfg.variant.noDieOnContention) {
        return x.call('umcg_sll_push', { head: f.v.hd!, node: ut + OFF_IDLE_WORKERS_PTR, max, step: 0, first: 0 }, 'pushed');
      }
      if (x.t.rv !== 0) return x.go('die'); // TODO in v0.3: sleep+retry before dying
      return x.go('mb');
    case 'mb':
      x.fence('smp_mb() /* Make sure steps 1 and 2 are ordered. */');
      return getUser(x, ut + OFF_IDLE_SERVERS_PTR, 8, 'got_servers_head');
    case 'got_servers_head':
      if (x.t.rv < 0) return x.go('die');
      // NOT MODELLED: popped_server is uninitialised when head == 0; taken as 0.
      if (x.t.rv2 === 0) return x.go('idle');
      return x.call('umcg_sll_pop', { head: x.t.rv2, max, step: 0, curr: 0, next: 0 }, 'popped');
    case 'popped':
      if (x.t.rv === -EAGAIN && x.cfg.variant.noDieOnContention) return x.go('idle'); // no idle server found
      if (x.t.rv !== 0) return x.go('die');
      if (x.t.rv2 === 0) return x.go('idle');
      // container_of(popped_server, struct umcg_task, idle_servers_ptr)
      return x.call('try_to_wake_server', { ut: x.t.rv2 - OFF_IDLE_SERVERS_PTR, tid: 0 }, 'idle');
    case 'idle':
      if (x.cfg.variant.hookWaitUninterruptible) return x.call('umcg_idle_loop', { timeout: 0, s: 0, un: 1 }, 'out');
      return x.call('umcg_idle_loop', { timeout: 0, s: 0 }, 'out'); // result ignored
    case 'out':
      x.t.pfw = true;
      return x.ret(0);
    case 'die':
      die(x, 'umcg_wq_worker_running');
      return x.ret(0); // falls off the end: PF_UMCG_WORKER stays clear
  }
}

/**
 * umcg_idle_loop(abs_timeout): a worker's LOCKED flag is cleared first;
 * then set_current_state(TASK_INTERRUPTIBLE); smp_mb(); read state; sleep
 * unless RUNNING; after schedule() a pending signal gives -EINTR.
 * Locals: timeout, s, un (1: variant hookWaitUninterruptible, the wake
 * hook's wait: TASK_UNINTERRUPTIBLE, signals ignored).
 */
function idleLoop(x: Exec, f: Frame): void {
  const self = x.t.umcg;
  switch (f.pc) {
    case 'start':
      if (f.v.timeout !== 0) return x.ret(-EOPNOTSUPP);
      return x.go(x.t.pfw ? 'unlock_mb' : 'set_interruptible');
    case 'unlock_mb':
      x.fence('smp_mb() /* Unlock the worker, if locked. */');
      return getUser(x, self + OFF_STATE, 4, 'unlock_got');
    case 'unlock_got': {
      if (x.t.rv < 0) return x.ret(-EFAULT);
      const s = x.t.rv2;
      if (!(s & UMCG_TF_LOCKED)) return x.go('set_interruptible');
      return cmpxchgCall(x, self + OFF_STATE, 4, s, (s & ~UMCG_TF_LOCKED) >>> 0, 'unlock_done');
    }
    case 'unlock_done':
      if (x.t.rv !== 0) return x.ret(-EFAULT);
      return x.go('set_interruptible');
    case 'set_interruptible':
      // Variant readStateBeforeInterruptible (B-LOST-WAKE-WAITER): the
      // state is read first (local `s` = 1 once read, result in rv/rv2),
      // then TASK_INTERRUPTIBLE is published and the read value decides:
      // a RUNNING store plus ttwu landing in between is lost.
      if (x.cfg.variant.readStateBeforeInterruptible) {
        if (f.v.s !== 1) return getUser(x, self + OFF_STATE, 4, 'set_interruptible', { s: 1 });
        if (x.t.rv < 0) return x.ret(-EFAULT);
        x.barrier('set_current_state', 'set_current_state(TASK_INTERRUPTIBLE)');
        x.t.ks = 'S';
        return x.go('got_state', { s: 0 });
      }
      if (f.v.un === 1) {
        x.barrier('set_current_state', 'set_current_state(TASK_UNINTERRUPTIBLE)');
        x.t.ks = 'D';
        return x.go('mb');
      }
      x.barrier('set_current_state', 'set_current_state(TASK_INTERRUPTIBLE)');
      x.t.ks = 'S';
      return x.go('mb');
    case 'mb':
      x.fence();
      return getUser(x, self + OFF_STATE, 4, 'got_state');
    case 'got_state':
      if (x.t.rv < 0) {
        x.t.ks = 'R';
        return x.ret(-EFAULT);
      }
      if ((x.t.rv2 & UMCG_TF_STATE_MASK) === UMCG_TASK_RUNNING) {
        x.t.ks = 'R';
        return x.ret(0);
      }
      return x.call('schedule', { skipped: 0 }, 'after'); // freezable_schedule()
    case 'after':
      if (x.t.sig && f.v.un !== 1) return x.ret(-EINTR);
      return getUser(x, self + OFF_STATE, 4, 'got_state2');
    case 'got_state2':
      if (x.t.rv < 0) return x.ret(-EFAULT);
      if ((x.t.rv2 & UMCG_TF_STATE_MASK) === UMCG_TASK_RUNNING) return x.ret(0);
      return x.go('set_interruptible');
  }
}

/**
 * schedule(): sched_submit_work() (the block hook, preemption disabled,
 * only when the task is not TASK_RUNNING), __schedule() (off the runqueue
 * when TASK_(UN)INTERRUPTIBLE without a pending signal), then
 * sched_update_worker() (the wake hook). Locals: skipped (the block hook
 * saw TASK_RUNNING).
 * @see kernel/sched/core.c: schedule, sched_submit_work, sched_update_worker
 */
function schedule(x: Exec, f: Frame): void {
  const t = x.t;
  switch (f.pc) {
    case 'start':
      return x.go(t.pfw && !inWaitWithoutHooks(x) ? 'submit_check' : '__schedule');
    case 'submit_check':
      x.begin('task_read', 'sched_submit_work: task_is_running(tsk)?');
      if (t.ks === 'R') return x.go('__schedule', { skipped: 1 });
      t.preempt++;
      return x.call('umcg_wq_worker_sleeping', {}, 'submit_done');
    case 'submit_done':
      t.preempt--; // preempt_enable_no_resched()
      if (t.preempt === 0) t.spins = 0;
      return x.go('__schedule');
    case '__schedule': {
      x.barrier('schedule', '__schedule(): rq lock');
      x.scheduleOut(t.ks === 'D' || (t.ks === 'S' && !t.sig));
      return x.go('after');
    }
    case 'after':
      if (t.pfw && !inWaitWithoutHooks(x) && !inCallBeforeExit(x)) return x.call('umcg_wq_worker_running', {}, 'done');
      return x.go('done');
    case 'done':
      return x.ret(0);
  }
}

/** umcg_do_context_switch(next_tid, abs_timeout): ttwu(next, WF_CURRENT_CPU), then umcg_idle_loop. */
function contextSwitch(x: Exec, f: Frame): void {
  const v = f.v;
  switch (f.pc) {
    case 'start':
      if (v.timeout !== 0) return x.ret(-EOPNOTSUPP);
      return x.go('find');
    case 'find': {
      x.begin('task_read', `find_task_by_vpid(${v.next})`);
      const p = x.tasks[v.next! - 1];
      if (p === undefined || p.end !== 'none') return x.ret(-ESRCH); // no umcg_task check here
      return x.go('ttwu');
    }
    case 'ttwu': {
      x.barrier('ttwu', '');
      const woke = x.tryToWakeUp(v.next!, TASK_NORMAL, WF_CURRENT_CPU, x.cpu);
      x.label += ` try_to_wake_up(T${v.next}, TASK_NORMAL, WF_CURRENT_CPU) = ${woke}`;
      return x.call('umcg_idle_loop', { timeout: v.timeout!, s: 0 }, 'done');
    }
    case 'done':
      return x.ret(x.t.rv);
  }
}

/** sys_umcg_wait(flags, abs_timeout), every path of spec §3.2. Locals: flags, timeout, next. */
function sysWait(x: Exec, f: Frame): void {
  const v = f.v;
  const self = x.t.umcg;
  switch (f.pc) {
    case 'start':
      if (self === 0) return x.ret(-EINVAL);
      return getUser(x, self + OFF_NEXT_TID, 4, 'got_next');
    case 'got_next': {
      if (x.t.rv < 0) return x.ret(-EFAULT);
      const next = x.t.rv2;
      let flags = v.flags!;
      if (flags & UMCG_WAIT_WAKE_ONLY) {
        if (next === 0 || v.timeout !== 0) return x.ret(-EINVAL);
        flags &= ~UMCG_WAIT_WAKE_ONLY;
        if (flags & ~UMCG_WAIT_WF_CURRENT_CPU) return x.ret(-EINVAL);
        const wf = flags & UMCG_WAIT_WF_CURRENT_CPU ? WF_CURRENT_CPU : 0;
        return x.call('umcg_ttwu', { tid: next, wf }, 'done', { next });
      }
      if (next === 0 && x.t.pfw) return getUser(x, self + OFF_SERVER_TID, 4, 'got_server');
      return x.go('dispatch', { next });
    }
    case 'got_server':
      if (x.t.rv < 0) return x.ret(-EFAULT);
      return x.go('dispatch', { next: x.t.rv2 });
    case 'dispatch':
      if (v.next !== 0) return x.call('umcg_do_context_switch', { next: v.next!, timeout: v.timeout! }, 'done');
      return x.call('umcg_idle_loop', { timeout: v.timeout!, s: 0 }, 'done');
    case 'done':
      return x.ret(x.t.rv);
  }
}

/** sys_umcg_ctl(flags, self), checked in the order of the v0.3 code (spec §3.1). */
function sysCtl(x: Exec, f: Frame): void {
  const v = f.v;
  const t = x.t;
  const self = v.self!;
  switch (f.pc) {
    case 'start': {
      const flags = v.flags!;
      if (flags === UMCG_CTL_UNREGISTER) {
        if (self !== 0 || t.umcg === 0) return x.ret(-EINVAL);
        return x.go('unregister');
      }
      if (!(flags & UMCG_CTL_REGISTER)) return x.ret(-EINVAL);
      const rest = flags & ~UMCG_CTL_REGISTER;
      if (rest !== 0 && rest !== UMCG_CTL_WORKER) return x.ret(-EINVAL);
      if (t.umcg !== 0) return x.ret(-EINVAL);
      // copy_from_user(&ut, self, sizeof(ut)): one read per word
      return getUser(x, self + OFF_STATE, 4, 'copy_api', { worker: rest === UMCG_CTL_WORKER ? 1 : 0 });
    }
    case 'unregister':
      x.begin('task_write', 'current->umcg_task = NULL; clear PF_UMCG_WORKER');
      t.umcg = 0;
      t.pfw = false;
      return x.ret(0);
    case 'copy_api':
      if (t.rv < 0) return x.ret(-EFAULT);
      return getUser(x, self + OFF_API_VERSION, 4, 'copy_server', { st: t.rv2 });
    case 'copy_server':
      if (t.rv < 0) return x.ret(-EFAULT);
      return getUser(x, self + OFF_SERVER_TID, 4, 'copy_next', { api: t.rv2 });
    case 'copy_next':
      if (t.rv < 0) return x.ret(-EFAULT);
      return getUser(x, self + OFF_NEXT_TID, 4, 'check', { srv: t.rv2 });
    case 'check': {
      if (t.rv < 0) return x.ret(-EFAULT);
      const nxt = t.rv2;
      if (v.api !== 1) return x.ret(1); // umcg_validate_version: the highest supported version
      if (v.srv !== 0 || nxt !== 0) return x.ret(-EINVAL);
      if (v.worker === 1 ? v.st !== UMCG_TASK_IDLE : v.st !== UMCG_TASK_RUNNING) return x.ret(-EINVAL);
      return x.go('register');
    }
    case 'register':
      x.begin('task_write', v.worker === 1 ? 'current->umcg_task = self; PF_UMCG_WORKER' : 'current->umcg_task = self');
      t.umcg = self;
      if (v.worker !== 1) return x.ret(0);
      t.pfw = true;
      return x.call('umcg_wq_worker_running', {}, 'done'); // "Will sleep."
    case 'done':
      return x.ret(0); // umcg_idle_loop's result is discarded
  }
}

/**
 * A blocking non-UMCG syscall: `for (;;) { set_current_state(D); if (done)
 * break; schedule(); }`. The environment's `complete` event sets `done` and
 * wakes the task. Locals: done.
 *
 * Variant wakeHookAtCallExit (FIXED): on its way out the syscall runs the
 * wake hook (pc `exit_hook`), which schedule() inside it no longer runs.
 */
function blockingCall(x: Exec, f: Frame): void {
  switch (f.pc) {
    case 'set_state':
      x.barrier('set_current_state', 'set_current_state(TASK_UNINTERRUPTIBLE)');
      x.t.ks = 'D';
      return x.go('check');
    case 'check':
      if (f.v.done === 1) {
        x.t.ks = 'R'; // __set_current_state(TASK_RUNNING): own task, after the wakeup
        return x.go('exit');
      }
      return x.call('schedule', { skipped: 0 }, 'after');
    case 'after':
      if (f.v.done === 1) return x.go('exit');
      return x.go('set_state');
    case 'exit':
      if (x.cfg.variant.wakeHookAtCallExit && x.t.pfw) return x.call('umcg_wq_worker_running', {}, 'exit_hook');
      return x.ret(0);
    case 'exit_hook':
      return x.ret(0);
  }
}

export const KERNEL: Readonly<Record<string, Handler>> = {
  cmpxchg_user_32: cmpxchgUser,
  cmpxchg_user_64: cmpxchgUser,
  get_user: userAccess,
  get_user_nosleep: userAccess,
  put_user: userAccess,
  umcg_sll_push: sllPush,
  umcg_sll_pop: sllPop,
  wq_worker_change_state: changeState,
  umcg_wq_worker_sleeping: workerSleeping,
  umcg_wq_worker_running: workerRunning,
  try_to_wake_server: tryToWakeServer,
  umcg_ttwu: umcgTtwu,
  umcg_idle_loop: idleLoop,
  schedule,
  umcg_do_context_switch: contextSwitch,
  sys_umcg_wait: sysWait,
  sys_umcg_ctl: sysCtl,
  blocking_call: blockingCall,
};
