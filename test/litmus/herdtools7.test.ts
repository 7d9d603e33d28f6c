/**
 * Acceptance: every test copied from herdtools7 into ../shared/litmus/herdtools7
 * must give herd7's verdict, Ok/No and state count under both models, as
 * recorded in its EXPECTED.md (parsed here, not copied by hand).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MemoryModel } from '../../impl/memory.ts';
import { showCondition } from '../../engine/litmus/print.ts';
import type { Observation } from '../../engine/litmus/run.ts';
import { HERD_DIR, MODELS, expectedOk, runFile } from './helpers.ts';

interface ModelExpectation {
  verdict?: Observation;
  states?: number;
  positive?: number;
  negative?: number;
}

interface Row {
  readonly file: string;
  readonly expected: Partial<Record<MemoryModel, ModelExpectation>>;
  readonly condition: string | undefined;
}

/**
 * Read the table of EXPECTED.md. Columns are recognised by their header:
 * a model column (x86-TSO / TSO, SC) holds its verdict, and the `states`,
 * `positive` and `negative` columns after it belong to that model.
 */
function readExpected(markdown: string): Row[] {
  const tableLines = markdown.split('\n').filter((l) => l.trim().startsWith('|'));
  const cellsOf = (line: string): string[] => line.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
  const [headerLine, ...rest] = tableLines;
  if (headerLine === undefined) throw new Error('EXPECTED.md has no table');
  const header = cellsOf(headerLine).map((h) => h.toLowerCase());
  const rows: Row[] = [];
  for (const line of rest) {
    const cells = cellsOf(line);
    if (cells.every((c) => /^:?-+:?$/.test(c))) continue; // the |---| separator
    let file: string | undefined;
    let condition: string | undefined;
    let model: MemoryModel | undefined;
    const expected: Partial<Record<MemoryModel, ModelExpectation>> = {};
    header.forEach((h, i) => {
      const cell = cells[i] ?? '';
      if (h === 'test') file = cell;
      else if (h === 'condition') condition = cell.replace(/^`|`$/g, '');
      else if (/tso/.test(h)) {
        model = 'tso';
        expected.tso = { verdict: cell as Observation };
      } else if (h === 'sc') {
        model = 'sc';
        expected.sc = { verdict: cell as Observation };
      } else if (model !== undefined && /^(states|positive|negative)$/.test(h)) {
        const slot = expected[model] as ModelExpectation;
        slot[h as 'states' | 'positive' | 'negative'] = Number(cell);
      }
    });
    if (file === undefined) throw new Error(`EXPECTED.md row without a test: ${line}`);
    rows.push({ file, expected, condition });
  }
  return rows;
}

function litmusFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return litmusFilesUnder(path);
    return name.endsWith('.litmus') ? [path] : [];
  });
}

const present = existsSync(join(HERD_DIR, 'EXPECTED.md'));
const rows = present ? readExpected(readFileSync(join(HERD_DIR, 'EXPECTED.md'), 'utf8')) : [];

describe('herdtools7 acceptance set', () => {
  it('the acceptance set is present at ../shared/litmus/herdtools7 (relative to the repository)', () => {
    expect(present, `expected ${HERD_DIR}/EXPECTED.md: the herdtools7 tests are read from there at test time`).toBe(true);
  });

  it('EXPECTED.md lists exactly the .litmus files of the folder', () => {
    if (!present) return;
    const files = litmusFilesUnder(HERD_DIR)
      .map((p) => relative(HERD_DIR, p))
      .sort();
    expect(rows.map((r) => r.file).sort()).toEqual(files);
    expect(rows.length).toBeGreaterThan(0);
  });

  for (const row of rows) {
    for (const model of MODELS) {
      const want = row.expected[model];
      it(`${row.file} under ${model} agrees with herd7 (${want?.verdict ?? '?'}, ${want?.states ?? '?'} states)`, () => {
        expect(want, `EXPECTED.md has no ${model} column for ${row.file}`).toBeDefined();
        const result = runFile(join(HERD_DIR, row.file), model);
        const got = {
          verdict: result.observation,
          ok: result.ok,
          states: result.states.length,
          ...(want?.positive === undefined ? {} : { positive: result.positive }),
          ...(want?.negative === undefined ? {} : { negative: result.negative }),
        };
        const verdict = want?.verdict as Observation;
        expect(got).toEqual({
          verdict,
          ok: expectedOk(result.test.condition.quantifier, verdict),
          states: want?.states,
          ...(want?.positive === undefined ? {} : { positive: want.positive }),
          ...(want?.negative === undefined ? {} : { negative: want.negative }),
        });
        if (row.condition !== undefined) expect(showCondition(result.test.condition)).toBe(row.condition);
      });
    }
  }
});
