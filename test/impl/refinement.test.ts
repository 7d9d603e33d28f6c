import { describe, expect, it } from 'vitest';
import { abstractState, checkAbstractStep, checkStep, modelConfigOf } from '../../impl/abstraction.ts';
import { bfsSearch } from '../../engine/strategies/bfs.ts';
import { Rng } from '../../engine/random.ts';
import { replayToken } from '../../engine/replay.ts';
import { IDLE_SERVERS_HEAD, OFF_IDLE_SERVERS_PTR, OFF_STATE, STRUCT_BASE, set0, structOf } from '../../impl/layout.ts';
import { implChoices, implStep, type Choice } from '../../impl/machine.ts';
import { peek, pendingStores, withCell } from '../../impl/memory.ts';
import { prng } from '../../impl/random.ts';
import { variantByName, type ImplState } from '../../impl/state.ts';
import { makeImplSystem, type ImplSystem, type ImplSystemOptions } from '../../engine/impl-system.ts';
import { runCheck } from '../../engine/strategies/index.ts';
import { execute } from '../../engine/system.ts';
import { shrink } from '../../engine/shrink.ts';
import { FIXED_FIXES, NO_FIXES, type Pc, type State } from '../../model/types.ts';
import { build, serverAtLoop, workerRunning } from '../helpers/model.ts';
import { randomRun } from '../../impl/random.ts';
import { stateKey } from '../../model/canon.ts';
import { initialState } from '../../model/init.ts';
import { config, implInit, withTask } from './helpers.ts';

/**
 * The adversarial events the model has: all but a page made unmapped (faults
 * and -EFAULT are not modelled) and a store of garbage bits into a state word.
 */
const modelled = (c: Choice): boolean =>
  !(c.kind === 'page' && c.status === 'unmapped') && !(c.kind === 'write' && c.value !== (c.value & 3) && c.value !== 0x101);

/** The v0.3 findings the abstraction names when a run reaches them. */
const NAMED = /F1|F-CHANGE-STATE-RACE|F-LIST-EAGAIN|F-POP-UAF/;

/** First refinement failure of a seeded random run, or undefined. */
function firstFailure(cfg: ReturnType<typeof config>, seed: number, steps: number, keep?: (c: Choice) => boolean): string | undefined {
  let fail: string | undefined;
  const labels: string[] = [];
  const run = keep === undefined ? randomRun : filteredRun(keep);
  run(cfg, seed, steps, (st) => {
    labels.push(st.label);
    const v = checkStep(st.before, st.after, cfg);
    if (!v.ok) {
      fail = `seed ${seed}: ${v.reason}\n${labels.slice(-12).join('\n')}`;
      return false;
    }
    return true;
  });
  return fail;
}

