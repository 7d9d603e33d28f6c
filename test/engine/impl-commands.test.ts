/**
 * The fast-check spine over the detailed implementation: model-based
 * testing with fc.commands where each command is one choice of the
 * implementation (run task T one step, switch a CPU to task T, a workload
 * or environment event). check() is "that choice is enabled now"; run()
 * takes it through the same Execution the strategies use, which checks the
 * step for refinement against the abstract model (REFINEMENT, under SC) and
 * every applicable invariant of the registry on the abstract states;
 * toString() is the kernel-flavoured label of the step taken.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeImplSystem } from '../../engine/impl-system.ts';
import { Execution, type StepSystem } from '../../engine/system.ts';
import { variantByName } from '../../impl/state.ts';
import { suiteSeed } from './helpers.ts';

type Sys = StepSystem<unknown, unknown>;

/** The fast-check "model": the implementation state the commands are checked against. */
interface Abstract {
  run: Execution<unknown, unknown>;
}
interface Real {
  violation: string | null;
}

/** The last violation a command run hit: after shrinking, the reported counterexample's. */
let lastViolation: string | null = null;

class ChoiceCommand implements fc.Command<Abstract, Real> {
  private line = '';
  constructor(
    private readonly system: Sys,
    readonly text: string,
  ) {}
  check(m: Readonly<Abstract>): boolean {
    return !m.run.done && m.run.enabled.some((c) => this.system.encodeChoice(c) === this.text);
  }
  run(m: Abstract, r: Real): void {
    const choice = m.run.enabled.find((c) => this.system.encodeChoice(c) === this.text)!;
    const v = m.run.take(choice);
    const last = m.run.trace[m.run.trace.length - 1]!;
    this.line = `${last.actor} ${last.label}`;
    if (v !== null) {
      r.violation = `${v.invariant}: ${v.message}`;
      lastViolation = r.violation;
      throw new Error(r.violation);
    }
  }
  toString(): string {
    return this.line === '' ? this.text : `${this.text} ${this.line}`;
  }
}

/**
 * The choice texts a configuration can offer (enabled or not). fast-check
 * picks commands uniformly, so "run task T one step" is listed several
 * times: it is the choice a run is mostly made of.
 */
function choiceTexts(servers: number, workers: number, cpus: number, withYield: boolean): string[] {
  const out: string[] = [];
  for (let tid = 1; tid <= servers + workers; tid++) {
    out.push(`r${tid}`, `r${tid}`, `r${tid}`, `r${tid}`);
    for (let cpu = 0; cpu < cpus; cpu++) out.push(`s${cpu}t${tid}`);
    if (tid > servers) {
      out.push(`b${tid}`, `c${tid}`);
      if (withYield) out.push(`y${tid}`);
    }
  }
  return out;
}

function commands(system: Sys, texts: readonly string[]) {
  return fc.commands(
    texts.map((t) => fc.constant(null).map(() => new ChoiceCommand(system, t))),
    { maxCommands: 200, size: 'max' },
  );
}

/** Run the spine; the violation of the (shrunk) counterexample, or null when every run passed. */
function runSpine(system: Sys, texts: readonly string[], seed: number, numRuns: number): string | null {
  let found: string | null = null;
  lastViolation = null;
  try {
    fc.assert(
      fc.property(commands(system, texts), (cmds) => {
        const setup = () => ({ model: { run: new Execution(system) }, real: { violation: null } as Real });
        fc.modelRun(setup, cmds);
      }),
      { seed, numRuns },
    );
  } catch (err) {
    found = lastViolation ?? (err instanceof Error ? err.message : String(err));
  }
  return found;
}

describe('fast-check commands over the implementation step system', () => {
  it('REFINEMENT and every invariant hold on 1 server x 1 worker without yield (SC), where the implementation refines the model', () => {
    const seed = suiteSeed('impl-commands-pass', 1);
    const system = makeImplSystem({ servers: 1, workers: 1, memory: 'sc', profile: 'contract', yield: false, locks: false, envBudget: 0 }) as unknown as Sys;
    const found = runSpine(system, choiceTexts(1, 1, 2, false), seed, 200);
    expect(found, `seed ${seed}`).toBeNull();
  });

  it('finds the lost wakeup of the B-LOST-WAKE-WAITER variant (umcg_idle_loop reads state before TASK_INTERRUPTIBLE)', () => {
    // Uniform commands seldom hit v0.3's own long interleavings (that is what
    // PCT is for, see strategies.test.ts); a variant with a wide window shows
    // that the spine catches and reports a violation.
    const seed = suiteSeed('impl-commands-fail', 1);
    const variant = variantByName('B-LOST-WAKE-WAITER')!;
    const system = makeImplSystem({
      servers: 1,
      workers: 1,
      memory: 'sc',
      profile: 'contract',
      yield: false,
      locks: false,
      envBudget: 0,
      variant,
      only: ['LIVE-NO-LOST-WAKEUP'],
    }) as unknown as Sys;
    const found = runSpine(system, choiceTexts(1, 1, 2, false), seed, 2000);
    expect(found, `seed ${seed}`).toMatch(/LIVE-NO-LOST-WAKEUP/);
  });
});
