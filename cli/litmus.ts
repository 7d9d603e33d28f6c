/**
 * `umcg-verify litmus FILE... [--model sc|tso] [--json]`
 *
 * Runs herd7-syntax X86 litmus tests on impl/memory.ts and prints herd's
 * output shape (or one JSON array). A test's verdict is information, not a
 * failure: exit 0. An unreadable file, an unknown option, a bad --model or a
 * test the engine cannot read is a UsageError (one line on stderr, exit 2);
 * all files are read and parsed before anything runs, so a bad file never
 * leaves a partial answer on stdout.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { MemoryModel } from '../impl/memory.ts';
import { parseLitmus } from '../engine/litmus/parse.ts';
import { formatHerd, toJson } from '../engine/litmus/print.ts';
import { runLitmus } from '../engine/litmus/run.ts';
import { LitmusError, type LitmusTest } from '../engine/litmus/syntax.ts';
import { EXIT, UsageError } from './usage-error.ts';

const MODELS: readonly MemoryModel[] = ['sc', 'tso'];

export async function litmusCommand(args: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        model: { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`litmus: ${oneLine(err)}`);
  }
  const modelText = parsed.values.model ?? 'tso';
  const model = MODELS.find((m) => m === modelText);
  if (model === undefined) throw new UsageError(`litmus: --model must be sc or tso, got '${modelText}'`);
  const files = parsed.positionals;
  if (files.length === 0) throw new UsageError('litmus: no FILE given (usage: litmus FILE... [--model sc|tso] [--json])');

  const tests: LitmusTest[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new UsageError(`litmus: cannot read ${file}: ${oneLine(err)}`);
    }
    try {
      tests.push(parseLitmus(text, file));
    } catch (err) {
      if (err instanceof LitmusError) throw new UsageError(`litmus: ${err.message}`);
      throw err;
    }
  }

  const results = tests.map((test) => runLitmus(test, model));
  if (parsed.values.json === true) {
    process.stdout.write(`${JSON.stringify(results.map(toJson), null, 2)}\n`);
  } else {
    process.stdout.write(results.map(formatHerd).join(''));
  }
  return EXIT.pass;
}

function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\s*\n\s*/g, ' ');
}
