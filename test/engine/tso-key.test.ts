/**
 * Under TSO the refinement mapping keeps a history beside each state (the
 * task snapshots of its buffered stores, impl/abstraction.ts): the system's
 * key carries it, so a search's state cache never merges two states whose
 * abstract states differ. Under SC the key is the state's own.
 */
import { describe, expect, it } from 'vitest';
import { makeImplSystem } from '../../engine/impl-system.ts';
import { execute } from '../../engine/system.ts';
import { implKey } from '../../impl/state.ts';
import { pendingStores } from '../../impl/memory.ts';

const opts = { servers: 1, workers: 1, profile: 'contract', yield: false, locks: false, envBudget: 0 } as const;

describe('the implementation key under TSO', () => {
  it('is the state key plus the history of the buffered stores', () => {
    const sys = makeImplSystem({ ...opts, memory: 'tso' });
    expect(sys.key(sys.initial())).toBe(implKey(sys.initial()));
    // Run until some CPU has a buffered store: its key then names the snapshot.
    let s = sys.initial();
    for (let i = 0; i < 500; i++) {
      const buffered = s.cpus.some((_, c) => pendingStores(s.mem, c).length > 0);
      if (buffered) break;
      const c = sys.choices(s).find((x) => sys.causeOf(x) === 'code') ?? sys.choices(s)[0]!;
      s = sys.step(s, c).next;
    }
    expect(s.cpus.some((_, c) => pendingStores(s.mem, c).length > 0)).toBe(true);
    expect(sys.key(s).startsWith(implKey(s))).toBe(true);
    expect(sys.key(s)).not.toBe(implKey(s));
    expect(sys.key(s)).toMatch(/\|0/);
  });

  it('under SC is implKey itself', () => {
    const sys = makeImplSystem({ ...opts, memory: 'sc' });
    const run = execute(sys, []);
    expect(sys.key(run.final)).toBe(implKey(run.final));
  });
});
