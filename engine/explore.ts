/**
 * Exhaustive breadth-first exploration of the abstract model.
 *
 * - States are cached by their symmetry-reduced canonical key (model/canon.ts).
 * - Every applicable state invariant is checked on every reachable state, and
 *   every transition invariant on every explored edge. Because the search is
 *   breadth-first and checks happen as states are discovered, the first
 *   violation found has a shortest trace.
 * - Liveness: each quiescent state (no code step enabled) is checked against
 *   the `at-quiescence` properties; after the search, the longest run of code
 *   steps to quiescence is computed over the stored graph for the
 *   `progress-bound` property.
 */
import { setAutoFreeze } from 'immer';
import { canonicalKey } from '../model/canon.ts';
import { candidateActions, initialState } from '../model/init.ts';
import { apply, causeOf, enabled, taskName, type Action } from '../model/transitions.ts';
import type { ModelConfig, State } from '../model/types.ts';
import {
  appliesTo,
  type Invariant,
  type LivenessProperty,
  type StateInvariant,
  type TransitionInvariant,
  type Witness,
} from '../properties/invariant.ts';
import { INVARIANTS } from '../properties/registry.ts';

export interface ExploreOptions extends ModelConfig {
  /** K of LIVE-BOUNDED-PROGRESS. */
  readonly progressBound: number;
  /** Stop with verdict `incomplete` after this many distinct states. */
  readonly maxStates: number;
  /** Restrict the check to these invariant IDs (all applicable ones when absent). */
  readonly only?: readonly string[];
  /**
   * Stop at the first violation (it has a shortest trace). When false, the
   * whole space is explored and the first violation of each invariant kept.
   */
  readonly stopAtFirst: boolean;
}

/** One violated invariant with its shortest trace. */
export interface Violation {
  readonly invariant: string;
  readonly witness: Witness;
  readonly trace: readonly TraceStep[];
  readonly finalState: State;
}

export interface TraceStep {
  readonly index: number;
  readonly task: string;
  readonly row: string;
  readonly label: string;
  readonly action: Action;
}

export interface ExploreResult {
  readonly distinctStates: number;
  readonly transitions: number;
  readonly quiescentStates: number;
  readonly depth: number;
  readonly longestQuietRun: number;
  readonly elapsedMs: number;
  readonly statesPerSecond: number;
  /** States whose lists are corrupt (a node linked twice): recorded, not expanded. */
  readonly corruptStates: number;
  readonly verdict: 'pass' | 'violation' | 'incomplete';
  /** The first violation found (shortest trace); with stopAtFirst false, one per invariant. */
  readonly violations: readonly Violation[];
}

interface Edge {
  readonly parent: number;
  readonly action: Action;
  readonly row: string;
  readonly label: string;
}

export function explore(opts: ExploreOptions): ExploreResult {
  const start = performance.now();
  const previousFreeze = setAutoFreeze(false) as unknown;
  try {
    return run(opts, start);
  } finally {
    // setAutoFreeze returns void; restore the library default (on).
    void previousFreeze;
    setAutoFreeze(true);
  }
}

