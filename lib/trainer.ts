/**
 * One GAN training step: a D update, then a joint G + prior update.
 *
 * @module
 */
import * as tf from "./tf.ts";
import { GANLoss } from "./gan_loss.ts";
import { GaussianPrior } from "./gaussian_prior.ts";
import type { MLP } from "./mlp.ts";
import { ParticlePrior } from "./prior.ts";
import { SparseParticlePrior } from "./sparse_prior.ts";
import { VICRegLoss } from "./vicreg.ts";
import { checkInteger, checkNumber } from "./validate.ts";
import { tensorsOnHost } from "./host_math.ts";
import { Adam } from "./adam.ts";
import { EMA } from "./ema.ts";
import type { TrainingState } from "./checkpoint.ts";
import type { Scalar, Tensor, Tensor1D, Tensor2D, Variable } from "./types.ts";
import { discriminatorGradients, generatorGradients } from "./gan_gradients.ts";
import type { GeneratorGradients } from "./gan_gradients.ts";
import {
  Command,
  gradientTensors,
  GradientWorkers,
  rowsOf,
  shardSizes,
  sizesOf,
} from "./data_parallel.ts";
import type { CommandCode } from "./data_parallel.ts";

/** One batch's latents and how their gradient reaches the particles. */
interface BatchLatents {
  /** The batch's latents `[n, zDim]`. */
  z: Tensor2D;
  /** For particles: the tensor the particle gradient is taken for (the table, or the batch's distinct rows). */
  table?: Tensor2D;
  /** For particles: each batch row's row in `table`. */
  inverse?: Tensor1D;
  /** The batch's distinct particles (at least 2) for the spread penalty. */
  unique?: () => Tensor2D;
  /** Places a gradient of `unique()` into a gradient of `table`. */
  scatterUnique?: (gradient: Tensor, shape: number[]) => Tensor;
  /** For a sparse table: the distinct rows, ascending. */
  uniqueRows?: Int32Array;
  /** Frees what the latents hold. */
  dispose: () => void;
}

/** Options for {@linkcode GANTrainer}. */
export interface GANTrainerOptions {
  /** Maps latents `[n, zDim]` to samples. */
  generator: MLP;
  /** Maps samples to logits `[n, 1]`. */
  discriminator: MLP;
  /**
   * A learnable particle table (on the device, dense Adam; or on the host,
   * row-sparse Adam), or a fixed N(0, I) for baselines.
   */
  prior: ParticlePrior | SparseParticlePrior | GaussianPrior;
  /** The adversarial loss (default hinge, vanilla). */
  loss?: GANLoss;
  /** The spread penalty on the batch's unique particles (default targetStd 1). */
  vicreg?: VICRegLoss;
  /** Weight of the spread penalty in G's step (default 1). */
  vicregWeight?: number;
  /** Adam learning rate of G (default 1e-4). */
  generatorLearningRate?: number;
  /** Adam learning rate of D (default 1e-4). */
  discriminatorLearningRate?: number;
  /** Adam learning rate of the particles (default 10x G's). */
  priorLearningRate?: number;
  /** Adam beta1 for all optimizers (default 0.5). */
  beta1?: number;
  /** Adam beta2 for all optimizers (default 0.999). */
  beta2?: number;
  /** R1 penalty weight on real samples in D's step (default 0: off). */
  r1Gamma?: number;
  /**
   * Decay of an exponential moving average of G's weights and the particles,
   * updated after every step and used by {@linkcode GANTrainer.evalGenerator}
   * and {@linkcode GANTrainer.evalParticles} (default 0: off).
   */
  emaDecay?: number;
  /**
   * Whether the average's per-step rate `1 - emaDecay` is scaled by
   * {@linkcode GANTrainer.setLearningRateScale} (default true), so that an
   * annealed run keeps the average of its last active stretch; false: a
   * fixed rate per step.
   */
  emaFollowsSchedule?: boolean;
}

