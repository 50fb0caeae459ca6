/**
 * The 100-Gaussians experiment shared by `examples/100gaussians.ts` (particle
 * prior) and `examples/100gaussians_no_particle_prior.ts` (fixed N(0, I)):
 * the same data, networks, losses and schedule; only the prior differs.
 *
 * @module
 */
import { describeBackend, initBackend } from "../backend.ts";
import type { BackendChoice } from "../backend.ts";
import { GANLoss, LOSS_MODES, LOSS_TYPES } from "../gan_loss.ts";
import type { LossMode, LossType } from "../gan_loss.ts";
import { GaussianGrid } from "../gaussian_grid.ts";
import { GaussianPrior } from "../gaussian_prior.ts";
import { MLP } from "../mlp.ts";
import { modeCoverage } from "../mode_coverage.ts";
import type { ModeCoverage } from "../mode_coverage.ts";
import { ParticlePrior } from "../prior.ts";
import { SparseParticlePrior } from "../sparse_prior.ts";
import { Rng } from "../rng.ts";
import * as tf from "../tf.ts";
import { GANTrainer } from "../trainer.ts";
import type { StepLosses } from "../trainer.ts";
import { VICRegLoss } from "../vicreg.ts";
import { curvesSpec, latentSpec, samplesSpec } from "../plot/charts.ts";
import { encodeScatterGif } from "../plot/gif.ts";
import { writeFigure } from "../plot/render.ts";
import { writeAtomic } from "../atomic_write.ts";
import { formatDuration, parseFlags, Progress, UsageError } from "./cli.ts";
import {
  CHECKPOINT_FILE,
  checkpointAfter,
  checkpointFlags,
  loadResume,
  noteLastCheckpoint,
} from "./resume.ts";
import { restoreTrainingState, saveCheckpoint } from "../checkpoint.ts";
import type { Checkpoint } from "../checkpoint.ts";
import type { NamedArray } from "../safetensors.ts";
import { DivergenceError, exitCodeOf, prepareOutput } from "./output.ts";
import type { FlagSpec, FlagValues } from "./cli.ts";

/** Which latent prior a run uses. */
export type PriorKind = "particles" | "gaussian";

/** The experiment's flags, with the original's settings unless noted. */
export const GAUSSIANS_FLAGS = {
  steps: {
    default: 40_000,
    integer: true,
    help: "training steps (one D and one G + prior update each)",
  },
  batch: { default: 256, integer: true, help: "batch size" },
  lr: { default: 4e-4, help: "Adam learning rate of G (the original: 1e-4)" },
  dLr: { default: 4e-4, help: "Adam learning rate of D (the original: 1e-4)" },
  priorLrMult: { default: 10, help: "particle learning rate as a multiple of G's" },
  beta1: { default: 0, min: 0, max: 0.999999, help: "Adam beta1 (the original: 0.5)" },
  beta2: { default: 0.999, min: 0, max: 0.999999, help: "Adam beta2" },
  seed: {
    default: 1,
    integer: true,
    min: 0,
    help: "seed of weights, particles, data and sampling",
  },
  particles: { default: 20_000, integer: true, help: "number of particles M" },
  sparse: {
    default: false,
    help: "keep the particles on the host with row-sparse Adam (step cost independent of M)",
  },
  particleInit: {
    default: "normal",
    choices: ["normal", "r2"],
    help: "particle start: independent N(0, I) draws (normal) or evenly spread quasi-random (r2)",
  },
  zDim: { default: 2, integer: true, help: "latent width" },
  loss: { default: "hinge", choices: LOSS_TYPES, help: "GAN loss" },
  mode: { default: "vanilla", choices: LOSS_MODES, help: "GAN loss mode" },
  vicregWeight: {
    default: 1,
    min: 0,
    help: "weight of the VICReg spread penalty on the batch's unique particles",
  },
  r1: { default: 0, min: 0, help: "R1 penalty weight gamma on real samples (0: off)" },
  ema: {
    default: 0.999,
    min: 0,
    max: 0.999999,
    help:
      "decay of the moving average of G and the particles used for evaluation (0: off, as the original)",
  },
  emaRate: {
    default: "lr",
    choices: ["lr", "fixed"],
    help:
      "the average's per-step rate 1 - ema: scaled by the learning-rate schedule (lr) or the same every step (fixed)",
  },
  decayStart: {
    default: 0.5,
    min: 0,
    max: 1,
    help:
      "fraction of the run after which all learning rates follow a cosine to 0 (1: constant, as the original)",
  },
  hidden: { default: 128, integer: true, help: "width of the 3 hidden layers of G and D" },
  gridSize: { default: 10, integer: true, help: "modes per axis" },
  spacing: { default: 1, help: "distance between neighbouring modes" },
  std: { default: 0.03, help: "standard deviation of each mode" },
  evalInterval: { default: 500, integer: true, help: "steps between evaluations" },
  evalSamples: { default: 10_000, integer: true, help: "samples per evaluation" },
  backend: { default: "auto", choices: ["auto", "webgpu", "wasm", "cpu"], help: "tfjs backend" },
  shards: {
    default: "auto",
    help:
      "row shards per step, this thread plus Deno Workers (wasm or cpu; auto: 2 on 2+ cores at batch >= 256, else 1)",
  },
  out: { default: "", help: "output directory (default out/<example>/seed-<seed>)" },
  force: { default: false, help: "overwrite an output directory that holds another run" },
  noFigures: { default: false, help: "skip the PNG/SVG figures and the GIF" },
  quiet: { default: false, help: "print only the final verdict" },
  ...checkpointFlags("steps", "only evaluate the saved model and draw its samples"),
} satisfies Record<string, FlagSpec>;

