/**
 * The list helpers, one access per step: the kernel's umcg_sll_push and
 * umcg_sll_pop (patch 3, spec §5.1-5.2) and Peter O.'s userspace
 * atomic_stack.h (spec §5.3): push, pop, remove, gc and pop_all. Nodes are
 * the idle_*_ptr fields of the tasks' structs; a marked node has bit 0 set
 * in its own link.
 */
import { describe, expect, it } from 'vitest';
import { EAGAIN, EFAULT } from '../../model/errno.ts';
import { UMCG_CTL_REGISTER, UMCG_CTL_WORKER } from '../../model/syscalls.ts';
import { IDLE_SERVERS_HEAD, IDLE_WORKERS_HEAD, OFF_IDLE_SERVERS_PTR, OFF_IDLE_WORKERS_PTR, structOf } from '../../impl/layout.ts';
import { peek, setPageStatus } from '../../impl/memory.ts';
import { STACK_ASSERT_FAILED } from '../../impl/runtime.ts';
import type { ImplState } from '../../impl/state.ts';
import { callRoutine, config, implInit, makeCurrent, readList, runTask, withList, withTask, withWords } from './helpers.ts';

const cfg = config({ servers: 1, workers: 5, cpus: 2 }); // six structs: nodes T1..T6
const WH = IDLE_WORKERS_HEAD;
const SH = IDLE_SERVERS_HEAD;
const w = (t: number): number => structOf(t) + OFF_IDLE_WORKERS_PTR;
const srv = (t: number): number => structOf(t) + OFF_IDLE_SERVERS_PTR;
const wName = (n: number): string => `T${(n - OFF_IDLE_WORKERS_PTR - structOf(1)) / 64 + 1}`;
const sName = (n: number): string => `T${(n - OFF_IDLE_SERVERS_PTR - structOf(1)) / 64 + 1}`;
const MAX = 2 * cfg.cpus;

const push = (head: number, node: number, max = MAX) => ({ head, node, max, step: 0, first: 0 });
const pop = (head: number, max = MAX) => ({ head, max, step: 0, curr: 0, next: 0 });
const topOf = (s: ImplState, tid: number) => s.tasks[tid - 1]!.stack.at(-1)!;

describe('umcg_sll_push (kernel, spec §5.1)', () => {
  it('links the node to the old first node and makes it the head', () => {
    const s = withList(implInit(cfg), WH, [w(2)]);
    const r = callRoutine(cfg, s, 1, 'umcg_sll_push', push(WH, w(3)));
    expect(r.rv).toBe(0);
    expect(readList(r.state, WH, wName)).toEqual(['T3', 'T2']);
  });

  it('pushes onto an empty list', () => {
    const r = callRoutine(cfg, implInit(cfg), 1, 'umcg_sll_push', push(WH, w(2)));
    expect(r.rv).toBe(0);
    expect(readList(r.state, WH, wName)).toEqual(['T2']);
  });

  it('retries a CAS that lost to a concurrent push and succeeds on the next try', () => {
    let raced = false;
    const r = callRoutine(cfg, implInit(cfg), 1, 'umcg_sll_push', push(WH, w(2)), 100, (s) => {
      const f = topOf(s, 1);
      if (raced || f.fn !== 'cmpxchg_user_64' || f.pc !== 'try') return s;
      raced = true;
      return withList(s, WH, [w(5)]); // another task pushed T5 between the load and the CAS
    });
    expect(r.rv).toBe(0);
    expect(readList(r.state, WH, wName)).toEqual(['T2', 'T5']);
    expect(r.labels.filter((l) => l.includes('cmpxchg_user_64:try'))).toHaveLength(2);
  });

  it('returns -EAGAIN after max_tries CAS attempts that all lose, and leaves the head to the winners', () => {
    let n = 0;
    const r = callRoutine(cfg, implInit(cfg), 1, 'umcg_sll_push', push(WH, w(2)), 200, (s) => {
      const f = topOf(s, 1);
      if (f.fn !== 'cmpxchg_user_64' || f.pc !== 'try') return s;
      return withWords(s, [[WH, 8, ++n % 2 === 1 ? w(5) : w(6)]]); // the head changes before every CAS
    });
    expect(r.rv).toBe(-EAGAIN);
    expect(r.labels.filter((l) => l.includes('cmpxchg_user_64:try'))).toHaveLength(MAX);
    expect(peek(r.state.mem, WH)).not.toBe(w(2));
  });

  it('returns -EFAULT when the head cannot be read', () => {
    const s = implInit(cfg);
    const r = callRoutine(cfg, { ...s, mem: setPageStatus(s.mem, WH, 'unmapped') }, 1, 'umcg_sll_push', push(WH, w(2)));
    expect(r.rv).toBe(-EFAULT);
  });

  it('the wake hook passes max_tries = 2 * nr_cpu_ids to both push and pop', () => {
    const c3 = config({ servers: 1, workers: 1, cpus: 3 });
    const seen = new Set<string>();
    callRoutine(c3, implInit(c3), 2, 'sys_umcg_ctl', { flags: UMCG_CTL_REGISTER | UMCG_CTL_WORKER, self: structOf(2) }, 200, (s) => {
      for (const f of s.tasks[1]!.stack) if (f.fn === 'umcg_sll_push' || f.fn === 'umcg_sll_pop') seen.add(`${f.fn} ${f.v.max}`);
      return s;
    });
    expect([...seen].sort()).toEqual(['umcg_sll_pop 6', 'umcg_sll_push 6']);
  });
});

