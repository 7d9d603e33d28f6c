import { describe, expect, it } from 'vitest';
import { EAGAIN, EFAULT } from '../../model/errno.ts';
import { IDLE_WORKERS_HEAD, OFF_STATE, structOf } from '../../impl/layout.ts';
import { peek, setPageStatus, withCell } from '../../impl/memory.ts';
import { WARN_SLEEP_IN_ATOMIC } from '../../impl/state.ts';
import { callRoutine, config, implInit, withTask } from './helpers.ts';

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
  it('retries a misaligned cmpxchg without bound (B-ALIGN)', () => {
    const s = implInit(cfg);
    const mem = withCell(s.mem, 0x30002, 4, 0);
    const r = callRoutine(cfg, { ...s, mem }, 1, 'cmpxchg_user_32', { a: 0x30002, w: 4, old: 0, nw: 1 }, 50);
    expect(r.returned).toBe(false);
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
