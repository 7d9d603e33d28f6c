/**
 * The explorer's state store (docs/explorer.md, "Storage"): `StateSet`
 * numbers the parts states are made of, `PairSet` holds the states as
 * pairs of part ids, and `RecordLog` keeps the BFS-ordered logs of pairs
 * and parents, on disk past a number of states. All of it is exact.
 *
 * StateSet: an exact set of fixed-length keys, numbering them
 * 0, 1, 2, ... in the order they are added. Every probe that could match
 * compares the full key: no hash compaction, no false "seen".
 *
 * Memory, per key: the key's bytes, stored by id in chunks that are
 * allocated as needed and never copied; and an index of 4-byte entries
 * (the id, plus 5 bits of the hash as a fingerprint so that most probes do
 * not read a key) kept between 53% and 80% full: 5 to 7.5 bytes a key. The
 * index is split into 64 parts by hash, each grown on its own (by half), so
 * growing never holds two copies of the whole index.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHUNK_SHIFT = 18;
const CHUNK_SLOTS = 1 << CHUNK_SHIFT;
const PART_BITS = 6;
const PARTS = 1 << PART_BITS;
const ID_BITS = 27;
const ID_MASK = (1 << ID_BITS) - 1;
/** Ids are stored plus one (0 marks an empty entry). */
export const MAX_KEYS = ID_MASK - 1;
const MAX_LOAD = 0.8;
const GROWTH = 1.5;
const TWO32 = 2 ** 32;

export class StateSet {
  private readonly chunks: Uint8Array[] = [];
  private readonly tables: Uint32Array[] = [];
  private readonly used = new Int32Array(PARTS);
  private count = 0;
  /** Scratch: a stored key as words, for hashing it again when a part grows. */
  private readonly scratch: Uint32Array;
  private readonly scratchBytes: Uint8Array;
  /** The words of the last key buffer probed (the explorer reuses one). */
  private lastBuffer: ArrayBufferLike | undefined;
  private lastWords: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

