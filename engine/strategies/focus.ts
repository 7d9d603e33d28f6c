/**
 * Focus: which steps of a run may be PCT change points (engine/strategies/pct.ts).
 *
 * A preemption can only change what a run computes where the preempted task
 * is about to touch memory another task also touches (CHESS, Musuvathi and
 * Qadeer 2007: scheduling points at synchronisation and shared accesses
 * suffice). On the detailed implementation every step is one access, and most
 * of them touch words only their own task uses (its struct's state and
 * next_tid, its kernel fields). `lists` keeps as candidate change points only
 * the steps that load, store or compare-and-swap a word of the shared lists:
 * the two list heads (idle_servers, idle_workers) and the list links of every
 * struct (idle_servers_ptr, idle_workers_ptr), whether userspace or the
 * kernel makes the access. The list algorithms (push, pop, gc, remove) race
 * on exactly these words, so PCT's d - 1 change points are spent there
 * instead of being spread over all the steps of a run.
 *
 * `link-loads` keeps fewer: only the loads of a struct's list link (not of
 * a head, and no store or cmpxchg). Such a load is the read of `next` in a
 * pop or a walk (`next = first->next` of a Treiber pop, umcg_sll_pop's and
 * the gc's walk), which the reader then acts on with a compare-and-swap of
 * the head or of a link: a task preempted right after it holds a `next` that
 * can go stale before its CAS: the read-CAS window of the ABA problem. A run
 * has about a quarter as many of these as of list accesses, so its default k
 * is a quarter too ({@link FOCUS_SHARE}).
 *
 * A focus reads the step's `detail` (`load 0x20008`, engine/impl-system.ts
 * describeAccess): nothing else of the system, so it works on any system
 * whose steps report the address they access. The model's steps report none:
 * `lists` applies to the implementation target only.
 */
import {
  IDLE_SERVERS_HEAD,
  IDLE_WORKERS_HEAD,
  IDLE_WORKERS_HEAD_SPLIT,
  OFF_IDLE_SERVERS_PTR,
  OFF_IDLE_WORKERS_PTR,
  STRUCT_BASE,
  STRUCT_SIZE,
} from '../../impl/layout.ts';

export const FOCUSES = ['all', 'lists', 'link-loads'] as const;
export type FocusName = (typeof FOCUSES)[number];

/**
 * With a focus and no `--focus-steps`: k = maxSteps / share, about the share
 * of a run's steps the focus keeps (on B-ABA's 2 x 3 runs of 300 steps:
 * about 69 list accesses, 18 list-link loads).
 */
export const FOCUS_SHARE: Readonly<Record<Exclude<FocusName, 'all'>, number>> = { lists: 4, 'link-loads': 16 };

/** How `check` names a focus's steps in its header. */
export const FOCUS_STEPS_NAME: Readonly<Record<Exclude<FocusName, 'all'>, string>> = { lists: 'lists accesses', 'link-loads': 'list-link loads' };

/** What a focus sees of a taken step. */
export interface FocusStep {
  readonly detail?: string;
}

/** True for the steps that may be change points. */
export type Focus = (step: FocusStep) => boolean;

/** The focus of a name; undefined for `all` (every step may be a change point: plain PCT). */
export function focusOf(name: FocusName): Focus | undefined {
  switch (name) {
    case 'all':
      return undefined;
    case 'lists':
      return touchesList;
    case 'link-loads':
      return loadsListLink;
  }
}

/** A user-memory access (load, store, cmpxchg) of a list head or a struct's list link. */
export function touchesList(step: FocusStep): boolean {
  const m = /^(?:load|store|cmpxchg) 0x([0-9a-f]+)/.exec(step.detail ?? '');
  if (m === null) return false;
  return isListWord(parseInt(m[1]!, 16));
}

/** A load of a struct's list link (idle_servers_ptr, idle_workers_ptr): a `next` read, not a head. */
export function loadsListLink(step: FocusStep): boolean {
  const m = /^load 0x([0-9a-f]+)/.exec(step.detail ?? '');
  if (m === null) return false;
  const addr = parseInt(m[1]!, 16);
  return isListWord(addr) && !isListHead(addr);
}

function isListHead(addr: number): boolean {
  return addr === IDLE_SERVERS_HEAD || addr === IDLE_WORKERS_HEAD || addr === IDLE_WORKERS_HEAD_SPLIT;
}

/** A list head, or the idle_servers_ptr / idle_workers_ptr field of a struct umcg_task. */
export function isListWord(addr: number): boolean {
  if (isListHead(addr)) return true;
  if (addr < STRUCT_BASE || addr >= IDLE_SERVERS_HEAD) return false;
  const off = (addr - STRUCT_BASE) % STRUCT_SIZE;
  return off === OFF_IDLE_SERVERS_PTR || off === OFF_IDLE_WORKERS_PTR;
}
