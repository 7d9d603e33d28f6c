/**
 * Shared fixtures and assertions for the model, property and explorer tests.
 *
 * States are built from `initialState` and overridden field by field, then
 * deep-frozen, so a transition that mutated its input instead of producing a
 * new state would throw. Tests go through the public functions only
 * (`enabled`, `apply`, `successors`, the registry's `check`s, `explore`), never
 * through the dispatch tables or the key encoding, which are free to change.
 */
import { freeze } from 'immer';
import { expect } from 'vitest';
import { stateKey } from '../../model/canon.ts';
import { initialState, successors } from '../../model/init.ts';
import { apply, causeOf, enabled, type Action, type Step } from '../../model/transitions.ts';
import {
  DEFAULT_MODEL_CONFIG,
  type ListNode,
  type ModelConfig,
  type Pc,
  type State,
  type Task,
  type Tid,
  type UmcgWord,
} from '../../model/types.ts';
import type { ExploreOptions } from '../../engine/explore.ts';
import type { Witness } from '../../properties/invariant.ts';
import { DEFAULT_PROGRESS_BOUND } from '../../properties/registry.ts';

// ---------------------------------------------------------------------------
// Vocabulary

/**
 * Every program counter, once. A total record, so a Pc added to the model
 * without being added here does not compile.
 */
const PC_RECORD = {
  'srv:register': true,
  'srv:set_tid': true,
  'srv:loop': true,
  'srv:gc': true,
  'srv:gc:curr': true,
  'srv:pop': true,
  'srv:run:set_self_idle': true,
  'srv:run:assign': true,
  'srv:idle:set_self_idle': true,
  'srv:idle:push_self': true,
  'srv:idle:recheck': true,
  'srv:idle:remove_self': true,
  'wkr:register': true,
  'wkr:user': true,
  'wkr:yield:set_idle': true,
  'wkr:yield:wake_server': true,
  'wkr:yield:push_self': true,
  'wait:enter': true,
  idle_loop: true,
  'idle_loop:after': true,
  'wait:eintr': true,
  submit_work: true,
  'submit_work:wake_server': true,
  'submit_work:ttwu': true,
  sleep: true,
  update_worker: true,
  'update_worker:push': true,
  'update_worker:pop_server': true,
  'update_worker:pop_read': true,
  'update_worker:pop_cas': true,
  'update_worker:wake_server': true,
  'update_worker:ttwu': true,
  'update_worker:idle_loop': true,
  'update_worker:check': true,
  'idle_loop:check': true,
  'submit_work:change_state': true,
  'call:wait': true,
  'update_worker:schedule': true,
  'update_worker:after': true,
  dead: true,
  unregistered: true,
} as const satisfies Record<Pc, true>;

export const ALL_PCS: readonly Pc[] = Object.keys(PC_RECORD) as Pc[];

// ---------------------------------------------------------------------------
// Building states

export type TaskPatch = Partial<Omit<Task, 'tid' | 'role' | 'word'>> & { readonly word?: Partial<UmcgWord> };
export type NodeSpec = Tid | ListNode;

export interface Shape {
  readonly servers: number;
  readonly workers: number;
  readonly envBudget?: number;
  readonly killedBy?: Tid;
  /** Overrides per TID, applied on top of the initial state. */
  readonly tasks?: Readonly<Record<Tid, TaskPatch>>;
  readonly idleWorkers?: readonly NodeSpec[];
  readonly idleServers?: readonly NodeSpec[];
}

const node = (n: NodeSpec): ListNode => (typeof n === 'number' ? { tid: n, marked: false } : n);

/** A marked node (popped by the kernel, awaiting gc). */
export const marked = (tid: Tid): ListNode => ({ tid, marked: true });

/**
 * A state of `servers` x `workers` tasks: the initial state (servers at the top
 * of their loop, workers about to register) with the given overrides, deep-frozen.
 */
