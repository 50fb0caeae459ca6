/**
 * The R1 gradient penalty (Mescheder et al., 2018).
 *
 * @module
 */
import * as tf from "./tf.ts";
import { checkNumber } from "./validate.ts";
import type { Scalar, Tensor } from "./types.ts";

/**
 * `gamma / 2 * mean_i ||dD(x_i)/dx_i||^2` on real samples `x` (first axis is
 * the batch). The result is differentiable with respect to D's parameters
 * (it differentiates through D's input gradient), so it can be added to D's
 * loss inside `optimizer.minimize`.
 *
 * @example
 * ```ts
 * import { MLP, r1Penalty, tf } from "@particlegan/particlegan";
 *
 * const d = new MLP({ sizes: [2, 8, 1], seed: 1 });
 * const x = tf.randomNormal([16, 2]);
 * const penalty = r1Penalty((input) => d.apply(input), x, 10);
 * console.log(penalty.dataSync()[0] >= 0); // true
 * ```
 */
export function r1Penalty(
  discriminator: (x: Tensor) => Tensor,
  x: Tensor,
  gamma = 10,
): Scalar {
  checkNumber("gamma", gamma, 0);
  if (x === null || typeof x !== "object" || !("rank" in x) || x.rank < 1) {
    throw new TypeError("r1Penalty needs x as a Tensor with a batch axis");
  }
  return tf.tidy(() => {
    // Each D(x_i) depends only on x_i, so the gradient of the sum gives every
    // per-sample input gradient at once.
    const inputGradient = tf.grad((input: Tensor) => tf.sum(discriminator(input)))(x);
    const axes = [...Array(x.rank).keys()].slice(1);
    const squaredNorms = axes.length
      ? tf.sum(tf.square(inputGradient), axes)
      : tf.square(inputGradient);
    return tf.mul(gamma / 2, tf.mean(squaredNorms)) as Scalar;
  });
}
