/**
 * Counterexample output: a timeline with one column per task and one row
 * per step (the row of the transition table, the kernel routine or
 * userspace label, and the address and value when the system reports them),
 * the violated invariant with its witness, and a Mermaid sequence diagram
 * of the same trace for docs.
 */
import Table from 'cli-table3';
import { switches, type StepSystem, type TraceEntry, type Violation } from './system.ts';

const MAX_COLUMN = 46;

/** The timeline table, as text lines. */
export function timeline<S, C>(system: StepSystem<S, C>, trace: readonly TraceEntry<C>[]): string[] {
  const actors = columns(system, trace);
  const cell = (e: TraceEntry<C>): string => `${e.row === undefined ? '' : `[${e.row}] `}${e.label}${e.detail === undefined ? '' : `\n${e.detail}`}`;
  const widths = actors.map((a) => {
    let w = a.length;
    for (const e of trace) if (e.actor === a) for (const line of cell(e).split('\n')) w = Math.max(w, line.length);
    return Math.min(w, MAX_COLUMN) + 2;
  });
  const table = new Table({
    head: ['#', ...actors],
    colWidths: [String(trace.length).length + 2, ...widths],
    wordWrap: true,
    wrapOnWordBoundary: true,
    style: { head: [], border: [], compact: true },
  });
  for (const e of trace) table.push([String(e.index), ...actors.map((a) => (a === e.actor ? cell(e) : ''))]);
  return table.toString().split('\n');
}

/** The whole counterexample: invariant and witness, the timeline, the final state. */
export function formatCounterexample<S, C>(
  system: StepSystem<S, C>,
  trace: readonly TraceEntry<C>[],
  violation: Violation,
  final: S,
): string[] {
  return [
    `violated: ${violation.invariant}: ${violation.message}`,
    ...(violation.tasks.length > 0 ? [`witness tasks: ${violation.tasks.join(', ')}`] : []),
    `trace: ${trace.length} steps, ${switches(trace)} context switches`,
    ...timeline(system, trace),
    'final state:',
    ...system.describeState(final),
  ];
}

/**
 * A Mermaid `sequenceDiagram`: one participant per task, each step a
 * message from its task to itself (an environment event a note on the task),
 * and the violation a note over every participant at the end. With
 * `collapse`, a block of steps that repeats at once is drawn once and its
 * repetitions as one note (`collapseRepeats`).
 */
