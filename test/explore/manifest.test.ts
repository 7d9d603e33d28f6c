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

  it('lists violating configurations, each verdict agreeing with its sorted list of violated invariants', () => {
    // With the faithful model v0.3 violates something in every configuration
    // (docs/findings.md); a passing entry will come with the fixed variant.
    expect(entries.some((e) => e.expected.verdict === 'violation')).toBe(true);
    for (const e of entries) {
      expect(e.expected.verdict === 'violation').toBe(e.expected.violations.length > 0);
      expect([...e.expected.violations].sort()).toEqual(e.expected.violations);
    }
  });

  for (const e of entries) {
    it(`${configName(e.config)} explores to ${e.expected.distinctStates} states with verdict ${e.expected.verdict}`, () => {
      expect(observed(explore(manifestOptions(e.config)))).toEqual(e.expected);
      // The largest entry (2x2, 2.8M states since the list walks are step-wise) needs more than the default.
    }, 600_000);
  }
});
