/**
 * The invariant registry: for every entry, that it holds where it should
 * (initial states, every state and edge of configurations the manifest
 * records as passing) and fails on a hand-built bad state (or bad step) with
 * the witness naming the right tasks and list. Test names start with the
 * invariant's ID. LIVE-BOUNDED-PROGRESS has no check of its own; it is tested
 * through the explorer that measures it.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../engine/explore.ts';
import { ESRCH } from '../../model/errno.ts';
import { apply, causeOf, type Step } from '../../model/transitions.ts';
import { initialState, successors } from '../../model/init.ts';
import type { ModelConfig, State } from '../../model/types.ts';
import type { Invariant, LivenessProperty, StateInvariant, TransitionInvariant, Witness } from '../../properties/invariant.ts';
import { appliesTo } from '../../properties/invariant.ts';
import { DEFAULT_PROGRESS_BOUND, INVARIANTS, invariantById } from '../../properties/registry.ts';
import {
  act,
  build,
  config,
  expectWitness,
  exploreOptions,
  isQuiescent,
  marked,
  reachable,
  replay,
  serverAsleep,
  serverAtLoop,
  step,
  taskOf,
  withTasks,
  workerAsleepInHook,
  workerAsleepInWait,
  workerInBlockingCall,
  workerRunning,
  type Graph,
} from '../helpers/model.ts';

// 1 x 2: S1 = 1, W1 = 2, W2 = 3. 2 x 1: S1 = 1, S2 = 2, W = 3.
const S1 = 1;
const W1 = 2;
const W2 = 3;
const S2 = 2;
const W3 = 3;

type AtQuiescence = Extract<LivenessProperty, { form: 'at-quiescence' }>;

function stateInv(id: string): StateInvariant {
  const inv = invariantById(id);
  if (inv === undefined || (inv.kind !== 'well-formedness' && inv.kind !== 'safety')) throw new Error(`${id} is not a state invariant`);
  return inv;
}
function edgeInv(id: string): TransitionInvariant {
  const inv = invariantById(id);
  if (inv === undefined || inv.kind !== 'transition') throw new Error(`${id} is not a transition invariant`);
  return inv;
}
function quietInv(id: string): AtQuiescence {
  const inv = invariantById(id);
  if (inv === undefined || inv.kind !== 'liveness' || inv.form !== 'at-quiescence') throw new Error(`${id} is not checked at quiescence`);
  return inv;
}

/** A hand-made step: `next` after `action`, as if a transition had produced it. */
function fakeStep(action: Step['action'], next: State, label = 'hand-built step'): Step {
  return { action, row: 'test', label, next };
}

// ---------------------------------------------------------------------------
// Registry meta-data

