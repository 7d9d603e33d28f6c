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
 * Keys are compact one-byte strings, a character or two per field, because
 * the explorer hashes millions of them.
 */
import type { ListNode, Pc, State, Task, Tid } from './types.ts';

const PCS: readonly Pc[] = [
  'srv:register', 'srv:set_tid', 'srv:loop', 'srv:run:set_self_idle', 'srv:run:assign',
  'srv:idle:set_self_idle', 'srv:idle:push_self', 'srv:idle:recheck', 'srv:idle:remove_self',
  'wkr:register', 'wkr:user', 'wkr:yield:set_idle', 'wkr:yield:wake_server', 'wkr:yield:push_self',
  'wait:enter', 'idle_loop', 'idle_loop:after', 'wait:eintr', 'submit_work', 'submit_work:wake_server',
  'submit_work:ttwu', 'sleep', 'update_worker', 'update_worker:push', 'update_worker:pop_server',
  'update_worker:wake_server', 'update_worker:ttwu', 'update_worker:idle_loop', 'update_worker:schedule',
  'update_worker:after', 'dead', 'unregistered', 'idle_loop:check', 'submit_work:change_state',
  'update_worker:check',
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
    (END_CODE[t.end] << 14) |
    ((t.role === 'server' ? 1 : 0) << 16)
  );
}

/** Scratch buffers (keys are built one at a time). */
let buf = new Uint16Array(256);
let flagBuf = new Int32Array(16);
let sigBuf = new Float64Array(16);
let orderBuf = new Int32Array(16);
let renameBuf = new Int32Array(17);

/** Encode into `buf`; returns the number of characters written (each below 256). */
function encodeInto(s: State, order: ArrayLike<number>, fl: ArrayLike<number>, map: (t: Tid) => number): number {
  const need = 4 + s.tasks.length * 6 + s.idleWorkers.length + s.idleServers.length;
  if (need > buf.length) buf = new Uint16Array(need * 2);
  let n = 0;
  buf[n++] = 48 + s.envBudget;
  buf[n++] = 48 + map(s.killedBy);
  for (let k = 0; k < s.tasks.length; k++) {
    const i = order[k]!;
    const t = s.tasks[i]!;
    // Every character stays below 256, so V8 keeps keys as one-byte strings.
    buf[n++] = fl[i]! & 0xff;
    buf[n++] = (fl[i]! >> 8) & 0xff;
    buf[n++] = fl[i]! >> 16;
    buf[n++] = 48 + map(t.word.serverTid);
    buf[n++] = 48 + map(t.word.nextTid);
    buf[n++] = 48 + map(t.other);
  }
  buf[n++] = 124; // '|'
  for (const x of s.idleWorkers) buf[n++] = 48 + map(x.tid) + (x.marked ? 32 : 0);
  buf[n++] = 124;
  for (const x of s.idleServers) buf[n++] = 48 + map(x.tid) + (x.marked ? 32 : 0);
  return n;
}

function encode(s: State, order: ArrayLike<number>, fl: ArrayLike<number>, map: (t: Tid) => number): string {
  const n = encodeInto(s, order, fl, map);
  return String.fromCharCode.apply(null, buf.subarray(0, n) as unknown as number[]);
}

const identity = (t: Tid): number => t;

function ensure(n: number): void {
  if (flagBuf.length < n) {
    flagBuf = new Int32Array(n * 2);
    sigBuf = new Float64Array(n * 2);
    orderBuf = new Int32Array(n * 2);
    renameBuf = new Int32Array(n * 2 + 1);
  }
}

/** The exact key: equal keys iff equal states. */
export function stateKey(s: State): string {
  const n = s.tasks.length;
  ensure(n);
  for (let i = 0; i < n; i++) {
    flagBuf[i] = flags(s.tasks[i]!);
    orderBuf[i] = i;
  }
  return encode(s, orderBuf, flagBuf, identity);
}

function position(nodes: readonly ListNode[], tid: Tid): number {
  for (let i = 0; i < nodes.length; i++) if (nodes[i]!.tid === tid) return i + 1;
  return 0;
}

/** A TID-free description of a task, used only to order tasks of one role. */
function signature(s: State, t: Task, fl: number): number {
  const role = (tid: Tid): number => (tid === 0 ? 0 : tid === t.tid ? 3 : s.tasks[tid - 1]?.role === 'server' ? 1 : 2);
  return (
    fl * 65536 +
    role(t.word.serverTid) * 4096 +
    role(t.word.nextTid) * 1024 +
    role(t.other) * 256 +
    position(s.idleWorkers, t.tid) * 16 +
    position(s.idleServers, t.tid)
  );
}

/** The symmetry-reduced key (see the module comment for why it is sound). */
export function canonicalKey(s: State): string {
  const n = canonicalEncode(s);
  return String.fromCharCode.apply(null, buf.subarray(0, n) as unknown as number[]);
}

/**
 * The canonical key's characters, written into a shared scratch buffer
 * (`canonicalBuffer()`), without building a string: returns its length.
 * The buffer is overwritten by the next call.
 */
export function canonicalEncode(s: State): number {
  const n = s.tasks.length;
  ensure(n);
  for (let i = 0; i < n; i++) {
    const t = s.tasks[i]!;
    const fl = flags(t);
    flagBuf[i] = fl;
    sigBuf[i] = signature(s, t, fl);
    orderBuf[i] = i;
  }
  // Tasks are stored servers first, then workers (initialState); sort each
  // role group by signature, ties by TID (stable insertion sort, no allocation).
  let split = 0;
  while (split < n && s.tasks[split]!.role === 'server') split++;
  sortRange(0, split);
  sortRange(split, n);
  for (let k = 0; k < n; k++) renameBuf[orderBuf[k]! + 1] = k + 1;
  return encodeInto(s, orderBuf, flagBuf, (tid) => (tid === 0 ? 0 : renameBuf[tid]!));
}

/** The scratch buffer `canonicalEncode` writes into. */
export function canonicalBuffer(): Uint16Array {
  return buf;
}

function sortRange(from: number, to: number): void {
  for (let i = from + 1; i < to; i++) {
    const x = orderBuf[i]!;
    const sx = sigBuf[x]!;
    let j = i - 1;
    while (j >= from && sigBuf[orderBuf[j]!]! > sx) {
      orderBuf[j + 1] = orderBuf[j]!;
      j--;
    }
    orderBuf[j + 1] = x;
  }
}