describe('refinement: impl -> model', () => {
  it('the initial states correspond', () => {
    for (const [servers, workers] of [[1, 1], [2, 3]] as const) {
      const cfg = config({ servers, workers });
      expect(stateKey(abstractState(implInit(cfg)))).toBe(stateKey(initialState({ servers, workers, envBudget: 0 })));
    }
  });

  // Seeded interleavings of v0.3, contract profile, SC (impl/README.md lists
  // where v0.3 and the model disagree: F-LIST-EAGAIN, F-POP-UAF).
  for (const workers of [1, 2]) {
    it(`accepts 2,000 random interleavings (1 server, ${workers} workers, blocking calls, SC, contract)`, () => {
      const cfg = config({ servers: 1, workers, yield: false });
      for (let seed = 1; seed <= 2000; seed++) {
        const f = firstFailure(cfg, seed, 150);
        if (f !== undefined) expect.fail(f);
      }
    });
  }

  it('rejects a hand-made step that changes a state word with no model transition', () => {
    const cfg = config();
    const s = implInit(cfg);
    const bad = { ...s, mem: withCell(s.mem, structOf(2) + OFF_STATE, 4, 3) }; // W1 BLOCKED out of nowhere
    expect(checkStep(s, bad, cfg).ok).toBe(false);
  });

  it('rejects a hand-made step that jumps a thread past its code', () => {
    const cfg = config();
    const s = implInit(cfg);
    const bad = withTask(s, 2, { stack: [{ fn: 'worker', pc: 'user', v: {} }], umcg: structOf(2), pfw: true });
    expect(checkStep(s, bad, cfg).ok).toBe(false);
  });

  // Two servers: atomic_stack_gc and umcg_sll_pop are step-wise in the
  // model, so the kernel pop that walks from a stale head (a server pushed
  // after it read the head, or a gc unlink that made its cmpxchg fail) is a
  // model step (it was F-POP-NOT-FIRST when the model's pop was atomic).
  for (const yieldOn of [false, true]) {
    it(`accepts 1,000 random interleavings (2 servers, 2 workers, ${yieldOn ? 'yield' : 'blocking calls'}, SC, contract)`, () => {
      const cfg = config({ servers: 2, workers: 2, yield: yieldOn });
      for (let seed = 1; seed <= 1000; seed++) {
        const f = firstFailure(cfg, seed, 300);
        if (f !== undefined) expect.fail(f);
      }
    });
  }

  it('with 2 servers and 3 workers every refinement failure of 1,000 random interleavings is F-LIST-EAGAIN, and the search finds it', () => {
    const cfg = config({ servers: 2, workers: 3, yield: false });
    let eagain = 0;
    for (let seed = 1; seed <= 1000; seed++) {
      const f = firstFailure(cfg, seed, 400);
      if (f === undefined) continue;
      if (!f.includes('F-LIST-EAGAIN')) expect.fail(f);
      eagain++;
    }
    expect(eagain).toBeGreaterThan(0);
  });

  // x86-TSO: the abstract state is memory without the store buffers, each
  // task with buffered stores rolled back to before the oldest; a buffered
  // store is a stutter and its drain commits it (engine/impl-system.ts).
  describe('under TSO, both ways', () => {
    for (const [servers, workers] of [[1, 1], [1, 2]] as const) {
      it(`accepts 500 random TSO interleavings of v0.3 (${servers} server, ${workers} workers, blocking calls, contract)`, () => {
        for (let seed = 1; seed <= 500; seed++) {
          const f = firstSystemFailure({ servers, workers }, seed, 300);
          if (f !== undefined) expect.fail(f);
        }
      });
    }

    it('with 2 servers and 2 workers every refinement failure of 500 random TSO interleavings of v0.3 is F-POP-UAF', () => {
      for (let seed = 1; seed <= 500; seed++) {
        const f = firstSystemFailure({ servers: 2, workers: 2 }, seed, 400);
        if (f !== undefined && !f.includes('F-POP-UAF')) expect.fail(f);
      }
    });

    it('rejects B-TSO-DEKKER: the server\'s re-check of idle_workers passes its buffered push, and no run of model steps explains the drain', () => {
      const variant = variantByName('B-TSO-DEKKER')!;
      let found: string | undefined;
      for (let seed = 1; seed <= 300 && found === undefined; seed++) found = firstSystemFailure({ variant }, seed, 200);
      expect(found).toMatch(/REFINEMENT|neither a stutter|drains/);
      expect(found).toContain('store buffer drains');
    });

    it('the same runs of B-TSO-DEKKER under SC refine the model (the reordering needs the store buffer)', () => {
      const variant = variantByName('B-TSO-DEKKER')!;
      for (let seed = 1; seed <= 300; seed++) {
        const f = firstSystemFailure({ variant, memory: 'sc' }, seed, 200);
        if (f !== undefined) expect.fail(f);
      }
    });

    it('rejects a hand-made step that changes visible memory while a store is only buffered', () => {
      const sys = makeImplSystem({ servers: 1, workers: 1, memory: 'tso', profile: 'contract', yield: false, locks: false, envBudget: 0, only: ['REFINEMENT'] });
      const rnd = prng(3);
      let s = sys.initial();
      for (let i = 0; i < 300 && s.cpus.every((_, c) => pendingStores(s.mem, c).length === 0); i++) {
        const cs = sys.choices(s);
        s = sys.step(s, cs[Math.floor(rnd() * cs.length)]!).next;
      }
      const cpu = s.cpus.findIndex((_, c) => pendingStores(s.mem, c).length > 0);
      expect(cpu).toBeGreaterThanOrEqual(0);
      const drain = sys.choices(s).find((c) => c.c.kind === 'drain' && c.c.cpu === cpu)!;
      const good = sys.step(s, drain);
      expect(sys.checkStep(s, drain, good)).toBeNull();
      // The same step, but it also flips W1's state word to BLOCKED in memory.
      const bad = { ...good, next: { ...good.next, mem: withCell(good.next.mem, structOf(2) + OFF_STATE, 4, 3) } };
      const v = sys.checkStep(s, drain, bad);
      expect(v?.invariant).toBe('REFINEMENT');
      expect(v?.message).toContain('neither a stutter nor an enabled model transition');
    });
  });

  // The adversarial profile: signals, spurious and foreign ttwu, exit,
  // unregister, pages made not present, concurrent stores of state values.
  // Two of its events have no model counterpart (a documented gap): a page
  // made unmapped (faults and -EFAULT are not modelled) and a store of a
  // state word the model cannot hold (garbage bits); the runs below leave
  // those out, and the last test shows they fail. A store of RUNNING|LOCKED
  // is the model's write with `locked` (since session 6).
  describe('adversarial profile, both ways', () => {

    for (const [servers, workers] of [[1, 1], [2, 2]] as const) {
      it(`every refinement failure of 400 random adversarial interleavings (${servers}x${workers}, budget 2) is a named v0.3 finding`, () => {
        const cfg = config({ servers, workers, yield: false, profile: 'adversarial', envBudget: 2 });
        const seen = new Set<string>();
        for (let seed = 1; seed <= 400; seed++) {
          const f = firstFailure(cfg, seed, 300, modelled);
          if (f === undefined) continue;
          const m = NAMED.exec(f);
          if (m === null) expect.fail(f);
          seen.add(m[0]);
        }
        // F1's door in this profile: a spurious ttwu or a signal wakes a worker that waits on idle_workers.
        expect(seen.has('F1')).toBe(true);
      });
    }

    it('a page made not present is a stutter but for the budget; a store of RUNNING|LOCKED is the model\'s locked write, and a plain store clears it; a store of garbage is not a model step', () => {
      const cfg = config({ profile: 'adversarial', envBudget: 2 });
      const s = implInit(cfg);
      const page = implStep(s, { kind: 'page', addr: STRUCT_BASE, status: 'notPresent' }, cfg).state;
      expect(checkStep(s, page, cfg)).toEqual({ ok: true, stutter: true });
      const garbage = implStep(s, { kind: 'write', tid: 1, value: 0x1000002 }, cfg).state;
      expect(checkStep(s, garbage, cfg).ok).toBe(false);
      const locked = implStep(s, { kind: 'write', tid: 1, value: 0x101 }, cfg).state;
      const l = checkStep(s, locked, cfg);
      expect(l.ok && !l.stutter && l.action).toEqual({ kind: 'write', tid: 1, state: 'RUNNING', locked: true });
      const plain = implStep(s, { kind: 'write', tid: 1, value: 2 }, cfg).state;
      const v = checkStep(s, plain, cfg);
      expect(v.ok && !v.stutter && v.action).toEqual({ kind: 'write', tid: 1, state: 'IDLE' });
      // A plain store clears a LOCKED bit, in the code and in the model.
      const unlock = implStep(locked, { kind: 'write', tid: 1, value: 1 }, cfg).state;
      const u = checkStep(locked, unlock, cfg);
      expect(u.ok && !u.stutter && u.action).toEqual({ kind: 'write', tid: 1, state: 'RUNNING' });
    });
  });

  describe('the list walks, both ways', () => {
    const cfg = config({ servers: 2, workers: 2, yield: false });

    it('accepts the kernel pop\'s own cmpxchg and rejects marking any other node instead', () => {
      const s = findState(cfg, (a) => a.tasks.some((t) => t.pc === 'update_worker:pop_cas') && a.idleServers.filter((n) => !n.marked).length === 2);
      const w = abstractState(s).tasks.find((t) => t.pc === 'update_worker:pop_cas')!;
      const cas = implStep(s, { kind: 'run', tid: w.tid }, cfg).state;
      const v = checkStep(s, cas, cfg);
      expect(v.ok && !v.stutter && v.label).toContain('umcg_sll_pop: cmpxchg');
      const other = abstractState(s).idleServers.find((n) => n.tid !== w.other)!.tid;
      const node = structOf(other) + OFF_IDLE_SERVERS_PTR;
      const bad = { ...s, mem: withCell(s.mem, node, 8, set0(peek(s.mem, node) ?? 0)) };
      expect(checkStep(s, bad, cfg).ok).toBe(false);
    });

    it('rejects a gc that unlinks a node the kernel has not marked', () => {
      const s = findState(cfg, (a) => a.idleServers.length === 2 && a.idleServers.every((n) => !n.marked));
      const [first, second] = abstractState(s).idleServers;
      const bad = { ...s, mem: withCell(s.mem, IDLE_SERVERS_HEAD, 8, structOf(second!.tid) + OFF_IDLE_SERVERS_PTR) };
      expect(abstractState(bad).idleServers.map((n) => n.tid)).toEqual([second!.tid]);
      expect(first).toBeDefined();
      expect(checkStep(s, bad, cfg).ok).toBe(false);
    });

    it('F-POP-UAF: a pop standing on a node the gc unlinked whose link was rewritten unmarked has no abstract state (§5.4(b))', () => {
      const s = findState(cfg, (a) => a.tasks.some((t) => t.pc === 'update_worker:pop_read') && a.idleServers.length === 1);
      const w = s.tasks.find((t) => t.stack.some((f) => f.fn === 'umcg_sll_pop' && (f.v.curr ?? 0) !== 0))!;
      const curr = w.stack.find((f) => f.fn === 'umcg_sll_pop')!.v.curr!;
      // The gc unlinked curr (head := NULL), then its server pushed it again
      // up to the link store: curr's link is unmarked, curr is off the list.
      const bad = { ...s, mem: withCell(withCell(s.mem, IDLE_SERVERS_HEAD, 8, 0), curr, 8, 0) };
      expect(() => abstractState(bad)).toThrow(/F-POP-UAF/);
      expect(checkStep(s, bad, cfg).ok).toBe(false);
    });
  });
});

