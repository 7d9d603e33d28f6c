/** The implementation target (engine/impl-system.ts): runs, replay tokens, and the CLI paths of check and explore. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeImplSystem, REFINEMENT_ID, type ImplSystemOptions } from '../../engine/impl-system.ts';
import { encodeToken, replayToken } from '../../engine/replay.ts';
import { runCheck } from '../../engine/strategies/index.ts';
import type { StepSystem } from '../../engine/system.ts';
import { runCli } from '../helpers/cli.ts';

const ONE_BY_ONE: ImplSystemOptions = { servers: 1, workers: 1, memory: 'sc', profile: 'contract', yield: false, locks: false, envBudget: 0 };

const run = runCli;

afterEach(() => vi.restoreAllMocks());

describe('the impl step system', () => {
  it(`${REFINEMENT_ID}: 300 random runs of 1 server x 1 worker, no yield, SC, refine the model and keep every invariant`, () => {
    const sys = makeImplSystem(ONE_BY_ONE);
    // A fixed seed: the breadth-first search does reach a refinement failure
    // on this configuration (42 steps, see docs/exploration.md), which
    // uniform random runs almost never hit.
    const o = runCheck(sys, { strategy: 'random', seed: 1, runs: 300, maxSteps: 300 });
    expect(o.failure?.run.violation ?? null).toBeNull();
    expect(o.steps).toBeGreaterThan(30_000);
  });

  it(`${REFINEMENT_ID}: with yield on 1 x 1, PCT finds a violation (the stale-ttwu double push or a refinement failure) within 2000 runs`, () => {
    const sys = makeImplSystem({ ...ONE_BY_ONE, yield: true });
    const o = runCheck(sys, { strategy: 'pct', seed: 1, runs: 2000, maxSteps: 60, pctDepth: 4 });
    expect(o.verdict).toBe('violation');
    expect(o.failure?.run.violation?.invariant).toMatch(/^(REFINEMENT|INV-)/);
  });

  it('a replay token from an impl check round-trips: same configuration, same trace, same violation', () => {
    const sys = makeImplSystem({ ...ONE_BY_ONE, yield: true });
    const o = runCheck(sys, { strategy: 'pct', seed: 1, runs: 2000, maxSteps: 60, pctDepth: 4 });
    const failure = o.failure!;
    const token = encodeToken(sys, failure.choices);
    expect(token.startsWith('uv1.impl.')).toBe(true);
    const again = replayToken(token);
    expect(again.target).toBe('impl');
    expect(again.config).toEqual(sys.config);
    expect(again.run.violation).toEqual(failure.run.violation);
    const texts = (t: readonly { readonly text: string; readonly label: string }[]) => t.map((e) => `${e.text} ${e.label}`);
    expect(texts(again.run.trace)).toEqual(texts(failure.run.trace));
  });

  it('choices encode to [A-Za-z0-9]+ and decode back, under TSO (drains) too', () => {
    const sys = makeImplSystem({ ...ONE_BY_ONE, memory: 'tso' }) as unknown as StepSystem<unknown, unknown>;
    let s = sys.initial();
    for (let i = 0; i < 40; i++) {
      const cs = sys.choices(s);
      if (cs.length === 0) break;
      for (const c of cs) {
        const text = sys.encodeChoice(c);
        expect(text).toMatch(/^[A-Za-z0-9]+$/);
        expect(sys.encodeChoice(sys.decodeChoice(text))).toBe(text);
      }
      s = sys.step(s, cs[cs.length - 1]).next;
    }
  });
});

describe('umcg-verify explore --target impl and check --target impl', () => {
  it('explore --target impl on 1 x 1 no-yield prints one JSON object with target impl', async () => {
    const r = await run(['explore', '--target', 'impl', '--servers', '1', '--workers', '1', '--no-yield', '--json']);
    expect([0, 1, 3]).toContain(r.code);
    const obj = JSON.parse(r.out) as Record<string, unknown>;
    expect(obj).toMatchObject({ target: 'impl', servers: 1, workers: 1, memory: 'sc' });
    expect(typeof obj['distinctStates']).toBe('number');
    expect(typeof obj['depth']).toBe('number');
    expect(obj['verdict']).toMatch(/^(pass|violation|incomplete)$/);
  });

  it('explore --target impl stops at --max-states with exit 3', async () => {
    const r = await run(['explore', '--target', 'impl', '--servers', '1', '--workers', '1', '--no-yield', '--max-states', '50', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.out)).toMatchObject({ target: 'impl', verdict: 'incomplete' });
  });

  it('a bad --memory value exits 2 with one line on stderr', async () => {
    for (const cmd of ['explore', 'check']) {
      const r = await run([cmd, '--target', 'impl', '--servers', '1', '--workers', '1', '--memory', 'pso']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--memory must be one of sc, tso/);
    }
  });
});

describe('coverage of the implementation target', () => {
  it('reports model rows and program counters reached through the abstraction, and those never reached', async () => {
    const r = await runCli(['check', '--target', 'impl', '--servers', '1', '--workers', '1', '--no-yield', '--strategy', 'random', '--runs', '10', '--seed', '1', '--coverage']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/row: \d+ of \d+ reached; never: .*W4/);
    expect(r.out).toMatch(/\bW2\b/);
    expect(r.out).toMatch(/pc: \d+ of \d+ reached/);
  });
});
