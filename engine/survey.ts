/**
 * A survey: what one variant breaks, found by search, under every strategy.
 *
 * A check stops at its first violation, so a single run of `check` shows
 * one problem and hides the rest. A survey runs the check in rounds: after
 * a round finds a violation of invariant X it shrinks the schedule, records
 * it (with its replay token), and runs the next round with X excluded from
 * the checked set. It stops when a round passes, when every check is
 * excluded, or after `rounds` rounds. It does this for every cell of
 * profile × memory model × strategy, so the table says which strategy
 * finds what, and every row is reproducible from its token.
 *
 * Nothing is assumed about the answer: the set of invariants is whatever
 * the rounds find. Excluding a found invariant is how a survey looks past
 * it, not a claim that it no longer matters; a finding reached only after
 * an exclusion says so (`round` > 1).
 */
import { INVARIANTS } from '../properties/registry.ts';
import { appliesTo } from '../properties/invariant.ts';
import type { Profile } from '../model/types.ts';
import { IMPL_CHECK_IDS } from './impl-system.ts';
import { encodeToken } from './replay.ts';
import { shrink } from './shrink.ts';
import { runCheck, type StrategyName } from './strategies/index.ts';
import { execute, type StepSystem, type SystemConfig } from './system.ts';
import { buildSystem } from './targets.ts';

export interface SurveyOptions {
  readonly target: 'model' | 'impl';
  /**
   * The system configuration without `profile`, `memory` and `only` (those
   * vary per cell and round); its `envBudget` applies to the adversarial
   * profile, the contract profile has none.
   */
  readonly base: SystemConfig;
  readonly profiles: readonly Profile[];
  /** Memory models (the impl target); the model target runs `sc` only. */
  readonly memories: readonly ('sc' | 'tso')[];
  readonly strategies: readonly StrategyName[];
  readonly seed: number;
  readonly runs: number;
  readonly maxSteps: number;
  /** Node/state budget of the search strategies. */
  readonly maxStates: number;
  /** At most this many rounds (findings) per cell. */
  readonly rounds: number;
  readonly pctDepth: number;
  readonly preemptionBound: number;
}

export interface SurveyFinding {
  readonly invariant: string;
  /** The witness sentence of the shrunk run. */
  readonly message: string;
  /** 1-based: the round that found it (round r excluded the r-1 found before it). */
  readonly round: number;
  /** Steps of the shrunk schedule. */
  readonly steps: number;
  /** Runs (randomised) or paths (search) of the round until the violation. */
  readonly runs: number;
  readonly replay: string;
}

export interface SurveyCell {
  readonly profile: Profile;
  readonly memory: 'sc' | 'tso';
  readonly strategy: StrategyName;
  readonly findings: readonly SurveyFinding[];
  /** How the last round ended: a pass, the search budget ran out, every check excluded, or the round limit. */
  readonly end: 'pass' | 'budget' | 'exhausted' | 'rounds';
  readonly elapsedMs: number;
}

/** Every check a system of `target` runs under `profile`: the registry's applicable IDs, then the impl-only checks. */
export function checkIds(target: 'model' | 'impl', profile: Profile): string[] {
  const registry = INVARIANTS.filter((i) => appliesTo(i, profile)).map((i) => i.id);
  return target === 'impl' ? [...registry, ...IMPL_CHECK_IDS] : registry;
}

export function surveyCell(o: SurveyOptions, profile: Profile, memory: 'sc' | 'tso', strategy: StrategyName): SurveyCell {
  const start = performance.now();
  const all = checkIds(o.target, profile);
  const found: SurveyFinding[] = [];
  let end: SurveyCell['end'] = 'rounds';
  for (let round = 1; round <= o.rounds; round++) {
    const only = all.filter((id) => !found.some((f) => f.invariant === id));
    if (only.length === 0) {
      end = 'exhausted';
      break;
    }
    // The contract profile has no environment events: its budget is 0.
    const envBudget = profile === 'adversarial' ? o.base['envBudget'] ?? 1 : 0;
    const config: SystemConfig = { ...o.base, profile, envBudget, ...(o.target === 'impl' ? { memory } : {}), only };
    const sys: StepSystem<unknown, unknown> = buildSystem(o.target, config);
    const outcome = runCheck(sys, {
      strategy,
      seed: o.seed,
      runs: o.runs,
      maxSteps: o.maxSteps,
      maxStates: o.maxStates,
      pctDepth: o.pctDepth,
      preemptionBound: o.preemptionBound,
    });
    const violation = outcome.failure?.run.violation;
    if (outcome.failure === undefined || violation == null) {
      end = outcome.complete ? 'pass' : 'budget';
      break;
    }
    const small = shrink(sys, outcome.failure.choices, { invariant: violation.invariant });
    // The token names the one invariant found: the schedule stops at its
    // violation either way (checks never change a step), and a short
    // `only` reads better than the round's complement. Kept only if the
    // replay agrees.
    const alone = buildSystem(o.target, { ...config, only: [violation.invariant] });
    const again = execute(alone, small.choices);
    const replaySys = again.violation?.invariant === violation.invariant && again.trace.length === small.choices.length ? alone : sys;
    found.push({
      invariant: violation.invariant,
      message: small.run.violation?.message ?? violation.message,
      round,
      steps: small.choices.length,
      runs: outcome.runs,
      replay: encodeToken(replaySys, small.choices),
    });
  }
  return { profile, memory, strategy, findings: found, end, elapsedMs: Math.round(performance.now() - start) };
}

/** Every cell, in the order profile, memory, strategy; `onCell` sees each as it finishes. */
export function survey(o: SurveyOptions, onCell?: (c: SurveyCell) => void): SurveyCell[] {
  const cells: SurveyCell[] = [];
  const memories = o.target === 'impl' ? o.memories : (['sc'] as const);
  for (const profile of o.profiles) {
    for (const memory of memories) {
      for (const strategy of o.strategies) {
        const c = surveyCell(o, profile, memory, strategy);
        onCell?.(c);
        cells.push(c);
      }
    }
  }
  return cells;
}
