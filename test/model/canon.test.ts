/**
 * State keys. `stateKey` must be exact (equal keys iff equal states);
 * `canonicalKey` must be sound (equal keys only for renamings of one another,
 * so caching by it loses no behaviour) and should identify renamings (so it
 * actually reduces). No test looks at the encoding of a key, only at equality.
 */
import { describe, expect, it } from 'vitest';
import { canonicalKey, stateKey } from '../../model/canon.ts';
import { initialState, successors } from '../../model/init.ts';
import type { State, Task, Tid, UmcgState } from '../../model/types.ts';
import {
  ALL_PCS,
  build,
  config,
  marked,
  reachable,
  rename,
  serverAsleep,
  serverAtLoop,
  swap,
  withState,
  withTasks,
  workerAsleepInHook,
  workerAsleepInWait,
  workerInBlockingCall,
  workerRunning,
  type TaskPatch,
} from '../helpers/model.ts';

// 2 x 2: servers 1, 2; workers 3, 4.
const S1 = 1;
const S2 = 2;
const W1 = 3;
const W2 = 4;

/**
 * A 2 x 2 state in which every task is somewhere different and every TID
 * field is used: S1 runs W1, S2 sleeps on idle_servers, W2 sleeps on
 * idle_workers, and a marked node is still linked.
 */
function busy(): State {
  return build({
    servers: 2,
    workers: 2,
    envBudget: 2,
    tasks: {
      [S1]: serverAsleep(S1, W1),
      [S2]: serverAsleep(S2),
      [W1]: workerRunning(S1),
      [W2]: workerAsleepInHook(0, 'call', { other: S2 }),
    },
    idleWorkers: [W2],
    idleServers: [S2, marked(S1)],
  });
}

const STATES: readonly UmcgState[] = ['NONE', 'RUNNING', 'IDLE', 'BLOCKED'];

/** Single-field changes of `busy()`, each a different state. */
function variants(): readonly [string, State][] {
  const s = busy();
  const out: [string, State][] = [];
  const task = (name: string, tid: Tid, patch: TaskPatch): void => {
    out.push([`task ${tid} ${name}`, withTasks(s, { [tid]: patch })]);
  };
  out.push(['envBudget', withState(s, { envBudget: 1 })]);
  out.push(['killedBy', withState(s, { killedBy: W1 })]);
  for (const pc of ALL_PCS) if (pc !== s.tasks[W1 - 1]!.pc) task(`pc ${pc}`, W1, { pc });
  for (const st of STATES) if (st !== 'RUNNING') task(`state ${st}`, W1, { word: { state: st } });
  task('locked', W1, { word: { locked: true } });
  task('serverTid', W1, { word: { serverTid: S2 } });
  task('serverTid 0', W1, { word: { serverTid: 0 } });
  task('nextTid', W1, { word: { nextTid: W2 } });
  task('reg none', W1, { reg: 'none' });
  task('reg server', W1, { reg: 'server' });
  task('kstate', W1, { kstate: 'interruptible' });
  task('sigpending', W1, { sigpending: true });
  task('other', W1, { other: S1 });
  task('other changed', W2, { other: S1 });
  task('hookFrom', W1, { hookFrom: 'call' });
  task('end sigsegv', W1, { end: 'sigsegv' });
  task('end exit', W1, { end: 'exit' });
  task('server state', S2, { word: { state: 'RUNNING' } });
  task('server nextTid', S2, { word: { nextTid: W2 } });
  out.push(['idle_workers empty', withState(s, { idleWorkers: [] })]);
  out.push(['idle_workers longer', withState(s, { idleWorkers: [{ tid: W2, marked: false }, { tid: W1, marked: false }] })]);
  out.push(['idle_workers order', withState(s, { idleWorkers: [{ tid: W1, marked: false }, { tid: W2, marked: false }] })]);
  out.push(['idle_workers other task', withState(s, { idleWorkers: [{ tid: W1, marked: false }] })]);
  out.push(['idle_workers node marked', withState(s, { idleWorkers: [{ tid: W2, marked: true }] })]);
  out.push(['idle_servers order', withState(s, { idleServers: [marked(S1), { tid: S2, marked: false }] })]);
  out.push(['idle_servers mark moved', withState(s, { idleServers: [marked(S2), { tid: S1, marked: false }] })]);
  out.push(['idle_servers unmarked', withState(s, { idleServers: [{ tid: S2, marked: false }, { tid: S1, marked: false }] })]);
  out.push(['idle_servers node dropped', withState(s, { idleServers: [{ tid: S2, marked: false }] })]);
  out.push(['a server node on idle_workers', withState(s, { idleWorkers: [{ tid: W2, marked: false }, { tid: S2, marked: false }] })]);
  return out;
}

