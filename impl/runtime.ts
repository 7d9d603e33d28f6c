/**
 * A small libumcg-like userspace runtime, following the documented
 * protocol (spec §2.3, the wake protocol of §3.2, §5.3) at the granularity
 * of single memory accesses. Its program counters mirror the model's
 * `srv:*` and `wkr:*` ones (model/transitions.ts), split where the model
 * folds several accesses into one step; impl/abstraction.ts maps them back.
 *
 * Server loop: take the runtime lock; atomic_stack_gc(idle_servers); pop an
 * idle worker (a Treiber pop: safe because the lock makes the server the
 * only consumer, and the kernel only pushes); re-point the worker's
 * idle_workers_ptr at the head; unlock; then either run the worker
 * (self->state = IDLE; worker->server_tid = self; self->next_tid = worker;
 * worker->state = RUNNING; sys_umcg_wait) or go idle (self->state = IDLE;
 * atomic_stack_push(idle_servers, self); MFENCE; re-check idle_workers;
 * sys_umcg_wait, or atomic_stack_remove(idle_servers, self) and loop).
 * Worker body: register; compute; blocking calls; yield (srv =
 * self->server_tid; self->state = IDLE; atomic_stack_push(idle_workers,
 * self); server->state = RUNNING when it has one; self->next_tid = server;
 * sys_umcg_wait).
 */
import { EINTR } from '../model/errno.ts';
import { UMCG_CTL_REGISTER, UMCG_CTL_WORKER, UMCG_WAIT_WAKE_ONLY } from '../model/syscalls.ts';
import { UMCG_TASK_IDLE, UMCG_TASK_RUNNING, UMCG_TF_LOCKED } from '../model/types.ts';
import { BLOCKED, TASK_NORMAL, type Exec, type Handler } from './exec.ts';
import {
  IDLE_SERVERS_HEAD,
  OFF_IDLE_SERVERS_PTR,
  OFF_IDLE_WORKERS_PTR,
  OFF_NEXT_TID,
  OFF_SERVER_TID,
  OFF_STATE,
  RUNTIME_LOCK,
  STRUCT_SIZE,
  STRUCT_BASE,
  bit0,
  clear0,
  set0,
  idleWorkersHead,
  structOf,
} from './layout.ts';
import { isBufferEmpty, peek, type Width } from './memory.ts';
import type { Frame } from './state.ts';

/** The TID owning a list node (the address of its idle_*_ptr field). */
export function nodeTid(node: number, off: number): number {
  return (node - off - STRUCT_BASE) / STRUCT_SIZE + 1;
}

/**
 * A userspace access: a page fault is handled by the kernel (the fix-up is
 * this step; the access is retried at the next one); an unmapped address
 * is a SIGSEGV that kills the process (a split lock does not fault in user
 * mode: see Exec.cas).
 */
function ufault(x: Exec, a: number, kind: 'notPresent' | 'splitLock' | 'fault'): void {
  if (kind === 'notPresent') {
    x.accessed = false; // the access did not happen: the fault handler's fix-up is the step
    x.fixup(a, 'user page fault');
    return;
  }
  x.label += ' SIGSEGV';
  x.kill(x.t.tid);
}

function uld(x: Exec, a: number, w: Width, what: string): number | undefined {
  const r = x.ld(a, w, what);
  if (r.kind === 'ok') return r.value;
  ufault(x, a, r.kind === 'notPresent' ? 'notPresent' : 'fault');
  return undefined;
}

function ust(x: Exec, a: number, w: Width, value: number, what: string): boolean {
  const r = x.st(a, w, value, what);
  if (r === 'ok') return true;
  ufault(x, a, r);
  return false;
}

function ucas(x: Exec, a: number, w: Width, exp: number, nw: number, what: string): { observed: number; swapped: boolean } | undefined {
  const r = x.cas(a, w, exp, nw, what);
  if (r.kind === 'ok') return r;
  ufault(x, a, r.kind);
  return undefined;
}

