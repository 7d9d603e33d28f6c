/**
 * A 53-bit fingerprint of an implementation state, computed over the same
 * fields as {@link implKey} (impl/state.ts) without building a string: two
 * 32-bit MurmurHash3-style lanes over the state's numeric words, with the
 * strings it holds (routine names, pcs, names of locals) hashed once each.
 *
 * Equal states (equal keys) give equal fingerprints: the fingerprint is a
 * function of the state's contents only (a frame's locals are combined in
 * an order-independent way, as the key sorts them). Different states may,
 * very rarely, collide (about n^2 / 2^54 for n states compared: 3 in 10^10
 * for the 2,500 states of a long PCT run). So a fingerprint may only be used
 * where a collision is harmless (PCT's revisit demotion), never for a
 * search's visited set, which must stay exact (`implKey`).
 *
 * A step copies only what it changes (impl/exec.ts): the memory of a step
 * that stores nothing and the tasks it does not touch are the previous
 * state's objects. The fingerprints of a memory and of a task are therefore
 * remembered per object (weakly), so a step pays for what it changed. This
 * relies on states being values (engine/system.ts): an object that is part
 * of a state is never mutated afterwards.
 */
import type { MemoryState } from './memory.ts';
import type { Frame, ImplState, KTask } from './state.ts';

const TWO32 = 2 ** 32;

/** The two 32-bit lanes of a fingerprint being computed. */
class Lanes {
  a = 0x9747b28c;
  b = 0x5bd1e995;

  /** Mix one 32-bit word into both lanes (MurmurHash3's x86_32 body, two seeds and two sets of constants). */
  mix(w: number): void {
    let k = Math.imul(w, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    let a = this.a ^ Math.imul(k, 0x1b873593);
    a = (a << 13) | (a >>> 19);
    this.a = (Math.imul(a, 5) + 0xe6546b64) | 0;
    let j = Math.imul(w, 0x85ebca6b);
    j = (j << 16) | (j >>> 16);
    let b = this.b ^ Math.imul(j, 0xc2b2ae35);
    b = (b << 15) | (b >>> 17);
    this.b = (Math.imul(b, 5) + 0x52dce729) | 0;
  }

  /** Mix an integer of up to 53 bits (negative ones too: errnos in `rv`): its low word, and its high word when not 0. */
  num(x: number): void {
    this.mix(x | 0);
    if (x >= TWO32 || x < 0) {
      const hi = Math.floor(x / TWO32);
      if (hi !== 0) this.mix(hi ^ 0x5bd1e995);
    }
  }

  /** The lanes, finalised, as one integer below 2^53 (21 bits of one lane, 32 of the other). */
  done(): number {
    return (fmix32(this.a ^ 0x1f) >>> 11) * TWO32 + (fmix32(this.b ^ 0x2f) >>> 0);
  }
}

/** MurmurHash3's 32-bit finalizer: every input bit reaches every output bit. */
function fmix32(x: number): number {
  let h = x ^ (x >>> 16);
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

// Hashes of the strings a state holds (routine, pc and local names): a
// fixed vocabulary, so the table stays small; capped anyway.
const STRING_HASHES = new Map<string, number>();
const STRING_CACHE_LIMIT = 4096;

/** A 32-bit hash of a string (FNV-1a over its UTF-16 units, finalised). */
function strHash(s: string): number {
  let h = STRING_HASHES.get(s);
  if (h !== undefined) return h;
  h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h = fmix32(h ^ s.length);
  if (STRING_HASHES.size < STRING_CACHE_LIMIT) STRING_HASHES.set(s, h);
  return h;
}

const MEMORY_FINGERPRINTS = new WeakMap<MemoryState, number>();
const TASK_FINGERPRINTS = new WeakMap<KTask, number>();

function memoryFingerprint(mem: MemoryState): number {
  let fp = MEMORY_FINGERPRINTS.get(mem);
  if (fp !== undefined) return fp;
  const h = new Lanes();
  h.mix(mem.model === 'sc' ? 1 : 2);
  h.mix(mem.cells.length);
  for (const cell of mem.cells) {
    h.num(cell[0]);
    h.mix(cell[1]);
    h.num(cell[2]);
  }
  h.mix(mem.pages.length);
  for (const [page, status] of mem.pages) {
    h.num(page);
    h.mix(status === 'unmapped' ? 1 : 2);
  }
  h.mix(mem.buffers.length);
  for (const buffer of mem.buffers) {
    h.mix(buffer.length);
    for (const [addr, value] of buffer) {
      h.num(addr);
      h.num(value);
    }
  }
  fp = h.done();
  MEMORY_FINGERPRINTS.set(mem, fp);
  return fp;
}

function taskFingerprint(t: KTask): number {
  let fp = TASK_FINGERPRINTS.get(t);
  if (fp !== undefined) return fp;
  const h = new Lanes();
  h.num(t.tid);
  h.num(t.umcg);
  h.mix((t.pfw ? 1 : 0) | (t.onRq ? 2 : 0) | (t.sig ? 4 : 0));
  h.mix(t.ks.charCodeAt(0)); // 'R' | 'S' | 'D'
  h.num(t.cpu);
  h.num(t.allowed);
  h.num(t.preempt);
  h.num(t.spins);
  h.num(t.pfDisabled);
  h.mix(t.end.charCodeAt(0)); // 'none' | 'sigsegv' | 'exit'
  h.num(t.rv);
  h.num(t.rv2);
  h.mix(t.stack.length);
  for (const f of t.stack) frame(h, f);
  fp = h.done();
  TASK_FINGERPRINTS.set(t, fp);
  return fp;
}

function frame(h: Lanes, f: Frame): void {
  h.mix(strHash(f.fn));
  h.mix(strHash(f.pc));
  // The locals as a multiset of (name, value) pairs: a sum of their
  // hashes, so the order the names were added in does not matter.
  let sa = 0;
  let sb = 0;
  let n = 0;
  for (const name in f.v) {
    const v = f.v[name]!;
    const lo = fmix32(strHash(name) ^ Math.imul(v | 0, 0x9e3779b1) ^ fmix32(Math.floor(v / TWO32) | 0));
    sa = (sa + lo) | 0;
    sb = (sb + fmix32(lo ^ 0x27d4eb2f)) | 0;
    n++;
  }
  h.mix(n);
  h.mix(sa);
  h.mix(sb);
}

/**
 * The fingerprint of `s`, a non-negative integer below 2^53; `extra` (the
 * TSO store history's key) is mixed in when given.
 */
export function implFingerprint(s: ImplState, extra?: string): number {
  const h = new Lanes();
  h.num(memoryFingerprint(s.mem));
  h.mix(s.cpus.length);
  for (const c of s.cpus) h.num(c);
  h.num(s.envBudget);
  h.num(s.killedBy);
  h.num(s.warn);
  h.mix(s.tasks.length);
  for (const t of s.tasks) h.num(taskFingerprint(t));
  if (extra !== undefined) {
    h.mix(extra.length);
    for (let i = 0; i < extra.length; i++) h.mix(extra.charCodeAt(i));
  }
  return h.done();
}
