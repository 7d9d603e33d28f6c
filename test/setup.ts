/**
 * Every test file gets its own failure store (UMCG_VERIFY_DIR), so no test
 * replays a failure that a user's own `check` runs saved in the project's
 * .umcg-verify/ (the store replays a saved failure first), and no test leaves
 * one behind. Tests that look at the store itself stub the variable again
 * (test/engine/helpers.ts useTempStore).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'umcg-verify-test-'));
process.env['UMCG_VERIFY_DIR'] = dir;
afterAll(() => rmSync(dir, { recursive: true, force: true }));
