/**
 * The runtime and kernel paths of the list gallery variants (impl/state.ts
 * flags headSpinlock, treiberPop), driven through the implementation step
 * system with fixed schedules: what each new code path does to memory, and
 * that v0.3 under the same schedule does not do it.
 */
import { describe, expect, it } from 'vitest';
import { makeImplSystem, type ImplChoice, type ImplSystem } from '../../engine/impl-system.ts';
import { execute } from '../../engine/system.ts';
import { IDLE_SERVERS_HEAD, IDLE_WORKERS_HEAD, OFF_IDLE_SERVERS_PTR, OFF_IDLE_WORKERS_PTR, RUNTIME_LOCK, structOf } from '../../impl/layout.ts';
import { peek } from '../../impl/memory.ts';
import { implKey, variantByName, type ImplState } from '../../impl/state.ts';

function system(variant: string, servers: number, workers: number, yieldOn: boolean, only: readonly string[], progressBound?: number): ImplSystem {
  const v = variantByName(variant);
  if (v === undefined) throw new Error(`no variant ${variant}`);
  return makeImplSystem({
    servers,
    workers,
    memory: 'sc',
    profile: 'contract',
    yield: yieldOn,
    locks: false,
    envBudget: 0,
    only,
    variant: v,
    ...(progressBound === undefined ? {} : { progressBound }),
  });
}

/** `r1*3 s0t3` -> the choices r1, r1, r1, s0t3. */
function schedule(sys: ImplSystem, text: string): ImplChoice[] {
  const out: ImplChoice[] = [];
  for (const tok of text.split(' ')) {
    const [c, n] = tok.split('*');
    const choice = sys.decodeChoice(c!);
    if (choice === undefined) throw new Error(`bad choice ${c}`);
    for (let i = 0; i < Number(n ?? 1); i++) out.push(choice);
  }
  return out;
}

const head = (s: ImplState): number => peek(s.mem, IDLE_WORKERS_HEAD) ?? 0;
const workerNode = (w: number, servers: number): number => structOf(servers + w) + OFF_IDLE_WORKERS_PTR;

describe('B-USPINLOCK (headSpinlock): the head bit is a lock the kernel push spins on', () => {
  // S1 takes the runtime lock and starts its gc (2 steps), W1 registers and
  // its wake hook pushes it on idle_workers (14), S1 pops: reads the head and
  // takes its bit 0 (2), then a timer interrupt switches cpu0 to W2, whose
  // registration's push finds the head locked.
  const PREFIX = 'r1*2 r2*14 r1*2 s0t3 r3*10';

  it('the server holds bit 0 of idle_workers while it unlinks first; the kernel push re-reads the head and changes nothing', () => {
    const sys = system('B-USPINLOCK', 1, 2, true, ['LIVE-BOUNDED-PROGRESS'], 128);
    const r = execute(sys, schedule(sys, PREFIX));
    expect(r.error).toBeUndefined();
    expect(r.violation).toBeNull();
    expect(head(r.final)).toBe(workerNode(1, 1) + 1); // W1's node, bit 0 set: locked
    const w2 = r.final.tasks[2]!;
    expect(w2.stack.map((f) => `${f.fn}:${f.pc}`).slice(-2)).toEqual(['umcg_sll_push:got_head', 'get_user:access']);
    // From the second re-read on, a step of W2 is the same load of the head
    // and leaves the same state: the loop makes no progress of its own.
    const once = execute(sys, schedule(sys, `${PREFIX} r3`));
    const twice = execute(sys, schedule(sys, `${PREFIX} r3*2`));
    expect(twice.trace.at(-1)!.label).toBe(`T3 umcg_sll_push:got_head > get_user:access 0x${IDLE_WORKERS_HEAD.toString(16)}`);
    expect(implKey(twice.final)).toBe(implKey(once.final));
  });

  it('LIVE-BOUNDED-PROGRESS: with S1 queued behind W2 on cpu0, W2 spins until K is exceeded', () => {
    const sys = system('B-USPINLOCK', 1, 2, true, ['LIVE-BOUNDED-PROGRESS'], 128);
    const r = execute(sys, schedule(sys, `${PREFIX} r3*200`));
    expect(r.violation?.invariant).toBe('LIVE-BOUNDED-PROGRESS');
    expect(r.trace.length).toBe(19 + 129);
    const s1 = r.final.tasks[0]!;
    expect(r.final.cpus[s1.cpu]).not.toBe(1); // S1 is not on its CPU
    expect(s1.stack.at(-1)).toMatchObject({ pc: 'pop_next', v: { hl: 1 } }); // holding bit 0, next not read yet
  });

  it('once the server stores the head again, the push completes', () => {
    const sys = system('B-USPINLOCK', 1, 2, true, ['LIVE-BOUNDED-PROGRESS'], 128);
    // S1 back on cpu0 (s0t1) reads next and stores *idle_workers = next, which clears bit 0.
    const r = execute(sys, schedule(sys, `${PREFIX} s0t1 r1*2 s0t3 r3*5`));
    expect(r.error).toBeUndefined();
    expect(head(r.final)).toBe(workerNode(2, 1)); // W2 pushed itself on the unlocked head
    expect(peek(r.final.mem, workerNode(2, 1))).toBe(0); // behind it the (now empty) rest of the list
  });

  it('v0.3 never sets bit 0 of the head: the same schedule has no spin', () => {
    const sys = system('v0.3', 1, 2, true, ['LIVE-BOUNDED-PROGRESS'], 128);
    const r = execute(sys, schedule(sys, PREFIX), { skipDisabled: true });
    expect(head(r.final) % 2).toBe(0);
    expect(r.trace.some((t) => /lock the head/.test(t.label))).toBe(false);
  });
});

