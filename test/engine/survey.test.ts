/**
 * The survey (engine/survey.ts, `umcg-verify survey`): rounds of a check,
 * each excluding what the rounds before it found. What it finds on the
 * model must be what the exhaustive explorer finds (manifest/explore.json),
 * every finding must replay from its token, and the same options must give
 * the same answer.
 */
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../engine/manifest.ts';
import { replayToken } from '../../engine/replay.ts';
import { DEFAULT_PREEMPTION_BOUND } from '../../engine/strategies/bounded.ts';
import { DEFAULT_PCT_DEPTH } from '../../engine/strategies/pct.ts';
import { checkIds, survey, type SurveyCell, type SurveyOptions } from '../../engine/survey.ts';
import { DEFAULT_PROGRESS_BOUND } from '../../properties/registry.ts';
import { runCli } from '../helpers/cli.ts';

const MODEL_1X1: SurveyOptions = {
  target: 'model',
  base: { servers: 1, workers: 1, yield: true, locks: false, envBudget: 0, progressBound: DEFAULT_PROGRESS_BOUND, variant: 'v0.3' },
  profiles: ['contract'],
  memories: ['sc'],
  strategies: ['exhaustive', 'pct'],
  seed: 1,
  runs: 100,
  maxSteps: 200,
  maxStates: 200_000,
  rounds: 8,
  pctDepth: DEFAULT_PCT_DEPTH,
  preemptionBound: DEFAULT_PREEMPTION_BOUND,
};

const withoutTimes = (cells: readonly SurveyCell[]) => cells.map(({ elapsedMs: _, ...c }) => c);

describe('survey', () => {
  const cells = survey(MODEL_1X1);

  it('finds, round by round, distinct invariants; exhaustively, every one the explorer reports and more', () => {
    const entry = loadManifest().find(
      (e) => e.config.servers === 1 && e.config.workers === 1 && e.config.yield && e.config.profile === 'contract' && !e.config.locks,
    );
    expect(entry).toBeDefined();
    for (const c of cells) {
      const ids = c.findings.map((f) => f.invariant);
      expect(ids.length, `${c.strategy} finds something`).toBeGreaterThan(0);
      expect(new Set(ids).size, 'each round excludes what the rounds before it found').toBe(ids.length);
      expect(c.findings.map((f) => f.round)).toEqual(ids.map((_, i) => i + 1));
      expect(c.end).toBe('pass');
    }
    // The explorer stops at a violating state; the survey's later rounds
    // search past the invariants already found, so its exhaustive cell finds
    // at least the explorer's set. LIVE-BOUNDED-PROGRESS is the exception:
    // the explorer finds its cycle over the whole graph, a depth-bounded
    // search of 200 steps cannot exceed K = 256 code steps in a row.
    const exhaustive = new Set(cells.find((c) => c.strategy === 'exhaustive')!.findings.map((f) => f.invariant));
    for (const id of entry!.expected.violations ?? []) {
      if (id !== 'LIVE-BOUNDED-PROGRESS') expect(exhaustive.has(id), `${id} found by the exhaustive survey`).toBe(true);
    }
  });

  it('every finding replays from its token to a violation of its invariant, in its number of steps', () => {
    for (const c of cells) {
      for (const f of c.findings) {
        const r = replayToken(f.replay);
        expect(r.run.violation?.invariant, `${c.strategy} round ${f.round}`).toBe(f.invariant);
        expect(r.run.trace.length).toBe(f.steps);
      }
    }
  });

  it('is reproducible: the same options give the same findings and tokens', () => {
    expect(withoutTimes(survey(MODEL_1X1))).toEqual(withoutTimes(cells));
  });

  it('checks every registry invariant the profile applies to, plus the implementation checks on impl', () => {
    const model = checkIds('model', 'contract');
    const impl = checkIds('impl', 'contract');
    expect(impl.slice(0, model.length)).toEqual(model);
    expect(impl).toContain('REFINEMENT');
    // Under the adversarial profile only the invariants scoped `always` apply.
    const adversarial = checkIds('model', 'adversarial');
    expect(adversarial.length).toBeGreaterThan(0);
    expect(adversarial.length).toBeLessThan(model.length);
    for (const id of adversarial) expect(model).toContain(id);
  });

  it('CLI: a table with the findings and their replay commands; bad lists are one line and exit 2', async () => {
    const ok = await runCli(['survey', '--target', 'model', '--servers', '1', '--workers', '1', '--profile', 'contract', '--strategy', 'pct', '--runs', '50', '--seed', '1']);
    expect(ok.code).toBe(1);
    expect(ok.out).toMatch(/^survey model v0\.3 1x1 yield, seed 1/);
    expect(ok.out).toMatch(/umcg-verify replay uv1\.model\./);
    for (const bad of [
      ['survey', '--strategy', 'pct,dfs'],
      ['survey', '--target', 'model', '--memory', 'tso'],
      ['survey', '--profile', 'contract', '--env-budget', '2'],
      ['survey', '--rounds', '0'],
    ]) {
      const r = await runCli(bad);
      expect(r.code, bad.join(' ')).toBe(2);
      expect(r.err.trim().split('\n')).toHaveLength(1);
    }
  });
});
