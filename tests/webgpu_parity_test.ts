/**
 * One full GAN training step (D and G + particle updates, Adam) on WebGPU
 * must give the same losses and parameters as on WASM and cpu. On machines
 * without a GPU this runs on the software adapter (lavapipe or llvmpipe).
 */
import assert from "node:assert/strict";
import {
  GANLoss,
  GANTrainer,
  GaussianGrid,
  initBackend,
  MLP,
  ParticlePrior,
  Rng,
  tf,
} from "../mod.ts";
import type { BackendName } from "../mod.ts";
import { assertClose } from "./helpers.ts";

const adapter = await navigator.gpu?.requestAdapter({ powerPreference: "high-performance" }).catch(
  () => null,
);
const skipReason = adapter
  ? ""
  : " (skipped: navigator.gpu.requestAdapter() found no WebGPU adapter)";

/** Losses and parameters after one step from fixed seeds. */
async function oneStep(backend: BackendName) {
  await initBackend({ backend });
  const before = tf.memory().numTensors;
  const generator = new MLP({ sizes: [2, 128, 128, 128, 2], seed: 11 });
  const discriminator = new MLP({ sizes: [2, 128, 128, 128, 1], seed: 12 });
  const prior = new ParticlePrior({ numParticles: 2000, zDim: 2, seed: 13 });
  // Logistic, not hinge: with hinge, D's output-bias gradient is exactly 0 at the start, and
  // Adam's first step turns the sign of its rounding error into a +-lr move, so backends with
  // different summation orders would differ by design.
  const loss = new GANLoss({ lossType: "logistic" });
  const trainer = new GANTrainer({ generator, discriminator, prior, loss });
  const real = new GaussianGrid().sample(64, new Rng(14));
  trainer.step(real);
  const losses = await trainer.readLosses();
  const parameters = await Promise.all(
    [...generator.variables, ...discriminator.variables, prior.z].map(async (v) => await v.data()),
  );
  real.dispose();
  trainer.dispose();
  generator.dispose();
  discriminator.dispose();
  prior.dispose();
  assert.equal(tf.memory().numTensors, before, `${backend}: the step leaked tensors`);
  return { losses, parameters };
}

Deno.test({
  name: `GANTrainer.step() on WebGPU matches WASM and cpu within 1e-3${skipReason}`,
  ignore: !adapter,
  sanitizeResources: false,
  fn: async () => {
    const info = await initBackend({ backend: "webgpu" });
    console.log(
      `    WebGPU adapter: ${info.adapter}${info.fallbackAdapter ? " (software fallback)" : ""}`,
    );
    const webgpu = await oneStep("webgpu");
    for (const backend of ["wasm", "cpu"] as const) {
      const other = await oneStep(backend);
      for (const key of ["dLoss", "gLoss", "vicreg"] as const) {
        assertClose(webgpu.losses[key], other.losses[key], 1e-3, `webgpu vs ${backend} ${key}`);
      }
      webgpu.parameters.forEach((p, i) =>
        assertClose(p, other.parameters[i], 1e-3, `webgpu vs ${backend} parameter ${i}`)
      );
    }
    assert.ok(Number.isFinite(webgpu.losses.dLoss));
  },
});

Deno.test("GANTrainer.step() on WASM matches cpu within 1e-4", async () => {
  const wasm = await oneStep("wasm");
  const cpu = await oneStep("cpu");
  for (const key of ["dLoss", "gLoss", "vicreg"] as const) {
    assertClose(wasm.losses[key], cpu.losses[key], 1e-4, `wasm vs cpu ${key}`);
  }
  wasm.parameters.forEach((p, i) =>
    assertClose(p, cpu.parameters[i], 1e-4, `wasm vs cpu parameter ${i}`)
  );
});