describe('B-ABA (treiberPop): an unlinking pop outside the lock', () => {
  // W1, W2 register (idle_workers: W2 -> W1); S1 pops lock-free up to its CAS
  // (first = W2, next = W1) and is delayed; S2 pops W2 and runs it; W2
  // blocks (S2 is woken); S2 pops W1 and runs it; W2's call completes and
  // its wake hook pushes W2 again: the head is W2 once more. S1's CAS
  // cmpxchg(idle_workers, W2, W1) succeeds and links W1, which runs.
  const ABA = 's0t3 r3*22 s1t4 r4*22 s0t1 s1t2 r1*5 r2*18 s1t4 r4 b4 r4*10 s1t2 r2*20 c4 s1t4 r4*14';

  it('the pop releases the runtime lock after the gc and unlinks with one CAS on the head', () => {
    const sys = system('B-ABA', 2, 2, false, ['INV-LIST-NO-DUPLICATE']);
    const r = execute(sys, schedule(sys, 's0t3 r3*22 s1t4 r4*22 s0t1 s1t2 r1*5'));
    expect(r.error).toBeUndefined();
    expect(r.trace.map((t) => t.label).filter((l) => l.startsWith('T1'))).toEqual([
      'T1 server:loop lock',
      'T1 server:gc_load_prev gc: curr = *prev',
      'T1 server:pop_head unlock (gc done; the pop runs without the lock)',
      'T1 server:pop_head pop: first = *idle_workers',
      'T1 server:pop_next pop: next = first->next',
    ]);
    expect(peek(r.final.mem, RUNTIME_LOCK)).toBe(0); // S2 may pop at the same time
    const step = execute(sys, schedule(sys, 's0t3 r3*22 s1t4 r4*22 s0t1 s1t2 r1*6'));
    expect(head(step.final)).toBe(workerNode(1, 2)); // first (W2) unlinked: W1 is the head
  });

  it('INV-LIST-NO-DUPLICATE and INV-IDLE-LIST-STATE: the delayed CAS puts the popped, RUNNING W1 back on idle_workers', () => {
    const dup = system('B-ABA', 2, 2, false, ['INV-LIST-NO-DUPLICATE']);
    const before = execute(dup, schedule(dup, ABA));
    expect(before.violation).toBeNull();
    expect(head(before.final)).toBe(workerNode(2, 2)); // W2 pushed back: the ABA
    const r = execute(dup, schedule(dup, `${ABA} r1`));
    expect(r.violation).toEqual({ invariant: 'INV-LIST-NO-DUPLICATE', message: 'W1 is on idle_workers twice', tasks: ['W1'] });
    // W1's link is its restored idle_workers_ptr (the head's address): the
    // list runs head -> W1 -> head -> W1 ...
    expect(head(r.final)).toBe(workerNode(1, 2));
    expect(peek(r.final.mem, workerNode(1, 2))).toBe(IDLE_WORKERS_HEAD);
    const state = system('B-ABA', 2, 2, false, ['INV-IDLE-LIST-STATE']);
    expect(execute(state, schedule(state, `${ABA} r1`)).violation?.message).toBe('W1 is on idle_workers unmarked but its state is RUNNING');
  });

  it('v0.3: the lock is held across the pop, so the second server cannot pop in the window', () => {
    const sys = system('v0.3', 2, 2, false, ['INV-LIST-NO-DUPLICATE']);
    const r = execute(sys, schedule(sys, 's0t3 r3*22 s1t4 r4*22 s0t1 s1t2 r1*5 r2*3'));
    expect(r.error).toBeUndefined();
    expect(peek(r.final.mem, RUNTIME_LOCK)).toBe(1); // S1 still holds it
    expect(r.trace.slice(-3).map((t) => t.label)).toEqual(['T2 server:loop lock', 'T2 server:loop lock', 'T2 server:loop lock']);
  });
});

