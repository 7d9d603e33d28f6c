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
import { canonicalBuffer, canonicalEncode, canonicalKey, decodeKey, lastRenaming, maxKeyLength } from '../model/canon.ts';
import { StateSet } from './state-set.ts';
import { candidateActions, initialState } from '../model/init.ts';
import { applyMutable, causeOf, enabled, taskName, type Action } from '../model/transitions.ts';
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

export function explore(opts: ExploreOptions): ExploreResult {
  return new Explorer(opts).run();
}

/** A growable array of action indices (fewer than 256 candidates per state). */
class ByteList {
  data = new Uint8Array(1024);
  length = 0;
  push(v: number): void {
    if (v > 255) throw new RangeError(`action index ${v} does not fit a byte`);
    if (this.length === this.data.length) {
      const next = new Uint8Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v < 0 ? 255 : v;
  }
}

/** A growable typed array of 32-bit ints. */
class IntList {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
}

/**
 * Breadth-first search that keeps, per state, only its key, its parent and
 * the index of the action that reached it (states of the current and next
 * level are the only ones held). A trace, or any state, is rebuilt by
 * replaying the actions from the initial state, which is deterministic.
 */
class Explorer {
  private readonly stateInvs: readonly StateInvariant[];
  private readonly edgeInvs: readonly TransitionInvariant[];
  private readonly quiescence: readonly Extract<LivenessProperty, { form: 'at-quiescence' }>[];
  private readonly bound: Invariant | undefined;
  private readonly index: StateSet;
  private readonly parent = new IntList();
  /** Index into candidateActions(parent state) of the action that reached the state. */
  private readonly via = new ByteList();
  /** Depth of the last state added (BFS order: the deepest so far). */
  private lastDepth = 0;
  private readonly quietFrom = new IntList();
  private readonly quietTo = new IntList();
  private readonly found = new Map<string, Violation>();
  private readonly root: State;
  private transitions = 0;
  private quiescent = 0;
  private corrupt = 0;
  private readonly start = performance.now();

  constructor(private readonly opts: ExploreOptions) {
    const selected = INVARIANTS.filter((i) => appliesTo(i, opts.profile) && (opts.only === undefined || opts.only.includes(i.id)));
    this.stateInvs = selected.filter((i): i is StateInvariant => i.kind === 'well-formedness' || i.kind === 'safety');
    this.edgeInvs = selected.filter((i): i is TransitionInvariant => i.kind === 'transition');
    this.quiescence = selected.filter(
      (i): i is Extract<LivenessProperty, { form: 'at-quiescence' }> => i.kind === 'liveness' && i.form === 'at-quiescence',
    );
    this.bound = selected.find((i) => i.kind === 'liveness' && i.form === 'progress-bound');
    this.root = initialState(opts);
    this.index = new StateSet(maxKeyLength(opts.servers, opts.workers));
  }

  run(): ExploreResult {
    const opts = this.opts;
    this.add(this.root, -1, -1, 0);
    if (this.checkState(this.root, 0)) return this.finish('violation');
    // The frontier holds ids only: each state is decoded from its stored
    // canonical key when expanded (the renamed copy the key describes).
    let level = new IntList();
    level.push(0);
    let d = 0;
    while (level.length > 0) {
      const next = new IntList();
      for (let k = 0; k < level.length; k++) {
        const id = level.data[k]!;
        this.quietFrom.push(this.quietTo.length);
        if (this.brokenAt.has(id)) continue;
        const s = this.decode(id);
        if (hasCorruptList(s)) {
          // The abstract list cannot describe memory with a node linked twice
          // (a cycle or lost nodes), so the state is a dead end of the model.
          this.corrupt++;
          continue;
        }
        let codeEnabled = false;
        const actions = candidateActions(s, opts);
        for (let ai = 0; ai < actions.length; ai++) {
          const a = actions[ai]!;
          if (!enabled(s, a, opts)) continue;
          const step = applyMutable(s, a);
          this.transitions++;
          const isCode = causeOf(a) === 'code';
          if (isCode) codeEnabled = true;
          for (const inv of this.edgeInvs) {
            const w = inv.check(s, step);
            if (w !== null && this.report(inv, w, id, ai)) return this.finish('violation');
          }
          const before = this.index.size;
          const to = this.add(step.next, id, ai, d + 1);
          if (isCode) this.quietTo.push(to);
          if (to === before) {
            next.push(to);
            if (this.checkState(step.next, to)) return this.finish('violation');
            if (this.index.size >= opts.maxStates) return this.finish('incomplete');
          }
        }
        if (!codeEnabled) {
          this.quiescent++;
          for (const inv of this.quiescence) {
            const w = inv.check(s);
            if (w !== null && this.report(inv, w, id)) return this.finish('violation');
          }
        }
      }
      level = next;
      d++;
    }
    this.quietFrom.push(this.quietTo.length);
    return this.progressBound();
  }

  /** The (renamed) state stored under `id`. */
  private decode(id: number): State {
    const k = this.index.where(id);
    return decodeKey(k.bytes, k.at, k.length, this.root.tasks.length);
  }

  /** The stored key of `id`, as a string. */
  private storedKey(id: number): string {
    const k = this.index.where(id);
    return String.fromCharCode.apply(null, k.bytes.subarray(k.at, k.at + k.length) as unknown as number[]);
  }

  /** States that already break a state invariant: counterexamples, not expanded. */
  private readonly brokenAt = new Set<number>();

  private add(s: State, parent: number, via: number, depth: number): number {
    const before = this.index.size;
    const len = canonicalEncode(s); // first: it may replace the buffer
    const id = this.index.add(canonicalBuffer(), len);
    if (id === before) {
      this.parent.push(parent);
      this.via.push(via);
      this.lastDepth = depth;
    }
    return id;
  }