export function build(shape: Shape): State {
  const s0 = initialState({ servers: shape.servers, workers: shape.workers, envBudget: shape.envBudget ?? 0 });
  const tasks = s0.tasks.map((t): Task => {
    const patch = shape.tasks?.[t.tid];
    if (patch === undefined) return t;
    return { ...t, ...patch, word: { ...t.word, ...patch.word } };
  });
  for (const tid of Object.keys(shape.tasks ?? {})) {
    if (s0.tasks[Number(tid) - 1] === undefined) throw new RangeError(`build: no task ${tid} in ${shape.servers}x${shape.workers}`);
  }
  const s: State = {
    tasks,
    idleWorkers: (shape.idleWorkers ?? []).map(node),
    idleServers: (shape.idleServers ?? []).map(node),
    envBudget: shape.envBudget ?? 0,
    killedBy: shape.killedBy ?? 0,
  };
  return freeze(s, true);
}

/** A copy of `s` with some tasks overridden (the rest shared), deep-frozen. */
export function withTasks(s: State, patches: Readonly<Record<Tid, TaskPatch>>): State {
  const tasks = s.tasks.map((t): Task => {
    const patch = patches[t.tid];
    return patch === undefined ? t : { ...t, ...patch, word: { ...t.word, ...patch.word } };
  });
  return freeze({ ...s, tasks }, true);
}

/** A copy of `s` with top-level fields replaced, deep-frozen. */
export function withState(s: State, patch: Partial<Omit<State, 'tasks'>>): State {
  return freeze({ ...s, ...patch }, true);
}

/** `over` on top of `base`; the state word is merged field by field. */
export function merge(base: TaskPatch, over: TaskPatch = {}): TaskPatch {
  return { ...base, ...over, word: { ...base.word, ...over.word } };
}

// Common task situations (patches), named after where the task is. Each
// takes overrides, merged with `merge`.

/** A server running its loop in userspace, registered, RUNNING. */
export const serverAtLoop = (self: Tid, over?: TaskPatch): TaskPatch => merge({
  reg: 'server',
  pc: 'srv:loop',
  word: { state: 'RUNNING', locked: false, serverTid: self, nextTid: 0 },
}, over);

/** A server asleep IDLE in sys_umcg_wait's umcg_idle_loop. */
export const serverAsleep = (self: Tid, nextTid: Tid = 0, over?: TaskPatch): TaskPatch => merge({
  reg: 'server',
  pc: 'sleep',
  hookFrom: 'wait',
  kstate: 'interruptible',
  word: { state: 'IDLE', locked: false, serverTid: self, nextTid },
}, over);

/** A registered worker running its body on behalf of `server`. */
export const workerRunning = (server: Tid, over?: TaskPatch): TaskPatch => merge({
  reg: 'worker',
  pc: 'wkr:user',
  hookFrom: 'wait',
  kstate: 'running',
  word: { state: 'RUNNING', locked: false, serverTid: server, nextTid: 0 },
}, over);

/** A registered worker asleep IDLE in sys_umcg_wait's umcg_idle_loop (after sched_submit_work). */
export const workerAsleepInWait = (server: Tid, over?: TaskPatch): TaskPatch => merge({
  reg: 'worker',
  pc: 'sleep',
  hookFrom: 'wait',
  kstate: 'interruptible',
  word: { state: 'IDLE', locked: false, serverTid: server, nextTid: 0 },
}, over);

/**
 * A registered worker asleep IDLE in the nested umcg_idle_loop of the wake
 * hook (umcg_wq_worker_running), having run after a blocking call (`call`) or
 * after sys_umcg_wait's schedule (`wait`). After a blocking call it means the
 * call's completion came (`callDone`): when the hook is done the call returns
 * to the worker body. A hook run on an early wakeup is built with
 * `{ callDone: false }` (it then goes round the call's wait loop, `call:wait`).
 */
