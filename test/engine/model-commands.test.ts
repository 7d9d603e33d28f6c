/**
 * The fast-check spine: model-based testing with fc.commands over the step
 * system. One command class per choice kind (a code step of task T, and each
 * workload and environment event); check() is "enabled in this state";
 * run() takes the step on the system under test, checks every applicable
 * invariant of the registry, and keeps the abstract state in step;
 * toString() is the kernel-flavoured trace line of the step it took.
 *
 * The system under test is the abstract model itself today, so refinement
 * is the identity; the detailed implementation plugs in as another step
 * system whose run() also compares its abstraction with the model's state.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMutable, enabled, type Action } from '../../model/transitions.ts';
import type { State } from '../../model/types.ts';
import { shrink } from '../../engine/shrink.ts';
import { Execution, execute, type StepSystem } from '../../engine/system.ts';
import { FINDING, oneByOne, shortestLength, suiteSeed } from './helpers.ts';

/** The abstract state the commands are checked against (the fast-check "model"). */
interface Abstract {
  state: State;
}
/** The system under test: a run of the step system, with its checks. */
interface Real {
  run: Execution<State, Action>;
}

abstract class ChoiceCommand implements fc.Command<Abstract, Real> {
  private line = '';
  constructor(
    private readonly system: StepSystem<State, Action>,
    readonly action: Action,
  ) {}
  check(m: Readonly<Abstract>): boolean {
    return enabled(m.state, this.action);
  }
  run(m: Abstract, r: Real): void {
    const v = r.run.take(this.action);
    const last = r.run.trace[r.run.trace.length - 1]!;
    this.line = `${last.actor} [${last.row ?? ''}] ${last.label}`;
    // Refinement: the abstract state follows the same action (identity for the model).
    m.state = applyMutable(m.state, this.action).next;
    if (v !== null) throw new Error(`${v.invariant}: ${v.message}`);
  }
  toString(): string {
    return this.line === '' ? `${this.system.actorOf(this.action)} ${this.action.kind}` : this.line;
  }
}
class StepCommand extends ChoiceCommand {}
class BlockCommand extends ChoiceCommand {}
class YieldCommand extends ChoiceCommand {}
class CompleteCommand extends ChoiceCommand {}

const COMMAND_OF = { step: StepCommand, block: BlockCommand, yield: YieldCommand, complete: CompleteCommand } as const;

function commandArbitraries(system: StepSystem<State, Action>): fc.Arbitrary<fc.Command<Abstract, Real>>[] {
  const out: fc.Arbitrary<fc.Command<Abstract, Real>>[] = [];
  const s0 = system.initial();
  for (const t of s0.tasks) {
    for (const kind of Object.keys(COMMAND_OF) as (keyof typeof COMMAND_OF)[]) {
      if (t.role === 'server' && kind !== 'step') continue;
      const Cls = COMMAND_OF[kind];
      const action: Action = { kind, tid: t.tid };
      // A fresh instance per generated command, so each remembers its own trace line.
      out.push(fc.constant(null).map(() => new Cls(system, action)));
    }
  }
  return out;
}

describe('fast-check model-based commands over the model step system', () => {
  it(`${FINDING}: fast-check finds the 1x1 yield finding and the shrinker cuts it to at most 1.5x the shortest trace`, () => {
    const system = oneByOne();
    const seed = suiteSeed('model-commands', 20210716);
    const property = fc.property(fc.commands(commandArbitraries(system), { maxCommands: 200, size: 'max' }), (cmds) => {
      fc.modelRun(() => ({ model: { state: system.initial() }, real: { run: new Execution(system) } }), cmds);
    });
    // Uniform command choice needs a few thousand runs for this 17-step race
    // (measured: 330 to 6,600 over 12 seeds); runs are cheap.
    const out = fc.check(property, { seed, numRuns: 30_000 });
    expect(out.failed, 'fast-check did not find the finding').toBe(true);
    // The counterexample iterates fast-check's wrappers; each holds our command in `cmd`.
    const commands = [...(out.counterexample![0] as Iterable<{ cmd: ChoiceCommand }>)].map((w) => w.cmd);
    const choices = commands.map((c) => c.action);
    const replayed = execute(system, choices, { skipDisabled: true });
    expect(replayed.violation?.invariant).toBe(FINDING);
    const small = shrink(system, replayed.trace.map((t) => t.choice));
    const shortest = shortestLength();
    console.log(
      `model-commands: fast-check counterexample ${replayed.trace.length} steps (after ${out.numShrinks} shrinks),` +
        ` ours ${small.after.steps} steps / ${small.after.switches} switches, shortest ${shortest}`,
    );
    expect(small.run.violation?.invariant).toBe(FINDING);
    expect(small.after.steps).toBeLessThanOrEqual(Math.floor(1.5 * shortest));
    expect(small.after.steps).toBeLessThanOrEqual(replayed.trace.length);
  });

  it('every command prints the kernel routine of the step it took', () => {
    const system = oneByOne();
    const cmd = new StepCommand(system, { kind: 'step', tid: 2 });
    const m = { state: system.initial() };
    cmd.run(m, { run: new Execution(system) });
    expect(cmd.toString()).toBe('W1 [W0] sys_umcg_ctl(REGISTER|WORKER): umcg_wq_worker_running()');
  });
});
