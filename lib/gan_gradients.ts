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

/** The first `n` rows of `x` and the rest. */
export function splitRows(x: Tensor2D, n: number): [Tensor2D, Tensor2D] {
  const width = x.shape[1];
  return [tf.slice(x, [0, 0], [n, width]), tf.slice(x, [n, 0], [x.shape[0] - n, width])];
}

/**
 * D's loss on `real` against `fake` and its gradients. D runs once over both
 * (concatenated rows); nothing flows into whatever produced `fake`.
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
): LossGradients {
  return tf.tidy(() => {
    const n = real.shape[0];
    const trace = mlpForward(d, tf.concat([real, fake], 0));
    const [realLogits, fakeLogits] = splitRows(trace.output, n);
    const { value, grads: [dReal, dFake] } = tf.valueAndGrads((r: Tensor, f: Tensor) =>
      loss.dLoss(r, f)
    )([realLogits, fakeLogits]);
    const dLogits = tf.concat([dReal, dFake], 0) as Tensor2D;
    const { weights } = mlpBackward(d, trace, dLogits, { weights: true, input: false });
    return { loss: value as Scalar, gradients: weights! };
  });
}

/**
 * G's adversarial loss on latents `z` and its gradients (and, with
 * `latentGradient`, the latents' own gradient, for particles). `real` gives
 * the real logits the relativistic modes compare with (held fixed: they do
 * not depend on G); vanilla mode ignores it.
 *
 * @example
 * ```ts
 * import { GANLoss, generatorGradients, MLP, tf } from "@particlegan/particlegan";
 *
 * const g = new MLP({ sizes: [2, 8, 2], seed: 1 });
 * const d = new MLP({ sizes: [2, 8, 1], seed: 2 });
 * const { gradients, latentGradient } = generatorGradients(
 *   g,
 *   d,
 *   new GANLoss(),
 *   tf.ones([4, 2]),
 *   undefined,
 *   true,
 * );
 * console.log(gradients.length, latentGradient!.shape); // 4 [4, 2]
 * ```
 */
export function generatorGradients(
  g: MLP,
  d: MLP,
  loss: GANLoss,
  z: Tensor2D,
  real: Tensor2D | undefined,
  latentGradient: boolean,
): GeneratorGradients {
  if (loss.mode !== "vanilla" && !real) {
    throw new TypeError(`generatorGradients in mode "${loss.mode}" needs the real batch`);
  }
  return tf.tidy(() => {
    const gTrace = mlpForward(g, z);
    const realLogits = loss.mode === "vanilla" ? undefined : d.apply(real!);
    const dTrace = mlpForward(d, gTrace.output);
    const { value, grad: dLogits } = tf.valueAndGrad((f: Tensor) => loss.gLoss(f, realLogits))(
      dTrace.output,
    );
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
