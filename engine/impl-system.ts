/**
 * The detailed implementation (impl/) as a step system: choices are
 * `implChoices`, a step is `implStep`, and the checks run on the abstract
 * state `abstractState(s)` (impl/abstraction.ts):
 *
 * - REFINEMENT: every step leaves the abstract state unchanged or takes
 *   exactly one enabled model transition (`checkAbstractStep`); a state with
 *   no abstract state fails it too. Under `tso` the abstract state is
 *   `abstractStateTso`: memory without the store buffers, and each task
 *   whose stores are still buffered rolled back to just before the oldest
 *   one (a history kept per state, `StoreHistory`). A buffered store is
 *   then a stutter, and a drain may take a run of model steps of the
 *   CPU's current task: the store's, and the steps it took after it
 *   (`matchAbstractRun`, impl/abstraction.ts).
 * - the registry's state invariants on `abstractState(s)`, its transition
 *   invariants on the model transition a step refines (a stutter is no
 *   transition), and the at-quiescence liveness properties, all filtered by
 *   profile exactly as the model adapter filters them (`registryChecks`).
 *
 * - INV-NO-SLEEP-IN-ATOMIC (an implementation-level check, not a registry
 *   invariant: the abstract state has no preempt count): a step must not
 *   run fix_pagefault() (mmap_read_lock, may sleep) with preemption
 *   disabled, i.e. set the kernel's WARN_SLEEP_IN_ATOMIC (spec §6.2
 *   B-SLEEP-ATOMIC). Checked first on every step, under every profile and
 *   memory model, and filtered by `only` like REFINEMENT.
 * - INV-NO-SPIN-IN-ATOMIC (implementation-level, like the previous one): a
 *   task with preemption disabled takes at most {@link spinInAtomicBound}
 *   = 2 * nr_cpu_ids kernel retry-loop iterations before it enables
 *   preemption again. An iteration is one more round of a kernel retry
 *   loop (umcg_sll_push's CAS retry, umcg_sll_pop's walk, the retry after
 *   a fault fix-up, B-WAKE-SPIN's ttwu retry), counted in `KTask.spins`
 *   (impl/kernel.ts `retry`), which is reset when preemption is enabled.
 *   The bound is the largest one v0.3 itself puts on a kernel loop
 *   (max_tries = nr_cpu_ids * 2 of umcg_sll_push/pop, spec §5.1-5.2): a
 *   loop that stays within v0.3's own bounds never exceeds it, and a run
 *   that exceeds it is a concrete witness of a loop in atomic context whose
 *   length the kernel does not bound (it depends on another task, as in
 *   spec §8.1 B-WAKE-SPIN: a soft lockup when that task cannot run). It is
 *   reported on the step that takes the count past the bound, checked
 *   under every profile and memory model, selected by `only`.
 *
 * Actors: the tasks (`S1`.., `W1`..), and under TSO one actor per CPU
 * (`cpu0`, ...) for its store-buffer drains, so PCT gives drains a priority
 * of their own and the timeline a column. A context switch belongs to the
 * task switched to. Page events (adversarial) belong to the actor `env`.
 *
 * Causes (only `code` runs once workload and environment go quiet, as in
 * the model adapter): running a task and draining a store are code; a
 * worker's block, yield and lock are workload; a completed blocking call and
 * every adversarial event are environment. A context switch's cause depends
 * on the state, so each choice carries it: switching to a task that has
 * code to run onto a CPU whose current task has none (or an idle CPU) is
 * code; switching away from a task that has code to run is a preemption, a
 * timer interrupt, and counts as environment; switching to a task with no
 * code (a worker in userspace) is workload. The quiet phase therefore never
 * preempts: a task spinning on a userspace lock whose holder was preempted
 * on the same CPU shows as LIVE-BOUNDED-PROGRESS.
 */
import {
  abstractState,
  abstractStateTso,
  AbstractionError,
  checkAbstractStep,
  isEnvOnlyStep,
  matchAbstractRun,
  matchAbstractStep,
  modelConfigOf,
  nextStoreHistory,
  storeHistoryKey,
  NO_BUFFERED_STORES,
  type StoreHistory,
} from '../impl/abstraction.ts';
import type { Access } from '../impl/exec.ts';
import { implFingerprint } from '../impl/fingerprint.ts';
import { implChoices, implStep, isCurrent, type Choice } from '../impl/machine.ts';
import { pendingStores, type PageStatus } from '../impl/memory.ts';
import { noCode } from '../impl/runtime.ts';
import { implInit, implKey, V03, WARN_SLEEP_IN_ATOMIC, type ImplConfig, type ImplState, type KTask, type Variant } from '../impl/state.ts';
import { stateKey } from '../model/canon.ts';
import { fixesOf } from '../model/transitions.ts';
import type { Profile, State } from '../model/types.ts';
import { formatState } from './format.ts';
import { hasCorruptList, modelCoverage, registryChecks } from './model-system.ts';
import { PROGRESS_ID, selects, type Cause, type CoverageSpec, type StepResult, type StepSystem, type SystemConfig, type Violation } from './system.ts';

