/**
 * The bug-gallery manifest (manifest/variants.json): for each variant of
 * the implementation, a configuration, a search and its budget, and the
 * expected verdict ("pass" or "violation of <ID>"). The default campaign
 * runs every entry the way `umcg-verify check --target impl` would.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPL_PROGRESS_BOUND } from './impl-system.ts';
import { projectRoot } from './root.ts';
import { DEFAULT_PREEMPTION_BOUND } from './strategies/bounded.ts';
import { bfsSearch } from './strategies/bfs.ts';
import type { FocusName } from './strategies/focus.ts';
import { runCheck, type CheckOptions, type StrategyName } from './strategies/index.ts';
import { DEFAULT_PCT_DEPTH } from './strategies/pct.ts';
import { shrink } from './shrink.ts';
import type { RunResult, StepSystem } from './system.ts';
import { buildSystem } from './targets.ts';

export interface VariantEntry {
  readonly variant: string;
  readonly profile: 'contract' | 'adversarial';
  readonly memory: 'sc' | 'tso';
  readonly expected: string;
  readonly servers: number;
  readonly workers: number;
  readonly yield: boolean;
  readonly strategy: StrategyName;
  readonly runs: number;
  readonly maxSteps: number;
  readonly seed: number;
  readonly only?: readonly string[];
  /** K of LIVE-BOUNDED-PROGRESS (default IMPL_PROGRESS_BOUND); the v0.3 control row uses the same. */
  readonly progressBound?: number;
  /** Adversarial events allowed in one run (default 0). */
  readonly envBudget?: number;
  /**
   * The variant that must not show the expected violation under the same
   * check (default v0.3). A bug that is v0.3's own (B-SLEEP-ATOMIC) names
   * the variant that fixes it.
   */
  readonly control?: string;
  /**
   * A smaller budget for the test suite (`loadVariantsManifest(path,
   * 'test')`): the same entry, search and expectation with fewer `runs`
   * or a smaller `maxSteps`, for entries whose full budget is the
   * campaign's (`npm run verify`) and too slow for `npm test`.
   */
  readonly testBudget?: { readonly runs?: number; readonly maxSteps?: number };
  /** Why the budget is what it is (the bound of a bounded exhaustive search); informational. */
  readonly note?: string;
  /** PCT: its depth (default DEFAULT_PCT_DEPTH) and refinements (engine/strategies/pct.ts; default none). */
  readonly pctDepth?: number;
  readonly focus?: FocusName;
  readonly focusSteps?: number;
  readonly demoteRevisits?: boolean;
}

export interface VariantResult {
  readonly entry: VariantEntry;
  /** "pass" or "violation of <ID>", comparable with `entry.expected`. */
  readonly observed: string;
  readonly ok: boolean;
  /** Steps of the failing schedule after shrinking (as `check` prints it). */
  readonly steps?: number;
  readonly runs: number;
  readonly elapsedMs: number;
  /**
   * An exhaustive (breadth-first) search that found no violation: what ended
   * it. `none`: every path reached quiescence or a known state; `depth`:
   * only the entry's depth bound (`maxSteps`) cut paths, every state within
   * it was explored; `budget`: the state budget
   * ({@link EXHAUSTIVE_MAX_STATES}) stopped it, so the search covered less
   * than the entry declares and the result is not ok.
   */
  readonly cut?: 'none' | 'depth' | 'budget';
  /** States an exhaustive search stored. */
  readonly states?: number;
}

/** The state budget of an entry's exhaustive search (the default of `check --strategy exhaustive`). */
export const EXHAUSTIVE_MAX_STATES = 2_000_000;

export const VARIANTS_MANIFEST_PATH = join(projectRoot(), 'manifest', 'variants.json');

/** `full`: every entry's own budget (the campaign); `test`: an entry's `testBudget` where it has one. */
export type ManifestBudget = 'full' | 'test';

export function loadVariantsManifest(path = VARIANTS_MANIFEST_PATH, budget: ManifestBudget = 'full'): VariantEntry[] {
  const entries = JSON.parse(readFileSync(path, 'utf8')) as VariantEntry[];
  return budget === 'full' ? entries : entries.map(withTestBudget);
}

