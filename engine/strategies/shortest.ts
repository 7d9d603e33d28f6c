/**
 * The shortest failing trace of one invariant, or a sound bound on it: what
 * the shrinker's result is measured against (bench/bugs.ts, docs/performance.md).
 *
 * A run's checks (engine/system.ts `afterStep`) depend on the state, the
 * choice and the next state, except LIVE-BOUNDED-PROGRESS and the stall of a
 * run that does not check it, which depend on `codeRun`, the consecutive
 * code steps at the end of the trace. Plain BFS (bfs.ts) merges states by key
 * alone, so its first LIVE-BOUNDED-PROGRESS hit is not always a shortest one
 * (it misses a spin through states it has seen). Here a node is (state key,
 * codeRun), breadth-first, with a dominance rule that keeps the search exact
 * and small: a longer code run does no worse (it violates no later, and every
 * other check is the same on the same states), so (key, c) is skipped once
 * (key, c') with c' >= c was reached, at no greater depth (breadth-first).
 * For any other invariant the code run matters only past K steps (a run of
 * more than K code steps ends the run: a LIVE-BOUNDED-PROGRESS violation, or
 * stalled), so the search merges by key alone and goes no deeper than K.
 *
 * Breadth-first order makes the first violation of the wanted invariant a
 * shortest trace. A violation of another invariant ends its path (a run stops
 * at its first violation), not the search. A search that expands every node of
 * depths 0..d-1 without finding the invariant proves that no trace of d steps
 * or fewer violates it: `completeDepth` = d is a lower bound (shortest > d).
 *
 * For LIVE-BOUNDED-PROGRESS at a bound K too large to search, a smaller k
 * gives a bound: a trace violating K ends with K + 1 code steps in a row and
 * no earlier violation, so its prefix K - k steps shorter ends with k + 1 code
 * steps in a row and, under bound k, violates LIVE-BOUNDED-PROGRESS there or
 * earlier (every other check is the same). Hence shortest(K) >= shortest(k) +
 * (K - k), and equality holds when the bound-k trace extends by K - k more
 * code steps to a violation of bound K (`progressShortest` tries that).
 */
import { afterStep, execute, Execution, PROGRESS_ID, type RunResult, type StepSystem } from '../system.ts';

export interface ShortestOptions {
  /** The invariant whose shortest trace is wanted. */
  readonly invariant: string;
  /** Store at most this many nodes: the level being expanded is then finished without storing, and the search stops. */
  readonly maxNodes: number;
  /** Search no deeper than this many steps (default: no limit). */
  readonly maxDepth?: number;
  /** Called after each level: every trace of `depth` steps examined, `nodes` stored. */
  readonly onLevel?: (depth: number, nodes: number) => void;
}

export interface ShortestSearch<S, C> {
  /** A shortest trace violating the invariant, when the search reached its depth. */
  readonly found?: { readonly choices: readonly C[]; readonly run: RunResult<S, C> };
  /**
   * Every trace of at most this many steps was examined and none violates
   * the invariant: shortest > completeDepth (Infinity when the whole
   * reachable graph was searched). When `found`, its length minus one.
   */
  readonly completeDepth: number;
  /** Nodes (state key, code run) stored. */
  readonly nodes: number;
  /** Distinct state keys among them. */
  readonly states: number;
  /** Why it stopped without finding the invariant: the node cap, the depth cap, or nothing left to search. */
  readonly stoppedBy?: 'nodes' | 'depth' | 'exhausted';
}

interface Node<S, C> {
  readonly id: number;
  readonly state: S;
  readonly enabled: readonly C[];
  readonly codeRun: number;
}

/**
 * Breadth-first search over (state key, code run) for a shortest violation
 * of `o.invariant`. Deterministic: the choices are tried in the system's order
 * and the budget is a node count, not a time.
 */
