/**
 * A seeded random scheduler for tests: same seed, same trace.
 */
import { implChoices, implStep, type Choice } from './machine.ts';
import { implInit, type ImplConfig, type ImplState } from './state.ts';

/** mulberry32: a small, fast, seedable 32-bit PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomStep {
  readonly choice: Choice;
  readonly label: string;
  readonly before: ImplState;
  readonly after: ImplState;
}

/**
 * Run up to `steps` uniformly chosen choices from the initial state (or
 * `from`). `onStep` may return false to stop early. Returns the final
 * state and the number of steps taken (fewer when nothing is enabled).
 */
export function randomRun(
  cfg: ImplConfig,
  seed: number,
  steps: number,
  onStep?: (s: RandomStep) => boolean | void,
  from?: ImplState,
): { state: ImplState; steps: number } {
  const rnd = prng(seed);
  let s = from ?? implInit(cfg);
  for (let i = 0; i < steps; i++) {
    const cs = implChoices(s, cfg);
    if (cs.length === 0) return { state: s, steps: i };
    const choice = cs[Math.floor(rnd() * cs.length)]!;
    const r = implStep(s, choice, cfg);
    if (onStep !== undefined && onStep({ choice, label: r.label, before: s, after: r.state }) === false) return { state: r.state, steps: i + 1 };
    s = r.state;
  }
  return { state: s, steps };
}
