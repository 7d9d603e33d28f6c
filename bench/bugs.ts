/**
 * Bug finding: for one entry of manifest/variants.json that expects a
 * violation, runs and time to detection under
 *
 *   (a) the fast-check baseline (bench/baseline.ts), one attempt per seed;
 *   (b) PCT (depth 3, as `check` runs it), one attempt per seed;
 *   (c) the engine's searches: preemption-bounded DFS (bound 2) and BFS,
 *       deterministic, repeated only to time them;
 *
 * and shrink quality: the steps of the shortest failing trace (BFS, when it
 * finds the invariant) against what the engine's shrinker makes of PCT's
 * failing runs and what fast-check's shrinker makes of the baseline's.
 * Every attempt uses the entry's configuration, run length (`maxSteps`)
 * and invariant filter (`only`).
 */
import { shrink } from '../engine/shrink.ts';
import { Rng, runSeed } from '../engine/random.ts';
import { randomScheduler } from '../engine/strategies/random.ts';
import { runScheduled } from '../engine/strategies/run.ts';
import type { StepSystem } from '../engine/system.ts';
import { variantSystem, type VariantEntry } from '../engine/variants-manifest.ts';
import { baselineCheck } from './baseline.ts';
import { bfsDetect, boundedDetect, expectedInvariant, randomisedDetect, type Detection } from './detect.ts';
import { summarizeDetection, type DetectionSummary } from './stats.ts';

export interface BugBenchOptions {
  /** Seeds 1..seeds for the baseline and PCT (and the manifest strategy when it is random). */
  readonly seeds: number;
  /** Runs per seed before an attempt gives up (baseline and randomised strategies). */
  readonly maxRuns: number;
  /** Repeats of each deterministic search, for its timing: at most this many... */
  readonly searchRepeats: number;
  /** ...and no more once their total time passes this budget (at least one run; absent: no budget). */
  readonly searchBudgetMs?: number;
  /** Node cap of the bounded DFS and state cap of BFS. */
  readonly maxNodes: number;
  /** The engine's shrinker runs on the failing runs of the first `shrinkSeeds` PCT seeds that found the bug. */
  readonly shrinkSeeds: number;
  /** fast-check's shrinker runs on the baseline of the first `fcShrinkSeeds` seeds, each stopped after `fcShrinkLimitMs`. */
  readonly fcShrinkSeeds: number;
  readonly fcShrinkLimitMs: number;
}

/** One attempt, as results.json records it. */
export interface AttemptRecord {
  readonly seed?: number;
  readonly found: boolean;
  readonly runs: number;
  readonly ms: number;
  readonly steps?: number;
  readonly otherViolations: number;
  readonly complete?: boolean;
}

export interface ShrinkRecord {
  readonly seed: number;
  /** Steps of the failing run before and after shrinking. */
  readonly before: number;
  readonly after: number;
  readonly ms: number;
  /** Engine: replays tried; fast-check: shrinks accepted. */
  readonly attempts: number;
  /** Shrinking stopped at its budget (engine: SHRINK_REPLAYS replays; fast-check: the time limit). */
  readonly stopped: boolean;
}

export interface BugBenchResult {
  readonly variant: string;
  readonly memory: string;
  readonly profile: string;
  readonly servers: number;
  readonly workers: number;
  readonly yield: boolean;
  readonly maxSteps: number;
  readonly invariant: string;
  /** The strategy the manifest names for this entry (issue 5's figure is its median time). */
  readonly manifestStrategy: string;
  readonly attempts: {
    readonly baseline: readonly AttemptRecord[];
    readonly pct: readonly AttemptRecord[];
    readonly bounded: readonly AttemptRecord[];
    readonly bfs: readonly AttemptRecord[];
    /** Only when the manifest strategy is `random`. */
    readonly random?: readonly AttemptRecord[];
  };
  readonly summary: {
    readonly baseline: DetectionSummary;
    readonly pct: DetectionSummary;
    readonly bounded: DetectionSummary;
    readonly bfs: DetectionSummary;
    readonly manifest: DetectionSummary;
  };
  readonly shrink: {
    /** Steps of BFS's first violation of the invariant (a shortest trace), when BFS found it. */
    readonly shortest?: number;
    readonly engine: readonly ShrinkRecord[];
    readonly fastCheck: readonly ShrinkRecord[];
  };
}

type Sys = StepSystem<unknown, unknown>;

/** Replays the engine's shrinker may try per failure: its default, the budget `check` shrinks with. */
export const SHRINK_REPLAYS = 50_000;

function record(d: Detection, seed?: number): AttemptRecord {
  return {
    ...(seed === undefined ? {} : { seed }),
    found: d.found,
    runs: d.runs,
    ms: Math.round(d.ms * 10) / 10,
    ...(d.steps === undefined ? {} : { steps: d.steps }),
    otherViolations: d.otherViolations,
    ...(d.complete === undefined ? {} : { complete: d.complete }),
  };
}

/** Repeat a deterministic search for its timing: up to `max` runs, fewer once `budgetMs` is spent. */
function repeat(max: number, budgetMs: number, f: () => Detection): Detection[] {
  const out: Detection[] = [];
  let spent = 0;
  while (out.length < max && (out.length === 0 || spent < budgetMs)) {
    const d = f();
    spent += d.ms;
    out.push(d);
  }
  return out;
}