  /** @param keyBytes the length of every key */
  constructor(readonly keyBytes: number) {
    if (keyBytes < 1) throw new RangeError(`key length ${keyBytes} out of range`);
    for (let p = 0; p < PARTS; p++) this.tables.push(new Uint32Array(256));
    this.scratch = new Uint32Array(Math.ceil(keyBytes / 4));
    this.scratchBytes = new Uint8Array(this.scratch.buffer);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the keys and the index (what `size` keys cost). */
  get bytesUsed(): number {
    let b = this.chunks.length * CHUNK_SLOTS * this.keyBytes;
    for (const t of this.tables) b += t.byteLength;
    return b;
  }

  /** The chunk holding key `id`, and where in it the key starts. */
  where(id: number): { bytes: Uint8Array; at: number } {
    return { bytes: this.chunks[id >>> CHUNK_SHIFT]!, at: (id & (CHUNK_SLOTS - 1)) * this.keyBytes };
  }

  /**
   * The id of the key in `key[0..keyBytes)` (the rest of the words of
   * `key`'s buffer up to a multiple of 4 bytes must be zero): an existing
   * one, or a new one (then `size` grows).
   */
  add(key: Uint8Array): number {
    return this.probe(key, true);
  }

  /** The id of the key, or -1 when it is not in the set. */
  find(key: Uint8Array): number {
    return this.probe(key, false);
  }

  private probe(key: Uint8Array, insert: boolean): number {
    if (key.buffer !== this.lastBuffer) {
      this.lastBuffer = key.buffer;
      this.lastWords = new Uint32Array(key.buffer, 0, this.scratch.length);
    }
    if (key.byteOffset !== 0) throw new RangeError('a key must start its buffer');
    const h = hash(this.lastWords);
    const part = h >>> (32 - PART_BITS);
    const fp = ((h >>> 20) & 31) << ID_BITS;
    const table = this.tables[part]!;
    const cap = table.length;
    let slot = home(h, cap);
    for (;;) {
      const e = table[slot]!;
      if (e === 0) break;
      if ((e & ~ID_MASK) === fp && this.equals((e & ID_MASK) - 1, key)) return (e & ID_MASK) - 1;
      if (++slot === cap) slot = 0;
    }
    if (!insert) return -1;
    if (this.count >= MAX_KEYS) throw new RangeError(`more than ${MAX_KEYS} states`);
    const id = this.count++;
    const c = id >>> CHUNK_SHIFT;
    if (c === this.chunks.length) this.chunks.push(new Uint8Array(CHUNK_SLOTS * this.keyBytes));
    this.chunks[c]!.set(key.subarray(0, this.keyBytes), (id & (CHUNK_SLOTS - 1)) * this.keyBytes);
    table[slot] = (fp | (id + 1)) >>> 0;
    if (++this.used[part]! > cap * MAX_LOAD) this.grow(part);
    return id;
  }

  private equals(id: number, key: Uint8Array): boolean {
    const bytes = this.chunks[id >>> CHUNK_SHIFT]!;
    const base = (id & (CHUNK_SLOTS - 1)) * this.keyBytes;
    for (let i = 0; i < this.keyBytes; i++) if (bytes[base + i] !== key[i]) return false;
    return true;
  }

  /** Move part `p` into a table half as large again, hashing each stored key anew. */
  private grow(p: number): void {
    const old = this.tables[p]!;
    const table = new Uint32Array(Math.ceil(old.length * GROWTH));
    const cap = table.length;
    for (let i = 0; i < old.length; i++) {
      const e = old[i]!;
      if (e === 0) continue;
      const id = (e & ID_MASK) - 1;
      const bytes = this.chunks[id >>> CHUNK_SHIFT]!;
      const at = (id & (CHUNK_SLOTS - 1)) * this.keyBytes;
      for (let k = 0; k < this.keyBytes; k++) this.scratchBytes[k] = bytes[at + k]!;
      let slot = home(hash(this.scratch), cap);
      while (table[slot] !== 0) if (++slot === cap) slot = 0;
      table[slot] = e;
    }
    this.tables[p] = table;
  }
}

/** A 32-bit hash of the key's words: the top bits pick the part, the next ones the fingerprint. */
function hash(w: Uint32Array): number {
  let h = 0x9e3779b9 ^ w.length;
  for (let i = 0; i < w.length; i++) h = mix(h, w[i]!);
  return fmix32(h);
}

/** One word into a running hash (MurmurHash3's block step). */
function mix(h: number, w: number): number {
  h = Math.imul(h ^ w, 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  return Math.imul(h, 0x1b873593);
}

/**
 * The home slot in a table of `cap` entries, from hash bits that neither
 * the part nor the fingerprint use (remixed, then scaled to [0, cap)).
 */
function home(h: number, cap: number): number {
  let x = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  x ^= x >>> 12;
  x = Math.imul(x, 0x297a2d39);
  x ^= x >>> 15;
  return Math.floor(((x >>> 0) / TWO32) * cap);
}

/** The most states the explorer numbers: ids are 32-bit, 0xffffffff is "no parent". */
export const MAX_STATES = 2 ** 32 - 2;

const PAIR_MAX_LOAD = 0.85;
const PAIR_GROWTH = 1.3;

/**
 * An exact set of pairs (a, b) of non-negative integers, each pair stored
 * in its own slot of an open-addressing table (no ids, no indirection): the
 * explorer's set of states, each state a pair of part ids (COLLAPSE
 * storage, see `KeyCodec.parts`). A record is the number
 * v = b * 2^aBits + (a + 1) split into its low 32 bits (a Uint32Array; never
 * 0 for a pair, since a + 1 > 0 fits aBits <= 32 bits, so 0 marks an empty
 * slot) and its high bits (none, a Uint8Array, a Uint16Array or a
 * Uint32Array: the fewest that hold them). When an a or a b needs more
 * bits, every record is rewritten in its slot (the hash is of the pair, so
 * no pair moves, and the low words are rewritten in place). Every probe compares the whole record: no hash
 * compaction.
 *
 * The table is in 64 parts by hash, each grown on its own (by 30% when 85%
 * full), so growing never holds two copies of the whole table: about
 * record / 0.76 bytes a pair. While the set does not grow, `slotOf` numbers
 * the pairs by their slots (dense enough for a byte array indexed by slot)
 * and `pairAt` reads a pair back from its slot number.
 */
export class PairSet {
  private readonly lo: Uint32Array[] = [];
  private readonly hi: (Uint8Array | Uint16Array | Uint32Array | null)[] = [];
  private readonly caps = new Int32Array(PARTS);
  private readonly used = new Int32Array(PARTS);
  private aBits = 1;
  private bBits = 1;
  private aScale = 2;
  /** Bytes of the high part of a record (0, 1, 2 or 4). */
  private hiBytes = 0;
  private count = 0;
  /** partBase[p]: the first slot number of part p (valid while `basesValid`). */
  private readonly partBase = new Float64Array(PARTS + 1);
  private basesValid = false;
  /** The record `probe` looked for. */
  private tlo = 0;
  private thi = 0;
  /** The pair `pairAt` read. */
  a = 0;
  b = 0;

  constructor() {
    for (let p = 0; p < PARTS; p++) {
      this.caps[p] = 256;
      this.lo.push(new Uint32Array(256));
      this.hi.push(null);
    }
  }

  get size(): number {
    return this.count;
  }

  /** Bytes of a record now. */
  get recordBytes(): number {
    return 4 + this.hiBytes;
  }

  get bytesUsed(): number {
    let b = 0;
    for (let p = 0; p < PARTS; p++) b += this.lo[p]!.byteLength + (this.hi[p]?.byteLength ?? 0);
    return b;
  }

  /** Add (a, b); true when it was not in the set. */
  add(a: number, b: number): boolean {
    if (a + 1 >= this.aScale || b >= 2 ** this.bBits) this.widen(a, b);
    const h = pairHash(a, b);
    const part = h >>> (32 - PART_BITS);
    const slot = this.probe(part, h, a, b);
    if (slot >= 0) return false;
    const s = -slot - 1;
    this.lo[part]![s] = this.tlo;
    const hi = this.hi[part];
    if (hi !== null && hi !== undefined) hi[s] = this.thi;
    this.count++;
    if (++this.used[part]! > this.caps[part]! * PAIR_MAX_LOAD) this.grow(part);
    return true;
  }

  /** Whether (a, b) is in the set. */
  has(a: number, b: number): boolean {
    return this.slotOf(a, b) >= 0;
  }

  /**
   * The slot number of (a, b), or -1 when it is not in the set. Slot
   * numbers hold while the set does not grow; they are below `slots`.
   */
  slotOf(a: number, b: number): number {
    if (a < 0 || b < 0 || a + 1 >= this.aScale || b >= 2 ** this.bBits) return -1;
    const h = pairHash(a, b);
    const part = h >>> (32 - PART_BITS);
    const slot = this.probe(part, h, a, b);
    if (slot < 0) return -1;
    if (!this.basesValid) this.bases();
    return this.partBase[part]! + slot;
  }

  /** How many slot numbers there are. */
  get slots(): number {
    if (!this.basesValid) this.bases();
    return this.partBase[PARTS]!;
  }

  /** Read the pair in slot number `n` into `a` and `b`; false when the slot is empty. */
  pairAt(n: number): boolean {
    if (!this.basesValid) this.bases();
    let lo = 0;
    let hi = PARTS - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.partBase[mid]! <= n) lo = mid;
      else hi = mid - 1;
    }
    const s = n - this.partBase[lo]!;
    const x = this.lo[lo]![s]!;
    if (x === 0) return false;
    const v = (this.hi[lo]?.[s] ?? 0) * TWO32 + x;
    const b = Math.floor(v / this.aScale);
    this.a = v - b * this.aScale - 1;
    this.b = b;
    return true;
  }

