import assert from "node:assert/strict";
import { learningRateScale } from "../lib/experiments/gaussians.ts";
import {
  Adam,
  GANLoss,
  GANTrainer,
  GaussianGrid,
  GaussianPrior,
  initBackend,
  minimize,
  MLP,
  ParticlePrior,
  r1Penalty,
  Rng,
  tf,
} from "../mod.ts";
import type { Scalar, Tensor2D, Variable } from "../mod.ts";
import { assertClose, makeToyTrainer, onBackends } from "./helpers.ts";
import type { ToySetup } from "./helpers.ts";

async function train(setup: ToySetup, steps: number) {
  const run = makeToyTrainer(setup);
  const grid = new GaussianGrid({ gridSize: 3 });
  const rng = new Rng(4);
  const counts: number[] = [];
  const bytes: number[] = [];
  for (let i = 0; i < steps; i++) {
    const real = grid.sample(64, rng);
    run.trainer.step(real);
    real.dispose();
    counts.push(tf.memory().numTensors);
    bytes.push(tf.memory().numBytes);
  }
  const losses = await run.trainer.readLosses();
  const parameters = run.generator.variables.map((v) => Array.from(v.dataSync()));
  run.dispose();
  return { losses, parameters, counts, bytes };
}

Deno.test("GANTrainer.step() keeps numTensors and numBytes flat over 300 steps", async () => {
  await initBackend({ backend: "wasm" });
  for (
    const setup of [{ prior: "particles" }, { prior: "gaussian" }, {
      prior: "particles",
      loss: new GANLoss({ lossType: "logistic", mode: "ra" }),
      r1Gamma: 1,
    }] as ToySetup[]
  ) {
    const before = tf.memory().numTensors;
    const { counts, bytes, losses } = await train(setup, 300);
    assert.equal(
      counts[299],
      counts[9],
      `${setup.prior}: tensor count grew ${counts[9]} -> ${counts[299]}`,
    );
    assert.equal(bytes[299], bytes[9], `${setup.prior}: bytes grew ${bytes[9]} -> ${bytes[299]}`);
    assert.equal(tf.memory().numTensors, before, "tensors left after dispose");
    assert.ok(Number.isFinite(losses.dLoss) && Number.isFinite(losses.gLoss));
  }
});

Deno.test("GANTrainer is deterministic for a seed and backend", async () => {
  await initBackend({ backend: "wasm" });
  const a = await train({ prior: "particles" }, 30);
  const b = await train({ prior: "particles" }, 30);
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(a.parameters, b.parameters);
});

Deno.test("GANTrainer.step() moves only the sampled particles", async () => {
  await initBackend({ backend: "wasm" });
  const run = makeToyTrainer({ prior: "particles" });
  const prior = run.latent as ParticlePrior;
  const before = prior.z.arraySync() as number[][];
  const state = prior.rng.state;
  const real = new GaussianGrid().sample(32, new Rng(1));
  run.trainer.step(real);
  // Replay the index draws: D's batch, then G's batch (only G's step moves particles).
  prior.rng.state = state;
  prior.drawIndices(32);
  const sampled = new Set(prior.drawIndices(32));
  const after = prior.z.arraySync() as number[][];
  for (let row = 0; row < before.length; row++) {
    const moved = before[row][0] !== after[row][0] || before[row][1] !== after[row][1];
    assert.equal(moved, sampled.has(row), `row ${row}`);
  }
  real.dispose();
  run.dispose();
});

Deno.test("GANTrainer rejects mismatched networks", () => {
  const g = new MLP({ sizes: [3, 4, 2], seed: 1 });
  const d = new MLP({ sizes: [2, 4, 1], seed: 1 });
  assert.throws(
    () =>
      new GANTrainer({
        generator: g,
        discriminator: d,
        prior: new GaussianPrior({ zDim: 2, seed: 1 }),
      }),
    /generator input width 3 != prior zDim 2/,
  );
  const g2 = new MLP({ sizes: [2, 4, 2], seed: 1 });
  const d2 = new MLP({ sizes: [2, 4, 2], seed: 1 });
  assert.throws(
    () =>
      new GANTrainer({
        generator: g2,
        discriminator: d2,
        prior: new GaussianPrior({ zDim: 2, seed: 1 }),
      }),
    /discriminator must map 2 -> 1/,
  );
  tf.dispose([...g.variables, ...d.variables, ...g2.variables, ...d2.variables]);
});

Deno.test("GANTrainer.setLearningRateScale(0) freezes every parameter; 1 restores training", async () => {
  await initBackend({ backend: "wasm" });
  const run = makeToyTrainer({ prior: "particles" });
  const real = new GaussianGrid().sample(32, new Rng(1));
  const snapshot = () =>
    [...run.generator.variables, ...run.discriminator.variables, (run.latent as ParticlePrior).z]
      .map((v) => Array.from(v.dataSync()));
  run.trainer.step(real); // Adam's first step moves every parameter by about lr
  const before = snapshot();
  run.trainer.setLearningRateScale(0);
  run.trainer.step(real);
  assert.deepEqual(snapshot(), before);
  run.trainer.setLearningRateScale(1);
  run.trainer.step(real);
  assert.notDeepEqual(snapshot(), before);
  assert.throws(() => run.trainer.setLearningRateScale(-1), RangeError);
  real.dispose();
  run.dispose();
});

