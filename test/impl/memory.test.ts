import { describe, expect, it } from 'vitest';
import {
  CACHE_LINE_SIZE,
  PAGE_SIZE,
  createMemory,
  drainOne,
  enabledDrains,
  fixupFault,
  isBufferEmpty,
  load,
  lockedAdd,
  lockedCmpxchg,
  lockedInc,
  lockedXadd,
  lockedXchg,
  memoryKey,
  mfence,
  pageOf,
  pageStatus,
  peek,
  pendingStores,
  setPageStatus,
  store,
  splitsCacheLine,
  withCell,
  type MemoryModel,
  type MemoryState,
} from '../../impl/memory.ts';

const X = 0x10000;
const Y = 0x10008;
const Q = 0x10010; // an 8-byte cell

function mem(model: MemoryModel, cpus = 2): MemoryState {
  return createMemory({
    model,
    cpus,
    cells: [
      { addr: X, width: 4, value: 0 },
      { addr: Y, width: 4, value: 0 },
      { addr: Q, width: 8, value: 0 },
    ],
  });
}

/** Unwrap an `{ kind: 'ok', state }` result or fail the test with what came back. */
function ok<R extends { readonly kind: string }>(result: R): Extract<R, { kind: 'ok' }> {
  if (result.kind !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(result)}`);
  return result as Extract<R, { kind: 'ok' }>;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('memory: plain loads, stores and cmpxchg', () => {
  for (const model of ['sc', 'tso'] as const) {
    it(`a store is read back by a load on the same CPU (${model})`, () => {
      const s = ok(store(mem(model), 0, X, 4, 7)).state;
      expect(load(s, 0, X, 4)).toEqual({ kind: 'ok', value: 7 });
    });

    it(`cmpxchg with the expected value writes and reports the old value (${model})`, () => {
      const r = ok(lockedCmpxchg(mem(model), 0, Q, 8, 0, 0x7f0000001001));
      expect(r.observed).toBe(0);
      expect(r.swapped).toBe(true);
      expect(peek(r.state, Q)).toBe(0x7f0000001001);
    });

    it(`cmpxchg with a stale expected value returns the observed value and writes nothing (${model})`, () => {
      const start = withCell(mem(model), X, 4, 5);
      const r = ok(lockedCmpxchg(start, 1, X, 4, 4, 9));
      expect(r.observed).toBe(5);
      expect(r.swapped).toBe(false);
      expect(r.state).toEqual(start);
      expect(memoryKey(r.state)).toBe(memoryKey(start));
    });
  }

  it('xchg, xadd, add and inc return the old value and write the new one', () => {
    let s = mem('tso');
    const x = ok(lockedXchg(s, 0, X, 4, 3));
    expect(x.old).toBe(0);
    s = x.state;
    const a = ok(lockedXadd(s, 1, X, 4, 4));
    expect(a.old).toBe(3);
    s = ok(lockedAdd(a.state, 0, X, 4, 10)).state;
    const i = ok(lockedInc(s, 1, X, 4));
    expect(i.old).toBe(17);
    expect(peek(i.state, X)).toBe(18);
  });

  it('a 4-byte xadd wraps modulo 2^32 in both directions', () => {
    const s = withCell(mem('sc'), X, 4, 2 ** 32 - 1);
    const up = ok(lockedXadd(s, 0, X, 4, 2));
    expect(peek(up.state, X)).toBe(1);
    const down = ok(lockedXadd(up.state, 0, X, 4, -2));
    expect(peek(down.state, X)).toBe(2 ** 32 - 1);
  });

  it('a value that is not a u32 for a 4-byte cell is a caller bug and throws', () => {
    expect(() => store(mem('sc'), 0, X, 4, 2 ** 32)).toThrow(RangeError);
    expect(() => store(mem('sc'), 0, X, 4, -1)).toThrow(RangeError);
    expect(() => store(mem('sc'), 0, X, 4, 1.5)).toThrow(RangeError);
  });

  it('a CPU id out of range is a caller bug and throws', () => {
    expect(() => load(mem('tso', 2), 2, X, 4)).toThrow(RangeError);
    expect(() => load(mem('tso', 2), -1, X, 4)).toThrow(RangeError);
  });
});

describe('memory: faults are values', () => {
  it('an access to a not-present page faults, and a fix-up makes it present again', () => {
    const s = setPageStatus(mem('sc'), X, 'notPresent');
    const page = Math.floor(X / PAGE_SIZE);
    expect(load(s, 0, X, 4)).toEqual({ kind: 'notPresent', page });
    expect(store(s, 0, X, 4, 1)).toEqual({ kind: 'notPresent', page });
    expect(lockedCmpxchg(s, 0, X, 4, 0, 1)).toEqual({ kind: 'notPresent', page });
    const fixed = ok(fixupFault(s, X)).state;
    expect(pageStatus(fixed, X)).toBe('present');
    expect(load(fixed, 0, X, 4)).toEqual({ kind: 'ok', value: 0 });
  });

  it('a fix-up of a page that is already present succeeds and changes nothing', () => {
    const s = mem('sc');
    expect(fixupFault(s, X)).toEqual({ kind: 'ok', state: s });
  });

  it('an unmapped page faults forever: the fix-up fails too', () => {
    const s = setPageStatus(mem('tso'), Y, 'unmapped');
    const page = Math.floor(Y / PAGE_SIZE);
    expect(load(s, 0, Y, 4)).toEqual({ kind: 'unmapped', page });
    expect(lockedXchg(s, 0, Y, 4, 1)).toEqual({ kind: 'unmapped', page });
    expect(fixupFault(s, Y)).toEqual({ kind: 'unmapped', page });
  });

  it('an address with no cell is reported as noCell', () => {
    expect(load(mem('sc'), 0, 0x20000, 4)).toEqual({ kind: 'noCell', addr: 0x20000 });
  });

  it('an access with the wrong width is reported as widthMismatch', () => {
    expect(load(mem('sc'), 0, Q, 4)).toEqual({ kind: 'widthMismatch', addr: Q, cellWidth: 8 });
  });


  it('overlapping cells are refused at setup', () => {
    expect(() => withCell(mem('sc'), X + 4, 8, 0)).toThrow(RangeError);
    expect(() => withCell(mem('sc'), Q - 4, 8, 0)).toThrow(RangeError);
  });
});

describe('memory: alignment, as on x86-64', () => {
  // A u64 only 4-byte aligned, inside one cache line (0x10024..0x1002b), and
  // a u64 across the line boundary at 0x10040 (0x1003c..0x10043).
  const IN_LINE = 0x10024;
  const SPLIT = 0x1003c;
  const withOdd = (model: MemoryModel): MemoryState =>
    withCell(withCell(withCell(mem(model), IN_LINE, 8, 0), SPLIT, 8, 0), 0x10102, 4, 0);

  it('splitsCacheLine is true exactly when the bytes span a 64-byte boundary', () => {
    expect(CACHE_LINE_SIZE).toBe(64);
    expect(splitsCacheLine(IN_LINE, 8)).toBe(false);
    expect(splitsCacheLine(SPLIT, 8)).toBe(true);
    expect(splitsCacheLine(0x10038, 8)).toBe(false);
    expect(splitsCacheLine(0x10039, 8)).toBe(true);
    expect(splitsCacheLine(0x1003c, 4)).toBe(false);
    expect(splitsCacheLine(0x1003d, 4)).toBe(true);
  });

  for (const model of ['sc', 'tso'] as const) {
    it(`misaligned plain stores and loads succeed at any alignment, across a line too (${model})`, () => {
      let s = withOdd(model);
      for (const [addr, width, value] of [
        [IN_LINE, 8, 2 ** 40 + 1],
        [SPLIT, 8, 2 ** 47 + 3],
        [0x10102, 4, 0xdeadbeef],
      ] as const) {
        s = ok(store(s, 0, addr, width, value)).state;
        expect(load(s, 0, addr, width)).toEqual({ kind: 'ok', value });
      }
      // Under TSO the stores sit in CPU 0's buffer: CPU 1 still reads memory.
      expect(load(s, 1, SPLIT, 8)).toEqual({ kind: 'ok', value: model === 'sc' ? 2 ** 47 + 3 : 0 });
      expect(pendingStores(s, 0).length).toBe(model === 'sc' ? 0 : 3);
    });
  }

  it('TSO: a misaligned buffered store is forwarded to its own CPU, hidden from others until drained, and drains in FIFO order', () => {
    let s = ok(store(withOdd('tso'), 0, SPLIT, 8, 5)).state;
    s = ok(store(s, 0, X, 4, 1)).state;
    s = ok(store(s, 0, SPLIT, 8, 6)).state;
    expect(load(s, 0, SPLIT, 8)).toEqual({ kind: 'ok', value: 6 });
    expect(load(s, 1, SPLIT, 8)).toEqual({ kind: 'ok', value: 0 });
    const d1 = ok(drainOne(s, 0));
    expect([d1.addr, d1.value]).toEqual([SPLIT, 5]);
    expect(load(d1.state, 1, SPLIT, 8)).toEqual({ kind: 'ok', value: 5 });
    const d2 = ok(drainOne(d1.state, 0));
    const d3 = ok(drainOne(d2.state, 0));
    expect([d3.addr, d3.value]).toEqual([SPLIT, 6]);
    expect(peek(d3.state, SPLIT)).toBe(6);
    expect(isBufferEmpty(d3.state, 0)).toBe(true);
  });

  it('TSO: a locked op on a split line waits for the store buffer like any locked op', () => {
    const s = ok(store(withOdd('tso'), 0, X, 4, 1)).state;
    expect(lockedCmpxchg(s, 0, SPLIT, 8, 0, 1)).toEqual({ kind: 'blocked', pending: 1 });
  });

  it('a partial overlap is refused, not given a torn value (NOT MODELLED: mixed-size accesses)', () => {
    const s = withOdd('tso');
    expect(load(s, 0, SPLIT + 4, 4)).toEqual({ kind: 'noCell', addr: SPLIT + 4 });
    expect(store(s, 0, SPLIT, 4, 1)).toEqual({ kind: 'widthMismatch', addr: SPLIT, cellWidth: 8 });
    expect(() => withCell(s, SPLIT + 4, 4, 0)).toThrow(RangeError);
  });

  it('a misaligned locked op inside one cache line is an ordinary locked op', () => {
    const s = withOdd('sc');
    const r = ok(lockedCmpxchg(s, 0, IN_LINE, 8, 0, 7));
    expect(r.swapped).toBe(true);
    expect(peek(r.state, IN_LINE)).toBe(7);
    expect(ok(lockedXchg(r.state, 1, 0x10102, 4, 9)).old).toBe(0);
  });

  for (const model of ['sc', 'tso'] as const) {
    it(`B-ALIGN: every locked op across a cache line raises #AC (splitLock) on a present page and changes nothing (${model})`, () => {
      const s = withOdd(model);
      const ac = { kind: 'splitLock', addr: SPLIT, width: 8 };
      expect(pageStatus(s, SPLIT)).toBe('present');
      expect(lockedCmpxchg(s, 0, SPLIT, 8, 0, 1)).toEqual(ac);
      expect(lockedCmpxchg(s, 0, SPLIT, 8, 5, 1)).toEqual(ac);
      expect(lockedXchg(s, 0, SPLIT, 8, 1)).toEqual(ac);
      expect(lockedXadd(s, 0, SPLIT, 8, 1)).toEqual(ac);
      expect(lockedAdd(s, 0, SPLIT, 8, 1)).toEqual(ac);
      expect(lockedInc(s, 0, SPLIT, 8)).toEqual(ac);
      // The page fix-up has nothing to do: the page is present.
      expect(fixupFault(s, SPLIT)).toEqual({ kind: 'ok', state: s });
      expect(peek(s, SPLIT)).toBe(0);
    });
  }

  it('with split-lock detection off, a split lock executes atomically (a bus lock)', () => {
    const s = withOdd('sc');
    const r = ok(lockedCmpxchg(s, 0, SPLIT, 8, 0, 2 ** 40, { splitLockDetect: false }));
    expect([r.observed, r.swapped]).toEqual([0, true]);
    expect(peek(r.state, SPLIT)).toBe(2 ** 40);
    const x = ok(lockedXchg(r.state, 1, SPLIT, 8, 3, { splitLockDetect: false }));
    expect(x.old).toBe(2 ** 40);
    expect(ok(lockedInc(x.state, 0, SPLIT, 8, { splitLockDetect: false })).old).toBe(3);
  });

  it('a page fault is reported before a split lock', () => {
    const s = setPageStatus(withOdd('sc'), SPLIT, 'notPresent');
    expect(lockedCmpxchg(s, 0, SPLIT, 8, 0, 1)).toEqual({ kind: 'notPresent', page: pageOf(SPLIT) });
  });

  describe('an access spanning two pages needs both', () => {
    const SPAN = 0x10ffc; // 0x10ffc..0x11003
    const spanning = (model: MemoryModel): MemoryState => withCell(mem(model), SPAN, 8, 0);
    for (const status of ['notPresent', 'unmapped'] as const) {
      for (const page of [0x10, 0x11]) {
        it(`${status} page 0x${page.toString(16)}: load, store and cmpxchg fault on that page`, () => {
          const s = setPageStatus(spanning('tso'), page * PAGE_SIZE, status);
          const fault = { kind: status, page };
          expect(load(s, 0, SPAN, 8)).toEqual(fault);
          expect(store(s, 0, SPAN, 8, 1)).toEqual(fault);
          expect(lockedCmpxchg(s, 0, SPAN, 8, 0, 1)).toEqual(fault);
        });
      }
    }
    for (const model of ['sc', 'tso'] as const) {
      it(`with both pages present a spanning store and load succeed (${model})`, () => {
        const s = ok(store(spanning(model), 0, SPAN, 8, 2 ** 33)).state;
        expect(load(s, 0, SPAN, 8)).toEqual({ kind: 'ok', value: 2 ** 33 });
      });
    }
    it('a fix-up of the first byte leaves the second page not present (fixup_user_fault fixes one page)', () => {
      const s = setPageStatus(spanning('sc'), 0x11000, 'notPresent');
      const fixed = ok(fixupFault(s, SPAN)).state;
      expect(fixed).toEqual(s);
      expect(load(fixed, 0, SPAN, 8)).toEqual({ kind: 'notPresent', page: 0x11 });
      expect(load(ok(fixupFault(s, 0x11000)).state, 0, SPAN, 8)).toEqual({ kind: 'ok', value: 0 });
    });
  });
});

