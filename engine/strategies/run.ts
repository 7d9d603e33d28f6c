/**
 * One randomised run: a scheduler picks among the enabled choices for up to
 * `maxSteps` steps; then workload and environment go quiet and only code
 * choices run, under a fair round-robin schedule, until no code choice is
 * enabled (quiescence: the at-quiescence liveness properties are checked
 * there) or LIVE-BOUNDED-PROGRESS fails (more than K code steps in a row).
 *
 * Fairness rule of the quiet phase: tasks take turns in column order,
 * starting after the task that took the last step; a task with no enabled
 * code choice is passed over; a task with several takes the first in the
 * system's order. No task waits more than one round while it stays enabled.
 */
import { Execution, type StepResult, type StepSystem } from '../system.ts';

/** Picks the next choice of a run; `enabled` is never empty. */
export interface Scheduler<S, C> {
  pick(run: Execution<S, C>, enabled: readonly C[]): C;
}

export interface RunOptions {
  /** Steps of the scheduled phase (workload and environment may act). */
  readonly maxSteps: number;
}

export function runScheduled<S, C>(
  system: StepSystem<S, C>,
  scheduler: Scheduler<S, C>,
  opts: RunOptions,
  onStep?: (before: S, c: C, step: StepResult<S>) => void,
): Execution<S, C> {
  const run = new Execution(system, onStep);
  for (let i = 0; i < opts.maxSteps && !run.done; i++) run.take(scheduler.pick(run, run.enabled));
  quietPhase(run);
  return run;
}

/** Drive a run to quiescence with code choices only, round-robin over the tasks. */
export function quietPhase<S, C>(run: Execution<S, C>): void {
  const sys = run.system;
  const actors = sys.actors;
  let last = run.trace.length === 0 ? -1 : actors.indexOf(run.trace[run.trace.length - 1]!.actor);
  while (!run.done && !run.quiet()) {
    let chosen: C | undefined;
    for (let k = 1; k <= actors.length && chosen === undefined; k++) {
      const idx = (last + k + actors.length) % actors.length;
      const actor = actors[idx]!;
      chosen = run.enabled.find((c) => sys.causeOf(c) === 'code' && sys.actorOf(c) === actor);
      if (chosen !== undefined) last = idx;
    }
    // A code choice of an actor outside the column list (none today): take it in system order.
    chosen ??= run.enabled.find((c) => sys.causeOf(c) === 'code')!;
    run.take(chosen);
  }
}
