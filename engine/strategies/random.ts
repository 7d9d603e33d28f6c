/** Uniform random scheduling: every enabled choice is equally likely at every step. */
import type { Rng } from '../random.ts';
import type { Scheduler } from './run.ts';

export function randomScheduler<S, C>(rng: Rng): Scheduler<S, C> {
  return { pick: (_run, enabled) => rng.pick(enabled) };
}