function run(opts: ExploreOptions, start: number): ExploreResult {
  const selected = INVARIANTS.filter((i) => appliesTo(i, opts.profile) && (opts.only === undefined || opts.only.includes(i.id)));
  const stateInvs = selected.filter((i): i is StateInvariant => i.kind === 'well-formedness' || i.kind === 'safety');
  const edgeInvs = selected.filter((i): i is TransitionInvariant => i.kind === 'transition');
  const quiescence = selected.filter(
    (i): i is Extract<LivenessProperty, { form: 'at-quiescence' }> => i.kind === 'liveness' && i.form === 'at-quiescence',
  );
  const bound = selected.find((i) => i.kind === 'liveness' && i.form === 'progress-bound');

  const states: State[] = [];
  const edges: (Edge | undefined)[] = [];
  const depthOf: number[] = [];
  const index = new Map<string, number>();
  // Code-step edges, for the progress bound: quietTo[quietFrom[i] .. quietFrom[i+1]).
  const quietFrom: number[] = [];
  const quietTo: number[] = [];
  let transitions = 0;
  let quiescent = 0;
  let corrupt = 0;
  const found = new Map<string, Violation>();

  const trace = (id: number, extra?: Edge): TraceStep[] => {
    const path: Edge[] = [];
    if (extra !== undefined) path.push(extra);
    for (let i = id; edges[i] !== undefined; i = edges[i]!.parent) path.push(edges[i]!);
    path.reverse();
    return path.map((e, k) => toTraceStep(states[0]!, e, k + 1));
  };

  /** Record a violation; true when the search must stop. */
  const report = (inv: Invariant, witness: Witness, id: number, extra?: Edge, at?: State): boolean => {
    if (!found.has(inv.id)) {
      found.set(inv.id, { invariant: inv.id, witness, trace: trace(id, extra), finalState: at ?? states[id]! });
    }
    return opts.stopAtFirst;
  };

  const finish = (verdict: ExploreResult['verdict'], longestQuietRun = 0): ExploreResult => {
    const elapsedMs = performance.now() - start;
    return {
      distinctStates: states.length,
      transitions,
      quiescentStates: quiescent,
      corruptStates: corrupt,
      depth: depthOf.length === 0 ? 0 : depthOf[depthOf.length - 1]!,
      longestQuietRun,
      elapsedMs,
      statesPerSecond: elapsedMs > 0 ? Math.round((states.length / elapsedMs) * 1000) : 0,
      verdict: found.size > 0 ? 'violation' : verdict,
      violations: [...found.values()],
    };
  };

  const add = (s: State, edge: Edge | undefined, depth: number): { id: number; fresh: boolean } => {
    const key = canonicalKey(s);
    const known = index.get(key);
    if (known !== undefined) return { id: known, fresh: false };
    const id = states.length;
    index.set(key, id);
    states.push(s);
    edges.push(edge);
    depthOf.push(depth);
    return { id, fresh: true };
  };

  // States that already violate a state invariant are counterexamples;
  // they are recorded but not expanded, so what lies beyond a first failure
  // does not swamp the search.
  const broken = new Set<number>();

  /** Check a new state; true when the search must stop. */
  const checkState = (id: number): boolean => {
    const s = states[id]!;
    for (const inv of stateInvs) {
      const w = inv.check(s);
      if (w === null) continue;
      broken.add(id);
      if (report(inv, w, id)) return true;
    }
    return false;
  };

  const root = add(initialState(opts), undefined, 0);
  if (checkState(root.id)) return finish('violation');

  for (let id = 0; id < states.length; id++) {
    const s = states[id]!;
    quietFrom.push(quietTo.length);
    if (broken.has(id)) continue;
    if (hasCorruptList(s)) {
      // The abstract list cannot describe memory with a node linked twice
      // (a cycle or lost nodes), so the state is a dead end of the model.
      corrupt++;
      continue;
    }
    let codeEnabled = false;
    for (const a of candidateActions(s, opts)) {
      if (!enabled(s, a, opts)) continue;
      const step = apply(s, a, opts);
      transitions++;
      const isCode = causeOf(a) === 'code';
      if (isCode) codeEnabled = true;
      const edge: Edge = { parent: id, action: a, row: step.row, label: step.label };
      for (const inv of edgeInvs) {
        const w = inv.check(s, step);
        if (w !== null && report(inv, w, id, edge, step.next)) return finish('violation');
      }
      const { id: to, fresh } = add(step.next, edge, depthOf[id]! + 1);
      if (isCode) quietTo.push(to);
      if (fresh) {
        if (checkState(to)) return finish('violation');
        if (states.length >= opts.maxStates) return finish('incomplete');
      }
    }
    if (!codeEnabled) {
      quiescent++;
      for (const inv of quiescence) {
        const w = inv.check(s);
        if (w !== null && report(inv, w, id)) return finish('violation');
      }
    }
  }
  quietFrom.push(quietTo.length);

  // LIVE-BOUNDED-PROGRESS: the longest run of code steps to quiescence.
  const longest = longestQuietPaths(states.length, quietFrom, quietTo);
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < states.length; i++) {
    if (longest.len[i]! > worst) {
      worst = longest.len[i]!;
      worstAt = i;
    }
  }
  if (bound !== undefined && worst > opts.progressBound) {
    // The first state (in BFS order, so with a shortest trace) over the bound.
    let at = worstAt;
    for (let i = 0; i < states.length; i++) {
      if (longest.len[i]! > opts.progressBound) {
        at = i;
        break;
      }
    }
    const run: Edge[] = [];
    let cur = at;
    const seen = new Set<number>([cur]);
    for (let n = 0; n <= opts.progressBound && longest.next[cur]! >= 0; n++) {
      const to = longest.next[cur]!;
      if (seen.has(to) && run.length > 0 && longest.len[at] === Infinity) {
        // Once around the cycle is enough to show it.
        const via = findCodeEdge(states[cur]!, states[to]!, opts);
        if (via !== undefined) run.push({ parent: cur, ...via });
        cur = to;
        break;
      }
      seen.add(to);
      const via = findCodeEdge(states[cur]!, states[to]!, opts);
      if (via === undefined) break;
      run.push({ parent: cur, ...via });
      cur = to;
    }
    const base = trace(at);
    const len = longest.len[at]!;
    const message =
      len === Infinity
        ? `a cycle of code steps never reaches quiescence (the trace ends with the cycle, back to a state it has seen)`
        : `a run of ${len} code steps reaches quiescence only after the bound ${opts.progressBound}`;
    const tail = run.map((e, k) => toTraceStep(states[0]!, e, base.length + k + 1));
    report(bound, { message, tasks: [] }, at);
    found.set(bound.id, { invariant: bound.id, witness: { message, tasks: [] }, trace: [...base, ...tail], finalState: states[cur]! });
  }
  return finish('pass', worst);
}