/** A few untimed runs (engine and fast-check), so the first timed attempt does not pay for the JIT warming up. */
function warmUp(system: Sys, maxSteps: number): void {
  for (let i = 0; i < 20; i++) runScheduled(system, randomScheduler(new Rng(runSeed(0xbe7c4, i))), { maxSteps });
  baselineCheck(system, { seed: 0xbe7c4, maxRuns: 10, maxCommands: maxSteps, invariant: '(warm-up: none)' });
}

export function benchBug(e: VariantEntry, o: BugBenchOptions, progress: (line: string) => void = () => {}): BugBenchResult {
  const invariant = expectedInvariant(e);
  if (invariant === undefined) throw new Error(`bench: ${e.variant} (${e.memory}) expects no violation`);
  const system = variantSystem(e);
  warmUp(system, e.maxSteps);
  const seeds = Array.from({ length: o.seeds }, (_, i) => i + 1);
  const name = `${e.variant} (${e.memory})`;

  progress(`${name}: fast-check baseline, ${o.seeds} seeds`);
  const baseline = seeds.map((seed) => ({ seed, d: baselineCheck(system, { seed, maxRuns: o.maxRuns, maxCommands: e.maxSteps, invariant }) }));
  progress(`${name}: PCT, ${o.seeds} seeds`);
  const pct = seeds.map((seed) => ({ seed, d: randomisedDetect(system, 'pct', { seed, maxRuns: o.maxRuns, maxSteps: e.maxSteps, invariant }) }));
  progress(`${name}: bounded DFS`);
  const bounded = repeat(o.searchRepeats, o.searchBudgetMs ?? Infinity, () => boundedDetect(system, { maxSteps: e.maxSteps, maxNodes: o.maxNodes, invariant }));
  progress(`${name}: BFS`);
  const bfs = repeat(o.searchRepeats, o.searchBudgetMs ?? Infinity, () => bfsDetect(system, { maxSteps: e.maxSteps, maxStates: o.maxNodes, invariant }));
  let random: { seed: number; d: Detection }[] | undefined;
  if (e.strategy === 'random') {
    progress(`${name}: random (the manifest's strategy), ${o.seeds} seeds`);
    random = seeds.map((seed) => ({ seed, d: randomisedDetect(system, 'random', { seed, maxRuns: o.maxRuns, maxSteps: e.maxSteps, invariant }) }));
  }

  const summary = {
    baseline: summarizeDetection(baseline.map((x) => x.d)),
    pct: summarizeDetection(pct.map((x) => x.d)),
    bounded: summarizeDetection(bounded),
    bfs: summarizeDetection(bfs),
  };
  const manifest =
    e.strategy === 'pct'
      ? summary.pct
      : e.strategy === 'bounded'
        ? summary.bounded
        : e.strategy === 'exhaustive'
          ? summary.bfs
          : summarizeDetection(random!.map((x) => x.d));

  const engineShrinks: ShrinkRecord[] = [];
  for (const { seed, d } of pct.filter((x) => x.d.found).slice(0, o.shrinkSeeds)) {
    progress(`${name}: engine shrinker on PCT seed ${seed}`);
    const start = performance.now();
    const s = shrink(system, d.choices!, { invariant, maxAttempts: SHRINK_REPLAYS });
    const ms = Math.round(performance.now() - start);
    engineShrinks.push({ seed, before: d.steps!, after: s.run.trace.length, ms, attempts: s.attempts, stopped: s.attempts >= SHRINK_REPLAYS });
  }
  const fcShrinks: ShrinkRecord[] = [];
  for (const { seed } of baseline.filter((x) => x.d.found).slice(0, o.fcShrinkSeeds)) {
    progress(`${name}: fast-check shrinker on baseline seed ${seed}`);
    const r = baselineCheck(system, { seed, maxRuns: o.maxRuns, maxCommands: e.maxSteps, invariant, shrink: true, shrinkLimitMs: o.fcShrinkLimitMs });
    fcShrinks.push({ seed, before: r.steps!, after: r.shrunkSteps!, ms: Math.round(r.shrinkMs!), attempts: r.shrinks!, stopped: r.shrinkStopped === true });
  }
  const shortest = bfs[0]!.found ? bfs[0]!.steps : undefined;

  return {
    variant: e.variant,
    memory: e.memory,
    profile: e.profile,
    servers: e.servers,
    workers: e.workers,
    yield: e.yield,
    maxSteps: e.maxSteps,
    invariant,
    manifestStrategy: e.strategy,
    attempts: {
      baseline: baseline.map((x) => record(x.d, x.seed)),
      pct: pct.map((x) => record(x.d, x.seed)),
      bounded: bounded.map((d) => record(d)),
      bfs: bfs.map((d) => record(d)),
      ...(random === undefined ? {} : { random: random.map((x) => record(x.d, x.seed)) }),
    },
    summary: { ...summary, manifest },
    shrink: { ...(shortest === undefined ? {} : { shortest }), engine: engineShrinks, fastCheck: fcShrinks },
  };
}