export function shortestSearch<S, C>(system: StepSystem<S, C>, o: ShortestOptions): ShortestSearch<S, C> {
  const wantProgress = o.invariant === PROGRESS_ID;
  // Another invariant: no trace of at most K steps holds more than K code
  // steps in a row, so within depth K the checks depend on the states alone
  // and merging by key is exact (and far smaller than by key and code run).
  // Deeper, a stall or a LIVE-BOUNDED-PROGRESS violation could depend on the
  // path: the search stops at depth K.
  const byKey = !wantProgress;
  const maxDepth = Math.min(o.maxDepth ?? Infinity, byKey ? system.progressBound : Infinity);
  const first = execute(system, []);
  if (first.violation !== null) {
    return first.violation.invariant === o.invariant
      ? { found: { choices: [], run: first }, completeDepth: -1, nodes: 1, states: 1 }
      : { completeDepth: Infinity, nodes: 1, states: 1, stoppedBy: 'exhausted' };
  }
  const root = system.initial();
  const parent: number[] = [-1];
  const via: (C | undefined)[] = [undefined];
  // Per state key: the best code run reached so far (largest when the
  // wanted invariant is LIVE-BOUNDED-PROGRESS, smallest otherwise).
  const best = new Map<string, number>([[system.key(root), 0]]);
  const path = (id: number, last: C): C[] => {
    const out: C[] = [last];
    for (let i = id; parent[i]! >= 0; i = parent[i]!) out.push(via[i]!);
    return out.reverse();
  };
  const stats = () => ({ nodes: parent.length, states: best.size });
  let level: Node<S, C>[] = [{ id: 0, state: root, enabled: system.choices(root), codeRun: 0 }];
  // Set once the node cap is reached: the current level is finished (every
  // edge checked, so the bound grows by its step) without storing more.
  let full = false;
  for (let depth = 0; level.length > 0; depth++) {
    if (depth >= maxDepth) return { completeDepth: depth, ...stats(), stoppedBy: 'depth' };
    const next: Node<S, C>[] = [];
    for (const n of level) {
      for (const c of n.enabled) {
        const step = system.step(n.state, c);
        const after = afterStep(system, n.state, c, step, n.codeRun);
        if (after.violation !== null) {
          // A run ends at its first violation: another invariant ends this path only.
          if (after.violation.invariant !== o.invariant) continue;
          const choices = path(n.id, c);
          return { found: { choices, run: execute(system, choices) }, completeDepth: depth, ...stats() };
        }
        if (after.stalled || full) continue;
        const key = system.key(step.next);
        const seen = best.get(key);
        if (seen !== undefined && (byKey || seen >= after.codeRun)) continue;
        best.set(key, after.codeRun);
        parent.push(n.id);
        via.push(c);
        next.push({ id: parent.length - 1, state: step.next, enabled: after.enabled, codeRun: after.codeRun });
        if (parent.length >= o.maxNodes) full = true;
      }
    }
    if (full) return { completeDepth: depth + 1, ...stats(), stoppedBy: 'nodes' };
    o.onLevel?.(depth + 1, parent.length);
    level = next;
  }
  // Every reachable node expanded: no trace of any length violates the invariant.
  return { completeDepth: Infinity, ...stats(), stoppedBy: 'exhausted' };
}

/** What is known of the shortest trace violating an invariant, and how it was learnt. */
export interface ShortestBound<C> {
  /** shortest >= lower, always. */
  readonly lower: number;
  /** Set when the shortest length is known: then lower = exact and `witness` has that many steps. */
  readonly exact?: number;
  readonly witness?: readonly C[];
  /**
   * `bfs`: the (state key, code run) search at the system's own bound;
   * `bound-k`: that search at a smaller bound k of LIVE-BOUNDED-PROGRESS, plus K - k;
   * `code-run`: a LIVE-BOUNDED-PROGRESS violation needs K + 1 code steps in a row, so no trace is
   *   shorter than K + 1; exact when a run of K + 1 code steps from the start violates it
   *   (`codeWalk`), else only that bound.
   */
  readonly method: 'bfs' | 'bound-k' | 'code-run';
  /** bound-k: the k searched. */
  readonly k?: number;
  /** For a lower bound from a search: the depth to which it was complete (at bound k for bound-k). */
  readonly completeDepth?: number;
  /** Nodes stored by all the searches run. */
  readonly nodes: number;
}

export interface BoundOptions {
  /** Node cap of each search. */
  readonly maxNodes: number;
  /** LIVE-BOUNDED-PROGRESS: the smaller bounds to try, in order, when the search at K stops at its cap (default K/2, K/4, ... down to 1). */
  readonly ks?: readonly number[];
  /** Called whenever a search completes a level and so proves a lower bound (a run stopped from outside keeps the last one). */
  readonly onBound?: (b: ShortestBound<never>) => void;
}