describe('umcg_sll_pop (kernel, spec §5.2)', () => {
  it('returns 0 with value 0 on an empty list', () => {
    const r = callRoutine(cfg, implInit(cfg), 1, 'umcg_sll_pop', pop(WH));
    expect([r.rv, r.rv2]).toEqual([0, 0]);
  });

  it('claims the first node by marking its own link, and neither unlinks it nor touches the head', () => {
    const s = withList(implInit(cfg), WH, [w(2), w(3)]);
    const r = callRoutine(cfg, s, 1, 'umcg_sll_pop', pop(WH));
    expect([r.rv, r.rv2]).toEqual([0, w(2)]);
    expect(readList(r.state, WH, wName)).toEqual(['T2*', 'T3']);
  });

  it('skips marked nodes and claims the first unmarked one', () => {
    const s = withList(implInit(cfg), WH, [w(2), w(3), w(4)], [w(2), w(3)]);
    const r = callRoutine(cfg, s, 1, 'umcg_sll_pop', pop(WH));
    expect([r.rv, r.rv2]).toEqual([0, w(4)]);
    expect(readList(r.state, WH, wName)).toEqual(['T2*', 'T3*', 'T4*']);
  });

  it('returns 0 with value 0 when every node is marked', () => {
    const s = withList(implInit(cfg), WH, [w(2), w(3)], [w(2), w(3)]);
    const r = callRoutine(cfg, s, 1, 'umcg_sll_pop', pop(WH));
    expect([r.rv, r.rv2]).toEqual([0, 0]);
  });

  it('returns -EFAULT for a head with bit 0 set ("Should not happen")', () => {
    const s = withWords(withList(implInit(cfg), WH, [w(2)]), [[WH, 8, w(2) + 1]]);
    const r = callRoutine(cfg, s, 1, 'umcg_sll_pop', pop(WH));
    expect(r.rv).toBe(-EFAULT);
    expect(peek(r.state.mem, WH)).toBe(w(2) + 1);
    expect(peek(r.state.mem, w(2))).toBe(0);
  });

  it('returns -EAGAIN after walking max_tries marked nodes, even when an unmarked node follows', () => {
    const nodes = [w(2), w(3), w(4), w(5), w(6)];
    const s = withList(implInit(cfg), WH, nodes, nodes.slice(0, MAX));
    expect(callRoutine(cfg, s, 1, 'umcg_sll_pop', pop(WH)).rv).toBe(-EAGAIN);
    const r = callRoutine(cfg, s, 1, 'umcg_sll_pop', pop(WH, MAX + 1));
    expect([r.rv, r.rv2]).toEqual([0, w(6)]);
  });

  it('on a lost CAS moves on to the observed successor instead of retrying the same node', () => {
    const s = withList(implInit(cfg), WH, [w(2), w(3)]);
    let raced = false;
    const r = callRoutine(cfg, s, 1, 'umcg_sll_pop', pop(WH), 100, (st) => {
      const f = topOf(st, 1);
      if (raced || f.fn !== 'cmpxchg_user_64' || f.pc !== 'try') return st;
      raced = true;
      return withWords(st, [[w(2), 8, w(3) + 1]]); // another popper claimed T2 first
    });
    expect([r.rv, r.rv2]).toEqual([0, w(3)]);
    expect(readList(r.state, WH, wName)).toEqual(['T2*', 'T3*']);
  });
});

