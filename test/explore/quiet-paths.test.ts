/**
 * The longest-quiet-run DFS of the explorer on small hand-made graphs: exact
 * lengths, cycles, the widening of its per-node marks when a length does
 * not fit a byte, and stopping early.
 */
import { describe, expect, it } from 'vitest';
import { INF, longestQuietPaths, type Successors } from '../../engine/explore.ts';

const graph =
  (edges: readonly (readonly number[])[]): Successors =>
  (v, out) => {
    for (const w of edges[v]!) out.push(w);
  };
const never = (): boolean => false;

describe('longestQuietPaths', () => {
  it('gives each node the longest path to a sink, following the longer of two branches', () => {
    // 0 -> 1 -> 2 -> 3, 0 -> 3, 4 alone
    const len = longestQuietPaths(5, graph([[3, 1], [2], [3], [], []]), never);
    expect([0, 1, 2, 3, 4].map((v) => len.get(v))).toEqual([3, 2, 1, 0, 0]);
    expect(len.visited).toBe(5);
  });

  it('marks INF every node that reaches a cycle, and only those', () => {
    // 0 -> 1 -> 2 -> 1 (cycle), 3 -> 4, 0 -> 3
    const len = longestQuietPaths(5, graph([[3, 1], [2], [1], [4], []]), never);
    expect([0, 1, 2, 3, 4].map((v) => len.get(v))).toEqual([INF, INF, INF, 1, 0]);
  });

  it('is exact for runs longer than a byte or 16 bits can hold (it widens its marks and starts again)', () => {
    for (const n of [300, 70_000]) {
      const chain = Array.from({ length: n }, (_, v) => (v + 1 < n ? [v + 1] : []));
      const len = longestQuietPaths(n, graph(chain), never);
      expect(len.get(0)).toBe(n - 1);
      expect(len.get(n - 1)).toBe(0);
    }
  });

  it('hands each root its final length in order and stops when asked', () => {
    const seen: [number, number][] = [];
    const len = longestQuietPaths(5, graph([[1], [], [2], [4], []]), (root, l) => {
      seen.push([root, l]);
      return l === INF;
    });
    expect(seen).toEqual([
      [0, 1],
      [1, 0],
      [2, INF],
    ]);
    expect(len.visited).toBe(3);
  });
});
