/**
 * Bad input everywhere a user can reach: each case must throw the named
 * error class with a message that says what was expected.
 */
import assert from "node:assert/strict";
import { parseFlags, UsageError } from "../lib/experiments/cli.ts";
import { FIVE_MODES_FLAGS } from "../lib/experiments/five_modes.ts";
import { parseGaussiansArgs } from "../lib/experiments/gaussians.ts";
import {
  Adam,
  GANLoss,
  GANTrainer,
  GaussianGrid,
  GaussianPrior,
  MLP,
  modeCoverage,
  ParticlePrior,
  r1Penalty,
  Rng,
  TextCodec,
  tf,
  VICRegLoss,
} from "../mod.ts";
import type { Tensor2D } from "../mod.ts";

type ErrorClass = new (...args: never[]) => Error;
const flags = (args: string[]) => () => parseGaussiansArgs(args, "100gaussians");
const textFlags = (args: string[]) => () => parseFlags(args, FIVE_MODES_FLAGS, "usage");

const mlp = new MLP({ sizes: [2, 4, 1], seed: 1 });
const generator = new MLP({ sizes: [2, 4, 2], seed: 1 });
const prior = new ParticlePrior({ numParticles: 10, zDim: 2, seed: 1 });
const trainer = new GANTrainer({ generator, discriminator: mlp, prior });
const x3 = tf.zeros([4, 3]) as Tensor2D;
const x2 = tf.zeros([4, 2]) as Tensor2D;
const ints = tf.zeros([4, 1], "int32") as Tensor2D;
const logits = tf.zeros([4, 1]) as Tensor2D;
const oneRow = tf.zeros([1, 2]) as Tensor2D;
const wideGenerator = new MLP({ sizes: [3, 2], seed: 1 });

