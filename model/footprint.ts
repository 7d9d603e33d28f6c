/**
 * What a transition reads and writes, for the explorer's sleep sets
 * (engine/explore.ts). The shared state is cut into objects: each task
 * (all of its fields, bit tid - 1), the two idle lists, the process's
 * `killedBy` and the environment's budget. `footprint(s, a)` gives, for an
 * action enabled in `s`, the objects its enabling condition and its step
 * read (`read`) and the objects the step writes (`write`), in bits after the
 * tasks' (`ObjectBits`). It may say more than the step does, never less.
 *
 * Two actions of different tasks are independent in `s` when neither
 * writes what the other reads or writes (`independent`). Then each leaves
 * the other enabled and unchanged, and the two orders end in the same
 * state: the diamond the sleep sets rely on. test/model/footprint.test.ts
 * checks exactly that (and that each step's label, row and transition
 * invariants do not change) on every pair in every reachable state of the
 * small configurations.
 *
 * The footprint follows the handlers of model/transitions.ts pc by pc; a
 * new pc or action kind does not compile until it has one here.
 */
import type { Action, ActionKind } from './transitions.ts';
import type { ModelFixes, Pc, State, Task, Tid } from './types.ts';

/** The bits of the objects after the tasks': `base` is the task count. */
export interface ObjectBits {
  readonly idleWorkers: number;
  readonly idleServers: number;
  readonly killed: number;
  readonly budget: number;
  /** Every server's bit (the runtime lock is read off the servers' pcs). */
  readonly servers: number;
  /** Every task's bit. */
  readonly tasks: number;
}

/** The bits for a state's tasks (servers first, as every state stores them); at most 28 tasks. */
export function objectBits(s: State): ObjectBits {
  const n = s.tasks.length;
  if (n > 28) throw new RangeError(`footprint: ${n} tasks do not fit the object bits`);
  let servers = 0;
  for (const t of s.tasks) if (t.role === 'server') servers |= 1 << (t.tid - 1);
  return { idleWorkers: 1 << n, idleServers: 1 << (n + 1), killed: 1 << (n + 2), budget: 1 << (n + 3), servers, tasks: (1 << n) - 1 };
}

/** The footprint `footprint` computed last (it allocates nothing). */
export const FP = { read: 0, write: 0 };

const taskBit = (s: State, tid: Tid): number => (tid >= 1 && tid <= s.tasks.length ? 1 << (tid - 1) : 0);

/**
 * The footprint of `a`, enabled in `s`, into `FP`. Every action reads
 * `killedBy` (nothing runs in a killed process) and reads and writes its
 * own task.
 */
export function footprint(s: State, a: Action, bits: ObjectBits, fixes: ModelFixes): void {
  const t = s.tasks[a.tid - 1]!;
  const own = 1 << (a.tid - 1);
  FP.read = own | bits.killed;
  FP.write = own;
  KIND[a.kind](s, t, bits, fixes);
}

type KindRule = (s: State, t: Task, bits: ObjectBits, fixes: ModelFixes) => void;

/** Environment events also spend the budget their enabling condition reads. */
const envEvent: KindRule = (_s, _t, bits) => {
  FP.read |= bits.budget;
  FP.write |= bits.budget;
};
const ownOnly: KindRule = () => {};

/** Per action kind (a total record: a new kind does not compile without one). */
const KIND: Readonly<Record<ActionKind, KindRule>> = {
  step: (s, t, bits, fixes) => STEP[t.pc](s, t, bits, fixes),
  // Workload: the worker's own fields (`complete` wakes the worker itself).
  block: ownOnly,
  yield: ownOnly,
  lock: ownOnly,
  complete: ownOnly,
  signal: envEvent,
  ttwu: envEvent,
  write: envEvent,
  exit: envEvent,
  unregister: envEvent,
  // Direct syscalls are for tests, not exploration choices: everything.
  ctl: (_s, _t, bits) => everything(bits),
  wait: (_s, _t, bits) => everything(bits),
};

function everything(bits: ObjectBits): void {
  const all = bits.tasks | bits.idleWorkers | bits.idleServers | bits.killed | bits.budget;
  FP.read |= all;
  FP.write |= all;
}

const readWrite = (mask: number): void => {
  FP.read |= mask;
  FP.write |= mask;
};

