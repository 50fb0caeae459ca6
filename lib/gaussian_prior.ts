/**
 * The fixed N(0, I) prior of an ordinary GAN, for baselines.
 *
 * @module
 */
import * as tf from "./tf.ts";
import { Rng } from "./rng.ts";
import { checkInteger } from "./validate.ts";
import type { Tensor2D } from "./types.ts";

/** Options for {@linkcode GaussianPrior}. */
export interface GaussianPriorOptions {
  /** Width of each latent vector. */
  zDim: number;
  /** Seed of the sampling stream. */
  seed: number;
}

/**
 * Samples z ~ N(0, I) from a seeded stream (on the host, so runs are
 * identical on every backend).
 *
 * @example
 * ```ts
 * import { GaussianPrior } from "@particlegan/particlegan";
 *
 * const prior = new GaussianPrior({ zDim: 2, seed: 1 });
 * const z = prior.sample(4);
 * console.log(z.shape); // [4, 2]
 * z.dispose();
 * ```
 */
export class GaussianPrior {
  /** Width of each latent vector. */
  readonly zDim: number;
  /** The sampling stream (saved with checkpoints). */
  readonly rng: Rng;

  /** Creates the sampling stream from `options.seed`. */
  constructor(options: GaussianPriorOptions) {
    this.zDim = checkInteger("zDim", options.zDim, 1);
    this.rng = new Rng(checkInteger("seed", options.seed, Number.MIN_SAFE_INTEGER));
  }

  /** `batchSize` fresh draws, `[batchSize, zDim]`. */
  sample(batchSize: number, rng: Rng = this.rng): Tensor2D {
    checkInteger("batchSize", batchSize, 1);
    return tf.tensor2d(rng.normalArray(batchSize * this.zDim), [batchSize, this.zDim]);
  }
}