describe('memory: x86-TSO store buffers', () => {
  it('a load reads its own CPU\'s newest buffered store first (store forwarding)', () => {
    let s = ok(store(mem('tso'), 0, X, 4, 1)).state;
    s = ok(store(s, 0, X, 4, 2)).state;
    expect(load(s, 0, X, 4)).toEqual({ kind: 'ok', value: 2 });
    expect(peek(s, X)).toBe(0);
  });

  it('another CPU does not see a buffered store until it drains', () => {
    const s = ok(store(mem('tso'), 0, X, 4, 1)).state;
    expect(load(s, 1, X, 4)).toEqual({ kind: 'ok', value: 0 });
    const drained = ok(drainOne(s, 0));
    expect(drained.addr).toBe(X);
    expect(drained.value).toBe(1);
    expect(load(drained.state, 1, X, 4)).toEqual({ kind: 'ok', value: 1 });
  });

  it('buffered stores drain in FIFO order, one step at a time', () => {
    let s = ok(store(mem('tso'), 0, X, 4, 1)).state;
    s = ok(store(s, 0, Y, 4, 2)).state;
    s = ok(store(s, 0, X, 4, 3)).state;
    expect(pendingStores(s, 0)).toEqual([
      [X, 1],
      [Y, 2],
      [X, 3],
    ]);
    const seen: [number, number][] = [];
    for (;;) {
      const r = drainOne(s, 0);
      if (r.kind === 'empty') break;
      seen.push([r.addr, r.value]);
      s = r.state;
    }
    expect(seen).toEqual([
      [X, 1],
      [Y, 2],
      [X, 3],
    ]);
    expect(peek(s, X)).toBe(3);
    expect(peek(s, Y)).toBe(2);
  });

  it('an environment write to a word with a buffered store reaches memory now; the buffered store drains over it later', () => {
    const buffered = ok(store(withCell(mem('tso'), X, 4, 1), 0, X, 4, 2)).state;
    const written = withCell(buffered, X, 4, 3);
    expect(peek(written, X)).toBe(3);
    expect(load(written, 1, X, 4)).toEqual({ kind: 'ok', value: 3 });
    expect(load(written, 0, X, 4)).toEqual({ kind: 'ok', value: 2 });
    expect(peek(ok(drainOne(written, 0)).state, X)).toBe(2);
    // Resizing or creating a cell under a buffered store would strand the store.
    expect(() => withCell(buffered, X, 8, 0)).toThrow(RangeError);
  });

  it('enabledDrains lists exactly the CPUs with buffered stores', () => {
    let s = mem('tso', 3);
    expect(enabledDrains(s)).toEqual([]);
    s = ok(store(s, 2, X, 4, 1)).state;
    s = ok(store(s, 0, Y, 4, 1)).state;
    expect(enabledDrains(s)).toEqual([0, 2]);
    expect(drainOne(mem('tso'), 1)).toEqual({ kind: 'empty' });
  });

  it('MFENCE and every locked instruction are blocked while the buffer is not empty', () => {
    const s = ok(store(mem('tso'), 0, X, 4, 1)).state;
    expect(isBufferEmpty(s, 0)).toBe(false);
    const blocked = { kind: 'blocked', pending: 1 };
    expect(mfence(s, 0)).toEqual(blocked);
    expect(lockedCmpxchg(s, 0, Y, 4, 0, 1)).toEqual(blocked);
    expect(lockedXchg(s, 0, Y, 4, 1)).toEqual(blocked);
    expect(lockedXadd(s, 0, Y, 4, 1)).toEqual(blocked);
    expect(lockedAdd(s, 0, Y, 4, 1)).toEqual(blocked);
    expect(lockedInc(s, 0, Y, 4)).toEqual(blocked);
    // Another CPU, with an empty buffer, is not held back.
    expect(mfence(s, 1)).toEqual({ kind: 'ok', state: s });
    expect(lockedInc(s, 1, Y, 4).kind).toBe('ok');
    // Once drained, the fence is enabled.
    const drained = ok(drainOne(s, 0)).state;
    expect(isBufferEmpty(drained, 0)).toBe(true);
    expect(mfence(drained, 0)).toEqual({ kind: 'ok', state: drained });
  });

  it('a blocked locked instruction reports the block before any fault', () => {
    const s = setPageStatus(ok(store(mem('tso'), 0, X, 4, 1)).state, Q, 'unmapped');
    expect(lockedXchg(s, 0, Q, 8, 1)).toEqual({ kind: 'blocked', pending: 1 });
  });

  it('SC never buffers: a store is visible to every CPU at once and fences never block', () => {
    const s = ok(store(mem('sc'), 0, X, 4, 1)).state;
    expect(pendingStores(s, 0)).toEqual([]);
    expect(enabledDrains(s)).toEqual([]);
    expect(load(s, 1, X, 4)).toEqual({ kind: 'ok', value: 1 });
    expect(mfence(s, 0)).toEqual({ kind: 'ok', state: s });
    expect(lockedXchg(s, 0, X, 4, 2).kind).toBe('ok');
  });
});

