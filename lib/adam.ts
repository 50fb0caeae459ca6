/**
 * Adam with its whole state in plain sight, so that checkpoints restore it exactly.
 *
 * @module
 */
import * as tf from "./tf.ts";
import { checkChoice, checkInteger, checkNumber } from "./validate.ts";
import { adamConstants, adamUpdateInPlace, HostMirror, tensorsOnHost } from "./host_math.ts";
import type { Scalar, Tensor, Variable } from "./types.ts";

/** Options for {@linkcode Adam}. */
export interface AdamOptions {
  /** Step size. */
  learningRate: number;
  /** Decay of the first moment (default 0.9). */
  beta1?: number;
  /** Decay of the second moment (default 0.999). */
  beta2?: number;
  /** Added to the bias-corrected root second moment (default 1e-8, PyTorch's). */
  epsilon?: number;
  /**
   * Where the update runs: `"host"` (JavaScript, one pass per parameter,
   * float64 arithmetic stored as float32: within float32 rounding of the
   * kernels), `"device"` (13 tfjs kernels per parameter), or `"auto"`
   * (default: host on the wasm and cpu backends, device elsewhere).
   */
  updateOn?: "auto" | "host" | "device";
}

/** A parameter and its two moment estimates. */
export interface AdamSlot {
  /** The parameter. */
  variable: Variable;
  /** First-moment estimate, same shape. */
  m: Variable;
  /** Second-moment estimate, same shape. */
  v: Variable;
}

/**
 * Adam (Kingma & Ba) as PyTorch computes it:
 * `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`,
 * `p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
 *
 * Unlike `tf.train.adam`, the bias corrections come from the step count `t`
 * (computed in double precision on the host, not accumulated in float32 on
 * the device), and the state is just `t` plus the moments of each parameter,
 * so a restored optimizer continues bit for bit. Moments are created as
 * zeros by {@linkcode Adam.track} or on a parameter's first update.
 *
 * @example
 * ```ts
 * import { Adam, tf } from "@particlegan/particlegan";
 *
 * const w = tf.variable(tf.tensor1d([1, -2]));
 * const adam = new Adam({ learningRate: 0.1 });
 * const { grads } = tf.variableGrads(() => tf.sum(tf.square(w)), [w]);
 * adam.applyGradients([{ variable: w, gradient: grads[w.name] }]);
 * console.log(w.dataSync()); // [0.9, -1.9]: the first step moves each weight by lr
 * tf.dispose(Object.values(grads));
 * adam.dispose();
 * w.dispose();
 * ```
 */
export class Adam {
  /** Step size; may be changed between steps (schedules). */
  learningRate: number;
  /** First-moment decay. */
  readonly beta1: number;
  /** Second-moment decay. */
  readonly beta2: number;
  /** Denominator offset. */
  readonly epsilon: number;
  /** Where updates run (see {@linkcode AdamOptions.updateOn}). */
  readonly updateOn: "auto" | "host" | "device";
  #step = 0;
  #slots = new Map<Variable, AdamSlot>();
  /** Host copies of [parameter, m, v] per parameter (host updates only). */
  #mirrors = new Map<Variable, HostMirror[]>();

  /** Checks the hyperparameters: `learningRate > 0`, betas in [0, 1), `epsilon >= 0`. */
  constructor(options: AdamOptions) {
    const { learningRate, beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8, updateOn = "auto" } = options;
    this.updateOn = checkChoice("updateOn", updateOn, ["auto", "host", "device"] as const);
    this.learningRate = checkNumber("learningRate", learningRate, Number.MIN_VALUE);
    this.beta1 = checkNumber("beta1", beta1, 0, 1);
    this.beta2 = checkNumber("beta2", beta2, 0, 1);
    if (this.beta1 === 1 || this.beta2 === 1) {
      throw new RangeError(`Adam betas must be < 1; got ${beta1}, ${beta2}`);
    }
    this.epsilon = checkNumber("epsilon", epsilon, 0);
  }

  /** Updates applied so far (`t`); assign a saved count when restoring. */
  get step(): number {
    return this.#step;
  }

  set step(value: number) {
    this.#step = checkInteger("Adam step", value, 0);
  }

