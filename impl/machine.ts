/**
 * The one choke point: {@link implChoices} lists what can happen next,
 * {@link implStep} does it. Both are pure functions over plain data.
 *
 * Choices: run a task one step (it must be current on its CPU); switch a
 * CPU to a queued task (a context switch or preemption, allowed when the
 * current task has preemption enabled and the CPU's store buffer is empty:
 * the rq lock is a locked instruction); drain one store of a CPU's TSO
 * buffer; a workload decision of a worker at its `user` point (block,
 * yield, lock); an environment event (a blocking call completes; and, in
 * the adversarial profile within its budget, a signal, a spurious or
 * foreign ttwu, exit, unregister, a concurrent state write, a page event).
 */
import { drainOne, isBufferEmpty, pageStatus, peek, setPageStatus, withCell, type PageStatus } from './memory.ts';
import { BLOCKED, Exec, STOP, TASK_INTERRUPTIBLE, TASK_NORMAL, type Access } from './exec.ts';
import { KERNEL } from './kernel.ts';
import { RUNTIME, noCode } from './runtime.ts';
import { IDLE_SERVERS_HEAD, OFF_STATE, STRUCT_BASE, structOf } from './layout.ts';
import type { Frame, ImplConfig, ImplState, KTask } from './state.ts';
import type { Tid } from '../model/types.ts';

export type Choice =
  | { readonly kind: 'run'; readonly tid: Tid }
  | { readonly kind: 'switch'; readonly cpu: number; readonly tid: Tid }
  | { readonly kind: 'drain'; readonly cpu: number }
  | { readonly kind: 'block' | 'yield' | 'lock'; readonly tid: Tid }
  | { readonly kind: 'complete' | 'signal' | 'ttwu' | 'exit' | 'unregister'; readonly tid: Tid }
  | { readonly kind: 'write'; readonly tid: Tid; readonly value: number }
  | { readonly kind: 'page'; readonly addr: number; readonly status: PageStatus };

export interface StepResult {
  readonly state: ImplState;
  /** `routine:pc what`, e.g. `umcg_sll_pop:read_next ...`. */
  readonly label: string;
  readonly access?: Access;
}

const HANDLERS = { ...KERNEL, ...RUNTIME };

/** Values the adversarial environment writes into a state word. */
export const ENV_STATE_VALUES: readonly number[] = [0, 1, 2, 3, 0x101, 0x01000002];

export function isCurrent(s: ImplState, t: KTask): boolean {
  return t.onRq && s.cpus[t.cpu] === t.tid;
}

function topFrame(t: KTask): Frame | undefined {
  return t.stack[t.stack.length - 1];
}

function hasCode(t: KTask): boolean {
  const f = topFrame(t);
  return f !== undefined && !noCode(f);
}

/** The worker is in userspace with nothing to run: the workload may act. */
function atUser(t: KTask): boolean {
  const f = topFrame(t);
  return t.stack.length === 1 && f !== undefined && f.fn === 'worker' && f.pc === 'user' && t.end === 'none';
}

function blockingFrame(t: KTask): number {
  for (let i = t.stack.length - 1; i >= 0; i--) if (t.stack[i]!.fn === 'blocking_call') return i;
  return -1;
}