// FIXED refines the model with the same fixes (impl/abstraction.ts
// modelConfigOf: FIXED's flags noHooksInWait, wakeHookAtCallExit,
// hookWaitUninterruptible and popRetryCurr are model fixes of the same names).
describe('refinement: FIXED -> the model with FIXED_FIXES', () => {
  const FIXED = variantByName('FIXED')!;

  it('REFINEMENT: the model configuration of FIXED has its four model fixes, that of v0.3 none', () => {
    expect(modelConfigOf(config({ variant: FIXED })).fixes).toEqual(FIXED_FIXES);
    expect(modelConfigOf(config()).fixes).toBeUndefined();
  });

  it('REFINEMENT: accepts 400 random interleavings of FIXED (1 server, 2 workers, yield, blocking calls, SC, contract)', () => {
    const cfg = config({ servers: 1, workers: 2, yield: true, variant: FIXED });
    for (let seed = 1; seed <= 400; seed++) {
      const f = firstFailure(cfg, seed, 200);
      if (f !== undefined) expect.fail(f);
    }
  });

  it('REFINEMENT: every step of FIXED 1x1 (exhaustive, SC, contract) refines the FIXED model', () => {
    const sys = makeImplSystem({ servers: 1, workers: 1, memory: 'sc', profile: 'contract', yield: true, locks: false, envBudget: 0, variant: FIXED, only: ['REFINEMENT'] });
    const r = bfsSearch(sys, { maxStates: 200_000, maxDepth: Number.MAX_SAFE_INTEGER });
    expect(r.failure?.run.violation ?? null).toBeNull();
    expect(r.complete).toBe(true);
  }, 120_000);

  it('REFINEMENT: FIXED\'s retry of an unclaimed node in umcg_sll_pop (popRetryCurr, F5) is the model\'s retry (2 servers, 2 workers)', () => {
    // A seeded search over random 2x2 runs, each step checked, until one
    // reaches the retry (a failed cmpxchg on an unmarked link, then a
    // cmpxchg on the same node); at the time of writing a few hundred runs.
    const cfg = config({ servers: 2, workers: 2, yield: true, variant: FIXED });
    const pop = (s: ImplState, tid: number) => s.tasks[tid - 1]!.stack.find((f) => f.fn === 'umcg_sll_pop');
    let retries = 0;
    for (let seed = 1; seed <= 3000 && retries === 0; seed++) {
      randomRun(cfg, seed, 400, (st) => {
        for (const t of st.after.tasks) {
          const a = pop(st.after, t.tid);
          const b = pop(st.before, t.tid);
          if (a?.pc === 'cas_done' && b?.pc === 'cas_done' && a.v.curr === b.v.curr && a.v.step === b.v.step! + 1) retries++;
        }
        const v = checkStep(st.before, st.after, cfg);
        if (!v.ok) expect.fail(`seed ${seed}: ${v.reason}`);
        return true;
      });
    }
    expect(retries).toBeGreaterThan(0);
  });

  it('REFINEMENT: FIXED does not refine the v0.3 model (the fixes are needed on both sides)', () => {
    const cfg = config({ servers: 1, workers: 2, yield: true, variant: FIXED });
    const v03 = { ...modelConfigOf(cfg), fixes: NO_FIXES };
    let failed = false;
    for (let seed = 1; seed <= 400 && !failed; seed++) {
      randomRun(cfg, seed, 200, (st) => {
        const v = checkAbstractStep(abstractState(st.before, NO_FIXES), abstractState(st.after, NO_FIXES), v03);
        if (!v.ok) failed = true;
        return !failed;
      });
    }
    expect(failed).toBe(true);
  });
});

