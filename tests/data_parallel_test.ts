import assert from "node:assert/strict";
import {
  GANLoss,
  GaussianGrid,
  initBackend,
  loadCheckpoint,
  restoreTrainingState,
  Rng,
  saveCheckpoint,
  tf,
} from "../mod.ts";
import { shardSizes } from "../lib/data_parallel.ts";
import { assertClose, makeToyTrainer } from "./helpers.ts";
import type { ToySetup } from "./helpers.ts";

async function train(setup: ToySetup, shards: number, steps: number, batch = 50) {
  const run = makeToyTrainer(setup, 1, 300);
  await run.trainer.startWorkers(shards, batch);
  const grid = new GaussianGrid({ gridSize: 3 });
  const rng = new Rng(7);
  const counts: number[] = [];
  for (let i = 0; i < steps; i++) {
    const real = grid.sample(batch, rng);
    run.trainer.step(real);
    real.dispose();
    counts.push(tf.memory().numTensors);
  }
  const losses = await run.trainer.readLosses();
  const parameters = run.parameters();
  run.dispose();
  return { losses, parameters, counts };
}

Deno.test("shardSizes() gives the first shard up to 8 extra rows and splits the rest evenly", () => {
  assert.deepEqual(shardSizes(256, 2), [136, 120]);
  assert.deepEqual(shardSizes(1024, 2), [520, 504]);
  assert.deepEqual(shardSizes(50, 3), [18, 16, 16]);
  assert.deepEqual(shardSizes(2, 3), [1, 1, 0]);
  assert.deepEqual(shardSizes(7, 1), [7]);
  assert.throws(() => shardSizes(8, 0), RangeError);
});

Deno.test("GANTrainer.startWorkers() gives the single-thread step up to float rounding", async () => {
  await initBackend({ backend: "wasm" });
  // Losses without exactly cancelling gradients (see trainer_test.ts).
  const setups: ToySetup[] = [
    { prior: "particles", loss: new GANLoss({ lossType: "logistic" }) },
    { prior: "particles", loss: new GANLoss({ lossType: "logistic" }), r1Gamma: 1 },
    { prior: "gaussian", loss: new GANLoss({ lossType: "lsgan" }) },
  ];
  for (const setup of setups) {
    const one = await train(setup, 1, 6);
    for (const shards of [2, 3]) {
      const many = await train(setup, shards, 6);
      const what = `${setup.prior} ${setup.loss?.lossType} r1 ${
        setup.r1Gamma ?? 0
      }, ${shards} shards`;
      many.parameters.forEach((p, i) =>
        assertClose(p, one.parameters[i], 1e-4, `${what}: parameter ${i}`)
      );
      assertClose(many.losses.dLoss, one.losses.dLoss, 1e-4, `${what}: D loss`);
      assertClose(many.losses.gLoss, one.losses.gLoss, 1e-4, `${what}: G loss`);
    }
  }
});

Deno.test("GANTrainer with workers is deterministic and keeps numTensors flat", async () => {
  await initBackend({ backend: "wasm" });
  const before = tf.memory().numTensors;
  const a = await train({ prior: "particles" }, 2, 60);
  const b = await train({ prior: "particles" }, 2, 60);
  assert.deepEqual(a.parameters, b.parameters);
  assert.deepEqual(a.losses, b.losses);
  assert.equal(a.counts[59], a.counts[9], `tensor count grew ${a.counts[9]} -> ${a.counts[59]}`);
  assert.equal(tf.memory().numTensors, before, "tensors left after dispose");
});

Deno.test("GANTrainer with workers resumes bit for bit after restoreTrainingState()", async () => {
  await initBackend({ backend: "wasm" });
  const grid = new GaussianGrid({ gridSize: 3 });
  const batches = Array.from({ length: 16 }, (_, i) => grid.sample(40, new Rng(20 + i)));
  const straight = makeToyTrainer({ prior: "particles" }, 1, 300);
  await straight.trainer.startWorkers(2, 40);
  for (const real of batches) straight.trainer.step(real);
  // Save at step 8 (in memory), restore into a trainer of another seed, go on.
  const first = makeToyTrainer({ prior: "particles" }, 1, 300);
  await first.trainer.startWorkers(2, 40);
  for (const real of batches.slice(0, 8)) first.trainer.step(real);
  const dir = await Deno.makeTempDir();
  await saveCheckpoint(`${dir}/c.safetensors`, first.trainer.trainingState, {});
  const second = makeToyTrainer({ prior: "particles" }, 5, 300);
  await second.trainer.startWorkers(2, 40);
  second.trainer.step(batches[0]); // the workers have now seen this trainer's own weights
  restoreTrainingState(second.trainer.trainingState, await loadCheckpoint(`${dir}/c.safetensors`));
  await Deno.remove(dir, { recursive: true });
  for (const real of batches.slice(8)) second.trainer.step(real);
  assert.deepEqual(second.parameters(), straight.parameters());
  tf.dispose(batches);
  [straight, first, second].forEach((run) => run.dispose());
});

Deno.test("GANTrainer.startWorkers() rejects what it cannot split", async () => {
  await initBackend({ backend: "wasm" });
  const ra = makeToyTrainer({ prior: "particles", loss: new GANLoss({ mode: "ra" }) }, 1, 300);
  await assert.rejects(() => ra.trainer.startWorkers(2, 64), /not mode "ra"/);
  ra.dispose();
  const run = makeToyTrainer({ prior: "particles" }, 1, 300);
  await assert.rejects(() => run.trainer.startWorkers(0, 64), RangeError);
  await run.trainer.startWorkers(2, 64);
  assert.equal(run.trainer.shards, 2);
  const tooBig = new GaussianGrid().sample(80, new Rng(1));
  assert.throws(() => run.trainer.step(tooBig), /exceeds the maxBatchSize/);
  run.trainer.stopWorkers();
  assert.equal(run.trainer.shards, 1);
  run.trainer.step(tooBig);
  tooBig.dispose();
  run.dispose();
});
