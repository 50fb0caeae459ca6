import assert from "node:assert/strict";
import { GANLoss, LOSS_MODES, LOSS_TYPES, tf } from "../mod.ts";
import type { LossMode, LossType } from "../mod.ts";
import { assertClose, assertNoLeak, flat, GOLDEN_PATH, loadGolden, onBackends } from "./helpers.ts";
import type { Tensor } from "../mod.ts";

const golden = loadGolden();

Deno.test("GANLoss matches the reference on every golden case (values and gradients)", async () => {
  const seen = new Set<string>();
  await onBackends(async (backend) => {
    for (const c of golden.gan_loss) {
      const what = `${backend} ${c.loss_type}/${c.mode}/smoothing=${c.label_smoothing}`;
      seen.add(`${c.loss_type}/${c.mode}`);
      const loss = new GANLoss({
        lossType: c.loss_type,
        mode: c.mode,
        labelSmoothing: c.label_smoothing,
      });
      await assertNoLeak(what, () => {
        const r = tf.tensor1d(c.real_logits);
        const f = tf.tensor1d(c.fake_logits);
        const d = tf.valueAndGrads((real: Tensor, fake: Tensor) => loss.dLoss(real, fake))([
          r,
          f,
        ]);
        assertClose(d.value.dataSync(), c.d_loss, 1e-4, `${what} d_loss`);
        assertClose(d.grads[0].dataSync(), c.d_grad_real, 1e-4, `${what} d_grad_real`);
        assertClose(d.grads[1].dataSync(), c.d_grad_fake, 1e-4, `${what} d_grad_fake`);
        if (c.mode === "vanilla") {
          // G's vanilla loss ignores the real logits: their reference gradient is zero.
          assert.ok(c.g_grad_real.every((g: number) => g === 0));
          const g = tf.valueAndGrad((fake: Tensor) => loss.gLoss(fake))(f);
          assertClose(g.value.dataSync(), c.g_loss, 1e-4, `${what} g_loss`);
          assertClose(g.grad.dataSync(), c.g_grad_fake, 1e-4, `${what} g_grad_fake`);
          tf.dispose([g.value, g.grad]);
        } else {
          const g = tf.valueAndGrads((fake: Tensor, real: Tensor) => loss.gLoss(fake, real))([
            f,
            r,
          ]);
          assertClose(g.value.dataSync(), c.g_loss, 1e-4, `${what} g_loss`);
          assertClose(g.grads[0].dataSync(), c.g_grad_fake, 1e-4, `${what} g_grad_fake`);
          assertClose(g.grads[1].dataSync(), c.g_grad_real, 1e-4, `${what} g_grad_real`);
          tf.dispose([g.value, ...g.grads]);
        }
        tf.dispose([r, f, d.value, ...d.grads]);
      });
    }
  });
  if (GOLDEN_PATH.endsWith("shared/golden/reference_losses.json")) {
    assert.equal(seen.size, 12, "the reference file should cover all 12 loss/mode combinations");
  }
});

Deno.test("GANLoss accepts [n, 1] logits like [n]", () => {
  const loss = new GANLoss({ lossType: "logistic", mode: "ra" });
  const r = tf.tensor1d([0.5, -1, 2]);
  const f = tf.tensor1d([1, 0.3, -0.7]);
  const a = loss.dLoss(r, f).dataSync()[0];
  const b = loss.dLoss(tf.reshape(r, [3, 1]), tf.reshape(f, [3, 1])).dataSync()[0];
  assert.equal(a, b);
});