describe('refinement under TSO: the rolled-back task keeps its pending signal', () => {
  it('REFINEMENT: a signal handler that clears the signal while its task\'s next_tid store is still buffered is a stutter until the drain', () => {
    // 1x2 adversarial TSO, random runs: W gets a signal, sys_umcg_wait
    // returns -EINTR, the runtime stores next_tid = 0 (buffered) and its
    // handler clears the signal. Before the snapshot kept the signal bit,
    // that step showed the model's wait:eintr with no signal pending. The
    // search runs until such a step has been checked (for v0.3 and FIXED).
    for (const variant of [variantByName('v0.3')!, variantByName('FIXED')!]) {
      const sys = makeImplSystem({ servers: 1, workers: 2, memory: 'tso', profile: 'adversarial', yield: true, locks: false, envBudget: 1, variant, only: ['REFINEMENT'] });
      let seen = 0;
      for (let seed = 1; seed <= 4000 && seen === 0; seed++) {
        const rng = new Rng(seed);
        let s = sys.initial();
        for (let i = 0; i < 200; i++) {
          const cs = sys.choices(s);
          if (cs.length === 0) break;
          const c = rng.pick(cs);
          const step = sys.step(s, c);
          const t = s.tasks.find((x) => `T${x.tid}` === step.label.split(' ')[0]);
          const target = /signal handler runs/.test(step.label) && t !== undefined && pendingStores(s.mem, t.cpu).length > 0;
          const v = sys.checkStep(s, c, step) ?? sys.checkState(step.next);
          if (target) {
            seen++;
            expect(v, `${variant.name} seed ${seed}: ${step.label}`).toBeNull();
          }
          if (v !== null) break;
          s = step.next;
        }
      }
      expect(seen, variant.name).toBeGreaterThan(0);
    }
  });
});