describe('the registry', () => {
  it('has unique IDs', () => {
    const ids = INVARIANTS.map((i) => i.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('uses IDs of the form INV-... or LIVE-..., upper case, digits and dashes', () => {
    for (const inv of INVARIANTS) expect(inv.id).toMatch(/^(INV|LIVE)-[A-Z0-9-]+$/);
  });

  it('gives every entry a statement, a rationale, a spec section, breakers and a how-checked sentence', () => {
    for (const inv of INVARIANTS) {
      expect(inv.statement.trim(), inv.id).not.toBe('');
      expect(inv.rationale.trim(), inv.id).not.toBe('');
      expect(inv.spec.trim(), inv.id).not.toBe('');
      expect(inv.checked.trim(), inv.id).not.toBe('');
      expect(inv.breakers.length, inv.id).toBeGreaterThan(0);
      for (const b of inv.breakers) expect(b.trim(), inv.id).not.toBe('');
    }
  });

  it('names liveness properties LIVE-... and every other kind INV-...', () => {
    for (const inv of INVARIANTS) expect(inv.id.startsWith('LIVE-'), inv.id).toBe(inv.kind === 'liveness');
  });

  it('lists well-formedness first, then safety, then transitions, then liveness', () => {
    const order = ['well-formedness', 'safety', 'transition', 'liveness'];
    const ranks = INVARIANTS.map((i) => order.indexOf(i.kind));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
  });

  it('finds every entry by its ID and nothing by an unknown one', () => {
    for (const inv of INVARIANTS) expect(invariantById(inv.id)).toBe(inv);
    expect(invariantById('INV-NO-SUCH-THING')).toBeUndefined();
  });

  it('applies `always` invariants to every profile and `contract` ones to the contract profile only', () => {
    for (const inv of INVARIANTS) {
      expect(appliesTo(inv, 'contract'), inv.id).toBe(true);
      expect(appliesTo(inv, 'adversarial'), inv.id).toBe(inv.scope === 'always');
    }
  });

  it('has a failing-case test in this file for every entry', () => {
    expect(Object.keys(BAD).sort()).toEqual(INVARIANTS.map((i) => i.id).sort());
  });
});

// ---------------------------------------------------------------------------
// (a) Every invariant holds where it should

/** Configurations the manifest records as passing every invariant. */
const PASSING: readonly ModelConfig[] = [config(1, 1, { yield: false }), config(1, 2, { yield: false }), config(2, 1, { yield: false })];

const graphs = new Map<ModelConfig, Graph>();
function graphOf(cfg: ModelConfig): Graph {
  let g = graphs.get(cfg);
  if (g === undefined) {
    g = reachable(cfg, { limit: 30_000, truncate: true });
    graphs.set(cfg, g);
  }
  return g;
}

function holdsEverywhere(inv: Invariant, cfg: ModelConfig): number {
  const g = graphOf(cfg);
  let checks = 0;
  if (inv.kind === 'well-formedness' || inv.kind === 'safety') {
    for (const s of g.states) {
      expect(inv.check(s), inv.id).toBeNull();
      checks++;
    }
  } else if (inv.kind === 'transition') {
    for (const e of g.edges) {
      expect(inv.check(g.states[e.from]!, e.step), `${inv.id} on "${e.step.label}"`).toBeNull();
      checks++;
    }
  } else if (inv.kind === 'liveness' && inv.form === 'at-quiescence') {
    for (const s of g.states) {
      if (!isQuiescent(s, cfg)) continue;
      expect(inv.check(s), inv.id).toBeNull();
      checks++;
    }
  }
  return checks;
}

describe('every invariant holds on good states', () => {
  for (const inv of INVARIANTS) {
    if (inv.kind === 'liveness' && inv.form === 'progress-bound') continue;
    if (inv.kind !== 'transition') {
      const check = inv.check;
      it(`${inv.id} holds on the initial states of several configurations`, () => {
        for (const [s, w] of [
          [1, 1],
          [1, 3],
          [2, 2],
          [3, 1],
        ] as const) {
          expect(check(initialState(config(s, w))), `${s}x${w}`).toBeNull();
        }
      });
    }

    it(`${inv.id} holds on every reachable state, edge or quiescent state of the passing configurations 1x1, 1x2 and 2x1 without yield`, () => {
      let checks = 0;
      for (const cfg of PASSING) checks += holdsEverywhere(inv, cfg);
      expect(checks).toBeGreaterThan(0);
    });
  }

  // Since a ttwu wakes a worker inside its blocking call (try_to_wake_up with
  // TASK_NORMAL), every configuration with workers has a cycle of code steps:
  // a late context-switch ttwu wakes a worker in its call, the wake hook
  // queues it though the call has not completed, a server picks it and
  // switches to it, and it goes round the call's wait loop into the block
  // hook again, without end (a v0.3 finding). The CLI's configurations all
  // have the blocking workload (1x1, 1x2, 2x1, with or without yield or
  // locks: all report the cycle). The positive case runs the explorer on
  // servers only (no workers, so no blocking workload): a real, finite
  // longest run of code steps, measured over the explored graph.
  it('LIVE-BOUNDED-PROGRESS holds with the default bound on 2 servers without workers (the explorer measures it)', () => {
    const r = explore(exploreOptions(2, 0, { yield: false, only: ['LIVE-BOUNDED-PROGRESS'] }));
    expect(r.violations).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.longestQuietRun).toBeGreaterThan(3);
    expect(r.longestQuietRun).toBeLessThanOrEqual(DEFAULT_PROGRESS_BOUND);
  });

  it('LIVE-BOUNDED-PROGRESS is violated on 1x1 without yield: a worker woken inside its blocking call cycles through the hooks without end', () => {
    const opts = exploreOptions(1, 1, { yield: false, only: ['LIVE-BOUNDED-PROGRESS'] });
    for (const progressBound of [DEFAULT_PROGRESS_BOUND, 100_000]) {
      const r = explore({ ...opts, progressBound });
      expect(r.verdict, `bound ${progressBound}`).toBe('violation');
      // A cycle, not merely a long run: no bound is large enough.
      expect(r.longestQuietRun).toBe(Infinity);
      const v = r.violations.find((x) => x.invariant === 'LIVE-BOUNDED-PROGRESS');
      expect(v, 'LIVE-BOUNDED-PROGRESS reported').toBeDefined();
      if (v === undefined) return;
      expect(v.witness.message).toContain('cycle');
      // A real run from the initial state (1x1 has no symmetry to undo) ...
      const end = replay(initialState(opts), v.trace.map((t) => t.action), opts);
      expect(end).toEqual(v.finalState);
      // ... in which the worker's blocking call never completed: it ends inside
      // that call (the cycle) with no completion anywhere in the trace.
      expect(v.trace.some((t) => t.action.kind === 'block')).toBe(true);
      expect(v.trace.some((t) => t.action.kind === 'complete')).toBe(false);
      expect(taskOf(end, W1)).toMatchObject({ hookFrom: 'call', callDone: false });
    }
  });
});

// ---------------------------------------------------------------------------
// (b) Every invariant fails on a bad state, with the right witness

const BAD: Readonly<Record<string, readonly { readonly name: string; readonly run: () => void }[]>> = {
  'INV-LIST-NO-DUPLICATE': [
    {
      name: 'INV-LIST-NO-DUPLICATE fails when a worker is on idle_workers twice (the v0.3 double push)',
      run: () => {
        const s = build({ servers: 1, workers: 2, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInHook(0), [W2]: workerAsleepInWait(0) }, idleWorkers: [W1, W2, W1] });
        expectWitness(stateInv('INV-LIST-NO-DUPLICATE').check(s), [W1], 'idle_workers');
      },
    },
    {
      name: 'INV-LIST-NO-DUPLICATE fails when a server is on idle_servers twice, even if one node is marked',
      run: () => {
        const s = build({ servers: 2, workers: 1, tasks: { [S1]: serverAsleep(S1), [S2]: serverAsleep(S2) }, idleServers: [S2, S1, marked(S2)] });
        expectWitness(stateInv('INV-LIST-NO-DUPLICATE').check(s), [S2], 'idle_servers');
      },
    },
  ],
  'INV-LIST-MEMBERS': [
    {
      name: 'INV-LIST-MEMBERS fails when a worker that exited is still on idle_workers',
      run: () => {
        const s = build({ servers: 1, workers: 2, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInHook(0), [W2]: { reg: 'none', pc: 'dead', end: 'exit' } }, idleWorkers: [W1, W2] });
        expectWitness(stateInv('INV-LIST-MEMBERS').check(s), [W2], 'idle_workers');
      },
    },
    {
      name: 'INV-LIST-MEMBERS fails when a server is on idle_workers',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1) }, idleWorkers: [S1] });
        expectWitness(stateInv('INV-LIST-MEMBERS').check(s), [S1], 'idle_workers');
      },
    },
    {
      name: 'INV-LIST-MEMBERS fails when a worker is on idle_servers',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerAsleepInWait(S1) }, idleServers: [S1, W1] });
        expectWitness(stateInv('INV-LIST-MEMBERS').check(s), [W1], 'idle_servers');
      },
    },
  ],
  'INV-IDLE-LIST-STATE': [
    {
      name: 'INV-IDLE-LIST-STATE fails when a worker marked RUNNING is still linked on idle_workers',
      run: () => {
        const s = build({ servers: 1, workers: 2, tasks: { [S1]: serverAsleep(S1, W2), [W1]: workerAsleepInHook(0), [W2]: workerRunning(S1) }, idleWorkers: [W1, W2] });
        expectWitness(stateInv('INV-IDLE-LIST-STATE').check(s), [W2], 'idle_workers');
      },
    },
    {
      name: 'INV-IDLE-LIST-STATE fails when an unmarked node on idle_servers is a RUNNING server, and holds once it is marked',
      run: () => {
        const s = build({ servers: 2, workers: 1, tasks: { [S1]: serverAtLoop(S1), [S2]: serverAsleep(S2) }, idleServers: [S2, S1] });
        expectWitness(stateInv('INV-IDLE-LIST-STATE').check(s), [S1], 'idle_servers');
        const popped = build({ servers: 2, workers: 1, tasks: { [S1]: serverAtLoop(S1), [S2]: serverAsleep(S2) }, idleServers: [S2, marked(S1)] });
        expect(stateInv('INV-IDLE-LIST-STATE').check(popped)).toBeNull();
      },
    },
  ],
  'INV-STATE-VALID': [
    {
      name: 'INV-STATE-VALID fails when a registered worker has state NONE (and holds for an unregistered one)',
      run: () => {
        const s = build({ servers: 1, workers: 2, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(S1, { word: { state: 'NONE' } }), [W2]: { word: { state: 'NONE' } } } });
        expectWitness(stateInv('INV-STATE-VALID').check(s), [W1]);
        expect(stateInv('INV-STATE-VALID').check(withTasks(s, { [W1]: { word: { state: 'IDLE' } } }))).toBeNull();
      },
    },
    {
      name: 'INV-STATE-VALID fails when a server is BLOCKED',
      run: () => {
        const s = build({ servers: 2, workers: 1, tasks: { [S1]: serverAtLoop(S1), [S2]: serverAtLoop(S2, { word: { state: 'BLOCKED' } }) } });
        expectWitness(stateInv('INV-STATE-VALID').check(s), [S2]);
      },
    },
    {
      name: 'INV-STATE-VALID fails when a server is LOCKED',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { word: { locked: true } }) } });
        expectWitness(stateInv('INV-STATE-VALID').check(s), [S1]);
      },
    },
  ],
  'INV-RUNNING-HAS-SERVER': [
    {
      name: 'INV-RUNNING-HAS-SERVER fails when a worker runs its body RUNNING with server_tid 0, and holds when it is LOCKED',
      run: () => {
        const s = build({ servers: 1, workers: 2, tasks: { [S1]: serverAsleep(S1, W1), [W1]: workerRunning(S1), [W2]: workerRunning(0) } });
        expectWitness(stateInv('INV-RUNNING-HAS-SERVER').check(s), [W2]);
        expect(stateInv('INV-RUNNING-HAS-SERVER').check(withTasks(s, { [W2]: { word: { locked: true } } }))).toBeNull();
      },
    },
  ],
  'INV-USER-ONLY-RUNNING': [
    {
      name: 'INV-USER-ONLY-RUNNING fails when a worker returns to its body IDLE (a signal in the wake hook after a blocking call)',
      run: () => {
        const s = build({ servers: 1, workers: 2, tasks: { [S1]: serverAsleep(S1, W1), [W1]: workerRunning(S1), [W2]: workerRunning(S1, { word: { state: 'IDLE' } }) } });
        expectWitness(stateInv('INV-USER-ONLY-RUNNING').check(s), [W2]);
      },
    },
    {
      name: 'INV-USER-ONLY-RUNNING fails when a worker runs its body without a server, and holds for a LOCKED worker in any state',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerRunning(0) } });
        expectWitness(stateInv('INV-USER-ONLY-RUNNING').check(s), [W1]);
        expect(stateInv('INV-USER-ONLY-RUNNING').check(withTasks(s, { [W1]: { word: { locked: true, state: 'IDLE' } } }))).toBeNull();
      },
    },
  ],
  'INV-SINGLE-RUNNING': [
    {
      name: 'INV-SINGLE-RUNNING fails when a server and its worker both run',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerRunning(S1) } });
        expectWitness(stateInv('INV-SINGLE-RUNNING').check(s), [S1, W1]);
      },
    },
    {
      name: 'INV-SINGLE-RUNNING fails when two workers run for one sleeping server',
      run: () => {
        const s = build({ servers: 1, workers: 2, tasks: { [S1]: serverAsleep(S1, W1), [W1]: workerRunning(S1), [W2]: workerRunning(S1) } });
        expectWitness(stateInv('INV-SINGLE-RUNNING').check(s), [W1, W2]);
      },
    },
    {
      name: 'INV-SINGLE-RUNNING holds when each of two servers runs one worker',
      run: () => {
        const s = build({ servers: 2, workers: 2, tasks: { [S1]: serverAsleep(S1, 3), [S2]: serverAsleep(S2, 4), 3: workerRunning(S1), 4: workerRunning(S2) } });
        expect(stateInv('INV-SINGLE-RUNNING').check(s)).toBeNull();
      },
    },
  ],
  'INV-NO-SIGSEGV': [
    {
      name: 'INV-NO-SIGSEGV fails once umcg_die() has killed the process, naming the task that called it',
      run: () => {
        const s = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1, { word: { state: 'BLOCKED' } }), [W1]: workerInBlockingCall(S1, { pc: 'submit_work:wake_server', other: S1 }) },
        });
        const killed = step(s, W1).next;
        expectWitness(stateInv('INV-NO-SIGSEGV').check(killed), [W1]);
      },
    },
  ],
  'INV-NO-FORBIDDEN-TRANSITION': [
    {
      name: 'INV-NO-FORBIDDEN-TRANSITION fails when a server\'s code marks a BLOCKED worker RUNNING',
      run: () => {
        // The worker is BLOCKED (its state was overwritten after the server popped it); srv:run:assign stores RUNNING.
        const before = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:run:assign', other: W1, word: { state: 'IDLE' } }), [W1]: workerAsleepInHook(0, 'call', { word: { state: 'BLOCKED' } }) },
        });
        const st = step(before, S1);
        expectWitness(edgeInv('INV-NO-FORBIDDEN-TRANSITION').check(before, st), [W1]);
      },
    },
    {
      name: 'INV-NO-FORBIDDEN-TRANSITION fails when a code step takes an IDLE worker to BLOCKED',
      run: () => {
        const before = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(S1, { pc: 'submit_work:change_state' }) } });
        const after = withTasks(before, { [W1]: { pc: 'sleep', word: { state: 'BLOCKED' } } });
        expectWitness(edgeInv('INV-NO-FORBIDDEN-TRANSITION').check(before, fakeStep({ kind: 'step', tid: W1 }, after)), [W1]);
      },
    },
    {
      name: 'INV-NO-FORBIDDEN-TRANSITION does not blame the environment for a userspace store of BLOCKED over IDLE',
      run: () => {
        const before = build({ servers: 1, workers: 1, envBudget: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(S1) } });
        const st = act(before, { kind: 'write', tid: W1, state: 'BLOCKED' });
        expect(causeOf(st.action)).toBe('environment');
        expect(edgeInv('INV-NO-FORBIDDEN-TRANSITION').check(before, st)).toBeNull();
      },
    },
  ],
  'INV-KERNEL-STATE-CHANGES': [
    {
      name: 'INV-KERNEL-STATE-CHANGES fails when a kernel step changes a RUNNING server to IDLE',
      run: () => {
        const before = build({ servers: 2, workers: 1, tasks: { [S1]: serverAtLoop(S1), [S2]: serverAsleep(S2), [W3]: workerInBlockingCall(S1, { pc: 'submit_work:wake_server', other: S1 }) } });
        const after = withTasks(before, { [S1]: { word: { state: 'IDLE' } }, [W3]: { pc: 'sleep', other: 0 } });
        expectWitness(edgeInv('INV-KERNEL-STATE-CHANGES').check(before, fakeStep({ kind: 'step', tid: W3 }, after)), [S1]);
      },
    },
    {
      name: 'INV-KERNEL-STATE-CHANGES fails when a kernel step wakes a server but leaves it LOCKED',
      run: () => {
        const before = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerInBlockingCall(S1, { pc: 'submit_work:wake_server', other: S1 }) } });
        const after = withTasks(before, { [S1]: { word: { state: 'RUNNING', locked: true } } });
        expectWitness(edgeInv('INV-KERNEL-STATE-CHANGES').check(before, fakeStep({ kind: 'step', tid: W1 }, after)), [S1]);
      },
    },
    {
      name: 'INV-KERNEL-STATE-CHANGES fails when a kernel step takes a worker BLOCKED => RUNNING',
      run: () => {
        const before = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerInBlockingCall(S1, { pc: 'update_worker', kstate: 'running' }) } });
        const after = withTasks(before, { [W1]: { pc: 'wkr:user', word: { state: 'RUNNING' } } });
        expectWitness(edgeInv('INV-KERNEL-STATE-CHANGES').check(before, fakeStep({ kind: 'step', tid: W1 }, after)), [W1]);
      },
    },
    {
      name: 'INV-KERNEL-STATE-CHANGES fails when a kernel step sets LOCKED on a worker',
      run: () => {
        const before = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'submit_work:change_state', hookFrom: 'call', kstate: 'interruptible' }) } });
        const after = withTasks(before, { [W1]: { pc: 'sleep', word: { locked: true } } });
        expectWitness(edgeInv('INV-KERNEL-STATE-CHANGES').check(before, fakeStep({ kind: 'step', tid: W1 }, after)), [W1]);
      },
    },
    {
      name: 'INV-KERNEL-STATE-CHANGES holds for W2, S2, W3 and the W5 prologue, and ignores userspace stores',
      run: () => {
        const inv = edgeInv('INV-KERNEL-STATE-CHANGES');
        const w2 = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'submit_work', hookFrom: 'call', kstate: 'interruptible' }) } });
        // sched_submit_work's task-state check is a step of its own; wq_worker_change_state marks BLOCKED next.
        const checked = step(w2, W1);
        expect(taskOf(checked.next, W1)).toMatchObject({ pc: 'submit_work:change_state', word: { state: 'RUNNING' } });
        expect(inv.check(w2, checked)).toBeNull();
        const blocked = step(checked.next, W1);
        expect(taskOf(blocked.next, W1).word.state).toBe('BLOCKED');
        expect(inv.check(checked.next, blocked)).toBeNull();
        const woke = step(blocked.next, W1);
        expect(taskOf(woke.next, S1).word.state).toBe('RUNNING');
        expect(inv.check(blocked.next, woke)).toBeNull();
        const w3 = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerInBlockingCall(S1, { pc: 'update_worker', kstate: 'running' }) } });
        expect(inv.check(w3, step(w3, W1))).toBeNull();
        const w5 = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1, 0, { word: { state: 'RUNNING' } }), [W1]: workerRunning(S1, { pc: 'wait:enter', word: { state: 'IDLE', locked: true } }) },
        });
        const unlocked = step(w5, W1);
        expect(taskOf(unlocked.next, W1).word.locked).toBe(false);
        expect(inv.check(w5, unlocked)).toBeNull();
        const user = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:run:set_self_idle', other: W1 }), [W1]: workerAsleepInHook(0) } });
        expect(inv.check(user, step(user, S1))).toBeNull();
      },
    },
  ],
  'INV-KERNEL-RETURNS-RUNNING': [
    {
      name: 'INV-KERNEL-RETURNS-RUNNING fails when the wake hook ignores -EINTR and returns an IDLE worker to its body after a blocking call',
      run: () => {
        const before = build({
          servers: 1,
          workers: 1,
          envBudget: 1,
          tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInHook(S1, 'call') },
          idleWorkers: [W1],
        });
        const signalled = act(before, { kind: 'signal', tid: W1 }).next;
        const st = step(signalled, W1);
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'wkr:user', word: { state: 'IDLE' } });
        expectWitness(edgeInv('INV-KERNEL-RETURNS-RUNNING').check(signalled, st), [W1]);
      },
    },
    {
      name: 'INV-KERNEL-RETURNS-RUNNING fails when a kernel step returns a BLOCKED worker to its body',
      run: () => {
        const before = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerInBlockingCall(S1, { pc: 'update_worker', kstate: 'running' }) } });
        const after = withTasks(before, { [W1]: { pc: 'wkr:user', hookFrom: 'wait', kstate: 'running' } });
        expectWitness(edgeInv('INV-KERNEL-RETURNS-RUNNING').check(before, fakeStep({ kind: 'step', tid: W1 }, after)), [W1]);
      },
    },
    {
      name: 'INV-KERNEL-RETURNS-RUNNING holds for a RUNNING worker passed through and for a LOCKED worker returned BLOCKED',
      run: () => {
        const inv = edgeInv('INV-KERNEL-RETURNS-RUNNING');
        // Both after the blocking call's completion, so the hook returns to the body.
        const through = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'update_worker', hookFrom: 'call', callDone: true }) } });
        const passed = step(through, W1);
        expect(taskOf(passed.next, W1)).toMatchObject({ pc: 'wkr:user', word: { state: 'RUNNING' } });
        expect(inv.check(through, passed)).toBeNull();
        const locked = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1), [W1]: workerInBlockingCall(S1, { pc: 'update_worker', kstate: 'running', callDone: true, word: { locked: true } }) },
        });
        const st = step(locked, W1);
        expect(taskOf(st.next, W1)).toMatchObject({ pc: 'wkr:user', word: { state: 'BLOCKED', locked: true } });
        expect(inv.check(locked, st)).toBeNull();
      },
    },
  ],
  'INV-BLOCKED-ONLY-WHEN-BLOCKING': [
    {
      name: 'INV-BLOCKED-ONLY-WHEN-BLOCKING fails when the block hook marks a worker BLOCKED inside sys_umcg_wait',
      run: () => {
        // The worker yielded and sleeps in sys_umcg_wait; its server has just
        // marked it RUNNING to run it again, before the worker's schedule()
        // reached the block hook (v0.3 keeps PF_UMCG_WORKER set there).
        const before = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1, { pc: 'wait:enter', word: { state: 'IDLE', nextTid: W1 } }), [W1]: workerRunning(S1, { pc: 'submit_work:change_state', hookFrom: 'wait', kstate: 'interruptible' }) },
        });
        const st = step(before, W1);
        expect(taskOf(st.next, W1).word.state).toBe('BLOCKED');
        expectWitness(edgeInv('INV-BLOCKED-ONLY-WHEN-BLOCKING').check(before, st), [W1]);
      },
    },
    {
      name: 'INV-BLOCKED-ONLY-WHEN-BLOCKING holds when a worker blocking in a syscall is marked BLOCKED, and for other steps',
      run: () => {
        const inv = edgeInv('INV-BLOCKED-ONLY-WHEN-BLOCKING');
        const blocking = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAsleep(S1), [W1]: workerRunning(S1, { pc: 'submit_work:change_state', hookFrom: 'call', kstate: 'interruptible' }) },
        });
        const st = step(blocking, W1);
        expect(taskOf(st.next, W1).word.state).toBe('BLOCKED');
        expect(inv.check(blocking, st)).toBeNull();
        const s0 = initialState({ servers: 1, workers: 1, envBudget: 0 });
        for (const x of successors(s0, config(1, 1))) expect(inv.check(s0, x)).toBeNull();
      },
    },
  ],
  'INV-KERNEL-LIST-OPS': [
    {
      name: 'INV-KERNEL-LIST-OPS fails when a kernel step unlinks a node from idle_workers',
      run: () => {
        const before = build({
          servers: 1,
          workers: 2,
          tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInHook(0), [W2]: workerAsleepInWait(0, { pc: 'update_worker:push', kstate: 'running' }) },
          idleWorkers: [W1],
        });
        const after = { ...withTasks(before, { [W2]: { pc: 'update_worker:pop_server' } }), idleWorkers: [] };
        expectWitness(edgeInv('INV-KERNEL-LIST-OPS').check(before, fakeStep({ kind: 'step', tid: W2 }, after)), [W2], 'idle_workers');
      },
    },
    {
      name: 'INV-KERNEL-LIST-OPS fails when a kernel step clears the mark of a node on idle_servers',
      run: () => {
        const before = build({
          servers: 1,
          workers: 1,
          tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(0, { pc: 'update_worker:pop_server', kstate: 'running' }) },
          idleServers: [marked(S1)],
          idleWorkers: [W1],
        });
        const after = { ...withTasks(before, { [W1]: { pc: 'update_worker:idle_loop' } }), idleServers: [{ tid: S1, marked: false }] };
        expectWitness(edgeInv('INV-KERNEL-LIST-OPS').check(before, fakeStep({ kind: 'step', tid: W1 }, after)), [W1], 'idle_servers');
      },
    },
    {
      name: 'INV-KERNEL-LIST-OPS holds for the kernel\'s push and mark and for userspace unlinking (the server\'s pop and gc)',
      run: () => {
        const push = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInWait(0, { pc: 'update_worker:push', kstate: 'running' }) }, idleServers: [S1] });
        const pushed = step(push, W1);
        expect(edgeInv('INV-KERNEL-LIST-OPS').check(push, pushed)).toBeNull();
        expect(edgeInv('INV-KERNEL-LIST-OPS').check(pushed.next, step(pushed.next, W1))).toBeNull();
        const pop = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerAsleepInHook(0) }, idleWorkers: [W1], idleServers: [marked(S1)] });
        expect(edgeInv('INV-KERNEL-LIST-OPS').check(pop, step(pop, S1))).toBeNull();
      },
    },
  ],
  'LIVE-NO-LOST-WAKEUP': [
    {
      name: 'LIVE-NO-LOST-WAKEUP fails when a worker sleeps in umcg_idle_loop with state RUNNING (a ttwu missed its sleeper)',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1, W1), [W1]: workerAsleepInHook(S1, 'call', { word: { state: 'RUNNING' } }) } });
        expectWitness(quietInv('LIVE-NO-LOST-WAKEUP').check(s), [W1]);
      },
    },
    {
      name: 'LIVE-NO-LOST-WAKEUP fails when an IDLE worker waits on idle_workers while a server with no running worker sleeps IDLE',
      run: () => {
        const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAsleep(S1), [W1]: workerAsleepInHook(0) }, idleWorkers: [W1], idleServers: [marked(S1)] });
        expectWitness(quietInv('LIVE-NO-LOST-WAKEUP').check(s), [W1, S1], 'idle_workers');
      },
    },
    {
      name: 'LIVE-NO-LOST-WAKEUP holds while the sleeping server has a running worker, and after the process was killed',
      run: () => {
        const s = build({ servers: 1, workers: 2, tasks: { [S1]: serverAsleep(S1, W2), [W1]: workerAsleepInHook(0), [W2]: workerRunning(S1) }, idleWorkers: [W1] });
        expect(quietInv('LIVE-NO-LOST-WAKEUP').check(s)).toBeNull();
        const dead = build({ servers: 1, workers: 1, killedBy: W1, tasks: { [S1]: serverAsleep(S1), [W1]: workerAsleepInHook(0) }, idleWorkers: [W1] });
        expect(quietInv('LIVE-NO-LOST-WAKEUP').check(dead)).toBeNull();
      },
    },
  ],
  'LIVE-NO-LOST-WORKER': [
    {
      name: 'LIVE-NO-LOST-WORKER fails when a worker sleeps IDLE in umcg_idle_loop and is on no list',
      run: () => {
        const s = build({ servers: 1, workers: 2, tasks: { [S1]: serverAsleep(S1, W2), [W1]: workerAsleepInWait(S1), [W2]: workerRunning(S1) } });
        expectWitness(quietInv('LIVE-NO-LOST-WORKER').check(s), [W1], 'idle_workers');
      },
    },
    {
      name: 'LIVE-NO-LOST-WORKER fails when the only node of a sleeping IDLE worker is marked, and holds when it is linked unmarked',
      run: () => {
        const s = build({ servers: 1, workers: 2, tasks: { [S1]: serverAsleep(S1, W2), [W1]: workerAsleepInHook(0), [W2]: workerRunning(S1) }, idleWorkers: [marked(W1)] });
        expectWitness(quietInv('LIVE-NO-LOST-WORKER').check(s), [W1], 'idle_workers');
        const ok = build({ servers: 1, workers: 2, tasks: { [S1]: serverAsleep(S1, W2), [W1]: workerAsleepInHook(0), [W2]: workerRunning(S1) }, idleWorkers: [W1] });
        expect(quietInv('LIVE-NO-LOST-WORKER').check(ok)).toBeNull();
      },
    },
  ],
  'LIVE-BOUNDED-PROGRESS': [
    {
      name: 'LIVE-BOUNDED-PROGRESS fails on 1x1 without yield when the bound is 3, with a trace that ends in more than 3 code steps',
      run: () => {
        const opts = exploreOptions(1, 1, { yield: false, progressBound: 3 });
        const r = explore(opts);
        const v = r.violations.find((x) => x.invariant === 'LIVE-BOUNDED-PROGRESS');
        expect(v, 'LIVE-BOUNDED-PROGRESS reported').toBeDefined();
        if (v === undefined) return;
        expect(r.verdict).toBe('violation');
        expect(v.trace.length).toBeGreaterThan(3);
        // The trace is a real run from the initial state (1x1 has no symmetry to undo) ...
        replay(initialState(opts), v.trace.map((t) => t.action), opts);
        // ... and it ends with an unbroken run of more than K code steps.
        let tail = 0;
        for (let i = v.trace.length - 1; i >= 0 && causeOf(v.trace[i]!.action) === 'code'; i--) tail++;
        expect(tail).toBeGreaterThan(opts.progressBound);
        expect(v.witness.message.length).toBeGreaterThan(0);
      },
    },
  ],
};

