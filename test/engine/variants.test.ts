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
import { checkOptionsOf, loadVariantsManifest, variantSystem, VARIANTS_MANIFEST_PATH, type VariantEntry } from '../../engine/variants-manifest.ts';
import type { StepSystem } from '../../engine/system.ts';
import { buildSystem, ConfigError, IMPL_VARIANTS } from '../../engine/targets.ts';
import { GALLERY, V03 } from '../../impl/state.ts';
import { runCli } from '../helpers/cli.ts';

type Entry = VariantEntry;

// The test budget: entries with a `testBudget` (FIXED's 2x4 searches) run it here; the campaign runs the full one.
const MANIFEST = loadVariantsManifest(VARIANTS_MANIFEST_PATH, 'test');

function system(e: Entry, variant = e.variant): StepSystem<unknown, unknown> {
  return variantSystem(e, variant);
}

function check(sys: StepSystem<unknown, unknown>, e: Entry) {
  return runCheck(sys, checkOptionsOf(e));
}

/** The manifest check of a violation entry, run once per file (some are whole searches). */
const outcomes = new Map<Entry, ReturnType<typeof check>>();
function caught(e: Entry): ReturnType<typeof check> {
  let o = outcomes.get(e);
  if (o === undefined) outcomes.set(e, (o = check(system(e), e)));
  return o;
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
      const o = caught(e);
      expect(o.verdict).toBe('violation');
      expect(o.failure?.run.violation?.invariant).toBe(inv);
      const again = replayToken(encodeToken(sys, o.failure!.choices));
      expect(again.config['variant']).toBe(e.variant);
      expect(again.run.violation?.invariant).toBe(inv);
    });
    it(`${inv}: ${e.control ?? 'v0.3'} does not show it under the same check (${label(e)})`, () => {
      const o = check(system(e, e.control ?? 'v0.3'), e);
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

  it(`${SLEEP_IN_ATOMIC_ID}: B-SLEEP-ATOMIC is v0.3 itself, and the search's witness is the block hook's fix-up`, () => {
    expect(GALLERY.find((v) => v.name === 'B-SLEEP-ATOMIC')).toEqual({ ...V03, name: 'B-SLEEP-ATOMIC', history: expect.stringMatching(/§6\.2/) });
    // The manifest's breadth-first search finds the shortest run: W1 blocks,
    // the environment makes the umcg_task page not present, and the block
    // hook's get_user_nosleep faults with preemption disabled and calls
    // fix_pagefault() (mmap_read_lock). docs/bugs/B-SLEEP-ATOMIC.md.
    const o = caught(MANIFEST.find((x) => x.variant === 'B-SLEEP-ATOMIC')!);
    const v = o.failure?.run.violation;
    expect(v?.invariant).toBe(SLEEP_IN_ATOMIC_ID);
    expect(v?.tasks).toEqual(['W1']);
    expect(v?.message).toMatch(/get_user_nosleep:fix_pagefault 0x10040/);
    expect(o.failure!.run.trace.map((t) => t.text)).toContain('p10000N');
    // Under the contract profile pages stay present: the same check passes.
    const contract = MANIFEST.find((x) => x.variant === 'B-LOST-WAKE')!;
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

  it('the model target takes FIXED (the fixed model): check finds nothing where v0.3 shows F2, and the token replays the fixed model', async () => {
    const args = ['check', '--target', 'model', '--servers', '1', '--workers', '1', '--strategy', 'exhaustive', '--max-steps', '60', '--only', 'INV-BLOCKED-ONLY-WHEN-BLOCKING', '--json'];
    const v03 = await runCli([...args, '--variant', 'v0.3']);
    expect(v03.code, v03.err).toBe(1);
    const token = (JSON.parse(v03.out) as { replay: string }).replay;
    expect(replayToken(token).config['variant']).toBe('v0.3');
    const fixed = await runCli([...args, '--variant', 'FIXED']);
    expect(fixed.code, fixed.err).toBe(0);
    expect(JSON.parse(fixed.out)).toMatchObject({ variant: 'FIXED', verdict: 'pass' });
    // The same choices are not a run of the fixed model: its token names FIXED and rebuilds it.
    const sys = buildSystem('model', { ...replayToken(token).config, variant: 'FIXED' });
    expect(sys.config['variant']).toBe('FIXED');
  });
});