export const workerAsleepInHook = (server: Tid, hookFrom: Task['hookFrom'] = 'wait', over?: TaskPatch): TaskPatch => merge({
  reg: 'worker',
  pc: 'update_worker:schedule',
  hookFrom,
  callDone: hookFrom === 'call',
  kstate: 'interruptible',
  word: { state: 'IDLE', locked: false, serverTid: server, nextTid: 0 },
}, over);

/**
 * A registered worker asleep in a blocking non-UMCG syscall (after block
 * detection) whose completion has not come yet (`callDone` false).
 */
export const workerInBlockingCall = (server: Tid, over?: TaskPatch): TaskPatch => merge({
  reg: 'worker',
  pc: 'sleep',
  hookFrom: 'call',
  callDone: false,
  kstate: 'interruptible',
  word: { state: 'BLOCKED', locked: false, serverTid: server, nextTid: 0 },
}, over);

export function taskOf(s: State, tid: Tid): Task {
  const t = s.tasks[tid - 1];
  if (t === undefined) throw new RangeError(`no task ${tid}`);
  return t;
}

// ---------------------------------------------------------------------------
// Taking steps

type Cfg = Pick<ModelConfig, 'yield' | 'locks'>;

/** Take an action that must be enabled; the input must be left untouched. */
export function act(s: State, action: Action, cfg?: Cfg): Step {
  expect(enabled(s, action, cfg), `expected ${JSON.stringify(action)} to be enabled`).toBe(true);
  const before = stateKey(s);
  const step = apply(s, action, cfg);
  expect(stateKey(s), 'apply must not change its input').toBe(before);
  if (step.next !== s) expect(Object.isFrozen(step.next), 'the next state is frozen (immer auto-freeze)').toBe(true);
  return step;
}

/** The code step of `tid`, which must be enabled. */
export const step = (s: State, tid: Tid, cfg?: Cfg): Step => act(s, { kind: 'step', tid }, cfg);

/** Code steps of the given tasks in order; returns every Step taken. */
export function steps(s: State, tids: readonly Tid[], cfg?: Cfg): Step[] {
  const out: Step[] = [];
  let cur = s;
  for (const tid of tids) {
    const st = step(cur, tid, cfg);
    out.push(st);
    cur = st.next;
  }
  return out;
}

/** The last state of a list of steps. */
export function last(ss: readonly Step[]): State {
  const st = ss[ss.length - 1];
  if (st === undefined) throw new Error('no steps');
  return st.next;
}

/** Keep stepping `tid` while its code step is enabled and `until` is false (at most `max` steps). */
export function stepWhile(s: State, tid: Tid, until: (s: State) => boolean, max = 50): Step[] {
  const out: Step[] = [];
  let cur = s;
  while (!until(cur)) {
    if (out.length >= max) throw new Error(`stepWhile: ${max} steps without reaching the goal`);
    const st = step(cur, tid);
    out.push(st);
    cur = st.next;
  }
  return out;
}

export function expectDisabled(s: State, action: Action, cfg?: Cfg): void {
  expect(enabled(s, action, cfg), `expected ${JSON.stringify(action)} to be disabled`).toBe(false);
  expect(() => apply(s, action, cfg)).toThrow(/not enabled/);
}

/** Two states are equal (as exact keys) except where the test says otherwise. */
export function expectSameState(a: State, b: State): void {
  expect(stateKey(a)).toBe(stateKey(b));
  expect(a).toEqual(b);
}

// ---------------------------------------------------------------------------
// Invariants

/** A witness naming exactly these tasks (in any order) and, when given, this list. */
export function expectWitness(w: Witness | null, tasks: readonly Tid[], list?: Witness['list']): void {
  expect(w, 'expected the invariant to fail').not.toBeNull();
  if (w === null) return;
  expect([...w.tasks].sort((a, b) => a - b)).toEqual([...tasks].sort((a, b) => a - b));
  expect(w.list).toBe(list);
  expect(w.message.length).toBeGreaterThan(0);
}

// ---------------------------------------------------------------------------
// Exploration without the explorer (exact states, for cross-checks)

