/**
 * The step-system interface every exploration strategy runs over, and the
 * one place that says what a run checks.
 *
 * A step system is a state machine whose nondeterminism is spelled out: in
 * each state it lists the enabled choices (run one step of task T, or one
 * workload or environment event), and `step` takes one. The abstract model
 * (engine/model-system.ts) is one; the detailed implementation in impl/ will
 * be another. Strategies (random, PCT, preemption-bounded DFS, BFS), the
 * shrinker, replay tokens, the timeline and coverage only see this interface,
 * so they run unchanged on both.
 *
 * States are values: `step` never mutates its input, so a strategy may keep
 * old states (DFS, BFS) and a run is reproduced by replaying its choices.
 */

/** Who causes a choice. Only `code` runs once workload and environment go quiet. */
export type Cause = 'code' | 'workload' | 'environment';

/** A violated property: its registry ID and the witness sentence. */
export interface Violation {
  /** Registry ID, e.g. `INV-LIST-NO-DUPLICATE` or `LIVE-BOUNDED-PROGRESS`. */
  readonly invariant: string;
  /** What broke, naming tasks (`W1 is on idle_workers twice`). */
  readonly message: string;
  /** Actor names of the tasks the witness involves. */
  readonly tasks: readonly string[];
}

/** One taken step, as the system reports it. */
export interface StepResult<S> {
  readonly next: S;
  /** Kernel routine or userspace label: `umcg_sll_push(idle_workers, self)`. */
  readonly label: string;
  /** The task the step belongs to: the timeline column (`S1`, `W1`). */
  readonly actor: string;
  /** Row of the v0.3 transition table (W0-W8, S0-S3), when the system knows it. */
  readonly row?: string;
  /** The address and value read or written (detailed implementation). */
  readonly detail?: string;
}

/** Which abstract points a run reached: named dimensions, each with its universe. */
export interface CoverageSpec<S, C> {
  /** Dimension name -> every point it could reach; `undefined` when the universe is not enumerable. */
  readonly universe: Readonly<Record<string, readonly string[] | undefined>>;
  /** Report the points of one step (`hit(dimension, point)`). */
  step(before: S, choice: C, step: StepResult<S>, hit: (dimension: string, point: string) => void): void;
  /** Report the points of one reached state. */
  state(s: S, hit: (dimension: string, point: string) => void): void;
}

/** A JSON-able configuration: what a replay token needs to rebuild the system. */
export type SystemConfig = Readonly<Record<string, string | number | boolean | readonly string[]>>;

export interface StepSystem<S, C> {
  /** The target name a replay token records (`model`, `impl`). */
  readonly name: string;
  /** Everything needed to rebuild this system with `buildSystem` (engine/targets.ts). */
  readonly config: SystemConfig;
  /** Task names in column order (servers, then workers). */
  readonly actors: readonly string[];
  /** K of LIVE-BOUNDED-PROGRESS: the longest allowed run of consecutive code steps. */
  readonly progressBound: number;
  /**
   * Whether LIVE-BOUNDED-PROGRESS is among the checks (default true; false
   * when `only` leaves it out). When it is not, a run of more than K code
   * steps ends the run without a violation (it is `stalled`), so a run
   * that spins still ends.
   */
  readonly checksProgress?: boolean;
  initial(): S;
  /** The enabled choices of `s`, in a fixed order (determinism depends on it). */
  choices(s: S): readonly C[];
  /** Take an enabled choice. Taking a disabled one is a caller bug and may throw. */
  step(s: S, c: C): StepResult<S>;
  /** The task a choice belongs to (before it is taken): its PCT priority, its timeline column. */
  actorOf(c: C): string;
  causeOf(c: C): Cause;
  /** An exact state key: equal keys iff equal states (DFS and BFS caches). */
  key(s: S): string;
  /**
   * Optional: a cheap hash of the state, equal for equal states (equal
   * keys) and very rarely equal for different ones. For uses where a
   * collision is harmless (PCT's revisit demotion: it only changes a
   * scheduling priority); never for a search's visited set. Absent: users
   * fall back to `key`.
   */
  fingerprint?(s: S): number;
  /** A short text, `[A-Za-z0-9]+`, that `decodeChoice` reads back. */
  encodeChoice(c: C): string;
  decodeChoice(text: string): C | undefined;
  /** Every applicable state invariant (well-formedness, safety, refinement). */
  checkState(s: S): Violation | null;
  /** Every applicable transition invariant, on one taken step. */
  checkStep(before: S, c: C, step: StepResult<S>): Violation | null;
  /** The at-quiescence liveness properties, on a state where no code choice is enabled. */
  quiescentCheck(s: S): Violation | null;
  /** The final state, one line per task and list, for counterexamples. */
  describeState(s: S): readonly string[];
  readonly coverage?: CoverageSpec<S, C>;
}

