/** Shared test helpers: golden data, tolerance checks, backend loops. */
import assert from "node:assert/strict";
import { GANTrainer, GaussianPrior, initBackend, MLP, ParticlePrior, tf } from "../mod.ts";
import type { BackendName, GANLoss } from "../mod.ts";

/**
 * Reference values computed by the original PyTorch code (float64). Set
 * PARTICLEGAN_GOLDEN to check another file of the same layout.
 */
export const GOLDEN_PATH: string = Deno.env.get("PARTICLEGAN_GOLDEN") ??
  new URL("../../shared/golden/reference_losses.json", import.meta.url).pathname;

// deno-lint-ignore no-explicit-any
export type Golden = any;

/** Reads the golden file; a missing file fails the tests loudly. */
export function loadGolden(): Golden {
  try {
    return JSON.parse(Deno.readTextFileSync(GOLDEN_PATH));
  } catch (error) {
    throw new Error(
      `cannot read the golden reference file ${GOLDEN_PATH}: ${(error as Error).message}`,
    );
  }
}

/** float32 vs float64: |actual - expected| <= rtol * max(scale, |expected|), elementwise. */
export function assertClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  rtol = 1e-4,
  what = "value",
): void {
  const a = typeof actual === "number" ? [actual] : Array.from(actual);
  const e = typeof expected === "number" ? [expected] : Array.from(expected);
  assert.equal(a.length, e.length, `${what}: length ${a.length} != ${e.length}`);
  // Entries that are ~0 are judged against the array's scale, not their own.
  const scale = Math.max(1e-3, ...e.map(Math.abs));
  for (let i = 0; i < a.length; i++) {
    const tol = rtol * Math.max(scale, Math.abs(e[i]));
    assert.ok(
      Math.abs(a[i] - e[i]) <= tol,
      `${what}[${i}]: got ${a[i]}, expected ${e[i]} (tolerance ${tol.toExponential(2)})`,
    );
  }
}

/** Runs `fn` on each backend in turn (WASM and cpu unless told otherwise). */
export async function onBackends(
  fn: (backend: BackendName) => void | Promise<void>,
  backends: BackendName[] = ["wasm", "cpu"],
): Promise<void> {
  for (const backend of backends) {
    await initBackend({ backend });
    await fn(backend);
  }
}

/** Asserts that `fn` leaves no tensor behind. */
export async function assertNoLeak(what: string, fn: () => void | Promise<void>): Promise<void> {
  const before = tf.memory().numTensors;
  await fn();
  assert.equal(tf.memory().numTensors, before, `${what} leaked tensors`);
}

/** Flattens nested number arrays. */
export function flat(x: unknown): number[] {
  return (x as number[]).flat(Infinity as 1) as number[];
}

/** Runs `deno run -A examples/<example>.ts ...args` and returns its exit code and output. */
export async function runExample(
  example: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const root = new URL("..", import.meta.url).pathname;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `examples/${example}.ts`, ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code, stdout: decode(stdout), stderr: decode(stderr) };
}

/** A small GAN setup for trainer tests: 2 -> 32 -> 32 -> 2 and 2 -> 32 -> 32 -> 1 MLPs. */
export interface ToySetup {
  prior: "particles" | "gaussian";
  loss?: GANLoss;
  r1Gamma?: number;
}

/**
 * A {@linkcode GANTrainer} over `setup`, seeded from `seed` (G `seed`, D
 * `seed + 1`, prior `seed + 2`), with its parts, a flat copy of every trained
 * parameter, and one dispose for all.
 */
export function makeToyTrainer(setup: ToySetup, seed = 1, numParticles = 500) {
  const { prior, loss, r1Gamma } = setup;
  const generator = new MLP({ sizes: [2, 32, 32, 2], seed });
  const discriminator = new MLP({ sizes: [2, 32, 32, 1], seed: seed + 1 });
  const latent = prior === "particles"
    ? new ParticlePrior({ numParticles, zDim: 2, seed: seed + 2 })
    : new GaussianPrior({ zDim: 2, seed: seed + 2 });
  const trainer = new GANTrainer({ generator, discriminator, prior: latent, loss, r1Gamma });
  const parameters = () =>
    [
      ...generator.variables,
      ...discriminator.variables,
      ...(latent instanceof ParticlePrior ? [latent.z] : []),
    ].map((v) => Array.from(v.dataSync()));
  const dispose = () => {
    trainer.dispose();
    generator.dispose();
    discriminator.dispose();
    if (latent instanceof ParticlePrior) latent.dispose();
  };
  return { trainer, generator, discriminator, latent, parameters, dispose };
}