export function implChoices(s: ImplState, cfg: ImplConfig): Choice[] {
  const out: Choice[] = [];
  if (s.killedBy !== 0) return out;
  const tso = s.mem.model === 'tso';
  for (const t of s.tasks) {
    if (t.end !== 'none') continue;
    const tid = t.tid;
    if (isCurrent(s, t)) {
      if (hasCode(t)) {
        const c: Choice = { kind: 'run', tid };
        if (!tso || isBufferEmpty(s.mem, t.cpu) || stepOrNull(s, c, cfg) !== null) out.push(c);
      } else if (atUser(t) && t.role === 'worker') {
        if (!tso || isBufferEmpty(s.mem, t.cpu)) out.push({ kind: 'block', tid });
        if (cfg.yield) out.push({ kind: 'yield', tid });
        if (cfg.locks && !(t.stack[0]!.v.locked === 1) && (!tso || isBufferEmpty(s.mem, t.cpu))) out.push({ kind: 'lock', tid });
      }
    } else if (t.onRq) {
      const cur = s.cpus[t.cpu] ?? 0;
      const curTask = cur === 0 ? undefined : s.tasks[cur - 1];
      if ((curTask === undefined || curTask.preempt === 0) && isBufferEmpty(s.mem, t.cpu)) out.push({ kind: 'switch', cpu: t.cpu, tid });
    }
    const b = blockingFrame(t);
    if (b >= 0 && t.stack[b]!.v.done === 0) out.push({ kind: 'complete', tid });
  }
  if (tso) for (let c = 0; c < s.cpus.length; c++) if (!isBufferEmpty(s.mem, c)) out.push({ kind: 'drain', cpu: c });
  if (cfg.profile === 'adversarial' && s.envBudget > 0) {
    for (const t of s.tasks) {
      if (t.end !== 'none') continue;
      const tid = t.tid;
      if (!t.sig) out.push({ kind: 'signal', tid });
      if (t.ks !== 'R') out.push({ kind: 'ttwu', tid });
      if (t.stack.length === 1) {
        out.push({ kind: 'exit', tid });
        if (t.umcg !== 0) out.push({ kind: 'unregister', tid });
      }
      // A concurrent userspace store to the state word: another thread's
      // store, visible at once. Under TSO a store to the same word still in
      // a CPU's buffer drains after it and overwrites it (impl/memory.ts
      // withCell), as the coherence order by drain time says.
      const addr = structOf(tid) + OFF_STATE;
      if (t.umcg !== 0) {
        const cur = peek(s.mem, addr);
        for (const value of ENV_STATE_VALUES) if (value !== cur) out.push({ kind: 'write', tid, value });
      }
    }
    for (const addr of [STRUCT_BASE, IDLE_SERVERS_HEAD]) {
      for (const status of ['present', 'notPresent', 'unmapped'] as const) {
        if (pageStatus(s.mem, addr) !== status) out.push({ kind: 'page', addr, status });
      }
    }
  }
  return out;
}

function stepOrNull(s: ImplState, c: Choice, cfg: ImplConfig): StepResult | null {
  try {
    return implStep(s, c, cfg);
  } catch (e) {
    if (e === BLOCKED) return null;
    throw e;
  }
}

/** Run task `tid` from its current frame: locals, one access, locals (see exec.ts). */
function runTask(x: Exec, s: ImplState): void {
  const t = x.t;
  let n = 0;
  try {
    for (;;) {
      const f = t.stack[t.stack.length - 1];
      if (f === undefined || noCode(f) || x.killedBy !== 0 || t.end !== 'none') break;
      if (x.accessed && !(t.onRq && x.cpus[t.cpu] === t.tid)) break; // it went to sleep
      const h = HANDLERS[f.fn];
      if (h === undefined) throw new Error(`no routine ${f.fn}`);
      h(x, f);
      if (++n > 10_000) throw new Error(`T${t.tid}: no access within 10000 local steps at ${f.fn}:${f.pc}`);
    }
  } catch (e) {
    if (e !== STOP) throw e;
  }
  const top = t.stack[t.stack.length - 1];
  if (!x.accessed && top !== undefined && !noCode(top)) throw new Error(`T${t.tid} performed no access (${JSON.stringify(s.tasks[t.tid - 1]!.stack.at(-1))})`);
}

/**
 * Take one choice. Throws BLOCKED (exec.ts) when the task's next access is
 * a fence or locked instruction and its CPU's store buffer is not empty
 * (implChoices never offers such a choice), and an Error for a choice that
 * is not enabled.
 */
