/**
 * The shortest-trace searches (engine/strategies/shortest.ts): on random
 * small step systems they agree with a brute-force enumeration of every
 * path, for LIVE-BOUNDED-PROGRESS at several bounds and for a state
 * invariant; a search stopped at its cap proves only what brute force
 * confirms; the bound-k lower bound never passes the exact shortest at K;
 * and on real systems the methods agree with each other and with plain BFS.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bfsSearch } from '../../engine/strategies/bfs.ts';
import { codeWalk, extendSpin, shortestBound, shortestSearch, withProgressBound } from '../../engine/strategies/shortest.ts';
import { afterStep, execute, PROGRESS_ID, type Cause, type StepSystem } from '../../engine/system.ts';
import { FINDING, implOneByOne, oneByOne, shortestLength, suiteSeed } from './helpers.ts';

const BAD = 'INV-BAD';

interface Edge {
  readonly to: number;
  readonly cause: Cause;
}

/** A step system over a small graph: state i's choices are its edges (by index); `bad` states violate BAD. */
function graphSystem(edges: readonly (readonly Edge[])[], bad: ReadonlySet<number>, k: number, checksProgress = true): StepSystem<number, number> {
  const at = (s: number, c: number): Edge => edges[s]![c]!;
  return {
    name: 'graph',
    config: {},
    actors: ['A'],
    progressBound: k,
    checksProgress,
    initial: () => 0,
    choices: (s) => edges[s]!.map((_, i) => s * 100 + i),
    step: (s, c) => ({ next: at(s, c % 100).to, label: `${s}->${at(s, c % 100).to}`, actor: 'A' }),
    actorOf: () => 'A',
    causeOf: (c) => at(Math.floor(c / 100), c % 100).cause,
    key: (s) => String(s),
    encodeChoice: (c) => `c${c}`,
    decodeChoice: (t) => (/^c\d+$/.test(t) ? Number(t.slice(1)) : undefined),
    checkState: (s) => (bad.has(s) ? { invariant: BAD, message: `state ${s}`, tasks: [] } : null),
    checkStep: () => null,
    quiescentCheck: () => null,
    describeState: (s) => [String(s)],
  };
}

/** The length of the shortest path violating `invariant`, by trying every path of at most `depth` steps. */
function bruteForce<S, C>(system: StepSystem<S, C>, invariant: string, depth: number): number | undefined {
  const first = execute(system, []);
  if (first.violation !== null) return first.violation.invariant === invariant ? 0 : undefined;
  let best: number | undefined;
  const go = (s: S, enabled: readonly C[], run: number, d: number): void => {
    if (d >= depth || (best !== undefined && d + 1 >= best)) return;
    for (const c of enabled) {
      const step = system.step(s, c);
      const after = afterStep(system, s, c, step, run);
      if (after.violation !== null) {
        if (after.violation.invariant === invariant) best = Math.min(best ?? Infinity, d + 1);
        continue;
      }
      if (!after.stalled) go(step.next, after.enabled, after.codeRun, d + 1);
    }
  };
  go(system.initial(), system.choices(system.initial()), 0, 0);
  return best;
}

const CAUSES: readonly Cause[] = ['code', 'code', 'workload', 'environment'];

/** A random graph of 2 to 6 states, each with 0 to 3 edges, and a random set of bad states (not the initial one). */
const graphs = fc
  .integer({ min: 2, max: 6 })
  .chain((n) =>
    fc.record({
      edges: fc.array(
        fc.array(fc.record({ to: fc.integer({ min: 0, max: n - 1 }), cause: fc.constantFrom(...CAUSES) }), { maxLength: 3 }),
        { minLength: n, maxLength: n },
      ),
      bad: fc.uniqueArray(fc.integer({ min: 1, max: n - 1 }), { maxLength: 2 }),
    }),
  );

const DEPTH = 11;

