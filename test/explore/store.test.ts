/**
 * The explorer's large-run store: the set of pairs (COLLAPSE storage, records
 * widened as part ids grow), the BFS logs that go to a temporary file past
 * a number of states, and explorations that give the same result whether
 * the logs stay in memory or go to disk, and say whether they were complete.
 */
import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore, type ExploreResult } from '../../engine/explore.ts';
import { KnownStates, PairSet, RecordLog } from '../../engine/state-set.ts';
import { main } from '../../cli/main.ts';
import { capture } from '../helpers/cli.ts';
import { exploreOptions } from '../helpers/model.ts';

const tempDirs = (): string[] => readdirSync(tmpdir()).filter((f) => f.startsWith('umcg-explore-'));
/** Descriptors of this process open on the logs' (unlinked) temporary files; -1 where /proc is missing. */
function openLogFiles(): number {
  if (!existsSync('/proc/self/fd')) return -1;
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).includes('umcg-explore-')) n++;
    } catch {
      // closed in between
    }
  }
  return n;
}

describe('KnownStates', () => {
  it('answers true only for a key it was given, with the value kept with it, and forgets everything on clear (4 slots: collisions overwrite)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3), fc.integer({ min: -5, max: 5 })), { maxLength: 60 }),
        fc.array(fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)), { maxLength: 30 }),
        (remembered, asked) => {
          const a = new Uint32Array(2);
          const b = new Uint32Array(1);
          const known = new KnownStates(4, a, 2, b, 1);
          const given = new Map<string, number>();
          const load = (x: number, y: number, z: number): string => {
            a[0] = x;
            a[1] = y * 0x9000_0000; // a high bit: the table holds words as signed
            b[0] = z;
            return `${x},${y},${z}`;
          };
          for (const [x, y, z, v] of remembered) {
            const key = load(x, y, z);
            if (known.has()) {
              expect(given.has(key)).toBe(true);
              expect(known.value).toBe(given.get(key));
            }
            known.remember(v);
            given.set(key, v);
            expect(known.has()).toBe(true);
            expect(known.value).toBe(v);
          }
          for (const [x, y, z] of asked) {
            const key = load(x, y, z);
            if (known.has()) {
              expect(given.has(key)).toBe(true);
              expect(known.value).toBe(given.get(key));
            }
          }
          known.clear();
          for (const [x, y, z] of [...remembered.map(([x, y, z]) => [x, y, z] as const), ...asked]) {
            load(x, y, z);
            expect(known.has()).toBe(false);
          }
        },
      ),
    );
  });

  it('refuses a slot count that is not a power of two', () => {
    expect(() => new KnownStates(3, new Uint32Array(1), 1, new Uint32Array(1), 1)).toThrow(/power of two/);
  });
});

describe('PairSet', () => {
  for (const [aMax, bMax] of [
    [3000, 1 << 22],
    [30, 200],
    [(1 << 26) - 2, (1 << 26) - 1],
  ] as const)
  it(`adds each pair once and finds exactly the pairs it was given, across resizes and record widenings (a <= ${aMax}, b <= ${bMax})`, () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: aMax }), fc.integer({ min: 0, max: bMax })), { maxLength: 4000 }),
        (pairs) => {
          const set = new PairSet();
          const seen = new Set<string>();
          for (const [a, b] of pairs) {
            expect(set.add(a, b)).toBe(!seen.has(`${a},${b}`));
            seen.add(`${a},${b}`);
          }
          expect(set.size).toBe(seen.size);
          const slots = new Set<number>();
          for (const [a, b] of pairs) {
            const slot = set.slotOf(a, b);
            expect(slot).toBeGreaterThanOrEqual(0);
            expect(slot).toBeLessThan(set.slots);
            expect(set.pairAt(slot)).toBe(true);
            expect([set.a, set.b]).toEqual([a, b]);
            slots.add(slot);
          }
          expect(slots.size).toBe(seen.size);
          for (const [a, b] of pairs) if (!seen.has(`${a + 1},${b}`)) expect(set.has(a + 1, b)).toBe(false);
          expect(set.has(aMax + 1, 0)).toBe(false);
        },
      ),
      { seed: 20261125, numRuns: 40 },
    );
  });

  it('holds 500,000 pairs in records of the bytes their ids need (5 bytes for 16 + 20 bits), at most 1 / 0.65 of them a pair', () => {
    const set = new PairSet();
    let wrong = 0;
    for (let i = 0; i < 500_000; i++) if (!set.add(i % 40_000, i)) wrong++;
    for (let i = 0; i < 500_000; i += 997) if (set.add(i % 40_000, i)) wrong++;
    expect(wrong).toBe(0);
    expect(set.size).toBe(500_000);
    expect(set.recordBytes).toBe(5);
    expect(set.bytesUsed).toBeLessThan((500_000 * 5) / 0.65);
  });
});

