/**
 * The text toy behind `examples/five_modes.ts`: an encoder E, a generator G
 * and a joint discriminator D(x, z) (BiGAN-style), with a particle prior or
 * a fixed N(0, I) prior, trained as in the original.
 *
 * @module
 */
import * as tf from "../tf.ts";
import { Adam, minimize } from "../adam.ts";
import type { TrainingState } from "../checkpoint.ts";
import { GANLoss } from "../gan_loss.ts";
import { GaussianPrior } from "../gaussian_prior.ts";
import { MLP } from "../mlp.ts";
import { ParticlePrior } from "../prior.ts";
import { r1Penalty } from "../r1.ts";
import { Rng } from "../rng.ts";
import { TextCodec } from "../text_codec.ts";
import { VICRegLoss } from "../vicreg.ts";
import type { Scalar, Tensor, Tensor2D, Variable } from "../types.ts";

/** The five words of the toy. */
export const FIVE_WORDS: readonly string[] = ["apple", "grape", "lemon", "melon", "berry"];

/** Settings of {@linkcode TextToyTrainer} (the original's values in brackets). */
export interface TextToyOptions {
  /** Words to learn [the five words]; one particle each. */
  words?: readonly string[];
  /** "particles" [default] or "gaussian" (z ~ N(0, I)). */
  prior?: "particles" | "gaussian";
  /** Particle initialization: "r2" (default here: evenly spread) or "normal" [the original]. */
  particleInit?: "normal" | "r2";
  /** Latent width [2]. */
  zDim?: number;
  /** Adam learning rate of both optimizers [1e-4]. */
  learningRate?: number;
  /** Adam learning rate of the particles [the same; one optimizer then covers E, G and particles]. */
  particleLearningRate?: number;
  /** Adam beta1 [0.5]. */
  beta1?: number;
  /** Adam beta2 [0.999]. */
  beta2?: number;
  /** Weight of the spread penalty on all particles [2]. */
  vicregWeight?: number;
  /** R1 weight on the real words in D's step [1]. */
  r1Gamma?: number;
  /** Seed of weights, particles and sampling. */
  seed: number;
}

/** What the model makes of the words at one point of training (all on the host). */
export interface TextToyReport {
  /** G(E(word)) for each word. */
  reconstructions: string[];
  /** E(word) for each word, `[x0, y0, x1, y1, ...]` (first two latent dimensions). */
  encodings: Float32Array;
  /** The particles (first two dimensions), empty for a Gaussian prior. */
  particles: Float32Array;
  /** G(particle) for each particle, empty for a Gaussian prior. */
  particleWords: string[];
  /** How often each generated word came out of the evaluation draws. */
  wordCounts: Record<string, number>;
  /** G(E(typo)), when a typo was asked for. */
  typo?: string;
  /** E(typo) (first two dimensions), when a typo was asked for. */
  typoCode?: Float32Array;
}

/** Rows of width `zDim` cut (or zero-padded) to their first two values: `[x0, y0, x1, y1, ...]`. */
function firstTwoDimensions(values: Float32Array, zDim: number): Float32Array {
  const rows = values.length / zDim;
  const out = new Float32Array(2 * rows);
  for (let i = 0; i < rows; i++) {
    out[2 * i] = values[i * zDim];
    out[2 * i + 1] = zDim > 1 ? values[i * zDim + 1] : 0;
  }
  return out;
}

/**
 * E: words -> z, G: z -> word logits, D: (word, z) -> logit. Each
 * {@linkcode TextToyTrainer.step} is one D update (logistic loss on
 * `D(x, E(x))` as real and `D(softmax(G(z)), z)` as fake, plus R1 on the real
 * words), then one update of E, G and the particles with a single Adam: E
 * pushes its pairs towards "fake", G and the particles push theirs towards
 * "real", plus the spread penalty on the whole particle table.
 *
 * @example
 * ```ts
 * import { TextToyTrainer } from "./text_toy.ts";
 *
 * const toy = new TextToyTrainer({ seed: 1 });
 * for (let i = 0; i < 3; i++) toy.step(16);
 * console.log((await toy.report(100)).reconstructions.length); // 5
 * toy.dispose();
 * ```
 */
export class TextToyTrainer {
  /** The words. */
  readonly words: readonly string[];
  /** Their encoding. */
  readonly codec: TextCodec = new TextCodec();
  /** Encoder: `codec.size -> 128 -> 64 -> zDim`. */
  readonly encoder: MLP;
  /** Generator: `zDim -> 64 -> 128 -> codec.size` (logits per symbol and position). */
  readonly generator: MLP;
  /** Discriminator on `[x, z]`: `codec.size + zDim -> 256 -> 128 -> 1`. */
  readonly discriminator: MLP;
  /** The prior. */
  readonly prior: ParticlePrior | GaussianPrior;
  /** Logistic (BCE-with-logits) loss. */
  readonly loss: GANLoss = new GANLoss({ lossType: "logistic" });
  /** The spread penalty. */
  readonly vicreg: VICRegLoss = new VICRegLoss();
  /** Weight of the spread penalty. */
  readonly vicregWeight: number;
  /** R1 weight. */
  readonly r1Gamma: number;
  /** D's optimizer. */
  readonly discriminatorOptimizer: Adam;
  /** One optimizer over E, G and (unless they have their own) the particles. */
  readonly modelOptimizer: Adam;
  /** The particles' own optimizer, when their learning rate differs from E's and G's. */
  readonly priorOptimizer?: Adam;
  /** Iterations taken. */
  stepCount = 0;
  /** Draws the training words. */
  readonly dataRng: Rng;
  #vocabulary: Tensor2D;
  #losses: Scalar[] = [];

