/** Shared helpers for the litmus tests: file locations, running a file, herd's Ok rule. */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MemoryModel } from '../../impl/memory.ts';
import { parseLitmus } from '../../engine/litmus/parse.ts';
import { runLitmus, type LitmusResult, type Observation } from '../../engine/litmus/run.ts';
import { LitmusError, type Quantifier } from '../../engine/litmus/syntax.ts';

/** This folder (test/litmus). */
export const LITMUS_DIR = dirname(fileURLToPath(import.meta.url));

/** The repository root. */
export const REPO_ROOT = resolve(LITMUS_DIR, '..', '..');

/** The herdtools7 acceptance set, outside the repository: ../shared/litmus/herdtools7. */
export const HERD_DIR = resolve(REPO_ROOT, '..', 'shared', 'litmus', 'herdtools7');

export const MODELS: readonly MemoryModel[] = ['tso', 'sc'];

export function runFile(path: string, model: MemoryModel): LitmusResult {
  return runLitmus(parseLitmus(readFileSync(path, 'utf8'), path), model);
}

/** herd's Ok/No from the Observation word and the quantifier. */
export function expectedOk(quantifier: Quantifier, verdict: Observation): boolean {
  switch (quantifier) {
    case 'exists':
      return verdict !== 'Never';
    case 'notExists':
      return verdict === 'Never';
    case 'forall':
      return verdict === 'Always';
  }
}

/** Parse `text` expecting a LitmusError; return it (fails the test otherwise). */
export function parseError(text: string, file = 'T.litmus'): LitmusError {
  try {
    parseLitmus(text, file);
  } catch (err) {
    if (err instanceof LitmusError) return err;
    throw err;
  }
  throw new Error(`expected a LitmusError for:\n${text}`);
}