describe('stateKey', () => {
  it('is equal for equal states built separately', () => {
    expect(stateKey(busy())).toBe(stateKey(busy()));
    expect(stateKey(structuredClone(busy()))).toBe(stateKey(busy()));
    expect(stateKey(initialState(config(2, 3)))).toBe(stateKey(initialState(config(2, 3))));
  });

  it('differs when any single field of the state differs', () => {
    const base = stateKey(busy());
    for (const [name, v] of variants()) expect(stateKey(v), name).not.toBe(base);
  });

  it('gives the single-field variants pairwise different keys', () => {
    const keys = new Map<string, string>();
    for (const [name, v] of variants()) {
      const k = stateKey(v);
      expect(keys.get(k), `${name} collides with ${keys.get(k)}`).toBeUndefined();
      keys.set(k, name);
    }
  });

  it('differs for every pair of program counters of one task', () => {
    const keys = new Set(ALL_PCS.map((pc) => stateKey(withTasks(busy(), { [W2]: { pc } }))));
    expect(keys.size).toBe(ALL_PCS.length);
  });

  it('never gives two different reachable states the same key (checked against a structural encoding)', () => {
    const cfg = config(1, 2, { yield: true });
    const json = (x: unknown): string =>
      JSON.stringify(x, (_k, v: unknown) =>
        v !== null && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
          : v,
      );
    const s0 = initialState(cfg);
    const seen = new Map<string, string>([[json(s0), stateKey(s0)]]);
    const queue: State[] = [s0];
    while (queue.length > 0 && seen.size < 20_000) {
      for (const st of successors(queue.shift()!, cfg)) {
        const j = json(st.next);
        if (!seen.has(j)) {
          seen.set(j, stateKey(st.next));
          queue.push(st.next);
        }
      }
    }
    expect(new Set(seen.values()).size).toBe(seen.size);
  });

  // Found by this suite: stateKey once left out Task.role.
  it('differs when only a task\'s role differs (stateKey omits Task.role)', () => {
    const s = busy();
    const flipped: State = { ...s, tasks: s.tasks.map((t): Task => (t.tid === S2 ? { ...t, role: 'worker' } : t)) };
    expect(stateKey(flipped)).not.toBe(stateKey(s));
  });
});

