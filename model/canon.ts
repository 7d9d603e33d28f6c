/**
 * State keys for hashing. `stateKey` is exact. `canonicalKey` applies
 * symmetry reduction: servers are interchangeable with servers and workers
 * with workers, because every server runs the same program from the same
 * initial state, and likewise every worker, and no transition or invariant
 * looks at a TID's value, only at identity. The key of a state is the exact
 * key of a renamed copy in which tasks of each role are sorted by a TID-free
 * signature; two states with the same canonical key are therefore renamings
 * of each other, which is what makes caching by it sound. Tasks with equal
 * signatures are put in the order whose key is least (`breakTies`), so the
 * converse holds too: renamings of each other get the same key, and the key
 * is exactly the symmetry class. (The sleep-set reduction of the explorer
 * relies on that: engine/explore.ts.)
 *
 * Keys are compact one-byte strings, a character or two per field, because
 * the explorer hashes millions of them.
 */
import { PC_ROLES, pcsOf, type ListNode, type ModelConfig, type Pc, type Registration, type State, type Task, type Tid, type UmcgState } from './types.ts';

const PCS: readonly Pc[] = Object.keys(PC_ROLES) as Pc[];
const PC_CODE: ReadonlyMap<Pc, number> = new Map(PCS.map((pc, i) => [pc, i]));
// Total records: a new value of one of these types does not compile until it has a code.
const STATE_CODE: Readonly<Record<UmcgState, number>> = { NONE: 0, RUNNING: 1, IDLE: 2, BLOCKED: 3 };
const REG_CODE: Readonly<Record<Registration, number>> = { none: 0, server: 1, worker: 2 };
const END_CODE: Readonly<Record<Task['end'], number>> = { none: 0, sigsegv: 1, exit: 2 };

// The codes by comparison, which is several times faster than a keyed load
// from the objects above in the explorer's hot loop; checked against them once.
const stateCode = (x: UmcgState): number => (x === 'NONE' ? 0 : x === 'RUNNING' ? 1 : x === 'IDLE' ? 2 : 3);
const regCode = (x: Registration): number => (x === 'none' ? 0 : x === 'server' ? 1 : 2);
const endCode = (x: Task['end']): number => (x === 'none' ? 0 : x === 'sigsegv' ? 1 : 2);
for (const [codes, code] of [
  [STATE_CODE, stateCode],
  [REG_CODE, regCode],
  [END_CODE, endCode],
] as [Record<string, number>, (x: string) => number][]) {
  for (const [x, c] of Object.entries(codes)) if (code(x) !== c) throw new Error(`canon: code of ${x} is not ${c}`);
}