/** A parsed configuration. */
export type GaussiansConfig = FlagValues<typeof GAUSSIANS_FLAGS>;

/** `--reference`: the original's settings exactly (100,000 steps, 1,000-step evaluations). */
export const REFERENCE_PRESET: Partial<GaussiansConfig> = {
  steps: 100_000,
  batch: 256,
  lr: 1e-4,
  dLr: 1e-4,
  priorLrMult: 10,
  beta1: 0.5,
  beta2: 0.999,
  particles: 20_000,
  sparse: false,
  particleInit: "normal",
  zDim: 2,
  loss: "hinge",
  mode: "vanilla",
  vicregWeight: 1,
  r1: 0,
  ema: 0,
  hidden: 128,
  seed: 1234,
  decayStart: 1,
  evalInterval: 1000,
};

/** One evaluation, as written to `metrics.jsonl`. */
export interface EvalRecord extends StepLosses {
  /** Training step. */
  step: number;
  /** Modes with enough high-quality samples. */
  modesCovered: number;
  /** Modes with any high-quality sample. */
  modesHit: number;
  /** Fraction of high-quality samples. */
  hqFraction: number;
  /** KL(HQ histogram || uniform). */
  kl: number;
  /** Seconds since the start of training. */
  wallSeconds: number;
}

/** What `summary.json` holds. */
export interface GaussiansSummary {
  prior: PriorKind;
  seed: number;
  steps: number;
  backend: string;
  /** Row shards per step (1: one thread). */
  shards: number;
  modesCovered: number;
  numModes: number;
  modesHit: number;
  hqFraction: number;
  kl: number;
  minModesCoveredLast5: number;
  stepsPerSecond: number;
  wallSeconds: number;
  firstFullCoverageStep: number | null;
  config: GaussiansConfig;
}

/** Parses the command line; undefined after `--help`. */
export function parseGaussiansArgs(args: string[], example: string): GaussiansConfig | undefined {
  const usage = `Usage: deno run -A examples/${example}.ts [options]\n` +
    "  --reference                    the original's settings (100,000 steps, seed 1234)";
  return parseFlags(args, GAUSSIANS_FLAGS, usage, { reference: REFERENCE_PRESET });
}

/** 1 until `decayStart * steps`, then a cosine from 1 down to 0 at the last step. */
export function learningRateScale(step: number, steps: number, decayStart: number): number {
  const start = decayStart * steps;
  if (step <= start || decayStart >= 1) return 1;
  return 0.5 * (1 + Math.cos((Math.PI * (step - start)) / (steps - start)));
}

/**
 * The number of row shards for `--shards`: "auto" is 2 on a machine with 2 or
 * more cores for batches of 256 or more when the backend and loss allow it
 * (the only count measured), else 1; a number is taken as given.
 */