  private bases(): void {
    let n = 0;
    for (let p = 0; p < PARTS; p++) {
      this.partBase[p] = n;
      n += this.caps[p]!;
    }
    this.partBase[PARTS] = n;
    this.basesValid = true;
  }

  /**
   * Look (a, b) up in `part`: its slot, or -(s + 1) for the empty slot s
   * where it would go. Leaves its record in `tlo`, `thi`.
   */
  private probe(part: number, h: number, a: number, b: number): number {
    const v = b * this.aScale + a + 1;
    const tlo = v % TWO32;
    const thi = (v - tlo) / TWO32;
    this.tlo = tlo;
    this.thi = thi;
    const lo = this.lo[part]!;
    const hi = this.hi[part];
    const cap = this.caps[part]!;
    let slot = home(h, cap);
    if (hi === null || hi === undefined) {
      for (;;) {
        const x = lo[slot]!;
        if (x === tlo) return slot;
        if (x === 0) return -slot - 1;
        if (++slot === cap) slot = 0;
      }
    }
    for (;;) {
      const x = lo[slot]!;
      if (x === tlo && hi[slot] === thi) return slot;
      if (x === 0) return -slot - 1;
      if (++slot === cap) slot = 0;
    }
  }

  /** A high-part array of `n` slots for records of `bytes` high bytes. */
  private static highArray(bytes: number, n: number): Uint8Array | Uint16Array | Uint32Array | null {
    return bytes === 0 ? null : bytes === 1 ? new Uint8Array(n) : bytes === 2 ? new Uint16Array(n) : new Uint32Array(n);
  }

