/**
 * Shared fixtures of the engine tests: the 1x1-with-yield model system (the
 * smallest configuration with the v0.3 finding), the seed every randomised
 * suite uses (UMCG_SEED, printed), and a temporary failure store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, vi } from 'vitest';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explore } from '../../engine/explore.ts';
import { makeImplSystem, type ImplSystemOptions } from '../../engine/impl-system.ts';
import { makeModelSystem, type ModelSystemOptions } from '../../engine/model-system.ts';
import { variantByName } from '../../impl/state.ts';
import { DEFAULT_PROGRESS_BOUND } from '../../properties/registry.ts';

export const FINDING = 'INV-LIST-NO-DUPLICATE';

export const ONE_BY_ONE: ModelSystemOptions = {
  servers: 1,
  workers: 1,
  profile: 'contract',
  yield: true,
  locks: false,
  envBudget: 0,
};

/** The 1x1-with-yield model, checking only the finding's invariant unless told otherwise. */
export function oneByOne(only: readonly string[] | undefined = [FINDING]) {
  return makeModelSystem({ ...ONE_BY_ONE, ...(only === undefined ? {} : { only }) });
}

/**
 * The implementation on 1 server and 1 worker without yield, contract, SC:
 * the gallery's smallest configuration, as variant `variant` checking `only`.
 */
export function implOneByOne(variant: string, only: readonly string[], extra: Partial<ImplSystemOptions> = {}) {
  const v = variantByName(variant);
  if (v === undefined) throw new Error(`unknown variant ${variant}`);
  return makeImplSystem({ servers: 1, workers: 1, memory: 'sc', profile: 'contract', yield: false, locks: false, envBudget: 0, variant: v, only, ...extra });
}

/** Length of the shortest counterexample for `invariant` on 1x1 with yield, by the model explorer's BFS. */
export function shortestLength(invariant = FINDING): number {
  const r = explore({ ...ONE_BY_ONE, progressBound: DEFAULT_PROGRESS_BOUND, maxStates: 1_000_000, stopAtFirst: true, only: [invariant] });
  const v = r.violations.find((x) => x.invariant === invariant);
  if (v === undefined) throw new Error(`the explorer finds no ${invariant} on 1x1`);
  return v.trace.length;
}

/** The suite seed: UMCG_SEED or a fixed default, printed so any run can be repeated. */
export function suiteSeed(suite: string, fallback: number): number {
  const text = process.env['UMCG_SEED'];
  const seed = text === undefined ? fallback : Number(text) >>> 0;
  console.log(`${suite}: seed ${seed} (set UMCG_SEED=${seed} to repeat)`);
  return seed;
}

/**
 * Give every test of the file its own failure store (UMCG_VERIFY_DIR), removed
 * after the test; the returned function gives the current one.
 */
export function useTempStore(): () => { dir: string; cleanup: () => void } {
  let store: ReturnType<typeof tempStore> | undefined;
  beforeEach(() => {
    store = tempStore();
    vi.stubEnv('UMCG_VERIFY_DIR', store.dir);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    store?.cleanup();
  });
  return () => store!;
}

/** A fresh folder for the failure store, removed by the returned function. */
export function tempStore(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'umcg-verify-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
