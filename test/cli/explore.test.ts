/**
 * The explore command and the CLI's input handling, run in-process through
 * main(): exit codes, one-line errors on stderr, the JSON shape, determinism.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { capture } from '../helpers/cli.ts';


afterEach(() => {
  vi.restoreAllMocks();
});

describe('umcg-verify explore', () => {
  it('prints exactly one JSON object and exits 0 on a passing configuration', async () => {
    const io = capture();
    // v0.3 violates some invariant in every contract configuration (docs/findings.md);
    // checking one that 1x2 without yield keeps gives a passing run.
    const code = await main(['explore', '--target', 'model', '--servers', '1', '--workers', '2', '--no-yield', '--only', 'INV-LIST-NO-DUPLICATE', '--json']);
    expect(code).toBe(0);
    const lines = io.out().trim().split('\n');
    expect(lines).toHaveLength(1);
    const r = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(r).toMatchObject({ target: 'model', servers: 1, workers: 2, verdict: 'pass' });
    for (const k of ['distinctStates', 'depth', 'elapsedMs', 'cpuMs', 'livenessMs', 'statesPerSecond']) expect(typeof r[k]).toBe('number');
    expect(r['invariant']).toBeUndefined();
  });

  it('exits 1 with the violated invariant and its trace on a violation', async () => {
    const io = capture();
    const code = await main(['explore', '--servers', '1', '--workers', '1', '--json']);
    expect(code).toBe(1);
    const r = JSON.parse(io.out()) as { verdict: string; invariant: string; trace: { step: number; task: string; label: string }[] };
    expect(r.verdict).toBe('violation');
    expect(r.invariant).toMatch(/^(INV|LIVE)-/);
    expect(r.trace.length).toBeGreaterThan(0);
    expect(r.trace[0]!.step).toBe(1);
  });

  it('prints the same JSON for the same options, except its timings', async () => {
    const runOnce = async () => {
      const io = capture();
      await main(['explore', '--servers', '1', '--workers', '2', '--json']);
      vi.restoreAllMocks();
      const r = JSON.parse(io.out()) as Record<string, unknown>;
      for (const k of ['elapsedMs', 'cpuMs', 'livenessMs', 'statesPerSecond']) delete r[k];
      return r;
    };
    expect(await runOnce()).toEqual(await runOnce());
  });

  it('--variant FIXED explores the model with FIXED\'s fixes: 1x2 passes where v0.3 fails', async () => {
    const io = capture();
    const code = await main(['explore', '--target', 'model', '--variant', 'FIXED', '--servers', '1', '--workers', '2', '--json']);
    expect(code).toBe(0);
    const r = JSON.parse(io.out()) as Record<string, unknown>;
    expect(r).toMatchObject({ target: 'model', variant: 'FIXED', servers: 1, workers: 2, verdict: 'pass' });
    vi.restoreAllMocks();
    const io2 = capture();
    expect(await main(['explore', '--target', 'model', '--variant', 'v0.3', '--servers', '1', '--workers', '2', '--json'])).toBe(1);
    expect(JSON.parse(io2.out())).toMatchObject({ variant: 'v0.3', verdict: 'violation' });
  });

  it('--no-sleep-sets takes every transition: the same states and verdict, more transitions, none skipped', async () => {
    const run = async (extra: string[]): Promise<Record<string, unknown>> => {
      const io = capture();
      expect(await main(['explore', '--servers', '1', '--workers', '2', '--no-yield', '--all', '--json', ...extra])).toBe(1);
      vi.restoreAllMocks();
      return JSON.parse(io.out()) as Record<string, unknown>;
    };
    const reduced = await run([]);
    const full = await run(['--no-sleep-sets']);
    expect(reduced).toMatchObject({ sleepSets: true, distinctStates: full['distinctStates'], depth: full['depth'], violations: full['violations'] });
    expect(full).toMatchObject({ sleepSets: false, skippedTransitions: 0 });
    expect(reduced['skippedTransitions']).toBeGreaterThan(0);
    expect((reduced['transitions'] as number) + (reduced['skippedTransitions'] as number)).toBe(full['transitions']);
  });

  it('--variant names the text report\'s configuration', async () => {
    const io = capture();
    expect(await main(['explore', '--variant', 'FIXED', '--servers', '1', '--workers', '1'])).toBe(0);
    expect(io.out()).toMatch(/^explore model FIXED 1x1 contract yield: pass\n/);
  });

  const bad: [string, string[]][] = [
    ['an unknown variant', ['--servers', '1', '--workers', '1', '--variant', 'FIXED2']],
    ['a gallery variant the model does not have', ['--servers', '1', '--workers', '1', '--variant', 'B-ALIGN']],
    ['an unknown impl variant', ['--target', 'impl', '--servers', '1', '--workers', '1', '--variant', 'nope']],
    ['a non-numeric count', ['--servers', 'two', '--workers', '1']],
    ['an out-of-range count', ['--servers', '0', '--workers', '1']],
    ['too many workers', ['--servers', '1', '--workers', '99']],
    ['an unknown option', ['--servers', '1', '--workers', '1', '--frobnicate']],
    ['a missing count', ['--servers', '1']],
    ['an unknown profile', ['--servers', '1', '--workers', '1', '--profile', 'hostile']],
    ['an unknown invariant in --only', ['--servers', '1', '--workers', '1', '--only', 'INV-NOPE']],
    ['an env budget without the adversarial profile', ['--servers', '1', '--workers', '1', '--env-budget', '2']],
    ['--no-sleep-sets with --target impl', ['--target', 'impl', '--servers', '1', '--workers', '1', '--no-sleep-sets']],
  ];
  for (const [what, args] of bad) {
    it(`rejects ${what} with one line on stderr and exit 2`, async () => {
      const io = capture();
      expect(await main(['explore', ...args])).toBe(2);
      expect(io.out()).toBe('');
      expect(io.err()).toMatch(/^umcg-verify: explore: [^\n]+\n$/);
    });
  }

  it('--help, -h and help print the commands, one line each, and exit 0', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const io = capture();
      expect(await main(args)).toBe(0);
      expect(io.err()).toBe('');
      const out = io.out();
      expect(out).toMatch(/^usage: umcg-verify \[COMMAND\]/);
      for (const name of ['check', 'explore', 'replay', 'survey', 'list', 'litmus', 'manifest', 'docs']) expect(out).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
  });

  it('every command answers --help and -h with its usage on stdout and exit 0, and runs nothing', async () => {
    for (const name of ['', 'check', 'explore', 'replay', 'survey', 'list', 'litmus', 'manifest', 'docs']) {
      for (const flag of ['--help', '-h']) {
        const io = capture();
        const args = name === '' ? ['--json', flag] : [name, flag];
        expect(await main(args), `${name} ${flag}`).toBe(0);
        expect(io.out(), `${name} ${flag}`).toMatch(new RegExp(`^usage: umcg-verify ${name === '' ? '\\[--json\\]' : name}`));
        expect(io.err()).toBe('');
      }
    }
  });

  it('rejects an unknown command with exit 2', async () => {
    const io = capture();
    expect(await main(['frobnicate'])).toBe(2);
    expect(io.err()).toMatch(/^umcg-verify: unknown command 'frobnicate'/);
  });
});