/** Everything of a task but its TID references, packed in one number. */
function flags(t: Task): number {
  const w = t.word;
  return (
    (PC_CODE.get(t.pc) ?? 63) |
    (stateCode(w.state) << 6) |
    ((w.locked ? 1 : 0) << 8) |
    (regCode(t.reg) << 9) |
    ((t.kstate === 'interruptible' ? 1 : 0) << 11) |
    ((t.sigpending ? 1 : 0) << 12) |
    ((t.hookFrom === 'call' ? 1 : 0) << 13) |
    (endCode(t.end) << 14) |
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
    posBuf = new Int32Array(n * 4 + 4);
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

/**
 * A TID-free description of a task, used only to order tasks of one role:
 * its flags, what its TID fields point to (`roleOf`), and its positions on
 * the two lists (1-based, first occurrence; 0 when absent).
 */
function signature(t: Task, fl: number, split: number): number {
  return (
    fl * 262144 +
    roleOf(t, t.seen, split) * 65536 +
    roleOf(t, t.word.serverTid, split) * 4096 +
    roleOf(t, t.word.nextTid, split) * 1024 +
    roleOf(t, t.other, split) * 256 +
    posBuf[2 * t.tid]! * 16 +
    posBuf[2 * t.tid + 1]!
  );
}

/**
 * What `tid`, a field of `t`, points to, without its value: none, a server,
 * a worker, or `t` itself. Tasks are stored servers first, so TIDs up to
 * `split` are the servers.
 */
function roleOf(t: Task, tid: Tid, split: number): number {
  return tid === 0 ? 0 : tid === t.tid ? 3 : tid <= split ? 1 : 2;
}

/** posBuf[2 * tid + list]: the 1-based position of `tid`'s first node on idle_workers (list 0) or idle_servers (1). */
let posBuf = new Int32Array(64);

function positions(s: State): void {
  for (let i = 2 * s.tasks.length + 1; i >= 0; i--) posBuf[i] = 0;
  const w = s.idleWorkers;
  for (let i = w.length - 1; i >= 0; i--) if (w[i]!.tid <= s.tasks.length) posBuf[2 * w[i]!.tid] = i + 1;
  const v = s.idleServers;
  for (let i = v.length - 1; i >= 0; i--) if (v[i]!.tid <= s.tasks.length) posBuf[2 * v[i]!.tid + 1] = i + 1;
}

/** The symmetry-reduced key (see the module comment for why it is sound). */
export function canonicalKey(s: State): string {
  canonicalOrder(s);
  const n = encodeInto(s, orderBuf, flagBuf, renamed);
  return String.fromCharCode.apply(null, buf.subarray(0, n) as unknown as number[]);
}

const renamed = (tid: Tid): number => (tid === 0 ? 0 : renameBuf[tid]!);

/**
 * The canonical order of `s`'s tasks: fills `orderBuf` (task indices,
 * servers first, each role sorted by signature), `flagBuf` (each task's
 * flags) and `renameBuf` (old TID -> canonical TID).
 */
function canonicalOrder(s: State): void {
  const n = s.tasks.length;
  ensure(n);
  // Tasks are stored servers first, then workers (initialState); sort each
  // role group by signature, ties by TID (stable insertion sort, no allocation).
  let split = 0;
  while (split < n && s.tasks[split]!.role === 'server') split++;
  positions(s);
  for (let i = 0; i < n; i++) {
    const t = s.tasks[i]!;
    const fl = flags(t);
    flagBuf[i] = fl;
    sigBuf[i] = signature(t, fl, split);
    orderBuf[i] = i;
  }
  sortRange(0, split);
  sortRange(split, n);
  setRenaming(n);
  for (let k = 1; k < n; k++) {
    if (k !== split && sigBuf[orderBuf[k]!] === sigBuf[orderBuf[k - 1]!]) {
      breakTies(s, split);
      return;
    }
  }
}

function setRenaming(n: number): void {
  for (let k = 0; k < n; k++) renameBuf[orderBuf[k]! + 1] = k + 1;
}

/** Scratch for `breakTies`: the least encoding so far and its order; the tie groups. */
let bestBuf = new Uint16Array(256);
let bestOrder = new Int32Array(16);
let groupBuf = new Int32Array(32);

/**
 * Tasks of one role with equal signatures may be told apart only by where
 * their TID fields point, so any fixed tie-break (TID order, say) gives two
 * renamings of one state different keys. Among the orders the signatures
 * allow (each group of equal signatures in any order), take the one whose
 * encoding is least: the set of those encodings is the same for every
 * renaming of the state, so its least element is too, and the key is then
 * exactly the symmetry class. Ties are rare and small (a group is at most
 * the role's task count), so trying every order of every group is cheap.
 */
function breakTies(s: State, split: number): void {
  const n = s.tasks.length;
  if (groupBuf.length < 2 * n) groupBuf = new Int32Array(4 * n);
  if (bestOrder.length < n) bestOrder = new Int32Array(2 * n);
  // The groups: maximal runs [from, to) of equal signatures within a role.
  let groups = 0;
  for (let from = 0; from < n; ) {
    const roleEnd = from < split ? split : n;
    let to = from + 1;
    while (to < roleEnd && sigBuf[orderBuf[to]!] === sigBuf[orderBuf[from]!]) to++;
    if (to - from > 1) {
      groupBuf[2 * groups] = from;
      groupBuf[2 * groups + 1] = to;
      groups++;
    }
    from = to;
  }
  let len = encodeInto(s, orderBuf, flagBuf, renamed);
  if (bestBuf.length < len) bestBuf = new Uint16Array(2 * len);
  bestBuf.set(buf.subarray(0, len));
  bestOrder.set(orderBuf.subarray(0, n));
  // Odometer over the groups' permutations: each group starts in ascending
  // order (the stable sort keeps TID order) and `nextPermutation` wraps
  // back to it.
  for (;;) {
    let g = 0;
    while (g < groups && !nextPermutation(groupBuf[2 * g]!, groupBuf[2 * g + 1]!)) g++;
    if (g === groups) break;
    setRenaming(n);
    len = encodeInto(s, orderBuf, flagBuf, renamed);
    let c = 0;
    for (let i = 0; i < len && c === 0; i++) c = buf[i]! - bestBuf[i]!;
    if (c < 0) {
      bestBuf.set(buf.subarray(0, len));
      bestOrder.set(orderBuf.subarray(0, n));
    }
  }
  orderBuf.set(bestOrder.subarray(0, n));
  setRenaming(n);
}

/** The next permutation of orderBuf[from..to) in lexicographic order; false (and back to ascending) after the last. */
function nextPermutation(from: number, to: number): boolean {
  let i = to - 2;
  while (i >= from && orderBuf[i]! >= orderBuf[i + 1]!) i--;
  if (i >= from) {
    let j = to - 1;
    while (orderBuf[j]! <= orderBuf[i]!) j--;
    const x = orderBuf[i]!;
    orderBuf[i] = orderBuf[j]!;
    orderBuf[j] = x;
  }
  for (let a = i + 1, b = to - 1; a < b; a++, b--) {
    const x = orderBuf[a]!;
    orderBuf[a] = orderBuf[b]!;
    orderBuf[b] = x;
  }
  return i >= from;
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

/** `lastRenaming(n)[tid]` without the array: the canonical TID of task `tid` in the last canonical encoding. */
export function renamedTid(tid: Tid): number {
  return renameBuf[tid]!;
}

/**
 * The renaming the last canonical encoding (`canonicalKey` or
 * `KeyCodec.encode`) applied: `lastRenaming(n)[tid]` is the TID that task
 * `tid` has in the canonical (decoded) state.
 */
export function lastRenaming(n: number): number[] {
  const out = new Array<number>(n + 1).fill(0);
  for (let tid = 1; tid <= n; tid++) out[tid] = renameBuf[tid]!;
  return out;
}

const STATES = Object.keys(STATE_CODE) as (keyof typeof STATE_CODE)[];
const REGS = Object.keys(REG_CODE) as (keyof typeof REG_CODE)[];
const ENDS = Object.keys(END_CODE) as (keyof typeof END_CODE)[];

/**
 * A task's flags other than pc and role (bits 6-15 and 17 of `flags`) as
 * one mixed-radix number below FLAG_RADIX, by table: FLAG_DIGIT[bits] where
 * bits is `flagBits(flags)`; and back, FLAG_WORD[digit] is those flag bits.
 */
const FLAG_FIELDS: readonly { readonly shift: number; readonly values: number }[] = [
  { shift: 6, values: STATES.length },
  { shift: 8, values: 2 }, // locked
  { shift: 9, values: REGS.length },
  { shift: 11, values: 2 }, // kstate
  { shift: 12, values: 2 }, // sigpending
  { shift: 13, values: 2 }, // hookFrom
  { shift: 14, values: ENDS.length },
  { shift: 17, values: 2 }, // callDone
];
const FLAG_RADIX = FLAG_FIELDS.reduce((r, f) => r * f.values, 1);
/** The bits of `flags` the packed key covers: pc (0-5), the fields above, role (16, known from the position). */
const FLAG_KNOWN = 63 | (1 << 16) | FLAG_FIELDS.reduce((m, f) => m | (((1 << bitsFor(f.values)) - 1) << f.shift), 0);
const flagBits = (fl: number): number => ((fl & 0xffc0) >> 6) | ((fl & 0x20000) >> 7);
const FLAG_DIGIT = new Int32Array(1 << 11).fill(-1);
const FLAG_WORD = new Int32Array(FLAG_RADIX);
for (let digit = 0; digit < FLAG_RADIX; digit++) {
  let rest = digit;
  let word = 0;
  for (let i = FLAG_FIELDS.length - 1; i >= 0; i--) {
    const f = FLAG_FIELDS[i]!;
    word |= (rest % f.values) << f.shift;
    rest = Math.floor(rest / f.values);
  }
  FLAG_WORD[digit] = word;
  FLAG_DIGIT[flagBits(word)] = digit;
}

/** Chunks of digits stay below this, so all the arithmetic is on small integers. */
const CHUNK_LIMIT = 2 ** 31;

/**
 * The canonical key packed into as few bytes as the configuration allows,
 * for the explorer's state store. The canonical form is the one of
 * `canonicalKey` (same task order, same renaming), so two states get equal
 * packed keys exactly when they get equal `canonicalKey`s: packing changes
 * the bytes a state costs, never which states are told apart.
 *
 * Layout: the state is a sequence of digits, each below a radix that
 * follows from the configuration and the types (`PC_ROLES`, the state,
 * registration and end codes): one for the header (environment budget,
 * killedBy); two per task in canonical order (its pc among the pcs of its
 * role, since servers come first, with its flags; its four TID fields: server_tid, next_tid, other, seen);
 * and for each idle list which of the possible lists it is (each entry a
 * task of the list's role, marked or not, and at most one entry more than
 * the role has tasks: a list is only corrupt by one duplicate). Consecutive
 * digits are combined in mixed radix into chunks below 2^31, and each chunk
 * takes the fewest bits that hold its largest value. A value outside its
 * digit's range throws instead of being truncated.
 */
export class KeyCodec {
  /** Bytes of a packed key. */
  readonly bytes: number;
  /** The last encoded key: `bytes` bytes, little-endian; the rest is zero. */
  readonly key: Uint8Array;
  /** The digits of the last encoded (or to be decoded) state; `radix[i]` bounds `digits[i]`. */
  readonly digits: Int32Array;
  readonly radix: Int32Array;
  private readonly whole: DigitPacker;
  private readonly servers: number;
  private readonly tasks: number;
  private readonly tids: number;
  /** Role-relative pc index of each global pc code, per role (-1: not a pc of that role). */
  private readonly serverPc: Int8Array;
  private readonly workerPc: Int8Array;
  private readonly serverPcs: readonly Pc[];
  private readonly workerPcs: readonly Pc[];
  private readonly workerLists: ListCode;
  private readonly serverLists: ListCode;

  constructor(cfg: Pick<ModelConfig, 'servers' | 'workers' | 'envBudget'>) {
    this.servers = cfg.servers;
    this.tasks = cfg.servers + cfg.workers;
    this.tids = this.tasks + 1;
    this.serverPcs = pcsOf('server');
    this.workerPcs = pcsOf('worker');
    this.serverPc = pcIndex(this.serverPcs);
    this.workerPc = pcIndex(this.workerPcs);
    this.workerLists = new ListCode(2 * cfg.workers, cfg.workers + 1);
    this.serverLists = new ListCode(2 * cfg.servers, cfg.servers + 1);
    const radix = [(cfg.envBudget + 1) * this.tids];
    for (let k = 0; k < this.tasks; k++) {
      radix.push((k < cfg.servers ? this.serverPcs.length : this.workerPcs.length) * FLAG_RADIX, this.tids ** 4);
    }
    radix.push(...this.workerLists.radix, ...this.serverLists.radix);
    this.radix = Int32Array.from(radix);
    this.digits = new Int32Array(radix.length);
    this.whole = new DigitPacker(this.radix, radix.map((_, i) => i));
    this.bytes = this.whole.bytes;
    this.key = this.whole.key;
  }

  /**
   * The digits of the two parts of a state for COLLAPSE-style storage: the
   * servers part (the header, the servers' tasks and idle_servers) and the
   * workers part (the workers' tasks and idle_workers). Together they are
   * every digit once, so a pair of parts is the whole canonical form.
   */
  parts(): { servers: number[]; workers: number[] } {
    const workerListAt = 2 * this.tasks + 1;
    const serverListAt = workerListAt + this.workerLists.radix.length;
    const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
    return {
      servers: [0, ...range(1, 2 * this.servers + 1), ...range(serverListAt, this.radix.length)],
      workers: [...range(2 * this.servers + 1, workerListAt), ...range(workerListAt, serverListAt)],
    };
  }

  /** Pack `s`'s canonical form into `key`. */
  encode(s: State): void {
    this.encodeDigits(s);
    this.whole.pack(this.digits);
  }

  /** `s`'s canonical form as `digits` (the renaming is `lastRenaming`'s). */
  encodeDigits(s: State): void {
    canonicalOrder(s);
    const d = this.digits;
    const T = this.tids;
    d[0] = s.envBudget * T + renamed(s.killedBy);
    for (let k = 0; k < this.tasks; k++) {
      const i = orderBuf[k]!;
      const t = s.tasks[i]!;
      const fl = flagBuf[i]!;
      const pc = (k < this.servers ? this.serverPc : this.workerPc)[fl & 63]!;
      if (pc < 0) throw new RangeError(`KeyCodec: a ${t.role} at pc ${t.pc}`);
      // A flag bit the packing does not know (a field added to `flags` but
      // not to FLAG_FIELDS) would be dropped from the key: refuse instead.
      if ((fl & ~FLAG_KNOWN) !== 0) throw new RangeError(`KeyCodec: unknown flag bits ${(fl & ~FLAG_KNOWN).toString(16)}`);
      d[2 * k + 1] = pc * FLAG_RADIX + FLAG_DIGIT[flagBits(fl)]!;
      d[2 * k + 2] = ((renamed(t.word.serverTid) * T + renamed(t.word.nextTid)) * T + renamed(t.other)) * T + renamed(t.seen);
    }
    let at = 2 * this.tasks + 1;
    at = this.workerLists.encode(s.idleWorkers, this.servers + 1, d, at);
    this.serverLists.encode(s.idleServers, 1, d, at);
  }

  /**
   * The state a packed key at `bytes[at..at + this.bytes)` encodes: task k
   * of the canonical order becomes TID k + 1 (a renaming of the encoded state).
   */
  decode(bytes: Uint8Array, at: number): State {
    this.whole.unpack(bytes, at, this.digits);
    return this.decodeDigits();
  }

  /** The state `digits` encode (task k of the canonical order becomes TID k + 1). */
  decodeDigits(): State {
    const d = this.digits;
    const T = this.tids;
    const tasks: Task[] = new Array<Task>(this.tasks);
    for (let k = 0; k < this.tasks; k++) {
      const a = d[2 * k + 1]!;
      const f = a % FLAG_RADIX;
      const fl = FLAG_WORD[f]!;
      let ids = d[2 * k + 2]!;
      const seen = ids % T;
      ids = (ids - seen) / T;
      const other = ids % T;
      ids = (ids - other) / T;
      const nextTid = ids % T;
      const serverTid = (ids - nextTid) / T;
      const server = k < this.servers;
      tasks[k] = {
        tid: k + 1,
        role: server ? 'server' : 'worker',
        reg: REGS[(fl >> 9) & 3]!,
        word: { state: STATES[(fl >> 6) & 3]!, locked: ((fl >> 8) & 1) === 1, serverTid, nextTid },
        pc: (server ? this.serverPcs : this.workerPcs)[(a - f) / FLAG_RADIX]!,
        kstate: (fl >> 11) & 1 ? 'interruptible' : 'running',
        sigpending: ((fl >> 12) & 1) === 1,
        other,
        seen,
        hookFrom: (fl >> 13) & 1 ? 'call' : 'wait',
        callDone: ((fl >> 17) & 1) === 1,
        end: ENDS[(fl >> 14) & 3]!,
      };
    }
    const killedBy = d[0]! % T;
    let i = 2 * this.tasks + 1;
    const idleWorkers = this.workerLists.decode(d, i, this.servers + 1);
    i += this.workerLists.radix.length;
    const idleServers = this.serverLists.decode(d, i, 1);
    return { tasks, idleWorkers, idleServers, envBudget: (d[0]! - killedBy) / T, killedBy };
  }
}

/**
 * Some digits of a digit vector (`indices`, in that order) packed in mixed
 * radix into as few bytes as their ranges allow: consecutive digits are
 * combined into chunks below 2^31, and each chunk takes the fewest bits that
 * hold its largest value. Packing is a bijection between the digit values
 * in range and the byte strings it produces.
 */
export class DigitPacker {
  /** Bytes of a packed key. */
  readonly bytes: number;
  /** The last packed key: `bytes` bytes, little-endian; the rest of its words is zero. */
  readonly key: Uint8Array;
  /** The same key as 32-bit words (`key`'s buffer): the first ceil(bytes / 4) of them hold it. */
  readonly words: Uint32Array;
  private readonly index: Int32Array;
  private readonly radix: Int32Array;
  /** Chunk c holds digits [chunkStart[c], chunkStart[c + 1]) of `index` in `chunkBits[c]` bits. */
  private readonly chunkStart: Int32Array;
  private readonly chunkBits: Int32Array;

  constructor(radixOfAll: Int32Array, indices: readonly number[]) {
    const radix = indices.map((i) => radixOfAll[i]!);
    const start = [0];
    const bits: number[] = [];
    let product = 1;
    for (let i = 0; i < radix.length; i++) {
      if (radix[i]! >= CHUNK_LIMIT) throw new RangeError(`KeyCodec: a digit of ${radix[i]} values is too large`);
      if (product * radix[i]! >= CHUNK_LIMIT) {
        bits.push(bitsFor(product));
        start.push(i);
        product = 1;
      }
      product *= radix[i]!;
    }
    bits.push(bitsFor(product));
    start.push(radix.length);
    const total = bits.reduce((a, b) => a + b, 0);
    this.bytes = Math.max(1, Math.ceil(total / 8));
    this.index = Int32Array.from(indices);
    this.radix = Int32Array.from(radix);
    this.chunkStart = Int32Array.from(start);
    this.chunkBits = Int32Array.from(bits);
    this.words = new Uint32Array(Math.ceil(this.bytes / 4) + 1);
    this.key = new Uint8Array(this.words.buffer);
  }

  /** Pack the digits `d[index[..]]` into `key`. */
  pack(d: Int32Array): void {
    // Chunks are appended to the words in order: `cur` is the word being
    // filled, `used` its bits taken.
    const w = this.words;
    const radix = this.radix;
    const index = this.index;
    const start = this.chunkStart;
    const bits = this.chunkBits;
    let j = 0;
    let cur = 0;
    let used = 0;
    for (let c = 0; c < bits.length; c++) {
      let v = 0;
      for (let i = start[c]!; i < start[c + 1]!; i++) v = v * radix[i]! + d[index[i]!]!;
      const nb = bits[c]!;
      if (nb === 0) continue;
      cur |= v << used;
      used += nb;
      if (used >= 32) {
        w[j++] = cur;
        used -= 32;
        cur = used > 0 ? v >>> (nb - used) : 0;
      }
    }
    w[j++] = cur;
    while (j < w.length) w[j++] = 0;
  }

  /** Unpack the key at `bytes[at..at + this.bytes)` into `d[index[..]]`. */
  unpack(bytes: Uint8Array, at: number, d: Int32Array): void {
    const w = this.words;
    if (bytes !== this.key || at !== 0) {
      w.fill(0);
      this.key.set(bytes.subarray(at, at + this.bytes));
    }
    const index = this.index;
    let pos = 0;
    for (let c = 0; c < this.chunkBits.length; c++) {
      const nb = this.chunkBits[c]!;
      let v = 0;
      if (nb > 0) {
        const j = pos >>> 5;
        const sh = pos & 31;
        v = w[j]! >>> sh;
        if (sh + nb > 32) v |= w[j + 1]! << (32 - sh);
        v &= (1 << nb) - 1; // nb <= 31
      }
      pos += nb;
      for (let i = this.chunkStart[c + 1]! - 1; i >= this.chunkStart[c]!; i--) {
        const r = this.radix[i]!;
        const x = v % r;
        d[index[i]!] = x;
        v = ((v - x) / r) | 0;
      }
    }
  }
}

/**
 * Idle lists as digits. An entry is a task of the list's role (its index
 * among them, doubled, plus its mark bit): below `base`. A list of length l
 * with entries e_0 .. e_{l-1} is one digit, offset(l) + sum e_j base^(l-1-j),
 * where offset(l) counts the lists shorter than l; when the lists are too
 * many for one digit, a length digit and `maxLength` entry digits (unused
 * ones 0).
 */
class ListCode {
  /** offset[l]: the number of lists shorter than l. */
  private readonly offset: number[] = [0];
  /** The radix of each digit. */
  readonly radix: readonly number[];
  private readonly single: boolean;

  constructor(
    private readonly base: number,
    private readonly maxLength: number,
  ) {
    let power = 1;
    for (let l = 0; l <= maxLength; l++) {
      this.offset.push(this.offset[l]! + power);
      power *= base;
    }
    const count = this.offset[maxLength + 1]!;
    this.single = count < CHUNK_LIMIT;
    this.radix = this.single ? [count] : [maxLength + 1, ...new Array<number>(maxLength).fill(base)];
  }

  /** Write the digits of `nodes` at `d[at..]`; `first`: the canonical TID of the role's first task. Returns the next index. */
  encode(nodes: readonly ListNode[], first: number, d: Int32Array, at: number): number {
    if (nodes.length > this.maxLength) throw new RangeError(`KeyCodec: an idle list of ${nodes.length} nodes`);
    let v = 0;
    for (let j = 0; j < nodes.length; j++) {
      const x = nodes[j]!;
      const e = (renamed(x.tid) - first) * 2 + (x.marked ? 1 : 0);
      if (e < 0 || e >= this.base) throw new RangeError(`KeyCodec: task ${x.tid} on the wrong idle list`);
      if (this.single) v = v * this.base + e;
      else d[at + 1 + j] = e;
    }
    if (this.single) {
      d[at] = this.offset[nodes.length]! + v;
      return at + 1;
    }
    d[at] = nodes.length;
    for (let j = nodes.length; j < this.maxLength; j++) d[at + 1 + j] = 0;
    return at + 1 + this.maxLength;
  }

  decode(d: Int32Array, at: number, first: number): ListNode[] {
    const entry = (e: number): ListNode => ({ tid: first + (e >> 1), marked: (e & 1) === 1 });
    if (!this.single) {
      const nodes = new Array<ListNode>(d[at]!);
      for (let j = 0; j < nodes.length; j++) nodes[j] = entry(d[at + 1 + j]!);
      return nodes;
    }
    let v = d[at]!;
    let l = 0;
    while (v >= this.offset[l + 1]!) l++;
    v -= this.offset[l]!;
    const nodes = new Array<ListNode>(l);
    for (let j = l - 1; j >= 0; j--) {
      const e = v % this.base;
      v = (v - e) / this.base;
      nodes[j] = entry(e);
    }
    return nodes;
  }
}

function pcIndex(pcs: readonly Pc[]): Int8Array {
  const out = new Int8Array(64).fill(-1);
  pcs.forEach((pc, i) => (out[PC_CODE.get(pc)!] = i));
  return out;
}

/** The fewest bits that hold every value below `values`. */
function bitsFor(values: number): number {
  let b = 0;
  while (2 ** b < values) b++;
  return b;
}
