/** The campaign's runner for manifest/variants.json entries. */
import { describe, expect, it } from 'vitest';
import { loadVariantsManifest, runVariantEntry } from '../../engine/variants-manifest.ts';

describe('runVariantEntry', () => {
  const entries = loadVariantsManifest();

  it('reports a caught variant with its invariant and a shrunk trace, and matches the manifest', () => {
    const e = entries.find((x) => x.variant === 'B-LOST-WAKE');
    expect(e).toBeDefined();
    const r = runVariantEntry(e!);
    expect(r.observed).toBe(e!.expected);
    expect(r.ok).toBe(true);
    expect(r.steps).toBeGreaterThan(0);
  });

  it('reports a pass as "pass" with no trace', () => {
    const e = entries.find((x) => x.expected === 'pass');
    expect(e).toBeDefined();
    const r = runVariantEntry(e!);
    expect(r.observed).toBe('pass');
    expect(r.steps).toBeUndefined();
    expect(r.ok).toBe(true);
  });

  it('says ok: false when the observed verdict differs from the expectation', () => {
    const e = entries.find((x) => x.variant === 'B-LOST-WAKE')!;
    const r = runVariantEntry({ ...e, expected: 'pass' });
    expect(r.ok).toBe(false);
  });
});
