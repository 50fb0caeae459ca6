import assert from "node:assert/strict";
import { MLP, r1Penalty, tf } from "../mod.ts";
import { assertClose, assertNoLeak, flat, loadGolden, onBackends } from "./helpers.ts";
import type { Tensor } from "../mod.ts";

const golden = loadGolden();

Deno.test("r1Penalty matches the reference on every golden case (value and D's parameter gradients)", async () => {
  await onBackends(async (backend) => {
    for (const [i, c] of golden.r1.entries()) {
      const what = `${backend} r1[${i}] gamma=${c.gamma}`;
      // PyTorch stores W as [out, in] and computes x @ W^T; the kernels here are W^T.
      const w1 = tf.variable(tf.transpose(tf.tensor2d(c.W1)));
      const b1 = tf.variable(tf.tensor1d(c.b1));
      const w2 = tf.variable(tf.transpose(tf.tensor2d(c.W2)));
      const b2 = tf.variable(tf.tensor1d(c.b2));
      const x = tf.tensor2d(c.x);
      const d = (input: Tensor) =>
        tf.add(tf.matMul(tf.leakyRelu(tf.add(tf.matMul(input, w1), b1), 0.2), w2), b2);
      await assertNoLeak(what, () => {
        const { value, grads } = tf.variableGrads(() => r1Penalty(d, x, c.gamma), [w1, b1, w2, b2]);
        assertClose(value.dataSync(), c.penalty, 1e-4, `${what} penalty`);
        tf.tidy(() => {
          assertClose(
            tf.transpose(grads[w1.name]).dataSync(),
            flat(c.grad_W1),
            1e-4,
            `${what} grad_W1`,
          );
          assertClose(grads[b1.name].dataSync(), c.grad_b1, 1e-4, `${what} grad_b1`);
          assertClose(
            tf.transpose(grads[w2.name]).dataSync(),
            flat(c.grad_W2),
            1e-4,
            `${what} grad_W2`,
          );
        });
        // dD/dx does not depend on the output bias: tfjs returns no gradient for it.
        assert.equal(grads[b2.name], undefined);
        assert.ok(
          c.grad_b2.every((g: number) => g === 0),
          `${what}: reference grad_b2 should be 0`,
        );
        tf.dispose([value, ...Object.values(grads)]);
      });
      tf.dispose([w1, b1, w2, b2, x]);
    }
  });
});

Deno.test("r1Penalty equals the closed form for a linear D", () => {
  // D(x) = x @ w: dD/dx_i = w for every i, so the penalty is gamma / 2 * ||w||^2.
  const w = tf.tensor2d([[3], [4]]);
  const x = tf.randomNormal([10, 2], 0, 1, "float32", 5);
  assertClose(r1Penalty((input) => tf.matMul(input, w), x, 2).dataSync(), 25);
});

Deno.test("r1Penalty works on an MLP discriminator inside optimizer.minimize without leaks", () => {
  const d = new MLP({ sizes: [2, 16, 16, 1], seed: 1 });
  const x = tf.randomNormal([32, 2], 0, 1, "float32", 2);
  const optimizer = tf.train.adam(1e-2);
  const before = tf.memory().numTensors;
  let first = 0;
  let last = 0;
  for (let step = 0; step < 20; step++) {
    const cost = optimizer.minimize(
      () => r1Penalty((input) => d.apply(input), x, 10),
      true,
      d.variables,
    )!;
    if (step === 0) first = cost.dataSync()[0];
    last = cost.dataSync()[0];
    cost.dispose();
    if (step === 0) assert.ok(tf.memory().numTensors >= before);
  }
  assert.ok(last < first, `minimizing R1 alone should shrink it: ${first} -> ${last}`);
  const settled = tf.memory().numTensors;
  const cost = optimizer.minimize(
    () => r1Penalty((input) => d.apply(input), x, 10),
    true,
    d.variables,
  )!;
  cost.dispose();
  assert.equal(tf.memory().numTensors, settled, "a training step leaked tensors");
  d.dispose();
  optimizer.dispose();
  x.dispose();
});

Deno.test("r1Penalty rejects a negative gamma and a missing batch axis", () => {
  const dFn = (input: Tensor) => input;
  assert.throws(() => r1Penalty(dFn, tf.zeros([2, 2]), -1), RangeError);
  assert.throws(() => r1Penalty(dFn, tf.scalar(1)), /batch axis/);
});