function server(x: Exec, f: Frame): void {
  const v = f.v;
  const tid = x.t.tid;
  const self = structOf(tid);
  const SH = IDLE_SERVERS_HEAD;
  const WH = idleWorkersHead(x.cfg.variant);
  const nodeOf = (t: number): number => structOf(t) + OFF_IDLE_SERVERS_PTR;
  switch (f.pc) {
    // --- srv:loop: lock, gc idle_servers, pop idle_workers --------------
    case 'loop': {
      if (!lock(x, v)) return; // spin (v0.3), or a step of the futex lock
      return x.go('gc_load_prev', { prev: SH, ...lockDone(x) });
    }
    case 'gc_load_prev': {
      // Variant reuseNodeAfterGc (B-GC-UAF): the gc just unlinked this
      // server's own node (local `rn` = 1): "restore @next" at once, as
      // Peter O.'s tests do, pointing the link back at the head.
      if (x.cfg.variant.reuseNodeAfterGc && v.rn === 1) {
        if (!ust(x, nodeOf(tid), 8, SH, 'restore @next: self->idle_servers_ptr = &idle_servers')) return;
        return x.go('gc_load_prev', { rn: 0 });
      }
      const curr = uld(x, v.prev!, 8, 'gc: curr = *prev');
      if (curr === undefined) return;
      if (curr === 0) return x.go('pop_head');
      if (bit0(curr) === 1) return x.go('gc_load_prev', { prev: SH }); // prev was marked: restart
      return x.go('gc_load_curr', { curr });
    }
    case 'gc_load_curr': {
      // Variant gcRemovesOwnIdleNode (FIXED), second phase (local `ms` =
      // 1): the server's own node is on idle_servers unmarked although the
      // server is not idle; mark it deleted, as atomic_stack_remove does,
      // and unlink it like any marked node. A failed CAS saw the kernel's
      // pop mark it first (nobody else writes the link while the server
      // holds the lock).
      if (v.ms === 1) {
        const r = ucas(x, v.curr!, 8, v.next!, set0(v.next!), 'gc: mark own node deleted (still on idle_servers)');
        if (r === undefined) return;
        const marked = r.swapped ? set0(v.next!) : r.observed;
        if (bit0(marked) === 0) return x.go('gc_load_curr', { ms: 0, next: 0 });
        return x.go('gc_cas', { next: marked, ms: 0 });
      }
      const next = uld(x, v.curr!, 8, 'gc: next = *curr');
      if (next === undefined) return;
      if (x.cfg.variant.gcRemovesOwnIdleNode && v.curr === nodeOf(tid) && bit0(next) === 0) return x.go('gc_load_curr', { next, ms: 1 });
      if (next === 0) return x.go('pop_head');
      if (bit0(next) === 1) return x.go('gc_cas', { next });
      return x.go('gc_load_prev', { prev: v.curr! });
    }
    case 'gc_cas': {
      const r = ucas(x, v.prev!, 8, v.curr!, clear0(v.next!), 'gc: unlink curr');
      if (r === undefined) return;
      if (!r.swapped) return x.go('gc_load_prev', { prev: SH });
      if (x.cfg.variant.reuseNodeAfterGc && v.curr === nodeOf(tid)) return x.go('gc_load_prev', { rn: 1 });
      return x.go('gc_load_prev');
    }
    case 'pop_head': {
      // Variant treiberPop (B-ABA): the lock covers the gc only; the server
      // unlocks (local `ul` = 1 after) and pops idle_workers lock-free, so
      // several servers pop at once: the Treiber pop v0.2 discussed (§5.4(a)).
      if (x.cfg.variant.treiberPop && v.ul !== 1) {
        if (!unlock(x, v, 'unlock (gc done; the pop runs without the lock)')) return;
        return x.go('pop_head', { ul: 1 });
      }
      const first = uld(x, WH, 8, 'pop: first = *idle_workers');
      if (first === undefined) return;
      if (first === 0) {
        // Variant plainIdleServerPush: keep the lock through the push (see push_cas).
        return x.go(x.cfg.variant.plainIdleServerPush ? 'idle_set_idle' : 'unlock_idle');
      }
      return x.go('pop_next', { first });
    }
    case 'pop_next': {
      // Variant headSpinlock (B-USPINLOCK, v0.2): first take the head's
      // bit 0 ("first is being deleted"), a userspace spinlock the kernel's
      // push and the workers' pushes spin on; local `hl` = 1 once held.
      if (x.cfg.variant.headSpinlock && v.hl !== 1) {
        const r = ucas(x, WH, 8, v.first!, set0(v.first!), 'pop: cmpxchg(idle_workers, first, first | 1) (lock the head)');
        if (r === undefined) return;
        if (!r.swapped) return x.go('pop_head');
        return x.go('pop_next', { hl: 1 });
      }
      const next = uld(x, v.first!, 8, 'pop: next = first->next');
      if (next === undefined) return;
      return x.go('pop_cas', { next });
    }
    case 'pop_cas': {
      if (x.cfg.variant.headSpinlock) {
        // The head is ours: unlink `first` and drop bit 0 with one plain store.
        if (!ust(x, WH, 8, v.next!, 'pop: *idle_workers = next (unlocks the head)')) return;
        return x.go('restore', { w: nodeTid(v.first!, OFF_IDLE_WORKERS_PTR), hl: 0 });
      }
      const r = ucas(x, WH, 8, v.first!, v.next!, 'pop: cmpxchg(idle_workers, first, next)');
      if (r === undefined) return;
      if (!r.swapped) return x.go('pop_head');
      return x.go('restore', { w: nodeTid(v.first!, OFF_IDLE_WORKERS_PTR) });
    }
    case 'restore':
      if (!ust(x, v.first!, 8, WH, 'worker->idle_workers_ptr = &idle_workers')) return;
      return x.go('unlock_run');
    case 'unlock_run':
      if (x.cfg.variant.treiberPop) return x.go(x.cfg.variant.serverIdleAfterWake ? 'run_assign_srv' : 'run_set_idle', { ul: 0 }); // unlocked before the pop
      if (!unlock(x, v, 'unlock')) return;
      // Variant serverIdleAfterWake (B-SRV-ORDER): assign and wake first.
      return x.go(x.cfg.variant.serverIdleAfterWake ? 'run_assign_srv' : 'run_set_idle', unlockDone(x));
    case 'unlock_idle':
      if (x.cfg.variant.treiberPop) return x.go('idle_set_idle', { ul: 0 }); // unlocked before the pop
      if (!unlock(x, v, 'unlock')) return;
      return x.go('idle_set_idle', unlockDone(x));
    // --- run the popped worker (W1) --------------------------------------
    case 'run_set_idle':
      // Variant serverIdleAfterWake (B-SRV-ORDER): reached after the
      // RUNNING store (local `so` = 1): sys_umcg_wait(UMCG_WAIT_WAKE_ONLY)
      // wakes the worker (next_tid = worker), next_tid is cleared (so = 2),
      // and only then (so = 3) the server stores IDLE and waits: a worker
      // that blocked in between saw its server RUNNING and woke nobody.
      if (x.cfg.variant.serverIdleAfterWake) {
        if (v.so === 1) return x.call('sys_umcg_wait', { flags: UMCG_WAIT_WAKE_ONLY, timeout: 0, next: 0 }, 'run_set_idle', { so: 2 });
        if (v.so === 2) {
          if (!ust(x, self + OFF_NEXT_TID, 4, 0, 'self->next_tid = 0')) return;
          return x.go('run_set_idle', { so: 3 });
        }
        if (!ust(x, self + OFF_STATE, 4, UMCG_TASK_IDLE, 'self->state = IDLE')) return;
        return x.go('wait', { w: 0, oldsrv: 0, oldnext: 0, first: 0, next: 0, so: 0 });
      }
      if (!ust(x, self + OFF_STATE, 4, UMCG_TASK_IDLE, 'self->state = IDLE')) return;
      return x.go('run_assign_srv');
    case 'run_assign_srv': {
      const ws = structOf(v.w!);
      const oldsrv = peek(x.mem, ws + OFF_SERVER_TID) ?? 0; // ghost: for the abstraction only
      if (!ust(x, ws + OFF_SERVER_TID, 4, tid, 'worker->server_tid = self')) return;
      return x.go('run_assign_next', { oldsrv, oldnext: peek(x.mem, self + OFF_NEXT_TID) ?? 0 });
    }
    case 'run_assign_next':
      if (!ust(x, self + OFF_NEXT_TID, 4, v.w!, 'self->next_tid = worker')) return;
      return x.go('run_assign_state');
    case 'run_assign_state':
      // Variant ttwuBeforeStateStore (B-LOST-WAKE, waker side): wake the
      // worker first (sys_umcg_wait(UMCG_WAIT_WAKE_ONLY) with next_tid =
      // worker), clear next_tid so the final wait does not wake it again,
      // and only then store RUNNING. Phases in the local `tb`: 0 wake,
      // 1 clear next_tid, 2 the state store. The pc stays the same so the
      // abstraction still reads the server as inside srv:run:assign.
      if (x.cfg.variant.ttwuBeforeStateStore && v.tb !== 2) {
        if (v.tb !== 1) return x.call('sys_umcg_wait', { flags: UMCG_WAIT_WAKE_ONLY, timeout: 0, next: 0 }, 'run_assign_state', { tb: 1 });
        if (!ust(x, self + OFF_NEXT_TID, 4, 0, 'self->next_tid = 0')) return;
        return x.go('run_assign_state', { tb: 2 });
      }
      if (!ust(x, structOf(v.w!) + OFF_STATE, 4, UMCG_TASK_RUNNING, 'worker->state = RUNNING')) return;
      if (x.cfg.variant.serverIdleAfterWake) return x.go('run_set_idle', { so: 1 });
      return x.go('wait', { w: 0, oldsrv: 0, oldnext: 0, first: 0, next: 0, ...(x.cfg.variant.ttwuBeforeStateStore ? { tb: 0 } : {}) });
    // --- sys_umcg_wait and its return -------------------------------------
    case 'wait':
      return x.call('sys_umcg_wait', { flags: 0, timeout: 0, next: 0 }, 'after_wait');
    case 'after_wait':
      if (x.t.rv === 0) return x.go('clear_next');
      if (x.t.rv === -EINTR) return x.go('eintr_clear');
      return x.go('clear_next'); // another error ends this wait: back to the loop
    case 'clear_next':
      if (!ust(x, self + OFF_NEXT_TID, 4, 0, 'self->next_tid = 0')) return;
      return x.go('loop');
    case 'eintr_clear':
      if (!ust(x, self + OFF_NEXT_TID, 4, 0, 'self->next_tid = 0')) return;
      return x.go('eintr');
    case 'eintr':
      return signalHandler(x);
    // --- go idle (S1) -----------------------------------------------------
    case 'idle_set_idle':
      if (!ust(x, self + OFF_STATE, 4, UMCG_TASK_IDLE, 'self->state = IDLE')) return;
      return x.go('idle_set_next');
    case 'idle_set_next':
      if (!ust(x, self + OFF_NEXT_TID, 4, 0, 'self->next_tid = 0')) return;
      return x.go('push_load');
    case 'push_load': {
      const first = uld(x, SH, 8, 'push: first = *idle_servers');
      if (first === undefined) return;
      return x.go('push_link', { first });
    }
    case 'push_link':
      if (!ust(x, nodeOf(tid), 8, v.first!, 'push: self->next = first')) return;
      return x.go('push_cas');
    case 'push_cas': {
      // Variant plainIdleServerPush (B-TSO-DEKKER): the server still holds
      // the runtime lock, so no other server writes the head (the kernel
      // only reads it and marks nodes' links): it publishes itself with a
      // plain store, then unlocks (local `pp`: 1 once the head is stored).
      // Plain stores can wait in the store buffer past the re-check's load.
      if (x.cfg.variant.plainIdleServerPush) {
        if (v.pp !== 1) {
          if (!ust(x, SH, 8, nodeOf(tid), 'push: *idle_servers = self (plain store, under the lock)')) return;
          return x.go('push_cas', { pp: 1 });
        }
        if (!unlock(x, v, 'unlock')) return;
        return x.go(x.cfg.variant.noServerIdleFence ? 'recheck' : 'idle_fence', { first: 0, pp: 0, ...unlockDone(x) });
      }
      const r = ucas(x, SH, 8, v.first!, nodeOf(tid), 'push: cmpxchg(idle_servers, first, self)');
      if (r === undefined) return;
      if (!r.swapped) return x.go('push_load');
      return x.go(x.cfg.variant.noServerIdleFence ? 'recheck' : 'idle_fence', { first: 0 });
    }
    case 'idle_fence':
      x.fence('mfence');
      return x.go('recheck');
    case 'recheck': {
      const w = uld(x, WH, 8, 'recheck: *idle_workers');
      if (w === undefined) return;
      if (w === 0) return x.go('wait');
      return x.go(x.cfg.variant.removeWithoutLock ? 'rm_head' : 'rm_lock');
    }
    // atomic_stack_remove(idle_servers, self), under the runtime lock: a gc
    // running concurrently can unlink our successor, make our marking CAS
    // fail and the remove walk past its own unmarked node (impl/README.md).
    case 'rm_lock': {
      if (!lock(x, v)) return;
      return x.go('rm_head', lockDone(x));
    }
    case 'rm_unlock_loop':
      if (!unlock(x, v, 'unlock')) return;
      return x.go('loop', unlockDone(x));
    case 'rm_unlock_wait':
      if (!unlock(x, v, 'unlock')) return;
      return x.go('wait', unlockDone(x));
    // atomic_stack_remove(idle_servers, self)
    case 'rm_head': {
      const curr = uld(x, SH, 8, 'remove: curr = *idle_servers');
      if (curr === undefined) return;
      if (curr === 0) return x.go(rmExit(x, 'wait')); // not found: the kernel popped us
      return x.go('rm_next', { curr });
    }
    case 'rm_next': {
      const next = uld(x, v.curr!, 8, 'remove: next = *curr');
      if (next === undefined) return;
      const mine = v.curr === nodeOf(tid);
      if (bit0(next) === 1) {
        if (mine) return x.go(rmExit(x, 'wait'), { curr: 0, next: 0 }); // already marked: popped
      } else if (mine) return x.go('rm_cas', { next });
      const c = clear0(next);
      if (c === 0) return x.go(rmExit(x, 'wait'), { curr: 0, next: 0 });
      return x.go('rm_next', { curr: c });
    }
    case 'rm_cas': {
      const r = ucas(x, v.curr!, 8, v.next!, set0(v.next!), 'remove: mark self');
      if (r === undefined) return;
      if (r.swapped) return x.go(rmExit(x, 'loop'), { curr: 0, next: 0 });
      const c = clear0(r.observed);
      if (c === 0) return x.go(rmExit(x, 'wait'), { curr: 0, next: 0 });
      return x.go('rm_next', { curr: c });
    }
    case 'unregistered':
      return;
  }
}

