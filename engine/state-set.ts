/**
 * An exact set of state keys for the explorer. Keys (canonical encodings,
 * every character below 256) are hashed and compared byte by byte straight
 * from the encoder's scratch buffer, so no string is built for the millions
 * of successors that turn out to be known already. Every probe compares the
 * full key: no hash compaction, no false "seen".
 *
 * Memory: each key sits in a fixed-size slot (its length in the first
 * byte), in chunks that are allocated as needed and never copied, so there
 * is no offset table and no peak from doubling a large buffer. The hash
 * table (ids, open addressing) is kept at most 3/4 full.
 */
const CHUNK_SLOTS = 1 << 18;

export class StateSet {
  private readonly chunks: Uint8Array[] = [];
  private table = new Int32Array(1 << 16).fill(-1);
  private count = 0;

  /** @param maxKey the longest key that will be added (checked on every add). */
  constructor(private readonly maxKey: number) {
    if (maxKey < 1 || maxKey > 255) throw new RangeError(`key length ${maxKey} out of range`);
  }

  private get slot(): number {
    return this.maxKey + 1;
  }

  get size(): number {
    return this.count;
  }

  /** The chunk holding key `id`, and where in it the key starts (after its length byte). */
  where(id: number): { bytes: Uint8Array; at: number; length: number } {
    const bytes = this.chunks[id >>> 18]!;
    const base = (id & (CHUNK_SLOTS - 1)) * this.slot;
    return { bytes, at: base + 1, length: bytes[base]! };
  }

  /** The id of the key in `buf[0..len)`: an existing one, or a new one (then `size` grows). */
  add(buf: Uint16Array, len: number): number {
    if (len > this.maxKey) throw new RangeError(`state key of ${len} bytes is longer than the ${this.maxKey} planned`);
    const mask = this.table.length - 1;
    for (let slot = hash(buf, len) & mask; ; slot = (slot + 1) & mask) {
      const id = this.table[slot]!;
      if (id < 0) return this.insert(slot, buf, len);
      if (this.equals(id, buf, len)) return id;
    }
  }

  private equals(id: number, buf: Uint16Array, len: number): boolean {
    const bytes = this.chunks[id >>> 18]!;
    const base = (id & (CHUNK_SLOTS - 1)) * this.slot;
    if (bytes[base] !== len) return false;
    for (let i = 0; i < len; i++) if (bytes[base + 1 + i] !== buf[i]) return false;
    return true;
  }

  private insert(slot: number, buf: Uint16Array, len: number): number {
    const id = this.count++;
    const c = id >>> 18;
    if (c === this.chunks.length) this.chunks.push(new Uint8Array(CHUNK_SLOTS * this.slot));
    const bytes = this.chunks[c]!;
    const base = (id & (CHUNK_SLOTS - 1)) * this.slot;
    bytes[base] = len;
    for (let i = 0; i < len; i++) bytes[base + 1 + i] = buf[i]!;
    this.table[slot] = id;
    if (this.count * 4 > this.table.length * 3) this.rehash();
    return id;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = table.length - 1;
    const key = new Uint16Array(this.maxKey);
    for (let id = 0; id < this.count; id++) {
      const { bytes, at, length } = this.where(id);
      for (let i = 0; i < length; i++) key[i] = bytes[at + i]!;
      let slot = hash(key, length) & mask;
      while (table[slot]! >= 0) slot = (slot + 1) & mask;
      table[slot] = id;
    }
    this.table = table;
  }
}

function hash(buf: Uint16Array, len: number): number {
  let h = 0x811c9dc5 ^ len;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
  // A final mix: linear probing wants the low bits well spread.
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}