  /** Move part `p` into a larger table, hashing each pair anew. */
  private grow(p: number): void {
    const oldLo = this.lo[p]!;
    const oldHi = this.hi[p];
    const oldCap = this.caps[p]!;
    const cap = Math.ceil(oldCap * PAIR_GROWTH);
    const lo = new Uint32Array(cap);
    const hi = PairSet.highArray(this.hiBytes, cap);
    for (let i = 0; i < oldCap; i++) {
      const x = oldLo[i]!;
      if (x === 0) continue;
      const y = oldHi?.[i] ?? 0;
      const v = y * TWO32 + x;
      const b = Math.floor(v / this.aScale);
      let slot = home(pairHash(v - b * this.aScale - 1, b), cap);
      while (lo[slot] !== 0) if (++slot === cap) slot = 0;
      lo[slot] = x;
      if (hi !== null) hi[slot] = y;
    }
    this.lo[p] = lo;
    this.hi[p] = hi;
    this.caps[p] = cap;
    this.basesValid = false;
  }

  /** Give a and b the bits `a + 1` and `b` need, rewriting every record in its slot. */
  private widen(a: number, b: number): void {
    const aBits = Math.max(this.aBits, bitsFor(a + 2));
    const bBits = Math.max(this.bBits, bitsFor(b + 1));
    if (aBits > 32 || aBits + bBits > 53) throw new RangeError(`PairSet: a pair (${a}, ${b}) does not fit 53 bits`);
    const high = aBits + bBits - 32;
    const hiBytes = high <= 0 ? 0 : high <= 8 ? 1 : high <= 16 ? 2 : 4;
    const scale = 2 ** aBits;
    // In place: a record keeps its slot, so the low words are rewritten
    // where they are, and only a wider high part is allocated (never a
    // second copy of the table).
    for (let p = 0; p < PARTS; p++) {
      const lo = this.lo[p]!;
      const oldHi = this.hi[p];
      const cap = this.caps[p]!;
      const hi = hiBytes === this.hiBytes ? oldHi! : PairSet.highArray(hiBytes, cap);
      for (let i = 0; i < cap; i++) {
        const x = lo[i]!;
        if (x === 0) continue;
        const v = (oldHi?.[i] ?? 0) * TWO32 + x;
        const ob = Math.floor(v / this.aScale);
        const w = ob * scale + (v - ob * this.aScale);
        const wlo = w % TWO32;
        lo[i] = wlo;
        if (hi !== null) hi[i] = (w - wlo) / TWO32;
      }
      this.hi[p] = hi;
    }
    this.aBits = aBits;
    this.bBits = bBits;
    this.aScale = scale;
    this.hiBytes = hiBytes;
  }
}

/** The fewest bits that hold every value below `values`. */
function bitsFor(values: number): number {
  let b = 1;
  while (2 ** b < values) b++;
  return b;
}

function pairHash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  h = Math.imul(h ^ (b + Math.floor(a / TWO32)), 0x1b873593);
  return fmix32(h);
}