export const REFINEMENT_ID = 'REFINEMENT';
/** The implementation-level check that no step sleeps in atomic context (see the header). */
export const SLEEP_IN_ATOMIC_ID = 'INV-NO-SLEEP-IN-ATOMIC';
/** The implementation-level check that no task spins in atomic context beyond v0.3's bounds (see the header). */
export const SPIN_IN_ATOMIC_ID = 'INV-NO-SPIN-IN-ATOMIC';

/** The implementation-level checks (not registry invariants) that `only` may name. */
export const IMPL_CHECK_IDS: readonly string[] = [REFINEMENT_ID, SLEEP_IN_ATOMIC_ID, SPIN_IN_ATOMIC_ID];

/** One line for a check's header: what the implementation's runs check, under this memory model and `--only`. */
export function describeImplChecks(memory: 'sc' | 'tso', only: readonly string[] | undefined): string {
  const what = only === undefined ? 'every check' : `only ${only.join(', ')}`;
  if (!selects(only, REFINEMENT_ID)) return `${what}; ${REFINEMENT_ID} not selected`;
  return memory === 'sc'
    ? `${what}: every step checked for refinement of the model (${REFINEMENT_ID}) and the invariants on its abstract state`
    : `${what}: every step checked for refinement of the model (${REFINEMENT_ID}; the abstract state is memory without the store buffers, each storing task rolled back to before its oldest buffered store) and the invariants on it`;
}

/** INV-NO-SPIN-IN-ATOMIC's bound: v0.3's max_tries, nr_cpu_ids * 2 (spec §5.1). */
export function spinInAtomicBound(cpus: number): number {
  return 2 * cpus;
}

/**
 * K of LIVE-BOUNDED-PROGRESS for the implementation. An implementation step
 * is one shared access, so a model step is several of them (plus context
 * switches): the model's K = 256 scaled by 8.
 */
export const IMPL_PROGRESS_BOUND = 2048;

/** The longest run of model steps one drain may commit under TSO (the store's step and those after it). */
const TSO_MAX_RUN = 8;

export interface ImplSystemOptions {
  readonly servers: number;
  readonly workers: number;
  /** Default 2. */
  readonly cpus?: number;
  readonly memory: 'sc' | 'tso';
  readonly profile: Profile;
  readonly yield: boolean;
  readonly locks: boolean;
  readonly envBudget: number;
  /** K of LIVE-BOUNDED-PROGRESS (default {@link IMPL_PROGRESS_BOUND}). */
  readonly progressBound?: number;
  /** Check only these invariant IDs (REFINEMENT among them; every applicable one when absent). */
  readonly only?: readonly string[];
  /** The code simulated (impl/state.ts GALLERY; default v0.3). */
  readonly variant?: Variant;
}

/** An implementation choice with the actor and cause it has in the state that offered it. */
export interface ImplChoice {
  readonly c: Choice;
  readonly actor: string;
  readonly cause: Cause;
}

export type ImplSystem = StepSystem<ImplState, ImplChoice>;

type Abstract = { readonly state: State; key?: string } | { readonly error: string };

const PAGE_CODE: Readonly<Record<PageStatus, string>> = { present: 'P', notPresent: 'N', unmapped: 'U' };

