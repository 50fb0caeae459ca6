/**
 * The 100-Gaussians training step (one D update, one G + particle update,
 * 3x128 LeakyReLU MLPs, hinge loss, Adam, 20,000 particles) per batch size
 * and backend.
 */
import { GANTrainer, GaussianGrid, initBackend, MLP, ParticlePrior, Rng } from "../mod.ts";
import type { BackendName, Tensor2D } from "../mod.ts";

const grid = new GaussianGrid();

for (const backend of ["wasm", "cpu"] as BackendName[]) {
  for (const batch of [64, 256, 1024]) {
    let trainer: GANTrainer | undefined;
    let real: Tensor2D | undefined;
    Deno.bench({
      name: `${backend} batch ${batch}`,
      group: `train step batch ${batch}`,
      baseline: backend === "wasm",
      n: backend === "cpu" ? 20 : 100,
      warmup: 5,
      async fn(b) {
        if (!trainer) {
          await initBackend({ backend });
          trainer = new GANTrainer({
            generator: new MLP({ sizes: [2, 128, 128, 128, 2], seed: 1 }),
            discriminator: new MLP({ sizes: [2, 128, 128, 128, 1], seed: 2 }),
            prior: new ParticlePrior({ numParticles: 20_000, zDim: 2, seed: 3 }),
          });
          real = grid.sample(batch, new Rng(4));
        }
        b.start();
        trainer.step(real!);
        // Wait for the device so the time covers the whole step.
        await trainer.readLosses();
        b.end();
      },
    });
  }
}
