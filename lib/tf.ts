/**
 * The one module that imports TensorFlow.js and prepares it for training.
 *
 * Everything else in particlegan imports `tf` from here, so that tfjs is always
 * set up the same way before the first op runs:
 *
 * - gradients are registered (tfjs-core alone registers none; importing
 *   tfjs-layers registers all of them in tfjs's shared registry);
 * - the BatchMatMul gradient is replaced by one that transposes explicitly,
 *   because WASM `matMul` with transpose flags is about 10x slower than a
 *   transpose followed by a plain `matMul`;
 * - the GatherV2 gradient (rows of a table) uses ScatterNd, which WASM has,
 *   instead of UnsortedSegmentSum, which it lacks;
 * - comparison kernels get zero gradients, so second-order gradients (R1)
 *   can pass through `relu`/`leakyRelu`, whose gradients use comparisons;
 * - production mode is on (no debug checks, no Node banner);
 * - the cpu backend is active until `initBackend()` picks a faster one, so
 *   ops work (slowly) even before it is called.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-layers";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";

export * from "@tensorflow/tfjs-core";

tf.env().set("PROD", true);
await tf.setBackend("cpu");

/** tfjs's own BatchMatMul gradient, kept so tests can compare against it. */
export const stockBatchMatMulGradient: tf.GradConfig | undefined = tf.getGradient("BatchMatMul");

/** Swaps the last two axes (a matrix transpose that also works on batches). */
function transposeLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = [...Array(x.rank).keys()];
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return tf.transpose(x, perm);
}

/** `op(a) @ op(b)` with explicit transposes and no transpose flags. */
function matMulExplicit(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean) {
  return tf.matMul(
    transposeA ? transposeLastTwo(a) : a,
    transposeB ? transposeLastTwo(b) : b,
  );
}

/**
 * The BatchMatMul gradient with the same four cases as tfjs's, written with
 * explicit transposes. For C = op(A) op(B) with upstream gradient G:
 * dA = G B^T (or B G^T when A was transposed), dB = A^T G (or G^T A).
 */
export const explicitBatchMatMulGradient: tf.GradConfig = {
  kernelName: "BatchMatMul",
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const g = dy as tf.Tensor;
    if (!transposeA && !transposeB) {
      return {
        a: () => matMulExplicit(g, b, false, true),
        b: () => matMulExplicit(a, g, true, false),
      };
    }
    if (!transposeA && transposeB) {
      return {
        a: () => matMulExplicit(g, b, false, false),
        b: () => matMulExplicit(g, a, true, false),
      };
    }
    if (transposeA && !transposeB) {
      return {
        a: () => matMulExplicit(b, g, false, true),
        b: () => matMulExplicit(a, g, false, false),
      };
    }
    return { a: () => matMulExplicit(b, g, true, true), b: () => matMulExplicit(g, a, true, true) };
  },
};
tf.registerGradient(explicitBatchMatMulGradient);

const stockGatherGradient = tf.getGradient("GatherV2");

/**
 * Gradient of `gather(x, indices)` along axis 0: the upstream rows added into
 * zeros at `indices` (duplicates sum). Other axes keep tfjs's gradient.
 */
export const scatterGatherGradient: tf.GradConfig = {
  kernelName: "GatherV2",
  inputsToSave: ["x", "indices"],
  gradFunc: (dy, saved, attrs) => {
    const [x, indices] = saved;
    const { axis, batchDims } = attrs as { axis: number; batchDims: number };
    if (axis !== 0 || batchDims !== 0 || indices.rank !== 1 || !stockGatherGradient) {
      return stockGatherGradient!.gradFunc(dy, saved, attrs);
    }
    return {
      x: () => tf.scatterND(tf.expandDims(indices, 1), dy as tf.Tensor, x.shape),
      indices: () => tf.zerosLike(indices),
    };
  },
};
tf.registerGradient(scatterGatherGradient);

/** tfjs's own LeakyRelu gradient, kept so tests can compare against it. */
export const stockLeakyReluGradient: tf.GradConfig | undefined = tf.getGradient("LeakyRelu");

/**
 * LeakyRelu's gradient as `dy * step(x, alpha)` (1 where x > 0, alpha
 * elsewhere, as tfjs's): two kernels instead of tfjs's three (Greater,
 * Multiply, Select). Step's own gradient is zero, so R1's second-order
 * gradients still pass.
 */
export const stepLeakyReluGradient: tf.GradConfig = {
  kernelName: "LeakyRelu",
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const { alpha } = attrs as { alpha: number };
    return { x: () => tf.mul(dy as tf.Tensor, tf.step(saved[0], alpha)) };
  },
};
tf.registerGradient(stepLeakyReluGradient);

// Comparisons are piecewise constant: their true gradient is zero almost
// everywhere. tfjs registers none, which breaks second-order gradients through
// relu/leakyRelu (their gradients call `greater`).
for (const kernelName of ["Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual"]) {
  tf.registerGradient({
    kernelName,
    inputsToSave: ["a", "b"],
    gradFunc: (_dy, saved) => ({
      a: () => tf.zerosLike(saved[0]),
      b: () => tf.zerosLike(saved[1]),
    }),
  });
}

/**
 * Loads the WebGPU backend on first use. It is not imported statically: it
 * registers itself with the highest priority, and most machines have no GPU.
 */
export async function loadWebGPUBackend(): Promise<void> {
  await import("@tensorflow/tfjs-backend-webgpu");
}