function rmExit(x: Exec, to: 'wait' | 'loop'): string {
  if (x.cfg.variant.removeWithoutLock) return to;
  return to === 'wait' ? 'rm_unlock_wait' : 'rm_unlock_loop';
}

// ---------------------------------------------------------------------------
// The runtime lock. v0.3's runtime (every variant but FIXED) spins:
// `while (!cmpxchg(lock, 0, tid));` and unlocks with a plain store of 0.
//
// Variant futexRuntimeLock (FIXED): the classic futex mutex (U. Drepper,
// "Futexes Are Tricky", mutex2), lock word 0 free, 1 held, 2 held with
// (possible) waiters:
//
//   lock:   if ((c = cmpxchg(lock, 0, 1)) != 0)
//             do { if (c == 2 || cmpxchg(lock, 1, 2) != 0) futex_wait(lock, 2); }
//             while ((c = cmpxchg(lock, 0, 2)) != 0);
//   unlock: if (cmpxchg(lock, 1, 0) != 1) { *lock = 0; futex_wake(lock, 1); }
//
// (mutex2's unlock decrements; only the holder changes a word that is 1 or
// 2 into anything but 2, so the cmpxchg is the same test.) The steps run at
// the caller's pc, so the abstraction sees the server where it sees v0.3's
// spinning server. Locals: `fx` the lock's phase, `fq` 1 while the task is
// queued on the futex (the kernel's futex_q, kept with the waiter: its
// queue and wake are each one step under the hash-bucket lock), `ux` the
// unlock's phase. futex_wait is inlined as its kernel steps
// (futex_wait_setup: hb lock, read the word, queue or -EWOULDBLOCK;
// futex_wait_queue_me: set_current_state(TASK_INTERRUPTIBLE) with the
// queueing, then schedule(); unqueue_me), without kernel frames.
// NOT MODELLED: timeouts, FUTEX_PRIVATE hashing, priority order among
// several waiters (futex_wake takes the lowest tid).