/** A ttwu or state store on the task `tid` names (none when it names no task). */
const onTask =
  (field: (t: Task) => Tid): KindRule =>
  (s, t) =>
    readWrite(taskBit(s, field(t)));

/**
 * try_to_wake_server: reads and may write the server's word; when the
 * word is neither IDLE nor RUNNING (unlocked) the process is killed.
 */
function wakeServer(from: 'submit_work' | 'update_worker'): KindRule {
  return (s, t, bits) => {
    const srv = s.tasks[t.other - 1];
    if (srv === undefined) return;
    readWrite(1 << (srv.tid - 1));
    if (from === 'submit_work' && (srv.pc === 'dead' || srv.reg === 'none')) return;
    const w = srv.word;
    if (!w.locked && (w.state === 'IDLE' || w.state === 'RUNNING')) return;
    FP.write |= bits.killed;
  };
}

/** The code step at each pc (the handlers of model/transitions.ts STEP). */
const STEP: Readonly<Record<Pc, KindRule>> = {
  'srv:register': ownOnly,
  'srv:set_tid': ownOnly,
  'wkr:register': ownOnly,
  // Enabled only while no server holds the runtime lock: every server's pc.
  'srv:loop': (_s, _t, bits) => {
    FP.read |= bits.servers;
  },
  'srv:gc': (_s, _t, bits) => {
    FP.read |= bits.idleServers;
  },
  // Unlinking a marked node also moves every kernel pop standing on it
  // (`unlinked` reads every task): only a marked curr can be unlinked.
  'srv:gc:curr': (s, t, bits) => {
    readWrite(bits.idleServers);
    const node = s.idleServers.find((x) => x.tid === t.other);
    if (node !== undefined && node.marked) readWrite(bits.tasks);
  },
  'srv:pop': (_s, _t, bits) => readWrite(bits.idleWorkers),
  'srv:run:set_self_idle': ownOnly,
  'srv:run:assign': onTask((t) => t.other),
  'srv:idle:set_self_idle': ownOnly,
  'srv:idle:push_self': (_s, _t, bits) => readWrite(bits.idleServers),
  'srv:idle:recheck': (_s, _t, bits) => {
    FP.read |= bits.idleWorkers;
  },
  'srv:idle:remove_self': (_s, _t, bits) => {
    FP.read |= bits.servers;
    readWrite(bits.idleServers);
  },
  'wkr:user': ownOnly,
  dead: ownOnly,
  unregistered: ownOnly,
  'wkr:yield:set_idle': ownOnly,
  'wkr:yield:push_self': (_s, _t, bits) => readWrite(bits.idleWorkers),
  'wkr:yield:wake_server': onTask((t) => t.other),
  // sys_umcg_wait(0, 0): the task it switches to (next_tid, or a worker's
  // server_tid) is looked up and woken.
  'wait:enter': onTask((t) => (t.word.nextTid !== 0 ? t.word.nextTid : t.reg === 'worker' ? t.word.serverTid : 0)),
  idle_loop: ownOnly,
  'idle_loop:check': ownOnly,
  'idle_loop:after': ownOnly,
  'wait:eintr': ownOnly,
  submit_work: ownOnly,
  'submit_work:change_state': ownOnly,
  'submit_work:wake_server': wakeServer('submit_work'),
  'submit_work:ttwu': onTask((t) => t.other),
  'call:wait': ownOnly,
  sleep: ownOnly,
  update_worker: ownOnly,
  'update_worker:push': (_s, _t, bits) => readWrite(bits.idleWorkers),
  'update_worker:pop_server': (_s, _t, bits) => {
    FP.read |= bits.idleServers;
  },
  'update_worker:pop_read': (_s, _t, bits) => {
    FP.read |= bits.idleServers;
  },
  'update_worker:pop_cas': (_s, _t, bits) => readWrite(bits.idleServers),
  'update_worker:wake_server': wakeServer('update_worker'),
  'update_worker:ttwu': onTask((t) => t.other),
  'update_worker:idle_loop': ownOnly,
  'update_worker:check': ownOnly,
  'update_worker:schedule': ownOnly,
  'update_worker:after': ownOnly,
};

/** Whether footprints (r1, w1) and (r2, w2) of actions of different tasks are independent. */
export function independent(r1: number, w1: number, r2: number, w2: number): boolean {
  return (w1 & (r2 | w2)) === 0 && (w2 & r1) === 0;
}
