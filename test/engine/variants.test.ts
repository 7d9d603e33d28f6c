/**
 * The bug gallery (manifest/variants.json): each known-bad variant of the
 * implementation is caught, by search, with the invariant the manifest
 * names; v0.3 under the same check and budget does not show it.
 *
 * Every entry runs through the code `umcg-verify check --target impl` runs:
 * the system is built from its configuration record by `buildSystem` (as a
 * replay token rebuilds it), searched by `runCheck` with the CLI's defaults,
 * and the failing schedule goes through a replay token and back.
 */
import { describe, expect, it } from 'vitest';
import { IMPL_PROGRESS_BOUND, makeImplSystem, SLEEP_IN_ATOMIC_ID } from '../../engine/impl-system.ts';
import { encodeToken, replayToken } from '../../engine/replay.ts';
import { runCheck } from '../../engine/strategies/index.ts';
import { checkOptionsOf, loadVariantsManifest, variantSystem, type VariantEntry } from '../../engine/variants-manifest.ts';
import type { StepSystem } from '../../engine/system.ts';
import { buildSystem, ConfigError, IMPL_VARIANTS } from '../../engine/targets.ts';
import { GALLERY, V03 } from '../../impl/state.ts';
import { runCli } from '../helpers/cli.ts';

type Entry = VariantEntry;

const MANIFEST = loadVariantsManifest();

function system(e: Entry, variant = e.variant): StepSystem<unknown, unknown> {
  return variantSystem(e, variant);
}

function check(sys: StepSystem<unknown, unknown>, e: Entry) {
  return runCheck(sys, checkOptionsOf(e));
}

/** `violation of X` -> X; `pass` -> undefined. */
function expectedInvariant(e: Entry): string | undefined {
  if (e.expected === 'pass') return undefined;
  const m = /^violation of ([A-Z-]+)$/.exec(e.expected);
  if (m === null) throw new Error(`manifest: expected must be "pass" or "violation of <ID>", got '${e.expected}'`);
  return m[1];
}

const label = (e: Entry): string =>
  `${e.variant} ${e.memory} ${e.servers}x${e.workers}${e.yield ? ' yield' : ''} ${e.strategy} seed ${e.seed} x${e.runs}`;

describe('the bug gallery (manifest/variants.json)', () => {
  it('has an entry for every gallery variant, each accepted by --variant', () => {
    expect(IMPL_VARIANTS).toEqual(GALLERY.map((v) => v.name));
    // FIXED is v0.3 with its bugs fixed: its entries expect "pass" (test/impl/fixed.test.ts).
    for (const v of GALLERY.slice(1).filter((g) => g.name !== 'FIXED')) {
      expect(MANIFEST.some((e) => e.variant === v.name && e.expected !== 'pass'), v.name).toBe(true);
      expect(v.history, v.name).toMatch(/§/);
    }
  });

  for (const e of MANIFEST) {
    const inv = expectedInvariant(e);
    if (inv === undefined) {
      it(`${e.only?.join(',') ?? 'every invariant'}: ${label(e)} passes`, () => {
        expect(check(system(e), e).verdict).toBe('pass');
      });
      continue;
    }
    it(`${inv}: ${label(e)} is caught, and its replay token reproduces it`, () => {
      const sys = system(e);
      const o = check(sys, e);
      expect(o.verdict).toBe('violation');
      expect(o.failure?.run.violation?.invariant).toBe(inv);
      const again = replayToken(encodeToken(sys, o.failure!.choices));
      expect(again.config['variant']).toBe(e.variant);
      expect(again.run.violation?.invariant).toBe(inv);
    });
    it(`${inv}: v0.3 does not show it under the same check (${label(e)})`, () => {
      const o = check(system(e, 'v0.3'), e);
      expect(o.failure?.run.violation?.invariant).not.toBe(inv);
    });
  }

  it('LIVE-NO-LOST-WAKEUP: dropping only the MFENCE (noServerIdleFence, a locked push) is not caught under TSO: the LOCK CMPXCHG is a full barrier', () => {
    const sys = makeImplSystem({
      servers: 1,
      workers: 1,
      memory: 'tso',
      profile: 'contract',
      yield: false,
      locks: false,
      envBudget: 0,
      only: ['LIVE-NO-LOST-WAKEUP'],
      variant: { ...V03, name: 'fence-only', noServerIdleFence: true },
    }) as unknown as StepSystem<unknown, unknown>;
    const tso = MANIFEST.find((e) => e.variant === 'B-TSO-DEKKER' && e.memory === 'tso')!;
    expect(check(sys, { ...tso, runs: 300 }).verdict).toBe('pass');
  });

  it(`${SLEEP_IN_ATOMIC_ID}: v0.3 itself under the adversarial profile (B-SLEEP-ATOMIC is a finding, not a variant)`, () => {
    // Everything settles (S1 asleep, W1 in userspace), the environment makes
    // the umcg_task page not present, W1 blocks: the block hook's
    // get_user_nosleep faults with preemption disabled and fix_pagefault()
    // (mmap_read_lock) runs in atomic context. docs/bugs/B-SLEEP-ATOMIC.md.
    const sys = buildSystem('impl', {
      variant: 'v0.3', servers: 1, workers: 1, cpus: 2, memory: 'sc', profile: 'adversarial', yield: false, locks: false,
      envBudget: 1, progressBound: IMPL_PROGRESS_BOUND, only: [SLEEP_IN_ATOMIC_ID],
    });
    let s = sys.initial();
    const choices: unknown[] = [];
    const take = (c: unknown): void => {
      choices.push(c);
      s = sys.step(s, c).next;
    };
    const code = (): unknown => sys.choices(s).find((c) => sys.causeOf(c) === 'code');
    for (let c = code(); c !== undefined; c = code()) take(c);
    for (const text of ['p10000N', 'b2']) take(sys.choices(s).find((c) => sys.encodeChoice(c) === text));
    for (let i = 0, c = code(); c !== undefined && i < 20; i++, c = code()) take(c);
    const r = replayToken(encodeToken(sys, choices));
    expect(r.run.violation?.invariant).toBe(SLEEP_IN_ATOMIC_ID);
    expect(r.run.violation?.tasks).toEqual(['W1']);
    expect(r.run.violation?.message).toMatch(/get_user_nosleep:fix_pagefault 0x10040/);
    // Under the contract profile pages stay present: the same check passes.
    const contract = MANIFEST.find((e) => e.variant === 'B-LOST-WAKE')!;
    expect(check(system({ ...contract, only: [SLEEP_IN_ATOMIC_ID] }, 'v0.3'), contract).verdict).toBe('pass');
  });

  it('the model target rejects gallery variants (buildSystem, and check with exit 2)', async () => {
    const e = MANIFEST[0]!;
    expect(() => buildSystem('model', { ...system(e).config })).toThrow(ConfigError);
    expect(() => buildSystem('impl', { ...system(e).config, variant: 'B-NOPE' })).toThrow(/unknown variant 'B-NOPE'/);
    const r = await runCli(['check', '--variant', 'B-LOST-WAKE']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--variant B-LOST-WAKE applies to --target impl/);
  });
});
