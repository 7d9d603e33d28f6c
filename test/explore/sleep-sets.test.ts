/**
 * Sleep sets change how many transitions the explorer takes and nothing
 * else (engine/explore.ts, the Explorer's comment): on every manifest
 * configuration, with and without them, the same states (count, depth,
 * quiescent and corrupt states), the same violations with the same traces
 * and witnesses, and every enabled transition either taken or skipped.
 */
import { describe, expect, it } from 'vitest';
import { explore, type ExploreOptions, type ExploreResult } from '../../engine/explore.ts';
import { configName, loadManifest, manifestOptions } from '../../engine/manifest.ts';

/** Everything of a result but the transition counts and the timings. */
function outcome(r: ExploreResult): unknown {
  return {
    verdict: r.verdict,
    complete: r.complete,
    stoppedBy: r.stoppedBy,
    distinctStates: r.distinctStates,
    depth: r.depth,
    quiescentStates: r.quiescentStates,
    corruptStates: r.corruptStates,
    longestQuietRun: r.longestQuietRun,
    partCounts: r.partCounts,
    violations: r.violations.map((v) => ({
      invariant: v.invariant,
      witness: v.witness,
      trace: v.trace.map((t) => `${t.task} ${t.row} ${t.label}`),
    })),
  };
}

function both(opts: ExploreOptions): { reduced: ExploreResult; full: ExploreResult } {
  return { reduced: explore({ ...opts, sleepSets: true }), full: explore({ ...opts, sleepSets: false }) };
}

describe('sleep sets', () => {
  for (const e of loadManifest()) {
    it(`${configName(e.config)}: the same states, violations and traces, fewer transitions`, () => {
      const { reduced, full } = both(manifestOptions(e.config));
      expect(outcome(reduced)).toEqual(outcome(full));
      expect(full.skippedTransitions).toBe(0);
      expect(full.sleepSets).toBe(false);
      expect(reduced.skippedTransitions).toBeGreaterThan(0);
      // Every enabled transition of every expanded state is taken or skipped.
      expect(reduced.transitions + reduced.skippedTransitions).toBe(full.transitions);
      // Where no state is a dead end they stay on to the end, and skip much.
      if (reduced.sleepSets) expect(reduced.skippedTransitions).toBeGreaterThan(full.transitions / 4);
    }, 600_000);
  }

  it('stop at the first violation with the same shortest trace', () => {
    for (const [servers, workers, yieldOn] of [
      [1, 1, true],
      [1, 2, true],
      [2, 2, false],
    ] as const) {
      const e = loadManifest().find((x) => x.config.servers === servers && x.config.workers === workers && x.config.yield === yieldOn && x.config.fixes === undefined)!;
      const { reduced, full } = both({ ...manifestOptions(e.config), stopAtFirst: true });
      expect(reduced.stoppedBy).toBe('violation');
      expect(outcome(reduced)).toEqual(outcome(full));
    }
  });

  it('are turned off from the level after the first dead end (a state that breaks a state invariant is not expanded)', () => {
    const e = loadManifest().find((x) => x.config.servers === 1 && x.config.workers === 2 && x.config.yield && x.config.fixes === undefined)!;
    expect(e.expected.violations).toContain('INV-LIST-NO-DUPLICATE');
    const r = explore(manifestOptions(e.config));
    expect(r.sleepSets).toBe(false);
    expect(r.skippedTransitions).toBeGreaterThan(0);
  });
});