/** Every role-preserving permutation of an S x W state's TIDs. */
function permutations(servers: number, workers: number): ((t: Tid) => Tid)[] {
  const perms = (xs: number[]): number[][] =>
    xs.length <= 1 ? [xs] : xs.flatMap((x, i) => perms([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
  const sIds = Array.from({ length: servers }, (_, i) => i + 1);
  const wIds = Array.from({ length: workers }, (_, i) => servers + i + 1);
  const out: ((t: Tid) => Tid)[] = [];
  for (const ps of perms(sIds)) {
    for (const pw of perms(wIds)) {
      const to = [0, ...ps, ...pw];
      out.push((t) => to[t] ?? t);
    }
  }
  return out;
}

/** The fields of a task that name no TID, and where it sits on the lists. */
function tidFree(s: State, t: Task): string {
  const at = (l: State['idleWorkers']) => l.findIndex((n) => n.tid === t.tid);
  return JSON.stringify([t.pc, t.reg, t.word.state, t.word.locked, t.kstate, t.sigpending, t.hookFrom, t.end, at(s.idleWorkers), at(s.idleServers)]);
}

describe('canonicalKey', () => {
  it('is invariant under swapping two workers consistently (tasks, state words, other, lists)', () => {
    const s = busy();
    const swapped = rename(s, swap(W1, W2));
    expect(stateKey(swapped)).not.toBe(stateKey(s));
    expect(canonicalKey(swapped)).toBe(canonicalKey(s));
  });

  it('is invariant under swapping two servers consistently', () => {
    const s = busy();
    const swapped = rename(s, swap(S1, S2));
    expect(stateKey(swapped)).not.toBe(stateKey(s));
    expect(canonicalKey(swapped)).toBe(canonicalKey(s));
  });

  it('is invariant under swapping both pairs at once, and under renaming a killed process\'s culprit', () => {
    const s = withState(busy(), { killedBy: W2 });
    const both = rename(s, (t) => swap(W1, W2)(swap(S1, S2)(t)));
    expect(canonicalKey(both)).toBe(canonicalKey(s));
  });

  it('is invariant under every role-preserving renaming of reachable states, tied signatures included (the key is exactly the symmetry class)', () => {
    for (const [servers, workers] of [
      [1, 2],
      [2, 1],
    ] as const) {
      const perms = permutations(servers, workers);
      const g = reachable(config(servers, workers, { yield: true }), { limit: 20_000, truncate: true });
      let tied = 0;
      for (const s of g.states) {
        const k = canonicalKey(s);
        for (const p of perms) expect(canonicalKey(rename(s, p))).toBe(k);
        // States where two tasks of one role look alike but for their TID fields: the tie-break must not depend on TIDs.
        const sigs = s.tasks.map((t) => t.role + tidFree(s, t));
        if (new Set(sigs).size !== sigs.length) tied++;
      }
      expect(tied, `${servers}x${workers}: states with tied signatures`).toBeGreaterThan(100);
    }
  });

  it('is sound: states of a reachable space with equal canonical keys are renamings of each other', () => {
    for (const [servers, workers] of [
      [1, 2],
      [2, 1],
      [2, 2],
    ] as const) {
      const perms = permutations(servers, workers);
      const g = reachable(config(servers, workers, { yield: false }), { limit: 20_000, truncate: true });
      const classes = new Map<string, State>();
      let merged = 0;
      for (const s of g.states) {
        const k = canonicalKey(s);
        const rep = classes.get(k);
        if (rep === undefined) {
          classes.set(k, s);
          continue;
        }
        const target = stateKey(rep);
        expect(perms.some((p) => stateKey(rename(s, p)) === target), `not a renaming: ${k}`).toBe(true);
        merged++;
      }
      expect(merged, `${servers}x${workers}: symmetry reduction merged some states`).toBeGreaterThan(0);
    }
  });

  it('distinguishes states that are not renamings: the same two distinct workers in the other list order', () => {
    const s = build({
      servers: 2,
      workers: 2,
      tasks: { [S1]: serverAtLoop(S1), [S2]: serverAsleep(S2), [W1]: workerAsleepInHook(0, 'call'), [W2]: workerAsleepInWait(S1) },
      idleWorkers: [W1, W2],
      idleServers: [S2],
    });
    const reordered = withState(s, { idleWorkers: [...s.idleWorkers].reverse() });
    expect(canonicalKey(reordered)).not.toBe(canonicalKey(s));
  });

  it('distinguishes a server waking its own worker from a server waking the other server\'s worker', () => {
    const s = build({
      servers: 2,
      workers: 2,
      tasks: {
        [S1]: serverAsleep(S1, W1),
        [S2]: serverAtLoop(S2),
        [W1]: workerRunning(S1),
        [W2]: workerInBlockingCall(S2),
      },
    });
    const crossed = withTasks(s, { [S1]: { word: { nextTid: W2 } } });
    expect(canonicalKey(crossed)).not.toBe(canonicalKey(s));
  });

  it('distinguishes every single-field variant of a state from the state itself', () => {
    const base = canonicalKey(busy());
    for (const [name, v] of variants()) {
      // Swapping two list positions of identical-looking nodes could be a renaming; none of these variants is one.
      expect(canonicalKey(v), name).not.toBe(base);
    }
  });
});