export function mermaid<S, C>(
  system: StepSystem<S, C>,
  trace: readonly TraceEntry<C>[],
  violation?: Violation,
  opts: { readonly collapse?: boolean } = {},
): string {
  const actors = columns(system, trace);
  const lines = ['sequenceDiagram'];
  for (const a of actors) lines.push(`    participant ${a}`);
  const rows: TimelineRow<C>[] = opts.collapse === true ? collapseRepeats(trace) : trace.map((entry) => ({ kind: 'step', entry }));
  for (const r of rows) {
    if (r.kind === 'repeat') {
      const on = actors.filter((a) => r.actors.includes(a));
      lines.push(`    Note over ${on.length === 1 ? on[0]! : `${on[0]!},${on[on.length - 1]!}`}: ${escapeMermaid(repeatText(r))}`);
      continue;
    }
    const e = r.entry;
    const text = escapeMermaid(`${e.index}. ${e.row === undefined ? '' : `[${e.row}] `}${e.label}${e.detail === undefined ? '' : ` (${e.detail})`}`);
    lines.push(e.cause === 'environment' ? `    Note right of ${e.actor}: ${text}` : `    ${e.actor}->>${e.actor}: ${text}`);
  }
  if (violation !== undefined && actors.length > 0) {
    const over = actors.length === 1 ? actors[0]! : `${actors[0]!},${actors[actors.length - 1]!}`;
    lines.push(`    Note over ${over}: ${escapeMermaid(`${violation.invariant}: ${violation.message}`)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The system's tasks, plus any actor a step names that the system did not list. */
function columns<S, C>(system: StepSystem<S, C>, trace: readonly TraceEntry<C>[]): string[] {
  const out = [...system.actors];
  for (const e of trace) if (!out.includes(e.actor)) out.push(e.actor);
  return out;
}

/** Mermaid ends a message at `;` and reads `#...;` as an entity: write both as entities. */
function escapeMermaid(text: string): string {
  return text.replace(/[#;\n]/g, (ch) => (ch === '#' ? '#35;' : ch === ';' ? '#59;' : ' '));
}

/** A row of a collapsed trace: one step, or a block of steps that repeats the block just before it. */
export type TimelineRow<C> =
  | { readonly kind: 'step'; readonly entry: TraceEntry<C> }
  | {
      readonly kind: 'repeat';
      /** First and last step index the row stands for. */
      readonly from: number;
      readonly to: number;
      /** The steps they repeat: the block just before `from`. */
      readonly of: readonly [number, number];
      /** How many times the block comes again in full. */
      readonly times: number;
      /** Steps of the block that come after the last full repetition (a round cut short), 0 when none. */
      readonly partial: number;
      /** The tasks that take steps in the block. */
      readonly actors: readonly string[];
    };

/** Longest block that `collapseRepeats` looks for. */
const MAX_PERIOD = 64;

/**
 * The trace with every block of steps that comes again at once (same task,
 * row, label and detail, step for step) written once, followed by one
 * `repeat` row for all its repetitions: a spin, or a cycle of code steps gone
 * round until the progress bound, reads as one row (with the start of a last
 * round that the end of the run cut short). Greedy from the start; a block
 * is collapsed when its full repetitions cover at least two steps.
 */
export function collapseRepeats<C>(trace: readonly TraceEntry<C>[]): TimelineRow<C>[] {
  const same = (a: TraceEntry<C>, b: TraceEntry<C>): boolean => a.actor === b.actor && a.row === b.row && a.label === b.label && a.detail === b.detail;
  const rows: TimelineRow<C>[] = [];
  for (let i = 0; i < trace.length; ) {
    let best = { period: 0, times: 0 };
    for (let p = 1; p <= MAX_PERIOD && i + 2 * p <= trace.length; p++) {
      let times = 0;
      while (i + (times + 2) * p <= trace.length) {
        let k = 0;
        while (k < p && same(trace[i + k]!, trace[i + (times + 1) * p + k]!)) k++;
        if (k < p) break;
        times++;
      }
      if (times * p > best.period * best.times) best = { period: p, times };
    }
    if (best.period * best.times < 2) {
      rows.push({ kind: 'step', entry: trace[i]! });
      i++;
      continue;
    }
    const block = trace.slice(i, i + best.period);
    for (const entry of block) rows.push({ kind: 'step', entry });
    const from = i + best.period;
    let to = from + best.period * best.times;
    // A last round cut short (the run ended inside the block) joins the row.
    let partial = 0;
    while (partial < best.period - 1 && to + partial < trace.length && same(block[partial]!, trace[to + partial]!)) partial++;
    to += partial;
    rows.push({
      kind: 'repeat',
      from: trace[from]!.index,
      to: trace[to - 1]!.index,
      of: [block[0]!.index, block[block.length - 1]!.index],
      times: best.times,
      partial,
      actors: [...new Set(block.map((e) => e.actor))],
    });
    i = to;
  }
  return rows;
}

function repeatText(r: Extract<TimelineRow<unknown>, { kind: 'repeat' }>): string {
  const [a, b] = r.of;
  const then = r.partial === 0 ? '' : `, then ${r.partial === 1 ? `step ${a}` : `steps ${a}-${a + r.partial - 1}`}`;
  return `steps ${r.from}-${r.to}: ${a === b ? `step ${a}` : `steps ${a}-${b}`} again, ${r.times === 1 ? 'once more' : `${r.times} more times`}${then}`;
}

/**
 * The trace as a Markdown table for docs (docs/bugs/*.md): one column per
 * task, blocks that repeat at once collapsed (`collapseRepeats`), each cell a
 * code span with the row of the transition table, the label and the detail.
 */
export function markdownTimeline<S, C>(system: StepSystem<S, C>, trace: readonly TraceEntry<C>[]): string[] {
  const actors = columns(system, trace);
  const code = (text: string): string => `\`${text.replace(/`/g, "'").replace(/\|/g, '\\|')}\``;
  const lines = [`| # | ${actors.join(' | ')} |`, `|---|${actors.map(() => '---|').join('')}`];
  for (const r of collapseRepeats(trace)) {
    if (r.kind === 'step') {
      const e = r.entry;
      const text = code(`${e.row === undefined ? '' : `[${e.row}] `}${e.label}${e.detail === undefined ? '' : ` (${e.detail})`}`);
      lines.push(`| ${e.index} | ${actors.map((a) => (a === e.actor ? text : '')).join(' | ')} |`);
    } else {
      const first = actors.findIndex((a) => r.actors.includes(a));
      lines.push(`| ${r.from}-${r.to} | ${actors.map((_, k) => (k === first ? `*${repeatText(r)}*` : '')).join(' | ')} |`);
    }
  }
  return lines;
}
