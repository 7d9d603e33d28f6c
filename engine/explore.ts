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
 *   steps to quiescence is computed for the `progress-bound` property by a
 *   DFS that computes the code steps again (the graph is not stored).
 * - The store (engine/state-set.ts) is exact: states as pairs of part ids,
 *   their BFS logs on disk past `memoryStates` states.
 */
import { DigitPacker, KeyCodec, lastRenaming, renamedTid } from '../model/canon.ts';
import { FP, footprint, independent, objectBits, type ObjectBits } from '../model/footprint.ts';
import { KnownStates, MAX_STATES, PairSet, RecordLog, StateSet } from './state-set.ts';
import { candidateActions, initialState } from '../model/init.ts';
import { applyMutable, causeOf, enabled, fixesOf, taskName, type Action, type ActionKind, type Step } from '../model/transitions.ts';
import type { ModelConfig, ModelFixes, State, UmcgState } from '../model/types.ts';
import {
  appliesTo,
  type Invariant,
  type LivenessProperty,
  type StateInvariant,
  type TransitionInvariant,
  type Witness,
} from '../properties/invariant.ts';
import { INVARIANTS } from '../properties/registry.ts';
import { hasCorruptList } from './model-system.ts';
import { selects } from './system.ts';

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
  /**
   * States whose pair and parent the store keeps in memory; past that, the
   * logs of both go to temporary files (default 2,097,152).
   */
  readonly memoryStates?: number;
  /**
   * Skip transitions that sleep sets prove lead to states reached anyway
   * (default true). The states, depths, traces and violations are the same
   * either way (see `Explorer`); only fewer transitions are taken.
   */
  readonly sleepSets?: boolean;
}

/** States the store keeps its logs of in memory unless told otherwise. */
export const MEMORY_STATES = 1 << 21;

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
  /** Transitions taken (each applied, checked and looked up). */
  readonly transitions: number;
  /** Enabled transitions the sleep sets skipped (0 without them). */
  readonly skippedTransitions: number;
  /** Whether the search used sleep sets to the end (false when off, or turned off at a dead end). */
  readonly sleepSets: boolean;
  readonly quiescentStates: number;
  readonly depth: number;
  readonly longestQuietRun: number;
  readonly elapsedMs: number;
  /** CPU time (user and system) of this process during the search; below `elapsedMs` when the machine is busy. */
  readonly cpuMs: number;
  /** Of `elapsedMs`, the LIVE-BOUNDED-PROGRESS pass after the breadth-first search (0 when it did not run). */
  readonly livenessMs: number;
  readonly statesPerSecond: number;
  /** Bytes of the state store: the packed keys, their index and the parent ids. */
  readonly storeBytes: number;
  /** States whose lists are corrupt (a node linked twice): recorded, not expanded. */
  readonly corruptStates: number;
  readonly verdict: 'pass' | 'violation' | 'incomplete';
  /**
   * Whether every reachable state was expanded: false when --max-states or
   * the first violation (stopAtFirst) stopped the search, whatever the verdict.
   */
  readonly complete: boolean;
  /** What stopped the search early, if anything. */
  readonly stoppedBy: 'max-states' | 'violation' | null;
  /** Bytes the store wrote to temporary files (the logs of pairs and parents). */
  readonly diskBytes: number;
  /** Distinct servers parts and workers parts the states are made of (COLLAPSE tables). */
  readonly partCounts: { readonly servers: number; readonly workers: number };
  /** The first violation found (shortest trace); with stopAtFirst false, one per invariant. */
  readonly violations: readonly Violation[];
}

export function explore(opts: ExploreOptions): ExploreResult {
  const e = new Explorer(opts);
  try {
    return e.run();
  } finally {
    e.close();
  }
}

