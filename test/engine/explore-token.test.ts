/**
 * Replay tokens for the model explorer's violations: the token replays the
 * explorer's shortest trace step for step and stops with the same invariant;
 * for an endless run (LIVE-BOUNDED-PROGRESS on a cycle) it goes round the
 * cycle until the run passes the progress bound.
 */
import { describe, expect, it } from 'vitest';
import { explore, type ExploreOptions } from '../../engine/explore.ts';
import { explorerToken } from '../../engine/explore-token.ts';
import { replayToken } from '../../engine/replay.ts';
import { DEFAULT_PROGRESS_BOUND } from '../../properties/registry.ts';
import { FINDING } from './helpers.ts';

const base: ExploreOptions = {
  servers: 1,
  workers: 1,
  profile: 'contract',
  yield: true,
  locks: false,
  envBudget: 0,
  progressBound: DEFAULT_PROGRESS_BOUND,
  maxStates: 1_000_000,
  stopAtFirst: false,
};

describe('explorerToken', () => {
  const all = explore(base);

  it(`${FINDING}: the token replays the explorer's shortest trace, step for step, to the same violation`, () => {
    const v = all.violations.find((x) => x.invariant === FINDING)!;
    const r = replayToken(explorerToken(base, v));
    expect(r.target).toBe('model');
    expect(r.config['only']).toEqual([FINDING]);
    expect(r.run.violation?.invariant).toBe(FINDING);
    expect(r.run.trace.map((e) => `${e.actor} [${e.row}] ${e.label}`)).toEqual(v.trace.map((t) => `${t.task} [${t.row}] ${t.label}`));
  });

  it('every violation of 1x1 with yield gets a token that reproduces its invariant', () => {
    expect(all.violations.length).toBeGreaterThan(1);
    for (const v of all.violations) expect(replayToken(explorerToken(base, v)).run.violation?.invariant).toBe(v.invariant);
  });

  it('LIVE-BOUNDED-PROGRESS on a cycle: the token goes round the cycle until more than K code steps run in a row', () => {
    const opts = { ...base, yield: false, progressBound: 100, only: ['LIVE-BOUNDED-PROGRESS'] };
    const v = explore(opts).violations[0]!;
    expect(v.witness.message).toContain('cycle');
    const r = replayToken(explorerToken(opts, v));
    expect(r.run.violation?.invariant).toBe('LIVE-BOUNDED-PROGRESS');
    expect(r.run.violation?.message).toContain('101 code steps in a row');
    // The replay starts with the explorer's trace and only continues it.
    expect(r.run.trace.slice(0, v.trace.length).map((e) => e.label)).toEqual(v.trace.map((t) => t.label));
    expect(r.run.trace.length).toBeGreaterThan(v.trace.length + 50);
  });

  it('rejects a trace that does not reproduce the violation it is said to show', () => {
    const v = all.violations.find((x) => x.invariant === FINDING)!;
    expect(() => explorerToken(base, { ...v, trace: v.trace.slice(0, -1) })).toThrow(/replays to no violation/);
  });
});
