/**
 * Summaries of repeated measurements: the median with its minimum and
 * maximum, and the same for searches that may end without finding what
 * they look for (a run that gave up at its cap counts as "more than the
 * cap", so the median is honest about it).
 */

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** Median (mean of the two middle values for an even count), minimum and maximum; `xs` non-empty. */
export function summarize(xs: readonly number[]): Summary {
  if (xs.length === 0) throw new RangeError('summarize: no measurements');
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  return { n: s.length, median, min: s[0]!, max: s[s.length - 1]! };
}

/**
 * One search for a known bug: found or not, and what it cost up to the
 * moment it stopped (for a search that did not find the bug: the whole cap).
 */
export interface Attempt {
  readonly found: boolean;
  /** Runs (randomised strategies) or maximal paths (bounded DFS) or 1 (BFS) until found or given up. */
  readonly runs: number;
  readonly ms: number;
}

/**
 * The summary of attempts, where an attempt that did not find the bug is
 * censored: it cost at least what it spent, so it sorts after every attempt
 * that found the bug. A median is `undefined` (reported as "> cap") when
 * half or more of the attempts did not find it; min and max are over the
 * attempts that found it.
 */
export interface DetectionSummary {
  readonly attempts: number;
  readonly found: number;
  readonly runs?: CensoredSummary;
  readonly ms?: CensoredSummary;
  /** The largest cost among attempts that gave up (what "not found within" means). */
  readonly gaveUpAfter?: { readonly runs: number; readonly ms: number };
}

export interface CensoredSummary {
  readonly median?: number;
  readonly min: number;
  readonly max: number;
}

export function summarizeDetection(xs: readonly Attempt[]): DetectionSummary {
  const hits = xs.filter((x) => x.found);
  const misses = xs.filter((x) => !x.found);
  const censored = (vals: readonly number[]): CensoredSummary => {
    const s = [...vals, ...misses.map(() => Infinity)].sort((a, b) => a - b);
    const mid = s.length >> 1;
    const m = s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
    return { ...(Number.isFinite(m) ? { median: m } : {}), min: Math.min(...vals), max: Math.max(...vals) };
  };
  return {
    attempts: xs.length,
    found: hits.length,
    ...(hits.length === 0 ? {} : { runs: censored(hits.map((h) => h.runs)), ms: censored(hits.map((h) => h.ms)) }),
    ...(misses.length === 0
      ? {}
      : { gaveUpAfter: { runs: Math.max(...misses.map((m) => m.runs)), ms: Math.max(...misses.map((m) => m.ms)) } }),
  };
}
