/**
 * PCT, probabilistic concurrency testing (Burckhardt, Kothari, Musuvathi,
 * Nagarakatte, ASPLOS 2010). Each scheduling unit gets a distinct random
 * priority in d..d+n-1; d-1 change points are drawn among the steps 1..k of
 * the run (k = maxSteps); at the j-th change point the unit about to run
 * drops to priority j, below every initial priority. The highest-priority
 * unit with an enabled choice always runs. For a bug of depth d (d ordering
 * constraints) one run finds it with probability at least 1/(n k^(d-1)).
 *
 * Units: each task is a unit for its code and workload choices (its own
 * userspace decides to block or yield). Environment events aimed at a task
 * are a unit of their own, `env:T`, with their own priority, so the
 * environment is scheduled like another thread rather than always or never.
 * A unit with several enabled choices (a worker that may block or yield)
 * picks one uniformly with the run's generator.
 *
 * Two refinements, both off by default (docs/exploration.md):
 *
 * - focus (engine/strategies/focus.ts, `--focus lists|link-loads`): only focused steps
 *   (accesses of a shared list word) may be change points. The d-1 change
 *   points are drawn among the focused steps 1..k of the run (k =
 *   `focusSteps`, default maxSteps / `focusShare`, about the share of the
 *   implementation's steps the focus keeps), and the j-th fires right after its
 *   focused step: the unit that took it drops to priority j, so it is
 *   preempted between that access and its next one. The bound becomes
 *   1/(n k^(d-1)) with k counting focused steps only.
 * - revisit demotion (`--demote-revisits`): a unit whose step brings the run
 *   back to a state it has already been in (a failed lock CAS that changes
 *   nothing, a worker whose blocking call completes before it sleeps and
 *   returns it to where it started) drops below every priority given so
 *   far. Such a unit can only go round the same cycle again until another
 *   unit acts; PCT implementations treat a yield the same way. Without it a
 *   high-priority unit in a cycle burns the rest of the run's steps.
 */
import type { Rng } from '../random.ts';
import type { StepSystem } from '../system.ts';
import type { Focus } from './focus.ts';
import type { Scheduler } from './run.ts';

export const DEFAULT_PCT_DEPTH = 3;

export interface PctOptions {
  /** Only focused steps may be change points; absent: every step (plain PCT). */
  readonly focus?: Focus;
  /** With `focus`: k, the number of focused steps the change points are drawn among (default maxSteps / `focusShare`). */
  readonly focusSteps?: number;
  /** With `focus` and no `focusSteps`: about one step in `focusShare` is focused (default {@link FOCUS_SHARE}, that of `lists`). */
  readonly focusShare?: number;
  /** Demote a unit whose step returns the run to a state it has visited, below every other unit. */
  readonly demoteRevisits?: boolean;
}

/** With a focus and no `focusSteps` nor `focusShare`: k = maxSteps / FOCUS_SHARE. */
export const FOCUS_SHARE = 4;

export function unitOf<S, C>(system: StepSystem<S, C>, c: C): string {
  const actor = system.actorOf(c);
  return system.causeOf(c) === 'environment' ? `env:${actor}` : actor;
}

export function pctScheduler<S, C>(system: StepSystem<S, C>, rng: Rng, depth: number, maxSteps: number, opts: PctOptions = {}): Scheduler<S, C> {
  const units = [...system.actors, ...system.actors.map((a) => `env:${a}`)];
  const priority = new Map<string, number>();
  rng.shuffle(units).forEach((u, i) => priority.set(u, depth + i));
  const focus = opts.focus;
  const k = focus === undefined ? maxSteps : Math.max(1, opts.focusSteps ?? Math.ceil(maxSteps / (opts.focusShare ?? FOCUS_SHARE)));
  // Change point j (1-based) at step (or focused step) changeAt[j-1]: distinct values in 1..k.
  const changeAt = new Map<number, number>();
  const wanted = Math.min(Math.max(depth - 1, 0), k);
  while (changeAt.size < wanted) {
    const at = 1 + rng.int(k);
    if (!changeAt.has(at)) changeAt.set(at, changeAt.size + 1);
  }
  let stepNo = 0;
  let focused = 0;
  let seen = 0; // trace entries already looked at
  let lowest = 0; // revisit demotions go below every priority given so far
  // The states the run has been in, by fingerprint where the system has one
  // (StepSystem.fingerprint): building and hashing a full key per step was
  // most of a run's cost. A collision (two different states, one
  // fingerprint; about 3 in 10^10 per run of 2,500 steps) only demotes a
  // unit that did not revisit a state: it changes a scheduling priority,
  // never what a step does or what is checked.
  const fingerprint: (s: S) => string | number = system.fingerprint === undefined ? (s) => system.key(s) : (s) => system.fingerprint!(s);
  const visited = new Set<string | number>();
  const best = (enabled: readonly C[]): string => {
    let top = '';
    let topP = -Infinity;
    for (const c of enabled) {
      const u = unitOf(system, c);
      const p = priority.get(u) ?? 0;
      if (p > topP) {
        topP = p;
        top = u;
      }
    }
    return top;
  };
  return {
    pick(run, enabled) {
      // The step taken since the last pick: a scheduler drives its run one step per pick.
      const last = run.trace.length > seen ? run.trace[run.trace.length - 1] : undefined;
      seen = run.trace.length;
      if (last !== undefined && focus !== undefined && focus(last)) {
        const j = changeAt.get(++focused);
        if (j !== undefined) priority.set(unitOf(system, last.choice), j);
      }
      if (opts.demoteRevisits === true) {
        const key = fingerprint(run.state);
        if (last !== undefined && visited.has(key)) priority.set(unitOf(system, last.choice), --lowest);
        visited.add(key);
      }
      stepNo++;
      if (focus === undefined) {
        const j = changeAt.get(stepNo);
        if (j !== undefined) priority.set(best(enabled), j);
      }
      const unit = best(enabled);
      const mine = enabled.filter((c) => unitOf(system, c) === unit);
      return mine.length === 1 ? mine[0]! : rng.pick(mine);
    },
  };
}