/** The entry with its test budget in place of its full one (unchanged without a `testBudget`). */
export function withTestBudget(e: VariantEntry): VariantEntry {
  if (e.testBudget === undefined) return e;
  return { ...e, runs: e.testBudget.runs ?? e.runs, maxSteps: e.testBudget.maxSteps ?? e.maxSteps };
}

/** The implementation system an entry describes (optionally with another variant, to compare). */
export function variantSystem(e: VariantEntry, variant = e.variant) {
  return buildSystem('impl', {
    variant,
    servers: e.servers,
    workers: e.workers,
    cpus: 2,
    memory: e.memory,
    profile: e.profile,
    yield: e.yield,
    locks: false,
    envBudget: e.envBudget ?? 0,
    progressBound: e.progressBound ?? IMPL_PROGRESS_BOUND,
    ...(e.only === undefined ? {} : { only: [...e.only] }),
  });
}

/** The check an entry describes, with the CLI's defaults for what it leaves out. */
export function checkOptionsOf(e: VariantEntry): CheckOptions {
  return {
    strategy: e.strategy,
    seed: e.seed,
    runs: e.runs,
    maxSteps: e.maxSteps,
    pctDepth: e.pctDepth ?? DEFAULT_PCT_DEPTH,
    ...(e.focus === undefined ? {} : { focus: e.focus }),
    ...(e.focusSteps === undefined ? {} : { focusSteps: e.focusSteps }),
    ...(e.demoteRevisits === undefined ? {} : { demoteRevisits: e.demoteRevisits }),
    preemptionBound: DEFAULT_PREEMPTION_BOUND,
  };
}

export function runVariantEntry(e: VariantEntry, opts: { readonly maxStates?: number } = {}): VariantResult {
  if (e.strategy === 'exhaustive') return runExhaustiveEntry(e, opts.maxStates ?? EXHAUSTIVE_MAX_STATES);
  const start = performance.now();
  const system = variantSystem(e);
  const r = runCheck(system, checkOptionsOf(e));
  const { observed, steps } = verdictOf(system, r.failure);
  return {
    entry: e,
    observed,
    ok: observed === e.expected,
    ...(steps === undefined ? {} : { steps }),
    runs: r.runs,
    elapsedMs: Math.round(performance.now() - start),
  };
}

/** "pass" or "violation of <ID>", and the shrunk length of the failing run. */
function verdictOf<S, C>(
  system: StepSystem<S, C>,
  failure: { readonly choices: readonly C[]; readonly run: RunResult<S, C> } | undefined,
): { readonly observed: string; readonly steps?: number } {
  const violation = failure?.run.violation;
  if (failure === undefined || violation === undefined || violation === null) return { observed: 'pass' };
  return {
    observed: `violation of ${violation.invariant}`,
    steps: shrink(system, failure.choices, { invariant: violation.invariant }).run.trace.length,
  };
}

/**
 * An exhaustive entry: the breadth-first search `check --strategy
 * exhaustive` runs (engine/strategies/bfs.ts, depth `maxSteps`, state budget
 * {@link EXHAUSTIVE_MAX_STATES}), called directly so the result can say what
 * ended a search without a violation: a depth bound is part of what the
 * entry declares, a state budget is not.
 */
function runExhaustiveEntry(e: VariantEntry, maxStates: number): VariantResult {
  const start = performance.now();
  const system = variantSystem(e);
  const r = bfsSearch(system, { maxStates, maxDepth: e.maxSteps });
  const { observed, steps } = verdictOf(system, r.failure);
  const cut = r.failure !== undefined ? undefined : r.complete ? 'none' : r.nodes >= maxStates ? 'budget' : 'depth';
  return {
    entry: e,
    observed,
    ok: observed === e.expected && cut !== 'budget',
    ...(steps === undefined ? {} : { steps }),
    runs: r.runs,
    elapsedMs: Math.round(performance.now() - start),
    ...(cut === undefined ? {} : { cut }),
    states: r.nodes,
  };
}