describe('atomic_stack_pop (userspace, spec §5.3)', () => {
  it('returns NULL on an empty list and when every node is marked', () => {
    expect(callRoutine(cfg, implInit(cfg), 1, 'atomic_stack_pop', { head: WH }).rv2).toBe(0);
    const s = withList(implInit(cfg), WH, [w(2), w(3)], [w(2), w(3)]);
    const r = callRoutine(cfg, s, 1, 'atomic_stack_pop', { head: WH });
    expect([r.rv, r.rv2, r.returned]).toEqual([0, 0, true]);
  });

  it('skips marked nodes and claims the first unmarked one by marking its link, like the kernel pop', () => {
    const s = withList(implInit(cfg), WH, [w(2), w(3), w(4)], [w(2)]);
    const r = callRoutine(cfg, s, 1, 'atomic_stack_pop', { head: WH });
    expect(r.rv2).toBe(w(3));
    expect(readList(r.state, WH, wName)).toEqual(['T2*', 'T3*', 'T4']);
  });

  it('is unbounded: it claims a node behind more than 2 * nr_cpu_ids marked nodes, where the kernel pop gives -EAGAIN', () => {
    const nodes = [w(2), w(3), w(4), w(5), w(6)];
    const s = withList(implInit(cfg), WH, nodes, nodes.slice(0, MAX));
    expect(callRoutine(cfg, s, 1, 'atomic_stack_pop', { head: WH }).rv2).toBe(w(6));
  });

  it('performs one shared access per step', () => {
    const s = withList(implInit(cfg), WH, [w(2), w(3)], [w(2)]);
    const r = callRoutine(cfg, s, 1, 'atomic_stack_pop', { head: WH });
    expect(r.labels.map((l) => l.replace(/^T1 /, '').split(' ')[0])).toEqual(['atomic_stack_pop:start', 'atomic_stack_pop:read_next', 'atomic_stack_pop:read_next', 'atomic_stack_pop:cas']);
  });

  it('reports its failed assert(!(curr & 1)) as a value for a head with bit 0 set', () => {
    const s = withWords(withList(implInit(cfg), WH, [w(2)]), [[WH, 8, w(2) + 1]]);
    const r = callRoutine(cfg, s, 1, 'atomic_stack_pop', { head: WH });
    expect([r.rv, r.rv2]).toEqual([STACK_ASSERT_FAILED, w(2) + 1]);
  });

  it('on a lost CAS moves on to the observed successor', () => {
    const s = withList(implInit(cfg), WH, [w(2), w(3)]);
    let raced = false;
    const r = callRoutine(cfg, s, 1, 'atomic_stack_pop', { head: WH }, 100, (st) => {
      if (raced || topOf(st, 1).pc !== 'cas') return st;
      raced = true;
      return withWords(st, [[w(2), 8, w(3) + 1]]);
    });
    expect(r.rv2).toBe(w(3));
  });
});