const FX_TRY = 0; // c = cmpxchg(lock, 0, 1)
const FX_MARK = 1; // cmpxchg(lock, 1, 2)
const FX_WAIT = 2; // futex_wait(lock, 2): futex_wait_setup and queue_me
const FX_SLEEP = 3; // futex_wait_queue_me: schedule()
const FX_WOKEN = 4; // back from schedule(): unqueue_me
const FX_RETRY = 5; // c = cmpxchg(lock, 0, 2)

/** Runtime pcs where a server takes the lock (a futex waiter sleeps at one of them). */
export const LOCK_PCS: ReadonlySet<string> = new Set(['loop', 'rm_lock']);

/** One step of taking the runtime lock; true once it is held. */
function lock(x: Exec, v: Readonly<Record<string, number>>): boolean {
  const tid = x.t.tid;
  if (!x.cfg.variant.futexRuntimeLock) {
    const r = ucas(x, RUNTIME_LOCK, 4, 0, tid, 'lock');
    return r !== undefined && r.swapped;
  }
  const stay = (patch: Record<string, number>): false => {
    x.go(x.top().pc, patch);
    return false;
  };
  switch (v.fx ?? FX_TRY) {
    case FX_TRY: {
      const r = ucas(x, RUNTIME_LOCK, 4, 0, 1, 'lock: c = cmpxchg(lock, 0, 1)');
      if (r === undefined) return false;
      if (r.swapped) return true;
      return stay({ fx: r.observed === 2 ? FX_WAIT : FX_MARK });
    }
    case FX_MARK: {
      const r = ucas(x, RUNTIME_LOCK, 4, 1, 2, 'lock: cmpxchg(lock, 1, 2)');
      if (r === undefined) return false;
      return stay({ fx: !r.swapped && r.observed === 0 ? FX_RETRY : FX_WAIT });
    }
    case FX_RETRY: {
      const r = ucas(x, RUNTIME_LOCK, 4, 0, 2, 'lock: c = cmpxchg(lock, 0, 2)');
      if (r === undefined) return false;
      if (r.swapped) return true;
      return stay({ fx: r.observed === 2 ? FX_WAIT : FX_MARK });
    }
    case FX_WAIT: {
      // futex_wait_setup(): the hash-bucket spinlock and the queueing are a
      // locked instruction and a full barrier, like set_current_state.
      if (!isBufferEmpty(x.mem, x.cpu)) throw BLOCKED;
      const u = uld(x, RUNTIME_LOCK, 4, 'futex_wait(lock, 2): hb lock; uval = *lock');
      if (u === undefined) return false;
      if (u !== 2) {
        x.label += ' != 2: -EWOULDBLOCK';
        return stay({ fx: FX_RETRY });
      }
      x.t.ks = 'S';
      x.label += ' == 2: set_current_state(TASK_INTERRUPTIBLE); queue_me';
      return stay({ fx: FX_SLEEP, fq: 1 });
    }
    case FX_SLEEP: {
      x.barrier('schedule', 'futex_wait_queue_me: schedule(): rq lock');
      const t = x.t;
      // `if (!plist_node_empty(&q->list)) schedule()`: a waiter futex_wake
      // already dequeued is TASK_RUNNING again and does not sleep.
      x.scheduleOut(v.fq === 1 && t.ks === 'S' && !t.sig);
      return stay({ fx: FX_WOKEN });
    }
    case FX_WOKEN: {
      x.barrier('task_write', 'futex_wait: unqueue_me (hb lock)');
      if (v.fq !== 1) {
        x.label += ': futex_wake dequeued us, return 0';
        return stay({ fx: FX_RETRY });
      }
      if (x.t.sig) {
        // -ERESTARTSYS: the signal is delivered on the way to userspace;
        // the runtime's handler runs, then the lock loop goes on.
        x.t.sig = false;
        x.label += ': signal pending, -EINTR; the signal handler runs';
        return stay({ fx: FX_RETRY, fq: 0 });
      }
      x.label += ': still queued (a spurious wakeup), futex_wait_setup again';
      return stay({ fx: FX_WAIT, fq: 0 });
    }
  }
  throw new Error(`T${tid}: runtime lock phase ${v.fx}`);
}