/**
 * An append-only log of fixed-width records of 32-bit words, numbered 0, 1,
 * 2, ... (the explorer's states in BFS order: their pair, their parent).
 * Records live in chunks (of 65,536, or fewer when `memoryRecords` is
 * smaller); once the log holds more than `memoryRecords`, each full chunk
 * goes to a temporary file (sequential writes) and leaves memory. A record on disk is read back by its chunk
 * (two chunks are cached, so a sequential reader and a few random reads do
 * not evict each other). The file is under `os.tmpdir()`, unlinked as soon
 * as it is open (see `TempFile`), and freed by `close()` or by the end of
 * the process, however it ends.
 */
export class RecordLog {
  private readonly chunks: (Uint32Array | null)[] = [];
  private length = 0;
  private file: TempFile | undefined;
  private readonly cacheAt = [-1, -1];
  private readonly cache: Uint32Array[];
  private lastUsed = 0;
  /** Records a chunk (a power of two). */
  private readonly chunk: number;
  private readonly shift: number;

  constructor(
    readonly width: number,
    private readonly memoryRecords: number,
  ) {
    let shift = 4;
    while (shift < 16 && 2 ** (shift + 1) <= memoryRecords) shift++;
    this.shift = shift;
    this.chunk = 2 ** shift;
    this.cache = [new Uint32Array(this.chunk * width), new Uint32Array(this.chunk * width)];
  }

  get size(): number {
    return this.length;
  }

  /** Bytes of the records in memory (the caches included). */
  get bytesInMemory(): number {
    let n = 2 * this.chunk * this.width * 4;
    for (const c of this.chunks) if (c !== null) n += c.byteLength;
    return n;
  }

  /** Bytes written to the temporary file. */
  get bytesOnDisk(): number {
    return this.file?.bytes ?? 0;
  }

  /** Append a record (its first `width` of x, y). Returns its number. */
  append(x: number, y = 0): number {
    const i = this.length;
    const c = Math.floor(i / this.chunk);
    if (c === this.chunks.length) {
      if (c > 0 && c * this.chunk >= this.memoryRecords) this.spill(c);
      this.chunks.push(new Uint32Array(this.chunk * this.width));
    }
    const at = (i - c * this.chunk) * this.width;
    const chunk = this.chunks[c]!;
    chunk[at] = x;
    if (this.width > 1) chunk[at + 1] = y;
    this.length++;
    return i;
  }

  /** Word `w` of record `i`. */
  get(i: number, w = 0): number {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`RecordLog: no record ${i}`);
    const c = Math.floor(i / this.chunk);
    const at = (i - c * this.chunk) * this.width + w;
    const chunk = this.chunks[c];
    if (chunk !== undefined && chunk !== null) return chunk[at]!;
    if (this.cacheAt[0] === c) return this.cache[(this.lastUsed = 0)]![at]!;
    if (this.cacheAt[1] === c) return this.cache[(this.lastUsed = 1)]![at]!;
    const k = 1 - this.lastUsed;
    this.file!.read(this.cache[k]!, c * this.chunk * this.width * 4);
    this.cacheAt[k] = c;
    this.lastUsed = k;
    return this.cache[k]![at]!;
  }

  /** Write every full chunk before chunk `c` that is still in memory to the file. */
  private spill(c: number): void {
    this.file ??= new TempFile();
    for (let j = 0; j < c; j++) {
      const chunk = this.chunks[j];
      if (chunk === null || chunk === undefined) continue;
      this.file.write(chunk, j * this.chunk * this.width * 4);
      this.chunks[j] = null;
    }
  }

  /** Remove the temporary file (the log is unusable afterwards if it had one). */
  close(): void {
    this.file?.remove();
    this.file = undefined;
  }
}

/**
 * A temporary file, unlinked (with its fresh directory under os.tmpdir())
 * as soon as it is open: it lives on only through its descriptor, so the
 * system reclaims it when the descriptor is closed or the process ends in
 * any way (exit, SIGINT, SIGKILL, a crash), and nothing is ever left on
 * disk. (A SIGINT handler could not do this: JavaScript handlers do not run
 * while the search runs synchronously, and installing one would keep
 * Ctrl-C from stopping it.)
 */
