/**
 * The explorer steps with applyMutable (a plain copy) while the public API
 * uses apply (an immer produce). Both run the same transition code; this
 * checks they agree on seeded random walks, and that applyMutable leaves its
 * input untouched.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stateKey } from '../../model/canon.ts';
import { candidateActions, initialState } from '../../model/init.ts';
import { apply, applyMutable, enabled } from '../../model/transitions.ts';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from '../../model/types.ts';

const configs: ModelConfig[] = [
  { ...DEFAULT_MODEL_CONFIG, servers: 1, workers: 2 },
  { ...DEFAULT_MODEL_CONFIG, servers: 2, workers: 2, locks: true },
  { ...DEFAULT_MODEL_CONFIG, servers: 1, workers: 2, profile: 'adversarial', envBudget: 3 },
];

describe('applyMutable', () => {
  for (const cfg of configs) {
    it(`agrees with apply on random walks (${cfg.servers}x${cfg.workers} ${cfg.profile}${cfg.locks ? ' locks' : ''})`, () => {
      fc.assert(
        fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 80 }), (picks) => {
          let s = initialState(cfg);
          for (const pick of picks) {
            const options = candidateActions(s, cfg).filter((a) => enabled(s, a, cfg));
            if (options.length === 0) break;
            const a = options[pick % options.length]!;
            const before = stateKey(s);
            const viaImmer = apply(s, a, cfg);
            const viaCopy = applyMutable(s, a);
            expect(stateKey(s)).toBe(before);
            expect(stateKey(viaCopy.next)).toBe(stateKey(viaImmer.next));
            expect(viaCopy.label).toBe(viaImmer.label);
            expect(viaCopy.row).toBe(viaImmer.row);
            s = viaImmer.next;
          }
        }),
        { seed: 7, numRuns: 60 },
      );
    });
  }
});