const CASES: [string, () => unknown, ErrorClass, RegExp][] = [
  // Command-line flags.
  ["unknown flag", flags(["--bogus"]), UsageError, /Unknown option '--bogus'/],
  [
    "non-numeric steps",
    flags(["--steps", "ten"]),
    UsageError,
    /--steps must be a number; got "ten"/,
  ],
  ["zero steps", flags(["--steps", "0"]), UsageError, /--steps must be > 0; got 0/],
  ["negative batch", flags(["--batch=-3"]), UsageError, /--batch must be > 0; got -3/],
  [
    "fractional particles",
    flags(["--particles", "1.5"]),
    UsageError,
    /--particles must be a whole number/,
  ],
  ["infinite lr", flags(["--lr", "Infinity"]), UsageError, /--lr must be a number/],
  ["empty lr", flags(["--lr="]), UsageError, /--lr must be a number; got ""/],
  ["beta1 above 1", flags(["--beta1", "1.5"]), UsageError, /--beta1 must be <= 0.999999/],
  ["beta2 of 1", flags(["--beta2", "1"]), UsageError, /--beta2 must be <= 0.999999/],
  ["negative seed", flags(["--seed=-1"]), UsageError, /--seed must be >= 0; got -1/],
  ["unknown loss", flags(["--loss", "bce"]), UsageError, /--loss must be one of hinge, logistic/],
  ["unknown mode", flags(["--mode", "rx"]), UsageError, /--mode must be one of vanilla, rp, ra/],
  ["unknown backend", flags(["--backend", "tpu"]), UsageError, /--backend must be one of auto/],
  ["decay start above 1", flags(["--decay-start", "2"]), UsageError, /--decay-start must be <= 1/],
  [
    "negative checkpoint interval",
    flags(["--checkpoint-every=-5"]),
    UsageError,
    /--checkpoint-every must be >= 0/,
  ],
  ["positional argument", flags(["extra"]), UsageError, /Unexpected argument 'extra'/],
  [
    "five_modes unknown prior",
    textFlags(["--prior", "laplace"]),
    UsageError,
    /--prior must be one of particles, gaussian/,
  ],
  ["five_modes zero draws", textFlags(["--draws", "0"]), UsageError, /--draws must be > 0/],
  // Library arguments.
  ["MLP with one width", () => new MLP({ sizes: [2], seed: 1 }), RangeError, /at least 2 widths/],
  [
    "MLP with a zero width",
    () => new MLP({ sizes: [2, 0, 1], seed: 1 }),
    RangeError,
    /sizes\[1\] must be >= 1/,
  ],
  [
    "MLP with NaN slope",
    () => new MLP({ sizes: [2, 1], leakyReluAlpha: NaN, seed: 1 }),
    TypeError,
    /leakyReluAlpha must be a finite number/,
  ],
  [
    "MLP input of wrong width",
    () => mlp.apply(x3),
    RangeError,
    /input must have shape \[batch, 2\]; got \[4, 3\]/,
  ],
  [
    "zero particles",
    () => new ParticlePrior({ numParticles: 0 }),
    RangeError,
    /numParticles must be >= 1/,
  ],
  [
    "particle table too large for memory",
    () => new ParticlePrior({ numParticles: 2e9, zDim: 64 }),
    RangeError,
    /numParticles \* zDim must be at most 2147483647; got .*GiB/,
  ],
  ["fractional zDim", () => new ParticlePrior({ zDim: 2.5 }), TypeError, /zDim must be an integer/],
  ["batch larger than int", () => prior.sample(0), RangeError, /batch/i],
  [
    "Gaussian prior without zDim",
    () => new GaussianPrior({ zDim: 0, seed: 1 }),
    RangeError,
    /zDim must be >= 1/,
  ],
  [
    "unknown loss type",
    () => new GANLoss({ lossType: "bce" as "hinge" }),
    TypeError,
    /lossType must be one of hinge, logistic, wasserstein, lsgan/,
  ],
  [
    "unknown loss mode",
    () => new GANLoss({ mode: "x" as "rp" }),
    TypeError,
    /mode must be one of vanilla, rp, ra/,
  ],
  [
    "label smoothing above 0.5",
    () => new GANLoss({ labelSmoothing: 0.7 }),
    RangeError,
    /labelSmoothing must be in \[0, 0.5\]/,
  ],
  [
    "relativistic G loss without real logits",
    () => new GANLoss({ mode: "rp" }).gLoss(logits),
    TypeError,
    /real/,
  ],
  ["GAN loss on int logits", () => new GANLoss().dLoss(ints, ints), TypeError, /float32/],
  [
    "VICReg on one row",
    () => new VICRegLoss().compute(oneRow),
    RangeError,
    /at least 2/,
  ],
  ["VICReg with negative eps", () => new VICRegLoss({ eps: -1 }), RangeError, /eps/],
  [
    "R1 with negative gamma",
    () => r1Penalty((t) => t, x2, -1),
    RangeError,
    /gamma must be in \[0, Infinity\]/,
  ],
  [
    "R1 on a non-tensor",
    () => r1Penalty((t) => t, [1, 2] as unknown as Tensor2D),
    TypeError,
    /needs x as a Tensor/,
  ],
  [
    "grid of zero size",
    () => new GaussianGrid({ gridSize: 0 }),
    RangeError,
    /gridSize must be >= 1/,
  ],
  [
    "grid with NaN std",
    () => new GaussianGrid({ std: NaN }),
    TypeError,
    /std must be a finite number/,
  ],
  [
    "coverage with odd flat samples",
    () => modeCoverage([1, 2, 3], [0, 0], 0.1),
    RangeError,
    /2 numbers per point; got 3/,
  ],
  [
    "coverage with NaN centers",
    () => modeCoverage([0, 0], [NaN, 0], 0.1),
    RangeError,
    /centers must be finite/,
  ],
  ["coverage with zero std", () => modeCoverage([0, 0], [0, 0], 0), RangeError, /std must be in/],
  [
    "coverage with no samples",
    () => modeCoverage([], [0, 0], 0.1),
    RangeError,
    /needs samples and centers/,
  ],
  [
    "trainer with mismatched prior",
    () => new GANTrainer({ generator: wideGenerator, discriminator: mlp, prior }),
    RangeError,
    /generator input width 3 != prior zDim 2/,
  ],
  [
    "trainer with negative lr",
    () => new GANTrainer({ generator, discriminator: mlp, prior, generatorLearningRate: -1 }),
    RangeError,
    /generatorLearningRate/,
  ],
  [
    "trainer step on wrong data shape",
    () => trainer.step(x3),
    RangeError,
    /real batch must have shape \[n, 2\]; got \[4, 3\]/,
  ],
  [
    "Adam with zero learning rate",
    () => new Adam({ learningRate: 0 }),
    RangeError,
    /learningRate must be in/,
  ],
  [
    "Adam with beta1 of 1",
    () => new Adam({ learningRate: 1e-3, beta1: 1 }),
    RangeError,
    /betas must be < 1/,
  ],
  [
    "Rng with a bad saved state",
    () => {
      new Rng(1).state = [1, 2, 3] as unknown as [number, number, number, number];
    },
    TypeError,
    /four unsigned 32-bit integers/,
  ],
  [
    "codec with pad outside the alphabet",
    () => new TextCodec({ pad: "#" }),
    RangeError,
    /pad "#" is not in the alphabet/,
  ],
];

Deno.test(`bad input: ${CASES.length} cases each throw a clear, typed error`, () => {
  assert.ok(CASES.length >= 30);
  const failures: string[] = [];
  for (const [what, fn, type, message] of CASES) {
    try {
      fn();
      failures.push(`${what}: did not throw`);
    } catch (error) {
      if (!(error instanceof type) || !message.test((error as Error).message)) {
        failures.push(`${what}: expected ${type.name} matching ${message}; got ${error}`);
      }
    }
  }
  assert.deepEqual(failures, []);
});

Deno.test("bad input leaves no tensors behind", () => {
  const leaks: string[] = [];
  for (const [what, fn] of CASES) {
    const before = tf.memory().numTensors;
    try {
      fn();
    } catch {
      // expected
    }
    const after = tf.memory().numTensors;
    if (after !== before) leaks.push(`${what}: ${after - before} tensors`);
  }
  assert.deepEqual(leaks, []);
});