  /** Builds the networks, the prior and both optimizers. */
  constructor(options: TextToyOptions) {
    const {
      words = FIVE_WORDS,
      prior = "particles",
      particleInit = "r2",
      zDim = 2,
      learningRate = 1e-4,
      particleLearningRate = learningRate,
      beta1 = 0.5,
      beta2 = 0.999,
      vicregWeight = 2,
      r1Gamma = 1,
      seed,
    } = options;
    if (words.length < 2) throw new RangeError("the toy needs at least 2 words");
    this.words = words;
    this.vicregWeight = vicregWeight;
    this.r1Gamma = r1Gamma;
    const seeds = new Rng(seed);
    const size = this.codec.size;
    this.encoder = new MLP({ sizes: [size, 128, 64, zDim], seed: seeds.nextUint32() });
    this.generator = new MLP({ sizes: [zDim, 64, 128, size], seed: seeds.nextUint32() });
    this.discriminator = new MLP({ sizes: [size + zDim, 256, 128, 1], seed: seeds.nextUint32() });
    this.prior = prior === "particles"
      ? new ParticlePrior({
        numParticles: words.length,
        zDim,
        seed: seeds.nextUint32(),
        init: particleInit,
      })
      : new GaussianPrior({ zDim, seed: seeds.nextUint32() });
    this.dataRng = new Rng(seeds.nextUint32());
    this.discriminatorOptimizer = new Adam({ learningRate, beta1, beta2 });
    this.discriminatorOptimizer.track(this.discriminator.variables);
    this.modelOptimizer = new Adam({ learningRate, beta1, beta2 });
    if (this.prior instanceof ParticlePrior && particleLearningRate !== learningRate) {
      this.priorOptimizer = new Adam({ learningRate: particleLearningRate, beta1, beta2 });
    }
    for (const [optimizer, variables] of this.#modelGroups()) optimizer.track(variables);
    this.#vocabulary = this.codec.encode(words);
  }

  /** What the E + G + prior step trains: E's, G's and the particles' variables. */
  /** E's and G's variables with the model optimizer, the particles with theirs (or the same). */
  #modelGroups(): [Adam, Variable[]][] {
    const networks = [...this.encoder.variables, ...this.generator.variables];
    const prior = this.prior;
    if (!(prior instanceof ParticlePrior)) return [[this.modelOptimizer, networks]];
    return this.priorOptimizer
      ? [[this.modelOptimizer, networks], [this.priorOptimizer, [prior.z]]]
      : [[this.modelOptimizer, [...networks, prior.z]]];
  }

  /**
   * The whole state for `saveCheckpoint`: `encoder.*`, `generator.*`,
   * `discriminator.*`, `prior.z` (particles only), both optimizers and the
   * data and prior streams.
   */
  get trainingState(): TrainingState {
    const variables: Record<string, Variable> = {
      ...this.encoder.namedVariables("encoder"),
      ...this.generator.namedVariables("generator"),
      ...this.discriminator.namedVariables("discriminator"),
    };
    if (this.prior instanceof ParticlePrior) variables["prior.z"] = this.prior.z;
    return {
      variables,
      optimizers: {
        discriminator: this.discriminatorOptimizer,
        model: this.modelOptimizer,
        ...(this.priorOptimizer ? { prior: this.priorOptimizer } : {}),
      },
      rngs: { data: this.dataRng, prior: this.prior.rng },
    };
  }

