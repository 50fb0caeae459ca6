import assert from "node:assert/strict";
import * as tf from "../lib/tf.ts";
import {
  explicitBatchMatMulGradient,
  scatterGatherGradient,
  stepLeakyReluGradient,
  stockBatchMatMulGradient,
  stockLeakyReluGradient,
} from "../lib/tf.ts";
import { assertClose, assertNoLeak, onBackends } from "./helpers.ts";

/** Gradients of sum(matMul(a, b, tA, tB) * w) with the gradient `config` registered. */
function matMulGrads(
  config: tf.GradConfig,
  a: tf.Tensor,
  b: tf.Tensor,
  w: tf.Tensor,
  tA: boolean,
  tB: boolean,
) {
  tf.registerGradient(config);
  try {
    return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, tA, tB), w)))([
      a,
      b,
    ]);
  } finally {
    tf.registerGradient(explicitBatchMatMulGradient);
  }
}

Deno.test("BatchMatMul gradient override equals tfjs's stock gradient (all transposes, 2-D and batched)", async () => {
  assert.ok(stockBatchMatMulGradient, "tfjs's stock BatchMatMul gradient should be registered");
  assert.equal(tf.getGradient("BatchMatMul"), explicitBatchMatMulGradient);
  await onBackends(async (backend) => {
    let seed = 1;
    for (const batch of [[], [3]]) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const [m, k, n] = [5, 7, 4];
          await assertNoLeak(`${backend} tA=${tA} tB=${tB}`, () => {
            tf.tidy(() => {
              const a = tf.randomNormal(
                [...batch, ...(tA ? [k, m] : [m, k])],
                0,
                1,
                "float32",
                seed++,
              );
              const b = tf.randomNormal(
                [...batch, ...(tB ? [n, k] : [k, n])],
                0,
                1,
                "float32",
                seed++,
              );
              const w = tf.randomNormal([...batch, m, n], 0, 1, "float32", seed++);
              const ours = matMulGrads(explicitBatchMatMulGradient, a, b, w, tA, tB);
              const stock = matMulGrads(stockBatchMatMulGradient!, a, b, w, tA, tB);
              const what = `${backend} batch=${batch} tA=${tA} tB=${tB}`;
              assert.deepEqual(ours[0].shape, a.shape);
              assert.deepEqual(ours[1].shape, b.shape);
              assertClose(ours[0].dataSync(), stock[0].dataSync(), 1e-5, `${what} dA`);
              assertClose(ours[1].dataSync(), stock[1].dataSync(), 1e-5, `${what} dB`);
            });
          });
        }
      }
    }
  });
});

Deno.test("BatchMatMul gradient override issues no transposed matMul", async () => {
  await onBackends(() => {
    const a = tf.randomNormal([6, 3], 0, 1, "float32", 1);
    const b = tf.randomNormal([3, 2], 0, 1, "float32", 2);
    const seen: string[] = [];
    const engine = tf.engine();
    const original = engine.runKernel.bind(engine);
    engine.runKernel = ((name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap) => {
      if (name === "BatchMatMul") seen.push(`${attrs.transposeA},${attrs.transposeB}`);
      return original(name, inputs, attrs);
    }) as typeof engine.runKernel;
    try {
      tf.dispose(tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)))([a, b]));
    } finally {
      engine.runKernel = original;
    }
    assert.ok(seen.length >= 3, `expected forward and two gradient matMuls, saw ${seen}`);
    assert.ok(seen.every((flags) => flags === "false,false"), `transpose flags used: ${seen}`);
  });
});

Deno.test("gather gradient adds rows at their indices, duplicates summed, on every backend", async () => {
  assert.equal(tf.getGradient("GatherV2"), scatterGatherGradient);
  await onBackends(() => {
    tf.tidy(() => {
      const table = tf.randomNormal([6, 3], 0, 1, "float32", 1);
      const indices = tf.tensor1d([4, 1, 4, 0], "int32");
      const weights = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]]);
      const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, indices), weights)))(table);
      assert.deepEqual(Array.from(grad.dataSync()), [
        ...[10, 11, 12],
        ...[4, 5, 6],
        ...[0, 0, 0],
        ...[0, 0, 0],
        ...[8, 10, 12],
        ...[0, 0, 0],
      ]);
    });
  });
});

Deno.test("tf setup turns on production mode", () => {
  assert.equal(tf.env().getBool("PROD"), true);
});

Deno.test("LeakyRelu gradient override equals tfjs's stock gradient, first and second order", async () => {
  assert.ok(stockLeakyReluGradient, "tfjs's stock LeakyRelu gradient should be registered");
  assert.equal(tf.getGradient("LeakyRelu"), stepLeakyReluGradient);
  await onBackends(async (backend) => {
    await assertNoLeak(backend, () => {
      tf.tidy(() => {
        // Includes exact zeros, where both give alpha.
        const x = tf.tensor2d([[-2, -0.5, 0, 0.5], [3, -1e-3, 1e-3, 0]]);
        const w = tf.tensor2d([[1, 2, 3, 4], [-1, -2, -3, -4]]);
        const f = (t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(t, 0.2), w));
        // Second order: d/dx of sum(grad^2), through the gradient itself (as R1 does).
        const g2 = (t: tf.Tensor) => tf.sum(tf.square(tf.grad(f)(t)));
        const withConfig = (config: tf.GradConfig) => {
          tf.registerGradient(config);
          try {
            return [tf.grad(f)(x), tf.grad(g2)(x)];
          } finally {
            tf.registerGradient(stepLeakyReluGradient);
          }
        };
        const [ours, ours2] = withConfig(stepLeakyReluGradient);
        const [stock, stock2] = withConfig(stockLeakyReluGradient!);
        assertClose(ours.dataSync(), stock.dataSync(), 1e-6, `${backend} first order`);
        assertClose(ours2.dataSync(), stock2.dataSync(), 1e-6, `${backend} second order`);
        assertClose(
          ours.dataSync(),
          [0.2, 0.4, 0.6, 4, -1, -0.4, -3, -0.8],
          1e-6,
          `${backend} values`,
        );
      });
    });
  });
});
