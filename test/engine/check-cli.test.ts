/** `umcg-verify check`, `replay` and `list` through main(): JSON shape, determinism, exit codes. */
import { describe, expect, it } from 'vitest';
import { GALLERY } from '../../impl/state.ts';
import { runCli } from '../helpers/cli.ts';
import { FINDING, suiteSeed, useTempStore } from './helpers.ts';

const SEED = suiteSeed('check-cli', 7);


const run = runCli;

const currentStore = useTempStore();

const KEYS = ['variant', 'profile', 'memory', 'strategy', 'seed', 'verdict', 'invariant', 'steps', 'runs', 'elapsedMs', 'replay'];

describe('umcg-verify check', () => {
  it(`${FINDING}: --json prints one object with the documented keys and exits 1 on a violation`, async () => {
    const r = await run(['check', '--variant', 'v0.3', '--profile', 'contract', '--memory', 'sc', '--strategy', 'pct', '--seed', String(SEED), '--runs', '200', '--servers', '1', '--workers', '1', '--only', FINDING, '--json']);
    expect(r.code).toBe(1);
    expect(r.out.trim().split('\n')).toHaveLength(1);
    const o = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(o)).toEqual(KEYS);
    expect(o).toMatchObject({ variant: 'v0.3', profile: 'contract', memory: 'sc', strategy: 'pct', seed: SEED, verdict: 'violation', invariant: FINDING });
    expect(o['replay']).toMatch(/^uv1\./);
  });

  it('the header says what the implementation runs check: REFINEMENT under both memory models, unless --only leaves it out', async () => {
    const head = async (...extra: string[]) =>
      (await run(['check', '--target', 'impl', '--strategy', 'random', '--seed', '1', '--runs', '1', '--max-steps', '5', '--servers', '1', '--workers', '1', ...extra])).out.split('\n')[1];
    expect(await head('--memory', 'sc')).toMatch(/^  memory sc, 2 CPUs, every check: every step checked for refinement of the model \(REFINEMENT\)/);
    expect(await head('--memory', 'tso')).toMatch(/^  memory tso, 2 CPUs, every check: every step checked for refinement of the model \(REFINEMENT; the abstract state is memory without the store buffers/);
    expect(await head('--memory', 'tso', '--only', 'LIVE-NO-LOST-WAKEUP')).toBe('  memory tso, 2 CPUs, only LIVE-NO-LOST-WAKEUP; REFINEMENT not selected');
  });

  it('a long --only list still saves its failure (the store names it by a digest) and replays it first', async () => {
    const list = (await run(['list', '--json'])).out;
    const ids = (JSON.parse(list) as { invariants: { id: string; scope: string }[] }).invariants.map((i) => i.id);
    const args = ['check', '--strategy', 'pct', '--seed', String(SEED), '--runs', '200', '--servers', '1', '--workers', '1', '--only', ids.join(','), '--json'];
    const first = await run(args);
    expect(first.code, first.err).toBe(1);
    const again = await run(args);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.out)).toMatchObject({ replay: (JSON.parse(first.out) as { replay: string }).replay });
  });

  it('the same command with the same seed prints the same JSON except elapsedMs', async () => {
    for (const strategy of ['random', 'pct', 'bounded']) {
      const args = ['check', '--strategy', strategy, '--seed', String(SEED), '--runs', '300', '--servers', '1', '--workers', '1', '--bound', '3', '--json'];
      const strip = (text: string) => {
        const o = JSON.parse(text) as Record<string, unknown>;
        delete o['elapsedMs'];
        return o;
      };
      const a = strip((await run(args)).out);
      currentStore().cleanup(); // a fresh store: the second run searches again instead of replaying the first's failure
      const b = strip((await run(args)).out);
      expect(b, strategy).toEqual(a);
    }
  });

  it('a passing configuration exits 0 with verdict pass and no invariant', async () => {
    const r = await run(['check', '--strategy', 'random', '--seed', '1', '--runs', '20', '--no-yield', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(o)).toEqual(['variant', 'profile', 'memory', 'strategy', 'seed', 'verdict', 'runs', 'elapsedMs']);
    expect(o['runs']).toBe(20);
  });

  it('--shard i/n runs its share of the runs', async () => {
    const r = await run(['check', '--strategy', 'random', '--seed', '1', '--runs', '20', '--no-yield', '--shard', '2/3', '--json']);
    // Run indices 1, 4, ..., 19 of 0..19.
    expect(JSON.parse(r.out)).toMatchObject({ verdict: 'pass', runs: 7 });
  });

  it.each([
    [['check', '--variant', 'v0.4'], /--variant must be one of v0\.3/],
    [['check', '--strategy', 'dfs'], /--strategy must be one of random, pct, bounded, exhaustive/],
    [['check', '--seed', '-1'], /--seed/],
    [['check', '--shard', '4/3'], /--shard must be i\/n/],
    [['check', '--strategy', 'exhaustive', '--shard', '1/2'], /does not apply/],
    [['check', '--target', 'gpu'], /--target must be one of model, impl/],
    [['check', '--cpus', '2'], /--cpus applies to --target impl/],
    [['check', '--only', 'INV-NOPE'], /unknown invariant/],
  ])('bad input %j exits 2 with one line on stderr', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
  });

  it(`${FINDING}: the text output shows the timeline, the replay command and coverage`, async () => {
    const r = await run(['check', '--strategy', 'exhaustive', '--servers', '1', '--workers', '1', '--only', FINDING, '--mermaid']);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`violated: ${FINDING}`);
    expect(r.out).toMatch(/replay: umcg-verify replay uv1\./);
    expect(r.out).toContain('sequenceDiagram');
    expect(r.out).toContain('--memory applies to --target impl');
  });
});

describe('umcg-verify list', () => {
  it('lists variants, profiles, strategies and every invariant', async () => {
    const r = await run(['list', '--json']);
    expect(r.code).toBe(0);
    const o = JSON.parse(r.out) as { variants: string[]; modelVariants: string[]; strategies: string[]; invariants: { id: string }[] };
    expect(o.variants.slice(0, 5)).toEqual(['v0.3', 'B-TSO-DEKKER', 'B-LOST-WAKE', 'B-LOST-WAKE-WAITER', 'B-SRV-ORDER']);
    expect(o.variants).toEqual(GALLERY.map((v) => v.name));
    expect(o.modelVariants).toEqual(['v0.3']);
    expect(o.strategies).toEqual(['random', 'pct', 'bounded', 'exhaustive']);
    expect(o.invariants.map((i) => i.id)).toContain(FINDING);
  });
});
