/**
 * Bug finding: for one entry of manifest/variants.json that expects a
 * violation, runs and time to detection under
 *
 *   (a) the fast-check baseline (bench/baseline.ts), one attempt per seed;
 *   (b) PCT (depth 3 and the entry's refinements, as `check` runs it), one attempt per seed;
 *   (c) the engine's searches: preemption-bounded DFS (bound 2) and BFS,
 *       deterministic, repeated only to time them;
 *
 * and shrink quality: the steps of the shortest failing trace (or a lower
 * bound on it, engine/strategies/shortest.ts) against what the engine's
 * shrinker makes of PCT's failing runs and what fast-check's shrinker makes
 * of the baseline's.
 * Every attempt uses the entry's configuration, run length (`maxSteps`)
 * and invariant filter (`only`).
 */
import { shrink } from '../engine/shrink.ts';
import { Rng, runSeed } from '../engine/random.ts';
import { pctOptions } from '../engine/strategies/index.ts';
import { shortestBound, type ShortestBound } from '../engine/strategies/shortest.ts';
import type { PctOptions } from '../engine/strategies/pct.ts';
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
  /** A search run still going after this long is stopped (its child process killed) and counts as not found. */
  readonly searchLimitMs: number;
  /** An attempt of the baseline or PCT gives up after this long, as after `maxRuns` runs. */
  readonly attemptLimitMs: number;
  /** Node cap of the bounded DFS and state cap of BFS. */
  readonly maxNodes: number;
  /** The engine's shrinker runs on the failing runs of the first `shrinkSeeds` PCT seeds that found the bug. */
  readonly shrinkSeeds: number;
  /** fast-check's shrinker runs on the baseline of the first `fcShrinkSeeds` seeds, each stopped after `fcShrinkLimitMs`. */
  readonly fcShrinkSeeds: number;
  readonly fcShrinkLimitMs: number;
  /** Node cap of each search for the shortest trace (engine/strategies/shortest.ts). */
  readonly shortestNodes: number;
  /** That search is stopped (its child process killed) after this long; it keeps the bound proved so far. */
  readonly shortestLimitMs: number;
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
  /** A search stopped at its time limit (its runs are then unknown: 0). */
  readonly timedOut?: boolean;
  /** A search whose child process failed (out of memory, a crash): its message. */
  readonly error?: string;
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

/**
 * What the bench knows of the shortest trace violating the entry's invariant
 * (engine/strategies/shortest.ts `shortestBound`): exact, or a lower bound.
 */