Deno.test("GANLoss logistic stays finite for logits of +-100", async () => {
  await onBackends(() => {
    for (const mode of LOSS_MODES) {
      const loss = new GANLoss({ lossType: "logistic", mode, labelSmoothing: 0.1 });
      const r = tf.tensor1d([100, -100, 100, -100]);
      const f = tf.tensor1d([-100, 100, 100, -100]);
      const d = tf.grads((real: Tensor, fake: Tensor) => loss.dLoss(real, fake))([r, f]);
      const values = [
        loss.dLoss(r, f).dataSync()[0],
        loss.gLoss(f, r).dataSync()[0],
        ...flat(d.map((g) => Array.from(g.dataSync()))),
      ];
      assert.ok(values.every(Number.isFinite), `${mode}: ${values}`);
      // softplus(100) = 100: a confidently wrong logit costs about 100, not Inf.
      assert.ok(loss.dLoss(r, f).dataSync()[0] > 10);
    }
  });
});

Deno.test("GANLoss flips each label with probability labelFlipProb", () => {
  // Wasserstein with r = 1 and f = 0: the real half is -1 per kept label and
  // +1 per flipped one, so dLoss = 2 * flipRate - 1.
  const n = 20_000;
  for (const p of [0, 0.1, 0.3]) {
    const loss = new GANLoss({ lossType: "wasserstein", labelFlipProb: p, seed: 7 });
    const dLoss = loss.dLoss(tf.ones([n]), tf.zeros([n])).dataSync()[0];
    const rate = (dLoss + 1) / 2;
    const sigma = Math.sqrt((p * (1 - p)) / n);
    assert.ok(Math.abs(rate - p) <= 5 * sigma + 1e-6, `p=${p}: observed flip rate ${rate}`);
  }
});

Deno.test("GANLoss label flips are reproducible from the seed", () => {
  const run = () => {
    const loss = new GANLoss({ lossType: "hinge", labelFlipProb: 0.5, seed: 3 });
    return loss.dLoss(tf.randomNormal([64], 0, 1, "float32", 1), tf.zeros([64])).dataSync()[0];
  };
  assert.equal(run(), run());
});

Deno.test("GANLoss rejects bad options and inputs with clear errors", () => {
  assert.throws(
    () => new GANLoss({ lossType: "bce" as LossType }),
    /lossType must be one of hinge/,
  );
  assert.throws(
    () => new GANLoss({ mode: "rs" as LossMode }),
    /mode must be one of vanilla, rp, ra/,
  );
  assert.throws(() => new GANLoss({ labelFlipProb: 1.5 }), RangeError);
  assert.throws(() => new GANLoss({ labelFlipProb: NaN }), TypeError);
  assert.throws(
    () => new GANLoss({ lossType: "logistic", labelSmoothing: 0.7 }),
    /labelSmoothing must be in \[0, 0.5\]; got 0.7/,
  );
  const r = tf.zeros([4]);
  for (const mode of ["rp", "ra"] as const) {
    assert.throws(() => new GANLoss({ mode }).gLoss(r), /needs realLogits/);
  }
  assert.throws(
    () => new GANLoss({ mode: "rp" }).dLoss(r, tf.zeros([5])),
    /one to one; got 4 real and 5 fake/,
  );
  assert.throws(
    () => new GANLoss().dLoss(tf.zeros([4, 2]), r),
    /realLogits must have shape \[n\] or \[n, 1\]/,
  );
  assert.throws(() => new GANLoss().dLoss(r, tf.zeros([0])), /fakeLogits must have shape/);
  assert.throws(() => new GANLoss().gLoss(tf.zeros([3], "int32")), /must be float32/);
  assert.throws(() => new GANLoss().gLoss([1, 2] as unknown as Tensor), /must be a Tensor/);
  assert.ok(LOSS_TYPES.length === 4);
});

Deno.test("GANLoss.dLoss() and gLoss() on [n, 1] logits leave no tensors behind", () => {
  const real = tf.tensor2d([[0.5], [-1]]);
  const fake = tf.tensor2d([[1], [2]]);
  const before = tf.memory().numTensors;
  for (const mode of ["vanilla", "rp", "ra"] as const) {
    const loss = new GANLoss({ lossType: "logistic", mode });
    tf.dispose([loss.dLoss(real, fake), loss.gLoss(fake, real)]);
  }
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([real, fake]);
});
