/**
 * The fast-check baseline of the bench (bench/baseline.ts): fc.commands with
 * one "take an enabled choice, picked uniformly" command. It must find a
 * known bug, count runs the way fast-check does, be reproducible from its
 * seed, say honestly when it gave up, and count a run that broke another
 * invariant as a run that did not find the wanted one.
 */
import { describe, expect, it } from 'vitest';
import type { StepSystem } from '../../engine/system.ts';
import { loadVariantsManifest, variantSystem } from '../../engine/variants-manifest.ts';
import { baselineCheck } from '../../bench/baseline.ts';
import { implOneByOne, suiteSeed } from '../engine/helpers.ts';

const LOST = 'LIVE-NO-LOST-WAKEUP';

function waiterSystem(): StepSystem<unknown, unknown> {
  const entry = loadVariantsManifest().find((e) => e.variant === 'B-LOST-WAKE-WAITER')!;
  return variantSystem(entry);
}

describe('fast-check baseline (bench/baseline.ts)', () => {
  it('LIVE-NO-LOST-WAKEUP: finds the lost wakeup of B-LOST-WAKE-WAITER and reproduces it from its seed', () => {
    const seed = suiteSeed('bench-baseline', 1);
    const system = waiterSystem();
    const a = baselineCheck(system, { seed, maxRuns: 2000, maxCommands: 200, invariant: LOST });
    expect(a.found, `seed ${seed}`).toBe(true);
    expect(a.violation?.invariant).toBe(LOST);
    expect(a.runs).toBeGreaterThanOrEqual(1);
    expect(a.runs).toBeLessThanOrEqual(2000);
    expect(a.steps).toBeGreaterThan(0);
    const b = baselineCheck(system, { seed, maxRuns: 2000, maxCommands: 200, invariant: LOST });
    expect({ runs: b.runs, steps: b.steps, message: b.violation?.message }).toEqual({ runs: a.runs, steps: a.steps, message: a.violation?.message });
  });

  it('LIVE-NO-LOST-WAKEUP: reports not found after every run when v0.3 keeps it (1x1, SC)', () => {
    const system = implOneByOne('v0.3', [LOST]) as unknown as StepSystem<unknown, unknown>;
    const r = baselineCheck(system, { seed: 7, maxRuns: 30, maxCommands: 100, invariant: LOST });
    expect(r).toMatchObject({ found: false, runs: 30 });
    expect(r.violation).toBeUndefined();
  });

  it('a run that breaks another invariant does not count as finding the wanted one', () => {
    // Every violation of this system is LIVE-NO-LOST-WAKEUP (its only check
    // besides LIVE-BOUNDED-PROGRESS), so asking for another ID finds nothing.
    const r = baselineCheck(waiterSystem(), { seed: 3, maxRuns: 40, maxCommands: 200, invariant: 'INV-LIST-NO-DUPLICATE' });
    expect(r.found).toBe(false);
    expect(r.runs).toBe(40);
    expect(r.otherViolations).toBeGreaterThan(0);
  });

  it('LIVE-NO-LOST-WAKEUP: fast-check shrinking keeps the violation and never lengthens the trace', () => {
    const r = baselineCheck(waiterSystem(), { seed: 2, maxRuns: 2000, maxCommands: 200, invariant: LOST, shrink: true, shrinkLimitMs: 1000 });
    expect(r.found).toBe(true);
    expect(r.shrunkSteps).toBeGreaterThan(0);
    expect(r.shrunkSteps!).toBeLessThanOrEqual(r.steps!);
    expect(r.shrinks).toBeGreaterThanOrEqual(0);
  });
});
