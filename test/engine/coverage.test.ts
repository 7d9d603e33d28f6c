/** Coverage after a run: what was reached, how often, and what never was. */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../engine/strategies/index.ts';
import { formatCoverage } from '../../engine/coverage.ts';
import { makeModelSystem, MODEL_ROWS } from '../../engine/model-system.ts';
import { ONE_BY_ONE } from './helpers.ts';

describe('coverage', () => {
  it('reports reached rows with counts and the rows a contract run never reaches', () => {
    const system = makeModelSystem({ ...ONE_BY_ONE, yield: false, workers: 2 });
    const r = runCheck(system, { strategy: 'random', seed: 1, runs: 50, maxSteps: 100, coverage: true });
    const rows = r.coverage!.dimensions.find((d) => d.name === 'row')!;
    expect(rows.total).toBe(MODEL_ROWS.length);
    expect(rows.counts['W0']).toBe(100); // each of 2 workers registers once in each of 50 runs
    expect(rows.counts['W2']).toBeGreaterThan(0);
    // No yield, no locks, no environment: W4, W5, W7, W8 cannot happen.
    for (const never of ['W4', 'W5', 'W7', 'W8']) expect(rows.never).toContain(never);
    expect(rows.never).not.toContain('W2');
    const text = formatCoverage(r.coverage!).join('\n');
    expect(text).toMatch(/row: \d+ of 14 reached; never: .*W5/);
  });

  it('counts program counters and pc/state pairs of the reached states', () => {
    const system = makeModelSystem({ ...ONE_BY_ONE });
    const r = runCheck(system, { strategy: 'pct', seed: 1, runs: 5, maxSteps: 50, coverage: true });
    const pcs = r.coverage!.dimensions.find((d) => d.name === 'pc')!;
    expect(pcs.counts['worker wkr:register']).toBeGreaterThan(0);
    expect(pcs.never).toContain('worker dead');
    const pairs = r.coverage!.dimensions.find((d) => d.name === 'pc/state')!;
    expect(pairs.never).toBeUndefined();
    expect(Object.keys(pairs.counts).length).toBeGreaterThan(5);
  });
});
