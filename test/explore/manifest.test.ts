/**
 * The exploration manifest as a regression test: every configuration is
 * explored exhaustively and must give exactly the recorded verdict, set of
 * violated invariants, distinct-state count, depth and longest quiet run.
 */
import { describe, expect, it } from 'vitest';
import { explore } from '../../engine/explore.ts';
import { configName, loadManifest, manifestOptions, observed } from '../../engine/manifest.ts';

describe('manifest/explore.json', () => {
  const entries = loadManifest();

  it('lists at least one passing and one violating configuration', () => {
    expect(entries.some((e) => e.expected.verdict === 'pass')).toBe(true);
    expect(entries.some((e) => e.expected.verdict === 'violation')).toBe(true);
  });

  for (const e of entries) {
    it(`${configName(e.config)} explores to ${e.expected.distinctStates} states with verdict ${e.expected.verdict}`, () => {
      expect(observed(explore(manifestOptions(e.config)))).toEqual(e.expected);
    });
  }
});