class TempFile {
  private fd: number;
  bytes = 0;

  constructor() {
    const dir = mkdtempSync(join(tmpdir(), 'umcg-explore-'));
    const path = join(dir, 'log');
    try {
      this.fd = openSync(path, 'w+');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  write(data: Uint32Array, position: number): void {
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let done = 0;
    while (done < bytes.length) done += writeSync(this.fd, bytes, done, bytes.length - done, position + done);
    this.bytes = Math.max(this.bytes, position + bytes.length);
  }

  read(into: Uint32Array, position: number): void {
    const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.fd, bytes, done, bytes.length - done, position + done);
      if (n === 0) break;
      done += n;
    }
  }

  /** Close the file (it is already unlinked, so this frees its space). */
  remove(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** MurmurHash3's 32-bit finalizer: every input bit reaches every output bit. */
function fmix32(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A cache of states known to be in the explorer's state set, in front of
 * it: direct-mapped, `slots` entries, each the full key of one state (the
 * words of its two packed parts), a tag, and a value the caller may keep
 * with it (the explorer's liveness pass keeps the state's slot in the pair
 * set). Breadth-first search meets most states again soon after it first
 * meets them (two independent steps taken in either order from one state
 * reach the same state from two siblings, which are expanded close
 * together), so on 2 x 3 a cache of 2^16 states answers close to 90% of the
 * lookups of states already stored without touching the part tables or the
 * pair set, whose probes are cache misses once they hold millions of states
 * (docs/explorer.md, "Speed").
 *
 * Exact: `has` is true only for a key whose every word matches one that
 * `remember` was given, and the explorer remembers a key only once the
 * state is in the set, so a hit never takes a new state for a stored one.
 * A miss only means "ask the set". Nothing is ever removed from the set, so
 * an entry never goes stale; a collision just overwrites the slot.
 */
export class KnownStates {
  private readonly table: Int32Array;
  private readonly stride: number;
  private readonly mask: number;
  /** The slot and tag `has` computed for the key it was given. */
  private slot = 0;
  private tag = 0;

  /**
   * @param slots a power of two
   * @param a the words of the first part (its first `na` words are the key)
   * @param b the words of the second part
   */
  constructor(
    slots: number,
    private readonly a: Uint32Array,
    private readonly na: number,
    private readonly b: Uint32Array,
    private readonly nb: number,
  ) {
    if (slots < 1 || (slots & (slots - 1)) !== 0) throw new RangeError(`KnownStates: ${slots} slots is not a power of two`);
    this.stride = 2 + na + nb;
    this.mask = slots - 1;
    this.table = new Int32Array(slots * this.stride);
  }

  get bytesUsed(): number {
    return this.table.byteLength;
  }

  /** Forget every entry. */
  clear(): void {
    this.table.fill(0);
  }

  /** Whether the key now in the two parts' words is cached (then it is in the set). */
  has(): boolean {
    const a = this.a;
    const b = this.b;
    let h = 0x9e3779b9;
    for (let i = 0; i < this.na; i++) h = mix(h, a[i]!);
    for (let i = 0; i < this.nb; i++) h = mix(h, b[i]!);
    h = fmix32(h);
    // The tag is never 0, so an empty slot never matches.
    this.tag = h | 1;
    this.slot = ((h >>> 7) & this.mask) * this.stride;
    const t = this.table;
    let at = this.slot;
    if (t[at++] !== this.tag) return false;
    for (let i = 0; i < this.na; i++) if (t[at++] !== (a[i]! | 0)) return false;
    for (let i = 0; i < this.nb; i++) if (t[at++] !== (b[i]! | 0)) return false;
    return true;
  }

  /** The value kept with the key of the last `has` that was true. */
  get value(): number {
    return this.table[this.slot + this.stride - 1]!;
  }

  /** Cache the key `has` was last asked about, with `value` (call it only once that state is in the set). */
  remember(value = 0): void {
    const t = this.table;
    let at = this.slot;
    t[at++] = this.tag;
    for (let i = 0; i < this.na; i++) t[at++] = this.a[i]!;
    for (let i = 0; i < this.nb; i++) t[at++] = this.b[i]!;
    t[at] = value;
  }
}