describe("refinement under the adversarial profile: F3's aftermath (docs/findings.md)", () => {
  it('REFINEMENT: random search on 1x2 with yield (SC, seed 1), shrunk, ends at the link store of a worker that F3 returned to userspace IDLE and still on idle_workers: its node links to itself', () => {
    // The search of docs/findings.md and docs/bugs/F3.md ("What follows"),
    // as `check` runs it: a check of REFINEMENT alone runs past F3, and the
    // failing run is shrunk (its own last step is another REFINEMENT
    // failure, docs/findings.md; the shrunk trace ends at the push). The
    // seed is the documented command's, so the test pins what the page says.
    const opts = { servers: 1, workers: 2, memory: 'sc', profile: 'adversarial', yield: true, locks: false, envBudget: 1, variant: variantByName('v0.3')! } as const;
    const sys = makeImplSystem({ ...opts, only: ['REFINEMENT'] });
    const found = runCheck(sys, { strategy: 'random', seed: 1, runs: 200, maxSteps: 200 });
    expect(found.verdict).toBe('violation');
    const small = shrink(sys, found.failure!.choices, { invariant: 'REFINEMENT' });
    const run = execute(sys, small.choices);
    const last = run.trace[run.trace.length - 1]!;
    expect(run.violation?.invariant).toBe('REFINEMENT');
    expect(last.label).toMatch(/ worker:push_link push: self->next = first$/);
    const worker = last.actor;
    // The message names what happened (impl/abstraction.ts cycleOnIdleWorkers).
    expect(run.violation?.message).toContain(`${worker}'s yield links its own node, already on idle_workers`);
    // The same schedule, checked for F3's invariant instead, stops earlier
    // at F3, for the same worker: its registration returned it IDLE.
    const f3 = execute(makeImplSystem({ ...opts, only: ['INV-KERNEL-RETURNS-RUNNING'] }), small.choices);
    expect(f3.error).toBeUndefined();
    expect(f3.violation?.invariant).toBe('INV-KERNEL-RETURNS-RUNNING');
    expect(f3.violation?.message).toContain(`kernel returned ${worker} to userspace with state IDLE`);
    expect(f3.violation?.message).toContain('umcg_idle_loop: -EINTR (ignored)');
    expect(f3.trace.length).toBeLessThan(run.trace.length);
    // After the store idle_workers is the cycle worker -> worker, which the
    // abstraction shows as the node twice.
    const tid = opts.servers + Number(worker.slice(1));
    expect(abstractState(run.final as ImplState).idleWorkers.map((n) => n.tid)).toEqual([tid, tid]);
  });
});