export function shardsFor(flag: string, backend: string, mode: LossMode, batch: number): number {
  const splittable = (backend === "wasm" || backend === "cpu") && mode !== "ra";
  if (flag === "auto") {
    // Measured on 2 cores: 2 shards pay at batch 256 and 1024, not at 64.
    return splittable && batch >= 256 ? Math.min(2, navigator.hardwareConcurrency ?? 1) : 1;
  }
  const shards = Number(flag);
  if (!Number.isInteger(shards) || shards < 1 || shards > 64) {
    throw new UsageError(`--shards must be "auto" or an integer from 1 to 64; got ${flag}`);
  }
  if (shards > 1 && !splittable) {
    throw new UsageError(
      `--shards ${shards} needs the wasm or cpu backend and a mode other than "ra" (got ${backend}, ${mode})`,
    );
  }
  return shards;
}

/** Flags that decide shapes, data or seed: a resumed run must keep them. */
const FIXED_ON_RESUME = [
  "particles",
  "sparse",
  "particleInit",
  "zDim",
  "hidden",
  "gridSize",
  "spacing",
  "std",
  "seed",
  "evalSamples",
] as const;

/** What a checkpoint's `info` holds for this experiment. */
interface RunInfo {
  example: string;
  step: number;
  config: GaussiansConfig;
  backend: string;
  records: EvalRecord[];
  trainSeconds: number;
  wallSeconds: number;
}

/**
 * Runs one experiment end to end and returns its summary. `args` (the
 * command line) tells `--resume` which flags were given explicitly.
 */