describe('shortest-trace searches (engine/strategies/shortest.ts)', () => {
  const seed = suiteSeed('shortest', 0x5407);

  it('LIVE-BOUNDED-PROGRESS: the (key, code run) search finds exactly the brute-force shortest, at every bound', () => {
    fc.assert(
      fc.property(graphs, fc.integer({ min: 1, max: 4 }), ({ edges }, k) => {
        const sys = graphSystem(edges, new Set(), k);
        const brute = bruteForce(sys, PROGRESS_ID, DEPTH);
        const r = shortestSearch(sys, { invariant: PROGRESS_ID, maxNodes: 100_000, maxDepth: DEPTH });
        expect(r.found?.run.trace.length).toBe(brute);
        if (r.found !== undefined) {
          // The trace is real: strict replay violates the invariant on its last step.
          const again = execute(sys, r.found.choices);
          expect(again.violation?.invariant).toBe(PROGRESS_ID);
          expect(again.trace.length).toBe(r.found.choices.length);
        } else {
          expect(r.completeDepth).toBeGreaterThanOrEqual(DEPTH);
        }
      }),
      { seed, numRuns: 300 },
    );
  });

  it('another invariant, with and without LIVE-BOUNDED-PROGRESS checked: the search agrees with brute force', () => {
    fc.assert(
      fc.property(graphs, fc.integer({ min: 1, max: 4 }), fc.boolean(), ({ edges, bad }, k, progress) => {
        const sys = graphSystem(edges, new Set(bad), k, progress);
        const depth = Math.min(DEPTH, k);
        const brute = bruteForce(sys, BAD, depth);
        const r = shortestSearch(sys, { invariant: BAD, maxNodes: 100_000 });
        // Merging by key is exact up to depth K, where the search stops.
        if (r.stoppedBy !== 'exhausted') expect(r.completeDepth).toBeLessThanOrEqual(k);
        expect(r.found?.run.trace.length).toBe(brute);
      }),
      { seed, numRuns: 300 },
    );
  });

  it('a search stopped at its node cap proves a lower bound brute force confirms', () => {
    fc.assert(
      fc.property(graphs, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), ({ edges, bad }, k, cap) => {
        for (const [inv, sys] of [
          [PROGRESS_ID, graphSystem(edges, new Set(), k)],
          [BAD, graphSystem(edges, new Set(bad), 8)],
        ] as const) {
          const r = shortestSearch(sys, { invariant: inv, maxNodes: cap, maxDepth: DEPTH });
          if (r.found !== undefined) continue;
          const d = Math.min(r.completeDepth, DEPTH);
          // No violating trace of at most completeDepth steps.
          expect(bruteForce(sys, inv, d)).toBeUndefined();
        }
      }),
      { seed, numRuns: 300 },
    );
  });

  it('shortest(K) >= shortest(k) + (K - k) for every k < K, and shortestBound never claims more than the truth', () => {
    fc.assert(
      fc.property(graphs, fc.integer({ min: 2, max: 5 }), fc.integer({ min: 1, max: 4 }), ({ edges }, K, cap) => {
        const sys = graphSystem(edges, new Set(), K);
        const exact = bruteForce(sys, PROGRESS_ID, DEPTH);
        for (let k = 1; k < K; k++) {
          const small = bruteForce(withProgressBound(sys, k), PROGRESS_ID, DEPTH);
          if (exact !== undefined) {
            expect(small).toBeDefined();
            expect(exact).toBeGreaterThanOrEqual(small! + K - k);
          }
        }
        // With a tiny cap, shortestBound goes through bound k and the code walk; whatever it proves holds.
        const b = shortestBound(sys, PROGRESS_ID, { maxNodes: cap });
        if (exact !== undefined) {
          expect(b.lower).toBeLessThanOrEqual(exact);
          if (b.exact !== undefined) expect(b.exact).toBe(exact);
        } else if (b.exact !== undefined) {
          expect(b.exact).toBeGreaterThan(DEPTH);
        }
        if (b.witness !== undefined) {
          const w = execute(sys, b.witness);
          expect(w.violation?.invariant).toBe(PROGRESS_ID);
          expect(w.trace.length).toBe(b.exact);
        }
      }),
      { seed, numRuns: 300 },
    );
  });

  it("plain BFS misses a spin through states it has seen; the (key, code run) search and the code walk find it", () => {
    // 0 -code-> 1 -code-> 0 ...: a two-state loop of code steps, never quiescent.
    const sys = graphSystem(
      [[{ to: 1, cause: 'code' }], [{ to: 0, cause: 'code' }]],
      new Set(),
      6,
    );
    expect(bfsSearch(sys, { maxStates: 1000, maxDepth: 100 }).failure).toBeUndefined();
    expect(shortestSearch(sys, { invariant: PROGRESS_ID, maxNodes: 1000 }).found?.run.trace.length).toBe(7);
    expect(codeWalk(sys, 7, 1000).choices?.length).toBe(7);
    expect(shortestBound(sys, PROGRESS_ID, { maxNodes: 1000 })).toMatchObject({ exact: 7, method: 'code-run' });
  });
});

describe('shortest-trace searches on the implementation and the model', () => {
  it('B-ALIGN 1x1: the exact search at K, the code walk and bound k + (K - k), extended, all give K + 1', () => {
    const K = 60;
    const sys = implOneByOne('B-ALIGN', [PROGRESS_ID], { progressBound: K });
    const exact = shortestSearch(sys, { invariant: PROGRESS_ID, maxNodes: 200_000 });
    expect(exact.found?.run.trace.length).toBe(K + 1);
    expect(codeWalk(sys, K + 1, 200_000).choices?.length).toBe(K + 1);
    for (const k of [20, 45]) {
      const small = shortestSearch(withProgressBound(sys, k), { invariant: PROGRESS_ID, maxNodes: 200_000 }).found!;
      expect(small.run.trace.length + K - k).toBe(K + 1);
      expect(extendSpin(sys, small.choices, K - k)?.length).toBe(K + 1);
    }
  });

  it(`model 1x1 with yield, ${FINDING}: the search finds the explorer's shortest length; stopped one step short, it proves that bound and no more`, () => {
    const sys = oneByOne();
    const n = shortestLength();
    const r = shortestSearch(sys, { invariant: FINDING, maxNodes: 1_000_000 });
    expect(r.found?.run.trace.length).toBe(n);
    expect(r.completeDepth).toBe(n - 1);
    expect(bfsSearch(sys, { maxStates: 1_000_000, maxDepth: 1000 }).failure?.choices.length).toBe(n);
    const short = shortestSearch(sys, { invariant: FINDING, maxNodes: 1_000_000, maxDepth: n - 1 });
    expect(short).toMatchObject({ completeDepth: n - 1, stoppedBy: 'depth' });
    expect(short.found).toBeUndefined();
    // Capped: the bound is the depth every trace was examined to, never past the shortest.
    for (const cap of [10, 100, 1000]) {
      const b = shortestBound(sys, FINDING, { maxNodes: cap });
      expect(b.lower).toBeLessThanOrEqual(n);
      if (b.exact === undefined) expect(bfsSearch(sys, { maxStates: 1_000_000, maxDepth: b.lower - 1 }).failure).toBeUndefined();
    }
  });
});