  /** D's logits for words `x` paired with latents `z`. */
  #critic(x: Tensor, z: Tensor): Tensor {
    return this.discriminator.apply(tf.concat([x, z], 1));
  }

  /** D's logits for two batches of pairs from one pass over both (half the kernels). */
  #critics(a: [Tensor, Tensor], b: [Tensor, Tensor]): [Tensor, Tensor] {
    const n = a[0].shape[0];
    const logits = this.#critic(tf.concat([a[0], b[0]], 0), tf.concat([a[1], b[1]], 0));
    return [tf.slice(logits, [0, 0], [n, 1]), tf.slice(logits, [n, 0], [b[0].shape[0], 1])];
  }

  /** Softmax(G(z)): a distribution over symbols at each position. */
  #generate(z: Tensor): Tensor {
    return this.codec.softmax(this.generator.apply(z));
  }

  /** Latents for one batch: gathered particles (on the tape) or fresh N(0, I) draws. */
  #latents(batchSize: number): { z: () => Tensor2D; dispose: () => void } {
    const prior = this.prior;
    if (prior instanceof GaussianPrior) {
      const z = prior.sample(batchSize);
      return { z: () => z, dispose: () => z.dispose() };
    }
    const indices = tf.tensor1d(prior.drawIndices(batchSize), "int32");
    return { z: () => prior.gather(indices), dispose: () => indices.dispose() };
  }

  /** One D update, then one E + G + particle update, on `batchSize` words drawn uniformly. */
  step(batchSize: number): void {
    tf.dispose(this.#losses);
    const wordIndices = Int32Array.from(
      { length: batchSize },
      () => this.dataRng.int(this.words.length),
    );
    const x = tf.tidy(() => tf.gather(this.#vocabulary, tf.tensor1d(wordIndices, "int32")));

    // D step: E's codes and G's words are computed off the tape (no gradient into E or G).
    const fakeLatents = this.#latents(batchSize);
    const [codes, fakeZ, fakeX] = tf.tidy(() => {
      const z = fakeLatents.z();
      return [this.encoder.apply(x), z.clone(), this.#generate(z)];
    });
    fakeLatents.dispose();
    const dLoss = minimize(
      [[this.discriminatorOptimizer, this.discriminator.variables]],
      () => {
        const [real, fake] = this.#critics([x, codes], [fakeX, fakeZ]);
        const loss = this.loss.dLoss(real, fake);
        if (this.r1Gamma === 0) return loss;
        const penalty = r1Penalty((words) => this.#critic(words, codes), x, this.r1Gamma);
        return tf.add(loss, penalty) as Scalar;
      },
    );
    tf.dispose([codes, fakeZ, fakeX]);

    // E + G + particle step on fresh latents. D's loss with the roles swapped:
    // E wants its pairs judged fake, G and the particles want theirs judged real.
    const latents = this.#latents(batchSize);
    const particles = this.prior instanceof ParticlePrior ? this.prior.z : undefined;
    const modelLoss = minimize(this.#modelGroups(), () => {
      const z = latents.z();
      const [generated, encoded] = this.#critics([this.#generate(z), z], [
        x,
        this.encoder.apply(x),
      ]);
      const adversarial = this.loss.dLoss(generated, encoded);
      if (!particles) return adversarial;
      const spread = tf.mul(this.vicregWeight, this.vicreg.compute(particles));
      return tf.add(adversarial, spread) as Scalar;
    });
    latents.dispose();
    x.dispose();
    this.#losses = [dLoss, modelLoss];
    this.stepCount++;
  }

  /** The latest iteration's losses: D's, and E + G + prior's (a host round trip). */
  async readLosses(): Promise<{ d: number; model: number }> {
    const [d, model] = await Promise.all(this.#losses.map(async (t) => (await t.data())[0]));
    return { d: d ?? NaN, model: model ?? NaN };
  }

  /**
   * Reconstructions, codes, particles and the words G generates from
   * `draws` latents of a fixed evaluation stream (the same every call).
   * With `typo`, also its reconstruction and code.
   */
  async report(draws: number, typo?: string): Promise<TextToyReport> {
    const inputs = typo === undefined ? [...this.words] : [...this.words, typo];
    const prior = this.prior;
    const tensors = tf.tidy(() => {
      const evalRng = new Rng(0xe7a1);
      const codes = this.encoder.apply(this.codec.encode(inputs));
      const z = prior instanceof ParticlePrior
        ? prior.gather(tf.tensor1d(prior.drawIndices(draws, evalRng), "int32"))
        : prior.sample(draws, evalRng);
      const particles = prior instanceof ParticlePrior ? prior.z : tf.zeros([0, prior.zDim]);
      return [
        codes,
        this.generator.apply(codes),
        this.generator.apply(z),
        tf.clone(particles),
        this.generator.apply(particles),
      ];
    });
    const [codes, reconstructions, generated, particles, particleLogits] = await Promise.all(
      tensors.map((t) => t.data()),
    ) as Float32Array[];
    tf.dispose(tensors);
    const decoded = this.codec.decode(reconstructions);
    const wordCounts: Record<string, number> = {};
    for (const word of this.codec.decode(generated)) wordCounts[word] = (wordCounts[word] ?? 0) + 1;
    const planeCodes = firstTwoDimensions(codes, prior.zDim);
    const n = this.words.length;
    return {
      reconstructions: decoded.slice(0, n),
      encodings: planeCodes.slice(0, 2 * n),
      particles: firstTwoDimensions(particles, prior.zDim),
      particleWords: this.codec.decode(particleLogits),
      wordCounts,
      ...(typo === undefined ? {} : { typo: decoded[n], typoCode: planeCodes.slice(2 * n) }),
    };
  }

  /** Frees networks, prior, optimizers and the cached vocabulary. */
  dispose(): void {
    tf.dispose([...this.#losses, this.#vocabulary]);
    this.#losses = [];
    this.discriminatorOptimizer.dispose();
    this.modelOptimizer.dispose();
    this.priorOptimizer?.dispose();
    this.encoder.dispose();
    this.generator.dispose();
    this.discriminator.dispose();
    if (this.prior instanceof ParticlePrior) this.prior.dispose();
  }
}
