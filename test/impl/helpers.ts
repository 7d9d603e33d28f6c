/** Shared helpers for the impl tests: run one routine to completion on a hand-built state, step by step through implChoices/implStep. */
import { implChoices, implStep, type Choice } from '../../impl/machine.ts';
import { bit0, clear0 } from '../../impl/layout.ts';
import { peek, withCell } from '../../impl/memory.ts';
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

/** Write user memory words directly (setup, or a concurrent userspace store between steps). */
export function withWords(s: ImplState, words: readonly (readonly [addr: number, width: 4 | 8, value: number])[]): ImplState {
  let mem = s.mem;
  for (const [a, w, v] of words) mem = withCell(mem, a, w, v);
  return { ...s, mem };
}

/** Make `tid` the current task of its CPU. */
export function makeCurrent(s: ImplState, tid: number): ImplState {
  const t = s.tasks[tid - 1]!;
  const cpus = s.cpus.slice();
  cpus[t.cpu] = tid;
  return { ...withTask(s, tid, { onRq: true }), cpus };
}

/** Take `c` after checking that implChoices offers it. */
export function take(cfg: ImplConfig, s: ImplState, c: Choice): ImplState {
  const key = JSON.stringify(c);
  if (!implChoices(s, cfg).some((o) => JSON.stringify(o) === key)) throw new Error(`not offered: ${key}`);
  return implStep(s, c, cfg).state;
}

export interface RunResult {
  readonly rv: number;
  readonly rv2: number;
  readonly state: ImplState;
  readonly labels: string[];
  /** The routine returned (the task is back at its bottom frame). */
  readonly returned: boolean;
}

/**
 * Run only task `tid` (switching its CPU to it when it is queued but not
 * current) until its stack is down to `depth` frames, it cannot run (it
 * sleeps), or `maxSteps` steps. `interfere` may rewrite the state before
 * each step: a concurrent task's access, placed exactly between two steps.
 */
export function runTask(
  cfg: ImplConfig,
  s0: ImplState,
  tid: number,
  maxSteps = 200,
  interfere?: (s: ImplState) => ImplState,
  depth = 1,
): RunResult {
  let s = s0;
  const labels: string[] = [];
  for (let i = 0; i < maxSteps && s.tasks[tid - 1]!.stack.length > depth; i++) {
    if (interfere !== undefined) s = interfere(s);
    const cs = implChoices(s, cfg);
    const c = cs.find((x) => x.kind === 'run' && x.tid === tid) ?? cs.find((x) => x.kind === 'switch' && x.tid === tid);
    if (c === undefined) break;
    const r = implStep(s, c, cfg);
    labels.push(r.label);
    s = r.state;
  }
  const done = s.tasks[tid - 1]!;
  return { rv: done.rv, rv2: done.rv2, state: s, labels, returned: done.stack.length <= depth };
}

/**
 * Call routine `fn(args)` as task `tid` (made current, in userspace at `user`)
 * and run only that task until the routine returns. Returns rv, rv2, the
 * final state and the step labels.
 */
export function callRoutine(
  cfg: ImplConfig,
  s0: ImplState,
  tid: number,
  fn: string,
  args: Record<string, number>,
  maxSteps = 100,
  interfere?: (s: ImplState) => ImplState,
): RunResult {
  const s = withTask(makeCurrent(s0, tid), tid, { stack: [{ fn: 'worker', pc: 'user', v: {} }, { fn, pc: 'start', v: args }] });
  return runTask(cfg, s, tid, maxSteps, interfere);
}

/** Link `nodes` into a list at `head` (head -> nodes[0] -> ... -> 0); nodes in `marked` get bit 0 set in their own link. */
export function withList(s: ImplState, head: number, nodes: readonly number[], marked: readonly number[] = []): ImplState {
  const words: [number, 8, number][] = [[head, 8, nodes[0] ?? 0]];
  nodes.forEach((n, i) => words.push([n, 8, (nodes[i + 1] ?? 0) + (marked.includes(n) ? 1 : 0)]));
  return withWords(s, words);
}

/** The list at `head` as `node` or `node*` (marked), following links with bit 0 cleared. */
export function readList(s: ImplState, head: number, names: (node: number) => string = (n) => `0x${n.toString(16)}`): string[] {
  const out: string[] = [];
  let curr = peek(s.mem, head) ?? 0;
  for (let i = 0; curr !== 0 && i < 64; i++) {
    const link = peek(s.mem, curr) ?? 0;
    out.push(names(curr) + (bit0(link) === 1 ? '*' : ''));
    curr = clear0(link);
  }
  return out;
}

export { implInit };
