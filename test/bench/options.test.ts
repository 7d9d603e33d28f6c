/**
 * The bench's command line (bench/options.ts) and its cells
 * (bench/report.ts): bad options are usage errors, the bug section takes
 * every manifest entry that expects a violation, and a detection that gave
 * up reads as "not found within".
 */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../cli/usage-error.ts';
import { loadVariantsManifest } from '../../engine/variants-manifest.ts';
import { GALLERY } from '../../impl/state.ts';
import { bugEntries, parseBenchArgs } from '../../bench/options.ts';
import { fmtDetection, fmtMs, fmtRatio, fmtShortest, fmtShrinkRatio } from '../../bench/report.ts';

describe('bench options (bench/options.ts)', () => {
  it('defaults meet the issue: 5 runs per speed figure, 10 seeds per bug, the 2x3 cap recorded', () => {
    const o = parseBenchArgs([]);
    if (o === 'help') throw new Error('unexpected help');
    expect(o).toMatchObject({ mode: 'default', runs: 5, seeds: 10, section: 'all' });
    expect(o.cap23).toBeGreaterThan(0);
    expect(o.bug.seeds).toBe(10);
    expect(o.bug.searchLimitMs).toBe(120_000);
    const limited = parseBenchArgs(['--search-limit', '5']);
    if (limited === 'help') throw new Error('unexpected help');
    expect(limited.bug.searchLimitMs).toBe(5000);
    const full = parseBenchArgs(['--full', '--seeds', '12']);
    if (full === 'help') throw new Error('unexpected help');
    expect(full.cap23).toBeUndefined();
    expect(full.bug.searchBudgetMs).toBeUndefined();
    expect(full.seeds).toBe(12);
  });

  it.each([
    [['--bogus']],
    [['--seeds', 'ten']],
    [['--runs', '0']],
    [['--only', 'B-NOT-A-VARIANT']],
    [['--section', 'everything']],
    [['--quick', '--full']],
    [['--search-limit', '0']],
    [['--shortest-states', '0']],
    [['--shortest-states', 'many']],
    [['--shortest-limit', '-1']],
  ])('rejects %j as a usage error', (args) => {
    expect(() => parseBenchArgs(args)).toThrow(UsageError);
  });

  it('the bug section takes every manifest entry that expects a violation, and --only narrows it', () => {
    const manifest = loadVariantsManifest();
    const all = bugEntries(manifest);
    expect(all.length).toBe(manifest.filter((e) => e.expected.startsWith('violation of ')).length);
    expect(all.every((e) => GALLERY.some((g) => g.name === e.variant))).toBe(true);
    const one = all[0]!.variant;
    expect(bugEntries(manifest, [one]).every((e) => e.variant === one)).toBe(true);
  });
});

describe('bench cells (bench/report.ts)', () => {
  it('a detection reads as median [min–max], with how many attempts found it', () => {
    expect(fmtDetection({ attempts: 3, found: 3, runs: { median: 4, min: 1, max: 9 } }, 'runs', 'runs')).toBe('4 [1–9]');
    expect(fmtDetection({ attempts: 4, found: 3, runs: { median: 4, min: 1, max: 9 }, gaveUpAfter: { runs: 2000, ms: 5 } }, 'runs', 'runs')).toBe(
      '4 [1–9] (3/4 found)',
    );
    expect(fmtDetection({ attempts: 10, found: 2, runs: { min: 1, max: 3 }, gaveUpAfter: { runs: 2000, ms: 5 } }, 'runs', 'runs')).toBe(
      'not found within 2,000 runs (2/10 found)',
    );
    expect(fmtMs(0.42)).toBe('0.4 ms');
    expect(fmtMs(1250)).toBe('1.25 s');
    expect(fmtRatio(12.34, true)).toBe('> x12.3');
  });
});

describe('the shortest-trace cell and the shrink ratio (bench/report.ts)', () => {
  const base = { K: 2048, nodes: 10, maxNodes: 400_000, ms: 5 };
  it('says whether the shortest is exact and how it was found, or which search proved a lower bound', () => {
    expect(fmtShortest({ ...base, lower: 42, exact: 42, method: 'bfs' })).toBe('exact 42 (BFS)');
    expect(fmtShortest({ ...base, K: 256, lower: 257, exact: 257, method: 'code-run' })).toBe('exact 257 (K + 1 = 257 code steps from the start)');
    expect(fmtShortest({ ...base, K: 128, k: 64, lower: 140, exact: 140, method: 'bound-k' })).toBe('exact 140 (bound-64 BFS 76 + 64)');
    expect(fmtShortest({ ...base, lower: 37, method: 'bfs', completeDepth: 36 })).toBe('>= 37 (BFS complete to depth 36)');
    expect(fmtShortest({ ...base, lower: 37, method: 'bfs', completeDepth: 36, timedOut: true })).toBe('>= 37 (BFS complete to depth 36, stopped at the time limit)');
    expect(fmtShortest({ ...base, K: 128, k: 32, lower: 150, method: 'bound-k', completeDepth: 53 })).toBe('>= 150 (bound-32 BFS complete to depth 53 + 96)');
    expect(fmtShortest({ ...base, K: 128, lower: 129, method: 'code-run' })).toBe('>= 129 (K + 1 code steps in a row)');
  });
  it('the ratio is exact over an exact shortest and an upper bound ("<=") over a lower bound', () => {
    const after = { n: 3, median: 93, min: 92, max: 146 };
    expect(fmtShrinkRatio(after, { ...base, lower: 93, exact: 93, method: 'bfs' })).toBe('1.00 (max 1.57)');
    expect(fmtShrinkRatio({ n: 1, median: 108, min: 108, max: 108 }, { ...base, lower: 40, method: 'bfs', completeDepth: 39 })).toBe('<= 2.70');
    expect(fmtShrinkRatio(after, { ...base, lower: 0, method: 'bfs', completeDepth: -1 })).toBe('-');
  });
});
