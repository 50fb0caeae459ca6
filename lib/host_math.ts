/**
 * Elementwise work on the host for backends whose tensors live in host
 * memory (wasm, cpu): Adam's update and host copies of variables. Internal:
 * not part of the package's API.
 *
 * @module
 */
import * as tf from "./tf.ts";
import type { Variable } from "./types.ts";

/** Adam's constants for step `t`. */
export interface AdamConstants {
  beta1: number;
  beta2: number;
  oneMinusBeta1: number;
  oneMinusBeta2: number;
  /** learningRate / (1 - beta1^t) * sqrt(1 - beta2^t): both bias corrections folded. */
  stepSize: number;
  /** epsilon * sqrt(1 - beta2^t), the denominator's offset once the corrections are folded. */
  epsilon: number;
}

/** The constants of Adam step `t` (from 1), in float64. */
export function adamConstants(
  learningRate: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  t: number,
): AdamConstants {
  const rootCorrection2 = Math.sqrt(1 - beta2 ** t);
  return {
    beta1,
    beta2,
    oneMinusBeta1: 1 - beta1,
    oneMinusBeta2: 1 - beta2,
    stepSize: (learningRate / (1 - beta1 ** t)) * rootCorrection2,
    epsilon: epsilon * rootCorrection2,
  };
}

/**
 * One Adam update of `count` entries in place: `values[at + i]`, `m[at + i]`,
 * `v[at + i]` with gradient `gradients[from + i]`. PyTorch's formula,
 * `p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)`,
 * rearranged to one square root and one division per entry and computed in
 * float64, each result stored as float32: within float32 rounding of the
 * kernels' version, at half the cost of rounding every operation.
 */
export function adamUpdateInPlace(
  values: Float32Array,
  m: Float32Array,
  v: Float32Array,
  gradients: Float32Array,
  at: number,
  from: number,
  count: number,
  k: AdamConstants,
): void {
  const { beta1, beta2, oneMinusBeta1, oneMinusBeta2, stepSize, epsilon } = k;
  for (let i = 0; i < count; i++) {
    const g = gradients[from + i];
    const j = at + i;
    const mj = beta1 * m[j] + oneMinusBeta1 * g;
    const vj = beta2 * v[j] + oneMinusBeta2 * g * g;
    m[j] = mj;
    v[j] = vj;
    values[j] -= (stepSize * mj) / (Math.sqrt(vj) + epsilon);
  }
}

/**
 * Whether the current backend keeps tensors in host memory (wasm, cpu), where
 * reading a tensor is a copy and elementwise work is cheaper in JavaScript
 * than as a dozen small kernels.
 */
export function tensorsOnHost(): boolean {
  const backend = tf.getBackend();
  return backend === "wasm" || backend === "cpu";
}

/** A copy of a float32 tensor's values (never the backend's own buffer). */
export function readCopy(x: tf.Tensor): Float32Array {
  return Float32Array.from(x.dataSync() as Float32Array);
}

/**
 * Replaces a variable's value with `values` (same shape). The variable never
 * shares `values`' memory (the cpu backend would keep the array itself), so
 * the caller may go on changing it.
 */
export function assignValues(variable: Variable, values: Float32Array): void {
  const own = tf.getBackend() === "cpu" ? values.slice() : values;
  tf.tidy(() => variable.assign(tf.tensor(own, variable.shape, "float32")));
}

/**
 * A host copy of a variable's values that follows it: {@linkcode HostMirror.values}
 * re-reads the variable only when its data changed behind our back (an
 * `assign` from elsewhere gives it a new `dataId`).
 */
export class HostMirror {
  readonly #variable: Variable;
  #values: Float32Array;
  #dataId: object;
  #stale = false;

  /** Copies the variable's current values. */
  constructor(variable: Variable) {
    this.#variable = variable;
    this.#values = readCopy(variable);
    this.#dataId = variable.dataId;
  }

  /** The values, for reading and changing in place. */
  get values(): Float32Array {
    if (this.#variable.dataId !== this.#dataId) {
      this.#values = readCopy(this.#variable);
      this.#dataId = this.#variable.dataId;
      this.#stale = false;
    }
    return this.#values;
  }

  /** Uploads the values to the variable now. */
  upload(): void {
    assignValues(this.#variable, this.#values);
    this.#dataId = this.#variable.dataId;
    this.#stale = false;
  }

  /** Marks the values as changed, to be uploaded by {@linkcode HostMirror.flush}. */
  markChanged(): void {
    this.#stale = true;
  }

  /**
   * Uploads the values if they changed since the last upload, unless the
   * variable was assigned meanwhile: then its new value wins.
   */
  flush(): void {
    if (this.#stale && this.#variable.dataId === this.#dataId) this.upload();
    this.#stale = false;
  }
}
