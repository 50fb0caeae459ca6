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

Deno.test("VICRegLoss.valueAndGradient() matches the golden cases and the tape", () => {
  for (const [i, c] of golden.vicreg.entries()) {
    const vicreg = new VICRegLoss({ targetStd: c.target_std, eps: c.eps });
    const [n, d] = [c.z.length, c.z[0].length];
    const { value, gradient } = vicreg.valueAndGradient(Float32Array.from(flat(c.z)), n, d);
    assertClose(value, c.loss, 1e-5, `vicreg[${i}] loss`);
    assertClose(gradient, flat(c.grad_z), 1e-5, `vicreg[${i}] grad`);
  }
  // Wider and taller than the golden cases, with some axes above the target std.
  for (const [n, d] of [[256, 2], [200, 64], [7, 1], [30, 5]]) {
    const values = Float32Array.from(
      { length: n * d },
      (_, k) => Math.sin(k * 1.7) * (1 + (k % d)),
    );
    const vicreg = new VICRegLoss();
    const ours = vicreg.valueAndGradient(values, n, d);
    const z = tf.tensor2d(values, [n, d]);
    const { value, grad } = tf.valueAndGrad((x: Tensor) => vicreg.compute(x))(z);
    assertClose(ours.value, value.dataSync()[0], 1e-4, `${n}x${d} loss`);
    assertClose(ours.gradient, grad.dataSync(), 1e-4, `${n}x${d} grad`);
    tf.dispose([z, value, grad]);
  }
  assert.throws(() => new VICRegLoss().valueAndGradient(new Float32Array(5), 3, 2), /n x d = 6/);
  assert.throws(() => new VICRegLoss().valueAndGradient(new Float32Array(2), 1, 2), RangeError);
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