describe('memory: plain data, purity and keys', () => {
  it('operations never mutate their input (deep-frozen state)', () => {
    let s = mem('tso');
    s = ok(store(s, 0, X, 4, 1)).state;
    s = setPageStatus(s, 0x30000, 'notPresent');
    const snapshot = JSON.stringify(s);
    const frozen = deepFreeze(s);
    store(frozen, 0, Y, 4, 2);
    store(frozen, 1, X, 4, 2);
    drainOne(frozen, 0);
    lockedXchg(frozen, 1, Y, 4, 5);
    lockedCmpxchg(frozen, 1, Y, 4, 0, 5);
    lockedXadd(frozen, 1, Q, 8, 5);
    mfence(frozen, 1);
    withCell(frozen, 0x10100, 4, 1);
    setPageStatus(frozen, X, 'unmapped');
    setPageStatus(frozen, 0x30000, 'present');
    fixupFault(frozen, 0x30000);
    load(frozen, 0, X, 4);
    memoryKey(frozen);
    expect(JSON.stringify(frozen)).toBe(snapshot);
  });

  it('a state survives a JSON round trip unchanged, key included', () => {
    let s = ok(store(mem('tso'), 1, X, 4, 9)).state;
    s = setPageStatus(s, 0x30000, 'unmapped');
    const copy = JSON.parse(JSON.stringify(s)) as MemoryState;
    expect(copy).toEqual(s);
    expect(memoryKey(copy)).toBe(memoryKey(s));
  });

  it('the same memory reached by different paths has the same key', () => {
    const a = ok(store(ok(store(mem('sc'), 0, X, 4, 1)).state, 1, Y, 4, 2)).state;
    const b = ok(store(ok(store(mem('sc'), 1, Y, 4, 2)).state, 0, X, 4, 1)).state;
    expect(memoryKey(a)).toBe(memoryKey(b));
    const c = setPageStatus(setPageStatus(mem('sc'), 0x30000, 'notPresent'), 0x30000, 'present');
    expect(memoryKey(c)).toBe(memoryKey(mem('sc')));
  });

  it('different buffers, pages or models give different keys', () => {
    const base = mem('tso');
    const buffered0 = ok(store(base, 0, X, 4, 1)).state;
    const buffered1 = ok(store(base, 1, X, 4, 1)).state;
    const drained = ok(drainOne(buffered0, 0)).state;
    const keys = [
      base,
      buffered0,
      buffered1,
      drained,
      mem('sc'),
      setPageStatus(base, X, 'notPresent'),
      setPageStatus(base, X, 'unmapped'),
    ].map(memoryKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
