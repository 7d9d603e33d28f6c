/**
 * PCT's refinements (engine/strategies/pct.ts, focus.ts): change points on
 * shared list accesses only (`--focus lists`) and revisit demotion
 * (`--demote-revisits`). Their semantics on a two-task toy system, the list
 * words the focus recognises, option parsing, and determinism on the
 * implementation. The B-ABA manifest entry that uses them (found within its
 * budget, v0.3 clean under the same one) runs in test/engine/variants.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { Rng, runSeed } from '../../engine/random.ts';
import { focusOf, isListWord, loadsListLink, touchesList } from '../../engine/strategies/focus.ts';
import { pctOptions, runCheck } from '../../engine/strategies/index.ts';
import { pctScheduler } from '../../engine/strategies/pct.ts';
import { runScheduled } from '../../engine/strategies/run.ts';
import type { StepSystem } from '../../engine/system.ts';
import { loadVariantsManifest, variantSystem } from '../../engine/variants-manifest.ts';
import { IDLE_SERVERS_HEAD, IDLE_WORKERS_HEAD, OFF_IDLE_SERVERS_PTR, OFF_IDLE_WORKERS_PTR, OFF_NEXT_TID, OFF_STATE, RUNTIME_LOCK, structOf } from '../../impl/layout.ts';
import { runCli } from '../helpers/cli.ts';

/**
 * Two tasks, A and B. A takes `lengthA` steps; its third step loads the
 * idle_workers head (a focused step), every other step a word of its own.
 * B takes 10 steps, except that while A has taken fewer than `waitFor`
 * steps B's step changes nothing (B spins on A, as on a lock A holds).
 */
interface Toy {
  readonly a: number;
  readonly b: number;
}
function toy(o: { readonly lengthA: number; readonly waitFor: number }): StepSystem<Toy, 'A' | 'B'> {
  return {
    name: 'toy',
    config: {},
    actors: ['A', 'B'],
    progressBound: 1000,
    initial: () => ({ a: 0, b: 0 }),
    choices: (s) => [...(s.a < o.lengthA ? (['A'] as const) : []), ...(s.b < 10 ? (['B'] as const) : [])],
    step(s, c) {
      if (c === 'A') {
        const detail = `load 0x${(s.a === 2 ? IDLE_WORKERS_HEAD : structOf(1) + OFF_STATE).toString(16)}`;
        return { next: { ...s, a: s.a + 1 }, label: `A ${s.a}`, actor: 'A', detail };
      }
      return { next: s.a < o.waitFor ? s : { ...s, b: s.b + 1 }, label: `B ${s.b}`, actor: 'B', detail: `load 0x${(structOf(2) + OFF_STATE).toString(16)}` };
    },
    actorOf: (c) => c,
    causeOf: () => 'code',
    key: (s) => `${s.a},${s.b}`,
    encodeChoice: (c) => c,
    decodeChoice: (t) => (t === 'A' || t === 'B' ? t : undefined),
    checkState: () => null,
    checkStep: () => null,
    quiescentCheck: () => null,
    describeState: (s) => [`a=${s.a} b=${s.b}`],
  };
}

const order = (sys: StepSystem<Toy, 'A' | 'B'>, seed: number, opts: Parameters<typeof pctScheduler>[4], maxSteps = 40): string => {
  const run = runScheduled(sys, pctScheduler(sys, new Rng(seed), 2, maxSteps, opts), { maxSteps });
  return run.trace.map((t) => t.actor).join('');
};