  /** The tracked parameters with their moments, in the order they were first tracked. */
  get slots(): AdamSlot[] {
    // Host updates keep the moments on the host; the variables get them on demand.
    for (const mirrors of this.#mirrors.values()) mirrors.forEach((mirror) => mirror.flush());
    return [...this.#slots.values()];
  }

  /** Creates zero moments for `variables` now (so they exist before the first step). */
  track(variables: readonly Variable[]): void {
    for (const variable of variables) this.#slotOf(variable);
  }

  #slotOf(variable: Variable): AdamSlot {
    let slot = this.#slots.get(variable);
    if (!slot) {
      slot = tf.tidy(() => ({
        variable,
        m: tf.variable(tf.zerosLike(variable), false),
        v: tf.variable(tf.zerosLike(variable), false),
      }));
      this.#slots.set(variable, slot);
    }
    return slot;
  }

  /** One Adam step (`t += 1`) on each parameter with its gradient. */
  applyGradients(updates: readonly { variable: Variable; gradient: Tensor }[]): void {
    const t = ++this.#step;
    for (const { variable, gradient } of updates) {
      if (gradient && !tf.util.arraysEqual(gradient.shape, variable.shape)) {
        throw new RangeError(
          `gradient shape [${gradient.shape}] != parameter shape [${variable.shape}]`,
        );
      }
    }
    if (this.updateOn === "host" || (this.updateOn === "auto" && tensorsOnHost())) {
      // The same float32 arithmetic in JavaScript: one pass per parameter
      // instead of 13 kernels, the dominant cost of small networks on WASM.
      const k = adamConstants(this.learningRate, this.beta1, this.beta2, this.epsilon, t);
      for (const { variable, gradient } of updates) {
        if (!gradient) continue;
        let mirrors = this.#mirrors.get(variable);
        if (!mirrors) {
          const slot = this.#slotOf(variable);
          mirrors = [variable, slot.m, slot.v].map((x) => new HostMirror(x));
          this.#mirrors.set(variable, mirrors);
        }
        const [values, m, v] = mirrors.map((mirror) => mirror.values);
        adamUpdateInPlace(
          values,
          m,
          v,
          gradient.dataSync() as Float32Array,
          0,
          0,
          values.length,
          k,
        );
        // The parameter is needed on the device now; the moments only when read.
        mirrors[0].upload();
        mirrors[1].markChanged();
        mirrors[2].markChanged();
      }
      return;
    }
    const { beta1, beta2 } = this;
    // Bias corrections in float64, folded into two scalars.
    const stepSize = this.learningRate / (1 - beta1 ** t);
    const rootCorrection2 = Math.sqrt(1 - beta2 ** t);
    tf.tidy(() => {
      for (const { variable, gradient } of updates) {
        if (!gradient) continue;
        const { m, v } = this.#slotOf(variable);
        m.assign(tf.add(tf.mul(m, beta1), tf.mul(gradient, 1 - beta1)));
        v.assign(tf.add(tf.mul(v, beta2), tf.mul(tf.square(gradient), 1 - beta2)));
        const denominator = tf.add(tf.div(tf.sqrt(v), rootCorrection2), this.epsilon);
        variable.assign(tf.sub(variable, tf.mul(tf.div(m, denominator), stepSize)));
      }
    });
  }

  /** Frees the moments (not the parameters). */
  dispose(): void {
    for (const { m, v } of this.#slots.values()) tf.dispose([m, v]);
    this.#slots.clear();
    this.#mirrors.clear();
  }
}

/**
 * One step of each optimizer on its own variables, all with gradients of
 * the same `loss()`; returns the loss (the caller disposes it).
 *
 * @example
 * ```ts
 * import { Adam, minimize, tf } from "@particlegan/particlegan";
 * import type { Scalar } from "@particlegan/particlegan";
 *
 * const w = tf.variable(tf.tensor1d([1, -2]));
 * const adam = new Adam({ learningRate: 0.1 });
 * const loss = minimize([[adam, [w]]], () => tf.sum(tf.square(w)) as Scalar);
 * console.log(loss.dataSync()[0]); // 5, the loss before the step
 * loss.dispose();
 * adam.dispose();
 * w.dispose();
 * ```
 */
export function minimize(groups: readonly [Adam, Variable[]][], loss: () => Scalar): Scalar {
  const { value, grads } = tf.variableGrads(loss, groups.flatMap(([, variables]) => variables));
  for (const [optimizer, variables] of groups) {
    optimizer.applyGradients(
      variables.map((variable) => ({ variable, gradient: grads[variable.name] })),
    );
  }
  tf.dispose(Object.values(grads));
  return value;
}
