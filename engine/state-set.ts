/**
 * An exact set of state keys for the explorer: open addressing over a byte
 * arena. Keys (canonical encodings, every character below 256) are hashed
 * and compared byte by byte straight from the encoder's scratch buffer, so
 * no string is built for the millions of successors that turn out to be
 * known already. Every probe compares the full key: no hash compaction, no
 * false "seen".
 */
export class StateSet {
  private arena = new Uint8Array(1 << 20);
  private used = 0;
  private offsets = new Float64Array(1 << 16);
  private lengths = new Uint16Array(1 << 16);
  private table = new Int32Array(1 << 17).fill(-1);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Where key `id` is stored: `bytes()[offset(id) .. offset(id) + length(id))`. */
  bytes(): Uint8Array {
    return this.arena;
  }

  offset(id: number): number {
    return this.offsets[id]!;
  }

  length(id: number): number {
    return this.lengths[id]!;
  }

  /** The id of the key in `buf[0..len)`: an existing one, or a new one (then `size` grows). */
  add(buf: Uint16Array, len: number): number {
    let h = 0x811c9dc5 ^ len;
    for (let i = 0; i < len; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    const mask = this.table.length - 1;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const id = this.table[slot]!;
      if (id < 0) return this.insert(slot, buf, len);
      if (this.lengths[id] === len && this.equals(this.offsets[id]!, buf, len)) return id;
    }
  }

  private equals(at: number, buf: Uint16Array, len: number): boolean {
    const a = this.arena;
    for (let i = 0; i < len; i++) if (a[at + i] !== buf[i]) return false;
    return true;
  }

  private insert(slot: number, buf: Uint16Array, len: number): number {
    const id = this.count++;
    if (this.used + len > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
      bigger.set(this.arena);
      this.arena = bigger;
    }
    for (let i = 0; i < len; i++) this.arena[this.used + i] = buf[i]!;
    if (id === this.offsets.length) {
      const o = new Float64Array(id * 2);
      o.set(this.offsets);
      this.offsets = o;
      const l = new Uint16Array(id * 2);
      l.set(this.lengths);
      this.lengths = l;
    }
    this.offsets[id] = this.used;
    this.lengths[id] = len;
    this.used += len;
    this.table[slot] = id;
    if (this.count * 2 > this.table.length) this.rehash();
    return id;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2).fill(-1);
    const mask = table.length - 1;
    for (let id = 0; id < this.count; id++) {
      const at = this.offsets[id]!;
      const len = this.lengths[id]!;
      let h = 0x811c9dc5 ^ len;
      for (let i = 0; i < len; i++) h = Math.imul(h ^ this.arena[at + i]!, 0x01000193);
      let slot = h & mask;
      while (table[slot]! >= 0) slot = (slot + 1) & mask;
      table[slot] = id;
    }
    this.table = table;
  }
}