/**
 * Breadth-first search that keeps, per state, only its canonical form as a
 * pair of part ids (COLLAPSE: the servers part and the workers part of the
 * packed key, each interned once in its own table) in a set of pairs, plus
 * two logs in BFS order: each state's pair and its parent's id (in memory
 * for small runs, in temporary files for large ones). The frontier is a
 * range of ids, read from the pair log in order: level d is the ids added
 * while level d - 1 was expanded. A state is rebuilt by decoding its pair;
 * the action that reached it is found again by expanding its parent; a
 * trace by replaying those actions from the initial state, which is
 * deterministic.
 *
 * Sleep sets (Godefroid) skip transitions whose target is reached anyway.
 * Expanding s with sleep set Z(s), the enabled actions are taken in order,
 * except those in Z(s); a child first reached by action a gets the sleep
 * set of the actions in Z(s) or taken before a that are independent of a
 * (model/footprint.ts), renamed as the child's canonical form renames its
 * tasks. Only the edge that first reaches a state sets its sleep set.
 * Why nothing is lost: breadth-first search with actions in a fixed order
 * first reaches each state t by its lexicographically least shortest path
 * w. Were some action x_i of w asleep where w takes it, it came from an
 * earlier state of w where it was taken before x_j and is independent of
 * x_j .. x_i-1, and moving it there gives a path to t as short and
 * lexicographically less than w: a contradiction. So every state is
 * reached, at its depth, by the same first edge as without sleep sets: the
 * same ids, parents, traces and counts. Two premises: renamings of a state
 * must share one canonical key (model/canon.ts), or the moved path ends in
 * another key; and the moved path must not run into a dead end (a state
 * that breaks a state invariant, or has a corrupt list, is not expanded).
 * Dead ends at depth d + 1 do not change what is reached up to depth
 * d + 1, so from the first level holding one on, the search goes on
 * without sleep sets. A transition invariant on a skipped edge has the same
 * verdict on the taken edge it stands for (the step reads the same data:
 * test/model/footprint.test.ts), taken at a smaller depth.
 */
class Explorer {
  private readonly stateInvs: readonly StateInvariant[];
  private readonly edgeInvs: readonly TransitionInvariant[];
  private readonly quiescence: readonly Extract<LivenessProperty, { form: 'at-quiescence' }>[];
  private readonly bound: Invariant | undefined;
  private readonly codec: KeyCodec;
  /** The two parts of a packed key, and the tables that number them. */
  private readonly serverPart: DigitPacker;
  private readonly workerPart: DigitPacker;
  private readonly serverParts: StateSet;
  private readonly workerParts: StateSet;
  /** The stored states, as pairs of part ids. */
  private readonly pairs = new PairSet();
  /**
   * States met lately, by their packed parts: most states met again are
   * answered here. Once the search is over and the pair set no longer grows
   * (`slotsFixed`), it keeps each state's slot for the liveness pass.
   */
  private readonly known: KnownStates;
  private slotsFixed = false;
  /** By id (BFS order): the pair of each state, and its parent's id (NO_PARENT for the root). */
  private readonly keys: RecordLog;
  private readonly parents: RecordLog;
  /** The pair `pairOf` computed. */
  private pa = 0;
  private pb = 0;
  /** Depth of the last state added (BFS order: the deepest so far). */
  private lastDepth = 0;
  private readonly found = new Map<string, Violation>();
  private readonly root: State;
  private transitions = 0;
  private quiescent = 0;
  private corrupt = 0;
  private readonly start = performance.now();
  private readonly startCpu = process.cpuUsage();
  private livenessStart: number | undefined;
  /** Sleep sets (see the class comment): on until a dead end is reached. */
  private sleeping: boolean;
  private deadEnd = false;
  private skipped = 0;
  private readonly fixes: ModelFixes;
  private readonly bits: ObjectBits;
  /** Per candidate list (quiet, and with environment events), per action index: its task index and its bit in that task's sleep mask. */
  private readonly slots = new Map<readonly Action[], { readonly task: Int32Array; readonly bit: Int32Array }>();
  /**
   * Sleep sets of the level being expanded (`curZ`, by id - levelStart) and
   * of the next one (`nextZ`, by id - levelEnd): one mask of action bits
   * per task, in the state's canonical naming.
   */
  private curZ = new Uint16Array(0);
  private nextZ = new Uint16Array(0);