function toTraceStep(s0: State, e: Edge, index: number): TraceStep {
  return { index, task: taskName(s0, e.action.tid), row: e.row, label: e.label, action: e.action };
}

function hasCorruptList(s: State): boolean {
  return hasDuplicate(s.idleWorkers) || hasDuplicate(s.idleServers);
}

function hasDuplicate(nodes: State['idleWorkers']): boolean {
  for (let i = 1; i < nodes.length; i++) {
    for (let j = 0; j < i; j++) if (nodes[i]!.tid === nodes[j]!.tid) return true;
  }
  return false;
}

/** Re-derive the label of a code edge between two stored states. */
function findCodeEdge(from: State, to: State, cfg: ModelConfig): { action: Action; row: string; label: string } | undefined {
  const key = canonicalKey(to);
  for (const a of candidateActions(from, cfg)) {
    if (causeOf(a) !== 'code' || !enabled(from, a, cfg)) continue;
    const step = apply(from, a, cfg);
    if (canonicalKey(step.next) === key) return { action: a, row: step.row, label: step.label };
  }
  return undefined;
}

/**
 * Longest path (in edges) from every node to a sink of the code-step graph;
 * Infinity for nodes that reach a cycle. Iterative DFS (no recursion limit).
 */
function longestQuietPaths(n: number, from: readonly number[], to: readonly number[]): { len: Float64Array; next: Int32Array } {
  const len = new Float64Array(n);
  const next = new Int32Array(n).fill(-1);
  const color = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const stack: number[] = [];
  const pos: number[] = [];
  for (let root = 0; root < n; root++) {
    if (color[root] !== 0) continue;
    stack.push(root);
    pos.push(from[root]!);
    color[root] = 1;
    while (stack.length > 0) {
      const v = stack[stack.length - 1]!;
      const p = pos[pos.length - 1]!;
      if (p < from[v + 1]!) {
        pos[pos.length - 1] = p + 1;
        const w = to[p]!;
        if (color[w] === 0) {
          color[w] = 1;
          stack.push(w);
          pos.push(from[w]!);
        } else if (color[w] === 1) {
          len[v] = Infinity; // back edge: a cycle
          next[v] = w;
        } else if (len[w]! + 1 > len[v]!) {
          len[v] = len[w]! + 1;
          next[v] = w;
        }
        continue;
      }
      stack.pop();
      pos.pop();
      color[v] = 2;
      const parent = stack[stack.length - 1];
      if (parent !== undefined && len[v]! + 1 > len[parent]!) {
        len[parent] = len[v]! + 1;
        next[parent] = v;
      }
    }
  }
  return { len, next };
}
