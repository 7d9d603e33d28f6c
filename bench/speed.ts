/**
 * Speed figures: the model explorer (distinct states per second, total time,
 * peak memory) and the step rate of the random strategy with every check on.
 * Each measurement is one child process (bench.ts runs them), so peak
 * memory and JIT warm-up are its own.
 */
import { explore } from '../engine/explore.ts';
import { makeImplSystem } from '../engine/impl-system.ts';
import { makeModelSystem } from '../engine/model-system.ts';
import { Rng, runSeed } from '../engine/random.ts';
import { randomScheduler } from '../engine/strategies/random.ts';
import { runScheduled } from '../engine/strategies/run.ts';
import type { StepSystem } from '../engine/system.ts';
import { DEFAULT_PROGRESS_BOUND } from '../properties/registry.ts';

export interface ExploreBench {
  readonly name: string;
  readonly servers: number;
  readonly workers: number;
  readonly yield: boolean;
  /** Target: distinct states per second (one core), and peak memory in MB. */
  readonly statesPerSecond?: number;
  readonly maxMb?: number;
  /** Stop after this many states unless --full (the run is then not exhaustive). */
  readonly cap?: number;
  /** Sleep sets (default on, as in `explore`); off only to show what they save. */
  readonly sleepSets?: boolean;
}

export const EXPLORE_BENCHES: readonly ExploreBench[] = [
  { name: 'model 1x2', servers: 1, workers: 2, yield: true },
  { name: 'model 2x2 (no yield)', servers: 2, workers: 2, yield: false },
  // The target configuration (workers do not yield: with yield the
  // space is far larger). Since the model's gc and pop are step-wise the
  // full 2x3 space has 152 million states (docs/explorer.md): the
  // default bench stops each run at `cap` states and reports the rate and
  // bytes per state up to there; --full explores all of it.
  { name: 'model 2x3 (no yield)', servers: 2, workers: 3, yield: false, statesPerSecond: 100_000, maxMb: 2048, cap: 2_000_000 },
  // The same prefix taking every transition: what sleep sets save (no target).
  { name: 'model 2x3 (no yield), --no-sleep-sets', servers: 2, workers: 3, yield: false, cap: 2_000_000, sleepSets: false },
];

export interface ExploreMeasure {
  readonly states: number;
  readonly ms: number;
  readonly statesPerSecond: number;
  readonly verdict: string;
  /** Every reachable state expanded (false when the cap stopped the run). */
  readonly complete: boolean;
  readonly maxRssMb: number;
}

export function measureExplore(b: ExploreBench, maxStates: number): ExploreMeasure {
  const r = explore({
    servers: b.servers,
    workers: b.workers,
    profile: 'contract',
    yield: b.yield,
    locks: false,
    envBudget: 0,
    progressBound: DEFAULT_PROGRESS_BOUND,
    maxStates,
    stopAtFirst: false,
    sleepSets: b.sleepSets ?? true,
  });
  return {
    states: r.distinctStates,
    ms: r.elapsedMs,
    statesPerSecond: r.statesPerSecond,
    verdict: r.verdict,
    complete: r.complete,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

/**
 * Step rates of the random strategy: a fixed seeded run (`runs` runs of
 * `steps` scheduled steps, then the quiet phase), every check of a run on
 * (for impl under SC: REFINEMENT and every registry invariant on the
 * abstract state). A run ends at its first violation; its steps count.
 */
export interface RateBench {
  readonly name: string;
  readonly system: () => StepSystem<unknown, unknown>;
  readonly runs: number;
  readonly steps: number;
  /** Target: steps per second (one core). */
  readonly stepsPerSecond?: number;
}

export const RATE_BENCHES: readonly RateBench[] = [
  {
    name: 'impl random steps/s (2x3, SC, refinement + all invariants on)',
    system: () =>
      makeImplSystem({ servers: 2, workers: 3, memory: 'sc', profile: 'contract', yield: false, locks: false, envBudget: 0 }) as unknown as StepSystem<
        unknown,
        unknown
      >,
    runs: 200,
    steps: 500,
    stepsPerSecond: 100_000,
  },
  {
    name: 'model random steps/s (2x3, all invariants on)',
    system: () =>
      makeModelSystem({ servers: 2, workers: 3, profile: 'contract', yield: false, locks: false, envBudget: 0 }) as unknown as StepSystem<
        unknown,
        unknown
      >,
    runs: 200,
    steps: 500,
  },
];

export interface RateMeasure {
  readonly steps: number;
  readonly ms: number;
  readonly stepsPerSecond: number;
  /** Runs that ended in a violation. */
  readonly violations: number;
}

export function measureRate(b: RateBench): RateMeasure {
  const system = b.system();
  let steps = 0;
  let violations = 0;
  const start = performance.now();
  for (let i = 0; i < b.runs; i++) {
    const run = runScheduled(system, randomScheduler(new Rng(runSeed(1, i))), { maxSteps: b.steps });
    steps += run.trace.length;
    if (run.violation !== null) violations++;
  }
  const ms = performance.now() - start;
  return { steps, ms, stepsPerSecond: Math.round(steps / (ms / 1000)), violations };
}
