/**
 * A replay token for a violation the model explorer found (engine/explore.ts),
 * so that its shortest trace can be replayed and drawn as a timeline and a
 * Mermaid diagram (`umcg-verify replay TOKEN [--mermaid]`), like a trace
 * that a check found.
 *
 * The token runs the model as a step system (engine/model-system.ts) with
 * only the violated invariant checked, and its choices are the explorer's
 * trace, so the replay stops at the same step with the same invariant.
 *
 * LIVE-BOUNDED-PROGRESS is the exception. The explorer proves an endless
 * run by a cycle of code steps and ends its trace once around the cycle; a
 * run of the step system violates the property only after more than K code
 * steps in a row. So the token goes on round the cycle until the run passes
 * K. The cycle may come back with tasks of one role renamed (the explorer's
 * states are symmetry-reduced), so each further step is the first enabled
 * code step that reaches a state with the canonical key of that step's turn
 * in the cycle, not a copy of the first round's choices.
 */
import { canonicalKey } from '../model/canon.ts';
import type { Action } from '../model/transitions.ts';
import type { State } from '../model/types.ts';
import type { ExploreOptions, Violation } from './explore.ts';
import { makeModelSystem } from './model-system.ts';
import { encodeToken } from './replay.ts';
import { Execution, PROGRESS_ID } from './system.ts';

/** The token that replays `v`, found by `explore(opts)`; throws when the trace does not reproduce `v`. */
export function explorerToken(opts: ExploreOptions, v: Violation): string {
  const system = makeModelSystem({
    servers: opts.servers,
    workers: opts.workers,
    profile: opts.profile,
    yield: opts.yield,
    locks: opts.locks,
    envBudget: opts.envBudget,
    progressBound: opts.progressBound,
    ...(opts.fixes === undefined ? {} : { fixes: opts.fixes }),
    only: [v.invariant],
  });
  const run = new Execution(system);
  const keys = [canonicalKey(run.state)];
  for (const t of v.trace) {
    if (run.done) throw new Error(`explorerToken: the run of ${v.invariant} ended before step ${t.index}`);
    const c = run.find(t.action);
    if (c === undefined) throw new Error(`explorerToken: step ${t.index} (${t.label}) is not enabled`);
    run.take(c);
    keys.push(canonicalKey(run.state));
  }
  if (run.violation === null && v.invariant === PROGRESS_ID) goRound(run, keys);
  if (run.violation?.invariant !== v.invariant) {
    throw new Error(`explorerToken: the trace of ${v.invariant} replays to ${run.violation?.invariant ?? 'no violation'}`);
  }
  return encodeToken(system, run.trace.map((e) => e.choice));
}

/**
 * Continue a run whose last state closes a cycle of code steps (its
 * canonical key is also the key after an earlier step) round that cycle
 * until the run is over: more than K code steps in a row.
 */
function goRound(run: Execution<State, Action>, keys: readonly string[]): void {
  const last = keys.length - 1;
  const start = keys.indexOf(keys[last]!);
  if (start === last) throw new Error('explorerToken: the LIVE-BOUNDED-PROGRESS trace does not end on a cycle');
  const sys = run.system;
  for (let at = start, n = 0; !run.done; at = at + 1 === last ? start : at + 1, n++) {
    if (n > sys.progressBound + last) throw new Error('explorerToken: going round the cycle does not pass the bound');
    const want = keys[at + 1]!;
    const c = run.enabled.find((a) => sys.causeOf(a) === 'code' && canonicalKey(sys.step(run.state, a).next) === want);
    if (c === undefined) throw new Error(`explorerToken: no code step continues the cycle at its step ${at + 1}`);
    run.take(c);
  }
}
