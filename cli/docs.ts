/**
 * `umcg-verify docs [--check]`: write docs/invariants.md from the registry,
 * or (with --check) exit 1 when the file on disk differs from it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderInvariantsMd } from '../engine/docs.ts';
import { writeFileAtomic } from '../engine/fs.ts';
import { projectRoot } from '../engine/root.ts';
import { parse } from './args.ts';
import { EXIT } from './usage-error.ts';

export async function docsCommand(args: readonly string[]): Promise<number> {
  const { values } = parse('docs', args, { check: { type: 'boolean' } });
  const path = join(projectRoot(), 'docs', 'invariants.md');
  const wanted = renderInvariantsMd();
  if (values.check === true) {
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      current = '';
    }
    if (current !== wanted) {
      process.stderr.write('umcg-verify: docs/invariants.md is stale: run `npm run docs`\n');
      return EXIT.violation;
    }
    process.stdout.write('docs/invariants.md is up to date\n');
    return EXIT.pass;
  }
  writeFileAtomic(path, wanted);
  process.stdout.write('wrote docs/invariants.md\n');
  return EXIT.pass;
}
