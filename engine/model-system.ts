/**
 * The abstract v0.3 model as a step system: choices are the enabled model
 * actions (model/init.ts `candidateActions` filtered by `enabled`), a step is
 * `applyMutable`, and the checks are the registry's invariants that apply to
 * the profile (`appliesTo`), with the at-quiescence liveness properties on
 * quiescent states. LIVE-BOUNDED-PROGRESS is checked by every run
 * (engine/system.ts) with this system's `progressBound`.
 *
 * Like the explorer, a state whose list has a node linked twice is a dead
 * end: the abstract list cannot describe the corrupt memory that follows.
 */
import { stateKey } from '../model/canon.ts';
import { candidateActions, initialState } from '../model/init.ts';
import { applyMutable, causeOf, enabled, taskName, type Action, type ActionKind, type Step } from '../model/transitions.ts';
import { MODEL_VARIANTS, NO_FIXES, pcsOf, type ModelConfig, type ModelFixes, type Pc, type Profile, type Role, type State, type UmcgState } from '../model/types.ts';
import { appliesTo, type LivenessProperty, type StateInvariant, type TransitionInvariant, type Witness } from '../properties/invariant.ts';
import { DEFAULT_PROGRESS_BOUND, INVARIANTS } from '../properties/registry.ts';
import { formatState } from './format.ts';
import { PROGRESS_ID, selects, type CoverageSpec, type StepResult, type StepSystem, type SystemConfig, type Violation } from './system.ts';

export interface ModelSystemOptions extends ModelConfig {
  /** K of LIVE-BOUNDED-PROGRESS (default 256). */
  readonly progressBound?: number;
  /** Check only these invariant IDs (every applicable one when absent). */
  readonly only?: readonly string[];
}

export type ModelSystem = StepSystem<State, Action>;

