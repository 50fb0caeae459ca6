import assert from "node:assert/strict";
import { EMA, GANTrainer, GaussianGrid, MLP, ParticlePrior, Rng, tf } from "../mod.ts";
import { assertClose, onBackends } from "./helpers.ts";

Deno.test("EMA.update() moves each average by (1 - decay) x rateScale of the gap", async () => {
  await onBackends(async () => {
    for (const updateOn of ["host", "device"] as const) {
      const w = tf.variable(tf.tensor1d([0, 10, -4]));
      const ema = new EMA([w], 0.9, updateOn);
      w.assign(tf.tensor1d([1, 0, 4]));
      ema.update(0.5); // rate 0.05
      const halfway = Array.from(await ema.shadowOf(w).data());
      assertClose(halfway, [0.05, 9.5, -3.6], 1e-6, `${updateOn} 0.5`);
      ema.update(0); // a schedule at 0: the average stays
      assert.deepEqual(Array.from(await ema.shadowOf(w).data()), halfway);
      ema.update(1e6); // the rate is capped at 1: the average jumps to the value
      assert.deepEqual(Array.from(await ema.shadowOf(w).data()), [1, 0, 4]);
      assert.throws(() => ema.update(-1), RangeError);
      assert.throws(() => ema.update(NaN), TypeError);
      ema.dispose();
      w.dispose();
    }
  });
});

Deno.test("GANTrainer's average follows the learning-rate scale unless emaFollowsSchedule is false", async () => {
  await onBackends(async () => {
    const real = new GaussianGrid({ gridSize: 3 }).sample(16, new Rng(1));
    const averageAfterFrozenStep = async (emaFollowsSchedule: boolean) => {
      const trainer = new GANTrainer({
        generator: new MLP({ sizes: [2, 8, 2], seed: 1 }),
        discriminator: new MLP({ sizes: [2, 8, 1], seed: 2 }),
        prior: new ParticlePrior({ numParticles: 50, zDim: 2, seed: 3 }),
        emaDecay: 0.9,
        emaFollowsSchedule,
      });
      trainer.step(real); // parameters move; the average lags behind them
      const before = Array.from(await trainer.evalParticles!.data());
      trainer.setLearningRateScale(0);
      trainer.step(real); // parameters stay
      const after = Array.from(await trainer.evalParticles!.data());
      trainer.dispose();
      return { before, after };
    };
    const following = await averageAfterFrozenStep(true);
    assert.deepEqual(following.after, following.before);
    const fixed = await averageAfterFrozenStep(false);
    assert.notDeepEqual(fixed.after, fixed.before);
    assert.throws(
      () =>
        new GANTrainer({
          generator: new MLP({ sizes: [2, 8, 2], seed: 1 }),
          discriminator: new MLP({ sizes: [2, 8, 1], seed: 2 }),
          prior: new ParticlePrior({ numParticles: 50, zDim: 2, seed: 3 }),
          emaFollowsSchedule: "yes" as unknown as boolean,
        }),
      TypeError,
    );
    real.dispose();
  });
});
