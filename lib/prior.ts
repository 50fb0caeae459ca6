/**
 * The particle prior: a learnable table of latent vectors sampled in place of
 * noise.
 *
 * @module
 */
import * as tf from "./tf.ts";
import { Rng } from "./rng.ts";
import { checkChoice, checkInteger, checkNumber } from "./validate.ts";
import { r2NormalArray } from "./quasirandom.ts";
import type { Tensor1D, Tensor2D, Variable } from "./types.ts";

/** Options for {@linkcode ParticlePrior}. */
export interface ParticlePriorOptions {
  /** Rows of the table (default 100,000). */
  numParticles?: number;
  /** Width of each latent vector (default 256). */
  zDim?: number;
  /** Standard deviation of the N(0, initStd^2) initialization (default 1). */
  initStd?: number;
  /**
   * How the table starts: `"normal"` (independent draws, the original's) or
   * `"r2"` (quasi-random N(0, initStd^2) points from the R2 sequence, which
   * spread evenly: no two particles start next to each other). Default `"normal"`.
   */
  init?: "normal" | "r2";
  /** Seed for the initialization and the default sampling stream. */
  seed?: number;
}

/** Options for {@linkcode ParticlePrior.sample}. */
export interface SampleOptions {
  /** Take rows `offset .. offset + batchSize - 1` instead of random rows. */
  fixedFirstN?: boolean;
  /** First row when `fixedFirstN` is set (default 0). */
  offset?: number;
  /** Random stream for the indices (default: the prior's own). */
  rng?: Rng;
}

/** A batch of particles and the rows they came from. */
export interface ParticleSample {
  /** The particles, `[batchSize, zDim]`, differentiable with respect to `prior.z`. */
  z: Tensor2D;
  /** Their row indices, int32 `[batchSize]`. */
  indices: Tensor1D;
}

/** Largest table a Float32Array can hold (2^31 - 1 elements in V8). */
const MAX_ELEMENTS = 2 ** 31 - 1;

/**
 * A table of `numParticles` learnable latent vectors ("particles"), trained
 * jointly with the generator instead of sampling a fixed N(0, I).
 *
 * Train it with any tfjs optimizer on `prior.z`, typically at 10x the
 * generator's learning rate.
 *
 * @example
 * ```ts
 * import { ParticlePrior, tf } from "@particlegan/particlegan";
 * import type { Scalar } from "@particlegan/particlegan";
 *
 * const prior = new ParticlePrior({ numParticles: 1000, zDim: 2, seed: 1 });
 * const optimizer = tf.train.adam(1e-3, 0.5, 0.999);
 * optimizer.minimize(() => {
 *   const { z, indices } = prior.sample(64);
 *   indices.dispose();
 *   return tf.mean(tf.square(z)) as Scalar; // any loss of the particles
 * }, false, [prior.z]);
 * prior.dispose();
 * optimizer.dispose();
 * ```
 */
export class ParticlePrior {
  /** The particles, `[numParticles, zDim]`. */
  readonly z: Variable;
  /** The default random stream for sampling indices. */
  readonly rng: Rng;

  /** Creates the table from N(0, initStd^2) (independent or R2 points) with `options.seed`. */
  constructor(options: ParticlePriorOptions = {}) {
    const { numParticles = 100_000, zDim = 256, initStd = 1, init = "normal" } = options;
    checkInteger("numParticles", numParticles, 1);
    checkInteger("zDim", zDim, 1);
    checkNumber("initStd", initStd, 0);
    checkChoice("init", init, ["normal", "r2"] as const);
    if (numParticles * zDim > MAX_ELEMENTS) {
      throw new RangeError(
        `numParticles * zDim must be at most ${MAX_ELEMENTS}; got ${numParticles} * ${zDim} = ` +
          `${numParticles * zDim} (${((numParticles * zDim * 4) / 2 ** 30).toFixed(1)} GiB)`,
      );
    }
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
    checkInteger("seed", seed, Number.MIN_SAFE_INTEGER);
    const initRng = new Rng(seed);
    const values = init === "r2"
      ? r2NormalArray(numParticles, zDim, initRng, initStd)
      : initRng.normalArray(numParticles * zDim, 0, initStd);
    this.z = tf.tidy(() => tf.variable(tf.tensor2d(values, [numParticles, zDim])));
    // A stream of its own, so drawing indices never shifts the initialization.
    this.rng = new Rng(initRng.nextUint32());
  }

