/**
 * The bench's detection attempts (bench/detect.ts) and their summaries
 * (bench/stats.ts): PCT runs what `check --strategy pct` runs, BFS gives a
 * shortest trace that the other strategies cannot beat, and an attempt that
 * gave up is reported as such, never as a number it did not reach.
 */
import { describe, expect, it } from 'vitest';
import { shrink } from '../../engine/shrink.ts';
import { runCheck } from '../../engine/strategies/index.ts';
import { loadVariantsManifest, variantSystem, type VariantEntry } from '../../engine/variants-manifest.ts';
import { bfsDetect, boundedDetect, expectedInvariant, randomisedDetect } from '../../bench/detect.ts';
import { summarize, summarizeDetection } from '../../bench/stats.ts';

function entry(variant: string): VariantEntry {
  return loadVariantsManifest().find((e) => e.variant === variant && expectedInvariant(e) !== undefined)!;
}

describe('detection attempts (bench/detect.ts)', () => {
  it('expectedInvariant reads "violation of ID" and nothing from "pass"', () => {
    expect(expectedInvariant({ ...entry('B-LOST-WAKE'), expected: 'violation of LIVE-NO-LOST-WAKEUP' })).toBe('LIVE-NO-LOST-WAKEUP');
    expect(expectedInvariant({ ...entry('B-LOST-WAKE'), expected: 'pass' })).toBeUndefined();
  });

  it('LIVE-NO-LOST-WAKEUP: PCT stops at the run `check --strategy pct` reports, from the same seed', () => {
    const e = entry('B-SRV-ORDER');
    const system = variantSystem(e);
    for (const seed of [1, 2, 3]) {
      const d = randomisedDetect(system, 'pct', { seed, maxRuns: 500, maxSteps: e.maxSteps, invariant: 'LIVE-NO-LOST-WAKEUP' });
      const c = runCheck(system, { strategy: 'pct', seed, runs: 500, maxSteps: e.maxSteps });
      expect(d.found).toBe(true);
      expect(c.failure?.run.violation?.invariant).toBe('LIVE-NO-LOST-WAKEUP');
      expect(d.runs).toBe(c.failure!.runIndex! + 1);
      expect(d.steps).toBe(c.failure!.run.trace.length);
    }
  });

  it('LIVE-NO-LOST-WAKEUP: no shrunk PCT failure and no bounded-DFS failure is shorter than the BFS trace', () => {
    const e = entry('B-LOST-WAKE');
    const system = variantSystem(e);
    const inv = 'LIVE-NO-LOST-WAKEUP';
    const bfs = bfsDetect(system, { maxSteps: e.maxSteps, maxStates: 2_000_000, invariant: inv });
    expect(bfs).toMatchObject({ found: true, runs: 1 });
    const pct = randomisedDetect(system, 'pct', { seed: 1, maxRuns: 500, maxSteps: e.maxSteps, invariant: inv });
    const shrunk = shrink(system, pct.choices!, { invariant: inv, maxAttempts: 500 });
    expect(shrunk.run.trace.length).toBeGreaterThanOrEqual(bfs.steps!);
    const bounded = boundedDetect(system, { maxSteps: e.maxSteps, maxNodes: 2_000_000, invariant: inv });
    expect(bounded.found).toBe(true);
    expect(bounded.steps!).toBeGreaterThanOrEqual(bfs.steps!);
  });

  it('an attempt that exhausts its cap is not found, and spent the whole cap', () => {
    const e = entry('B-LOST-WAKE');
    const system = variantSystem(e);
    const d = randomisedDetect(system, 'pct', { seed: 1, maxRuns: 5, maxSteps: e.maxSteps, invariant: 'INV-LIST-NO-DUPLICATE' });
    expect(d).toMatchObject({ found: false, runs: 5 });
    expect(d.choices).toBeUndefined();
    const b = boundedDetect(system, { maxSteps: e.maxSteps, maxNodes: 50, invariant: 'LIVE-NO-LOST-WAKEUP' });
    expect(b).toMatchObject({ found: false, complete: false });
  });
});

describe('summaries (bench/stats.ts)', () => {
  it('median, minimum and maximum, odd and even counts', () => {
    expect(summarize([5, 1, 3])).toEqual({ n: 3, median: 3, min: 1, max: 5 });
    expect(summarize([4, 1, 3, 2])).toEqual({ n: 4, median: 2.5, min: 1, max: 4 });
    expect(() => summarize([])).toThrow(RangeError);
  });

  it('an attempt that gave up sorts after every hit: the median exists only while most attempts found the bug', () => {
    const hit = (runs: number) => ({ found: true, runs, ms: runs * 10 });
    const miss = { found: false, runs: 100, ms: 1000 };
    const some = summarizeDetection([hit(1), hit(2), hit(3), miss, miss]);
    expect(some).toMatchObject({ attempts: 5, found: 3, runs: { median: 3, min: 1, max: 3 }, gaveUpAfter: { runs: 100, ms: 1000 } });
    const few = summarizeDetection([hit(1), hit(2), miss, miss]);
    expect(few.runs?.median).toBeUndefined();
    expect(few.runs).toMatchObject({ min: 1, max: 2 });
    const none = summarizeDetection([miss]);
    expect(none).toEqual({ attempts: 1, found: 0, gaveUpAfter: { runs: 100, ms: 1000 } });
  });
});