/**
 * The shortest trace violating `invariant` in `system`, or the best lower
 * bound the searches prove within their node cap.
 *
 * LIVE-BOUNDED-PROGRESS: first a run of K + 1 code steps from the start
 * (`codeWalk`), the shortest possible when it exists.
 * Any invariant: the (state key, code run) search at the system's bound.
 * LIVE-BOUNDED-PROGRESS, when that stops at its cap: the same search at
 * smaller bounds k (see the file's comment) until one finds a trace; that
 * trace is then extended by K - k code steps (the running task first) and,
 * when the extension violates bound K exactly there, the shortest is known.
 * The lower bound is the best of K + 1 (a violation needs K + 1 code steps),
 * each search's completeDepth + 1 (+ K - k at bound k) and its find (+ K - k).
 */
export function shortestBound<S, C>(system: StepSystem<S, C>, invariant: string, o: BoundOptions): ShortestBound<C> {
  const K = system.progressBound;
  if (invariant === PROGRESS_ID && system.checksProgress !== false) {
    // No trace is shorter than K + 1: one of K + 1 code steps from the start is a shortest one.
    const walk = codeWalk(system, K + 1, o.maxNodes);
    if (walk.choices !== undefined) {
      // The witness is checked as any replay is: strictly, to a violation on its last step.
      const run = execute(system, walk.choices);
      if (run.error !== undefined || run.violation?.invariant !== PROGRESS_ID || run.trace.length !== K + 1) {
        throw new Error(`shortestBound: the code walk of ${K + 1} steps does not replay to ${PROGRESS_ID}`);
      }
      return { lower: K + 1, exact: K + 1, witness: walk.choices, method: 'code-run', nodes: walk.states };
    }
  }
  let proved = invariant === PROGRESS_ID ? K + 1 : 0;
  const levels = (method: 'bfs' | 'bound-k', k: number) => (depth: number, nodes: number) => {
    const lower = depth + 1 + (method === 'bfs' ? 0 : K - k);
    if (lower <= proved) return;
    proved = lower;
    o.onBound?.({ lower, method, ...(method === 'bfs' ? {} : { k }), completeDepth: depth, nodes });
  };
  const direct = shortestSearch(system, { invariant, maxNodes: o.maxNodes, onLevel: levels('bfs', K) });
  let nodes = direct.nodes;
  if (direct.found !== undefined) {
    const n = direct.found.run.trace.length;
    return { lower: n, exact: n, witness: direct.found.choices, method: 'bfs', nodes };
  }
  const fromDirect: ShortestBound<C> = { lower: direct.completeDepth + 1, method: 'bfs', completeDepth: direct.completeDepth, nodes };
  if (invariant !== PROGRESS_ID || direct.stoppedBy !== 'nodes') return fromDirect;
  let best: ShortestBound<C> = K + 1 > fromDirect.lower ? { lower: K + 1, method: 'code-run', nodes } : fromDirect;
  const ks = o.ks ?? halvings(K);
  for (const k of ks) {
    if (k < 1 || k >= K) throw new RangeError(`shortestBound: bound ${k} is not between 1 and ${K - 1}`);
    const at = withProgressBound(system, k);
    const r = shortestSearch(at, { invariant, maxNodes: o.maxNodes, onLevel: levels('bound-k', k) });
    nodes += r.nodes;
    if (r.found === undefined) {
      // shortest(k) > completeDepth, so shortest(K) >= completeDepth + 1 + K - k.
      const lower = r.completeDepth + 1 + K - k;
      if (lower > best.lower) best = { lower, method: 'bound-k', k, completeDepth: r.completeDepth, nodes };
      continue;
    }
    const lower = r.found.run.trace.length + K - k;
    const witness = extendSpin(system, r.found.choices, K - k);
    if (witness !== undefined && witness.length === lower) return { lower, exact: lower, witness, method: 'bound-k', k, nodes };
    return lower > best.lower ? { lower, method: 'bound-k', k, nodes } : { ...best, nodes };
  }
  return { ...best, nodes };
}

/** K/2, K/4, ... down to 1: the bounds tried below K. */
function halvings(K: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(K / 2); k >= 1; k = Math.floor(k / 2)) out.push(k);
  return out;
}

/** `system` checking LIVE-BOUNDED-PROGRESS at bound `k` instead (nothing else depends on the bound). */
export function withProgressBound<S, C>(system: StepSystem<S, C>, k: number): StepSystem<S, C> {
  return { ...system, progressBound: k, config: { ...system.config, progressBound: k } };
}

