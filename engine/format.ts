/**
 * Plain-text rendering of explorer results: the trace as numbered steps
 * (task, row of §4.6, kernel routine or userspace label) and the final
 * state, one line per task and list.
 */
import { taskName } from '../model/transitions.ts';
import type { State } from '../model/types.ts';
import type { TraceStep, Violation } from './explore.ts';

export function formatTrace(trace: readonly TraceStep[]): string[] {
  const width = String(trace.length).length;
  return trace.map((t) => `  ${String(t.index).padStart(width)}  ${t.task.padEnd(3)} ${`[${t.row}]`.padEnd(6)} ${t.label}`);
}

export function formatState(s: State): string[] {
  const lines = s.tasks.map((t) => {
    const w = t.word;
    const flags = [w.locked ? 'LOCKED' : '', t.kstate === 'interruptible' ? 'TASK_INTERRUPTIBLE' : '', t.sigpending ? 'signal' : '']
      .filter((x) => x !== '')
      .join(',');
    return (
      `  ${taskName(s, t.tid).padEnd(3)} ${w.state.padEnd(7)} server_tid=${taskName(s, w.serverTid)} next_tid=${taskName(s, w.nextTid)}` +
      ` at ${t.pc}${flags === '' ? '' : ` (${flags})`}${t.end === 'none' ? '' : ` [${t.end}]`}`
    );
  });
  const list = (nodes: State['idleWorkers']): string =>
    nodes.length === 0 ? '(empty)' : nodes.map((n) => taskName(s, n.tid) + (n.marked ? '*' : '')).join(' -> ');
  lines.push(`  idle_workers: ${list(s.idleWorkers)}`, `  idle_servers: ${list(s.idleServers)}   (* = marked, awaiting gc)`);
  return lines;
}

export function formatViolation(v: Violation): string[] {
  return [
    `violated: ${v.invariant}: ${v.witness.message}`,
    `shortest trace (${v.trace.length} steps):`,
    ...formatTrace(v.trace),
    'final state:',
    ...formatState(v.finalState),
  ];
}
