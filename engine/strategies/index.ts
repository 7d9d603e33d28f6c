/**
 * A check: one strategy over one step system. Randomised strategies (random,
 * PCT) run `runs` independent runs, run i seeded with `runSeed(seed, i)`, so
 * a shard i/n runs exactly the indices congruent to i and n shards together
 * run what one unsharded check runs. The search strategies (bounded DFS,
 * BFS) are deterministic and ignore the seed.
 */
import { Coverage, type CoverageReport } from '../coverage.ts';
import { Rng, runSeed } from '../random.ts';
import type { RunResult, StepSystem } from '../system.ts';
import { bfsSearch } from './bfs.ts';
import { boundedSearch, DEFAULT_PREEMPTION_BOUND } from './bounded.ts';
import { FOCUS_SHARE, focusOf, type FocusName } from './focus.ts';
import { DEFAULT_PCT_DEPTH, pctScheduler, type PctOptions } from './pct.ts';
import { randomScheduler } from './random.ts';
import { runScheduled } from './run.ts';

export const STRATEGIES = ['random', 'pct', 'bounded', 'exhaustive'] as const;
export type StrategyName = (typeof STRATEGIES)[number];

export interface Shard {
  /** 0-based. */
  readonly index: number;
  readonly count: number;
}

export interface CheckOptions {
  readonly strategy: StrategyName;
  readonly seed: number;
  /** Randomised strategies: number of runs. */
  readonly runs: number;
  /** Steps of a run's scheduled phase; the search depth of bounded and exhaustive. */
  readonly maxSteps: number;
  readonly pctDepth?: number;
  /** PCT: which steps may be change points (engine/strategies/focus.ts; default `all`). */
  readonly focus?: FocusName;
  /** PCT with a focus: k, the focused steps the change points are drawn among (default maxSteps / the focus's FOCUS_SHARE). */
  readonly focusSteps?: number;
  /** PCT: demote a unit whose step returns the run to a state it already visited. */
  readonly demoteRevisits?: boolean;
  readonly preemptionBound?: number;
  /** Node/state budget of the search strategies. */
  readonly maxStates?: number;
  readonly shard?: Shard;
  /** Collect coverage (randomised strategies). */
  readonly coverage?: boolean;
}

export interface CheckOutcome<S, C> {
  readonly verdict: 'pass' | 'violation';
  /** Runs executed (randomised) or maximal paths explored (search). */
  readonly runs: number;
  readonly steps: number;
  /** False when a search stopped at its budget before finishing. */
  readonly complete: boolean;
  readonly failure?: {
    readonly choices: readonly C[];
    readonly run: RunResult<S, C>;
    /** Randomised strategies: which run and its seed. */
    readonly runIndex?: number;
    readonly runSeed?: number;
  };
  readonly coverage?: CoverageReport;
}

export function runCheck<S, C>(system: StepSystem<S, C>, opts: CheckOptions): CheckOutcome<S, C> {
  if (opts.strategy === 'bounded' || opts.strategy === 'exhaustive') {
    const r =
      opts.strategy === 'bounded'
        ? boundedSearch(system, {
            bound: opts.preemptionBound ?? DEFAULT_PREEMPTION_BOUND,
            maxDepth: opts.maxSteps,
            maxNodes: opts.maxStates ?? 2_000_000,
            ...(opts.shard === undefined ? {} : { shard: opts.shard }),
          })
        : bfsSearch(system, { maxStates: opts.maxStates ?? 2_000_000, maxDepth: opts.maxSteps });
    return {
      verdict: r.failure === undefined ? 'pass' : 'violation',
      runs: r.runs,
      steps: r.steps,
      complete: r.complete,
      ...(r.failure === undefined ? {} : { failure: r.failure }),
    };
  }
  const coverage = opts.coverage === true ? new Coverage(system) : undefined;
  const shard = opts.shard ?? { index: 0, count: 1 };
  let runs = 0;
  let steps = 0;
  for (let i = shard.index; i < opts.runs; i += shard.count) {
    const seed = runSeed(opts.seed, i);
    const rng = new Rng(seed);
    const scheduler =
      opts.strategy === 'random'
        ? randomScheduler<S, C>(rng)
        : pctScheduler(system, rng, opts.pctDepth ?? DEFAULT_PCT_DEPTH, opts.maxSteps, pctOptions(opts));
    coverage?.start(system.initial());
    const run = runScheduled(system, scheduler, { maxSteps: opts.maxSteps }, coverage?.step);
    runs++;
    steps += run.trace.length;
    if (run.violation !== null) {
      return {
        verdict: 'violation',
        runs,
        steps,
        complete: true,
        failure: { choices: run.trace.map((t) => t.choice), run: run.result(), runIndex: i, runSeed: seed },
        ...(coverage === undefined ? {} : { coverage: coverage.report() }),
      };
    }
  }
  return { verdict: 'pass', runs, steps, complete: true, ...(coverage === undefined ? {} : { coverage: coverage.report() }) };
}

/** The PCT refinements a check's options turn on (none by default: plain PCT). */
export function pctOptions(o: { readonly focus?: FocusName; readonly focusSteps?: number; readonly demoteRevisits?: boolean }): PctOptions {
  const name = o.focus ?? 'all';
  const focus = focusOf(name);
  return {
    ...(focus === undefined || name === 'all' ? {} : { focus, focusShare: FOCUS_SHARE[name] }),
    ...(o.focusSteps === undefined ? {} : { focusSteps: o.focusSteps }),
    ...(o.demoteRevisits === true ? { demoteRevisits: true } : {}),
  };
}
