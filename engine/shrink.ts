/**
 * Shrinking a failing interleaving. A schedule is a list of choices, replayed
 * leniently (a choice that is not enabled when its turn comes is skipped) and
 * kept only when the run still violates the same invariant; what is kept is
 * the run actually executed, cut at its violation.
 *
 * 1. Steps: delta debugging (Zeller and Hildebrandt's ddmin, complement
 *    removal only): remove chunks of half, a quarter, ... down to single
 *    steps, restarting at the coarse end after every success.
 *    Then every contiguous window, longest first, which also cuts redundant
 *    loops that span several tasks; then every window but one of its steps;
 *    then shortcuts: a small breadth-first search from each state of the
 *    trace for a shorter path to a later state of the trace.
 * 2. Context switches: move one step next to another step of the same task
 *    (either side), kept when the failure stays and the trace has fewer
 *    switches, or as many switches and fewer steps. Then back to 1, until
 *    neither changes anything.
 *
 * Every candidate is tried in a fixed order, so shrinking is deterministic.
 * The pair (steps, switches) decreases with every accepted change, so it ends.
 */
import { execute, PROGRESS_ID, switches, type RunResult, type StepSystem } from './system.ts';

export interface ShrinkStats {
  readonly steps: number;
  readonly switches: number;
}

export interface ShrinkResult<S, C> {
  readonly choices: readonly C[];
  readonly run: RunResult<S, C>;
  readonly before: ShrinkStats;
  readonly after: ShrinkStats;
  /** Candidate schedules replayed. */
  readonly attempts: number;
}

export interface ShrinkOptions {
  /** The invariant the shrunk run must still violate (default: the one the input violates). */
  readonly invariant?: string;
  /** Give up improving after this many replays (default 50,000). */
  readonly maxAttempts?: number;
}

export function shrink<S, C>(system: StepSystem<S, C>, choices: readonly C[], opts: ShrinkOptions = {}): ShrinkResult<S, C> {
  const first = execute(system, choices, { skipDisabled: true });
  const invariant = opts.invariant ?? first.violation?.invariant;
  if (first.violation === null || invariant === undefined || first.violation.invariant !== invariant) {
    throw new Error(`shrink: the schedule does not violate ${invariant ?? 'any invariant'}`);
  }
  const maxAttempts = opts.maxAttempts ?? 50_000;
  let attempts = 0;
  let best = first;
  const before = stats(first);

  /** Replay a candidate; the executed run when it fails the same way and improves on `best`. */
  const better = (candidate: readonly C[], reduceSwitches: boolean): RunResult<S, C> | undefined => {
    if (attempts >= maxAttempts) return undefined;
    // A run is at most as long as its schedule: K choices or fewer cannot hold K + 1 code steps.
    if (invariant === PROGRESS_ID && candidate.length <= system.progressBound) return undefined;
    attempts++;
    const r = execute(system, candidate, { skipDisabled: true });
    if (r.violation?.invariant !== invariant) return undefined;
    const a = stats(r);
    const b = stats(best);
    const ok = reduceSwitches ? a.switches < b.switches || (a.switches === b.switches && a.steps < b.steps) : a.steps < b.steps;
    return ok ? r : undefined;
  };

  for (let changed = true; changed && attempts < maxAttempts; ) {
    changed = false;
    // 1. ddmin over steps.
    for (let n = 2; best.trace.length >= 1; ) {
      const cur = best.trace.map((t) => t.choice);
      const size = Math.ceil(cur.length / n);
      let reduced = false;
      for (let start = 0; start < cur.length && !reduced; start += size) {
        const r = better([...cur.slice(0, start), ...cur.slice(start + size)], false);
        if (r !== undefined) {
          best = r;
          reduced = true;
          changed = true;
        }
      }
      if (reduced) n = Math.max(n - 1, 2);
      else if (size <= 1 || attempts >= maxAttempts) break;
      else n = Math.min(n * 2, cur.length);
    }
    // 1b. Every contiguous window, longest first (ddmin only cuts aligned
    // chunks; a redundant loop of two tasks rarely is one).
    const cut = removeWindow(best, better);
    if (cut !== undefined) {
      best = cut;
      changed = true;
      continue;
    }
    // 1c. Shortcuts between states of the trace.
    const short = shortcut(system, best, better);
    if (short !== undefined) {
      best = short;
      changed = true;
      continue;
    }
    // 2. Merge runs of the same task.
    const moved = mergeOnce(best, better);
    if (moved !== undefined) {
      best = moved;
      changed = true;
    }
  }
  return { choices: best.trace.map((t) => t.choice), run: best, before, after: stats(best), attempts };
}

