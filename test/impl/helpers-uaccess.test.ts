import { describe, expect, it } from 'vitest';
import { EAGAIN, EFAULT } from '../../model/errno.ts';
import { IDLE_WORKERS_HEAD, IDLE_WORKERS_HEAD_SPLIT, OFF_IDLE_WORKERS_PTR, OFF_STATE, structOf } from '../../impl/layout.ts';
import { peek, setPageStatus } from '../../impl/memory.ts';
import { V03, WARN_SLEEP_IN_ATOMIC, type ImplState } from '../../impl/state.ts';
import { callRoutine, config, implInit, makeCurrent, runTask, take, withTask, withWords } from './helpers.ts';

const cfg = config();
const S1 = structOf(1) + OFF_STATE;

describe('cmpxchg_user_32/64 (patch 2)', () => {
  it('returns 0 and writes the new value when the old value matches', () => {
    const r = callRoutine(cfg, implInit(cfg), 1, 'cmpxchg_user_32', { a: S1, w: 4, old: 1, nw: 2 });
    expect([r.rv, r.rv2]).toEqual([0, 1]);
    expect(peek(r.state.mem, S1)).toBe(2);
  });
  it('returns -EAGAIN with the observed value on a mismatch and writes nothing', () => {
    const r = callRoutine(cfg, implInit(cfg), 1, 'cmpxchg_user_32', { a: S1, w: 4, old: 2, nw: 3 });
    expect([r.rv, r.rv2]).toEqual([-EAGAIN, 1]);
    expect(peek(r.state.mem, S1)).toBe(1);
  });
  it('returns -EFAULT on an unmapped page and beyond TASK_SIZE_MAX', () => {
    const s = implInit(cfg);
    const r = callRoutine(cfg, { ...s, mem: setPageStatus(s.mem, S1, 'unmapped') }, 1, 'cmpxchg_user_32', { a: S1, w: 4, old: 1, nw: 2 });
    expect(r.rv).toBe(-EFAULT);
    expect(callRoutine(cfg, s, 1, 'cmpxchg_user_64', { a: 2 ** 47, w: 8, old: 0, nw: 1 }).rv).toBe(-EFAULT);
  });
  it('fixes a not-present page up (fix_pagefault, a separate step) and retries', () => {
    const s = implInit(cfg);
    const r = callRoutine(cfg, { ...s, mem: setPageStatus(s.mem, S1, 'notPresent') }, 1, 'cmpxchg_user_32', { a: S1, w: 4, old: 1, nw: 2 });
    expect(r.rv).toBe(0);
    expect(r.labels.some((l) => l.includes('fix_pagefault'))).toBe(true);
  });
  it('records sleeping in atomic context when the fix-up runs with preemption disabled (B-SLEEP-ATOMIC)', () => {
    const s = withTask(implInit(cfg), 1, { preempt: 1 });
    const r = callRoutine(cfg, { ...s, mem: setPageStatus(s.mem, S1, 'notPresent') }, 1, 'cmpxchg_user_32', { a: S1, w: 4, old: 1, nw: 2 });
    expect(r.state.warn & WARN_SLEEP_IN_ATOMIC).toBe(WARN_SLEEP_IN_ATOMIC);
  });
});