export const PROGRESS_ID = 'LIVE-BOUNDED-PROGRESS';

/**
 * Not an invariant of UMCG: the tool itself threw (a bug in the model, the
 * implementation simulation or the abstraction). `guardInternalErrors` turns
 * the exception into a violation of this ID, so the run that hit it is
 * shrunk and printed with a replay token like any other failure, instead of
 * a stack trace that loses the search.
 */
export const INTERNAL_ERROR_ID = 'INTERNAL-ERROR';

/**
 * `system` with every exception of `step` and of the checks turned into an
 * INTERNAL-ERROR violation of that step. A step that throws leaves the state
 * as it was (its label says what was thrown); its `checkStep` reports it.
 * `--only` does not select it away: nothing should throw.
 */
export function guardInternalErrors<S, C>(system: StepSystem<S, C>): StepSystem<S, C> {
  const thrown = new WeakMap<StepResult<S>, string>();
  const text = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  const violation = (where: string, message: string): Violation => ({
    invariant: INTERNAL_ERROR_ID,
    message: `${where} threw ${message} (a bug in umcg-verify, not a finding: please report it with the replay token)`,
    tasks: [],
  });
  const guard =
    <A extends unknown[]>(where: string, f: (...args: A) => Violation | null) =>
    (...args: A): Violation | null => {
      try {
        return f(...args);
      } catch (e) {
        return violation(where, text(e));
      }
    };
  const checkStep = guard('checking a step', (b: S, x: C, r: StepResult<S>) => system.checkStep(b, x, r));
  return {
    ...system,
    step(s, c) {
      try {
        return system.step(s, c);
      } catch (e) {
        const message = text(e);
        const r: StepResult<S> = { next: s, label: `internal error: ${message}`, actor: system.actorOf(c) };
        thrown.set(r, message);
        return r;
      }
    },
    checkStep(before, c, step) {
      const message = thrown.get(step);
      if (message !== undefined) return violation(`the step ${system.encodeChoice(c)}`, message);
      return checkStep(before, c, step);
    },
    checkState: guard('checking a state', (s: S) => system.checkState(s)),
    quiescentCheck: guard('checking a quiescent state', (s: S) => system.quiescentCheck(s)),
  };
}

/** Whether a check of ID `id` runs under `only` (every check runs when `only` is absent). */
export function selects(only: readonly string[] | undefined, id: string): boolean {
  return only === undefined || only.includes(id);
}

/** One step of a run, as recorded in traces, tokens and timelines. */
export interface TraceEntry<C> {
  /** 1-based. */
  readonly index: number;
  readonly choice: C;
  /** `encodeChoice(choice)`. */
  readonly text: string;
  readonly actor: string;
  readonly cause: Cause;
  readonly label: string;
  readonly row?: string;
  readonly detail?: string;
}

export interface RunResult<S, C> {
  readonly trace: readonly TraceEntry<C>[];
  readonly final: S;
  readonly violation: Violation | null;
}

/**
 * A run in progress: the current state, its enabled choices, the trace, and
 * the checks every strategy shares. After each step: the transition
 * invariants, the state invariants of the new state, LIVE-BOUNDED-PROGRESS
 * (more than K code steps in a row) and, when no code choice is enabled, the
 * at-quiescence liveness properties. A run stops at its first violation.
 */
export class Execution<S, C> {
  state: S;
  enabled: readonly C[];
  readonly trace: TraceEntry<C>[] = [];
  violation: Violation | null = null;
  /** Consecutive code steps at the end of the trace. */
  codeRun = 0;
  /** More than K code steps in a row while LIVE-BOUNDED-PROGRESS is not checked: the run ends, without a violation. */
  stalled = false;

  constructor(
    readonly system: StepSystem<S, C>,
    private readonly onStep?: (before: S, c: C, step: StepResult<S>) => void,
  ) {
    this.state = system.initial();
    this.enabled = system.choices(this.state);
    this.violation = system.checkState(this.state) ?? this.quiescence();
  }

