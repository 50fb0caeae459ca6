/**
 * Float32 arithmetic on the host that matches tfjs's device kernels bit for
 * bit: every operation is rounded to float32 (`Math.fround`) in the order the
 * kernels run. Rounding a float64 `+ - * / sqrt` to float32 gives the
 * correctly rounded float32 result, which is what WASM and the cpu backend
 * compute. Internal: not part of the package's API.
 *
 * @module
 */
import * as tf from "./tf.ts";
import type { Variable } from "./types.ts";

const f32 = Math.fround;

/** Adam's constants for step `t`, each rounded to float32 as a tfjs scalar would be. */
export interface AdamConstants {
  beta1: number;
  beta2: number;
  oneMinusBeta1: number;
  oneMinusBeta2: number;
  /** learningRate / (1 - beta1^t), bias correction in float64 first. */
  stepSize: number;
  /** sqrt(1 - beta2^t). */
  rootCorrection2: number;
  epsilon: number;
}

/** The float32 constants of Adam step `t` (from 1). */
export function adamConstants(
  learningRate: number,
  beta1: number,
  beta2: number,
  epsilon: number,
  t: number,
): AdamConstants {
  return {
    beta1: f32(beta1),
    beta2: f32(beta2),
    oneMinusBeta1: f32(1 - beta1),
    oneMinusBeta2: f32(1 - beta2),
    stepSize: f32(learningRate / (1 - beta1 ** t)),
    rootCorrection2: f32(Math.sqrt(1 - beta2 ** t)),
    epsilon: f32(epsilon),
  };
}

/**
 * One Adam update of `count` entries in place: `values[at + i]`, `m[at + i]`,
 * `v[at + i]` with gradient `gradients[from + i]`. The same float32
 * operations, in the same order, as {@linkcode Adam} on the device.
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
  for (let i = 0; i < count; i++) {
    const g = gradients[from + i];
    const j = at + i;
    const mj = f32(f32(m[j] * k.beta1) + f32(g * k.oneMinusBeta1));
    const vj = f32(f32(v[j] * k.beta2) + f32(f32(g * g) * k.oneMinusBeta2));
    const denominator = f32(f32(f32(Math.sqrt(vj)) / k.rootCorrection2) + k.epsilon);
    m[j] = mj;
    v[j] = vj;
    values[j] = f32(values[j] - f32(f32(mj / denominator) * k.stepSize));
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

/** Replaces a variable's value with `values` (same shape). */
export function assignValues(variable: Variable, values: Float32Array): void {
  tf.tidy(() => variable.assign(tf.tensor(values, variable.shape, "float32")));
}
