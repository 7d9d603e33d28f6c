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
 * and the violation a note over every participant at the end.
 */
export function mermaid<S, C>(system: StepSystem<S, C>, trace: readonly TraceEntry<C>[], violation?: Violation): string {
  const actors = columns(system, trace);
  const lines = ['sequenceDiagram'];
  for (const a of actors) lines.push(`    participant ${a}`);
  for (const e of trace) {
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