describe('atomic_stack_pop_all (userspace, spec §5.3)', () => {
  it('returns NULL on an empty list without a CAS', () => {
    const r = callRoutine(cfg, implInit(cfg), 1, 'atomic_stack_pop_all', { head: WH });
    expect([r.rv, r.rv2, r.labels.length]).toEqual([0, 0, 1]);
  });

  it('detaches the whole chain, marked nodes included, and empties the head', () => {
    const s = withList(implInit(cfg), WH, [w(2), w(3)], [w(3)]);
    const r = callRoutine(cfg, s, 1, 'atomic_stack_pop_all', { head: WH });
    expect([r.rv, r.rv2]).toEqual([0, w(2)]);
    expect(peek(r.state.mem, WH)).toBe(0);
    expect(peek(r.state.mem, w(2))).toBe(w(3));
  });

  it('reports the failed assert(ok) as a value when a push changed the head between its load and its CAS', () => {
    const s = withList(implInit(cfg), WH, [w(2)]);
    const r = callRoutine(cfg, s, 1, 'atomic_stack_pop_all', { head: WH }, 100, (st) =>
      topOf(st, 1).pc === 'cas' && peek(st.mem, WH) === w(2) ? withList(st, WH, [w(3), w(2)]) : st,
    );
    expect([r.rv, r.rv2]).toEqual([STACK_ASSERT_FAILED, w(3)]);
    expect(readList(r.state, WH, wName)).toEqual(['T3', 'T2']); // nothing detached
  });
});

/** Run server T1's inlined runtime code from `pc` until its pc is one of `until`. */
function runServer(s0: ImplState, pc: string, v: Record<string, number>, until: readonly string[], interfere?: (s: ImplState) => ImplState) {
  let s = withTask(makeCurrent(s0, 1), 1, { stack: [{ fn: 'server', pc, v }] });
  const labels: string[] = [];
  for (let i = 0; i < 100 && !until.includes(topOf(s, 1).pc); i++) {
    const r = runTask(cfg, interfere ? interfere(s) : s, 1, 1, undefined, 0);
    labels.push(...r.labels);
    s = r.state;
  }
  return { state: s, labels, pc: topOf(s, 1).pc };
}

describe('atomic_stack_push (userspace, the runtime\'s inlined Treiber push)', () => {
  it('links the server\'s node to the old first node and CASes it in', () => {
    const s = withList(implInit(cfg), SH, [srv(3)]);
    const r = runServer(s, 'push_load', {}, ['idle_fence']);
    expect(readList(r.state, SH, sName)).toEqual(['T1', 'T3']);
    expect(r.labels).toHaveLength(3);
  });

  it('reloads the head and retries when its CAS loses', () => {
    let raced = false;
    const r = runServer(implInit(cfg), 'push_load', {}, ['idle_fence'], (st) => {
      if (raced || topOf(st, 1).pc !== 'push_cas') return st;
      raced = true;
      return withList(st, SH, [srv(4)]);
    });
    expect(readList(r.state, SH, sName)).toEqual(['T1', 'T4']);
    expect(r.labels.filter((l) => l.includes('push: cmpxchg'))).toHaveLength(2);
  });
});

