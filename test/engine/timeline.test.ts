/** Counterexample output: the timeline, the invariant with its witness, and the Mermaid diagram. */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../engine/strategies/index.ts';
import { formatCounterexample, mermaid, timeline } from '../../engine/timeline.ts';
import { FINDING, oneByOne } from './helpers.ts';

function shortest() {
  const system = oneByOne();
  const r = runCheck(system, { strategy: 'exhaustive', seed: 0, runs: 1, maxSteps: 1000 });
  return { system, run: r.failure!.run };
}

describe('timeline', () => {
  it(`${FINDING}: the timeline has one column per task and one row per step`, () => {
    const { system, run } = shortest();
    const lines = timeline(system, run.trace);
    expect(lines[1]).toMatch(/#\s+│ S1\s+│ W1\s+│/);
    // Each step's label is in its task's column only: W1 registering is in the W1 column, the S1 cell empty.
    const rows = lines.filter((l) => /^│ \d+\s+│/.test(l));
    const cells = rows.map((l) => l.split('│').map((c) => c.trim()));
    for (const c of cells) expect([c[2], c[3]].filter((x) => x !== '')).toHaveLength(1);
    const w0 = cells.find((c) => c[3]!.includes('[W0] sys_umcg_ctl'));
    expect(w0?.[2]).toBe('');
    expect(rows).toHaveLength(run.trace.length);
  });

  it(`${FINDING}: the counterexample names the invariant, its witness and the final state`, () => {
    const { system, run } = shortest();
    const text = formatCounterexample(system, run.trace, run.violation!, run.final).join('\n');
    expect(text).toContain(`violated: ${FINDING}: W1 is on idle_workers twice`);
    expect(text).toContain('witness tasks: W1');
    expect(text).toContain('idle_workers: W1 -> W1');
  });

  it(`${FINDING}: the Mermaid diagram has a participant per task, a message per step and the violation`, () => {
    const { system, run } = shortest();
    const m = mermaid(system, run.trace, run.violation!);
    const lines = m.trim().split('\n');
    expect(lines[0]).toBe('sequenceDiagram');
    expect(lines.slice(1, 3)).toEqual(['    participant S1', '    participant W1']);
    expect(lines.filter((l) => /->>/.test(l))).toHaveLength(run.trace.length);
    expect(lines[lines.length - 1]).toBe(`    Note over S1,W1: ${FINDING}: W1 is on idle_workers twice`);
    // Mermaid ends a message at ';': every one is written as an entity.
    expect(lines.slice(1).every((l) => !/;(?<!#\d+;)/.test(l.replace(/#\d+;/g, '')))).toBe(true);
  });
});