describe('B-GC-UAF (reuseNodeAfterGc): restore @next right after the gc unlinks the own node', () => {
  // S1 pushes itself, sees W2 on idle_workers and removes itself (marks its
  // node); W2's wake hook reads idle_servers' head (S1's node); S1's gc
  // unlinks the node and restores @next; W2's pop then marks the restored
  // node. The schedule is the manifest check's shrunk counterexample.
  const TOKEN_SCHEDULE =
    's0t3 r3 s0t1 r1*5 s0t3 r3*16 s0t1 r1*13 s0t3 r3 s0t1 r1*8 s0t3 r3 s0t1 r1*2 s0t3 r3*4 s0t1 r1 s0t3 r3 s0t1 r1*8 s0t3 r3*4';
  const node = structOf(1) + OFF_IDLE_SERVERS_PTR;

  it('the gc writes &idle_servers into the node it unlinked, and the kernel pop marks it off the list', () => {
    const sys = system('B-GC-UAF', 1, 2, true, ['INV-SINGLE-RUNNING']);
    const upto = (n: number): ImplState => execute(sys, schedule(sys, TOKEN_SCHEDULE).slice(0, n)).final;
    expect(peek(upto(44).mem, IDLE_SERVERS_HEAD)).toBe(0); // step 44: the gc unlinked S1's node
    expect(peek(upto(45).mem, node)).toBe(IDLE_SERVERS_HEAD); // step 45: restore @next
    expect(peek(upto(58).mem, node)).toBe(IDLE_SERVERS_HEAD + 1); // step 58: W2's umcg_sll_pop marked it
    expect(peek(upto(58).mem, IDLE_SERVERS_HEAD)).toBe(0); // while idle_servers is empty
  });

  it('INV-SINGLE-RUNNING: S1 is woken out of the wait that hands its CPU to W2', () => {
    const sys = system('B-GC-UAF', 1, 2, true, ['INV-SINGLE-RUNNING']);
    const r = execute(sys, schedule(sys, TOKEN_SCHEDULE));
    expect(r.trace.length).toBe(78);
    expect(r.violation).toEqual({ invariant: 'INV-SINGLE-RUNNING', message: 'on behalf of S1 run W2 and S1', tasks: ['W2', 'S1'] });
  });

  it('v0.3 leaves the unlinked node alone: the same schedule does not wake S1', () => {
    const sys = system('v0.3', 1, 2, true, ['INV-SINGLE-RUNNING']);
    const r = execute(sys, schedule(sys, TOKEN_SCHEDULE), { skipDisabled: true });
    expect(r.violation).toBeNull();
    expect(r.trace.some((t) => /restore @next/.test(t.label))).toBe(false);
  });
});
