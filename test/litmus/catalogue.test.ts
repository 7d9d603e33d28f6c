/**
 * The project's own litmus tests (this folder): each file's results under
 * both models must match EXPECTED.json, and the verdicts stated in each
 * file's opening comment must match EXPECTED.json too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MemoryModel } from '../../impl/memory.ts';
import type { Observation } from '../../engine/litmus/run.ts';
import { LITMUS_DIR, MODELS, runFile } from './helpers.ts';

interface Expected {
  readonly verdict: Observation;
  readonly ok: boolean;
  readonly states: number;
}

const manifest = JSON.parse(readFileSync(join(LITMUS_DIR, 'EXPECTED.json'), 'utf8')) as {
  tests: Record<string, Record<MemoryModel, Expected>>;
};
const files = readdirSync(LITMUS_DIR)
  .filter((f) => f.endsWith('.litmus'))
  .sort();

describe('test/litmus catalogue', () => {
  it('EXPECTED.json has one entry per .litmus file in test/litmus', () => {
    expect(Object.keys(manifest.tests).sort()).toEqual(files);
  });

  for (const file of files) {
    it(`${file} states its expected verdicts in a comment right after the header, matching EXPECTED.json`, () => {
      const lines = readFileSync(join(LITMUS_DIR, file), 'utf8').split('\n');
      expect(lines[0]).toMatch(/^X86 \S+$/);
      const m = /^\(\* Expected: tso (Never|Sometimes|Always), sc (Never|Sometimes|Always)\.$/.exec(lines[1] ?? '');
      expect(m, `${file}: line 2 should be "(* Expected: tso V, sc V."`).not.toBeNull();
      expect({ tso: m?.[1], sc: m?.[2] }).toEqual({
        tso: manifest.tests[file]?.tso.verdict,
        sc: manifest.tests[file]?.sc.verdict,
      });
    });

    for (const model of MODELS) {
      const want = manifest.tests[file]?.[model];
      it(`${file} under ${model} is ${want?.verdict ?? '?'} (${want?.ok === true ? 'Ok' : 'No'}, ${want?.states ?? '?'} states)`, () => {
        const result = runFile(join(LITMUS_DIR, file), model);
        expect({ verdict: result.observation, ok: result.ok, states: result.states.length }).toEqual(want);
      });
    }
  }

  it('MFENCE removes exactly the store-buffering outcome of SB under TSO, and nothing else', () => {
    const sb = runFile(join(LITMUS_DIR, 'SB.litmus'), 'tso');
    const fenced = runFile(join(LITMUS_DIR, 'SB+mfences.litmus'), 'tso');
    expect(sb.observation).toBe('Sometimes');
    expect(fenced.observation).toBe('Never');
    const show = (states: readonly (readonly number[])[]): string[] => states.map((s) => s.join(','));
    expect(show(sb.states).filter((s) => !show(fenced.states).includes(s))).toEqual(['0,0']);
    expect(show(fenced.states).every((s) => show(sb.states).includes(s))).toBe(true);
  });
});
