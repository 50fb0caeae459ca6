/**
 * A plain multilayer perceptron with its parameters in the open.
 *
 * @module
 */
import * as tf from "./tf.ts";
import { Rng } from "./rng.ts";
import { checkInteger, checkNumber } from "./validate.ts";
import type { Tensor, Tensor2D, Variable } from "./types.ts";

/** One fully connected layer: `y = x @ kernel + bias`. */
export interface DenseLayer {
  /** Weights of shape `[inputs, outputs]`. */
  kernel: Variable;
  /** Biases of shape `[outputs]`. */
  bias: Variable;
}

/** Options for {@linkcode MLP}. */
export interface MLPOptions {
  /** Layer widths from input to output, e.g. `[2, 128, 128, 128, 1]`. */
  sizes: readonly number[];
  /** Negative slope of the LeakyReLU between layers (default 0.2). */
  leakyReluAlpha?: number;
  /** Seed for the Glorot-uniform weights (biases start at zero). */
  seed: number;
}

/**
 * An MLP with LeakyReLU between layers and a linear output, Glorot (Xavier)
 * uniform weights and zero biases, like `nn.Linear` stacks initialized with
 * `xavier_uniform_`.
 *
 * @example
 * ```ts
 * import { MLP, tf } from "@particlegan/particlegan";
 *
 * const net = new MLP({ sizes: [2, 16, 1], seed: 1 });
 * const y = net.apply(tf.ones([4, 2]));
 * console.log(y.shape); // [4, 1]
 * y.dispose();
 * net.dispose();
 * ```
 */
export class MLP {
  /** The layers, input first. */
  readonly layers: readonly DenseLayer[];
  /** Negative slope of the hidden activations. */
  readonly leakyReluAlpha: number;

  /** Creates the layers with Glorot-uniform weights drawn from `options.seed`. */
  constructor(options: MLPOptions) {
    const { sizes, leakyReluAlpha = 0.2, seed } = options;
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new RangeError(`MLP sizes must list at least 2 widths; got ${JSON.stringify(sizes)}`);
    }
    sizes.forEach((size, i) => checkInteger(`MLP sizes[${i}]`, size, 1));
    this.leakyReluAlpha = checkNumber("MLP leakyReluAlpha", leakyReluAlpha, 0, 1);
    const rng = new Rng(checkInteger("MLP seed", seed, Number.MIN_SAFE_INTEGER));
    const layers: DenseLayer[] = [];
    for (let i = 0; i + 1 < sizes.length; i++) {
      const [fanIn, fanOut] = [sizes[i], sizes[i + 1]];
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const values = new Float32Array(fanIn * fanOut);
      for (let j = 0; j < values.length; j++) values[j] = (2 * rng.uniform() - 1) * limit;
      layers.push({
        kernel: tf.tidy(() => tf.variable(tf.tensor2d(values, [fanIn, fanOut]))),
        bias: tf.tidy(() => tf.variable(tf.zeros([fanOut]))),
      });
    }
    this.layers = layers;
  }

  /**
   * The same network over other weights of the same shapes, for example a
   * `EMA`'s averages; the result shares them (disposing it frees them).
   */
  withWeights(weightOf: (variable: Variable) => Variable): MLP {
    const copy = Object.create(MLP.prototype) as MLP;
    const layers = this.layers.map(({ kernel, bias }) => ({
      kernel: weightOf(kernel),
      bias: weightOf(bias),
    }));
    layers.forEach((layer, i) => {
      if (
        !tf.util.arraysEqual(layer.kernel.shape, this.layers[i].kernel.shape) ||
        !tf.util.arraysEqual(layer.bias.shape, this.layers[i].bias.shape)
      ) {
        throw new RangeError(`withWeights: layer ${i} weights do not match the network's shapes`);
      }
    });
    Object.assign(copy, { layers, leakyReluAlpha: this.leakyReluAlpha });
    return copy;
  }

  /** Every trainable variable, in layer order (kernel, bias, ...). */
  get variables(): Variable[] {
    return this.layers.flatMap((layer) => [layer.kernel, layer.bias]);
  }

  /** Every variable by a stable name: `${prefix}.${layer}.kernel` and `.bias`. */
  namedVariables(prefix: string): Record<string, Variable> {
    return Object.fromEntries(
      this.layers.flatMap((layer, i) => [
        [`${prefix}.${i}.kernel`, layer.kernel],
        [`${prefix}.${i}.bias`, layer.bias],
      ]),
    );
  }

  /** Width of the input. */
  get inputSize(): number {
    return this.layers[0].kernel.shape[0];
  }

  /** Width of the output. */
  get outputSize(): number {
    return this.layers[this.layers.length - 1].kernel.shape[1]!;
  }

  /** Runs the network on a `[batch, inputSize]` tensor. */
  apply(x: Tensor): Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inputSize) {
      throw new RangeError(
        `MLP input must have shape [batch, ${this.inputSize}]; got [${x.shape.join(", ")}]`,
      );
    }
    return tf.tidy(() => {
      let h = x as Tensor2D;
      this.layers.forEach((layer, i) => {
        h = tf.add(tf.matMul(h, layer.kernel), layer.bias);
        // x * step(x, alpha) is leakyRelu bit for bit, and 2 fast kernels on
        // WASM where tfjs's LeakyRelu kernel is ~8x slower than both together.
        if (i + 1 < this.layers.length) h = tf.mul(h, tf.step(h, this.leakyReluAlpha));
      });
      return h;
    });
  }

  /** Frees the variables. */
  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