/** The locals a finished lock leaves (none for v0.3's spinlock). */
function lockDone(x: Exec): Record<string, number> {
  return x.cfg.variant.futexRuntimeLock ? { fx: FX_TRY, fq: 0 } : {};
}

/** One step of releasing the runtime lock; true once it is released (and a waiter woken). */
function unlock(x: Exec, v: Readonly<Record<string, number>>, what: string): boolean {
  if (!x.cfg.variant.futexRuntimeLock) return ust(x, RUNTIME_LOCK, 4, 0, what);
  const stay = (ux: number): false => {
    x.go(x.top().pc, { ux });
    return false;
  };
  switch (v.ux ?? 0) {
    case 0: {
      const r = ucas(x, RUNTIME_LOCK, 4, 1, 0, `${what}: cmpxchg(lock, 1, 0)`);
      if (r === undefined) return false;
      if (r.swapped) return true;
      return stay(1); // 2: someone may wait
    }
    case 1:
      if (!ust(x, RUNTIME_LOCK, 4, 0, `${what}: *lock = 0`)) return false;
      return stay(2);
    case 2: {
      x.barrier('ttwu', 'futex_wake(lock, 1): hb lock');
      const waiter = x.tasks.find((t) => {
        const f = t.stack[t.stack.length - 1];
        return t.end === 'none' && f !== undefined && f.fn === 'server' && LOCK_PCS.has(f.pc) && f.v.fq === 1;
      });
      if (waiter === undefined) {
        x.label += ': no waiter';
        return true;
      }
      const w = x.task(waiter.tid);
      const f = w.stack[w.stack.length - 1]!;
      w.stack[w.stack.length - 1] = { fn: f.fn, pc: f.pc, v: { ...f.v, fq: 0 } };
      const woke = x.tryToWakeUp(waiter.tid, TASK_NORMAL, 0, -1);
      x.label += `: dequeue T${waiter.tid}, wake_up_q = ${woke}`;
      return true;
    }
  }
  throw new Error(`T${x.t.tid}: runtime unlock phase ${v.ux}`);
}