/**
 * `choices` (a run that violates LIVE-BOUNDED-PROGRESS at a smaller bound)
 * followed by `more` code steps, each of the task that took the last step
 * when it has one, else the first code choice: the choices of the run, when
 * it violates LIVE-BOUNDED-PROGRESS at `system`'s bound on exactly its last
 * step; undefined otherwise.
 */
export function extendSpin<S, C>(system: StepSystem<S, C>, choices: readonly C[], more: number): C[] | undefined {
  const run = new Execution(system);
  for (const c of choices) {
    const e = run.done ? undefined : run.find(c);
    if (e === undefined) return undefined;
    run.take(e);
  }
  if (run.violation !== null) return undefined;
  for (let i = 0; i < more; i++) {
    if (run.done) return undefined;
    const last = run.trace[run.trace.length - 1]?.actor;
    const code = run.enabled.filter((c) => system.causeOf(c) === 'code');
    const pick = code.find((c) => system.actorOf(c) === last) ?? code[0];
    if (pick === undefined) return undefined;
    run.take(pick);
  }
  // `take` set it: read it again (the check above narrowed it to null).
  return run.result().violation?.invariant === PROGRESS_ID ? run.trace.map((t) => t.choice) : undefined;
}

/**
 * A run of `length` code steps from the initial state with no violation
 * before its last step, or undefined when there is none (or when more than
 * `maxNodes` states would have to be examined to know: `capped`).
 *
 * A LIVE-BOUNDED-PROGRESS violation needs K + 1 code steps in a row, so no
 * trace is shorter than K + 1; such a run, with `length` = K + 1, is one of
 * exactly that length. Computed over the code-only graph from the initial
 * state: the longest code walk from each state (infinite when it can reach a
 * cycle), by an iterative depth-first search, then a walk that keeps enough
 * length ahead of it.
 */
export function codeWalk<S, C>(
  system: StepSystem<S, C>,
  length: number,
  maxNodes: number,
): { readonly choices?: C[]; readonly capped: boolean; readonly states: number } {
  const root = system.initial();
  if (execute(system, []).violation !== null) return { capped: false, states: 1 };
  // The code choices of a state whose step breaks no check (LIVE-BOUNDED-PROGRESS aside: code run 0).
  const edges = (s: S): { c: C; next: S; key: string }[] => {
    const out: { c: C; next: S; key: string }[] = [];
    for (const c of system.choices(s)) {
      if (system.causeOf(c) !== 'code') continue;
      const step = system.step(s, c);
      if (afterStep(system, s, c, step, 0).violation !== null) continue;
      out.push({ c, next: step.next, key: system.key(step.next) });
    }
    return out;
  };
  // Longest code walk from each state, capped at `length` (a cycle: `length`).
  const longest = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: { key: string; out: { c: C; next: S; key: string }[]; i: number; best: number }[] = [];
  const push = (s: S, key: string): void => {
    onStack.add(key);
    stack.push({ key, out: edges(s), i: 0, best: 0 });
  };
  push(root, system.key(root));
  while (stack.length > 0) {
    if (longest.size + stack.length > maxNodes) return { capped: true, states: longest.size + stack.length };
    const f = stack[stack.length - 1]!;
    if (f.best < length && f.i < f.out.length) {
      const e = f.out[f.i++]!;
      const known = longest.get(e.key);
      if (onStack.has(e.key)) f.best = length;
      else if (known !== undefined) f.best = Math.max(f.best, Math.min(length, known + 1));
      else push(e.next, e.key);
      continue;
    }
    stack.pop();
    onStack.delete(f.key);
    longest.set(f.key, f.best);
    const up = stack[stack.length - 1];
    if (up !== undefined) up.best = Math.max(up.best, Math.min(length, f.best + 1));
  }
  if (longest.get(system.key(root))! < length) return { capped: false, states: longest.size };
  // Walk: from each state take the first code choice whose target still has
  // the remaining length ahead of it (every state on the way was computed).
  const choices: C[] = [];
  let s = root;
  for (let left = length; left > 0; left--) {
    const e = edges(s).find((x) => left === 1 || (longest.get(x.key) ?? 0) >= left - 1);
    if (e === undefined) throw new Error('codeWalk: the longest walks do not add up');
    choices.push(e.c);
    s = e.next;
  }
  return { choices, capped: false, states: longest.size };
}
