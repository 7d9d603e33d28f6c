/** Shrinking failing interleavings: fewer steps, fewer context switches, same invariant. */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../engine/strategies/index.ts';
import { shrink } from '../../engine/shrink.ts';
import { execute, switches } from '../../engine/system.ts';
import { FINDING, oneByOne, shortestLength, suiteSeed } from './helpers.ts';

const SEED = suiteSeed('shrink', 7);

describe('shrink', () => {
  it(`${FINDING}: shrinking a random run reduces steps and switches and keeps the failure`, () => {
    const system = oneByOne();
    const found = runCheck(system, { strategy: 'random', seed: SEED, runs: 2000, maxSteps: 200 });
    const choices = found.failure!.choices;
    const small = shrink(system, choices);
    expect(small.before.steps).toBe(choices.length);
    expect(small.after.steps).toBeLessThan(small.before.steps);
    expect(small.after.switches).toBeLessThan(small.before.switches);
    expect(small.after.steps).toBeLessThanOrEqual(Math.floor(1.5 * shortestLength()));
    // The shrunk schedule replays strictly (every choice enabled) to the same failure.
    const again = execute(system, small.choices);
    expect(again.error).toBeUndefined();
    expect(again.violation?.invariant).toBe(FINDING);
    expect(switches(again.trace)).toBe(small.after.switches);
  });

  it('is deterministic: the same input gives the same shrunk schedule', () => {
    const system = oneByOne();
    const found = runCheck(system, { strategy: 'pct', seed: SEED, runs: 200, maxSteps: 200 });
    const a = shrink(system, found.failure!.choices);
    const b = shrink(system, found.failure!.choices);
    expect(b.choices.map((c) => system.encodeChoice(c))).toEqual(a.choices.map((c) => system.encodeChoice(c)));
  });

  it('keeps the invariant it is given, even when a shorter run breaks another', () => {
    const system = oneByOne(undefined);
    const found = runCheck(system, { strategy: 'bounded', seed: 0, runs: 1, maxSteps: 200, preemptionBound: 3 });
    const inv = found.failure!.run.violation!.invariant;
    const small = shrink(system, found.failure!.choices, { invariant: inv });
    expect(small.run.violation?.invariant).toBe(inv);
  });

  it('refuses a schedule that does not fail', () => {
    const system = oneByOne();
    expect(() => shrink(system, [])).toThrow(/does not violate/);
  });
});
