/**
 * The strategies over the model step system: determinism of the seeded
 * runs, and how fast each finds the 1x1-with-yield finding.
 */
import { describe, expect, it } from 'vitest';
import { Rng, runSeed } from '../../engine/random.ts';
import { runCheck } from '../../engine/strategies/index.ts';
import { makeModelSystem } from '../../engine/model-system.ts';
import { FINDING, ONE_BY_ONE, oneByOne, shortestLength, suiteSeed } from './helpers.ts';

const SEED = suiteSeed('strategies', 7);

describe('seeded randomness', () => {
  it('the same seed gives the same numbers and different seeds different ones', () => {
    const a = new Rng(SEED);
    const b = new Rng(SEED);
    const xs = Array.from({ length: 100 }, () => a.u32());
    expect(Array.from({ length: 100 }, () => b.u32())).toEqual(xs);
    expect(new Rng(SEED + 1).u32()).not.toBe(xs[0]);
    expect(runSeed(SEED, 0)).not.toBe(runSeed(SEED, 1));
  });

  it('Rng.int stays in range and hits every value', () => {
    const r = new Rng(SEED);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const x = r.int(7);
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(7);
      seen.add(x);
    }
    expect(seen.size).toBe(7);
  });

  for (const strategy of ['random', 'pct'] as const) {
    it(`${strategy}: the same seed gives the same trace byte for byte`, () => {
      const run = () => runCheck(oneByOne(undefined), { strategy, seed: SEED, runs: 2000, maxSteps: 200 });
      const a = run();
      const b = run();
      expect(a.verdict).toBe('violation');
      expect(b.runs).toBe(a.runs);
      const text = (r: typeof a) => JSON.stringify(r.failure?.run.trace.map((t) => [t.text, t.actor, t.label]));
      expect(text(b)).toBe(text(a));
    });
  }
});

describe('strategies on the 1x1 yield finding', () => {
  it(`${FINDING}: uniform random finds it within 2,000 runs`, () => {
    const r = runCheck(oneByOne(), { strategy: 'random', seed: SEED, runs: 2000, maxSteps: 200 });
    expect(r.failure?.run.violation?.invariant).toBe(FINDING);
  });

  it(`${FINDING}: PCT (d=3) finds it within 200 runs`, () => {
    const r = runCheck(oneByOne(), { strategy: 'pct', seed: SEED, runs: 200, maxSteps: 200, pctDepth: 3 });
    expect(r.failure?.run.violation?.invariant).toBe(FINDING);
    console.log(`strategies: PCT found ${FINDING} in run ${r.runs}`);
  });

  // Under the CHESS definition (a switch away from a task that could still
  // run), the stale-ttwu race needs three preemptions: W1 after its push, S1
  // before its context switch, S1 after its ttwu.
  it(`${FINDING}: takes three preemptions: bound 2 explores everything without it, bound 3 finds it`, () => {
    const two = runCheck(oneByOne(), { strategy: 'bounded', seed: 0, runs: 1, maxSteps: 200, preemptionBound: 2 });
    expect(two.verdict).toBe('pass');
    expect(two.complete).toBe(true);
    const three = runCheck(oneByOne(), { strategy: 'bounded', seed: 0, runs: 1, maxSteps: 200, preemptionBound: 3 });
    expect(three.failure?.run.violation?.invariant).toBe(FINDING);
  });

  it(`${FINDING}: breadth-first search yields a shortest counterexample, as long as the model explorer's`, () => {
    const r = runCheck(oneByOne(), { strategy: 'exhaustive', seed: 0, runs: 1, maxSteps: 1000 });
    expect(r.failure?.run.violation?.invariant).toBe(FINDING);
    expect(r.failure?.choices.length).toBe(shortestLength());
  });

  it('a configuration without yield passes every strategy', () => {
    const sys = () => oneByOneWith({ yield: false });
    for (const strategy of ['random', 'pct', 'bounded', 'exhaustive'] as const) {
      const r = runCheck(sys(), { strategy, seed: SEED, runs: 30, maxSteps: 150 });
      expect(r.verdict, strategy).toBe('pass');
    }
  });

  it('sharded runs together are the unsharded runs', () => {
    const base = { strategy: 'random' as const, seed: SEED, runs: 40, maxSteps: 60 };
    const whole = runCheck(makeNoYield(), base);
    const parts = [0, 1, 2].map((index) => runCheck(makeNoYield(), { ...base, shard: { index, count: 3 } }));
    expect(parts.reduce((n, p) => n + p.runs, 0)).toBe(whole.runs);
    expect(parts.reduce((n, p) => n + p.steps, 0)).toBe(whole.steps);
  });

  it('the quiet phase ends every run at quiescence with code steps only', () => {
    const r = runCheck(makeNoYield(), { strategy: 'random', seed: SEED, runs: 1, maxSteps: 5 });
    expect(r.verdict).toBe('pass');
    expect(r.steps).toBeGreaterThan(5);
  });

});

function makeNoYield() {
  return oneByOneWith({ yield: false, workers: 2 });
}

function oneByOneWith(o: Partial<typeof ONE_BY_ONE>) {
  return makeModelSystem({ ...ONE_BY_ONE, ...o });
}
