import assert from "node:assert/strict";
import {
  discriminatorGradients,
  GANLoss,
  generatorGradients,
  LOSS_MODES,
  LOSS_TYPES,
  MLP,
  Rng,
  tf,
} from "../mod.ts";
import type { Tensor, Tensor2D } from "../mod.ts";
import { assertClose, onBackends } from "./helpers.ts";

/**
 * Each gradient within 1e-4 of the largest entry of all of them: entries that
 * cancel exactly in theory (D's last bias in relativistic modes) are float
 * noise, judged against the network's gradient scale, not their own.
 */
function assertGradientsClose(ours: Tensor[], tape: Tensor[], what: string): void {
  const expected = tape.map((t) => Array.from(t.dataSync()));
  const scale = Math.max(...expected.flat().map(Math.abs));
  ours.forEach((t, i) => {
    const actual = t.dataSync();
    expected[i].forEach((e, j) => {
      assert.ok(
        Math.abs(actual[j] - e) <= 1e-4 * scale,
        `${what}: gradient ${i}[${j}] is ${actual[j]}, the tape's ${e} (scale ${scale})`,
      );
    });
  });
}

Deno.test("discriminatorGradients() and generatorGradients() match the tape for every loss", async () => {
  await onBackends(() => {
    const g = new MLP({ sizes: [3, 16, 16, 2], seed: 1 });
    const d = new MLP({ sizes: [2, 16, 16, 1], seed: 2 });
    const rng = new Rng(3);
    const real = tf.tensor2d(rng.normalArray(12 * 2), [12, 2]) as Tensor2D;
    const z = tf.tensor2d(rng.normalArray(12 * 3), [12, 3]) as Tensor2D;
    for (const lossType of LOSS_TYPES) {
      for (const mode of LOSS_MODES) {
        const loss = new GANLoss({ lossType, mode });
        const what = `${lossType}/${mode}`;
        tf.tidy(() => {
          const fake = g.apply(z);
          const ours = discriminatorGradients(d, loss, real, fake);
          const tape = tf.variableGrads(
            () => loss.dLoss(d.apply(real), d.apply(fake)),
            d.variables,
          );
          assertClose(ours.loss.dataSync(), tape.value.dataSync(), 1e-5, `${what}: D loss`);
          assertGradientsClose(
            ours.gradients,
            d.variables.map((v) => tape.grads[v.name]),
            `${what}: D`,
          );
        });
        tf.tidy(() => {
          const ours = generatorGradients(g, d, loss, z, { real, latentGradient: true });
          const gLoss = (latents: Tensor) =>
            loss.gLoss(d.apply(g.apply(latents)), mode === "vanilla" ? undefined : d.apply(real));
          const tape = tf.variableGrads(() => gLoss(z), g.variables);
          const latentTape = tf.grad(gLoss)(z);
          assertClose(ours.loss.dataSync(), tape.value.dataSync(), 1e-5, `${what}: G loss`);
          assertGradientsClose(
            ours.gradients,
            g.variables.map((v) => tape.grads[v.name]),
            `${what}: G`,
          );
          assertClose(
            ours.latentGradient!.dataSync(),
            latentTape.dataSync(),
            1e-4,
            `${what}: latents`,
          );
          const withoutLatents = generatorGradients(g, d, loss, z, { real });
          assert.equal(withoutLatents.latentGradient, undefined);
        });
      }
    }
    assert.throws(
      () => generatorGradients(g, d, new GANLoss({ mode: "ra" }), z),
      /needs the real rows/,
    );
    tf.dispose([real, z]);
    g.dispose();
    d.dispose();
  });
});