  constructor(private readonly opts: ExploreOptions) {
    if (opts.maxStates > MAX_STATES) throw new RangeError(`explore: maxStates above ${MAX_STATES}`);
    const selected = INVARIANTS.filter((i) => appliesTo(i, opts.profile) && selects(opts.only, i.id));
    this.stateInvs = selected.filter((i): i is StateInvariant => i.kind === 'well-formedness' || i.kind === 'safety');
    this.edgeInvs = selected.filter((i): i is TransitionInvariant => i.kind === 'transition');
    this.quiescence = selected.filter(
      (i): i is Extract<LivenessProperty, { form: 'at-quiescence' }> => i.kind === 'liveness' && i.form === 'at-quiescence',
    );
    this.bound = selected.find((i) => i.kind === 'liveness' && i.form === 'progress-bound');
    this.root = initialState(opts);
    this.codec = new KeyCodec(opts);
    const parts = this.codec.parts();
    this.serverPart = new DigitPacker(this.codec.radix, parts.servers);
    this.workerPart = new DigitPacker(this.codec.radix, parts.workers);
    this.serverParts = new StateSet(this.serverPart.bytes);
    this.workerParts = new StateSet(this.workerPart.bytes);
    const words = (p: DigitPacker): number => Math.ceil(p.bytes / 4);
    this.known = new KnownStates(KNOWN_SLOTS, this.serverPart.words, words(this.serverPart), this.workerPart.words, words(this.workerPart));
    this.sleeping = opts.sleepSets ?? true;
    this.fixes = fixesOf(opts);
    this.bits = objectBits(this.root);
    const n = this.root.tasks.length;
    const quiet = candidateActions({ ...this.root, envBudget: 0 }, opts);
    const env = opts.profile === 'adversarial' && opts.envBudget > 0 ? candidateActions({ ...this.root, envBudget: 1 }, opts) : [];
    for (const list of [quiet, env]) {
      this.slots.set(list, {
        task: Int32Array.from(list, (a) => a.tid - 1),
        bit: Int32Array.from(list, (a) => 1 << kindSlot(a)),
      });
    }
    this.curZ = new Uint16Array(n);
    const memory = opts.memoryStates ?? MEMORY_STATES;
    this.keys = new RecordLog(2, memory);
    this.parents = new RecordLog(1, memory);
  }

  /** Remove the temporary files. */
  close(): void {
    this.keys.close();
    this.parents.close();
  }

  private get size(): number {
    return this.keys.size;
  }

