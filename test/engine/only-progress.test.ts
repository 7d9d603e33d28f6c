/**
 * `only` without LIVE-BOUNDED-PROGRESS: a run of more than K code steps
 * ends the run (it stalls) instead of reporting the property the check was
 * told not to check. B-ALIGN's kernel loop never ends, so it is the test
 * case: with LIVE-BOUNDED-PROGRESS selected it is a violation, without it
 * every strategy passes and every randomised run still ends.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PREEMPTION_BOUND } from '../../engine/strategies/bounded.ts';
import { runCheck, type StrategyName } from '../../engine/strategies/index.ts';
import { DEFAULT_PCT_DEPTH } from '../../engine/strategies/pct.ts';
import { PROGRESS_ID } from '../../engine/system.ts';
import { implOneByOne } from './helpers.ts';

const system = (only: readonly string[]) => implOneByOne('B-ALIGN', only, { progressBound: 64 });

const check = (only: readonly string[], strategy: StrategyName) =>
  runCheck(system(only), { strategy, seed: 1, runs: 20, maxSteps: 200, maxStates: 20_000, pctDepth: DEFAULT_PCT_DEPTH, preemptionBound: DEFAULT_PREEMPTION_BOUND });

describe('--only without LIVE-BOUNDED-PROGRESS', () => {
  it('B-ALIGN violates LIVE-BOUNDED-PROGRESS when it is checked', () => {
    const r = check([PROGRESS_ID], 'pct');
    expect(r.verdict).toBe('violation');
    expect(r.failure?.run.violation?.invariant).toBe(PROGRESS_ID);
  });

  for (const strategy of ['random', 'pct', 'bounded', 'exhaustive'] as const) {
    it(`${strategy}: the same spin stalls the run and is not reported`, () => {
      const sys = system(['INV-SINGLE-RUNNING']);
      expect(sys.checksProgress).toBe(false);
      const r = check(['INV-SINGLE-RUNNING'], strategy);
      expect(r.verdict).toBe('pass');
      expect(r.runs).toBeGreaterThan(0);
    });
  }
});