  /** Rows of the table. */
  get numParticles(): number {
    return this.z.shape[0];
  }

  /** Width of each particle. */
  get zDim(): number {
    return this.z.shape[1]!;
  }

  /**
   * `batchSize` row indices drawn uniformly with replacement.
   *
   * @example
   * ```ts
   * import { ParticlePrior } from "@particlegan/particlegan";
   *
   * const prior = new ParticlePrior({ numParticles: 10, zDim: 2, seed: 1 });
   * const indices = prior.sampleIndices(4);
   * console.log(indices.dtype); // "int32"
   * indices.dispose();
   * prior.dispose();
   * ```
   */
  sampleIndices(batchSize: number, rng: Rng = this.rng): Tensor1D {
    return tf.tensor1d(this.drawIndices(batchSize, rng), "int32");
  }

  /**
   * Like {@linkcode ParticlePrior.sampleIndices}, but on the host: training
   * loops use it to find a batch's unique rows without a device round trip.
   *
   * @example
   * ```ts
   * import { ParticlePrior } from "@particlegan/particlegan";
   *
   * const prior = new ParticlePrior({ numParticles: 10, zDim: 2, seed: 1 });
   * console.log(prior.drawIndices(3).length); // 3
   * prior.dispose();
   * ```
   */
  drawIndices(batchSize: number, rng: Rng = this.rng): Int32Array {
    checkInteger("batchSize", batchSize, 1);
    const indices = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) indices[i] = rng.int(this.numParticles);
    return indices;
  }

  /**
   * The rows of `z` at `indices`, differentiable with respect to `z`.
   *
   * @example
   * ```ts
   * import { ParticlePrior, tf } from "@particlegan/particlegan";
   *
   * const prior = new ParticlePrior({ numParticles: 10, zDim: 2, seed: 1 });
   * const rows = prior.gather(tf.tensor1d([0, 3], "int32"));
   * console.log(rows.shape); // [2, 2]
   * prior.dispose();
   * ```
   */
  gather(indices: Tensor1D): Tensor2D {
    if (indices.rank !== 1 || indices.dtype !== "int32") {
      throw new TypeError(
        `indices must be a rank-1 int32 tensor; got rank ${indices.rank} ${indices.dtype}`,
      );
    }
    return tf.gather(this.z, indices) as Tensor2D;
  }

  /**
   * A batch of particles: random rows, or with `fixedFirstN` the rows
   * `offset .. offset + batchSize - 1` (for evaluation snapshots).
   *
   * @example
   * ```ts
   * import { ParticlePrior } from "@particlegan/particlegan";
   *
   * const prior = new ParticlePrior({ numParticles: 100, zDim: 2, seed: 1 });
   * const { z, indices } = prior.sample(8, { fixedFirstN: true, offset: 10 });
   * console.log(z.shape, indices.dataSync()[0]); // [8, 2] 10
   * z.dispose();
   * indices.dispose();
   * prior.dispose();
   * ```
   */
  sample(batchSize: number, options: SampleOptions = {}): ParticleSample {
    const { fixedFirstN = false, offset = 0, rng = this.rng } = options;
    checkInteger("batchSize", batchSize, 1);
    checkInteger("offset", offset, 0);
    let indices: Tensor1D;
    if (fixedFirstN) {
      if (offset + batchSize > this.numParticles) {
        throw new RangeError(
          `offset + batchSize must be <= numParticles; got ${offset} + ${batchSize} > ${this.numParticles}`,
        );
      }
      indices = tf.range(offset, offset + batchSize, 1, "int32") as Tensor1D;
    } else {
      indices = this.sampleIndices(batchSize, rng);
    }
    return { z: this.gather(indices), indices };
  }

  /** Frees the particle table. */
  dispose(): void {
    this.z.dispose();
  }
}