describe('cmpxchg_user_32/64 and misaligned user words (B-ALIGN, spec §6.2)', () => {
  const SPLIT = 0x3003c; // a u64 across the cache-line boundary at 0x30040
  const IN_LINE = 0x30002; // a u32 misaligned inside one line
  const odd = (): ImplState => withWords(implInit(cfg), [
    [SPLIT, 8, 0],
    [IN_LINE, 4, 0],
  ]);

  it('a misaligned cmpxchg_user_32 inside one cache line succeeds like an aligned one', () => {
    const r = callRoutine(cfg, odd(), 1, 'cmpxchg_user_32', { a: IN_LINE, w: 4, old: 0, nw: 1 });
    expect([r.returned, r.rv, r.rv2]).toEqual([true, 0, 0]);
    expect(peek(r.state.mem, IN_LINE)).toBe(1);
  });

  it('a cmpxchg_user_64 across a cache line never returns: #AC, a fix_pagefault that succeeds, and again', () => {
    const s = odd();
    const N = 60;
    const r = callRoutine(cfg, s, 1, 'cmpxchg_user_64', { a: SPLIT, w: 8, old: 0, nw: 2 ** 40 }, N);
    expect(r.returned).toBe(false);
    expect(r.labels.length).toBe(N);
    // __try_cmpxchg_user_64 raises #AC, the exception fixup gives -EFAULT,
    // fix_pagefault() finds the page present, and the loop goes round.
    const loop = r.labels;
    loop.forEach((l, i) => expect(l).toContain(i % 2 === 0 ? 'cmpxchg_user_64:try' : 'cmpxchg_user_64:fix_pagefault'));
    expect(loop.filter((l) => l.includes('#AC (split lock)')).length).toBe(N / 2);
    // Nothing was written, the page is present, and pagefault_disable() is still held.
    expect(r.state.mem).toEqual(s.mem);
    expect(r.state.tasks[0]!.pfDisabled).toBe(1);
    // The loop is a cycle of two states: the state after each round equals the one before it.
    const again = runTask(cfg, r.state, 1, 2);
    expect(again.state).toEqual(r.state);
  });

  it('the same cmpxchg_user_64 on an aligned u64 finishes in one step (aligned behaviour unchanged)', () => {
    const s = withWords(implInit(cfg), [[0x30040, 8, 0]]);
    const r = callRoutine(cfg, s, 1, 'cmpxchg_user_64', { a: 0x30040, w: 8, old: 0, nw: 2 ** 40 });
    expect([r.returned, r.rv, r.labels.length]).toEqual([true, 0, 1]);
    expect(peek(r.state.mem, 0x30040)).toBe(2 ** 40);
  });

  it('umcg_sll_push onto a head across a cache line never returns: its max_tries bound is never reached', () => {
    const node = structOf(2) + OFF_IDLE_WORKERS_PTR;
    const r = callRoutine(cfg, odd(), 1, 'umcg_sll_push', { head: SPLIT, node, max: 2, step: 0, first: 0 }, 200);
    expect(r.returned).toBe(false);
    expect(r.state.tasks[0]!.stack.map((f) => f.fn)).toEqual(['worker', 'umcg_sll_push', 'cmpxchg_user_64']);
    expect(r.labels.filter((l) => l.includes('#AC')).length).toBeGreaterThan(90);
    // get_user and put_user of the misaligned head worked: node.next = first.
    expect(peek(r.state.mem, node)).toBe(0);
    expect(peek(r.state.mem, SPLIT)).toBe(0);
  });

  it('get_user / put_user of a u64 across a cache line succeed (plain accesses never fault on alignment)', () => {
    const put = callRoutine(cfg, odd(), 1, 'put_user', { a: SPLIT, w: 8, ns: 0, st: 1, val: 2 ** 45 });
    expect(put.rv).toBe(0);
    const get = callRoutine(cfg, put.state, 1, 'get_user_nosleep', { a: SPLIT, w: 8, ns: 1, st: 0, val: 0 });
    expect([get.rv, get.rv2]).toEqual([0, 2 ** 45]);
  });

  it('the same, under TSO: the store is buffered, forwarded, then drained', () => {
    const tso = config({ memoryModel: 'tso' });
    const s = withWords(implInit(tso), [[SPLIT, 8, 0]]);
    const put = callRoutine(tso, s, 1, 'put_user', { a: SPLIT, w: 8, ns: 0, st: 1, val: 7 });
    expect(put.rv).toBe(0);
    expect(peek(put.state.mem, SPLIT)).toBe(0);
    const get = callRoutine(tso, put.state, 1, 'get_user', { a: SPLIT, w: 8, ns: 0, st: 0, val: 0 });
    expect(get.rv2).toBe(7);
    const drained = take(tso, get.state, { kind: 'drain', cpu: 0 });
    expect(peek(drained.mem, SPLIT)).toBe(7);
  });

  it('a userspace LOCK CMPXCHG across a cache line proceeds (split_lock_detect=warn): the runtime pushes onto the split head', () => {
    const v = config({ variant: { ...V03, misalignedHead: true } });
    const s0 = implInit(v);
    const W = 2;
    const node = structOf(W) + OFF_IDLE_WORKERS_PTR;
    expect(peek(s0.mem, IDLE_WORKERS_HEAD_SPLIT)).toBe(0);
    expect(peek(s0.mem, node)).toBe(IDLE_WORKERS_HEAD_SPLIT);
    const s = withTask(makeCurrent(s0, W), W, { stack: [{ fn: 'worker', pc: 'push_cas', v: { first: 0, srv: 0 } }] });
    const r = runTask(v, s, W, 1, undefined, 0);
    expect(r.labels[0]).toContain('push: cmpxchg(idle_workers, first, self)');
    expect(r.labels[0]).not.toContain('#AC');
    expect(peek(r.state.mem, IDLE_WORKERS_HEAD_SPLIT)).toBe(node);
    expect(r.state.tasks[W - 1]!.end).toBe('none');
  });
});

describe('get_user / put_user', () => {
  it('reads and writes 64-bit words; -EFAULT when unmapped', () => {
    const s = implInit(cfg);
    const put = callRoutine(cfg, s, 1, 'put_user', { a: IDLE_WORKERS_HEAD, w: 8, ns: 0, st: 1, val: 2 ** 40 });
    expect(put.rv).toBe(0);
    const get = callRoutine(cfg, put.state, 1, 'get_user', { a: IDLE_WORKERS_HEAD, w: 8, ns: 0, st: 0, val: 0 });
    expect([get.rv, get.rv2]).toEqual([0, 2 ** 40]);
    const bad = callRoutine(cfg, { ...s, mem: setPageStatus(s.mem, IDLE_WORKERS_HEAD, 'unmapped') }, 1, 'get_user_nosleep', { a: IDLE_WORKERS_HEAD, w: 8, ns: 1, st: 0, val: 0 });
    expect(bad.rv).toBe(-EFAULT);
  });
});
