/**
 * Plain breadth-first search over a step system, for tiny configurations:
 * states are cached by exact key and checked as they are discovered, so the
 * first violation found has a shortest trace. Safety, transition and
 * at-quiescence checks run on every state and edge; LIVE-BOUNDED-PROGRESS is
 * checked along the search tree (a shortest path never repeats a state, so a
 * run of more than K code steps on it is a real one; longer quiet runs
 * through states reached earlier by other paths are the model explorer's
 * job: engine/explore.ts computes them over the whole graph).
 */
import { afterStep, execute, type StepSystem } from '../system.ts';
import type { SearchResult } from './bounded.ts';

export interface BfsOptions {
  readonly maxStates: number;
  readonly maxDepth: number;
}

export function bfsSearch<S, C>(system: StepSystem<S, C>, opts: BfsOptions): SearchResult<S, C> {
  const root = system.initial();
  const parent: number[] = [-1];
  const via: (C | undefined)[] = [undefined];
  const seen = new Map<string, number>([[system.key(root), 0]]);
  const path = (id: number, extra?: C): C[] => {
    const out: C[] = extra === undefined ? [] : [extra];
    for (let i = id; parent[i]! >= 0; i = parent[i]!) out.push(via[i]!);
    return out.reverse();
  };
  const failure = (choices: C[]) => ({ choices, run: execute(system, choices) });
  let steps = 0;
  const first = execute(system, []);
  if (first.violation !== null) return { runs: 1, nodes: 1, steps, complete: true, failure: failure([]) };
  let level: { id: number; state: S; enabled: readonly C[]; codeRun: number }[] = [
    { id: 0, state: root, enabled: system.choices(root), codeRun: 0 },
  ];
  for (let depth = 0; level.length > 0 && depth < opts.maxDepth; depth++) {
    const next: typeof level = [];
    for (const n of level) {
      for (const c of n.enabled) {
        const step = system.step(n.state, c);
        steps++;
        const after = afterStep(system, n.state, c, step, n.codeRun);
        if (after.violation !== null) return { runs: 1, nodes: seen.size, steps, complete: true, failure: failure(path(n.id, c)) };
        if (after.stalled) continue;
        const key = system.key(step.next);
        if (seen.has(key)) continue;
        const id = parent.length;
        seen.set(key, id);
        parent.push(n.id);
        via.push(c);
        next.push({ id, state: step.next, enabled: after.enabled, codeRun: after.codeRun });
        if (seen.size >= opts.maxStates) return { runs: 1, nodes: seen.size, steps, complete: false };
      }
    }
    level = next;
  }
  return { runs: 1, nodes: seen.size, steps, complete: level.length === 0 };
}
