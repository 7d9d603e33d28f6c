/** Cell formatting for the bench tables: medians with their range, detection results, ratios. */
import type { ShortestRecord } from './bugs.ts';
import type { DetectionSummary, Summary } from './stats.ts';

/** Milliseconds, readable: `0.4 ms`, `37 ms`, `1.25 s`, `95 s`. */
export function fmtMs(ms: number): string {
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.round(ms / 1000)} s`;
}

export function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** `median [min–max]`, or the one value when they agree; `fmt` formats each number. */
export function fmtSummary(s: Summary, fmt: (n: number) => string = fmtInt): string {
  if (s.min === s.max) return fmt(s.median);
  return `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]`;
}

/**
 * A detection summary's runs or time: `median [min–max]` over the attempts,
 * with `k/n found` when some gave up, or `not found within C` when the
 * median is not defined (half or more gave up).
 */
export function fmtDetection(d: DetectionSummary, what: 'runs' | 'ms', unit: string): string {
  const fmt = what === 'ms' ? fmtMs : fmtInt;
  const found = d.found === d.attempts ? '' : ` (${d.found}/${d.attempts} found)`;
  const s = d[what];
  if (s?.median === undefined) {
    // A search stopped at its time limit has no run count (0): its time says what it spent.
    const g = d.gaveUpAfter;
    const cap = g === undefined ? '' : ` ${what === 'ms' || g.runs === 0 ? fmtMs(g.ms) : `${fmtInt(g.runs)} ${unit}`}`;
    return `not found within${cap}${found}`;
  }
  const range = s.min === s.max ? '' : ` [${fmt(s.min)}–${fmt(s.max)}]`;
  return `${fmt(s.median)}${range}${found}`;
}

/** `x12.5`, or `> x12.5` when the numerator is only a lower bound. */
export function fmtRatio(r: number, lowerBound = false): string {
  const text = r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
  return `${lowerBound ? '> ' : ''}x${text}`;
}

/**
 * The shortest trace, as the shrink-quality table shows it: `exact N (BFS)`,
 * `exact N (K + 1 code steps from the start)`, `exact N (bound-k BFS M + K - k)`,
 * or a lower bound `>= N (...)` saying which search proved it and how deep.
 */
export function fmtShortest(s: ShortestRecord): string {
  const stopped = s.timedOut === true ? ', stopped at the time limit' : s.error !== undefined ? `, then failed: ${s.error}` : '';
  const plus = s.k === undefined ? '' : ` + ${s.K - s.k}`;
  if (s.unreachable === true) return 'none: no reachable state violates it (BFS)';
  if (s.exact !== undefined) {
    if (s.method === 'code-run') return `exact ${s.exact} (K + 1 = ${s.K + 1} code steps from the start)`;
    if (s.method === 'bound-k') return `exact ${s.exact} (bound-${s.k} BFS ${s.exact - (s.K - s.k!)}${plus})`;
    return `exact ${s.exact} (BFS)`;
  }
  if (s.method === 'code-run') return `>= ${s.lower} (K + 1 code steps in a row${stopped})`;
  if (s.completeDepth === undefined) return `>= ${s.lower} (bound-${s.k} BFS ${s.lower - (s.K - s.k!)}${plus}, not extended${stopped})`;
  const depth = `depth ${fmtInt(s.completeDepth)}`;
  if (s.method === 'bound-k') return `>= ${s.lower} (bound-${s.k} BFS complete to ${depth}${plus}${stopped})`;
  return `>= ${s.lower} (BFS complete to ${depth}${stopped})`;
}

/** after / shortest: the median's ratio (the maximum's in brackets when it differs), `<= x` over a lower bound. */
export function fmtShrinkRatio(after: Summary, s: ShortestRecord): string {
  const d = s.exact ?? s.lower;
  if (d <= 0) return '-';
  const le = s.exact === undefined ? '<= ' : '';
  const med = (after.median / d).toFixed(2);
  return after.max === after.median ? `${le}${med}` : `${le}${med} (max ${(after.max / d).toFixed(2)})`;
}