/** How far `shortcut` searches from each state of the trace. */
const SHORTCUT_DEPTH = 8;
const SHORTCUT_NODES = 4000;

/**
 * A shorter way between two states of the trace: a small breadth-first search
 * from each state s_i finds a path of d steps to some later s_j with j - i > d
 * (the trace took a detour the system did not need), and the detour is
 * replaced by that path. Keys are exact, so the run goes on from s_j as before.
 */
function shortcut<S, C>(
  system: StepSystem<S, C>,
  best: RunResult<S, C>,
  better: (candidate: readonly C[], reduceSwitches: boolean) => RunResult<S, C> | undefined,
): RunResult<S, C> | undefined {
  const cur = best.trace.map((e) => e.choice);
  const states: S[] = [system.initial()];
  for (const c of cur) states.push(system.step(states[states.length - 1]!, c).next);
  const last = new Map<string, number>();
  states.forEach((s, i) => last.set(system.key(s), i));
  for (let i = 0; i < states.length - 2; i++) {
    let frontier: { state: S; path: C[] }[] = [{ state: states[i]!, path: [] }];
    const seen = new Set<string>([system.key(states[i]!)]);
    let gainBest = 0;
    let pick: C[] | undefined;
    let pickJ = 0;
    for (let d = 1; d <= SHORTCUT_DEPTH && frontier.length > 0 && seen.size < SHORTCUT_NODES; d++) {
      const next: typeof frontier = [];
      for (const n of frontier) {
        for (const c of system.choices(n.state)) {
          const to = system.step(n.state, c).next;
          const key = system.key(to);
          if (seen.has(key)) continue;
          seen.add(key);
          const path = [...n.path, c];
          const j = last.get(key);
          if (j !== undefined && j - i - d > gainBest) {
            gainBest = j - i - d;
            pick = path;
            pickJ = j;
          }
          next.push({ state: to, path });
        }
      }
      frontier = next;
    }
    if (pick !== undefined) {
      const r = better([...cur.slice(0, i), ...pick, ...cur.slice(pickJ)], false);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

/** The first accepted removal of a contiguous window of steps, longest windows first. */
function removeWindow<S, C>(
  best: RunResult<S, C>,
  better: (candidate: readonly C[], reduceSwitches: boolean) => RunResult<S, C> | undefined,
): RunResult<S, C> | undefined {
  const cur = best.trace.map((e) => e.choice);
  for (let len = cur.length - 1; len >= 1; len--) {
    for (let start = 0; start + len <= cur.length; start++) {
      const r = better([...cur.slice(0, start), ...cur.slice(start + len)], false);
      if (r !== undefined) return r;
    }
  }
  // A window but one of its steps: a detour of one task often hides one
  // step another task needs (the push between the detour's halves).
  for (let len = cur.length - 1; len >= 3; len--) {
    for (let start = 0; start + len <= cur.length; start++) {
      for (let keep = start; keep < start + len; keep++) {
        const r = better([...cur.slice(0, start), cur[keep]!, ...cur.slice(start + len)], false);
        if (r !== undefined) return r;
      }
    }
  }
  return undefined;
}

/** The first accepted move of one step next to a step of its own task, or undefined. */
function mergeOnce<S, C>(
  best: RunResult<S, C>,
  better: (candidate: readonly C[], reduceSwitches: boolean) => RunResult<S, C> | undefined,
): RunResult<S, C> | undefined {
  const t = best.trace;
  const cur = t.map((e) => e.choice);
  for (let j = 0; j < t.length; j++) {
    const actor = t[j]!.actor;
    // Already inside a run of its task on both sides: moving it cannot help.
    if (t[j - 1]?.actor === actor && t[j + 1]?.actor === actor) continue;
    for (let k = 0; k < t.length; k++) {
      if (k === j || t[k]!.actor !== actor) continue;
      // Place step j right after step k (k < j) or right before it (k > j).
      const without = [...cur.slice(0, j), ...cur.slice(j + 1)];
      const at = k < j ? k + 1 : k - 1;
      if (at === j) continue;
      const candidate = [...without.slice(0, at), cur[j]!, ...without.slice(at)];
      const r = better(candidate, true);
      if (r !== undefined) return r;
    }
  }
  return undefined;
}

function stats<S, C>(r: RunResult<S, C>): ShrinkStats {
  return { steps: r.trace.length, switches: switches(r.trace) };
}
