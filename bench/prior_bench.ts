/**
 * Drawing a batch of 256 particles (`ParticlePrior.sample`: indices, then a
 * gather) from tables of 20,000 and 1,000,000 rows, and the VICReg penalty.
 */
import { initBackend, ParticlePrior, tf, VICRegLoss } from "../mod.ts";
import type { Tensor2D } from "../mod.ts";

for (const [numParticles, zDim] of [[20_000, 2], [20_000, 64], [1_000_000, 64]]) {
  let prior: ParticlePrior | undefined;
  Deno.bench({
    name: `M ${numParticles.toLocaleString("en")}, zDim ${zDim}`,
    group: "ParticlePrior.sample(256) (wasm)",
    baseline: numParticles === 20_000 && zDim === 64,
    n: 500,
    warmup: 20,
    async fn(b) {
      if (!prior) {
        await initBackend({ backend: "wasm" });
        prior = new ParticlePrior({ numParticles, zDim, seed: 1 });
      }
      b.start();
      const { z, indices } = prior.sample(256);
      await z.data();
      b.end();
      tf.dispose([z, indices]);
    },
  });
}

for (const zDim of [2, 64]) {
  const vicreg = new VICRegLoss();
  let z: Tensor2D | undefined;
  Deno.bench({
    name: `256 rows, zDim ${zDim}`,
    group: "VICRegLoss.compute (wasm)",
    baseline: zDim === 2,
    n: 500,
    warmup: 20,
    async fn(b) {
      if (!z) {
        await initBackend({ backend: "wasm" });
        z = tf.randomNormal([256, zDim], 0, 1, "float32", 1) as Tensor2D;
      }
      b.start();
      const loss = vicreg.compute(z);
      await loss.data();
      b.end();
      loss.dispose();
    },
  });
}
