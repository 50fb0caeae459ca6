/**
 * A small seeded random number generator whose whole state can be saved and
 * restored, so training runs are reproducible and resumable.
 *
 * @module
 */

/** Serializable state of an {@linkcode Rng}: four unsigned 32-bit words. */
export type RngState = [number, number, number, number];

/** SplitMix32: spreads one 32-bit seed over the generator's state words. */
function splitMix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * xoshiro128** (Blackman and Vigna): fast, 2^128 - 1 period, good statistics.
 *
 * @example
 * ```ts
 * import { Rng } from "@particlegan/particlegan";
 *
 * const rng = new Rng(1234);
 * const saved = rng.state;
 * const a = rng.uniform();
 * rng.state = saved;
 * console.log(a === rng.uniform()); // true
 * ```
 */
export class Rng {
  #s = new Uint32Array(4);

  /** Seeds the generator; any integer works, equal seeds give equal streams. */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) {
      throw new TypeError(`Rng seed must be an integer; got ${seed}`);
    }
    const next = splitMix32(seed);
    for (let i = 0; i < 4; i++) this.#s[i] = next();
  }

  /** The generator's state; assign a saved state to continue from it. */
  get state(): RngState {
    return [this.#s[0], this.#s[1], this.#s[2], this.#s[3]];
  }

  set state(value: RngState) {
    if (!Array.isArray(value) || value.length !== 4 || !value.every(Number.isInteger)) {
      throw new TypeError("Rng state must be an array of four unsigned 32-bit integers");
    }
    this.#s.set(value.map((word) => word >>> 0));
  }

  /** The next unsigned 32-bit integer. */
  nextUint32(): number {
    const s = this.#s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A uniform float in [0, 1) with 32 bits of randomness. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** A uniform integer in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 4294967296) {
      throw new RangeError(`Rng.int(n) needs an integer n in [1, 2^32]; got ${n}`);
    }
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /**
   * A standard normal draw (Box-Muller). The second value of each pair is
   * dropped so that {@linkcode Rng.state} alone captures the generator.
   */
  normal(): number {
    // 1 - uniform() is in (0, 1], so the log is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    return radius * Math.cos(2 * Math.PI * this.uniform());
  }

  /** Fills a new Float32Array with normal draws of the given mean and std. */
  normalArray(length: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(length);
    for (let i = 0; i < length; i++) out[i] = mean + std * this.normal();
    return out;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