export function makeImplSystem(opts: ImplSystemOptions): ImplSystem {
  const cfg: ImplConfig = {
    servers: opts.servers,
    workers: opts.workers,
    cpus: opts.cpus ?? 2,
    memoryModel: opts.memory,
    profile: opts.profile,
    yield: opts.yield,
    locks: opts.locks,
    envBudget: opts.envBudget,
    variant: opts.variant ?? V03,
  };
  // The model this variant refines: FIXED's kernel fixes are model fixes too.
  const mcfg = modelConfigOf(cfg);
  const fixes = fixesOf(mcfg);
  const sc = cfg.memoryModel === 'sc';
  const progressBound = opts.progressBound ?? IMPL_PROGRESS_BOUND;
  const refinement = selects(opts.only, REFINEMENT_ID);
  const sleepInAtomic = selects(opts.only, SLEEP_IN_ATOMIC_ID);
  const spinInAtomic = selects(opts.only, SPIN_IN_ATOMIC_ID);
  const spinBound = spinInAtomicBound(cfg.cpus);
  const root = implInit(cfg);
  const names = root.tasks.map((t) => (t.role === 'server' ? `S${t.tid}` : `W${t.tid - cfg.servers}`));
  const cpuNames = Array.from({ length: cfg.cpus }, (_, i) => `cpu${i}`);
  const actors = sc ? names : [...names, ...cpuNames];
  const actorOfTid = (tid: number): string => names[tid - 1] ?? `T${tid}`;
  const checks = registryChecks(cfg.profile, opts.only, actorOfTid);
  // REFINEMENT or a registry invariant: the checks that need the abstract state.
  const modelLevel = refinement || checks.any;

  // The abstract state of each implementation state, computed once: a step's
  // `after` is the next step's `before` and the state checks' subject.
  const cache = new WeakMap<ImplState, Abstract>();
  // Under TSO: each state's store history, recorded as `step` makes states.
  const histories = new WeakMap<ImplState, StoreHistory>();
  const historyOf = (s: ImplState): StoreHistory => {
    const h = histories.get(s);
    if (h !== undefined) return h;
    if (s.cpus.every((_, c) => pendingStores(s.mem, c).length === 0)) return NO_BUFFERED_STORES;
    throw new AbstractionError('a state with buffered stores that no step of this system made (no store history)');
  };
  const abs = (s: ImplState): Abstract => {
    let a = cache.get(s);
    if (a === undefined) {
      try {
        a = { state: sc ? abstractState(s, fixes) : abstractStateTso(s, historyOf(s), fixes) };
      } catch (e) {
        if (!(e instanceof AbstractionError)) throw e;
        a = { error: e.message };
      }
      cache.set(s, a);
    }
    return a;
  };
  const keyOf = (a: { readonly state: State; key?: string }): string => (a.key ??= stateKey(a.state));
  const refinementFailure = (message: string, actor: string): Violation | null =>
    refinement ? { invariant: REFINEMENT_ID, message, tasks: actor === '' ? [] : [actor] } : null;

  const actorOf = (s: ImplState, c: Choice): string => {
    switch (c.kind) {
      case 'drain':
        return cpuNames[c.cpu] ?? `cpu${c.cpu}`;
      case 'page':
        return 'env';
      default:
        return actorOfTid(c.tid);
    }
  };
  const causeOf = (s: ImplState, c: Choice): Cause => {
    switch (c.kind) {
      case 'run':
      case 'drain':
        return 'code';
      case 'block':
      case 'yield':
      case 'lock':
        return 'workload';
      case 'switch': {
        if (!hasCode(s.tasks[c.tid - 1]!)) return 'workload';
        const cur = s.cpus[c.cpu] ?? 0;
        const curTask = cur === 0 ? undefined : s.tasks[cur - 1];
        return curTask !== undefined && isCurrent(s, curTask) && hasCode(curTask) ? 'environment' : 'code';
      }
      default:
        return 'environment';
    }
  };

  const config: SystemConfig = {
    variant: cfg.variant.name,
    servers: cfg.servers,
    workers: cfg.workers,
    cpus: cfg.cpus,
    memory: cfg.memoryModel,
    profile: cfg.profile,
    yield: cfg.yield,
    locks: cfg.locks,
    envBudget: cfg.envBudget,
    progressBound,
    ...(opts.only === undefined ? {} : { only: [...opts.only] }),
  };

  /**
   * Coverage in the model's terms: the model's rows, transitions and
   * program counters, read off the abstract states; an implementation step
   * counts as the model transition it refines (stutters count as none).
   */
  const implCoverage = (): CoverageSpec<ImplState, ImplChoice> => {
    const model = modelCoverage(mcfg, abstractState(root, fixes));
    return {
      universe: model.universe,
      step(before, _ic, step, hit) {
        const a0 = abs(before);
        const a1 = abs(step.next);
        if ('error' in a0 || 'error' in a1 || keyOf(a0) === keyOf(a1) || hasCorruptList(a0.state)) return;
        const m = matchAbstractStep(a0.state, keyOf(a1), mcfg);
        if (m !== null) model.step(a0.state, m.action, { next: m.next, label: m.label, actor: '', row: m.row }, hit);
      },
      state(s, hit) {
        const a = abs(s);
        if (!('error' in a)) model.state(a.state, hit);
      },
    };
  };

  return {
    name: 'impl',
    config,
    actors,
    progressBound,
    checksProgress: selects(opts.only, PROGRESS_ID),
    initial: () => root,
    choices(s) {
      return implChoices(s, cfg).map((c) => ({ c, actor: actorOf(s, c), cause: causeOf(s, c) }));
    },
    step(s, ic): StepResult<ImplState> {
      const r = implStep(s, ic.c, cfg);
      if (!sc) histories.set(r.state, nextStoreHistory(historyOf(s), s, r.state));
      const detail = describeAccess(r.access);
      return { next: r.state, label: r.label, actor: ic.actor, ...(detail === undefined ? {} : { detail }) };
    },
    actorOf: (ic) => ic.actor,
    coverage: implCoverage(),
    causeOf: (ic) => ic.cause,
    // Under TSO the refinement mapping has a history variable beside the
    // state (the task snapshots of the buffered stores): it is part of the
    // key, so a search never merges two states whose abstract states differ.
    key: sc ? implKey : (s) => `${implKey(s)}${storeHistoryKey(historyOf(s))}`,
    // The key's fields hashed without building the string (impl/fingerprint.ts):
    // PCT's revisit demotion compares one per step.
    fingerprint: sc ? (s) => implFingerprint(s) : (s) => implFingerprint(s, storeHistoryKey(historyOf(s))),
    encodeChoice: (ic) => encodeChoice(ic.c),
    // The cause and actor of a decoded choice are placeholders: a run
    // replays the enabled choice with the same text (Execution.find).
    decodeChoice(text) {
      const c = decodeChoice(text);
      return c === undefined ? undefined : { c, actor: actorOf(root, c), cause: 'code' };
    },
    checkState(s) {
      if (!modelLevel) return null;
      const a = abs(s);
      if ('error' in a) return refinementFailure(`no abstract state: ${a.error}`, '');
      return checks.state(a.state);
    },
    checkStep(before, ic, step) {
      if (sleepInAtomic && (step.next.warn & WARN_SLEEP_IN_ATOMIC) !== 0 && (before.warn & WARN_SLEEP_IN_ATOMIC) === 0) {
        return {
          invariant: SLEEP_IN_ATOMIC_ID,
          message: `${step.label}: fix_pagefault() (mmap_read_lock, may sleep) with preemption disabled`,
          tasks: step.actor === '' ? [] : [step.actor],
        };
      }
      if (spinInAtomic) {
        for (const t of step.next.tasks) {
          if (t.spins > spinBound && before.tasks[t.tid - 1]!.spins <= spinBound) {
            return {
              invariant: SPIN_IN_ATOMIC_ID,
              message: `${step.label}: ${t.spins} kernel retry-loop iterations with preemption disabled (bound ${spinBound} = 2 * nr_cpu_ids)`,
              tasks: [actorOfTid(t.tid)],
            };
          }
        }
      }
      // Nothing below is selected (`--only` names implementation-level
      // checks or state invariants only): matching the step against the
      // model would cost most of the step.
      if (!refinement && !checks.steps) return null;
      const a0 = abs(before);
      const a1 = abs(step.next);
      if ('error' in a0 || 'error' in a1) {
        const why = 'error' in a0 ? a0.error : (a1 as { error: string }).error;
        return refinementFailure(`${step.label}: no abstract state: ${why}`, step.actor);
      }
      const k1 = keyOf(a1);
      if (keyOf(a0) === k1) return null; // a stutter: no model transition
      if (isEnvOnlyStep(a0.state, a1.state)) return null; // a page event: the model has no pages
      // A list with a node linked twice (F1, or memory the adversarial
      // environment corrupted): the abstract list cannot describe what
      // follows, so, as the explorer does not expand such a state, the model
      // has nothing to match the step against. The state invariants still
      // run on it (INV-LIST-NO-DUPLICATE says what happened).
      if (hasCorruptList(a0.state)) return null;
      // The model step found is the one the transition invariants check.
      const m = matchAbstractStep(a0.state, k1, mcfg);
      if (m === null && !sc && ic.c.kind === 'drain') {
        // The drain commits the store and what its task did after it.
        const run = matchAbstractRun(a0.state, k1, mcfg, before.cpus[ic.c.cpu] ?? 0, TSO_MAX_RUN);
        if (run !== null) {
          let from = a0.state;
          for (const st of run) {
            const v = checks.step(from, st);
            if (v !== null) return v;
            from = st.next;
          }
          return null;
        }
      }
      if (m === null) {
        const v = checkAbstractStep(a0.state, a1.state, mcfg);
        return refinementFailure(`${step.label}: ${v.ok ? 'unexpected stutter' : v.reason}`, step.actor);
      }
      return checks.step(a0.state, m);
    },
    quiescentCheck(s) {
      if (!modelLevel) return null;
      const a = abs(s);
      return 'error' in a ? null : checks.quiescent(a.state);
    },
    describeState(s) {
      const a = abs(s);
      const lines = 'error' in a ? [`(no abstract state: ${a.error})`] : ['abstract:', ...formatState(a.state).map((l) => `  ${l}`)];
      lines.push('implementation:');
      for (const t of s.tasks) {
        const stack = t.stack.map((f) => `${f.fn}:${f.pc}`).join(' > ');
        lines.push(`  ${actorOfTid(t.tid)} cpu${t.cpu}${isCurrent(s, t) ? ' (current)' : t.onRq ? ' (queued)' : ''} ${t.ks}${t.end === 'none' ? '' : ` ${t.end}`} ${stack}`);
      }
      if (!sc) {
        for (let c = 0; c < cfg.cpus; c++) {
          const pending = pendingStores(s.mem, c);
          if (pending.length > 0) lines.push(`  cpu${c} store buffer: ${pending.map(([addr, v]) => `0x${addr.toString(16)}:=${v}`).join(', ')}`);
        }
      }
      return lines;
    },
  };
}

