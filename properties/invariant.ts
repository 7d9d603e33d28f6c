/**
 * The shape of a registry entry. Kinds are kept apart: well-formedness of
 * the data first, then safety of states, then properties of single
 * transitions, then bounded liveness (checked by the explorer on quiescent
 * states).
 */
import type { Step } from '../model/transitions.ts';
import type { Profile, State, Tid } from '../model/types.ts';

export type InvariantKind = 'well-formedness' | 'safety' | 'transition' | 'liveness';

/**
 * Under which environment profile an invariant must hold. `always`: the
 * kernel guarantees it whatever userspace does. `contract`: a program that
 * follows every documented rule is promised it.
 */
export type Scope = 'always' | 'contract';

/** Why an invariant failed: a sentence and the tasks/list involved. */
export interface Witness {
  readonly message: string;
  readonly tasks: readonly Tid[];
  readonly list?: 'idle_workers' | 'idle_servers';
}

interface Common {
  /** Stable, readable, permanent: used in test names, failures and docs. */
  readonly id: string;
  readonly statement: string;
  readonly rationale: string;
  /** Section(s) of the domain reference it comes from. */
  readonly spec: string;
  readonly scope: Scope;
  /** Transitions (rows of §4.6, program steps) that could break it. */
  readonly breakers: readonly string[];
  /** How it is checked, in one sentence. */
  readonly checked: string;
}

export interface StateInvariant extends Common {
  readonly kind: 'well-formedness' | 'safety';
  readonly check: (s: State) => Witness | null;
}

export interface TransitionInvariant extends Common {
  readonly kind: 'transition';
  readonly check: (before: State, step: Step) => Witness | null;
}

/**
 * Bounded liveness, in two forms. `at-quiescence`: `check` runs on every
 * quiescent state (once workload and environment stop, no step of program
 * or kernel code is enabled) and says whether the goal failed there.
 * `progress-bound`: the explorer measures the longest run of code steps
 * from any reachable state to quiescence and fails when it is longer than
 * the bound (a cycle counts as infinite).
 */
export type LivenessProperty =
  | (Common & { readonly kind: 'liveness'; readonly form: 'at-quiescence'; readonly check: (s: State) => Witness | null })
  | (Common & { readonly kind: 'liveness'; readonly form: 'progress-bound'; readonly defaultBound: number });

export type Invariant = StateInvariant | TransitionInvariant | LivenessProperty;

export function appliesTo(inv: Invariant, profile: Profile): boolean {
  return inv.scope === 'always' || profile === 'contract';
}