/** The first state of a seeded random run (seeds from 1) whose abstract state satisfies `p`. */
function findState(cfg: ReturnType<typeof config>, p: (a: State) => boolean): ImplState {
  for (let seed = 1; seed <= 2000; seed++) {
    let found: ImplState | undefined;
    randomRun(cfg, seed, 300, (st) => {
      if (p(abstractState(st.after))) found = st.after;
      return found === undefined;
    });
    if (found !== undefined) return found;
  }
  throw new Error('no such state in 2,000 random runs');
}

/**
 * The first REFINEMENT failure of a seeded random run of the engine's
 * implementation system (the check path `check --target impl` uses), or
 * undefined: `seed` picks uniformly among the enabled choices.
 */
const SYSTEMS = new Map<string, ImplSystem>();

function firstSystemFailure(opts: Partial<ImplSystemOptions>, seed: number, steps: number): string | undefined {
  const key = JSON.stringify({ ...opts, variant: opts.variant?.name });
  let sys = SYSTEMS.get(key);
  if (sys === undefined) {
    sys = makeImplSystem({ servers: 1, workers: 1, memory: 'tso', profile: 'contract', yield: false, locks: false, envBudget: 0, only: ['REFINEMENT'], ...opts });
    SYSTEMS.set(key, sys);
  }
  const rnd = prng(seed);
  let s = sys.initial();
  const labels: string[] = [];
  for (let i = 0; i < steps; i++) {
    const cs = sys.choices(s);
    if (cs.length === 0) return undefined;
    const c = cs[Math.floor(rnd() * cs.length)]!;
    const st = sys.step(s, c);
    labels.push(st.label);
    const v = sys.checkStep(s, c, st) ?? sys.checkState(st.next);
    if (v !== null) return `seed ${seed}: ${v.message}\n${labels.slice(-12).join('\n')}`;
    s = st.next;
  }
  return undefined;
}

/** `randomRun`, choosing only among the enabled choices `keep` accepts. */
function filteredRun(keep: (c: Choice) => boolean): typeof randomRun {
  return (cfg, seed, steps, onStep) => {
    const rnd = prng(seed);
    let s = implInit(cfg);
    for (let i = 0; i < steps; i++) {
      const cs = implChoices(s, cfg).filter(keep);
      if (cs.length === 0) return { state: s, steps: i };
      const choice = cs[Math.floor(rnd() * cs.length)]!;
      const r = implStep(s, choice, cfg);
      if (onStep !== undefined && onStep({ choice, label: r.label, before: s, after: r.state }) === false) return { state: r.state, steps: i + 1 };
      s = r.state;
    }
    return { state: s, steps };
  };
}


