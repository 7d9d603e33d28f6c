/**
 * Coverage after a run: which transitions and abstract states the runs
 * reached, how often, and which points of each dimension's universe were
 * never reached. The dimensions come from the step system
 * (`StepSystem.coverage`; for the model: transition-table rows, the code
 * step at each program counter, program counters, pc with state word).
 */
import type { CoverageSpec, StepResult, StepSystem } from './system.ts';

export interface DimensionReport {
  readonly name: string;
  /** Point -> how often it was reached, in first-reached order. */
  readonly counts: Readonly<Record<string, number>>;
  /** Points of the universe never reached, in universe order; undefined when there is no universe. */
  readonly never?: readonly string[];
  /** Size of the universe, when known. */
  readonly total?: number;
}

export interface CoverageReport {
  readonly dimensions: readonly DimensionReport[];
}

export class Coverage<S, C> {
  private readonly counts = new Map<string, Map<string, number>>();
  private readonly spec: CoverageSpec<S, C> | undefined;
  private readonly hit = (dimension: string, point: string): void => {
    let m = this.counts.get(dimension);
    if (m === undefined) {
      m = new Map();
      this.counts.set(dimension, m);
    }
    m.set(point, (m.get(point) ?? 0) + 1);
  };

  constructor(system: StepSystem<S, C>) {
    this.spec = system.coverage;
    for (const name of Object.keys(this.spec?.universe ?? {})) this.counts.set(name, new Map());
  }

  /** Record a run's initial state. */
  start(s: S): void {
    this.spec?.state(s, this.hit);
  }

  /** Record one step and the state it reached (pass as an Execution's onStep). */
  readonly step = (before: S, c: C, step: StepResult<S>): void => {
    if (this.spec === undefined) return;
    this.spec.step(before, c, step, this.hit);
    this.spec.state(step.next, this.hit);
  };

  report(): CoverageReport {
    const universe = this.spec?.universe ?? {};
    return {
      dimensions: [...this.counts.entries()].map(([name, m]) => {
        const all = universe[name];
        const counts = Object.fromEntries(m);
        return all === undefined
          ? { name, counts }
          : { name, counts, never: all.filter((p) => !m.has(p)), total: all.length };
      }),
    };
  }
}

/** A few lines: per dimension, reached/total and the never-reached points. */
export function formatCoverage(r: CoverageReport, full = false): string[] {
  const lines: string[] = [];
  for (const d of r.dimensions) {
    const reached = Object.keys(d.counts).length;
    const of = d.total === undefined ? '' : ` of ${d.total}`;
    lines.push(`  ${d.name}: ${reached}${of} reached${d.never !== undefined && d.never.length > 0 ? `; never: ${d.never.join(', ')}` : ''}`);
    if (full) {
      const sorted = Object.entries(d.counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      for (const [p, n] of sorted) lines.push(`    ${String(n).padStart(8)}  ${p}`);
    }
  }
  return lines;
}
