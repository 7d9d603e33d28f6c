/**
 * An exact set of fixed-length state keys for the explorer, numbering them
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
  for (let i = 0; i < w.length; i++) {
    h = Math.imul(h ^ w[i]!, 0xcc9e2d51);
    h = (h << 15) | (h >>> 17);
    h = Math.imul(h, 0x1b873593);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
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