describe('--focus lists: change points right after list accesses only', () => {
  it('recognises the list heads and the list links of every struct, and nothing else', () => {
    for (const addr of [IDLE_SERVERS_HEAD, IDLE_WORKERS_HEAD, structOf(1) + OFF_IDLE_SERVERS_PTR, structOf(5) + OFF_IDLE_WORKERS_PTR]) {
      expect(isListWord(addr), addr.toString(16)).toBe(true);
    }
    for (const addr of [RUNTIME_LOCK, structOf(1) + OFF_STATE, structOf(3) + OFF_NEXT_TID, 0]) expect(isListWord(addr), addr.toString(16)).toBe(false);
    expect(touchesList({ detail: `cmpxchg 0x${IDLE_WORKERS_HEAD.toString(16)}` })).toBe(true);
    expect(touchesList({ detail: `store 0x${(structOf(2) + OFF_IDLE_WORKERS_PTR).toString(16)} = 0` })).toBe(true);
    expect(touchesList({ detail: 'switch' })).toBe(false);
    expect(touchesList({})).toBe(false);
  });

  it('link-loads keeps only the loads of a struct\'s list link: no head, no store, no cmpxchg', () => {
    for (const addr of [structOf(1) + OFF_IDLE_SERVERS_PTR, structOf(5) + OFF_IDLE_WORKERS_PTR]) {
      expect(loadsListLink({ detail: `load 0x${addr.toString(16)}` }), addr.toString(16)).toBe(true);
      expect(loadsListLink({ detail: `store 0x${addr.toString(16)} = 0` }), addr.toString(16)).toBe(false);
      expect(loadsListLink({ detail: `cmpxchg 0x${addr.toString(16)}` }), addr.toString(16)).toBe(false);
    }
    for (const addr of [IDLE_SERVERS_HEAD, IDLE_WORKERS_HEAD, RUNTIME_LOCK, structOf(1) + OFF_STATE]) {
      expect(loadsListLink({ detail: `load 0x${addr.toString(16)}` }), addr.toString(16)).toBe(false);
    }
    expect(focusOf('link-loads')).toBe(loadsListLink);
    expect(focusOf('lists')).toBe(touchesList);
    expect(focusOf('all')).toBeUndefined();
  });

  it('the one change point (d = 2, k = 1) preempts A right after its list access, whatever the seed', () => {
    const sys = toy({ lengthA: 10, waitFor: 0 });
    const seen = new Set<string>();
    for (let seed = 1; seed <= 30; seed++) seen.add(order(sys, seed, { focus: touchesList, focusSteps: 1 }));
    // A first: preempted after its third step (the head load), B runs to the end, then A.
    // B first: B runs to the end, and A's change point has no one to yield to.
    expect([...seen].sort()).toEqual(['AAABBBBBBBBBBAAAAAAA', 'BBBBBBBBBBAAAAAAAAAA']);
  });

  it('without a focus the change point falls on any step (plain PCT)', () => {
    const sys = toy({ lengthA: 10, waitFor: 0 });
    const seen = new Set<string>();
    for (let seed = 1; seed <= 60; seed++) seen.add(order(sys, seed, {}, 20));
    expect(seen.size).toBeGreaterThan(4);
  });
});

describe('--demote-revisits: a unit that brings the run back to a visited state drops below the others', () => {
  it('a task spinning on another task no longer holds the CPU for the whole run', () => {
    const sys = toy({ lengthA: 5, waitFor: 5 });
    let spinsWithout = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const plain = order(sys, seed, {});
      const demoted = order(sys, seed, { demoteRevisits: true });
      // B waits for all of A's five steps: with demotion it spins at most
      // twice (once at the start, once after A's change point) before A is done.
      const spins = demoted.slice(0, demoted.lastIndexOf('A')).replace(/A/g, '').length;
      expect(spins, demoted).toBeLessThanOrEqual(2);
      expect(demoted.endsWith('B'.repeat(10)), demoted).toBe(true);
      if (plain.startsWith('BBBBBBBBBB')) spinsWithout++;
    }
    expect(spinsWithout).toBeGreaterThan(0); // plain PCT: when B outranks A, B spins until the quiet phase
  });
});

