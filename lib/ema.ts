/**
 * Exponential moving averages of parameters, for evaluating a GAN.
 *
 * @module
 */
import * as tf from "./tf.ts";
import { checkNumber } from "./validate.ts";
import type { Variable } from "./types.ts";

/**
 * Keeps `shadow = decay * shadow + (1 - decay) * value` for each variable,
 * starting from the variables' values at construction (so no bias
 * correction is needed). GAN parameters orbit an equilibrium; their average
 * sits closer to it, which makes samples sharper and evaluations steadier.
 *
 * @example
 * ```ts
 * import { EMA, tf } from "@particlegan/particlegan";
 *
 * const w = tf.variable(tf.scalar(0));
 * const ema = new EMA([w], 0.5);
 * w.assign(tf.scalar(4));
 * ema.update();
 * console.log(ema.shadowOf(w).dataSync()[0]); // 2
 * ema.dispose();
 * w.dispose();
 * ```
 */
export class EMA {
  /** Weight of the old average at each update. */
  readonly decay: number;
  #shadows = new Map<Variable, Variable>();

  /** Copies `variables` as the starting averages; `decay` in [0, 1). */
  constructor(variables: readonly Variable[], decay: number) {
    this.decay = checkNumber("decay", decay, 0, 1);
    if (decay === 1) throw new RangeError("EMA decay must be < 1; got 1");
    for (const v of variables) {
      this.#shadows.set(v, tf.tidy(() => tf.variable(tf.clone(v), false)));
    }
  }

  /** The average of `variable`. */
  shadowOf(variable: Variable): Variable {
    const shadow = this.#shadows.get(variable);
    if (!shadow) throw new RangeError(`EMA does not track variable ${variable.name}`);
    return shadow;
  }

  /** Moves every average one step towards its variable's current value. */
  update(): void {
    tf.tidy(() => {
      for (const [variable, shadow] of this.#shadows) {
        // shadow + (1 - decay) * (value - shadow): one multiply fewer than the textbook form.
        shadow.assign(tf.add(shadow, tf.mul(tf.sub(variable, shadow), 1 - this.decay)));
      }
    });
  }

  /** Frees the averages. */
  dispose(): void {
    tf.dispose([...this.#shadows.values()]);
    this.#shadows.clear();
  }
}
