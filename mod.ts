/**
 * particlegan: GANs that do not collapse, with a learnable particle prior.
 *
 * A table of learnable latent vectors ("particles") is sampled instead of
 * N(0, I) noise, trained jointly with the generator and discriminator, and
 * kept spread by a VICReg-style penalty, so the prior moves towards the
 * data's modes instead of the generator having to warp a fixed Gaussian
 * onto them.
 *
 * @example
 * ```ts
 * import { initBackend, ParticlePrior, VICRegLoss, tf } from "@particlegan/particlegan";
 *
 * await initBackend();
 * const prior = new ParticlePrior({ numParticles: 1000, zDim: 2, seed: 1 });
 * const { z, indices } = prior.sample(64);
 * const spread = new VICRegLoss().compute(z);
 * console.log(spread.dataSync()[0]);
 * tf.dispose([z, indices, spread]);
 * prior.dispose();
 * ```
 *
 * @module
 */
import * as tfjs from "./lib/tf.ts";
/**
 * TensorFlow.js (tfjs-core), prepared by particlegan: gradients registered,
 * fast matMul and gather gradients, production mode. Use it for your own ops
 * so they share particlegan's backend and tensors.
 */
export const tf: typeof tfjs = tfjs;
export type * from "./lib/types.ts";
export * from "./lib/backend.ts";
export * from "./lib/rng.ts";
export * from "./lib/adam.ts";
export * from "./lib/ema.ts";
export * from "./lib/mlp.ts";
export * from "./lib/backprop.ts";
export * from "./lib/gan_gradients.ts";
export * from "./lib/prior.ts";
export * from "./lib/sparse_prior.ts";
export * from "./lib/quasirandom.ts";
export * from "./lib/gan_loss.ts";
export * from "./lib/vicreg.ts";
export * from "./lib/r1.ts";
export * from "./lib/gaussian_prior.ts";
export * from "./lib/gaussian_grid.ts";
export * from "./lib/mode_coverage.ts";
export * from "./lib/trainer.ts";
export * from "./lib/text_codec.ts";
export * from "./lib/safetensors.ts";
export * from "./lib/checkpoint.ts";
export * from "./lib/version.ts";