Deno.test("learningRateScale() is 1, then a cosine down to 0 at the last step", () => {
  assert.equal(learningRateScale(10, 100, 1), 1);
  assert.equal(learningRateScale(50, 100, 0.5), 1);
  assert.ok(Math.abs(learningRateScale(75, 100, 0.5) - 0.5) < 1e-12);
  assert.ok(Math.abs(learningRateScale(100, 100, 0.5)) < 1e-12);
});

/**
 * The step written with tfjs's tape, the way the original writes it in
 * PyTorch: the reference for the trainer's hand-written backpropagation.
 */
function tapeStep(run: ReturnType<typeof makeToyTrainer>, optimizers: Adam[], real: Tensor2D) {
  const { generator: g, discriminator: d, latent, trainer } = run;
  const [dOptimizer, gOptimizer, zOptimizer] = optimizers;
  const n = real.shape[0];
  const loss = trainer.loss;
  const latents = () => {
    if (latent instanceof GaussianPrior) return { z: latent.sample(n) };
    const drawn = latent.drawIndices(n);
    return {
      z: latent.gather(tf.tensor1d(drawn, "int32")),
      unique: tf.tensor1d(Int32Array.from(new Set(drawn)).sort(), "int32"),
    };
  };
  tf.tidy(() => {
    const fake = g.apply(latents().z);
    minimize([[dOptimizer, d.variables]], () => {
      const adversarial = loss.dLoss(d.apply(real), d.apply(fake));
      if (trainer.r1Gamma === 0) return adversarial;
      return tf.add(adversarial, r1Penalty((x) => d.apply(x), real, trainer.r1Gamma)) as Scalar;
    });
  });
  tf.tidy(() => {
    const groups: [Adam, Variable[]][] = [[gOptimizer, g.variables]];
    if (latent instanceof ParticlePrior) groups.push([zOptimizer, [latent.z]]);
    minimize(groups, () => {
      const { z, unique } = latents();
      const fakeLogits = d.apply(g.apply(z));
      const adversarial = loss.gLoss(
        fakeLogits,
        loss.mode === "vanilla" ? undefined : d.apply(real),
      );
      if (!unique) return adversarial;
      const spread = trainer.vicreg.compute((latent as ParticlePrior).gather(unique));
      return tf.add(adversarial, tf.mul(trainer.vicregWeight, spread)) as Scalar;
    });
  });
}

Deno.test("GANTrainer.step() matches the same step through tfjs's tape", async () => {
  await onBackends(async () => {
    // Losses without exact cancellations: under hinge (all rows active), the
    // wasserstein loss or a relativistic mode, the gradient of D's last bias is
    // exactly 0 in theory and float noise in practice, which Adam's
    // normalisation turns into steps of up to ~lr/4 that depend on the order of
    // summation. tests/gan_gradients_test.ts compares those losses' gradients.
    const setups: ToySetup[] = [
      { prior: "particles", loss: new GANLoss({ lossType: "logistic" }) },
      { prior: "particles", loss: new GANLoss({ lossType: "logistic" }), r1Gamma: 1 },
      { prior: "gaussian", loss: new GANLoss({ lossType: "lsgan" }) },
    ];
    for (const setup of setups) {
      const ours = makeToyTrainer(setup);
      const reference = makeToyTrainer(setup);
      const optimizers = [1e-4, 1e-4, 1e-3].map((learningRate) =>
        new Adam({ learningRate, beta1: 0.5, beta2: 0.999 })
      );
      const grid = new GaussianGrid({ gridSize: 3 });
      for (let i = 0; i < 5; i++) {
        const real = grid.sample(48, new Rng(10 + i));
        ours.trainer.step(real);
        tapeStep(reference, optimizers, real);
        real.dispose();
      }
      const what = `${setup.prior} ${setup.loss?.lossType ?? "hinge"}/${
        setup.loss?.mode ?? "vanilla"
      } r1 ${setup.r1Gamma ?? 0}`;
      const parameters = (run: typeof ours) => [
        ...run.generator.variables,
        ...run.discriminator.variables,
        ...(run.latent instanceof ParticlePrior ? [run.latent.z] : []),
      ];
      const expected = parameters(reference);
      for (const [i, variable] of parameters(ours).entries()) {
        assertClose(
          await variable.data(),
          await expected[i].data(),
          1e-4,
          `${what}: parameter ${i}`,
        );
      }
      optimizers.forEach((o) => o.dispose());
      ours.dispose();
      reference.dispose();
    }
  });
});