  run(): ExploreResult {
    const opts = this.opts;
    this.add(this.root, -1, 0);
    if (this.checkState(this.root, 0)) return this.finish('violation', 'violation');
    if (this.brokenAt.size > 0 || hasCorruptList(this.root)) this.deadEnd = true;
    const n = this.root.tasks.length;
    // Ids are handed out in BFS order, so the frontier is the range of ids
    // not yet expanded; the level being expanded is [levelStart, levelEnd).
    let levelStart = 0;
    let levelEnd = 1;
    let d = 0;
    // The enabled actions' indices in the candidate list, and their footprints.
    const most = Math.max(...[...this.slots.keys()].map((l) => l.length));
    const en = new Int32Array(most);
    const reads = new Int32Array(most);
    const writes = new Int32Array(most);
    const done = new Uint16Array(n);
    for (let id = 0; id < this.size; id++) {
      if (id === levelEnd) {
        levelStart = levelEnd;
        levelEnd = this.size;
        d++;
        // A dead end one level up: the levels from here on go without sleep sets.
        if (this.deadEnd) this.sleeping = false;
        const z = this.curZ;
        this.curZ = this.nextZ;
        this.nextZ = z;
      }
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
      const slots = this.slots.get(actions)!;
      const sleeping = this.sleeping;
      const zAt = (id - levelStart) * n;
      let enabledCount = 0;
      for (let ai = 0; ai < actions.length; ai++) {
        const a = actions[ai]!;
        if (!enabled(s, a, opts)) continue;
        if (causeOf(a) === 'code') codeEnabled = true;
        if (sleeping) {
          footprint(s, a, this.bits, this.fixes);
          reads[enabledCount] = FP.read;
          writes[enabledCount] = FP.write;
        }
        en[enabledCount++] = ai;
      }
      if (sleeping) done.fill(0);
      for (let k = 0; k < enabledCount; k++) {
        const ai = en[k]!;
        const a = actions[ai]!;
        const task = slots.task[ai]!;
        const bit = slots.bit[ai]!;
        if (sleeping && (this.curZ[zAt + task]! & bit) !== 0) {
          this.skipped++;
          continue;
        }
        const step = applyMutable(s, a, this.opts);
        this.transitions++;
        for (const inv of this.edgeInvs) {
          const w = inv.check(s, step);
          if (w !== null && this.report(inv, w, id, ai)) return this.finish('violation', 'violation');
        }
        const to = this.add(step.next, id, d + 1);
        if (to >= 0) {
          if (sleeping) this.sleepSetOf(to - levelEnd, k, enabledCount, en, slots, reads, writes, done, zAt);
          if (this.checkState(step.next, to)) return this.finish('violation', 'violation');
          if (this.brokenAt.has(to) || hasCorruptList(step.next)) this.deadEnd = true;
          if (this.size >= opts.maxStates) return this.finish('incomplete', 'max-states');
        }
        if (sleeping) done[task] = done[task]! | bit;
      }
      if (!codeEnabled) {
        this.quiescent++;
        for (const inv of this.quiescence) {
          const w = inv.check(s);
          if (w !== null && this.report(inv, w, id)) return this.finish('violation', 'violation');
        }
      }
    }
    // The sleep sets are done with: free them before the liveness pass takes its byte per slot.
    this.curZ = new Uint16Array(0);
    this.nextZ = new Uint16Array(0);
    return this.progressBound();
  }

  /**
   * The sleep set of the new state number `at` of the next level, reached
   * by en[k]: the enabled actions asleep in its parent (sleep set at
   * curZ[zAt..]) or taken before en[k] (`done`) that are independent of
   * en[k], each moved to the task the new state's canonical form renames
   * its task to (the renaming of the `add` just made).
   */
  private sleepSetOf(
    at: number,
    k: number,
    count: number,
    en: Int32Array,
    slots: { readonly task: Int32Array; readonly bit: Int32Array },
    reads: Int32Array,
    writes: Int32Array,
    done: Uint16Array,
    zAt: number,
  ): void {
    const n = done.length;
    if (this.nextZ.length < (at + 1) * n) {
      const grown = new Uint16Array(Math.max((at + 1) * n, Math.ceil(1.5 * this.nextZ.length), 1024 * n));
      grown.set(this.nextZ);
      this.nextZ = grown;
    }
    const base = at * n;
    for (let i = 0; i < n; i++) this.nextZ[base + i] = 0;
    const r = reads[k]!;
    const w = writes[k]!;
    for (let j = 0; j < count; j++) {
      if (j === k) continue;
      const task = slots.task[en[j]!]!;
      const bit = slots.bit[en[j]!]!;
      if (((this.curZ[zAt + task]! | done[task]!) & bit) === 0) continue;
      if (!independent(r, w, reads[j]!, writes[j]!)) continue;
      const to = base + renamedTid(task + 1) - 1;
      this.nextZ[to] = this.nextZ[to]! | bit;
    }
  }

  /**
   * The pair of part ids of `s`'s canonical form into `pa`, `pb`. With
   * `intern` false a part not seen before is not added: false then (no
   * stored state has that part).
   */
  private pairOf(s: State, intern: boolean): boolean {
    this.pack(s);
    return this.lookUp(intern);
  }

  /** `s`'s canonical form into the two part packers. */
  private pack(s: State): void {
    this.codec.encodeDigits(s);
    this.serverPart.pack(this.codec.digits);
    this.workerPart.pack(this.codec.digits);
  }