export async function runGaussians(
  options: GaussiansConfig,
  prior: PriorKind,
  example: string,
  args: readonly string[] = [],
): Promise<GaussiansSummary> {
  let config = options;
  let checkpoint: Checkpoint | undefined;
  if (config.resume) {
    ({ config, checkpoint } = await loadResume(config, args, example, FIXED_ON_RESUME));
  } else if (config.sampleOnly) {
    throw new UsageError("--sample-only needs --resume DIR (the output directory of a run)");
  }
  const log = (line: string) => {
    if (!config.quiet) console.log(line);
  };
  const out = config.out || `out/${example}/seed-${config.seed}`;
  await prepareOutput(out, config.force || checkpoint !== undefined);
  const backend = await initBackend({ backend: config.backend as BackendChoice });
  log(describeBackend(backend));

  const grid = new GaussianGrid({
    gridSize: config.gridSize,
    spacing: config.spacing,
    std: config.std,
  });
  const sizes = (
    input: number,
    output: number,
  ) => [input, config.hidden, config.hidden, config.hidden, output];
  // Separate streams per purpose: changing one never shifts another.
  const seeds = new Rng(config.seed);
  const generator = new MLP({ sizes: sizes(config.zDim, 2), seed: seeds.nextUint32() });
  const discriminator = new MLP({ sizes: sizes(2, 1), seed: seeds.nextUint32() });
  const table = {
    numParticles: config.particles,
    zDim: config.zDim,
    init: config.particleInit as "normal" | "r2",
    seed: seeds.nextUint32(),
  };
  const latent = prior === "gaussian"
    ? new GaussianPrior({ zDim: config.zDim, seed: table.seed })
    : config.sparse
    ? new SparseParticlePrior({
      ...table,
      learningRate: config.lr * config.priorLrMult,
      beta1: config.beta1,
      beta2: config.beta2,
    })
    : new ParticlePrior(table);
  const dataRng = new Rng(seeds.nextUint32());
  const trainer = new GANTrainer({
    generator,
    discriminator,
    prior: latent,
    loss: new GANLoss({ lossType: config.loss as LossType, mode: config.mode as LossMode }),
    vicreg: new VICRegLoss(),
    vicregWeight: config.vicregWeight,
    generatorLearningRate: config.lr,
    discriminatorLearningRate: config.dLr,
    priorLearningRate: config.lr * config.priorLrMult,
    beta1: config.beta1,
    beta2: config.beta2,
    r1Gamma: config.r1,
    emaDecay: config.ema,
    emaFollowsSchedule: config.emaRate === "lr",
  });
  const shards = shardsFor(config.shards, backend.name, config.mode as LossMode, config.batch);
  await trainer.startWorkers(shards, config.batch);
  if (shards > 1) {
    log(
      `${shards} row shards per step (this thread and ${shards - 1} Deno Worker${
        shards > 2 ? "s" : ""
      })`,
    );
  }
  log(
    `${example}: ${
      prior === "particles" ? `${config.particles} particles` : "z ~ N(0, I)"
    }, zDim ${config.zDim}, ` +
      `${grid.numModes} modes, ${config.steps} steps of batch ${config.batch}, ${config.loss}/${config.mode}, seed ${config.seed}`,
  );

  // Fixed evaluation latents: the same particle rows (or the same Gaussian draws) every time.
  const evalRng = new Rng(0xe7a1);
  const evalIndices = latent instanceof GaussianPrior
    ? undefined
    : latent.drawIndices(config.evalSamples, evalRng);
  const evalNoise = latent instanceof GaussianPrior
    ? latent.sample(config.evalSamples, evalRng)
    : undefined;
  const realSamples = grid.sampleArray(config.evalSamples, new Rng(0xda7a));

  const state = { ...trainer.trainingState };
  state.rngs = { ...state.rngs, data: dataRng };
  let records: EvalRecord[] = [];
  let frames: Frame[] = [];
  let last: { coverage: ModeCoverage; samples: Float32Array; latents: Float32Array } | undefined;
  let trainSeconds = 0;
  let start = { step: 0, seconds: 0 };
  if (checkpoint) {
    restoreTrainingState(state, checkpoint);
    const info = checkpoint.info as unknown as RunInfo;
    trainer.stepCount = info.step;
    records = info.records;
    frames = framesFromArrays(checkpoint.tensors);
    trainSeconds = info.trainSeconds;
    start = { step: info.step, seconds: info.wallSeconds };
    log(`resumed from ${config.resume} at step ${info.step}`);
  }
  const checkpointPath = `${out}/${CHECKPOINT_FILE}`;
  let lastCheckpoint = checkpoint ? start.step : -1;
  const metricsPath = `${out}/metrics.jsonl`;
  if (!config.sampleOnly) {
    await Deno.writeTextFile(metricsPath, records.map((r) => JSON.stringify(r) + "\n").join(""));
  }
  const progress = new Progress(config.steps, config.quiet, start);

  const evaluate = async (step: number): Promise<EvalRecord> => {
    const [latents, samples] = tf.tidy(() => {
      // Averaged G and particles when --ema is on (the same for both priors).
      const z = evalIndices ? trainer.particleRows(evalIndices) : evalNoise!;
      return [tf.keep(z.clone()), trainer.evalGenerator.apply(z)];
    });
    const [latentValues, sampleValues] = await Promise.all([
      latents.data(),
      samples.data(),
    ]) as Float32Array[];
    tf.dispose([latents, samples]);
    const coverage = modeCoverage(sampleValues, grid.centers, grid.std);
    // No losses before the first step of this process (a fresh run, or --sample-only).
    const trained = step > 0 && !config.sampleOnly;
    const losses = trained ? await trainer.readLosses() : { dLoss: NaN, gLoss: NaN, vicreg: NaN };
    for (const [name, value] of Object.entries(losses)) {
      if (trained && !Number.isFinite(value)) throw new DivergenceError(step, name, value);
    }
    if (sampleValues.some((v) => !Number.isFinite(v))) {
      throw new DivergenceError(step, "a generated sample", NaN);
    }
    last = { coverage, samples: sampleValues, latents: latentValues };
    const frameSize = Math.min(2000, config.evalSamples);
    frames.push({
      points: sampleValues.slice(0, 2 * frameSize),
      colors: Uint8Array.from(
        coverage.assignments.subarray(0, frameSize),
        (a) => (a < 0 ? 255 : a % 20),
      ),
    });
    return {
      step,
      modesCovered: coverage.modesCovered,
      modesHit: coverage.modesHit,
      hqFraction: coverage.hqFraction,
      kl: coverage.kl,
      ...losses,
      wallSeconds: progress.elapsed,
    };
  };

  const save = async (step: number) => {
    for (const [name, value] of Object.entries(await trainer.readLosses())) {
      if (!Number.isFinite(value)) throw new DivergenceError(step, name, value);
    }
    const info: RunInfo = {
      example,
      step,
      config,
      backend: backend.name,
      records,
      trainSeconds,
      wallSeconds: progress.elapsed,
    };
    await saveCheckpoint(checkpointPath, state, { ...info }, framesToArrays(frames));
  };

  const record = async (step: number) => {
    const entry = await evaluate(step);
    records.push(entry);
    await Deno.writeTextFile(metricsPath, JSON.stringify(entry) + "\n", { append: true });
    const status = `modes ${entry.modesCovered}/${grid.numModes} HQ ${
      (100 * entry.hqFraction).toFixed(1)
    }% KL ${entry.kl.toFixed(3)}`;
    progress.update(step, status, true);
  };

  let stopped = false;
  try {
    if (config.sampleOnly) {
      // Evaluate the restored model once; nothing is trained or overwritten.
      records = [
        ...records.filter((r) => r.step < trainer.stepCount),
        await evaluate(trainer.stepCount),
      ];
    } else if (trainer.stepCount === 0) {
      await record(0);
    }
    for (let step = trainer.stepCount + 1; step <= config.steps && !config.sampleOnly; step++) {
      const started = performance.now();
      trainer.setLearningRateScale(learningRateScale(step, config.steps, config.decayStart));
      const real = grid.sample(config.batch, dataRng);
      trainer.step(real);
      real.dispose();
      trainSeconds += (performance.now() - started) / 1000;
      const final = step === config.steps;
      if (step % config.evalInterval === 0 || final) {
        await record(step);
      } else if (step % 50 === 0) {
        progress.update(step, `modes ${records.at(-1)!.modesCovered}/${grid.numModes}`);
      }
      const after = await checkpointAfter(step, config.steps, config, lastCheckpoint, save);
      lastCheckpoint = after.lastSaved;
      if (after.stop) {
        stopped = true;
        break;
      }
    }
  } catch (error) {
    trainer.stopWorkers();
    noteLastCheckpoint(error, lastCheckpoint, checkpointPath);
    throw error;
  } finally {
    progress.done();
  }
  // Read the losses once more so the step time includes the device finishing its queue.
  await trainer.readLosses();

  const final = records.at(-1)!;
  const full = records.find((r) => r.modesCovered === grid.numModes);
  const summary: GaussiansSummary = {
    prior,
    seed: config.seed,
    steps: trainer.stepCount,
    backend: backend.name,
    shards: trainer.shards,
    modesCovered: final.modesCovered,
    numModes: grid.numModes,
    modesHit: final.modesHit,
    hqFraction: final.hqFraction,
    kl: final.kl,
    minModesCoveredLast5: Math.min(...records.slice(-5).map((r) => r.modesCovered)),
    stepsPerSecond: trainer.stepCount / trainSeconds,
    wallSeconds: progress.elapsed,
    firstFullCoverageStep: full ? full.step : null,
    config,
  };
  let wrote: string;
  if (stopped) {
    wrote = `${checkpointPath} (continue with --resume ${out})`;
  } else if (config.sampleOnly) {
    const figure = `${out}/samples-step-${final.step}`;
    if (!config.noFigures) {
      await writeFigure(
        figure,
        samplesSpec({
          real: realSamples,
          generated: last!.samples,
          title: `${example}: real vs generated, step ${final.step} (from the checkpoint)`,
        }),
      );
    }
    wrote = config.noFigures ? "nothing (--no-figures)" : `${figure}.png/.svg`;
  } else {
    if (!config.noFigures) {
      await writeFigures(out, example, grid, realSamples, last!, records, frames);
    }
    await writeAtomic(`${out}/summary.json`, JSON.stringify(summary, null, 2) + "\n");
    wrote = `${out}/summary.json, metrics.jsonl${
      config.checkpointEvery > 0 ? `, ${CHECKPOINT_FILE}` : ""
    }${!config.noFigures ? ", samples/latent/curves .png/.svg, training.gif" : ""}`;
  }

  evalNoise?.dispose();
  trainer.dispose();
  generator.dispose();
  discriminator.dispose();
  if (latent instanceof ParticlePrior) latent.dispose();

  log(`wrote ${wrote}`);
  console.log(
    `${final.modesCovered}/${grid.numModes} modes covered, HQ ${
      (100 * final.hqFraction).toFixed(1)
    }%, ` +
      `KL ${final.kl.toFixed(3)} ${config.sampleOnly || stopped ? "at" : "in"} ${final.step} steps${
        stopped ? ` (stopped at step ${trainer.stepCount} of ${config.steps})` : ""
      } (${formatDuration(summary.wallSeconds)}, ` +
      `${summary.stepsPerSecond.toFixed(0)} steps/s)`,
  );
  return summary;
}

