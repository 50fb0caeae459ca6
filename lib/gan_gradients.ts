/**
 * The gradients of one GAN step, by hand: the loss's gradient with respect to
 * D's logits comes from tfjs's tape (a few small kernels over `[n, 1]`), and
 * {@linkcode mlpBackward} carries it through D and G. Tests compare both
 * functions with the tape over the whole step.
 *
 * @module
 */
import * as tf from "./tf.ts";
import { mlpBackward, mlpForward } from "./backprop.ts";
import type { GANLoss } from "./gan_loss.ts";
import { r1Penalty } from "./r1.ts";
import type { MLP } from "./mlp.ts";
import type { Scalar, Tensor, Tensor2D } from "./types.ts";

/** A loss and the gradients of a network's variables (in `net.variables` order). */
export interface LossGradients {
  /** The loss. */
  loss: Scalar;
  /** One gradient per variable of the network. */
  gradients: Tensor[];
}

/** {@linkcode LossGradients} of G, plus the gradient of G's input latents when asked for. */
export interface GeneratorGradients extends LossGradients {
  /** `[n, zDim]`: the loss's gradient with respect to each latent. */
  latentGradient?: Tensor2D;
}

/** Options of {@linkcode discriminatorGradients}. */
export interface DiscriminatorGradientOptions {
  /** R1 penalty weight on `real` (default 0: off). */
  r1Gamma?: number;
  /** Multiplies the loss and its gradients (a shard's share of the batch; default 1). */
  scale?: number;
}

/** Options of {@linkcode generatorGradients}. */
export interface GeneratorGradientOptions {
  /** The real rows the relativistic modes compare with (vanilla mode ignores them). */
  real?: Tensor2D;
  /** Also return the gradient of the latents (default false). */
  latentGradient?: boolean;
  /** Multiplies the loss and its gradients (a shard's share of the batch; default 1). */
  scale?: number;
}

/** The first `n` rows of `x` and the rest. */
export function splitRows(x: Tensor2D, n: number): [Tensor2D, Tensor2D] {
  const width = x.shape[1];
  return [tf.slice(x, [0, 0], [n, width]), tf.slice(x, [n, 0], [x.shape[0] - n, width])];
}

/**
 * D's loss on `real` against `fake` (plus R1 on `real` when asked) and its
 * gradients. D runs once over both (concatenated rows); nothing flows into
 * whatever produced `fake`.
 *
 * @example
 * ```ts
 * import { discriminatorGradients, GANLoss, MLP, tf } from "@particlegan/particlegan";
 *
 * const d = new MLP({ sizes: [2, 8, 1], seed: 1 });
 * const { loss, gradients } = discriminatorGradients(
 *   d,
 *   new GANLoss(),
 *   tf.ones([4, 2]),
 *   tf.zeros([4, 2]),
 * );
 * console.log(loss.shape, gradients.length); // [] 4
 * ```
 */
export function discriminatorGradients(
  d: MLP,
  loss: GANLoss,
  real: Tensor2D,
  fake: Tensor2D,
  options: DiscriminatorGradientOptions = {},
): LossGradients {
  const { r1Gamma = 0, scale = 1 } = options;
  if (r1Gamma > 0) {
    // R1 differentiates D's input gradient: a second-order gradient, so the tape.
    return tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const [realLogits, fakeLogits] = splitRows(
          d.apply(tf.concat([real, fake], 0)),
          real.shape[0],
        );
        const penalty = r1Penalty((x) => d.apply(x), real, r1Gamma);
        return tf.mul(tf.add(loss.dLoss(realLogits, fakeLogits), penalty), scale) as Scalar;
      }, d.variables);
      return { loss: value, gradients: d.variables.map((v) => grads[v.name]) };
    });
  }
  return tf.tidy(() => {
    const n = real.shape[0];
    const trace = mlpForward(d, tf.concat([real, fake], 0));
    const [realLogits, fakeLogits] = splitRows(trace.output, n);
    const { value, grads: [dReal, dFake] } = tf.valueAndGrads((r: Tensor, f: Tensor) =>
      tf.mul(loss.dLoss(r, f), scale) as Scalar
    )([realLogits, fakeLogits]);
    const dLogits = tf.concat([dReal, dFake], 0) as Tensor2D;
    const { weights } = mlpBackward(d, trace, dLogits, { weights: true, input: false });
    return { loss: value as Scalar, gradients: weights! };
  });
}

/**
 * G's adversarial loss on latents `z` and its gradients (and, with
 * `latentGradient`, the latents' own gradient, for particles). The
 * relativistic modes compare with D's logits on `options.real`, held fixed:
 * they do not depend on G.
 *
 * @example
 * ```ts
 * import { GANLoss, generatorGradients, MLP, tf } from "@particlegan/particlegan";
 *
 * const g = new MLP({ sizes: [2, 8, 2], seed: 1 });
 * const d = new MLP({ sizes: [2, 8, 1], seed: 2 });
 * const { gradients, latentGradient } = generatorGradients(g, d, new GANLoss(), tf.ones([4, 2]), {
 *   latentGradient: true,
 * });
 * console.log(gradients.length, latentGradient!.shape); // 4 [4, 2]
 * ```
 */
export function generatorGradients(
  g: MLP,
  d: MLP,
  loss: GANLoss,
  z: Tensor2D,
  options: GeneratorGradientOptions = {},
): GeneratorGradients {
  const { real, latentGradient = false, scale = 1 } = options;
  if (loss.mode !== "vanilla" && !real) {
    throw new TypeError(`generatorGradients in mode "${loss.mode}" needs the real rows`);
  }
  return tf.tidy(() => {
    const gTrace = mlpForward(g, z);
    const realLogits = loss.mode === "vanilla" ? undefined : d.apply(real!);
    const dTrace = mlpForward(d, gTrace.output);
    const { value, grad: dLogits } = tf.valueAndGrad((f: Tensor) =>
      tf.mul(loss.gLoss(f, realLogits), scale) as Scalar
    )(dTrace.output);
    const { input: dFake } = mlpBackward(d, dTrace, dLogits as Tensor2D, {
      weights: false,
      input: true,
    });
    const { weights, input } = mlpBackward(g, gTrace, dFake!, {
      weights: true,
      input: latentGradient,
    });
    return { loss: value as Scalar, gradients: weights!, latentGradient: input };
  });
}
