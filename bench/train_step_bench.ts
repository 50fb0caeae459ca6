/**
 * The 100-Gaussians training step as the example runs it (one D update, one
 * G + particle update, 3x128 LeakyReLU MLPs, hinge loss, Adam, 20,000
 * particles, EMA of G and the particles) per batch size, backend and shards.
 */
import {
  GANTrainer,
  GaussianGrid,
  initBackend,
  MLP,
  ParticlePrior,
  Rng,
  SparseParticlePrior,
} from "../mod.ts";
import type { BackendName, Tensor2D } from "../mod.ts";

const grid = new GaussianGrid();

// One thread per backend, and WASM split over 2 shards (this thread and a
// Worker) as the examples run by default on a machine with 2 or more cores.
const setups: [BackendName, number][] = [["wasm", 2], ["wasm", 1], ["cpu", 1]];
for (const [backend, shards] of setups) {
  for (const batch of [64, 256, 1024]) {
    let trainer: GANTrainer | undefined;
    let real: Tensor2D | undefined;
    const [n, warmup] = backend === "cpu" ? [3, 1] : [50, 5];
    let calls = 0;
    Deno.bench({
      name: `${backend}${
        shards > 1 ? `, ${shards} shards` : ", 1 thread"
      } batch ${batch}, 10 steps`,
      group: `10 train steps, batch ${batch}`,
      baseline: backend === "wasm" && shards === 1,
      n,
      warmup,
      async fn(b) {
        if (!trainer) {
          await initBackend({ backend });
          trainer = new GANTrainer({
            generator: new MLP({ sizes: [2, 128, 128, 128, 2], seed: 1 }),
            discriminator: new MLP({ sizes: [2, 128, 128, 128, 1], seed: 2 }),
            prior: new ParticlePrior({ numParticles: 20_000, zDim: 2, seed: 3 }),
            emaDecay: 0.999,
          });
          await trainer.startWorkers(shards, batch);
          real = grid.sample(batch, new Rng(4));
        }
        b.start();
        // Ten steps, then one read of the losses (waiting for the device, so
        // the time covers the whole work), as the examples read them only at
        // evaluations; a read after every step adds a promise round trip.
        for (let i = 0; i < 10; i++) trainer.step(real!);
        await trainer.readLosses();
        b.end();
        // The last call stops the workers, so the process can end.
        if (++calls === n + warmup) trainer.stopWorkers();
      },
    });
  }
}

// Particle tables of 20,000 and 1,000,000 rows with zDim 64 (G takes 64 inputs): the dense table
// updates every row's Adam state each step; the sparse one only the sampled rows.
for (
  const [table, numParticles] of [["sparse", 20_000], ["sparse", 1_000_000], ["dense", 20_000], [
    "dense",
    1_000_000,
  ]] as const
) {
  let trainer: GANTrainer | undefined;
  let real: Tensor2D | undefined;
  Deno.bench({
    name: `${table} table, M ${numParticles.toLocaleString("en")}`,
    group: "train step, zDim 64, batch 256 (wasm)",
    baseline: table === "sparse" && numParticles === 20_000,
    n: table === "dense" && numParticles > 100_000 ? 5 : 100,
    warmup: table === "dense" && numParticles > 100_000 ? 1 : 5,
    async fn(b) {
      if (!trainer) {
        await initBackend({ backend: "wasm" });
        const options = { numParticles, zDim: 64, seed: 3 };
        trainer = new GANTrainer({
          generator: new MLP({ sizes: [64, 128, 128, 128, 2], seed: 1 }),
          discriminator: new MLP({ sizes: [2, 128, 128, 128, 1], seed: 2 }),
          prior: table === "sparse"
            ? new SparseParticlePrior({ ...options, learningRate: 1e-3 })
            : new ParticlePrior(options),
        });
        real = grid.sample(256, new Rng(4));
      }
      b.start();
      trainer.step(real!);
      await trainer.readLosses();
      b.end();
    },
  });
}