describe('RecordLog', () => {
  it('gives back every record, in memory and from its temporary file, which is never visible on disk and is freed on close', () => {
    const before = tempDirs().length;
    const fds = openLogFiles();
    const log = new RecordLog(2, 100_000);
    const n = 400_000;
    let wrong = 0;
    for (let i = 0; i < n; i++) if (log.append(i * 3, (i * 7) >>> 0) !== i) wrong++;
    expect(log.size).toBe(n);
    expect(log.bytesOnDisk).toBeGreaterThan(0);
    // Unlinked as soon as open: only the descriptor holds it.
    expect(tempDirs().length).toBe(before);
    if (fds >= 0) expect(openLogFiles()).toBe(fds + 1);
    for (let i = 0; i < n; i += 1) if (log.get(i, 0) !== i * 3 || log.get(i, 1) !== i * 7) wrong++;
    expect(wrong).toBe(0);
    // Random reads, the way a trace is rebuilt.
    for (const i of [n - 1, 5, 300_001, 70_000, 0, 131_072]) expect(log.get(i, 0)).toBe(i * 3);
    expect(() => log.get(n, 0)).toThrow(/no record/);
    log.close();
    expect(tempDirs().length).toBe(before);
    if (fds >= 0) expect(openLogFiles()).toBe(fds);
  });

  it('keeps a log shorter than its memory allowance out of the file system', () => {
    const before = tempDirs().length;
    const log = new RecordLog(1, 1 << 20);
    for (let i = 0; i < 200_000; i++) log.append(i);
    expect(log.bytesOnDisk).toBe(0);
    expect(tempDirs().length).toBe(before);
    expect(log.get(199_999)).toBe(199_999);
    log.close();
  });
});

/** What a run in memory and a run with its logs on disk must agree on. */
function summary(r: ExploreResult): unknown {
  return {
    distinctStates: r.distinctStates,
    transitions: r.transitions,
    quiescentStates: r.quiescentStates,
    corruptStates: r.corruptStates,
    depth: r.depth,
    longestQuietRun: r.longestQuietRun,
    verdict: r.verdict,
    complete: r.complete,
    violations: r.violations.map((v) => ({ invariant: v.invariant, witness: v.witness, trace: v.trace.map((t) => [t.row, t.label, t.action]) })),
  };
}

describe('explore with its logs on disk', () => {
  it('gives the same states, verdicts and traces as with its logs in memory, and leaves no temporary file open', () => {
    const before = tempDirs().length;
    const fds = openLogFiles();
    for (const opts of [exploreOptions(1, 2, { yield: true }), exploreOptions(1, 2, { yield: false, stopAtFirst: true }), exploreOptions(2, 1, { yield: true })]) {
      const inMemory = explore(opts);
      expect(inMemory.diskBytes).toBe(0);
      const onDisk = explore({ ...opts, memoryStates: 1 });
      expect(onDisk.diskBytes).toBeGreaterThan(0);
      expect(summary(onDisk)).toEqual(summary(inMemory));
    }
    expect(tempDirs().length).toBe(before);
    expect(openLogFiles()).toBe(fds);
  });
});

describe('complete', () => {
  it('is true only when every reachable state was expanded', () => {
    const full = explore(exploreOptions(1, 2, { yield: true }));
    expect(full).toMatchObject({ verdict: 'violation', complete: true, stoppedBy: null });
    const first = explore(exploreOptions(1, 2, { yield: true, stopAtFirst: true }));
    expect(first).toMatchObject({ verdict: 'violation', complete: false, stoppedBy: 'violation' });
    // Capped after the first violation was found: a violation, yet not exhaustive.
    const capped = explore(exploreOptions(1, 2, { yield: true, maxStates: full.distinctStates - 1 }));
    expect(capped).toMatchObject({ verdict: 'violation', complete: false, stoppedBy: 'max-states' });
    const cappedEarly = explore(exploreOptions(1, 2, { yield: true, maxStates: 20 }));
    expect(cappedEarly).toMatchObject({ verdict: 'incomplete', complete: false, stoppedBy: 'max-states' });
  });

  it('is in the JSON of explore, with what stopped the search', async () => {
    const run = async (args: string[]): Promise<Record<string, unknown>> => {
      const io = capture();
      await main(['explore', '--target', 'model', '--servers', '1', '--workers', '2', '--json', ...args]);
      return JSON.parse(io.out()) as Record<string, unknown>;
    };
    expect(await run(['--all'])).toMatchObject({ verdict: 'violation', complete: true });
    expect((await run(['--all']))['stoppedBy']).toBeUndefined();
    expect(await run(['--all', '--max-states', '50000'])).toMatchObject({ verdict: 'violation', complete: false, stoppedBy: 'max-states' });
    expect(await run([])).toMatchObject({ verdict: 'violation', complete: false, stoppedBy: 'violation' });
    expect(await run(['--max-states', '20'])).toMatchObject({ verdict: 'incomplete', complete: false, stoppedBy: 'max-states' });
  });
});
