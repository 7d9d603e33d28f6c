/**
 * Time and runs to detection of a known bug, one attempt at a time, for each
 * strategy the bench compares: the fast-check baseline (bench/baseline.ts),
 * the engine's randomised strategies (PCT, uniform random) and its searches
 * (preemption-bounded DFS, BFS). An attempt stops at the first run that
 * violates the wanted invariant, or gives up at its cap.
 *
 * The randomised strategies run exactly what `umcg-verify check --strategy
 * pct|random --seed S` runs (run i seeded with `runSeed(S, i)`), except that
 * a run stopping at another invariant does not end the attempt: only the
 * wanted one counts, as in the baseline.
 */
import { Rng, runSeed } from '../engine/random.ts';
import { bfsSearch } from '../engine/strategies/bfs.ts';
import { boundedSearch, DEFAULT_PREEMPTION_BOUND } from '../engine/strategies/bounded.ts';
import { DEFAULT_PCT_DEPTH, pctScheduler, type PctOptions } from '../engine/strategies/pct.ts';
import { randomScheduler } from '../engine/strategies/random.ts';
import { runScheduled } from '../engine/strategies/run.ts';
import type { StepSystem } from '../engine/system.ts';
import type { VariantEntry } from '../engine/variants-manifest.ts';
import type { Attempt } from './stats.ts';

type Sys = StepSystem<unknown, unknown>;

/** An attempt, and when it found the bug, the choices of the failing run (for shrinking). */
export interface Detection extends Attempt {
  readonly choices?: readonly unknown[];
  /** Steps of the failing run (or path) up to the violation. */
  readonly steps?: number;
  /** Runs that stopped at another invariant (they do not count as found). */
  readonly otherViolations: number;
  /** Searches: false when the node or state cap stopped the search first. */
  readonly complete?: boolean;
}

/** The invariant an entry's `expected` names ("violation of ID"), or undefined for "pass". */
export function expectedInvariant(e: VariantEntry): string | undefined {
  const m = /^violation of (\S+)$/.exec(e.expected);
  return m === null ? undefined : m[1];
}

/**
 * A randomised strategy from seed `seed`: runs until one violates
 * `invariant`, at most `maxRuns`, and no new run after `timeLimitMs`.
 */
export function randomisedDetect(
  system: Sys,
  strategy: 'pct' | 'random',
  o: {
    readonly seed: number;
    readonly maxRuns: number;
    readonly maxSteps: number;
    readonly invariant: string;
    readonly pctDepth?: number;
    /** PCT's refinements, as the entry's check runs them (engine/strategies/index.ts pctOptions). */
    readonly pct?: PctOptions;
    readonly timeLimitMs?: number;
  },
): Detection {
  const start = performance.now();
  const limit = o.timeLimitMs ?? Infinity;
  let other = 0;
  for (let i = 0; i < o.maxRuns; i++) {
    if (performance.now() - start > limit) return { found: false, runs: i, ms: performance.now() - start, otherViolations: other };
    const rng = new Rng(runSeed(o.seed, i));
    const scheduler =
      strategy === 'pct' ? pctScheduler(system, rng, o.pctDepth ?? DEFAULT_PCT_DEPTH, o.maxSteps, o.pct) : randomScheduler<unknown, unknown>(rng);
    const run = runScheduled(system, scheduler, { maxSteps: o.maxSteps });
    if (run.violation === null) continue;
    if (run.violation.invariant !== o.invariant) {
      other++;
      continue;
    }
    const ms = performance.now() - start;
    return { found: true, runs: i + 1, ms, choices: run.trace.map((t) => t.choice), steps: run.trace.length, otherViolations: other };
  }
  return { found: false, runs: o.maxRuns, ms: performance.now() - start, otherViolations: other };
}

/**
 * The engine's preemption-bounded DFS (bound 2 unless given), to depth
 * `maxSteps`, at most `maxNodes` nodes. Deterministic: no seed. Runs are the
 * maximal paths it explored. It stops at its first violation; one of another
 * invariant is reported as not found.
 */
export function boundedDetect(
  system: Sys,
  o: { readonly maxSteps: number; readonly maxNodes: number; readonly invariant: string; readonly bound?: number },
): Detection {
  const start = performance.now();
  const r = boundedSearch(system, { bound: o.bound ?? DEFAULT_PREEMPTION_BOUND, maxDepth: o.maxSteps, maxNodes: o.maxNodes });
  const ms = performance.now() - start;
  const v = r.failure?.run.violation;
  if (r.failure !== undefined && v?.invariant === o.invariant) {
    return { found: true, runs: r.runs, ms, choices: r.failure.choices, steps: r.failure.run.trace.length, otherViolations: 0, complete: r.complete };
  }
  return { found: false, runs: r.runs, ms, otherViolations: v === undefined || v === null ? 0 : 1, complete: r.complete };
}

/**
 * Breadth-first search to depth `maxSteps`, at most `maxStates` states: its
 * first violation has a shortest trace (the shortest known one, when it is
 * the wanted invariant). Deterministic; runs = 1.
 */
export function bfsDetect(system: Sys, o: { readonly maxSteps: number; readonly maxStates: number; readonly invariant: string }): Detection {
  const start = performance.now();
  const r = bfsSearch(system, { maxStates: o.maxStates, maxDepth: o.maxSteps });
  const ms = performance.now() - start;
  const v = r.failure?.run.violation;
  if (r.failure !== undefined && v?.invariant === o.invariant) {
    return { found: true, runs: 1, ms, choices: r.failure.choices, steps: r.failure.run.trace.length, otherViolations: 0, complete: r.complete };
  }
  return { found: false, runs: 1, ms, otherViolations: v === undefined || v === null ? 0 : 1, complete: r.complete };
}
