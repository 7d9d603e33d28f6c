/**
 * State keys for hashing. `stateKey` is exact. `canonicalKey` applies
 * symmetry reduction: servers are interchangeable with servers and workers
 * with workers, because every server runs the same program from the same
 * initial state, and likewise every worker, and no transition or invariant
 * looks at a TID's value, only at identity. The key of a state is the exact
 * key of a renamed copy in which tasks of each role are sorted by a TID-free
 * signature; two states with the same canonical key are therefore renamings
 * of each other, which is what makes caching by it sound. (Ties between
 * equal signatures keep TID order, so some symmetric states get different
 * keys: that costs states, never soundness.)
 *
 * Keys are compact strings, one character per field, because the explorer
 * hashes millions of them.
 */
import type { ListNode, Pc, State, Task, Tid } from './types.ts';

const PCS: readonly Pc[] = [
  'srv:register', 'srv:set_tid', 'srv:loop', 'srv:run:set_self_idle', 'srv:run:assign',
  'srv:idle:set_self_idle', 'srv:idle:push_self', 'srv:idle:recheck', 'srv:idle:remove_self',
  'wkr:register', 'wkr:user', 'wkr:yield:set_idle', 'wkr:yield:wake_server', 'wkr:yield:push_self',
  'wait:enter', 'idle_loop', 'idle_loop:after', 'wait:eintr', 'submit_work', 'submit_work:wake_server',
  'submit_work:ttwu', 'sleep', 'update_worker', 'update_worker:push', 'update_worker:pop_server',
  'update_worker:wake_server', 'update_worker:ttwu', 'update_worker:idle_loop', 'update_worker:schedule',
  'update_worker:after', 'dead', 'unregistered',
];
const PC_CODE: ReadonlyMap<Pc, number> = new Map(PCS.map((pc, i) => [pc, i]));
const STATE_CODE = { NONE: 0, RUNNING: 1, IDLE: 2, BLOCKED: 3 } as const;
const REG_CODE = { none: 0, server: 1, worker: 2 } as const;
const END_CODE = { none: 0, sigsegv: 1, exit: 2 } as const;

/** Everything of a task but its TID references, packed in one number. */
function flags(t: Task): number {
  const w = t.word;
  return (
    (PC_CODE.get(t.pc) ?? 63) |
    (STATE_CODE[w.state] << 6) |
    ((w.locked ? 1 : 0) << 8) |
    (REG_CODE[t.reg] << 9) |
    ((t.kstate === 'interruptible' ? 1 : 0) << 11) |
    ((t.sigpending ? 1 : 0) << 12) |
    ((t.hookFrom === 'call' ? 1 : 0) << 13) |
    (END_CODE[t.end] << 14)
  );
}

const ch = (n: number): string => String.fromCharCode(n + 48);

function encode(s: State, order: readonly number[], map: (t: Tid) => number): string {
  let k = ch(s.envBudget) + ch(map(s.killedBy));
  for (const i of order) {
    const t = s.tasks[i]!;
    k += String.fromCharCode(flags(t) + 256) + ch(map(t.word.serverTid)) + ch(map(t.word.nextTid)) + ch(map(t.other));
  }
  k += '|';
  for (const n of s.idleWorkers) k += ch(map(n.tid) + (n.marked ? 32 : 0));
  k += '|';
  for (const n of s.idleServers) k += ch(map(n.tid) + (n.marked ? 32 : 0));
  return k;
}

const identity = (t: Tid): number => t;

/** The exact key: equal keys iff equal states. */
export function stateKey(s: State): string {
  return encode(
    s,
    s.tasks.map((_, i) => i),
    identity,
  );
}

function position(nodes: readonly ListNode[], tid: Tid): number {
  for (let i = 0; i < nodes.length; i++) if (nodes[i]!.tid === tid) return i + 1;
  return 0;
}

/** A TID-free description of a task, used only to order tasks of one role. */
function signature(s: State, t: Task): number {
  const role = (tid: Tid): number => (tid === 0 ? 0 : tid === t.tid ? 3 : s.tasks[tid - 1]?.role === 'server' ? 1 : 2);
  return (
    flags(t) * 4096 +
    role(t.word.serverTid) * 1024 +
    role(t.word.nextTid) * 256 +
    role(t.other) * 64 +
    position(s.idleWorkers, t.tid) * 8 +
    position(s.idleServers, t.tid)
  );
}

/** The symmetry-reduced key (see the module comment for why it is sound). */
export function canonicalKey(s: State): string {
  const n = s.tasks.length;
  const sig = new Array<number>(n);
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    sig[i] = signature(s, s.tasks[i]!);
    order[i] = i;
  }
  order.sort((a, b) => {
    const ra = s.tasks[a]!.role;
    const rb = s.tasks[b]!.role;
    if (ra !== rb) return ra === 'server' ? -1 : 1;
    return sig[a]! - sig[b]! || a - b;
  });
  const rename = new Array<number>(n + 1).fill(0);
  for (let k = 0; k < n; k++) rename[order[k]! + 1] = k + 1;
  return encode(s, order, (tid) => (tid === 0 ? 0 : (rename[tid] ?? tid)));
}