/** The locals a finished unlock leaves (none for v0.3's plain store). */
function unlockDone(x: Exec): Record<string, number> {
  return x.cfg.variant.futexRuntimeLock ? { ux: 0 } : {};
}

// ---------------------------------------------------------------------------
// The rest of Peter O.'s atomic_stack.h (spec §5.3): routines the runtime
// does not call (its push, gc and remove are inlined in `server` and
// `worker` above), kept here so each helper of the header is simulated and
// tested at the granularity of its accesses. C11 acquire loads and release
// stores are plain MOVs on x86; a CAS is LOCK CMPXCHG.

/**
 * An `assert()` of atomic_stack.h failed, returned as a value (rv) instead
 * of aborting: pop_all's `assert(ok)` (a push changed head between its load
 * and its CAS) or pop's `assert(!(curr & 1))` (a head with bit 0 set).
 */
export const STACK_ASSERT_FAILED = 1;

/**
 * atomic_stack_pop_all(head): `first = load(head); if (!first) return NULL;
 * ok = cas(head, &first, 0); assert(ok); return first`. rv 0 with rv2 =
 * the detached chain (0: the stack was empty); or rv {@link STACK_ASSERT_FAILED}
 * with rv2 = the head the CAS observed (C's `first` after a failed CAS),
 * nothing detached: the assert is a value here, not a crash. Locals: head, first.
 */
