/** Counterexample output: the timeline, the invariant with its witness, and the Mermaid diagram. */
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../engine/strategies/index.ts';
import { collapseRepeats, formatCounterexample, markdownTimeline, mermaid, timeline } from '../../engine/timeline.ts';
import type { TraceEntry } from '../../engine/system.ts';
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

describe('collapsed timelines for docs', () => {
  const entry = (index: number, actor: string, label: string): TraceEntry<string> => ({ index, choice: label, text: label, actor, cause: 'code', label });
  const trace = (spec: string): TraceEntry<string>[] => [...spec].map((ch, i) => entry(i + 1, ch === ch.toUpperCase() ? 'S1' : 'W1', ch));

  it('collapses a block that comes again at once, with the start of a round cut short', () => {
    // a b | c d e | c d e | c d e | c d: the block 3-5 again twice, then 3-4
    const rows = collapseRepeats(trace('abcdecdecdecd'));
    expect(rows.map((r) => (r.kind === 'step' ? r.entry.label : `${r.from}-${r.to}:${r.of.join('-')}x${r.times}+${r.partial}`))).toEqual(['a', 'b', 'c', 'd', 'e', '6-13:3-5x2+2']);
  });

  it('leaves a trace without repetition alone, and does not collapse a single repeated step', () => {
    expect(collapseRepeats(trace('abcdef')).every((r) => r.kind === 'step')).toBe(true);
    expect(collapseRepeats(trace('abbc')).map((r) => r.kind)).toEqual(['step', 'step', 'step', 'step']);
    expect(collapseRepeats(trace('abbbc')).map((r) => r.kind)).toEqual(['step', 'step', 'repeat', 'step']);
  });

  it(`${FINDING}: the Markdown timeline has a column per task, a row per step, and escapes the table's bar`, () => {
    const { system, run } = shortest();
    const lines = markdownTimeline(system, run.trace);
    expect(lines[0]).toBe('| # | S1 | W1 |');
    expect(lines).toHaveLength(run.trace.length + 2);
    const register = lines.find((l) => l.includes('sys_umcg_ctl'))!;
    expect(register).toMatch(/^\| \d+ \|  \| `\[W0\] sys_umcg_ctl\(REGISTER\\\|WORKER\)/);
  });

  it('the collapsed Mermaid diagram draws a repeated block once and its repetitions as one note', () => {
    const t = trace('abcdecdecdecd');
    const system = { actors: ['S1', 'W1'] } as unknown as Parameters<typeof mermaid>[0];
    const m = mermaid(system, t, undefined, { collapse: true }).trim().split('\n');
    expect(m.filter((l) => l.includes('->>'))).toHaveLength(5);
    expect(m[m.length - 1]).toBe('    Note over W1: steps 6-13: steps 3-5 again, 2 more times, then steps 3-4');
    expect(mermaid(system, t).split('->>').length - 1).toBe(13);
  });
});