/** One GIF frame: 2-D samples and their palette indices. */
interface Frame {
  points: Float32Array;
  colors: Uint8Array;
}

/** GIF frames as two checkpoint arrays (every frame has the same size). */
function framesToArrays(frames: Frame[]): Record<string, NamedArray> {
  const size = frames[0]?.colors.length ?? 0;
  const points = new Float32Array(frames.length * 2 * size);
  const colors = new Int32Array(frames.length * size);
  frames.forEach((frame, i) => {
    points.set(frame.points, i * 2 * size);
    colors.set(frame.colors, i * size);
  });
  return {
    "frames.points": { dtype: "float32", shape: [frames.length, 2 * size], data: points },
    "frames.colors": { dtype: "int32", shape: [frames.length, size], data: colors },
  };
}

/** The inverse of {@linkcode framesToArrays}, from a checkpoint's `extra.*` tensors. */
function framesFromArrays(tensors: Record<string, NamedArray>): Frame[] {
  const points = tensors["extra.frames.points"];
  const colors = tensors["extra.frames.colors"];
  if (!points || !colors) return [];
  const [count, size] = colors.shape;
  return Array.from({ length: count }, (_, i) => ({
    points: (points.data as Float32Array).slice(i * 2 * size, (i + 1) * 2 * size),
    colors: Uint8Array.from(colors.data.subarray(i * size, (i + 1) * size)),
  }));
}