export function config(servers: number, workers: number, extra: Partial<Omit<ModelConfig, 'servers' | 'workers'>> = {}): ModelConfig {
  return { ...DEFAULT_MODEL_CONFIG, servers, workers, ...extra };
}

export function exploreOptions(
  servers: number,
  workers: number,
  extra: Partial<Omit<ExploreOptions, 'servers' | 'workers'>> = {},
): ExploreOptions {
  return {
    ...config(servers, workers),
    progressBound: DEFAULT_PROGRESS_BOUND,
    maxStates: 1_000_000,
    stopAtFirst: false,
    ...extra,
  };
}

export interface Graph {
  /** Reachable states in breadth-first order, deduplicated by exact key. */
  readonly states: readonly State[];
  /** Shortest number of steps from the initial state, per state. */
  readonly depth: readonly number[];
  /** Every explored edge. */
  readonly edges: readonly { readonly from: number; readonly step: Step; readonly to: number }[];
}

/**
 * Breadth-first search over exact states (no symmetry reduction), an
 * independent reference for the explorer. States for which `stop` holds are
 * kept but not expanded. Past `limit` states it throws, or with `truncate`
 * returns the breadth-first prefix found so far.
 */
export function reachable(
  cfg: ModelConfig,
  opts: { readonly limit?: number; readonly truncate?: boolean; readonly stop?: (s: State) => boolean } = {},
): Graph {
  const limit = opts.limit ?? 100_000;
  const s0 = initialState(cfg);
  const states: State[] = [s0];
  const depth: number[] = [0];
  const edges: { from: number; step: Step; to: number }[] = [];
  const index = new Map<string, number>([[stateKey(s0), 0]]);
  for (let i = 0; i < states.length; i++) {
    const s = states[i]!;
    if (opts.stop?.(s) === true) continue;
    for (const st of successors(s, cfg)) {
      const k = stateKey(st.next);
      let to = index.get(k);
      if (to === undefined) {
        if (states.length >= limit) {
          if (opts.truncate === true) return { states, depth, edges };
          throw new Error(`reachable: more than ${limit} states`);
        }
        to = states.length;
        index.set(k, to);
        states.push(st.next);
        depth.push(depth[i]! + 1);
      }
      edges.push({ from: i, step: st, to });
    }
  }
  return { states, depth, edges };
}

/** No step of program or kernel code is enabled (only workload or environment can move). */
export function isQuiescent(s: State, cfg: ModelConfig): boolean {
  return successors(s, cfg).every((st) => causeOf(st.action) !== 'code');
}

/**
 * Rename TIDs everywhere (tasks, state words, `other`, `seen`, lists, killedBy) by a
 * permutation that maps servers to servers and workers to workers.
 */
export function rename(s: State, perm: (tid: Tid) => Tid): State {
  const map = (tid: Tid): Tid => (tid === 0 ? 0 : perm(tid));
  const tasks = new Array<Task>(s.tasks.length);
  for (const t of s.tasks) {
    const tid = map(t.tid);
    tasks[tid - 1] = {
      ...t,
      tid,
      other: map(t.other),
      seen: map(t.seen),
      word: { ...t.word, serverTid: map(t.word.serverTid), nextTid: map(t.word.nextTid) },
    };
  }
  return freeze(
    {
      ...s,
      tasks,
      killedBy: map(s.killedBy),
      idleWorkers: s.idleWorkers.map((n) => ({ ...n, tid: map(n.tid) })),
      idleServers: s.idleServers.map((n) => ({ ...n, tid: map(n.tid) })),
    },
    true,
  );
}

/** The permutation that swaps `a` and `b`. */
export const swap =
  (a: Tid, b: Tid) =>
  (t: Tid): Tid =>
    t === a ? b : t === b ? a : t;

/** Apply a trace's actions from `s`, each of which must be enabled; returns the final state. */
export function replay(s: State, actions: readonly Action[], cfg?: Cfg): State {
  let cur = s;
  for (const a of actions) cur = act(cur, a, cfg).next;
  return cur;
}