describe('PCT with focus and revisit demotion on the implementation', () => {
  const entry = loadVariantsManifest().find((e) => e.variant === 'B-ABA')!;

  it('the B-ABA manifest entry uses both refinements', () => {
    expect(entry).toMatchObject({ strategy: 'pct', focus: 'link-loads', demoteRevisits: true });
  });

  it('the same seed gives the same runs byte for byte', () => {
    const sys = variantSystem(entry);
    const trace = (i: number) => {
      const run = runScheduled(sys, pctScheduler(sys, new Rng(runSeed(entry.seed, i)), 3, entry.maxSteps, pctOptions(entry)), { maxSteps: entry.maxSteps });
      return run.trace.map((t) => t.text).join(' ');
    };
    for (const i of [0, 7]) expect(trace(i)).toBe(trace(i));
    expect(trace(0)).not.toBe(trace(7));
  });

  it('revisit demotion by fingerprint runs what demotion by exact key runs', () => {
    const sys = variantSystem(entry);
    expect(sys.fingerprint).toBeDefined();
    const keyed = { ...sys, fingerprint: undefined };
    const trace = (s: typeof sys, i: number) => {
      const run = runScheduled(s, pctScheduler(s, new Rng(runSeed(3, i)), 3, entry.maxSteps, pctOptions(entry)), { maxSteps: entry.maxSteps });
      return run.trace.map((t) => t.text).join(' ');
    };
    for (let i = 0; i < 8; i++) expect(trace(sys, i)).toBe(trace(keyed, i));
  });

  it('pctOptions turns on nothing unless asked (plain PCT is unchanged)', () => {
    expect(pctOptions({})).toEqual({});
    expect(pctOptions({ focus: 'all' })).toEqual({});
    expect(Object.keys(pctOptions({ focus: 'lists', focusSteps: 9, demoteRevisits: true })).sort()).toEqual(['demoteRevisits', 'focus', 'focusShare', 'focusSteps']);
    expect(pctOptions({ focus: 'link-loads' })).toEqual({ focus: loadsListLink, focusShare: 16 });
  });

  it('sharded runs with a focus together are the unsharded runs', () => {
    const sys = variantSystem(entry);
    const o = { strategy: 'pct' as const, seed: 5, runs: 6, maxSteps: 120, focus: 'lists' as const, demoteRevisits: true };
    const whole = runCheck(sys, o);
    const parts = [0, 1].map((index) => runCheck(sys, { ...o, shard: { index, count: 2 } }));
    expect(parts[0]!.steps + parts[1]!.steps).toBe(whole.steps);
  });
});

describe('umcg-verify check: the PCT refinement options', () => {
  it.each([
    [['check', '--strategy', 'random', '--focus', 'lists', '--target', 'impl'], /apply to --strategy pct/],
    [['check', '--strategy', 'pct', '--demote-revisits', '--strategy', 'bounded'], /apply to --strategy pct/],
    [['check', '--focus', 'lists'], /--focus lists applies to --target impl/],
    [['check', '--target', 'impl', '--focus', 'locks'], /--focus must be one of all, lists, link-loads/],
    [['check', '--target', 'impl', '--focus-steps', '10'], /--focus-steps needs --focus lists/],
    [['check', '--target', 'impl', '--focus', 'lists', '--focus-steps', '0'], /--focus-steps must be between 1/],
  ])('bad input %j exits 2 with one line on stderr', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(message);
  });

  it('a focused check names its refinements and is reproducible', async () => {
    const args = ['check', '--target', 'impl', '--variant', 'B-ABA', '--servers', '2', '--workers', '2', '--no-yield', '--strategy', 'pct'];
    const more = ['--focus', 'lists', '--focus-steps', '30', '--demote-revisits', '--runs', '3', '--max-steps', '100', '--seed', '4', '--only', 'INV-LIST-NO-DUPLICATE'];
    const text = await runCli([...args, ...more]);
    expect(text.code).toBe(0);
    expect(text.out).toContain('strategy pct (d=3, change points on lists accesses (k=30), revisits demoted), seed 4');
    const a = await runCli([...args, ...more, '--json']);
    const b = await runCli([...args, ...more, '--json']);
    const strip = (s: string) => ({ ...(JSON.parse(s) as Record<string, unknown>), elapsedMs: 0 });
    expect(strip(a.out)).toEqual(strip(b.out));
  });
});