  /** Check a new state; true when the search must stop. */
  private checkState(s: State, id: number): boolean {
    for (const inv of this.stateInvs) {
      const w = inv.check(s);
      if (w === null) continue;
      this.brokenAt.add(id);
      if (this.report(inv, w, id)) return true;
    }
    return false;
  }

  /** The action indices from the initial state to `id`. */
  private path(id: number): number[] {
    const p: number[] = [];
    for (let i = id; this.parent.data[i]! >= 0; i = this.parent.data[i]!) p.push(this.via.data[i]!);
    return p.reverse();
  }

  /**
   * Replay action indices from the initial state: the trace and the state
   * reached, in the initial state's naming. Each index was taken in the
   * canonical (renamed) copy of its state, so its action's TID is mapped
   * back through that state's renaming before it is applied.
   */
  private replay(path: readonly number[]): { trace: TraceStep[]; state: State } {
    let s = this.root;
    const n = s.tasks.length;
    const trace: TraceStep[] = [];
    for (const ai of path) {
      canonicalEncode(s);
      const rename = lastRenaming(n);
      const back = new Array<number>(n + 1).fill(0);
      for (let tid = 1; tid <= n; tid++) back[rename[tid]!] = tid;
      const canon = candidateActions(s, this.opts)[ai]!;
      const a = { ...canon, tid: back[canon.tid]! } as Action;
      const step = applyMutable(s, a);
      trace.push({ index: trace.length + 1, task: taskName(this.root, a.tid), row: step.row, label: step.label, action: a });
      s = step.next;
    }
    return { trace, state: s };
  }

  /** Record a violation; true when the search must stop. */
  private report(inv: Invariant, witness: Witness, id: number, extra?: number): boolean {
    if (!this.found.has(inv.id)) {
      const p = this.path(id);
      if (extra !== undefined) p.push(extra);
      const { trace, state } = this.replay(p);
      this.found.set(inv.id, { invariant: inv.id, witness, trace, finalState: state });
    }
    return this.opts.stopAtFirst;
  }

  private finish(verdict: ExploreResult['verdict'], longestQuietRun = 0): ExploreResult {
    const elapsedMs = performance.now() - this.start;
    const n = this.index.size;
    return {
      distinctStates: n,
      transitions: this.transitions,
      quiescentStates: this.quiescent,
      corruptStates: this.corrupt,
      depth: this.lastDepth,
      longestQuietRun,
      elapsedMs,
      statesPerSecond: elapsedMs > 0 ? Math.round((n / elapsedMs) * 1000) : 0,
      verdict: this.found.size > 0 ? 'violation' : verdict,
      violations: [...this.found.values()],
    };
  }

  /** LIVE-BOUNDED-PROGRESS: the longest run of code steps to quiescence. */
  private progressBound(): ExploreResult {
    const n = this.index.size;
    const longest = longestQuietPaths(n, this.quietFrom.data, this.quietTo.data);
    let worst = 0;
    for (let i = 0; i < n; i++) if (longest.len[i]! > worst) worst = longest.len[i]!;
    const k = this.opts.progressBound;
    const worstRun = worst === INF ? Infinity : worst;
    if (this.bound === undefined || worst <= k) return this.finish('pass', worstRun);
    // The first state over the bound in BFS order has a shortest trace.
    let at = 0;
    while (longest.len[at]! <= k) at++;
    const cycle = longest.len[at] === INF;
    const p = this.path(at);
    const seen = new Set<number>([at]);
    for (let node = at, m = 0; m <= k && longest.next[node]! >= 0; m++) {
      const to = longest.next[node]!;
      // Find the code step from `node` to `to` in the stored (canonical)
      // states, exactly as the search took it.
      const cur = this.decode(node);
      const toKey = this.storedKey(to);
      const actions = candidateActions(cur, this.opts);
      const ai = actions.findIndex(
        (a) => causeOf(a) === 'code' && enabled(cur, a, this.opts) && canonicalKey(applyMutable(cur, a).next) === toKey,
      );
      if (ai < 0) break;
      p.push(ai);
      node = to;
      if (cycle && seen.has(to)) break; // once around the cycle is enough
      seen.add(to);
    }
    const message = cycle
      ? 'a cycle of code steps never reaches quiescence (the trace ends once around the cycle)'
      : `a run of ${longest.len[at]} code steps reaches quiescence only after the bound ${k}`;
    const { trace, state } = this.replay(p);
    this.found.set(this.bound.id, { invariant: this.bound.id, witness: { message, tasks: [] }, trace, finalState: state });
    return this.finish('violation', worstRun);
  }

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

/** "Reaches a cycle": an infinite run of code steps. */
const INF = 0x7fffffff;

/**
 * Longest path (in edges) from every node to a sink of the code-step graph;
 * INF for nodes that reach a cycle. Iterative DFS (no recursion limit).
 */
function longestQuietPaths(n: number, from: Int32Array, to: Int32Array): { len: Int32Array; next: Int32Array } {
  const len = new Int32Array(n);
  const next = new Int32Array(n).fill(-1);
  const color = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const stack: number[] = [];
  const pos: number[] = [];
  const longer = (v: number, w: number, lw: number): void => {
    const cand = lw === INF ? INF : lw + 1;
    if (cand > len[v]!) {
      len[v] = cand;
      next[v] = w;
    }
  };
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
          len[v] = INF; // back edge: a cycle
          next[v] = w;
        } else {
          longer(v, w, len[w]!);
        }
        continue;
      }
      stack.pop();
      pos.pop();
      color[v] = 2;
      const parent = stack[stack.length - 1];
      if (parent !== undefined) longer(parent, v, len[v]!);
    }
  }
  return { len, next };
}