describe('every invariant fails on a bad state with the right witness', () => {
  for (const inv of INVARIANTS) {
    describe(inv.id, () => {
      for (const c of BAD[inv.id] ?? []) it(c.name, c.run);
    });
  }
});

describe('regressions: each check matches its statement', () => {
  // Found by this suite: INV-SINGLE-RUNNING counted a worker only at its body
  // ('wkr:user'), so a worker still RUNNING in its yield code went uncounted.
  it('INV-SINGLE-RUNNING fails when a server runs while its worker, still RUNNING, executes its yield code', () => {
    const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerRunning(S1, { pc: 'wkr:yield:set_idle' }) } });
    expectWitness(stateInv('INV-SINGLE-RUNNING').check(s), [S1, W1]);
  });
});

describe('regressions: the kernel is not blamed for the runtime', () => {
  // Found by this suite: INV-KERNEL-RETURNS-RUNNING (scope always) blamed the
  // kernel when sys_umcg_wait correctly returned -ESRCH and the runtime then
  // resumed its worker body with its own IDLE state.
  it('INV-KERNEL-RETURNS-RUNNING holds when sys_umcg_wait returns -ESRCH and the runtime resumes the worker body itself', () => {
    const before = build({
      servers: 1,
      workers: 1,
      tasks: {
        [S1]: { reg: 'none', pc: 'dead', end: 'exit', word: { state: 'RUNNING' } },
        [W1]: workerRunning(S1, { pc: 'wait:enter', word: { state: 'IDLE', nextTid: S1 } }),
      },
      idleWorkers: [W1],
    });
    const st = step(before, W1);
    expect(st.ret).toBe(-ESRCH);
    expect(edgeInv('INV-KERNEL-RETURNS-RUNNING').check(before, st)).toBeNull();
  });
});

