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
import type { FocusName } from './strategies/focus.ts';
import { runCheck, type CheckOptions, type StrategyName } from './strategies/index.ts';
import { DEFAULT_PCT_DEPTH } from './strategies/pct.ts';
import { shrink } from './shrink.ts';
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
}

export const VARIANTS_MANIFEST_PATH = join(projectRoot(), 'manifest', 'variants.json');

export function loadVariantsManifest(path = VARIANTS_MANIFEST_PATH): VariantEntry[] {
  return JSON.parse(readFileSync(path, 'utf8')) as VariantEntry[];
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

export function runVariantEntry(e: VariantEntry): VariantResult {
  const start = performance.now();
  const system = variantSystem(e);
  const r = runCheck(system, checkOptionsOf(e));
  const violation = r.failure?.run.violation;
  const observed = violation === undefined || violation === null ? 'pass' : `violation of ${violation.invariant}`;
  const steps =
    r.failure === undefined || violation === undefined || violation === null
      ? undefined
      : shrink(system, r.failure.choices, { invariant: violation.invariant }).run.trace.length;
  return {
    entry: e,
    observed,
    ok: observed === e.expected,
    ...(steps === undefined ? {} : { steps }),
    runs: r.runs,
    elapsedMs: Math.round(performance.now() - start),
  };
}