/** The latest losses, read back from the device. */
export interface StepLosses {
  /** D's loss (including R1 when on). */
  dLoss: number;
  /** G's adversarial loss. */
  gLoss: number;
  /** The unweighted spread penalty (0 for a Gaussian prior). */
  vicreg: number;
}

/**
 * Trains G, D and (for a particle prior) the particles, one step at a time.
 *
 * Each {@linkcode GANTrainer.step} does one D update on real vs G(z) with G
 * held fixed, then one update of G and the particles on G's loss plus
 * `vicregWeight` times the spread penalty of the batch's unique particles,
 * each with its own Adam. Losses stay on the device until
 * {@linkcode GANTrainer.readLosses} is called, so a step has no host round trip.
 *
 * @example
 * ```ts
 * import { GANTrainer, GaussianGrid, MLP, ParticlePrior, Rng } from "@particlegan/particlegan";
 *
 * const trainer = new GANTrainer({
 *   generator: new MLP({ sizes: [2, 32, 2], seed: 1 }),
 *   discriminator: new MLP({ sizes: [2, 32, 1], seed: 2 }),
 *   prior: new ParticlePrior({ numParticles: 500, zDim: 2, seed: 3 }),
 * });
 * const grid = new GaussianGrid({ gridSize: 3 });
 * const rng = new Rng(4);
 * for (let i = 0; i < 5; i++) {
 *   const real = grid.sample(64, rng);
 *   trainer.step(real);
 *   real.dispose();
 * }
 * console.log(await trainer.readLosses());
 * trainer.dispose();
 * ```
 */
export class GANTrainer {
  /** The generator. */
  readonly generator: MLP;
  /** The discriminator. */
  readonly discriminator: MLP;
  /** The latent prior. */
  readonly prior: ParticlePrior | SparseParticlePrior | GaussianPrior;
  /** The adversarial loss. */
  readonly loss: GANLoss;
  /** The spread penalty. */
  readonly vicreg: VICRegLoss;
  /** Weight of the spread penalty. */
  readonly vicregWeight: number;
  /** R1 weight (0: off). */
  readonly r1Gamma: number;
  /** G's optimizer. */
  readonly generatorOptimizer: Adam;
  /** D's optimizer. */
  readonly discriminatorOptimizer: Adam;
  /** The particles' optimizer (absent for a Gaussian prior). */
  readonly priorOptimizer?: Adam;
  /** Averages of G's weights and the particles (when `emaDecay` > 0). */
  readonly ema?: EMA;
  /** Steps taken. */
  stepCount = 0;
  #losses: Scalar[] = [];
  #workers?: GradientWorkers;
  #schedule: { base: number; set: (learningRate: number) => void }[] = [];
  #learningRateScale = 1;
  #emaFollowsSchedule: boolean;

