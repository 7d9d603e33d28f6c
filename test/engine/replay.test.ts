/** Replay tokens, the failure store, and replaying a stored counterexample. */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { capture } from '../helpers/cli.ts';
import { decodeToken, encodeToken, failurePath, loadFailure, replayToken, saveFailure, TokenError } from '../../engine/replay.ts';
import { runCheck } from '../../engine/strategies/index.ts';
import { shrink } from '../../engine/shrink.ts';
import { FINDING, oneByOne, suiteSeed, useTempStore } from './helpers.ts';

const SEED = suiteSeed('replay', 7);


const currentStore = useTempStore();

function shrunkFailure() {
  const system = oneByOne();
  const found = runCheck(system, { strategy: 'pct', seed: SEED, runs: 200, maxSteps: 200 });
  return { system, small: shrink(system, found.failure!.choices) };
}

describe('replay tokens', () => {
  it(`${FINDING}: a token round-trips and reproduces the identical trace`, () => {
    const { system, small } = shrunkFailure();
    const token = encodeToken(system, small.choices);
    expect(token).toMatch(/^uv1\.model\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[0-9a-f]{8}$/);
    const d = decodeToken(token);
    expect(d.config).toEqual(system.config);
    expect(d.choices.map((c) => d.system.encodeChoice(c))).toEqual(small.choices.map((c) => system.encodeChoice(c)));
    const r = replayToken(token);
    expect(r.run.violation).toEqual(small.run.violation);
    expect(JSON.stringify(r.run.trace)).toBe(JSON.stringify(small.run.trace));
  });

  it('runs of one choice are written once with a count', () => {
    const system = oneByOne();
    const step = system.choices(system.initial()).find((c) => system.encodeChoice(c) === 's2')!;
    expect(encodeToken(system, [step, step, step]).split('.')[3]).toBe('s2-3');
  });

  it.each([
    ['not a token', /must start with 'uv1\.'/],
    ['uv9.model.e30.s1.00000000', /version 'uv9' is not supported/],
    ['uv1.model.e30', /has 3 fields/],
    ['uv1.model.e30.s1.00000000', /checksum does not match/],
  ])('a malformed token (%s) is rejected with one line', (token, message) => {
    expect(() => decodeToken(token)).toThrow(TokenError);
    expect(() => decodeToken(token)).toThrow(message);
  });

  it('a token with a mistyped step or a step that is not enabled is rejected', () => {
    const { system, small } = shrunkFailure();
    const token = encodeToken(system, small.choices);
    const flipped = token.replace('.s2', '.s1');
    expect(() => decodeToken(flipped)).toThrow(/checksum/);
    // A well-formed token whose schedule does not run: W1 cannot yield before it registers.
    const yieldFirst = encodeToken(system, [system.decodeChoice('y2')!]);
    expect(() => replayToken(yieldFirst)).toThrow(/step 1 \(y2\) is not enabled/);
  });

  it('the CLI rejects a malformed token with exit 2 and one line on stderr', async () => {
    const io = capture();
    const code = await main(['replay', 'uv1.model.e30.s1.00000000']);
    expect(code).toBe(2);
    expect(io.err().trim().split('\n')).toHaveLength(1);
    expect(io.err()).toMatch(/^umcg-verify: replay: /);
  });
});

describe('the failure store', () => {
  it('a failure file is written atomically and read back', () => {
    const path = saveFailure({ version: 1, check: 'a/b c', token: 'uv1.x', invariant: FINDING, steps: 3, result: {} });
    expect(path).toBe(join(currentStore().dir, 'failures', 'a_b_c.json'));
    expect(loadFailure('a/b c')?.token).toBe('uv1.x');
    expect(loadFailure('other')).toBeUndefined();
  });

  it(`${FINDING}: a stored failure is re-run first the next time the same check runs`, async () => {
    const args = ['check', '--servers', '1', '--workers', '1', '--strategy', 'pct', '--seed', String(SEED), '--only', FINDING, '--json'];
    let io = capture();
    expect(await main(args)).toBe(1);
    const first = JSON.parse(io.out()) as Record<string, unknown>;
    vi.restoreAllMocks();
    // Plant a different failing schedule in the store: the next run must report it, not search again.
    const files = readFileSync(failurePath(checkIdFromStore()), 'utf8');
    const stored = JSON.parse(files) as { token: string; result: Record<string, unknown> };
    const { system, small } = shrunkFailure();
    const longer = encodeToken(system, small.run.trace.map((t) => t.choice));
    stored.token = longer;
    stored.result = { ...stored.result, replay: longer, runs: 12345 };
    writeFileSync(failurePath(checkIdFromStore()), JSON.stringify(stored));
    io = capture();
    expect(await main(args)).toBe(1);
    const second = JSON.parse(io.out()) as Record<string, unknown>;
    expect(second['runs']).toBe(12345);
    expect(second['replay']).toBe(longer);
    expect(first['invariant']).toBe(FINDING);
  });

  it('a stored failure that no longer fails is removed and the check searches again', async () => {
    const args = ['check', '--servers', '1', '--workers', '1', '--no-yield', '--strategy', 'random', '--runs', '5', '--seed', '1', '--json'];
    const id = 'model-v0.3-contract-sc-random-1x1-no-yield-env0-k256';
    const system = oneByOne();
    saveFailure({ version: 1, check: id, token: encodeToken(system, []), invariant: FINDING, steps: 0, result: {} });
    const io = capture();
    expect(await main(args)).toBe(0);
    expect(JSON.parse(io.out())).toMatchObject({ verdict: 'pass', runs: 5 });
    expect(loadFailure(id)).toBeUndefined();
  });

  it(`${FINDING}: replaying a stored counterexample file reproduces it`, async () => {
    const args = ['check', '--servers', '1', '--workers', '1', '--strategy', 'exhaustive', '--json'];
    let io = capture();
    expect(await main(args)).toBe(1);
    const found = JSON.parse(io.out()) as { replay: string; steps: number };
    vi.restoreAllMocks();
    const file = join(currentStore().dir, 'failures', 'model-v0.3-contract-sc-exhaustive-1x1-yield-env0-k256.json');
    io = capture();
    expect(await main(['replay', file, '--json'])).toBe(1);
    const r = JSON.parse(io.out()) as { verdict: string; invariant: string; steps: number };
    expect(r).toMatchObject({ verdict: 'violation', invariant: FINDING, steps: found.steps });
  });
});

/** The one check id in the temporary store. */
function checkIdFromStore(): string {
  const files = readdirSync(join(currentStore().dir, 'failures')).filter((f) => f.endsWith('.json'));
  expect(files).toHaveLength(1);
  return files[0]!.slice(0, -'.json'.length);
}
