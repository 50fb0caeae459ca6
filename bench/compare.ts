/**
 * `deno task compare`: the 100-Gaussians training step side by side, in
 * particlegan (WASM on one thread, and over 2 shards) and in PyTorch on one
 * thread (bench/pytorch_step.py, when `python3` can import torch). Prints a
 * Markdown table of milliseconds per step (median of `--steps` timed steps
 * after a warm-up) and the ratio to PyTorch.
 *
 * Usage: deno task compare [--steps 500] [--batches 64,256,1024]
 */
import { parseArgs } from "node:util";
import { GANTrainer, GaussianGrid, initBackend, MLP, ParticlePrior, Rng } from "../mod.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    steps: { type: "string", default: "500" },
    batches: { type: "string", default: "64,256,1024" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log("Usage: deno task compare [--steps 500] [--batches 64,256,1024]");
  Deno.exit(0);
}
const steps = Number(values.steps);
const batches = values.batches.split(",").map(Number);
if (!Number.isInteger(steps) || steps < 10 || batches.some((b) => !Number.isInteger(b) || b < 8)) {
  console.error("--steps must be an integer >= 10 and --batches integers >= 8");
  Deno.exit(2);
}

interface Timing {
  medianMs: number;
  meanMs: number;
}

function summarize(times: number[]): Timing {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    medianMs: sorted[Math.floor(sorted.length / 2)],
    meanMs: times.reduce((a, b) => a + b, 0) / times.length,
  };
}

/** particlegan's step as the example runs it (EMA of G and the particles on). */
async function ours(batch: number, shards: number): Promise<Timing> {
  const trainer = new GANTrainer({
    generator: new MLP({ sizes: [2, 128, 128, 128, 2], seed: 1 }),
    discriminator: new MLP({ sizes: [2, 128, 128, 128, 1], seed: 2 }),
    prior: new ParticlePrior({ numParticles: 20_000, zDim: 2, seed: 3 }),
    emaDecay: 0.999,
  });
  await trainer.startWorkers(shards, batch);
  const grid = new GaussianGrid();
  const rng = new Rng(4);
  const times: number[] = [];
  for (let i = 0; i < steps + 50; i++) {
    const real = grid.sample(batch, rng);
    const start = performance.now();
    trainer.step(real);
    await trainer.readLosses();
    if (i >= 50) times.push(performance.now() - start);
    real.dispose();
  }
  trainer.dispose();
  return summarize(times);
}

/** The PyTorch step on one thread, or undefined when torch is not importable. */
async function pytorch(batch: number): Promise<(Timing & { torch: string }) | undefined> {
  const script = new URL("./pytorch_step.py", import.meta.url).pathname;
  try {
    const { success, stdout } = await new Deno.Command("python3", {
      args: [script, "--batch", String(batch), "--steps", String(steps), "--threads", "1"],
      env: { OPENBLAS_NUM_THREADS: "1", OMP_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      stderr: "null",
    }).output();
    if (!success) return undefined;
    return JSON.parse(new TextDecoder().decode(stdout));
  } catch {
    return undefined;
  }
}

const backend = await initBackend({ backend: "wasm" });
const cores = navigator.hardwareConcurrency;
const rows: string[] = [];
let torchVersion = "";
for (const batch of batches) {
  const one = await ours(batch, 1);
  const two = cores >= 2 ? await ours(batch, 2) : undefined;
  const torch = await pytorch(batch);
  if (torch) torchVersion = torch.torch;
  const cell = (t?: Timing) => t ? `${t.medianMs.toFixed(2)} (${t.meanMs.toFixed(2)})` : "n/a";
  const ratio = (t?: Timing) => t && torch ? (torch.medianMs / t.medianMs).toFixed(2) : "n/a";
  rows.push(
    `| ${batch} | ${cell(torch)} | ${cell(one)} | ${ratio(one)} | ${cell(two)} | ${ratio(two)} |`,
  );
}
console.log(
  `Training step of the 100-Gaussians setup, ms: median (mean) of ${steps} steps; ` +
    `${cores} cores, Deno ${Deno.version.deno}, tfjs ${backend.name}` +
    (torchVersion ? `, PyTorch ${torchVersion} (1 thread)` : ", PyTorch not found") +
    ". Speed-up = PyTorch time / particlegan time.\n",
);
console.log(
  "| batch | PyTorch, 1 thread | particlegan, 1 thread | speed-up | particlegan, 2 shards | speed-up |",
);
console.log("|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
