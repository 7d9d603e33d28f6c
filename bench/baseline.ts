/**
 * The baseline a user would write with fast-check alone, to compare the
 * engine's strategies against: model-based testing with `fc.commands`,
 * where the only command is "take one enabled choice, picked uniformly"
 * (an unbiased index into the enabled choices), run by `fc.modelRun`.
 * No PCT priorities, no state caching, fast-check's own runs, seeds and
 * shrinker.
 *
 * What it shares with the engine is the system under test and its checks:
 * each command takes its choice through the same `Execution` the
 * strategies use (every transition and state invariant after every step).
 * After the commands the property lets the code run to quiescence under the
 * engine's fair round-robin (`quietPhase`), because the at-quiescence
 * liveness properties (LIVE-NO-LOST-WAKEUP) can only be judged there; any
 * test of such a property needs that step.
 *
 * The property fails only on the invariant asked for: a run that stops at
 * another violation counts as a run that did not find the bug, so "runs to
 * detection" means the same thing for every strategy.
 */
import fc from 'fast-check';
import { quietPhase } from '../engine/strategies/run.ts';
import { Execution, type StepSystem, type Violation } from '../engine/system.ts';

type Sys = StepSystem<unknown, unknown>;

/** fast-check's model: the run in progress. The real system is the same run, so `Real` is empty. */
interface Model {
  readonly run: Execution<unknown, unknown>;
}
type Real = Record<string, never>;

/** A violation of the wanted invariant, thrown to fail the property. */
class Detected extends Error {
  constructor(readonly violation: Violation) {
    super(`${violation.invariant}: ${violation.message}`);
  }
}

/** Take the enabled choice at `pick` modulo the number of enabled choices. */
class UniformStep implements fc.Command<Model, Real> {
  constructor(
    readonly pick: number,
    private readonly wanted: string | undefined,
  ) {}
  check(m: Readonly<Model>): boolean {
    return !m.run.done;
  }
  run(m: Model): void {
    const enabled = m.run.enabled;
    const v = m.run.take(enabled[this.pick % enabled.length]!);
    if (v !== null && (this.wanted === undefined || v.invariant === this.wanted)) throw new Detected(v);
  }
  toString(): string {
    return `step(${this.pick})`;
  }
}

export interface BaselineOptions {
  readonly seed: number;
  /** fast-check's numRuns: give up after this many runs. */
  readonly maxRuns: number;
  /** fc.commands' maxCommands: scheduled steps of a run, before the quiet phase. */
  readonly maxCommands: number;
  /** The invariant to detect (default: any violation). */
  readonly invariant?: string;
  /** Let fast-check shrink the counterexample (default false: stop at the first failure). */
  readonly shrink?: boolean;
  /**
   * With `shrink`: stop shrinking this long after the first failure. Later
   * candidates are then passed without running, so fast-check ends with the
   * smallest counterexample found so far (`shrinkStopped` says it happened).
   */
  readonly shrinkLimitMs?: number;
  /** Without `shrink`: give up after this long (fast-check's interruptAfterTimeLimit), as after `maxRuns`. */
  readonly timeLimitMs?: number;
}

export interface BaselineResult {
  readonly found: boolean;
  /** fast-check runs executed, the failing one included (all of them when not found). */
  readonly runs: number;
  /** Wall time until the first failure (or the cap), shrinking excluded. */
  readonly ms: number;
  /** Runs before the first failure that stopped at another invariant (they count as not finding it). */
  readonly otherViolations: number;
  readonly violation?: Violation;
  /** Steps of the first failing run, up to its violation. */
  readonly steps?: number;
  /** With `shrink`: steps of fast-check's shrunk counterexample, and the shrinking it took. */
  readonly shrunkSteps?: number;
  readonly shrinks?: number;
  readonly shrinkMs?: number;
  readonly shrinkStopped?: boolean;
}

/** The uniform-choice command generator of one run of at most `maxCommands` steps. */
export function uniformCommands(maxCommands: number, wanted?: string) {
  return fc.commands([fc.noBias(fc.nat()).map((pick) => new UniformStep(pick, wanted))], { maxCommands, size: 'max' });
}

/** Run the baseline on `system` with one fast-check seed. */
export function baselineCheck(system: Sys, opts: BaselineOptions): BaselineResult {
  let firstFailure: { readonly steps: number; readonly ms: number; readonly violation: Violation } | undefined;
  let lastFailureSteps = 0;
  let stopped = false;
  let other = 0;
  const limit = opts.shrinkLimitMs ?? Infinity;
  const start = performance.now();
  const property = fc.property(uniformCommands(opts.maxCommands, opts.invariant), (cmds) => {
    if (firstFailure !== undefined && performance.now() - start - firstFailure.ms > limit) {
      stopped = true;
      return;
    }
    let model: Model | undefined;
    const setup = () => {
      model = { run: new Execution(system) };
      return { model, real: {} as Real };
    };
    try {
      fc.modelRun(setup, cmds);
      const run = model!.run;
      quietPhase(run);
      const v = run.violation;
      if (v !== null && (opts.invariant === undefined || v.invariant === opts.invariant)) throw new Detected(v);
      if (v !== null && firstFailure === undefined) other++;
    } catch (err) {
      if (err instanceof Detected) {
        const steps = model!.run.trace.length;
        firstFailure ??= { steps, ms: performance.now() - start, violation: err.violation };
        lastFailureSteps = steps;
      }
      throw err;
    }
  });
  const details = fc.check(property, {
    seed: opts.seed,
    numRuns: opts.maxRuns,
    endOnFailure: opts.shrink !== true,
    verbose: 0,
    ...(opts.shrink !== true && opts.timeLimitMs !== undefined ? { interruptAfterTimeLimit: opts.timeLimitMs } : {}),
  });
  const total = performance.now() - start;
  if (!details.failed || firstFailure === undefined) {
    if (details.failed) throw details.errorInstance instanceof Error ? details.errorInstance : new Error(String(details.errorInstance));
    return { found: false, runs: details.numRuns, ms: total, otherViolations: other };
  }
  return {
    found: true,
    runs: details.numRuns,
    ms: firstFailure.ms,
    otherViolations: other,
    violation: firstFailure.violation,
    steps: firstFailure.steps,
    ...(opts.shrink === true ? { shrunkSteps: lastFailureSteps, shrinks: details.numShrinks, shrinkMs: total - firstFailure.ms, shrinkStopped: stopped } : {}),
  };
}