describe('witnesses', () => {
  it('every witness names only tasks that exist', () => {
    const witnesses: Witness[] = [];
    const s = build({ servers: 1, workers: 1, tasks: { [S1]: serverAtLoop(S1), [W1]: workerRunning(0) }, idleWorkers: [W1, W1] });
    for (const inv of INVARIANTS) {
      if (inv.kind === 'well-formedness' || inv.kind === 'safety') {
        const w = inv.check(s);
        if (w !== null) witnesses.push(w);
      }
    }
    expect(witnesses.length).toBeGreaterThan(0);
    for (const w of witnesses) for (const tid of w.tasks) expect(s.tasks[tid - 1]).toBeDefined();
  });

  it('a transition invariant sees the step a real transition produced (apply) the same way as a hand-built one', () => {
    const before = build({
      servers: 1,
      workers: 1,
      tasks: { [S1]: serverAtLoop(S1, { pc: 'srv:run:assign', other: W1, word: { state: 'IDLE' } }), [W1]: workerAsleepInHook(0, 'call', { word: { state: 'BLOCKED' } }) },
    });
    const real = apply(before, { kind: 'step', tid: S1 });
    const hand = fakeStep(real.action, real.next, real.label);
    expect(edgeInv('INV-NO-FORBIDDEN-TRANSITION').check(before, hand)).toEqual(edgeInv('INV-NO-FORBIDDEN-TRANSITION').check(before, real));
  });
});
