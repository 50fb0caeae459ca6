/**
 * Exponential moving averages of parameters, for evaluating a GAN.
 *
 * @module
 */
import * as tf from "./tf.ts";
import { checkChoice, checkNumber } from "./validate.ts";
import { HostMirror, tensorsOnHost } from "./host_math.ts";
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
 * ema.update(0); // rate scaled by a schedule at 0: the average stays
 * console.log(ema.shadowOf(w).dataSync()[0]); // 2
 * ema.dispose();
 * w.dispose();
 * ```
 */
export class EMA {
  /** Weight of the old average at each update. */
  readonly decay: number;
  /** Where updates run: host (JavaScript, the kernels' float32 bits), device, or auto (host on wasm and cpu). */
  readonly updateOn: "auto" | "host" | "device";
  #shadows = new Map<Variable, Variable>();
  #mirrors = new Map<Variable, HostMirror>();

  /** Copies `variables` as the starting averages; `decay` in [0, 1); `updateOn` as {@linkcode AdamOptions.updateOn}. */
  constructor(
    variables: readonly Variable[],
    decay: number,
    updateOn: "auto" | "host" | "device" = "auto",
  ) {
    this.updateOn = checkChoice("updateOn", updateOn, ["auto", "host", "device"] as const);
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
    this.#mirrors.get(shadow)?.flush();
    return shadow;
  }

  /**
   * Moves every average towards its variable's current value by
   * `min(1, (1 - decay) * rateScale)` of the gap. A `rateScale` that follows
   * a learning-rate schedule measures the average's horizon in optimizer
   * progress rather than in steps: as the schedule anneals to 0 the average
   * stops moving, instead of shrinking onto the last, unaveraged weights.
   */
  update(rateScale = 1): void {
    checkNumber("rateScale", rateScale, 0);
    const rate = Math.fround(Math.min(1, (1 - this.decay) * rateScale));
    if (this.updateOn === "host" || (this.updateOn === "auto" && tensorsOnHost())) {
      // The kernels' float32 arithmetic, one JavaScript pass per variable; the
      // averages stay on the host until read (shadowOf).
      for (const [variable, shadow] of this.#shadows) {
        let mirror = this.#mirrors.get(shadow);
        if (!mirror) this.#mirrors.set(shadow, mirror = new HostMirror(shadow));
        const values = variable.dataSync() as Float32Array;
        const average = mirror.values;
        for (let i = 0; i < average.length; i++) {
          average[i] = Math.fround(
            average[i] + Math.fround(Math.fround(values[i] - average[i]) * rate),
          );
        }
        mirror.markChanged();
      }
      return;
    }
    tf.tidy(() => {
      for (const [variable, shadow] of this.#shadows) {
        // shadow + rate * (value - shadow): one multiply fewer than the textbook form.
        shadow.assign(tf.add(shadow, tf.mul(tf.sub(variable, shadow), rate)));
      }
    });
  }

  /** Frees the averages. */
  dispose(): void {
    tf.dispose([...this.#shadows.values()]);
    this.#shadows.clear();
    this.#mirrors.clear();
  }
}
