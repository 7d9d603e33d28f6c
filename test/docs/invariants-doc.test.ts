import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderInvariantsMd } from '../../engine/docs.ts';
import { projectRoot } from '../../engine/root.ts';
import { INVARIANTS } from '../../properties/registry.ts';

describe('docs/invariants.md', () => {
  const text = readFileSync(join(projectRoot(), 'docs', 'invariants.md'), 'utf8');

  it('is what `npm run docs` generates from the registry (run it when this fails)', () => {
    expect(text).toBe(renderInvariantsMd());
  });

  it('has one section per invariant ID', () => {
    for (const inv of INVARIANTS) expect(text).toContain(`### ${inv.id}\n`);
  });

  it('goes stale when the registry changes', () => {
    const [first, ...rest] = INVARIANTS;
    const changed = renderInvariantsMd([{ ...first!, statement: `${first!.statement} (changed)` }, ...rest]);
    expect(changed).not.toBe(text);
  });
});