export interface ShortestRecord {
  /** shortest >= lower. */
  readonly lower: number;
  /** The shortest length, when known (a trace of that length was found and nothing shorter exists). */
  readonly exact?: number;
  readonly method: 'bfs' | 'bound-k' | 'code-run';
  /** The entry's bound K of LIVE-BOUNDED-PROGRESS, and the smaller k searched (method bound-k). */
  readonly K: number;
  readonly k?: number;
  /** A lower bound from a search: the depth to which it examined every trace (at bound k for bound-k). */
  readonly completeDepth?: number;
  readonly nodes: number;
  /** The node cap of each search. */
  readonly maxNodes: number;
  readonly ms: number;
  /** Stopped at the time limit: the bound is the last one proved before it. */
  readonly timedOut?: boolean;
  /** Every reachable state was searched and none violates the invariant (then lower is 0). */
  readonly unreachable?: true;
  /** The child process failed (out of memory, a crash): its message; the bound is the last one proved. */
  readonly error?: string;
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
    /** The shortest failing trace, or a lower bound on it. */
    readonly shortest: ShortestRecord;
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

/** A few untimed runs (engine and fast-check), so the first timed attempt does not pay for the JIT warming up. */
function warmUp(system: Sys, maxSteps: number): void {
  for (let i = 0; i < 20; i++) runScheduled(system, randomScheduler(new Rng(runSeed(0xbe7c4, i))), { maxSteps });
  baselineCheck(system, { seed: 0xbe7c4, maxRuns: 10, maxCommands: maxSteps, invariant: '(warm-up: none)' });
}

/** What one child measures for an entry: everything but the searches. */
export interface RandomisedPart {
  readonly baseline: readonly AttemptRecord[];
  readonly pct: readonly AttemptRecord[];
  readonly random?: readonly AttemptRecord[];
  readonly engineShrinks: readonly ShrinkRecord[];
  readonly fcShrinks: readonly ShrinkRecord[];
}

/**
 * The baseline and PCT (and uniform random when the manifest names it), one
 * attempt per seed, then the two shrinkers on the first failures found.
 */
export function benchRandomised(e: VariantEntry, o: BugBenchOptions, progress: (line: string) => void = () => {}): RandomisedPart {
  const invariant = wanted(e);
  const system = variantSystem(e);
  warmUp(system, e.maxSteps);
  const seeds = Array.from({ length: o.seeds }, (_, i) => i + 1);
  const name = `${e.variant} (${e.memory})`;
  const limit = o.attemptLimitMs;

  progress(`${name}: fast-check baseline, ${o.seeds} seeds`);
  const baseline = seeds.map((seed) => ({
    seed,
    d: baselineCheck(system, { seed, maxRuns: o.maxRuns, maxCommands: e.maxSteps, invariant, timeLimitMs: limit }),
  }));
  progress(`${name}: PCT, ${o.seeds} seeds`);
  const pct = seeds.map((seed) => ({
    seed,
    d: randomisedDetect(system, 'pct', { seed, maxRuns: o.maxRuns, maxSteps: e.maxSteps, invariant, timeLimitMs: limit, ...entryPct(e) }),
  }));
  let random: { seed: number; d: Detection }[] | undefined;
  if (e.strategy === 'random') {
    progress(`${name}: random (the manifest's strategy), ${o.seeds} seeds`);
    random = seeds.map((seed) => ({
      seed,
      d: randomisedDetect(system, 'random', { seed, maxRuns: o.maxRuns, maxSteps: e.maxSteps, invariant, timeLimitMs: limit }),
    }));
  }

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
  return {
    baseline: baseline.map((x) => record(x.d, x.seed)),
    pct: pct.map((x) => record(x.d, x.seed)),
    ...(random === undefined ? {} : { random: random.map((x) => record(x.d, x.seed)) }),
    engineShrinks,
    fcShrinks,
  };
}

export type SearchKind = 'bounded' | 'bfs';

/** One run of a deterministic search on an entry (a child process runs it, under a time limit). */
export function benchSearch(e: VariantEntry, kind: SearchKind, o: BugBenchOptions): AttemptRecord {
  const invariant = wanted(e);
  const system = variantSystem(e);
  warmUp(system, e.maxSteps);
  const d =
    kind === 'bounded'
      ? boundedDetect(system, { maxSteps: e.maxSteps, maxNodes: o.maxNodes, invariant })
      : bfsDetect(system, { maxSteps: e.maxSteps, maxStates: o.maxNodes, invariant });
  return record(d);
}

/**
 * The shortest trace violating the entry's invariant, or a lower bound
 * (engine/strategies/shortest.ts), with the entry's bound K. `onBound` hears
 * every bound proved on the way, so a run stopped from outside keeps one.
 */
export function benchShortest(e: VariantEntry, o: BugBenchOptions, onBound: (r: ShortestRecord) => void = () => {}): ShortestRecord {
  const system = variantSystem(e);
  const start = performance.now();
  const K = system.progressBound;
  const base = { K, maxNodes: o.shortestNodes };
  const r = shortestBound(system, wanted(e), {
    maxNodes: o.shortestNodes,
    onBound: (b) => onBound({ ...shortestFields(b), ...base, ms: Math.round(performance.now() - start) }),
  });
  return { ...shortestFields(r), ...base, ms: Math.round(performance.now() - start) };
}

function shortestFields(b: ShortestBound<unknown>) {
  // No trace at all (every reachable state searched): JSON has no Infinity.
  if (!Number.isFinite(b.lower)) return { lower: 0, method: b.method, unreachable: true as const, nodes: b.nodes };
  return {
    lower: b.lower,
    ...(b.exact === undefined ? {} : { exact: b.exact }),
    method: b.method,
    ...(b.k === undefined ? {} : { k: b.k }),
    ...(b.completeDepth === undefined ? {} : { completeDepth: b.completeDepth }),
    nodes: b.nodes,
  };
}

/** A search run that was stopped at its time limit (or died): not found, after that long. */
export function searchGaveUp(ms: number, error?: string): AttemptRecord {
  return { found: false, runs: 0, ms, otherViolations: 0, complete: false, ...(error === undefined ? { timedOut: true } : { error }) };
}

/** The whole result of an entry, from its randomised part and its search runs. */
export function assembleBug(
  e: VariantEntry,
  part: RandomisedPart,
  bounded: readonly AttemptRecord[],
  bfs: readonly AttemptRecord[],
  shortest: ShortestRecord,
): BugBenchResult {
  const summary = {
    baseline: summarizeDetection(part.baseline),
    pct: summarizeDetection(part.pct),
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
          : summarizeDetection(part.random ?? []);
  return {
    variant: e.variant,
    memory: e.memory,
    profile: e.profile,
    servers: e.servers,
    workers: e.workers,
    yield: e.yield,
    maxSteps: e.maxSteps,
    invariant: wanted(e),
    manifestStrategy: e.strategy,
    attempts: {
      baseline: part.baseline,
      pct: part.pct,
      bounded,
      bfs,
      ...(part.random === undefined ? {} : { random: part.random }),
    },
    summary: { ...summary, manifest },
    shrink: { shortest, engine: part.engineShrinks, fastCheck: part.fcShrinks },
  };
}

/** PCT as the entry's check runs it: its depth and refinements (`focus`, `demoteRevisits`; none for most entries). */
function entryPct(e: VariantEntry): { readonly pctDepth?: number; readonly pct: PctOptions } {
  return { ...(e.pctDepth === undefined ? {} : { pctDepth: e.pctDepth }), pct: pctOptions(e) };
}

function wanted(e: VariantEntry): string {
  const invariant = expectedInvariant(e);
  if (invariant === undefined) throw new Error(`bench: ${e.variant} (${e.memory}) expects no violation`);
  return invariant;
}