/** Rows of the v0.3 transition tables (§4.6), plus the model's own step kinds. */
export const MODEL_ROWS: readonly string[] = ['W0', 'W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'W7', 'W8', 'S0', 'S1', 'S2', 'env', 'die'];

const SERVER_PCS: readonly Pc[] = pcsOf('server');
const WORKER_PCS: readonly Pc[] = pcsOf('worker');
/** Program counters with no code step of their own (model/transitions.ts NO_STEP). */
const NO_STEP: ReadonlySet<Pc> = new Set<Pc>(['wkr:user', 'dead', 'unregistered']);

const KIND_CODE: Readonly<Record<ActionKind, string>> = {
  step: 's',
  block: 'b',
  yield: 'y',
  lock: 'l',
  complete: 'c',
  signal: 'g',
  ttwu: 't',
  write: 'w',
  exit: 'x',
  unregister: 'u',
  ctl: '',
  wait: '',
};
const STATE_CODE: Readonly<Record<UmcgState, string>> = { NONE: 'N', RUNNING: 'R', IDLE: 'I', BLOCKED: 'B' };

export function makeModelSystem(opts: ModelSystemOptions): ModelSystem {
  const cfg: ModelConfig = {
    servers: opts.servers,
    workers: opts.workers,
    profile: opts.profile,
    yield: opts.yield,
    locks: opts.locks,
    envBudget: opts.envBudget,
    ...(opts.fixes === undefined ? {} : { fixes: opts.fixes }),
  };
  const progressBound = opts.progressBound ?? DEFAULT_PROGRESS_BOUND;
  const root = initialState(cfg);
  const actors = root.tasks.map((t) => taskName(root, t.tid));
  const actorOfTid = (tid: number): string => actors[tid - 1] ?? `T${tid}`;
  const checks = registryChecks(cfg.profile, opts.only, actorOfTid);

  // Choices are decoded against the candidate list, so a decoded choice is
  // the very object `choices` returns (the explorer's actions are shared).
  const allCandidates = [
    ...candidateActions(root, cfg),
    ...(cfg.profile === 'adversarial' && cfg.envBudget > 0 ? candidateActions({ ...root, envBudget: 0 }, cfg) : []),
  ];
  const byText = new Map<string, Action>();
  for (const a of allCandidates) {
    const text = encodeAction(a);
    if (!byText.has(text)) byText.set(text, a);
  }

  const config: SystemConfig = {
    variant: modelVariantName(cfg.fixes),
    servers: cfg.servers,
    workers: cfg.workers,
    profile: cfg.profile,
    yield: cfg.yield,
    locks: cfg.locks,
    envBudget: cfg.envBudget,
    progressBound,
    ...(opts.only === undefined ? {} : { only: [...opts.only] }),
  };

  return {
    name: 'model',
    config,
    actors,
    progressBound,
    checksProgress: selects(opts.only, PROGRESS_ID),
    initial: () => root,
    choices(s) {
      if (hasCorruptList(s)) return [];
      const out: Action[] = [];
      for (const a of candidateActions(s, cfg)) if (enabled(s, a, cfg)) out.push(a);
      return out;
    },
    step(s, a): StepResult<State> {
      const st = applyMutable(s, a, cfg);
      return { next: st.next, label: st.label, actor: actorOfTid(a.tid), row: st.row };
    },
    actorOf: (a) => actorOfTid(a.tid),
    causeOf,
    key: stateKey,
    encodeChoice: encodeAction,
    decodeChoice: (text) => byText.get(text),
    checkState: checks.state,
    checkStep: (before, a, step) => checks.step(before, { action: a, row: step.row ?? '', label: step.label, next: step.next }),
    quiescentCheck: checks.quiescent,
    describeState: formatState,
    coverage: modelCoverage(cfg, root),
  };
}

/** The name of a fix set (model/types.ts MODEL_VARIANTS); a set with no name is listed flag by flag. */
export function modelVariantName(fixes: ModelFixes | undefined): string {
  const f = fixes ?? NO_FIXES;
  const key = (x: ModelFixes): string => JSON.stringify([x.noHooksInWait, x.wakeHookAtCallExit, x.hookWaitUninterruptible, x.popRetryCurr]);
  for (const [name, set] of Object.entries(MODEL_VARIANTS)) if (key(set) === key(f)) return name;
  return `v0.3+${(Object.keys(f) as (keyof ModelFixes)[]).filter((k) => f[k]).join('+')}`;
}

/** The registry's checks on abstract model states, as a step system runs them. */
export interface RegistryChecks {
  /** Well-formedness and safety invariants. */
  state(s: State): Violation | null;
  /** Transition invariants on one model step. */
  step(before: State, step: Step): Violation | null;
  /** The at-quiescence liveness properties; none on a state with a corrupt list (a dead end). */
  quiescent(s: State): Violation | null;
  /** Whether any of the three has something to check (`--only` may select none of them). */
  readonly any: boolean;
  /** Whether `step` has something to check (a transition invariant is selected). */
  readonly steps: boolean;
}

/**
 * The registry's invariants that apply to `profile` (and are in `only`, when
 * given), grouped by kind; a witness's TIDs are named with `actorOfTid`.
 * Shared by the model adapter and the implementation adapter
 * (engine/impl-system.ts), which runs them on abstract states.
 */
export function registryChecks(profile: Profile, only: readonly string[] | undefined, actorOfTid: (tid: number) => string): RegistryChecks {
  const selected = INVARIANTS.filter((i) => appliesTo(i, profile) && selects(only, i.id));
  const stateInvs = selected.filter((i): i is StateInvariant => i.kind === 'well-formedness' || i.kind === 'safety');
  const edgeInvs = selected.filter((i): i is TransitionInvariant => i.kind === 'transition');
  const quiescence = selected.filter(
    (i): i is Extract<LivenessProperty, { form: 'at-quiescence' }> => i.kind === 'liveness' && i.form === 'at-quiescence',
  );
  const violation = (id: string, w: Witness): Violation => ({ invariant: id, message: w.message, tasks: w.tasks.map(actorOfTid) });
  return {
    any: selected.length > 0,
    steps: edgeInvs.length > 0,
    state(s) {
      for (const inv of stateInvs) {
        const w = inv.check(s);
        if (w !== null) return violation(inv.id, w);
      }
      return null;
    },
    step(before, step) {
      for (const inv of edgeInvs) {
        const w = inv.check(before, step);
        if (w !== null) return violation(inv.id, w);
      }
      return null;
    },
    quiescent(s) {
      if (hasCorruptList(s)) return null;
      for (const inv of quiescence) {
        const w = inv.check(s);
        if (w !== null) return violation(inv.id, w);
      }
      return null;
    },
  };
}

/** `s2` (step of TID 2), `b3` (block), `wI3` (environment writes IDLE to TID 3), `wRL3` (RUNNING|LOCKED), ... */
function encodeAction(a: Action): string {
  const code = KIND_CODE[a.kind];
  if (code === '') throw new Error(`direct ${a.kind} calls are not exploration choices`);
  return a.kind === 'write' ? `w${STATE_CODE[a.state]}${a.locked === true ? 'L' : ''}${a.tid}` : `${code}${a.tid}`;
}

/** A list has a node linked twice: the abstract list cannot describe what follows. */
export function hasCorruptList(s: State): boolean {
  return dup(s.idleWorkers) || dup(s.idleServers);
}

function dup(nodes: State['idleWorkers']): boolean {
  for (let i = 1; i < nodes.length; i++) for (let j = 0; j < i; j++) if (nodes[i]!.tid === nodes[j]!.tid) return true;
  return false;
}

/**
 * Coverage dimensions of the model: `row` (the transition-table rows),
 * `transition` (the code step at each program counter, and each workload and
 * environment kind, per role), `pc` (where each role's tasks have been) and
 * `pc/state` (program counter with the task's state word; reached points only,
 * most combinations are impossible).
 */
export function modelCoverage(cfg: ModelConfig, root: State): CoverageSpec<State, Action> {
  const roles: Role[] = [...(cfg.servers > 0 ? (['server'] as const) : []), ...(cfg.workers > 0 ? (['worker'] as const) : [])];
  const pcsOf = (r: Role): readonly Pc[] => (r === 'server' ? SERVER_PCS : WORKER_PCS);
  const kinds = (r: Role): string[] =>
    r === 'server'
      ? cfg.profile === 'adversarial'
        ? ['signal', 'ttwu', 'write', 'exit', 'unregister']
        : []
      : ['block', 'complete', ...(cfg.yield ? ['yield'] : []), ...(cfg.locks ? ['lock'] : []), ...(cfg.profile === 'adversarial' ? ['signal', 'ttwu', 'write', 'exit', 'unregister'] : [])];
  const transitions = roles.flatMap((r) => [
    ...pcsOf(r).filter((pc) => !NO_STEP.has(pc)).map((pc) => `${r} step@${pc}`),
    ...kinds(r).map((k) => `${r} ${k}`),
  ]);
  const roleOf = (tid: number): Role => root.tasks[tid - 1]!.role;
  return {
    universe: {
      row: MODEL_ROWS,
      transition: transitions,
      pc: roles.flatMap((r) => pcsOf(r).map((pc) => `${r} ${pc}`)),
      'pc/state': undefined,
    },
    step(before, a, step, hit) {
      hit('row', step.row ?? '?');
      const r = roleOf(a.tid);
      hit('transition', a.kind === 'step' ? `${r} step@${before.tasks[a.tid - 1]!.pc}` : `${r} ${a.kind}`);
    },
    state(s, hit) {
      for (const t of s.tasks) {
        hit('pc', `${t.role} ${t.pc}`);
        hit('pc/state', `${t.role} ${t.pc} ${t.word.state}${t.word.locked ? '|LOCKED' : ''}`);
      }
    },
  };
}

/** The profiles a model system can be built for. */
export const PROFILES: readonly Profile[] = ['contract', 'adversarial'];