describe('refinement under the adversarial profile with yield: every kernel step refines the model', () => {
  // A signal sent to a worker while it runs its own code is still pending
  // when the worker yields: sys_umcg_wait's idle loop sets
  // TASK_INTERRUPTIBLE and calls schedule(), whose __schedule() leaves the
  // task TASK_RUNNING (signal_pending_state) in a step before the wake
  // hook's first access; and a wake hook that ends with a signal pending
  // returns -EINTR from sys_umcg_wait in the same step. The model once folded
  // the first into its `sleep` step and split the second, and REFINEMENT
  // failed at kernel steps in most of these runs (docs/findings.md). What
  // is left are named findings and the runtime's own accesses that the
  // abstraction hides under the yield's and the pop's model steps, after F1
  // or F3 let a server or the kernel touch a worker running its own code.
  const HIDDEN = /^T\d+ (worker:(yield_set_idle|push_link|push_cas)|server:restore) /;

  for (const [servers, workers] of [[1, 1], [1, 2]] as const) {
    it(`REFINEMENT: in 300 random ${servers}x${workers} runs with yield (SC, budget 2), every failure is a named finding or a runtime access the abstraction hides, and signalled workers' __schedule() steps refine`, () => {
      const sys = makeImplSystem({ servers, workers, memory: 'sc', profile: 'adversarial', yield: true, locks: false, envBudget: 2, only: ['REFINEMENT'] });
      let staysRunnable = 0;
      const kinds = new Set<string>();
      for (let seed = 1; seed <= 300; seed++) {
        const rnd = prng(seed);
        let s = sys.initial();
        for (let i = 0; i < 300; i++) {
          const cs = sys.choices(s).filter((c) => modelled(c.c));
          if (cs.length === 0) break;
          const c = cs[Math.floor(rnd() * cs.length)]!;
          const st = sys.step(s, c);
          const v = sys.checkStep(s, c, st) ?? sys.checkState(st.next);
          if (v === null) {
            if (st.label.includes('stays runnable') && Number(/^T(\d+) /.exec(st.label)?.[1]) > servers) staysRunnable++;
            s = st.next;
            continue;
          }
          // A hidden access first: its message may mention F1 or F3 as the cause.
          const hidden = HIDDEN.exec(st.label);
          const named = hidden === null ? NAMED.exec(v.message) : null;
          if (named === null && hidden === null) expect.fail(`seed ${seed}, step ${i + 1}: ${v.message}`);
          kinds.add(hidden?.[1] ?? named![0]);
          if (hidden?.[1] === 'worker:push_link' && v.message.includes('yield links its own node')) kinds.add('named push_link');
          break;
        }
      }
      expect(staysRunnable).toBeGreaterThan(0);
      expect(kinds.has('F1')).toBe(true);
      expect(kinds.has('worker:push_link')).toBe(true);
      expect(kinds.has('named push_link')).toBe(true);
    });
  }

  it('REFINEMENT: the 79-step trace of docs/findings.md (a signal sent to a worker in its own code, then its yield) replays without a violation, ending at __schedule() leaving the worker runnable', () => {
    const token =
      'uv1.impl.eyJ2YXJpYW50IjoidjAuMyIsInNlcnZlcnMiOjEsIndvcmtlcnMiOjEsImNwdXMiOjIsIm1lbW9yeSI6InNjIiwicHJvZmlsZSI6ImFkdmVyc2FyaWFsIiwieWllbGQiOnRydWUsImxvY2tzIjpmYWxzZSwiZW52QnVkZ2V0IjoxLCJwcm9ncmVzc0JvdW5kIjoyMDQ4LCJvbmx5IjpbIlJFRklORU1FTlQiXX0.r2_r1-2_r2_r1-2_r2_r1_r2-5_r1-3_r2_r1-2_r2-4_r1_r2-4_r1_r2-3_r1_r2-6_r1-4_r2_r1-13_r2_g2_y2_r2-19.f5b62b07';
    const { run } = replayToken(token);
    expect(run.violation ?? null).toBeNull();
    expect(run.trace.length).toBe(79);
    expect(run.trace[78]!.label).toContain('stays runnable');
  });
});

describe('REFINEMENT names a step that makes idle_workers a cycle', () => {
  const mcfg = modelConfigOf(config({ servers: 1, workers: 1, yield: true }));
  const at = (pc: Pc, idle: readonly number[]): State =>
    build({ servers: 1, workers: 1, tasks: { 1: serverAtLoop(1), 2: workerRunning(1, { pc, word: { state: 'IDLE' } }) }, idleWorkers: [...idle] });

  it('a yielding worker already on the list: its yield links its own node', () => {
    const v = checkAbstractStep(at('wkr:yield:push_self', [2]), at('wkr:yield:push_self', [2, 2]), mcfg);
    expect(v.ok).toBe(false);
    expect(!v.ok && v.reason).toContain("W1's yield links its own node, already on idle_workers");
  });

  it('any other step that links a listed node again: a cycle through it', () => {
    const v = checkAbstractStep(at('wait:enter', [2]), at('wait:enter', [2, 2]), mcfg);
    expect(!v.ok && v.reason).toContain('makes idle_workers a cycle through W1');
  });

  it('an unmatched step that makes no cycle keeps the plain message', () => {
    const v = checkAbstractStep(at('wait:enter', []), at('wait:enter', [2]), mcfg);
    expect(!v.ok && v.reason).toBe('the step is neither a stutter nor an enabled model transition');
  });
});