function atomicStackPopAll(x: Exec, f: Frame): void {
  const v = f.v;
  switch (f.pc) {
    case 'start': {
      const first = uld(x, v.head!, 8, 'pop_all: first = *head');
      if (first === undefined) return;
      if (first === 0) return x.ret(0, 0);
      return x.go('cas', { first });
    }
    case 'cas': {
      const r = ucas(x, v.head!, 8, v.first!, 0, 'pop_all: cmpxchg(head, first, 0)');
      if (r === undefined) return;
      if (!r.swapped) return x.ret(STACK_ASSERT_FAILED, r.observed); // assert(ok) fails
      return x.ret(0, v.first!);
    }
  }
}

/**
 * atomic_stack_pop(head): walk from `*head`; skip a node whose link is
 * marked; claim the first unmarked one by setting bit 0 of its own link
 * (never unlinks, never CASes head), and on a failed CAS move on to the
 * observed successor. Like umcg_sll_pop but unbounded; its
 * `assert(!(curr & 1))` (only a head with bit 0 set can trip it) gives rv
 * {@link STACK_ASSERT_FAILED}. rv2 = the claimed node, 0 when none.
 * Locals: head, curr, next.
 */
function atomicStackPop(x: Exec, f: Frame): void {
  const v = f.v;
  switch (f.pc) {
    case 'start': {
      const curr = uld(x, v.head!, 8, 'pop: curr = *head');
      if (curr === undefined) return;
      if (curr === 0) return x.ret(0, 0);
      if (bit0(curr) === 1) return x.ret(STACK_ASSERT_FAILED, curr); // assert(!(curr & 1))
      return x.go('read_next', { curr });
    }
    case 'read_next': {
      const next = uld(x, v.curr!, 8, 'pop: next = *curr');
      if (next === undefined) return;
      if (bit0(next) === 1) {
        const c = clear0(next); // curr already deleted: skip it
        if (c === 0) return x.ret(0, 0);
        return x.go('read_next', { curr: c });
      }
      return x.go('cas', { next });
    }
    case 'cas': {
      const r = ucas(x, v.curr!, 8, v.next!, set0(v.next!), 'pop: mark curr');
      if (r === undefined) return;
      if (r.swapped) return x.ret(0, v.curr!);
      const c = clear0(r.observed);
      if (c === 0) return x.ret(0, 0);
      return x.go('read_next', { curr: c });
    }
  }
}

