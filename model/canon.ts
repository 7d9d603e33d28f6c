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
import { PC_ROLES, type ListNode, type Pc, type State, type Task, type Tid } from './types.ts';

const PCS: readonly Pc[] = Object.keys(PC_ROLES) as Pc[];
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
    ((t.role === 'server' ? 1 : 0) << 16) |
    ((t.callDone ? 1 : 0) << 17)
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
  const need = 4 + s.tasks.length * 7 + s.idleWorkers.length + s.idleServers.length;
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
    buf[n++] = 48 + map(t.seen);
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
    fl * 262144 +
    role(t.seen) * 65536 +
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

/**
 * The renaming the last `canonicalEncode` applied: `renaming()[tid]` is the
 * TID that task `tid` has in the canonical (decoded) state.
 */
export function lastRenaming(n: number): number[] {
  const out = new Array<number>(n + 1).fill(0);
  for (let tid = 1; tid <= n; tid++) out[tid] = renameBuf[tid]!;
  return out;
}

const STATES = ['NONE', 'RUNNING', 'IDLE', 'BLOCKED'] as const;
const REGS = ['none', 'server', 'worker'] as const;
const ENDS = ['none', 'sigsegv', 'exit'] as const;

/**
 * Rebuild the state a canonical (or exact) key encodes, for a state of
 * `tasks` tasks: task k of the key becomes TID k + 1. Decoding a canonical
 * key gives the renamed copy the key describes, a renaming of the encoded
 * state: the explorer expands that copy instead of keeping the original.
 */
export function decodeKey(bytes: ArrayLike<number>, at: number, len: number, tasks: number): State {
  let i = at;
  const envBudget = bytes[i++]! - 48;
  const killedBy = bytes[i++]! - 48;
  const out: Task[] = new Array<Task>(tasks);
  for (let k = 0; k < tasks; k++) {
    const fl = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16);
    const serverTid = bytes[i + 3]! - 48;
    const nextTid = bytes[i + 4]! - 48;
    const other = bytes[i + 5]! - 48;
    const seen = bytes[i + 6]! - 48;
    i += 7;
    out[k] = {
      tid: k + 1,
      role: (fl >> 16) & 1 ? 'server' : 'worker',
      reg: REGS[(fl >> 9) & 3]!,
      word: { state: STATES[(fl >> 6) & 3]!, locked: ((fl >> 8) & 1) === 1, serverTid, nextTid },
      pc: PCS[fl & 63]!,
      kstate: (fl >> 11) & 1 ? 'interruptible' : 'running',
      sigpending: ((fl >> 12) & 1) === 1,
      other,
      seen,
      hookFrom: (fl >> 13) & 1 ? 'call' : 'wait',
      callDone: ((fl >> 17) & 1) === 1,
      end: ENDS[(fl >> 14) & 3]!,
    };
  }
  i++; // '|'
  const end = at + len;
  const list = (): ListNode[] => {
    const nodes: ListNode[] = [];
    while (i < end && bytes[i] !== 124) {
      const c = bytes[i++]! - 48;
      nodes.push(c >= 32 ? { tid: c - 32, marked: true } : { tid: c, marked: false });
    }
    i++; // '|' or end
    return nodes;
  };
  const idleWorkers = list();
  const idleServers = list();
  return { tasks: out, idleWorkers, idleServers, envBudget, killedBy };
}

/**
 * The longest key a state of S servers and W workers can have: two header
 * characters, seven per task, and the two lists with their separators. A list
 * holds each task at most once, plus one duplicate in a corrupt state (such
 * a state is recorded but never expanded, so no second duplicate follows).
 */
export function maxKeyLength(servers: number, workers: number): number {
  return 2 + 7 * (servers + workers) + 1 + (workers + 1) + 1 + (servers + 1);
}
