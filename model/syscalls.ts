/**
 * The argument checks of the two v0.3 syscalls, as pure functions from the
 * caller's situation to an outcome. The outcome is either an error return
 * (a value, never an exception) or the effect the kernel goes on to perform,
 * which the transition layer interprets.
 *
 * @see kernel/sched/umcg.c: sys_umcg_ctl, sys_umcg_wait, umcg_ttwu,
 *      umcg_do_context_switch, umcg_idle_loop
 */
import { EFAULT, EINVAL, EOPNOTSUPP, ESRCH } from './errno.ts';
import { UMCG_TASK_IDLE, UMCG_TASK_RUNNING, type Tid } from './types.ts';

export const UMCG_CTL_REGISTER = 0x00001;
export const UMCG_CTL_UNREGISTER = 0x00002;
export const UMCG_CTL_WORKER = 0x10000;
export const UMCG_WAIT_WAKE_ONLY = 1;
export const UMCG_WAIT_WF_CURRENT_CPU = 2;

/** The `self` argument of umcg_ctl: NULL, a pointer that faults, or a readable struct. */
export type SelfArg =
  | { readonly kind: 'null' }
  | { readonly kind: 'fault' }
  | { readonly kind: 'struct'; readonly raw: RawUmcgTask };

/** `struct umcg_task` as copy_from_user() reads it: full 32-bit words. */
export interface RawUmcgTask {
  readonly state: number;
  readonly apiVersion: number;
  readonly serverTid: Tid;
  readonly nextTid: Tid;
}

export type CtlOutcome =
  | { readonly kind: 'error'; readonly ret: number }
  | { readonly kind: 'unregister' }
  | { readonly kind: 'register-server' }
  /** Registered; umcg_wq_worker_running() runs synchronously, then 0 is returned. */
  | { readonly kind: 'register-worker' };

/**
 * sys_umcg_ctl(flags, self), checked in the order of the v0.3 code.
 * `registered` is `current->umcg_task != NULL`.
 */
export function umcgCtl(flags: number, self: SelfArg, registered: boolean): CtlOutcome {
  const error = (ret: number): CtlOutcome => ({ kind: 'error', ret });
  if (flags === UMCG_CTL_UNREGISTER) {
    if (self.kind !== 'null' || !registered) return error(-EINVAL);
    return { kind: 'unregister' };
  }
  if (!(flags & UMCG_CTL_REGISTER)) return error(-EINVAL);
  const rest = flags & ~UMCG_CTL_REGISTER;
  if (rest !== 0 && rest !== UMCG_CTL_WORKER) return error(-EINVAL);
  if (registered) return error(-EINVAL);
  // v0.3 has no `!self` check here (v0.4 adds it): NULL faults in copy_from_user.
  if (self.kind !== 'struct') return error(-EFAULT);
  const ut = self.raw;
  if (ut.apiVersion !== 1) return error(1); // umcg_validate_version: "the highest supported version"
  if (ut.serverTid !== 0 || ut.nextTid !== 0) return error(-EINVAL);
  if (rest === UMCG_CTL_WORKER) {
    // Compared over the full 32 bits: any flag or user bit fails.
    if (ut.state !== UMCG_TASK_IDLE) return error(-EINVAL);
    return { kind: 'register-worker' };
  }
  if (ut.state !== UMCG_TASK_RUNNING) return error(-EINVAL);
  return { kind: 'register-server' };
}

/** What sys_umcg_wait sees of the world when it looks a TID up. */
export interface WaitContext {
  /** `current->umcg_task != NULL`. */
  readonly registered: boolean;
  readonly isWorker: boolean;
  /** get_user() of the caller's struct faults. */
  readonly selfFaults: boolean;
  readonly nextTid: Tid;
  readonly serverTid: Tid;
  /** find_task_by_vpid(tid) finds a live task. */
  readonly exists: (tid: Tid) => boolean;
  /** ...and its `umcg_task` is non-NULL. */
  readonly isUmcg: (tid: Tid) => boolean;
}

export type WaitOutcome =
  | { readonly kind: 'error'; readonly ret: number }
  /** WAKE_ONLY: umcg_ttwu(tid) then return 0 ("result ignored"). */
  | { readonly kind: 'wake-only'; readonly target: Tid }
  /** umcg_do_context_switch: ttwu(next, WF_CURRENT_CPU), then umcg_idle_loop(0). */
  | { readonly kind: 'context-switch'; readonly target: Tid }
  /** umcg_idle_loop(0). */
  | { readonly kind: 'idle-loop' };

/** sys_umcg_wait(flags, abs_timeout), up to the point where it sleeps. */
export function umcgWait(flags: number, absTimeout: number, ctx: WaitContext): WaitOutcome {
  const error = (ret: number): WaitOutcome => ({ kind: 'error', ret });
  if (!ctx.registered) return error(-EINVAL);
  if (ctx.selfFaults) return error(-EFAULT);
  let next = ctx.nextTid;
  if (flags & UMCG_WAIT_WAKE_ONLY) {
    if (next === 0 || absTimeout !== 0) return error(-EINVAL);
    if ((flags & ~UMCG_WAIT_WAKE_ONLY) & ~UMCG_WAIT_WF_CURRENT_CPU) return error(-EINVAL);
    // umcg_ttwu: -ESRCH when the task is gone or not a UMCG task.
    if (!ctx.exists(next) || !ctx.isUmcg(next)) return error(-ESRCH);
    return { kind: 'wake-only', target: next };
  }
  // Outside WAKE_ONLY v0.3 does not validate flags at all (v0.2 did).
  if (next === 0 && ctx.isWorker) next = ctx.serverTid;
  if (next !== 0) {
    if (absTimeout !== 0) return error(-EOPNOTSUPP);
    // No umcg_task check here, unlike umcg_ttwu.
    if (!ctx.exists(next)) return error(-ESRCH);
    return { kind: 'context-switch', target: next };
  }
  if (absTimeout !== 0) return error(-EOPNOTSUPP);
  return { kind: 'idle-loop' };
}