/** The runtime's signal handler ran (the signal is delivered on return to user); call sys_umcg_wait again. */
function signalHandler(x: Exec): void {
  x.begin('env', 'signal handler runs');
  x.t.sig = false;
  x.go('wait');
}

function worker(x: Exec, f: Frame): void {
  const v = f.v;
  const tid = x.t.tid;
  const self = structOf(tid);
  switch (f.pc) {
    case 'register':
      return x.call('sys_umcg_ctl', { flags: UMCG_CTL_REGISTER | UMCG_CTL_WORKER, self }, 'user');
    case 'user':
    case 'unregistered':
      return; // no code: the workload decides
    case 'block':
      // a blocking syscall: the workload's choice, then set_current_state
      x.go('user');
      x.t.stack.push({ fn: 'blocking_call', pc: 'set_state', v: { done: 0 } });
      return;
    case 'lock': {
      // LOCK OR UMCG_TF_LOCKED into self->state (one atomic RMW)
      const cur = peek(x.mem, self + OFF_STATE) ?? 0;
      const r = ucas(x, self + OFF_STATE, 4, cur, (cur | UMCG_TF_LOCKED) >>> 0, 'self->state |= UMCG_TF_LOCKED');
      if (r === undefined) return;
      return x.go('user', { locked: 1 });
    }
    case 'yield_load_srv': {
      const srv = uld(x, self + OFF_SERVER_TID, 4, 'srv = self->server_tid');
      if (srv === undefined) return;
      return x.go('yield_set_idle', { srv });
    }
    case 'yield_set_idle': {
      const locked = v.locked === 1 ? UMCG_TF_LOCKED : 0;
      if (!ust(x, self + OFF_STATE, 4, UMCG_TASK_IDLE | locked, 'self->state = IDLE')) return;
      return x.go('push_load', { locked: 0 });
    }
    case 'push_load': {
      const first = uld(x, idleWorkersHead(x.cfg.variant), 8, 'push: first = *idle_workers');
      if (first === undefined) return;
      // Variant headSpinlock (B-USPINLOCK): spin while a server holds the head.
      if (x.cfg.variant.headSpinlock && bit0(first) === 1) return x.go('push_load');
      return x.go('push_link', { first });
    }
    case 'push_link':
      if (!ust(x, self + OFF_IDLE_WORKERS_PTR, 8, v.first!, 'push: self->next = first')) return;
      return x.go('push_cas');
    case 'push_cas': {
      const r = ucas(x, idleWorkersHead(x.cfg.variant), 8, v.first!, self + OFF_IDLE_WORKERS_PTR, 'push: cmpxchg(idle_workers, first, self)');
      if (r === undefined) return;
      if (!r.swapped) return x.go('push_load');
      return x.go('yield_wake_srv', { first: 0 });
    }
    case 'yield_wake_srv':
      if (v.srv === 0) {
        x.begin('env', 'no server to wake');
        return x.go('yield_set_next');
      }
      if (!ust(x, structOf(v.srv!) + OFF_STATE, 4, UMCG_TASK_RUNNING, 'server->state = RUNNING')) return;
      return x.go('yield_set_next');
    case 'yield_set_next':
      if (!ust(x, self + OFF_NEXT_TID, 4, v.srv!, 'self->next_tid = server')) return;
      return x.go('wait');
    case 'wait':
      return x.call('sys_umcg_wait', { flags: 0, timeout: 0, next: 0 }, 'after_wait');
    case 'after_wait':
      if (x.t.rv === 0) return x.go('clear_next');
      if (x.t.rv === -EINTR) return x.go('eintr_clear');
      return x.go('clear_next');
    case 'clear_next':
      if (!ust(x, self + OFF_NEXT_TID, 4, 0, 'self->next_tid = 0')) return;
      return x.go('user', { srv: 0 });
    case 'eintr_clear':
      if (!ust(x, self + OFF_NEXT_TID, 4, 0, 'self->next_tid = 0')) return;
      return x.go('eintr', { srv: 0 });
    case 'eintr':
      return signalHandler(x);
  }
}

export const RUNTIME: Readonly<Record<string, Handler>> = {
  server,
  worker,
  atomic_stack_pop: atomicStackPop,
  atomic_stack_pop_all: atomicStackPopAll,
};

/** Runtime pcs with no code of their own (the workload or the environment moves them on). */
export function noCode(f: Frame): boolean {
  return (f.fn === 'worker' && (f.pc === 'user' || f.pc === 'unregistered')) || (f.fn === 'server' && f.pc === 'unregistered');
}