async function writeFigures(
  out: string,
  example: string,
  grid: GaussianGrid,
  real: Float32Array,
  last: { coverage: ModeCoverage; samples: Float32Array; latents: Float32Array },
  records: EvalRecord[],
  frames: Frame[],
): Promise<void> {
  const step = records.at(-1)!.step;
  await writeFigure(
    `${out}/samples`,
    samplesSpec({
      real,
      generated: last.samples,
      title: `${example}: real vs generated, step ${step}`,
    }),
  );
  // The latent cloud in its first two dimensions, coloured by the mode G sends each point to.
  const zDim = last.latents.length / last.coverage.assignments.length;
  const points = new Float32Array(2 * last.coverage.assignments.length);
  for (let i = 0; i < points.length / 2; i++) {
    points[2 * i] = last.latents[i * zDim];
    points[2 * i + 1] = zDim > 1 ? last.latents[i * zDim + 1] : 0;
  }
  await writeFigure(
    `${out}/latent`,
    latentSpec({
      points,
      modeIndex: last.coverage.assignments,
      title: `latent space at step ${step}, by mode of G(z)`,
    }),
  );
  await writeFigure(
    `${out}/curves`,
    curvesSpec({
      rows: records.slice(1).map((r) => ({ ...r })),
      metrics: ["modesCovered", "hqFraction", "kl", "dLoss", "gLoss", "vicreg"],
      title: `${example} over training`,
    }),
  );
  const extent = (grid.gridSize * grid.spacing) / 2 + grid.spacing;
  const gif = encodeScatterGif(frames, {
    width: 400,
    height: 400,
    xDomain: [-extent, extent],
    yDomain: [-extent, extent],
    delayMs: 100,
    extraPoints: grid.centers,
  });
  await writeAtomic(`${out}/training.gif`, gif);
}

/** The examples' entry point: parse, run, and map errors to exit codes (2: usage, 1: failure). */
export function gaussiansMain(
  args: string[],
  prior: PriorKind,
  example: string,
): Promise<number> {
  return exitCodeOf(async () => {
    const config = parseGaussiansArgs(args, example);
    if (config) await runGaussians(config, prior, example, args);
  });
}