function hasCode(t: KTask): boolean {
  const f = t.stack[t.stack.length - 1];
  return f !== undefined && t.end === 'none' && !noCode(f);
}

/** `load 0x10000 = 1`: the address and value of a memory access, when the step reports them. */
function describeAccess(a: Access | undefined): string | undefined {
  if (a?.addr === undefined) return undefined;
  return `${a.kind} 0x${a.addr.toString(16)}${a.value === undefined ? '' : ` = ${a.value}`}`;
}

/**
 * `r3` run T3, `s0t3` switch cpu0 to T3, `d1` drain cpu1, `b`/`y`/`l` block,
 * yield, lock, `c`/`g`/`t`/`x`/`u` complete, signal, ttwu, exit, unregister,
 * `w101t3` write 0x101 to T3's state, `p20000N` page 0x20000 becomes
 * notPresent (`P` present, `U` unmapped).
 */
export function encodeChoice(c: Choice): string {
  switch (c.kind) {
    case 'run':
      return `r${c.tid}`;
    case 'switch':
      return `s${c.cpu}t${c.tid}`;
    case 'drain':
      return `d${c.cpu}`;
    case 'write':
      return `w${c.value.toString(16)}t${c.tid}`;
    case 'page':
      return `p${c.addr.toString(16)}${PAGE_CODE[c.status]}`;
    default:
      return `${TID_CODE[c.kind]}${c.tid}`;
  }
}

