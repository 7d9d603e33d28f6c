/**
 * B-ALIGN (spec §6.2, §8.1): the layout that places the idle workers head
 * across a cache line, the abstraction reading it there, and the search
 * catching the kernel's endless cmpxchg_user_64 loop as LIVE-BOUNDED-PROGRESS.
 */
import { describe, expect, it } from 'vitest';
import { makeImplSystem } from '../../engine/impl-system.ts';
import { shrink } from '../../engine/shrink.ts';
import { DEFAULT_PREEMPTION_BOUND } from '../../engine/strategies/bounded.ts';
import { runCheck } from '../../engine/strategies/index.ts';
import { DEFAULT_PCT_DEPTH } from '../../engine/strategies/pct.ts';
import { loadVariantsManifest, variantSystem } from '../../engine/variants-manifest.ts';
import { abstractState } from '../../impl/abstraction.ts';
import {
  IDLE_SERVERS_HEAD,
  IDLE_WORKERS_HEAD,
  IDLE_WORKERS_HEAD_SPLIT,
  OFF_IDLE_WORKERS_PTR,
  RUNTIME_LOCK,
  idleWorkersHead,
  idleWorkersHeadIn,
  structOf,
} from '../../impl/layout.ts';
import { pageOf, peek, splitsCacheLine } from '../../impl/memory.ts';
import { V03, variantByName } from '../../impl/state.ts';
import { config, implInit, withList } from './helpers.ts';

const B_ALIGN = variantByName('B-ALIGN')!;

describe('B-ALIGN layout', () => {
  it('v0.3 keeps every head naturally aligned inside one cache line', () => {
    expect(idleWorkersHead(V03)).toBe(IDLE_WORKERS_HEAD);
    for (const [addr, w] of [
      [IDLE_SERVERS_HEAD, 8],
      [IDLE_WORKERS_HEAD, 8],
      [RUNTIME_LOCK, 4],
    ] as const) {
      expect(addr % w).toBe(0);
      expect(splitsCacheLine(addr, w)).toBe(false);
    }
  });

  it('misalignedHead puts the idle workers head across a cache line, on the heads page, and points every idle_workers_ptr at it', () => {
    expect(B_ALIGN.misalignedHead).toBe(true);
    expect(B_ALIGN.history).toMatch(/§6\.2/);
    const head = idleWorkersHead(B_ALIGN);
    expect(head).toBe(IDLE_WORKERS_HEAD_SPLIT);
    expect(splitsCacheLine(head, 8)).toBe(true);
    expect(pageOf(head)).toBe(pageOf(IDLE_SERVERS_HEAD));
    const cfg = config({ variant: B_ALIGN });
    const s = implInit(cfg);
    expect(peek(s.mem, head)).toBe(0);
    expect(peek(s.mem, IDLE_WORKERS_HEAD)).toBeUndefined();
    expect(idleWorkersHeadIn(s.mem)).toBe(head);
    expect(idleWorkersHeadIn(implInit(config()).mem)).toBe(IDLE_WORKERS_HEAD);
    for (const t of s.tasks) expect(peek(s.mem, structOf(t.tid) + OFF_IDLE_WORKERS_PTR)).toBe(head);
  });

  it('the abstraction reads idle_workers at the split head', () => {
    const cfg = config({ variant: B_ALIGN });
    const node = structOf(2) + OFF_IDLE_WORKERS_PTR;
    const s = withList(implInit(cfg), IDLE_WORKERS_HEAD_SPLIT, [node]);
    expect(abstractState(s).idleWorkers).toEqual([{ tid: 2, marked: false }]);
  });
});

describe('B-ALIGN is caught (manifest/variants.json)', () => {
  const entry = loadVariantsManifest().find((e) => e.variant === 'B-ALIGN')!;
  const K = entry.progressBound!;
  const search = (sys: ReturnType<typeof variantSystem>) =>
    runCheck(sys, {
      strategy: entry.strategy,
      seed: entry.seed,
      runs: entry.runs,
      maxSteps: entry.maxSteps,
      pctDepth: DEFAULT_PCT_DEPTH,
      preemptionBound: DEFAULT_PREEMPTION_BOUND,
    });

  it('LIVE-BOUNDED-PROGRESS: the failing run is K + 1 code steps, ending in the #AC / fix_pagefault loop on the split head', () => {
    const sys = variantSystem(entry);
    const o = search(sys);
    const run = o.failure!.run;
    expect(run.violation?.invariant).toBe('LIVE-BOUNDED-PROGRESS');
    expect(o.runs).toBe(1);
    expect(run.trace.length).toBe(K + 1);
    expect(run.trace.every((t) => t.cause === 'code')).toBe(true);
    const tail = run.trace.slice(-100).map((t) => t.label);
    tail.forEach((l) => expect(l).toMatch(/umcg_sll_push:cas_done > cmpxchg_user_64:(try 0x2003c: .* #AC \(split lock\)|fix_pagefault 0x2003c)$/));
    // A violation needs K + 1 code steps in a row, so no run is shorter: this one is a shortest one.
  });

  it('LIVE-BOUNDED-PROGRESS: with every invariant on (REFINEMENT included), the loop is only stutters: the first violation is still LIVE-BOUNDED-PROGRESS', () => {
    const sys = makeImplSystem({ servers: 1, workers: 1, memory: 'sc', profile: 'contract', yield: true, locks: false, envBudget: 0, variant: B_ALIGN, progressBound: K });
    expect(search(sys).failure?.run.violation?.invariant).toBe('LIVE-BOUNDED-PROGRESS');
  });

  it('LIVE-BOUNDED-PROGRESS: shrinking keeps the K + 1 steps and replays no schedule too short to fail (K = 96)', () => {
    const sys = variantSystem({ ...entry, progressBound: 96 });
    const o = search(sys);
    expect(o.failure!.run.trace.length).toBe(97);
    const small = shrink(sys, o.failure!.choices, { invariant: 'LIVE-BOUNDED-PROGRESS' });
    expect(small.after.steps).toBe(97);
    expect(small.run.violation?.invariant).toBe('LIVE-BOUNDED-PROGRESS');
    // Only same-length moves are replayed; every shorter candidate is skipped unreplayed.
    expect(small.attempts).toBeLessThan(500);
  });

  it('LIVE-BOUNDED-PROGRESS: v0.3 under the same check passes', () => {
    expect(search(variantSystem(entry, 'v0.3')).verdict).toBe('pass');
  });
});