  /** `pairOf` for the parts `pack` left in the packers. */
  private lookUp(intern: boolean): boolean {
    if (intern) {
      this.pa = this.serverParts.add(this.serverPart.key);
      this.pb = this.workerParts.add(this.workerPart.key);
      return true;
    }
    this.pa = this.serverParts.find(this.serverPart.key);
    this.pb = this.workerParts.find(this.workerPart.key);
    return this.pa >= 0 && this.pb >= 0;
  }

  /** The (renamed) state whose parts have ids a and b. */
  private decodePair(a: number, b: number): State {
    const x = this.serverParts.where(a);
    this.serverPart.unpack(x.bytes, x.at, this.codec.digits);
    const y = this.workerParts.where(b);
    this.workerPart.unpack(y.bytes, y.at, this.codec.digits);
    return this.codec.decodeDigits();
  }

  /** The (renamed) state stored under `id`. */
  private decode(id: number): State {
    return this.decodePair(this.keys.get(id, 0), this.keys.get(id, 1));
  }

  /** The (renamed) state in slot number `slot` of the pair set. */
  private decodeSlot(slot: number): State {
    if (!this.pairs.pairAt(slot)) throw new Error(`explore: slot ${slot} is empty`);
    return this.decodePair(this.pairs.a, this.pairs.b);
  }

  /** The slot number of a stored state, or -1. */
  private slotOf(s: State): number {
    this.pack(s);
    const cached = this.slotsFixed && this.known.has();
    if (cached) return this.known.value;
    const slot = this.lookUp(false) ? this.pairs.slotOf(this.pa, this.pb) : -1;
    if (this.slotsFixed && slot >= 0) this.known.remember(slot);
    return slot;
  }

  /** States that already break a state invariant: counterexamples, not expanded. */
  private readonly brokenAt = new Set<number>();

  /** Store `s` if it is new: its id, or -1 when it was stored already. */
  private add(s: State, parent: number, depth: number): number {
    this.pack(s);
    if (this.known.has()) return -1;
    this.lookUp(true);
    const added = this.pairs.add(this.pa, this.pb);
    this.known.remember();
    if (!added) return -1;
    this.parents.append(parent < 0 ? NO_PARENT : parent);
    this.lastDepth = depth;
    return this.keys.append(this.pa, this.pb);
  }