const TID_CODE = { block: 'b', yield: 'y', lock: 'l', complete: 'c', signal: 'g', ttwu: 't', exit: 'x', unregister: 'u' } as const;
type TidKind = keyof typeof TID_CODE;
const KIND_OF_CODE: ReadonlyMap<string, TidKind> = new Map(Object.entries(TID_CODE).map(([k, v]) => [v, k as TidKind]));

export function decodeChoice(text: string): Choice | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^r(\d+)$/.exec(text)) !== null) return { kind: 'run', tid: Number(m[1]) };
  if ((m = /^s(\d+)t(\d+)$/.exec(text)) !== null) return { kind: 'switch', cpu: Number(m[1]), tid: Number(m[2]) };
  if ((m = /^d(\d+)$/.exec(text)) !== null) return { kind: 'drain', cpu: Number(m[1]) };
  if ((m = /^w([0-9a-f]+)t(\d+)$/.exec(text)) !== null) return { kind: 'write', tid: Number(m[2]), value: parseInt(m[1]!, 16) };
  if ((m = /^p([0-9a-f]+)([PNU])$/.exec(text)) !== null) {
    const status = (['present', 'notPresent', 'unmapped'] as const).find((st) => PAGE_CODE[st] === m![2]);
    return status === undefined ? undefined : { kind: 'page', addr: parseInt(m[1]!, 16), status };
  }
  if ((m = /^([bylcgtxu])(\d+)$/.exec(text)) !== null) {
    const kind = KIND_OF_CODE.get(m[1]!);
    return kind === undefined ? undefined : { kind, tid: Number(m[2]) };
  }
  return undefined;
}
