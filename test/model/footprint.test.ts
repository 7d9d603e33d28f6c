/**
 * Footprints (model/footprint.ts) are what the explorer's sleep sets trust:
 * two actions it calls independent must commute. Checked on every pair of
 * enabled actions of different tasks in every reachable state of small
 * configurations (whole spaces, or a large breadth-first prefix), for
 * v0.3 and FIXED, contract and adversarial:
 * - each leaves the other enabled;
 * - both orders end in the same state (exact key);
 * - each step is the same step after the other one: same label and row,
 *   same verdict of every transition invariant, same footprint.
 * The same check catches a footprint that leaves out what a step touches.
 */
import { describe, expect, it } from 'vitest';
import { canonicalKey, stateKey } from '../../model/canon.ts';
import { FP, footprint, independent, objectBits, type ObjectBits } from '../../model/footprint.ts';
import { candidateActions, initialState } from '../../model/init.ts';
import { applyMutable, enabled, fixesOf, type Action } from '../../model/transitions.ts';
import { FIXED_FIXES as FIXED, type ModelConfig, type State } from '../../model/types.ts';
import { hasCorruptList } from '../../engine/model-system.ts';
import { appliesTo, type TransitionInvariant } from '../../properties/invariant.ts';
import { INVARIANTS } from '../../properties/registry.ts';
import { config } from '../helpers/model.ts';

type Footprint = (s: State, a: Action, bits: ObjectBits, cfg: ModelConfig) => { read: number; write: number };

const real: Footprint = (s, a, bits, cfg) => {
  footprint(s, a, bits, fixesOf(cfg));
  return { read: FP.read, write: FP.write };
};

/** Reachable states by canonical key, breadth-first, up to `limit` (corrupt lists are dead ends, as in the explorer). */
function states(cfg: ModelConfig, limit: number): State[] {
  const out = [initialState(cfg)];
  const seen = new Set([canonicalKey(out[0]!)]);
  for (let i = 0; i < out.length && out.length < limit; i++) {
    const s = out[i]!;
    if (hasCorruptList(s)) continue;
    for (const a of candidateActions(s, cfg)) {
      if (!enabled(s, a, cfg)) continue;
      const next = applyMutable(s, a, cfg).next;
      const k = canonicalKey(next);
      if (!seen.has(k)) {
        seen.add(k);
        out.push(next);
      }
    }
  }
  return out;
}

interface Report {
  independentPairs: number;
  dependentPairs: number;
  problems: string[];
}

function checkDiamonds(cfg: ModelConfig, limit: number, fp: Footprint): Report {
  const edgeInvs = INVARIANTS.filter((i): i is TransitionInvariant => i.kind === 'transition' && appliesTo(i, cfg.profile));
  const report: Report = { independentPairs: 0, dependentPairs: 0, problems: [] };
  const problem = (s: State, a: Action, b: Action, what: string): void => {
    if (report.problems.length < 10) report.problems.push(`${JSON.stringify(a)} / ${JSON.stringify(b)} in ${stateKey(s)}: ${what}`);
  };
  const verdicts = (before: State, a: Action): string =>
    edgeInvs.map((inv) => inv.check(before, { ...applyMutable(before, a, cfg), action: a })?.message ?? '-').join('|');
  for (const s of states(cfg, limit)) {
    if (hasCorruptList(s)) continue;
    const bits = objectBits(s);
    const en = candidateActions(s, cfg).filter((a) => enabled(s, a, cfg));
    const fps = en.map((a) => fp(s, a, bits, cfg));
    for (let i = 0; i < en.length; i++) {
      for (let j = i + 1; j < en.length; j++) {
        const a = en[i]!;
        const b = en[j]!;
        if (a.tid === b.tid) continue;
        if (!independent(fps[i]!.read, fps[i]!.write, fps[j]!.read, fps[j]!.write)) {
          report.dependentPairs++;
          continue;
        }
        report.independentPairs++;
        const sa = applyMutable(s, a, cfg);
        const sb = applyMutable(s, b, cfg);
        if (!enabled(sa.next, b, cfg) || !enabled(sb.next, a, cfg)) {
          problem(s, a, b, 'one disables the other');
          continue;
        }
        const sab = applyMutable(sa.next, b, cfg);
        const sba = applyMutable(sb.next, a, cfg);
        if (stateKey(sab.next) !== stateKey(sba.next)) problem(s, a, b, 'the two orders end in different states');
        if (sab.label !== sb.label || sab.row !== sb.row || sba.label !== sa.label || sba.row !== sa.row) problem(s, a, b, 'a step changed label or row');
        if (verdicts(sa.next, b) !== verdicts(s, b) || verdicts(sb.next, a) !== verdicts(s, a)) problem(s, a, b, 'a transition invariant judges a step differently');
        const fb = fp(sa.next, b, bits, cfg);
        const fa = fp(sb.next, a, bits, cfg);
        if (fb.read !== fps[j]!.read || fb.write !== fps[j]!.write || fa.read !== fps[i]!.read || fa.write !== fps[i]!.write) {
          problem(s, a, b, 'a footprint changed');
        }
      }
    }
  }
  return report;
}

const CASES: readonly [string, ModelConfig, number][] = [
  ['v0.3 1x2 yield (whole space)', config(1, 2, { yield: true }), 100_000],
  ['v0.3 1x2 no-yield, locks (whole space)', config(1, 2, { yield: false, locks: true }), 100_000],
  ['v0.3 2x2 no-yield (prefix)', config(2, 2, { yield: false }), 30_000],
  ['v0.3 2x1 yield (prefix)', config(2, 1, { yield: true }), 30_000],
  ['FIXED 2x1 yield (whole space)', config(2, 1, { yield: true, fixes: FIXED }), 100_000],
  ['v0.3 1x1 adversarial yield env=1 (whole space)', config(1, 1, { yield: true, profile: 'adversarial', envBudget: 1 }), 100_000],
  ['v0.3 1x2 adversarial no-yield env=1 (prefix)', config(1, 2, { yield: false, profile: 'adversarial', envBudget: 1 }), 20_000],
];

describe('footprints', () => {
  for (const [name, cfg, limit] of CASES) {
    it(`independent actions commute, and stay the same steps: ${name}`, () => {
      const r = checkDiamonds(cfg, limit, real);
      expect(r.problems).toEqual([]);
      expect(r.independentPairs).toBeGreaterThan(1000);
      expect(r.dependentPairs).toBeGreaterThan(100);
    });
  }

  it('a footprint that leaves out what a step touches is caught', () => {
    // srv:pop without idle_workers, the kernel push without it, the wake of a server without the server.
    const wrong: Footprint = (s, a, bits, cfg) => {
      const f = real(s, a, bits, cfg);
      const pc = s.tasks[a.tid - 1]!.pc;
      if (a.kind === 'step' && (pc === 'srv:pop' || pc === 'update_worker:push')) return { read: f.read & ~bits.idleWorkers, write: f.write & ~bits.idleWorkers };
      return f;
    };
    expect(checkDiamonds(config(1, 2, { yield: false }), 100_000, wrong).problems).not.toEqual([]);
    const noTarget: Footprint = (s, a, bits, cfg) => {
      const f = real(s, a, bits, cfg);
      const t = s.tasks[a.tid - 1]!;
      if (a.kind === 'step' && t.pc === 'submit_work:wake_server') return { read: f.read & ~(1 << (t.other - 1)), write: f.write & ~(1 << (t.other - 1)) };
      return f;
    };
    expect(checkDiamonds(config(1, 2, { yield: false }), 100_000, noTarget).problems).not.toEqual([]);
  });
});