  /** Checks that the networks fit the prior and creates the three Adam optimizers. */
  constructor(options: GANTrainerOptions) {
    const {
      generator,
      discriminator,
      prior,
      generatorLearningRate = 1e-4,
      discriminatorLearningRate = 1e-4,
      beta1 = 0.5,
      beta2 = 0.999,
    } = options;
    if (
      !(prior instanceof ParticlePrior) && !(prior instanceof SparseParticlePrior) &&
      !(prior instanceof GaussianPrior)
    ) {
      throw new TypeError(
        "prior must be a ParticlePrior, a SparseParticlePrior or a GaussianPrior",
      );
    }
    if (generator.inputSize !== prior.zDim) {
      throw new RangeError(
        `generator input width ${generator.inputSize} != prior zDim ${prior.zDim}`,
      );
    }
    if (discriminator.inputSize !== generator.outputSize || discriminator.outputSize !== 1) {
      throw new RangeError(
        `discriminator must map ${generator.outputSize} -> 1; got ${discriminator.inputSize} -> ${discriminator.outputSize}`,
      );
    }
    this.generator = generator;
    this.discriminator = discriminator;
    this.prior = prior;
    this.loss = options.loss ?? new GANLoss();
    this.vicreg = options.vicreg ?? new VICRegLoss();
    this.vicregWeight = checkNumber("vicregWeight", options.vicregWeight ?? 1, 0);
    this.r1Gamma = checkNumber("r1Gamma", options.r1Gamma ?? 0, 0);
    const adam = (name: string, learningRate: number, variables: Variable[]) => {
      checkNumber(name, learningRate, Number.MIN_VALUE);
      const optimizer = new Adam({ learningRate, beta1, beta2 });
      optimizer.track(variables);
      this.#schedule.push({ base: learningRate, set: (lr) => optimizer.learningRate = lr });
      return optimizer;
    };
    this.generatorOptimizer = adam(
      "generatorLearningRate",
      generatorLearningRate,
      generator.variables,
    );
    this.discriminatorOptimizer = adam(
      "discriminatorLearningRate",
      discriminatorLearningRate,
      discriminator.variables,
    );
    if (prior instanceof ParticlePrior) {
      this.priorOptimizer = adam(
        "priorLearningRate",
        options.priorLearningRate ?? 10 * generatorLearningRate,
        [prior.z],
      );
    }
    if (prior instanceof SparseParticlePrior) {
      // The table carries its own row-sparse Adam; the trainer sets its rate and betas.
      prior.beta1 = beta1;
      prior.beta2 = beta2;
      if (options.priorLearningRate !== undefined) {
        prior.learningRate = checkNumber(
          "priorLearningRate",
          options.priorLearningRate,
          Number.MIN_VALUE,
        );
      }
      const base = prior.learningRate;
      this.#schedule.push({ base, set: (lr) => prior.learningRate = lr });
    }
    const emaDecay = checkNumber("emaDecay", options.emaDecay ?? 0, 0, 1);
    const follows = options.emaFollowsSchedule ?? true;
    if (typeof follows !== "boolean") {
      throw new TypeError(`emaFollowsSchedule must be a boolean; got ${JSON.stringify(follows)}`);
    }
    this.#emaFollowsSchedule = follows;
    if (emaDecay > 0) {
      this.ema = new EMA(
        prior instanceof ParticlePrior ? [...generator.variables, prior.z] : generator.variables,
        emaDecay,
      );
    }
  }

