/**
 * Preemption-bounded depth-first search (CHESS, Musuvathi and Qadeer 2007):
 * every interleaving with at most `bound` preemptions, up to `maxDepth`
 * steps. A preemption is a switch to another task while the task that took
 * the last step still has an enabled code or workload choice; switching
 * away from a task that cannot run (asleep, finished) is free.
 * Environment events are interrupts: taking one costs no preemption and the
 * task that was running stays the running task.
 *
 * States are cached by (state key, running task): a node is skipped when it
 * was already explored with no more preemptions used, at no greater depth
 * and with no shorter run of code steps behind it (each of these only widens
 * what lies below), so the search stays complete within its bounds.
 */
import { afterStep, execute, type RunResult, type StepSystem } from '../system.ts';

export const DEFAULT_PREEMPTION_BOUND = 2;

export interface BoundedOptions {
  readonly bound: number;
  readonly maxDepth: number;
  /** Stop (incomplete) after this many expanded nodes. */
  readonly maxNodes: number;
  /** Explore only the subtrees of the first branching node whose index is i mod n. */
  readonly shard?: { readonly index: number; readonly count: number };
}

export interface SearchResult<S, C> {
  /** Maximal paths explored (ended by quiescence, depth, or the cache). */
  readonly runs: number;
  readonly nodes: number;
  readonly steps: number;
  /** False when maxNodes stopped the search. */
  readonly complete: boolean;
  readonly failure?: { readonly choices: readonly C[]; readonly run: RunResult<S, C> };
}

interface Frame<S, C> {
  readonly state: S;
  readonly enabled: readonly C[];
  next: number;
  readonly running: string;
  readonly preemptions: number;
  readonly codeRun: number;
  /** The choice that led here (undefined at the root). */
  readonly via: C | undefined;
}

export function boundedSearch<S, C>(system: StepSystem<S, C>, opts: BoundedOptions): SearchResult<S, C> {
  const visited = new Map<string, { p: number; depth: number; codeRun: number }>();
  const root = system.initial();
  const stack: Frame<S, C>[] = [];
  let runs = 0;
  let nodes = 0;
  let steps = 0;
  const fail = (extra: C): SearchResult<S, C> => {
    const choices = [...stack.slice(1).map((f) => f.via!), extra];
    return { runs: runs + 1, nodes, steps, complete: true, failure: { choices, run: execute(system, choices) } };
  };
  const rootViolation = system.checkState(root);
  if (rootViolation !== null) {
    return { runs: 1, nodes: 1, steps: 0, complete: true, failure: { choices: [], run: execute(system, []) } };
  }
  stack.push({ state: root, enabled: system.choices(root), next: 0, running: '', preemptions: 0, codeRun: 0, via: undefined });
  let shardDepth = -1;
  while (stack.length > 0) {
    const f = stack[stack.length - 1]!;
    if (f.next === 0) nodes++;
    if (nodes > opts.maxNodes) return { runs, nodes, steps, complete: false };
    if (f.next >= f.enabled.length || stack.length - 1 >= opts.maxDepth) {
      if (f.enabled.length === 0 || stack.length - 1 >= opts.maxDepth) runs++;
      stack.pop();
      continue;
    }
    // Sharding: at the first node with a real choice (the path to it has
    // none, so it is unique), keep only this shard's branches.
    if (shardDepth < 0 && f.enabled.length > 1) shardDepth = stack.length - 1;
    const ci = f.next++;
    if (opts.shard !== undefined && stack.length - 1 === shardDepth && ci % opts.shard.count !== opts.shard.index) continue;
    const c = f.enabled[ci]!;
    const env = system.causeOf(c) === 'environment';
    const actor = system.actorOf(c);
    let preemptions = f.preemptions;
    if (!env && f.running !== '' && actor !== f.running && canRun(system, f.enabled, f.running)) preemptions++;
    if (preemptions > opts.bound) continue;
    const step = system.step(f.state, c);
    steps++;
    const after = afterStep(system, f.state, c, step, f.codeRun);
    if (after.violation !== null) return fail(c);
    if (after.stalled) {
      runs++;
      continue;
    }
    const running = env ? f.running : actor;
    const depth = stack.length;
    const key = `${system.key(step.next)}\u0000${running}`;
    const seen = visited.get(key);
    if (seen !== undefined && seen.p <= preemptions && seen.depth <= depth && seen.codeRun >= after.codeRun) {
      runs++;
      continue;
    }
    visited.set(key, { p: preemptions, depth, codeRun: after.codeRun });
    stack.push({ state: step.next, enabled: after.enabled, next: 0, running, preemptions, codeRun: after.codeRun, via: c });
  }
  return { runs, nodes, steps, complete: true };
}

function canRun<S, C>(system: StepSystem<S, C>, enabled: readonly C[], actor: string): boolean {
  for (const c of enabled) if (system.actorOf(c) === actor && system.causeOf(c) !== 'environment') return true;
  return false;
}
