import assert from "node:assert/strict";
import {
  Adam,
  GANTrainer,
  GaussianGrid,
  initBackend,
  loadCheckpoint,
  MLP,
  ParticlePrior,
  restoreTrainingState,
  Rng,
  saveCheckpoint,
  SparseParticlePrior,
  tf,
} from "../mod.ts";

Deno.test("SparseParticlePrior.applyGradients() is host Adam, bit for bit, on rows that are always sampled", async () => {
  await initBackend({ backend: "wasm" });
  const sparse = new SparseParticlePrior({
    numParticles: 6,
    zDim: 3,
    seed: 1,
    learningRate: 1e-2,
    beta1: 0.5,
  });
  const dense = tf.variable(tf.tensor2d(sparse.values.slice(), [6, 3]));
  const adam = new Adam({ learningRate: 1e-2, beta1: 0.5, updateOn: "host" });
  const rng = new Rng(2);
  const all = Int32Array.from([0, 1, 2, 3, 4, 5]);
  for (let step = 0; step < 25; step++) {
    const g = rng.normalArray(18, 0, step % 5 === 0 ? 1e-3 : 1);
    sparse.applyGradients(all, g);
    tf.tidy(() => adam.applyGradients([{ variable: dense, gradient: tf.tensor2d(g, [6, 3]) }]));
  }
  assert.deepEqual(Array.from(sparse.values), Array.from(await dense.data()));
  assert.deepEqual(Array.from(sparse.m), Array.from(await adam.slots[0].m.data()));
  assert.equal(sparse.step, 25);
  adam.dispose();
  dense.dispose();
});

Deno.test("SparseParticlePrior.applyGradients() leaves rows that were not sampled untouched", () => {
  const prior = new SparseParticlePrior({
    numParticles: 1000,
    zDim: 4,
    seed: 3,
    learningRate: 1e-2,
  });
  prior.applyGradients([7, 9], new Float32Array(8).fill(1));
  const before = prior.values.slice();
  const moments = prior.m.slice();
  prior.applyGradients([9], new Float32Array(4).fill(1));
  for (let row = 0; row < 1000; row++) {
    const changed = [0, 1, 2, 3].some((k) => prior.values[row * 4 + k] !== before[row * 4 + k]);
    assert.equal(changed, row === 9, `row ${row}`);
  }
  // Row 7's momentum stays as it was (dense Adam would keep moving row 7).
  assert.deepEqual(prior.m.subarray(28, 32), moments.subarray(28, 32));
  assert.throws(() => prior.applyGradients([1], new Float32Array(3)), /must hold 1 x 4 values/);
  assert.throws(() => prior.rows([1000]), /row 1000 is outside \[0, 1000\)/);
});

function trainer(prior: ParticlePrior | SparseParticlePrior) {
  return new GANTrainer({
    generator: new MLP({ sizes: [2, 16, 2], seed: 1 }),
    discriminator: new MLP({ sizes: [2, 16, 1], seed: 2 }),
    prior,
    priorLearningRate: 1e-3,
  });
}

Deno.test("GANTrainer with a SparseParticlePrior equals the dense table when every row is sampled", async () => {
  await initBackend({ backend: "wasm" });
  // 4 particles, batch 128: every row is in every batch (a miss has probability 1e-16).
  const dense = new ParticlePrior({ numParticles: 4, zDim: 2, seed: 5 });
  const sparse = new SparseParticlePrior({ numParticles: 4, zDim: 2, seed: 5, learningRate: 1 });
  const a = trainer(dense);
  const b = trainer(sparse);
  const grid = new GaussianGrid({ gridSize: 2 });
  const [rngA, rngB] = [new Rng(6), new Rng(6)];
  for (let i = 0; i < 20; i++) {
    for (const [t, rng] of [[a, rngA], [b, rngB]] as const) {
      const real = grid.sample(128, rng);
      t.step(real);
      real.dispose();
    }
  }
  assert.deepEqual(Array.from(sparse.values), Array.from(await dense.z.data()));
  for (const [i, v] of a.generator.variables.entries()) {
    assert.deepEqual(Array.from(await b.generator.variables[i].data()), Array.from(await v.data()));
  }
  assert.deepEqual(await b.readLosses(), await a.readLosses());
  for (const t of [a, b]) {
    t.dispose();
    t.generator.dispose();
    t.discriminator.dispose();
  }
  dense.dispose();
});

Deno.test("GANTrainer with a SparseParticlePrior keeps tensors flat and resumes bit for bit", async () => {
  await initBackend({ backend: "wasm" });
  const grid = new GaussianGrid({ gridSize: 3 });
  const run = async (split?: string) => {
    const prior = new SparseParticlePrior({
      numParticles: 5000,
      zDim: 4,
      seed: 7,
      learningRate: 1,
    });
    let t = trainer4(prior);
    const rng = new Rng(8);
    const counts: number[] = [];
    for (let i = 0; i < 30; i++) {
      if (split && i === 15) {
        await saveCheckpoint(split, { ...t.trainingState, rngs: { ...t.trainingState.rngs } }, {});
        prior.values.fill(0);
        prior.step = 0;
        restoreTrainingState(t.trainingState, await loadCheckpoint(split));
      }
      const real = grid.sample(64, rng);
      t.step(real);
      real.dispose();
      counts.push(tf.memory().numTensors);
    }
    const out = { values: Array.from(prior.values), step: prior.step, counts };
    t.dispose();
    t.generator.dispose();
    t.discriminator.dispose();
    t = undefined!;
    return out;
  };
  const straight = await run();
  const resumed = await run(`${await Deno.makeTempDir()}/sparse.safetensors`);
  assert.equal(straight.counts[29], straight.counts[5], "tensor count stays flat");
  assert.equal(resumed.step, 30);
  assert.deepEqual(resumed.values, straight.values);
});

function trainer4(prior: SparseParticlePrior) {
  return new GANTrainer({
    generator: new MLP({ sizes: [4, 16, 2], seed: 1 }),
    discriminator: new MLP({ sizes: [2, 16, 1], seed: 2 }),
    prior,
    priorLearningRate: 1e-3,
  });
}