  /**
   * Scales every optimizer's learning rate to `scale` times its initial
   * value, for schedules (e.g. a cosine decay at the end of training).
   *
   * @example
   * ```ts
   * import { GANTrainer, GaussianPrior, MLP } from "@particlegan/particlegan";
   *
   * const trainer = new GANTrainer({
   *   generator: new MLP({ sizes: [2, 8, 2], seed: 1 }),
   *   discriminator: new MLP({ sizes: [2, 8, 1], seed: 2 }),
   *   prior: new GaussianPrior({ zDim: 2, seed: 3 }),
   * });
   * trainer.setLearningRateScale(0.5); // half of every initial learning rate
   * trainer.dispose();
   * ```
   */
  setLearningRateScale(scale: number): void {
    checkNumber("scale", scale, 0);
    for (const { base, set } of this.#schedule) set(base * scale);
    this.#learningRateScale = scale;
  }

  /** The generator to sample from: G over its averaged weights when `emaDecay` > 0, else G. */
  get evalGenerator(): MLP {
    const ema = this.ema;
    return ema ? this.generator.withWeights((v) => ema.shadowOf(v)) : this.generator;
  }

  /**
   * Latents for evaluation: the particle rows `indices` (their averages when
   * `emaDecay` > 0 and the table is on the device).
   */
  particleRows(indices: Int32Array): Tensor2D {
    const prior = this.prior;
    if (prior instanceof SparseParticlePrior) return prior.rows(indices);
    if (prior instanceof GaussianPrior) throw new TypeError("a Gaussian prior has no particles");
    return tf.tidy(() => tf.gather(this.evalParticles!, tf.tensor1d(indices, "int32")) as Tensor2D);
  }

  /** The particles to sample from: their average when `emaDecay` > 0 (undefined for a Gaussian prior). */
  get evalParticles(): Variable | undefined {
    if (!(this.prior instanceof ParticlePrior)) return undefined;
    return this.ema ? this.ema.shadowOf(this.prior.z) : this.prior.z;
  }

  /**
   * The whole state for {@linkcode saveCheckpoint}: `generator.*`,
   * `discriminator.*` and `prior.z` (particles only), the three optimizers
   * and the prior's and loss's random streams. The step count is the
   * caller's to save (restore it into {@linkcode GANTrainer.stepCount}).
   */
  get trainingState(): TrainingState {
    const variables: Record<string, Variable> = {
      ...this.generator.namedVariables("generator"),
      ...this.discriminator.namedVariables("discriminator"),
    };
    const optimizers: Record<string, Adam> = {
      generator: this.generatorOptimizer,
      discriminator: this.discriminatorOptimizer,
    };
    if (this.prior instanceof ParticlePrior && this.priorOptimizer) {
      variables["prior.z"] = this.prior.z;
      optimizers.prior = this.priorOptimizer;
    }
    const ema = this.ema;
    if (ema) {
      for (const [name, v] of Object.entries(this.generator.namedVariables("generator"))) {
        variables[`ema.${name}`] = ema.shadowOf(v);
      }
      if (this.prior instanceof ParticlePrior) {
        variables["ema.prior.z"] = ema.shadowOf(this.prior.z);
      }
    }
    const state: TrainingState = {
      variables,
      optimizers,
      rngs: { prior: this.prior.rng, loss: this.loss.rng },
    };
    const prior = this.prior;
    if (prior instanceof SparseParticlePrior) {
      // The same names as the device table's, so both kinds of checkpoint read alike.
      const shape = [prior.numParticles, prior.zDim];
      state.arrays = {
        "prior.z": { dtype: "float32", shape, data: prior.values },
        "adam.prior/prior.z.m": { dtype: "float32", shape, data: prior.m },
        "adam.prior/prior.z.v": { dtype: "float32", shape, data: prior.v },
      };
      state.counters = { "prior.step": { get: () => prior.step, set: (n) => prior.step = n } };
    }
    return state;
  }

  /**
   * Spreads each step over `shards` row shards: this thread computes the
   * first, and `shards - 1` Deno Workers the others, on the same backend
   * (wasm or cpu). Their gradients are summed here in a fixed order, so
   * training stays deterministic for a seed, backend and shard count, and
   * equals the single-thread step up to float rounding. Everything else
   * (optimizers, averages, particles, checkpoints) stays here. Not for the
   * relativistic-average mode, whose loss couples all rows, nor label flips.
   * `shards = 1` stops the workers.
   *
   * @example
   * ```ts
   * import { GANTrainer, GaussianGrid, MLP, ParticlePrior, Rng } from "@particlegan/particlegan";
   *
   * const trainer = new GANTrainer({
   *   generator: new MLP({ sizes: [2, 16, 2], seed: 1 }),
   *   discriminator: new MLP({ sizes: [2, 16, 1], seed: 2 }),
   *   prior: new ParticlePrior({ numParticles: 100, zDim: 2, seed: 3 }),
   * });
   * await trainer.startWorkers(2, 64);
   * trainer.step(new GaussianGrid().sample(64, new Rng(4)));
   * trainer.dispose(); // stops the workers too
   * ```
   */
  async startWorkers(shards: number, maxBatchSize: number): Promise<void> {
    checkInteger("shards", shards, 1);
    checkInteger("maxBatchSize", maxBatchSize, shards);
    this.stopWorkers();
    if (shards === 1) return;
    const backend = tf.getBackend();
    if (backend !== "wasm" && backend !== "cpu") {
      throw new RangeError(
        `data-parallel workers run on the wasm or cpu backend; the current one is ${backend}`,
      );
    }
    if (this.loss.mode === "ra" || this.loss.labelFlipProb > 0) {
      throw new RangeError(
        'data-parallel workers need a loss that is a mean over rows: not mode "ra" or label flips',
      );
    }
    const network = (net: MLP) => ({ sizes: sizesOf(net), leakyReluAlpha: net.leakyReluAlpha });
    this.#workers = await GradientWorkers.start(shards - 1, {
      backend,
      generator: network(this.generator),
      discriminator: network(this.discriminator),
      loss: {
        lossType: this.loss.lossType,
        mode: this.loss.mode,
        labelSmoothing: this.loss.labelSmoothing,
      },
      r1Gamma: this.r1Gamma,
      capacity: Math.ceil(maxBatchSize / shards),
    });
  }

  get #networks(): { generator: MLP; discriminator: MLP } {
    return { generator: this.generator, discriminator: this.discriminator };
  }

  /** Row shards per step: 1 + the number of workers. */
  get shards(): number {
    return 1 + (this.#workers?.count ?? 0);
  }

  /** Stops the data-parallel workers, if any; steps run on this thread again. */
  stopWorkers(): void {
    this.#workers?.stop();
    this.#workers = undefined;
  }

  /** One D update, then one G + prior update, on the real batch `real`. */
  step(real: Tensor2D): void {
    const d = this.discriminator;
    if (real.rank !== 2 || real.shape[1] !== d.inputSize) {
      throw new RangeError(
        `real batch must have shape [n, ${d.inputSize}]; got [${real.shape.join(", ")}]`,
      );
    }
    tf.dispose(this.#losses);
    const dLoss = this.#discriminatorStep(real);
    this.#losses = [dLoss, ...this.#generatorStep(real)];
    this.ema?.update(this.#emaFollowsSchedule ? this.#learningRateScale : 1);
    this.stepCount++;
  }

  /** D's update on `real` against G's samples on fresh latents (no gradient into G). */
  #discriminatorStep(real: Tensor2D): Scalar {
    const d = this.discriminator;
    const n = real.shape[0];
    const latents = this.#latents(n);
    const { loss, gradients: grads } = this.#sharded(
      Command.discriminator,
      real,
      latents.z,
      (realRows, latentRows, scale) => {
        const fake = this.generator.apply(latentRows);
        return discriminatorGradients(d, this.loss, realRows, fake, {
          r1Gamma: this.r1Gamma,
          scale,
        });
      },
    );
    latents.dispose();
    this.discriminatorOptimizer.applyGradients(
      d.variables.map((variable, i) => ({ variable, gradient: grads[i] })),
    );
    tf.dispose(grads);
    return loss;
  }

  /**
   * G's and the particles' update on fresh latents; returns G's loss and, for
   * particles, the unweighted spread penalty.
   */
  #generatorStep(real: Tensor2D): Scalar[] {
    const d = this.discriminator;
    const g = this.generator;
    const prior = this.prior;
    const latents = this.#latents(real.shape[0]);
    const hasParticles = !(prior instanceof GaussianPrior);
    // The spread penalty depends on the particles only: computed first, while
    // workers load D's new weights.
    this.#workers?.preload(this.#networks);
    const spread = latents.unique ? this.#spread(latents.unique) : undefined;
    const { loss: gLoss, gradients: gGrads, latentGradient: dz } = this.#sharded(
      Command.generator,
      real,
      latents.z,
      (realRows, latentRows, scale) =>
        generatorGradients(g, d, this.loss, latentRows, {
          real: realRows,
          latentGradient: hasParticles,
          scale,
        }),
    );
    const losses: Scalar[] = spread ? [gLoss, spread.value] : [gLoss];
    const zGrad = latents.table
      ? tf.tidy(() => {
        // dL/d(table): each drawn row's gradient, summed over repeats (scatter
        // adds duplicates), plus the weighted spread penalty's on the unique rows.
        const shape = latents.table!.shape;
        const drawn = tf.scatterND(tf.expandDims(latents.inverse!, 1), dz!, shape);
        return spread ? tf.add(drawn, latents.scatterUnique!(spread.weightedGrad, shape)) : drawn;
      })
      : undefined;
    spread?.weightedGrad.dispose();
    dz?.dispose();
    this.generatorOptimizer.applyGradients(
      g.variables.map((variable, i) => ({ variable, gradient: gGrads[i] })),
    );
    // The workers load G's new weights while the particles and averages update.
    this.#workers?.preload(this.#networks);
    if (zGrad && prior instanceof ParticlePrior) {
      this.priorOptimizer!.applyGradients([{ variable: prior.z, gradient: zGrad }]);
    }
    if (zGrad && prior instanceof SparseParticlePrior) {
      // A host round trip of the batch's rows only (dataSync: cheap on WASM and cpu).
      prior.applyGradients(latents.uniqueRows!, zGrad.dataSync() as Float32Array);
    }
    tf.dispose(gGrads);
    zGrad?.dispose();
    latents.dispose();
    return losses;
  }

  /**
   * The spread penalty on the batch's distinct particles and its weighted
   * gradient: on the host where tensors live there (a few microseconds for a
   * batch of particles, where the tensor version's kernels and tape take half
   * a millisecond on WASM), else with the tape.
   */
  #spread(unique: () => Tensor2D): { value: Scalar; weightedGrad: Tensor } {
    return tf.tidy(() => {
      const rows = unique();
      if (tensorsOnHost()) {
        const [n, d] = rows.shape;
        const { value, gradient } = this.vicreg.valueAndGradient(
          rows.dataSync() as Float32Array,
          n,
          d,
        );
        for (let i = 0; i < gradient.length; i++) gradient[i] *= this.vicregWeight;
        return { value: tf.scalar(value), weightedGrad: tf.tensor2d(gradient, [n, d]) };
      }
      const { value, grad } = tf.valueAndGrad((u: Tensor) => this.vicreg.compute(u))(rows);
      return { value, weightedGrad: tf.mul(grad, this.vicregWeight) };
    });
  }

  /**
   * Reads the latest step's losses from the device (a host round trip;
   * asynchronous, because WebGPU cannot read synchronously under Deno).
   */
  async readLosses(): Promise<StepLosses> {
    const [d, g, spread] = await Promise.all(this.#losses.map(async (t) => (await t.data())[0]));
    return { dLoss: d ?? NaN, gLoss: g ?? NaN, vicreg: spread ?? 0 };
  }

  /**
   * `compute` on the whole batch, or, with workers, on the first shard here
   * while the workers compute the others; the shards' losses and gradients
   * are summed (and latent gradients stacked) in shard order.
   */
  #sharded(
    command: CommandCode,
    real: Tensor2D,
    z: Tensor2D,
    compute: (real: Tensor2D, z: Tensor2D, scale: number) => GeneratorGradients,
  ): GeneratorGradients {
    const workers = this.#workers;
    const n = real.shape[0];
    const sizes = shardSizes(n, (workers?.count ?? 0) + 1);
    const [xDim, zDim] = [real.shape[1], z.shape[1]];
    const computeFirst = () =>
      tf.tidy(() => {
        const { loss, gradients, latentGradient } = sizes.length === 1
          ? compute(real, z, 1)
          : compute(
            tf.slice(real, [0, 0], [sizes[0], xDim]),
            tf.slice(z, [0, 0], [sizes[0], zDim]),
            sizes[0] / n,
          );
        return { loss, gradients, latentGradient };
      });
    if (!workers) return computeFirst();
    if (sizes.some((size, i) => i > 0 && size > workers.capacity)) {
      throw new RangeError(
        `a batch of ${n} rows exceeds the maxBatchSize the workers were started with`,
      );
    }
    const realValues = real.dataSync() as Float32Array;
    const zValues = z.dataSync() as Float32Array;
    let offset = sizes[0];
    for (let j = 1; j < sizes.length; j++) {
      const end = offset + sizes[j];
      workers.send(
        j - 1,
        command,
        this.#networks,
        sizes[j],
        realValues.subarray(offset * xDim, end * xDim),
        zValues.subarray(offset * zDim, end * zDim),
        sizes[j] / n,
      );
      offset = end;
    }
    const mine = computeFirst();
    const variables = command === Command.discriminator
      ? this.discriminator.variables
      : this.generator.variables;
    const { layout } = workers;
    const summed = tf.tidy(() => {
      let gradients = mine.gradients;
      let loss: Scalar = mine.loss;
      const latentRows = mine.latentGradient ? [mine.latentGradient] : [];
      for (let j = 1; j < sizes.length; j++) {
        const floats = workers.wait(j - 1);
        const theirs = gradientTensors(variables, floats, layout.gradients);
        gradients = gradients.map((gradient, i) => tf.add(gradient, theirs[i]));
        loss = tf.add(loss, floats[layout.loss]);
        if (mine.latentGradient) {
          const start = layout.latentGradient;
          latentRows.push(
            tf.tensor2d(rowsOf(floats, start, start + sizes[j] * zDim), [sizes[j], zDim]),
          );
        }
      }
      const latentGradient = latentRows.length ? tf.concat(latentRows, 0) as Tensor2D : undefined;
      return { loss, gradients, latentGradient };
    });
    tf.dispose([
      mine.loss,
      ...mine.gradients,
      ...(mine.latentGradient ? [mine.latentGradient] : []),
    ]);
    return summed;
  }

  /**
   * Fresh latents for one batch. For particles also: the table the gradient
   * lands in, each row's place in it, and a function that gathers the
   * distinct rows (called inside the spread penalty's tidy).
   */
  #latents(batchSize: number): BatchLatents {
    const prior = this.prior;
    if (prior instanceof GaussianPrior) {
      const z = prior.sample(batchSize);
      return { z, dispose: () => z.dispose() };
    }
    const drawn = prior.drawIndices(batchSize);
    const uniqueRows = Int32Array.from(new Set(drawn)).sort();
    if (prior instanceof SparseParticlePrior) {
      // Upload the distinct rows; the batch gathers from them.
      const position = new Map(Array.from(uniqueRows, (row, i) => [row, i]));
      const inverse = tf.tensor1d(Int32Array.from(drawn, (row) => position.get(row)!), "int32");
      const rows = prior.rows(uniqueRows);
      const z = tf.gather(rows, inverse) as Tensor2D;
      return {
        z,
        table: rows,
        inverse,
        unique: uniqueRows.length >= 2 ? () => rows : undefined,
        scatterUnique: (gradient) => gradient,
        uniqueRows,
        dispose: () => tf.dispose([z, inverse, rows]),
      };
    }
    const indices = tf.tensor1d(drawn, "int32");
    const unique = tf.tensor1d(uniqueRows, "int32");
    const z = prior.gather(indices);
    return {
      z,
      table: prior.z as Tensor2D,
      inverse: indices,
      unique: uniqueRows.length >= 2 ? () => prior.gather(unique) : undefined,
      scatterUnique: (gradient, shape) => tf.scatterND(tf.expandDims(unique, 1), gradient, shape),
      dispose: () => tf.dispose([z, indices, unique]),
    };
  }

  /** Frees the optimizers' state, the averages and the latest losses (not the networks or the prior). */
  dispose(): void {
    tf.dispose(this.#losses);
    this.#losses = [];
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
    this.priorOptimizer?.dispose();
    this.ema?.dispose();
    this.stopWorkers();
  }
}
