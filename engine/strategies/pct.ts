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
 */
import type { Rng } from '../random.ts';
import type { StepSystem } from '../system.ts';
import type { Scheduler } from './run.ts';

export const DEFAULT_PCT_DEPTH = 3;

export function unitOf<S, C>(system: StepSystem<S, C>, c: C): string {
  const actor = system.actorOf(c);
  return system.causeOf(c) === 'environment' ? `env:${actor}` : actor;
}

export function pctScheduler<S, C>(system: StepSystem<S, C>, rng: Rng, depth: number, maxSteps: number): Scheduler<S, C> {
  const units = [...system.actors, ...system.actors.map((a) => `env:${a}`)];
  const priority = new Map<string, number>();
  rng.shuffle(units).forEach((u, i) => priority.set(u, depth + i));
  // Change point j (1-based) at step changeAt[j-1]: distinct steps in 1..maxSteps.
  const changeAt = new Map<number, number>();
  const wanted = Math.min(Math.max(depth - 1, 0), maxSteps);
  while (changeAt.size < wanted) {
    const at = 1 + rng.int(maxSteps);
    if (!changeAt.has(at)) changeAt.set(at, changeAt.size + 1);
  }
  let stepNo = 0;
  const best = (enabled: readonly C[]): string => {
    let top = '';
    let topP = -1;
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
    pick(_run, enabled) {
      stepNo++;
      const j = changeAt.get(stepNo);
      if (j !== undefined) priority.set(best(enabled), j);
      const unit = best(enabled);
      const mine = enabled.filter((c) => unitOf(system, c) === unit);
      return mine.length === 1 ? mine[0]! : rng.pick(mine);
    },
  };
}
