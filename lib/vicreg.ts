/**
 * The VICReg-style spread penalty that keeps particles from collapsing.
 *
 * @module
 */
import * as tf from "./tf.ts";
import { checkNumber, checkTensor } from "./validate.ts";
import type { Scalar, Tensor } from "./types.ts";

/** Options for {@linkcode VICRegLoss}. */
export interface VICRegOptions {
  /** Per-dimension standard deviation below which the variance term pushes (default 1). */
  targetStd?: number;
  /** Added to the variance before the square root, so its gradient stays finite (default 1e-4). */
  eps?: number;
}

/**
 * Variance and covariance terms of VICReg (Bardes et al., 2022) on a batch
 * `z` of shape `[n, d]`:
 *
 * - variance: `mean_j relu(targetStd - sqrt(var_j + eps))`, with the unbiased
 *   variance of column j, so no dimension shrinks below `targetStd`;
 * - covariance: the sum of squared off-diagonal entries of the unbiased
 *   covariance matrix, divided by d, so dimensions stay decorrelated.
 *
 * @example
 * ```ts
 * import { VICRegLoss, tf } from "@particlegan/particlegan";
 *
 * const vicreg = new VICRegLoss({ targetStd: 1 });
 * const z = tf.tensor2d([[0, 0], [0.1, 0], [0, 0.1]]);
 * console.log(vicreg.compute(z).dataSync()[0] > 0.9); // true: the points are squeezed
 * ```
 */
export class VICRegLoss {
  /** The variance target. */
  readonly targetStd: number;
  /** The variance floor inside the square root. */
  readonly eps: number;

  /** Checks the options; negative or non-finite values throw. */
  constructor(options: VICRegOptions = {}) {
    const { targetStd = 1, eps = 1e-4 } = options;
    this.targetStd = checkNumber("targetStd", targetStd, 0);
    this.eps = checkNumber("eps", eps, 0);
  }

  /** The penalty on `z`, a scalar. `z` needs at least 2 rows (the variance is unbiased). */
  compute(z: Tensor): Scalar {
    checkTensor("z", z, 2);
    const [n, d] = z.shape;
    if (n < 2) {
      throw new RangeError(
        `VICRegLoss needs at least 2 rows in z to estimate a variance; got ${n}`,
      );
    }
    return tf.tidy(() => {
      const centered = tf.sub(z, tf.mean(z, 0));
      const variance = tf.div(tf.sum(tf.square(centered), 0), n - 1);
      const std = tf.sqrt(tf.add(variance, this.eps));
      const varianceTerm = tf.mean(tf.relu(tf.sub(this.targetStd, std)));
      if (d === 1) return varianceTerm as Scalar;
      const covariance = tf.div(tf.matMul(tf.transpose(centered), centered), n - 1);
      // Off-diagonal sum of squares = all squares minus the diagonal's (the variances).
      const offDiagonal = tf.sub(tf.sum(tf.square(covariance)), tf.sum(tf.square(variance)));
      return tf.add(varianceTerm, tf.div(offDiagonal, d)) as Scalar;
    });
  }
}