  private parentOf(id: number): number {
    const p = this.parents.get(id);
    return p === NO_PARENT ? -1 : p;
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

  /**
   * The action indices from the initial state to `id`. The action from a
   * parent to its child is the first enabled one whose successor has the
   * child's key: the one the search took when it found the child, since
   * the child was new then.
   */
  private path(id: number): number[] {
    const p: number[] = [];
    for (let i = id; this.parentOf(i) >= 0; i = this.parentOf(i)) {
      const parent = this.parentOf(i);
      const from = this.decode(parent);
      const a = this.keys.get(i, 0);
      const b = this.keys.get(i, 1);
      const actions = candidateActions(from, this.opts);
      const ai = actions.findIndex((x) => enabled(from, x, this.opts) && this.pairOf(applyMutable(from, x, this.opts).next, false) && this.pa === a && this.pb === b);
      if (ai < 0) throw new Error(`explore: no action from state ${parent} reaches state ${i}`);
      p.push(ai);
    }
    return p.reverse();
  }

  /**
   * Replay action indices from the initial state: the trace and the state
   * reached, in the initial state's naming. Each index was taken in the
   * canonical (renamed) copy of its state, so its action's TID is mapped
   * back through that state's renaming before it is applied.
   */
  private replay(path: readonly number[]): { trace: TraceStep[]; state: State; last?: { readonly before: State; readonly step: Step } } {
    let s = this.root;
    const n = s.tasks.length;
    const trace: TraceStep[] = [];
    let last: { readonly before: State; readonly step: Step } | undefined;
    for (const ai of path) {
      this.codec.encode(s);
      const rename = lastRenaming(n);
      const back = new Array<number>(n + 1).fill(0);
      for (let tid = 1; tid <= n; tid++) back[rename[tid]!] = tid;
      const canon = candidateActions(this.codec.decode(this.codec.key, 0), this.opts)[ai]!;
      const a = { ...canon, tid: back[canon.tid]! } as Action;
      const step = applyMutable(s, a, this.opts);
      trace.push({ index: trace.length + 1, task: taskName(this.root, a.tid), row: step.row, label: step.label, action: a });
      last = { before: s, step };
      s = step.next;
    }
    return { trace, state: s, ...(last === undefined ? {} : { last }) };
  }

  /** Record a violation; true when the search must stop. */
  private report(inv: Invariant, witness: Witness, id: number, extra?: number): boolean {
    if (!this.found.has(inv.id)) {
      const p = this.path(id);
      if (extra !== undefined) p.push(extra);
      const { trace, state, last } = this.replay(p);
      // The witness was found on a renamed copy of the state; checked again
      // on the replayed state, it names the tasks as the trace does.
      const named =
        inv.kind === 'transition'
          ? last === undefined
            ? null
            : inv.check(last.before, last.step)
          : inv.kind === 'liveness' && inv.form === 'progress-bound'
            ? null
            : inv.check(state);
      this.found.set(inv.id, { invariant: inv.id, witness: named ?? witness, trace, finalState: state });
    }
    return this.opts.stopAtFirst;
  }

  private finish(verdict: ExploreResult['verdict'], stoppedBy: ExploreResult['stoppedBy'], longestQuietRun = 0): ExploreResult {
    const now = performance.now();
    const elapsedMs = now - this.start;
    const cpu = process.cpuUsage(this.startCpu);
    const n = this.size;
    return {
      distinctStates: n,
      transitions: this.transitions,
      skippedTransitions: this.skipped,
      sleepSets: this.sleeping,
      quiescentStates: this.quiescent,
      corruptStates: this.corrupt,
      depth: this.lastDepth,
      longestQuietRun,
      elapsedMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      livenessMs: this.livenessStart === undefined ? 0 : now - this.livenessStart,
      statesPerSecond: elapsedMs > 0 ? Math.round((n / elapsedMs) * 1000) : 0,
      storeBytes:
        this.pairs.bytesUsed +
        this.serverParts.bytesUsed +
        this.workerParts.bytesUsed +
        this.known.bytesUsed +
        this.keys.bytesInMemory +
        this.parents.bytesInMemory,
      diskBytes: this.keys.bytesOnDisk + this.parents.bytesOnDisk,
      partCounts: { servers: this.serverParts.size, workers: this.workerParts.size },
      verdict: this.found.size > 0 ? 'violation' : verdict,
      complete: stoppedBy === null,
      stoppedBy,
      violations: [...this.found.values()],
    };
  }

  /**
   * The code steps out of the state in slot `slot`, in action order, as the
   * slots they reach, written to `out`; none for a state the search did
   * not expand (`broken`: the slots of states that break a state invariant).
   */
  private codeSuccessors(slot: number, broken: ReadonlySet<number>, out: { push(w: number): void }): void {
    if (broken.has(slot)) return;
    const s = this.decodeSlot(slot);
    if (hasCorruptList(s)) return;
    const actions = candidateActions(s, this.opts);
    for (let ai = 0; ai < actions.length; ai++) {
      const a = actions[ai]!;
      if (causeOf(a) !== 'code' || !enabled(s, a, this.opts)) continue;
      const to = this.slotOf(applyMutable(s, a, this.opts).next);
      if (to < 0) throw new Error(`explore: a code step from slot ${slot} leaves the stored states`);
      out.push(to);
    }
  }

  /**
   * LIVE-BOUNDED-PROGRESS: the longest run of code steps to quiescence.
   * States are taken as DFS roots in BFS order, and a root's length is final
   * once its DFS returns, so the first state over the bound is known when
   * its turn comes; once a state reaches a cycle the longest run is known to
   * be infinite and the rest of the graph is not searched. The DFS numbers
   * states by their slots in the pair set (which no longer grows), so it
   * needs no map from states to ids.
   */
  private progressBound(): ExploreResult {
    const n = this.size;
    const k = this.opts.progressBound;
    this.livenessStart = performance.now();
    this.known.clear();
    this.slotsFixed = true;
    const broken = new Set<number>();
    for (const id of this.brokenAt) broken.add(this.pairs.slotOf(this.keys.get(id, 0), this.keys.get(id, 1)));
    const rootSlot = (id: number): number => this.pairs.slotOf(this.keys.get(id, 0), this.keys.get(id, 1));
    let worst = 0;
    let at = -1;
    const len = longestQuietPaths(
      this.pairs.slots,
      (v, out) => this.codeSuccessors(v, broken, out),
      (root, l) => {
        if (l > worst) worst = l;
        if (at < 0 && l > k) at = root;
        return worst === INF;
      },
      { count: n, node: rootSlot },
    );
    const worstRun = worst === INF ? Infinity : worst;
    if (this.bound === undefined || at < 0) return this.finish('pass', null, worstRun);
    // The first state over the bound in BFS order has a shortest trace.
    const atSlot = rootSlot(at);
    const cycle = len.get(atSlot) === INF;
    const p = this.path(at);
    // Continue along code steps: to a successor one step shorter (a longest
    // run), or, on a run that never ends, to any successor that also never
    // ends, until a state repeats (once around a cycle) or the bound is passed.
    const seen = new Set<number>([atSlot]);
    for (let node = atSlot, m = 0; m <= k && len.get(node) > 0; m++) {
      const cur = this.decodeSlot(node);
      const want = cycle ? INF : len.get(node) - 1;
      const actions = candidateActions(cur, this.opts);
      let to = -1;
      const ai = actions.findIndex((a) => {
        if (causeOf(a) !== 'code' || !enabled(cur, a, this.opts)) return false;
        to = this.slotOf(applyMutable(cur, a, this.opts).next);
        return len.get(to) === want;
      });
      if (ai < 0) throw new Error(`explore: no code step from slot ${node} continues the longest run`);
      p.push(ai);
      node = to;
      if (cycle && seen.has(to)) break; // once around the cycle is enough
      seen.add(to);
    }
    const message = cycle
      ? 'a cycle of code steps never reaches quiescence (the trace ends once around the cycle)'
      : `a run of ${len.get(atSlot)} code steps reaches quiescence only after the bound ${k}`;
    const { trace, state } = this.replay(p);
    this.found.set(this.bound.id, { invariant: this.bound.id, witness: { message, tasks: [] }, trace, finalState: state });
    return this.finish('violation', null, worstRun);
  }
}

/** The bit of an action in its task's sleep-set mask (16 bits: every candidate kind, each write its own). */
function kindSlot(a: Action): number {
  if (a.kind !== 'write') return KIND_SLOT[a.kind];
  return a.locked === true ? WRITE_LOCKED_SLOT : KIND_SLOT.write + WRITE_STATE[a.state];
}
const KIND_SLOT: Readonly<Record<ActionKind, number>> = {
  step: 0,
  block: 1,
  complete: 2,
  yield: 3,
  lock: 4,
  signal: 5,
  ttwu: 6,
  exit: 7,
  unregister: 8,
  write: 9,
  // Not exploration choices (never in a candidate list).
  ctl: 14,
  wait: 15,
};
/** The write of RUNNING|LOCKED (slots 9-12 are the plain writes). */
const WRITE_LOCKED_SLOT = 13;
const WRITE_STATE: Readonly<Record<UmcgState, number>> = { NONE: 0, RUNNING: 1, IDLE: 2, BLOCKED: 3 };

/** The parent of the initial state. */
const NO_PARENT = 0xffffffff;

/** Entries of the cache of known states: 2^16 (1.5 MB for 2 x 3: in the L2 or L3 cache, against DRAM for the pair set). */
const KNOWN_SLOTS = 1 << 16;

/** "Reaches a cycle": an infinite run of code steps. */
export const INF = 0x7fffffff;

/** A growable stack of 32-bit ints. */
class IntStack {
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

/** Longest quiet run of each state, as `longestQuietPaths` leaves it. */
export interface RunLengths {
  /** The length, or INF (only for states the search visited). */
  get(v: number): number;
  /** How many states the search visited. */
  readonly visited: number;
}

/**
 * Longest path (in edges) from every node to a sink of the code-step graph;
 * INF for nodes that reach a cycle. Iterative DFS (no recursion limit), taking roots in order, over
 * successors computed on demand (`succ` appends them to the stack it is
 * given), so the graph is never stored: the cost is one more expansion of
 * every state. Per node it keeps one byte (0 not yet visited, 1 on the DFS
 * stack, 2 + length when done, 0xff for INF); a length that does not fit
 * makes it start again with 16 bits a node, then 32. After each root,
 * `stop(root, its length)` may end the search.
 */
export function longestQuietPaths(n: number, succ: Successors, stop: (root: number, len: number) => boolean, roots?: Roots): RunLengths {
  const r = roots ?? { count: n, node: (i: number) => i };
  try {
    return dfs(new Uint8Array(n), 0xff, r, succ, stop);
  } catch (e) {
    if (!(e instanceof WideRun)) throw e;
  }
  try {
    return dfs(new Uint16Array(n), 0xffff, r, succ, stop);
  } catch (e) {
    if (!(e instanceof WideRun)) throw e;
  }
  return dfs(new Int32Array(n), INF, r, succ, stop);
}

/**
 * The roots of the DFS, in order: root i is node `node(i)`, for i below
 * `count` (by default every node, in order). `stop` is given i, not the node.
 */
export interface Roots {
  readonly count: number;
  node(i: number): number;
}

/** Appends the code-step successors of `v` to `out`, in action order. */
export type Successors = (v: number, out: { push(w: number): void }) => void;

class WideRun extends Error {}

function dfs(mark: Uint8Array | Uint16Array | Int32Array, top: number, roots: Roots, succ: Successors, stop: (root: number, len: number) => boolean): RunLengths {
  const ON_STACK = 1;
  // Per frame: node, its first successor's index in `edges`, the next one to
  // look at, and the node's longest run so far.
  const node = new IntStack();
  const first = new IntStack();
  const pos = new IntStack();
  const run = new IntStack();
  const edges = new IntStack();
  const done = (len: number): number => {
    if (len === INF) return top;
    if (len + 2 >= top) throw new WideRun();
    return len + 2;
  };
  const lengthOf = (m: number): number => (m === top ? INF : m - 2);
  let visited = 0;
  const push = (v: number): void => {
    visited++;
    mark[v] = ON_STACK;
    node.push(v);
    first.push(edges.length);
    succ(v, edges);
    pos.push(first.data[first.length - 1]!);
    run.push(0);
  };
  const longer = (f: number, lw: number): void => {
    const cand = lw === INF ? INF : lw + 1;
    if (cand > run.data[f]!) run.data[f] = cand;
  };
  for (let i = 0; i < roots.count; i++) {
    const root = roots.node(i);
    if (mark[root] !== 0) {
      if (stop(i, lengthOf(mark[root]!))) break;
      continue;
    }
    push(root);
    while (node.length > 0) {
      const f = node.length - 1;
      const p = pos.data[f]!;
      if (p < edges.length) {
        pos.data[f] = p + 1;
        const w = edges.data[p]!;
        const m = mark[w]!;
        if (m === 0) push(w);
        else if (m === ON_STACK) run.data[f] = INF; // back edge: a cycle
        else longer(f, lengthOf(m));
        continue;
      }
      const v = node.data[f]!;
      const len = run.data[f]!;
      mark[v] = done(len);
      edges.length = first.data[f]!;
      node.length--;
      first.length--;
      pos.length--;
      run.length--;
      if (f > 0) longer(f - 1, len);
    }
    if (stop(i, lengthOf(mark[root]!))) break;
  }
  return { get: (v) => lengthOf(mark[v]!), visited };
}
