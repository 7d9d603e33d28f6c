/**
 * The seeded PRNG every random choice of the engine goes through:
 * xoshiro128** (Blackman and Vigna), seeded by splitmix32 from a 32-bit seed.
 * The same seed gives the same sequence on every platform (only 32-bit
 * integer arithmetic through Math.imul and >>> 0), so the same seed gives the
 * same trace byte for byte.
 */

/** splitmix32: a well-mixed 32-bit value from a 32-bit state (also used to derive per-run seeds). */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** The seed of run `index` of a check seeded with `seed` (independent of sharding). */
export function runSeed(seed: number, index: number): number {
  return mix32((mix32(seed >>> 0) ^ Math.imul(index + 1, 0x632be5ab)) >>> 0);
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      return mix32(x);
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** The next 32-bit unsigned value. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform integer in [0, n), n >= 1 (rejection sampling: no modulo bias). */
  int(n: number): number {
    if (!(n >= 1 && n <= 0x1_0000_0000)) throw new RangeError(`Rng.int: bad range ${n}`);
    const limit = 0x1_0000_0000 - (0x1_0000_0000 % n);
    for (;;) {
      const x = this.u32();
      if (x < limit) return x % n;
    }
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError('Rng.pick: empty list');
    return xs[this.int(xs.length)]!;
  }

  /** A new array with the elements of `xs` in uniformly random order (Fisher-Yates). */
  shuffle<T>(xs: readonly T[]): T[] {
    const out = [...xs];
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = out[i]!;
      out[i] = out[j]!;
      out[j] = t;
    }
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