describe('atomic_stack_gc (userspace, the runtime\'s inlined gc of idle_servers)', () => {
  const gc = (nodes: number[], marked: number[]): string[] =>
    readList(runServer(withList(implInit(cfg), SH, nodes, marked), 'gc_load_prev', { prev: SH }, ['pop_head']).state, SH, sName);

  it('unlinks a marked node in the middle', () => {
    expect(gc([srv(2), srv(3), srv(4)], [srv(3)])).toEqual(['T2', 'T4']);
  });
  it('unlinks marked nodes at the head', () => {
    expect(gc([srv(2), srv(3), srv(4)], [srv(2), srv(3)])).toEqual(['T4']);
  });
  // The spec's NB ("never unlinks a deleted tail") does not match the code
  // it annotates: `if (!next) return` stops only at an unmarked tail (link
  // 0); a marked tail's link is 1 (0 | mark), so it is unlinked like any
  // marked node. The implementation follows atomic_stack.h (impl/README.md).
  it('unlinks a marked tail too: `if (!next) return` stops only at an unmarked tail, whose link is 0', () => {
    expect(gc([srv(2), srv(3)], [srv(3)])).toEqual(['T2']);
    expect(gc([srv(2)], [srv(2)])).toEqual([]);
    expect(gc([srv(2), srv(3), srv(4)], [srv(2), srv(3), srv(4)])).toEqual([]);
  });
  it('stops at the last node when it is unmarked, leaving a marked node before it unlinked', () => {
    expect(gc([srv(2), srv(3)], [srv(2)])).toEqual(['T3']);
  });
  it('leaves a list without marks as it is', () => {
    expect(gc([srv(2), srv(3)], [])).toEqual(['T2', 'T3']);
  });
  it('restarts from the head when its unlinking CAS loses because the kernel marked prev meanwhile', () => {
    let raced = false;
    const r = runServer(withList(implInit(cfg), SH, [srv(2), srv(3), srv(4)], [srv(3)]), 'gc_load_prev', { prev: SH }, ['pop_head'], (st) => {
      if (raced || topOf(st, 1).pc !== 'gc_cas') return st;
      raced = true;
      return withWords(st, [[srv(2), 8, srv(3) + 1]]); // a kernel pop marks prev = T2
    });
    expect(readList(r.state, SH, sName)).toEqual(['T4']);
    expect(r.labels.filter((l) => l.includes('gc: unlink curr'))).toHaveLength(3); // lost, then T2, then T3
  });
});

describe('atomic_stack_remove (userspace, the runtime\'s inlined remove of itself from idle_servers)', () => {
  const remove = (nodes: number[], marked: number[]) => runServer(withList(implInit(cfg), SH, nodes, marked), 'rm_head', {}, ['rm_unlock_loop', 'rm_unlock_wait']);

  it('marks its own node, and only that one, then goes back to the loop', () => {
    const r = remove([srv(2), srv(1), srv(3)], [srv(2)]);
    expect(readList(r.state, SH, sName)).toEqual(['T2*', 'T1*', 'T3']);
    expect(r.pc).toBe('rm_unlock_loop');
  });
  it('finds its node already marked (the kernel popped it) and goes to wait', () => {
    const r = remove([srv(2), srv(1)], [srv(1)]);
    expect(readList(r.state, SH, sName)).toEqual(['T2', 'T1*']);
    expect(r.pc).toBe('rm_unlock_wait');
  });
  it('F-REMOVE-GC: when a concurrent gc unlinks its successor under its CAS, it leaves its own node unmarked and goes to wait', () => {
    let raced = false;
    const r = runServer(withList(implInit(cfg), SH, [srv(1), srv(2), srv(3)], [srv(2)]), 'rm_head', {}, ['rm_unlock_loop', 'rm_unlock_wait'], (st) => {
      if (raced || topOf(st, 1).pc !== 'rm_cas') return st;
      raced = true;
      return withWords(st, [[srv(1), 8, srv(3)]]); // gc: T1 -> T3
    });
    expect(readList(r.state, SH, sName)).toEqual(['T1', 'T3']);
    expect(r.pc).toBe('rm_unlock_wait');
  });
  it('does not find its node (a gc unlinked it after the kernel popped it) and goes to wait', () => {
    expect(remove([srv(2), srv(3)], []).pc).toBe('rm_unlock_wait');
    expect(remove([], []).pc).toBe('rm_unlock_wait');
  });
});