export function implStep(s: ImplState, c: Choice, cfg: ImplConfig): StepResult {
  switch (c.kind) {
    case 'run': {
      const x = new Exec(s, cfg, c.tid);
      runTask(x, s);
      return { state: x.finish(), label: `T${c.tid} ${x.label}`, ...(x.access ? { access: x.access } : {}) };
    }
    case 'block':
    case 'lock': {
      const x = new Exec(s, cfg, c.tid);
      x.go(c.kind);
      runTask(x, s);
      return { state: x.finish(), label: `T${c.tid} workload ${c.kind}: ${x.label}`, ...(x.access ? { access: x.access } : {}) };
    }
    case 'yield': {
      const x = new Exec(s, cfg, c.tid);
      x.go('yield_load_srv');
      return { state: x.finish(), label: `T${c.tid} workload: yield to its server` };
    }
    case 'switch': {
      const x = new Exec(s, cfg, 0);
      x.cpus[c.cpu] = c.tid;
      return { state: x.finish(), label: `cpu${c.cpu}: context switch to T${c.tid}`, access: { kind: 'switch' } };
    }
    case 'drain': {
      const r = drainOne(s.mem, c.cpu);
      if (r.kind !== 'ok') throw new Error(`cpu${c.cpu}: nothing to drain`);
      return { state: { ...s, mem: r.state }, label: `cpu${c.cpu}: store buffer drains 0x${r.addr.toString(16)} := ${r.value}`, access: { kind: 'drain', addr: r.addr, value: r.value } };
    }
    case 'complete': {
      const x = new Exec(s, cfg, 0);
      const t = x.task(c.tid);
      const b = blockingFrame(t);
      if (b < 0) throw new Error(`T${c.tid} is not in a blocking call`);
      const f = t.stack[b]!;
      t.stack[b] = { ...f, v: { ...f.v, done: 1 } };
      const woke = x.tryToWakeUp(c.tid, TASK_NORMAL, 0, -1);
      return { state: x.finish(), label: `env: T${c.tid}'s blocking call completes, wake_up_process = ${woke}`, access: { kind: 'env' } };
    }
    default:
      return envStep(s, c, cfg);
  }
}

function envStep(s: ImplState, c: Choice, cfg: ImplConfig): StepResult {
  const x = new Exec(s, cfg, 0);
  x.envBudget--;
  let label: string;
  switch (c.kind) {
    case 'signal': {
      const t = x.task(c.tid);
      t.sig = true;
      const woke = x.tryToWakeUp(c.tid, TASK_INTERRUPTIBLE, 0, -1); // signal_wake_up
      label = `env: signal to T${c.tid} (woke ${woke})`;
      break;
    }
    case 'ttwu':
      label = `env: spurious try_to_wake_up(T${c.tid}) = ${x.tryToWakeUp(c.tid, TASK_NORMAL, 0, -1)}`;
      break;
    case 'exit': {
      const t = x.task(c.tid);
      t.umcg = 0;
      t.pfw = false;
      t.end = 'exit';
      t.stack = [];
      t.onRq = false;
      if (x.cpus[t.cpu] === t.tid) x.cpus[t.cpu] = 0;
      label = `env: T${c.tid} exits (do_exit clears umcg_task and PF_UMCG_WORKER)`;
      break;
    }
    case 'unregister': {
      const t = x.task(c.tid);
      t.umcg = 0;
      t.pfw = false;
      t.stack = [{ fn: t.stack[0]!.fn, pc: 'unregistered', v: {} }];
      label = `env: T${c.tid} sys_umcg_ctl(UNREGISTER)`;
      break;
    }
    case 'write': {
      const addr = structOf(c.tid) + OFF_STATE;
      x.mem = withCell(x.mem, addr, 4, c.value);
      label = `env: userspace writes T${c.tid}->state = 0x${c.value.toString(16)}`;
      break;
    }
    case 'page':
      x.mem = setPageStatus(x.mem, c.addr, c.status);
      label = `env: page 0x${c.addr.toString(16)} becomes ${c.status}`;
      break;
    default:
      throw new Error(`unknown choice ${JSON.stringify(c)}`);
  }
  return { state: x.finish(), label, access: { kind: 'env' } };
}
