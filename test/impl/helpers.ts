/** Shared helpers for the impl tests: run one kernel routine to completion on a quiet state. */
import { implChoices, implStep } from '../../impl/machine.ts';
import { DEFAULT_IMPL_CONFIG, implInit, type ImplConfig, type ImplState, type KTask } from '../../impl/state.ts';

export function config(over: Partial<ImplConfig> = {}): ImplConfig {
  return { ...DEFAULT_IMPL_CONFIG, servers: 1, workers: 1, ...over };
}

/** Replace task `tid` (fields merged). */
export function withTask(s: ImplState, tid: number, patch: Partial<KTask>): ImplState {
  const tasks = s.tasks.slice();
  tasks[tid - 1] = { ...tasks[tid - 1]!, ...patch };
  return { ...s, tasks };
}

/**
 * Call routine `fn(args)` as task `tid` (made current, in userspace at `user`)
 * and run only that task until the routine returns. Returns rv, rv2, the
 * final state and the step labels.
 */
export function callRoutine(cfg: ImplConfig, s0: ImplState, tid: number, fn: string, args: Record<string, number>, maxSteps = 100) {
  const t = s0.tasks[tid - 1]!;
  let s = withTask(s0, tid, { stack: [{ fn: 'worker', pc: 'user', v: {} }, { fn, pc: 'start', v: args }], onRq: true });
  const cpus = s.cpus.slice();
  cpus[t.cpu] = tid;
  s = { ...s, cpus };
  const labels: string[] = [];
  for (let i = 0; i < maxSteps && s.tasks[tid - 1]!.stack.length > 1; i++) {
    const c = implChoices(s, cfg).find((x) => x.kind === 'run' && x.tid === tid);
    if (c === undefined) break;
    const r = implStep(s, c, cfg);
    labels.push(r.label);
    s = r.state;
  }
  const done = s.tasks[tid - 1]!;
  return { rv: done.rv, rv2: done.rv2, state: s, labels, returned: done.stack.length === 1 };
}

export { implInit };
