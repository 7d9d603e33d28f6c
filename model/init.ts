/**
 * Initial states and the successor relation for a configuration.
 */
import { apply, enabled, type Action, type Step } from './transitions.ts';
import type { ModelConfig, State, Task, UmcgState } from './types.ts';

/**
 * S servers (TIDs 1..S), registered (S0) with server_tid = self and at the
 * top of their loop, then W workers (TIDs S+1..S+W) about to register (W0).
 * Servers register before any worker exists, as a runtime starts them; the
 * S0 call itself is covered by the syscall tests.
 */
export function initialState(cfg: Pick<ModelConfig, 'servers' | 'workers' | 'envBudget'>): State {
  const tasks: Task[] = [];
  const base = {
    reg: 'none',
    kstate: 'running',
    sigpending: false,
    other: 0,
    seen: 0,
    hookFrom: 'wait',
    callDone: false,
    end: 'none',
  } as const;
  for (let i = 0; i < cfg.servers; i++) {
    tasks.push({
      ...base,
      tid: tasks.length + 1,
      role: 'server',
      reg: 'server',
      word: { state: 'RUNNING', locked: false, serverTid: tasks.length + 1, nextTid: 0 },
      pc: 'srv:loop',
    });
  }
  for (let i = 0; i < cfg.workers; i++) {
    tasks.push({
      ...base,
      tid: tasks.length + 1,
      role: 'worker',
      word: { state: 'IDLE', locked: false, serverTid: 0, nextTid: 0 },
      pc: 'wkr:register',
    });
  }
  return { tasks, idleWorkers: [], idleServers: [], envBudget: cfg.envBudget, killedBy: 0 };
}

const WRITABLE: readonly UmcgState[] = ['NONE', 'RUNNING', 'IDLE', 'BLOCKED'];

/**
 * Every action the explorer tries in a state (direct ctl/wait calls are for
 * tests). The list depends only on the configuration and on whether
 * adversarial events remain, so it is built once per (config, flag) and
 * shared: callers must not mutate it.
 */
export function candidateActions(s: State, cfg: ModelConfig): readonly Action[] {
  const env = cfg.profile === 'adversarial' && s.envBudget > 0;
  let lists = CANDIDATES.get(cfg);
  if (lists === undefined || lists.tasks !== s.tasks.length) {
    lists = { tasks: s.tasks.length, quiet: buildCandidates(s, cfg, false), env: buildCandidates(s, cfg, true) };
    CANDIDATES.set(cfg, lists);
  }
  return env ? lists.env : lists.quiet;
}

/** Per configuration object (the roles of a configuration's tasks never change). */
const CANDIDATES = new WeakMap<ModelConfig, { tasks: number; quiet: readonly Action[]; env: readonly Action[] }>();

function buildCandidates(s: State, cfg: ModelConfig, env: boolean): readonly Action[] {
  const out: Action[] = [];
  for (const t of s.tasks) {
    const tid = t.tid;
    out.push({ kind: 'step', tid });
    if (t.role === 'worker') {
      out.push({ kind: 'block', tid }, { kind: 'complete', tid });
      if (cfg.yield) out.push({ kind: 'yield', tid });
      if (cfg.locks) out.push({ kind: 'lock', tid });
    }
    if (env) {
      out.push({ kind: 'signal', tid }, { kind: 'ttwu', tid }, { kind: 'exit', tid }, { kind: 'unregister', tid });
      for (const state of WRITABLE) out.push({ kind: 'write', tid, state });
      out.push({ kind: 'write', tid, state: 'RUNNING', locked: true });
    }
  }
  return Object.freeze(out);
}

/** All enabled transitions of `s`, in a fixed order (so exploration is deterministic). */
export function successors(s: State, cfg: ModelConfig): Step[] {
  const steps: Step[] = [];
  for (const a of candidateActions(s, cfg)) {
    if (enabled(s, a, cfg)) steps.push(apply(s, a, cfg));
  }
  return steps;
}
