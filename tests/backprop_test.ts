import assert from "node:assert/strict";
import { MLP, mlpBackward, mlpForward, Rng, tf } from "../mod.ts";
import type { Tensor } from "../mod.ts";
import { assertClose, onBackends } from "./helpers.ts";

Deno.test("mlpBackward() gives the tape's gradients of weights and input", async () => {
  await onBackends(async () => {
    for (const leakyReluAlpha of [0.2, 0]) {
      const net = new MLP({ sizes: [3, 16, 8, 2], leakyReluAlpha, seed: 4 });
      const rng = new Rng(5);
      const x = tf.tensor2d(rng.normalArray(10 * 3), [10, 3]);
      const weightsOfLoss = tf.tensor2d(rng.normalArray(10 * 2), [10, 2]);
      // Loss = sum(output * w), so dLoss/dOutput = w.
      const reference = tf.variableGrads(() => tf.sum(tf.mul(net.apply(x), weightsOfLoss)));
      const inputReference = tf.grad((input: Tensor) =>
        tf.sum(tf.mul(net.apply(input), weightsOfLoss))
      )(x);
      const trace = mlpForward(net, x);
      const ours = mlpBackward(net, trace, weightsOfLoss, { weights: true, input: true });
      assert.equal(ours.weights!.length, net.variables.length);
      for (const [i, variable] of net.variables.entries()) {
        assertClose(
          await ours.weights![i].data(),
          await reference.grads[variable.name].data(),
          1e-5,
          `gradient of ${variable.name} (alpha ${leakyReluAlpha})`,
        );
      }
      assertClose(await ours.input!.data(), await inputReference.data(), 1e-5, "input gradient");
      assertClose(await trace.output.data(), await net.apply(x).data(), 1e-6, "forward output");
      const onlyInput = mlpBackward(net, trace, weightsOfLoss, { weights: false, input: true });
      assert.equal(onlyInput.weights, undefined);
      assertClose(await onlyInput.input!.data(), await inputReference.data(), 1e-5, "input only");
      tf.disposeVariables();
      tf.dispose([x, weightsOfLoss, reference.value, inputReference]);
    }
  });
});

Deno.test("mlpForward() and mlpBackward() reject mismatched shapes", () => {
  const net = new MLP({ sizes: [2, 4, 1], seed: 1 });
  assert.throws(() => mlpForward(net, tf.zeros([3, 5])), /MLP input must have shape \[batch, 2\]/);
  const trace = mlpForward(net, tf.zeros([3, 2]));
  assert.throws(
    () => mlpBackward(net, trace, tf.zeros([3, 2]), { weights: true, input: false }),
    /dOutput must have the output's shape \[3,1\]/,
  );
  tf.disposeVariables();
});