  get done(): boolean {
    return this.violation !== null || this.stalled || this.enabled.length === 0;
  }

  /** Whether `c` is enabled now (by its encoded text, so decoded choices compare equal). */
  find(c: C): C | undefined {
    const text = this.system.encodeChoice(c);
    return this.enabled.find((e) => this.system.encodeChoice(e) === text);
  }

  /** Take an enabled choice and run every check; returns the violation, if any. */
  take(c: C): Violation | null {
    const sys = this.system;
    const before = this.state;
    const step = sys.step(before, c);
    const cause = sys.causeOf(c);
    this.trace.push({
      index: this.trace.length + 1,
      choice: c,
      text: sys.encodeChoice(c),
      actor: step.actor,
      cause,
      label: step.label,
      ...(step.row === undefined ? {} : { row: step.row }),
      ...(step.detail === undefined ? {} : { detail: step.detail }),
    });
    this.onStep?.(before, c, step);
    const after = afterStep(sys, before, c, step, this.codeRun);
    this.state = step.next;
    this.enabled = after.enabled;
    this.codeRun = after.codeRun;
    this.violation = after.violation;
    this.stalled = after.stalled;
    return this.violation;
  }

  /** True when no code choice is enabled. */
  quiet(): boolean {
    return isQuiet(this.system, this.enabled);
  }

  private quiescence(): Violation | null {
    return this.quiet() ? this.system.quiescentCheck(this.state) : null;
  }

  result(): RunResult<S, C> {
    return { trace: this.trace, final: this.state, violation: this.violation };
  }
}

/** No code choice among `enabled`: the state is quiescent once workload and environment stop. */
export function isQuiet<S, C>(system: StepSystem<S, C>, enabled: readonly C[]): boolean {
  for (const c of enabled) if (system.causeOf(c) === 'code') return false;
  return true;
}

/**
 * Every check after one step, in order: the transition invariants, the state
 * invariants of the new state, LIVE-BOUNDED-PROGRESS (more than K code steps
 * in a row: `codeRun` counts them before this step), then the at-quiescence
 * properties when no code choice is enabled. Also returns the new state's
 * enabled choices and code-run length, so callers compute them once.
 */
export function afterStep<S, C>(
  system: StepSystem<S, C>,
  before: S,
  c: C,
  step: StepResult<S>,
  codeRun: number,
): { readonly enabled: readonly C[]; readonly codeRun: number; readonly violation: Violation | null; readonly stalled: boolean } {
  const enabled = system.choices(step.next);
  const run = system.causeOf(c) === 'code' ? codeRun + 1 : 0;
  const k = system.progressBound;
  const progress = system.checksProgress !== false;
  const violation =
    system.checkStep(before, c, step) ??
    system.checkState(step.next) ??
    (run > k && progress ? { invariant: PROGRESS_ID, message: `${run} code steps in a row without reaching quiescence (bound ${k})`, tasks: [] } : null) ??
    (isQuiet(system, enabled) ? system.quiescentCheck(step.next) : null);
  return { enabled, codeRun: run, violation, stalled: violation === null && run > k };
}

/**
 * Replay a choice sequence. Strict (the default): every choice must be
 * enabled when its turn comes, else the sequence does not describe a run and
 * `error` says which step. Lenient (`skipDisabled`, for the shrinker): a
 * disabled choice is skipped. Either way the run stops at its first violation.
 */
export function execute<S, C>(
  system: StepSystem<S, C>,
  choices: readonly C[],
  opts: { readonly skipDisabled?: boolean } = {},
): RunResult<S, C> & { readonly error?: string } {
  const run = new Execution(system);
  for (let i = 0; i < choices.length && !run.done; i++) {
    const c = run.find(choices[i]!);
    if (c === undefined) {
      if (opts.skipDisabled === true) continue;
      return { ...run.result(), error: `step ${i + 1} (${system.encodeChoice(choices[i]!)}) is not enabled` };
    }
    run.take(c);
  }
  return run.result();
}

/** Number of context switches: adjacent steps of different actors. */
export function switches(trace: readonly { readonly actor: string }[]): number {
  let n = 0;
  for (let i = 1; i < trace.length; i++) if (trace[i]!.actor !== trace[i - 1]!.actor) n++;
  return n;
}
