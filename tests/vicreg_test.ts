import assert from "node:assert/strict";
import { tf, VICRegLoss } from "../mod.ts";
import { assertClose, assertNoLeak, flat, loadGolden, onBackends } from "./helpers.ts";
import type { Tensor } from "../mod.ts";

const golden = loadGolden();

Deno.test("VICRegLoss matches the reference on every golden case (values and gradients)", async () => {
  await onBackends(async (backend) => {
    for (const [i, c] of golden.vicreg.entries()) {
      const what = `${backend} vicreg[${i}] z ${c.z.length}x${c.z[0].length}`;
      const vicreg = new VICRegLoss({ targetStd: c.target_std, eps: c.eps });
      await assertNoLeak(what, () => {
        const z = tf.tensor2d(c.z);
        const { value, grad } = tf.valueAndGrad((x: Tensor) => vicreg.compute(x))(z);
        assertClose(value.dataSync(), c.loss, 1e-4, `${what} loss`);
        assertClose(grad.dataSync(), flat(c.grad_z), 1e-4, `${what} grad`);
        tf.dispose([z, value, grad]);
      });
    }
  });
});

Deno.test("VICRegLoss is zero for spread, decorrelated points", () => {
  // Four corners of a square of side 2*s: per-axis unbiased std = s * sqrt(4/3), covariance 0.
  const z = tf.tensor2d([[-2, -2], [2, -2], [-2, 2], [2, 2]]);
  assert.equal(new VICRegLoss().compute(z).dataSync()[0], 0);
});

Deno.test("VICRegLoss rejects too few rows and wrong ranks", () => {
  const vicreg = new VICRegLoss();
  assert.throws(() => vicreg.compute(tf.zeros([1, 3])), /at least 2 rows in z .* got 1/);
  assert.throws(() => vicreg.compute(tf.zeros([4])), /z must have rank 2; got shape \[4\]/);
  assert.throws(() => new VICRegLoss({ targetStd: -1 }), RangeError);
  assert.throws(() => new VICRegLoss({ eps: Infinity }), TypeError);
});
