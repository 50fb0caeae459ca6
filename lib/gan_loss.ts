/**
 * Adversarial losses: hinge, logistic, Wasserstein and least squares, each in
 * vanilla, relativistic pairing (rp) and relativistic average (ra) form.
 *
 * @module
 */
import * as tf from "./tf.ts";
import { Rng } from "./rng.ts";
import { checkChoice, checkNumber } from "./validate.ts";
import type { Scalar, Tensor, Tensor1D } from "./types.ts";

/** The loss family. */
export type LossType = "hinge" | "logistic" | "wasserstein" | "lsgan";
/** How real and fake logits are compared. */
export type LossMode = "vanilla" | "rp" | "ra";

/** The loss families {@linkcode GANLoss} knows. */
export const LOSS_TYPES: readonly LossType[] = ["hinge", "logistic", "wasserstein", "lsgan"];
/** The modes {@linkcode GANLoss} knows. */
export const LOSS_MODES: readonly LossMode[] = ["vanilla", "rp", "ra"];

/** Options for {@linkcode GANLoss}. */
export interface GANLossOptions {
  /** Loss family (default `"hinge"`). */
  lossType?: LossType;
  /** `"vanilla"`, relativistic pairing `"rp"` or relativistic average `"ra"` (default vanilla). */
  mode?: LossMode;
  /**
   * Two-sided label smoothing of D's logistic loss: real targets become
   * `1 - s`, fake targets `s` (default 0). Like the original, the other loss
   * types ignore it.
   */
  labelSmoothing?: number;
  /** Probability that D's target for each element is swapped (default 0). */
  labelFlipProb?: number;
  /** Seed of the label-flip stream. */
  seed?: number;
}

type Elementwise = (x: Tensor) => Tensor;

/**
 * Per-element losses that push a logit towards "real" or towards "fake".
 * Logistic uses softplus: -log(sigmoid(x)) = softplus(-x) and
 * -log(1 - sigmoid(x)) = softplus(x), finite for any logit.
 */
function halves(lossType: LossType, smoothing: number): { real: Elementwise; fake: Elementwise } {
  switch (lossType) {
    case "hinge":
      return {
        real: (x) => tf.relu(tf.sub(1, x)),
        fake: (x) => tf.relu(tf.add(1, x)),
      };
    case "logistic": {
      // Binary cross-entropy with target t: t * softplus(-x) + (1 - t) * softplus(x).
      const bce = (t: number): Elementwise => (x) =>
        t === 1
          ? tf.softplus(tf.neg(x))
          : t === 0
          ? tf.softplus(x)
          : tf.add(tf.mul(t, tf.softplus(tf.neg(x))), tf.mul(1 - t, tf.softplus(x)));
      return { real: bce(1 - smoothing), fake: bce(smoothing) };
    }
    case "wasserstein":
      return { real: (x) => tf.neg(x), fake: (x) => x };
    case "lsgan":
      return {
        real: (x) => tf.mul(0.5, tf.square(tf.sub(x, 1))),
        fake: (x) => tf.mul(0.5, tf.square(x)),
      };
  }
}

/** Flattens `[n]` or `[n, 1]` logits to `[n]`, with a clear error otherwise. */
/** Checks logits of shape [n] or [n, 1] (float32, n >= 1) without creating tensors. */
function checkLogits(name: string, logits: Tensor): void {
  if (logits === null || typeof logits !== "object" || !("rank" in logits)) {
    throw new TypeError(`${name} must be a Tensor; got ${typeof logits}`);
  }
  const ok = logits.rank === 1 || (logits.rank === 2 && logits.shape[1] === 1);
  if (!ok || logits.size === 0) {
    throw new RangeError(
      `${name} must have shape [n] or [n, 1] with n >= 1; got [${logits.shape.join(", ")}]`,
    );
  }
  if (logits.dtype !== "float32") {
    throw new TypeError(`${name} must be float32; got ${logits.dtype}`);
  }
}

/** Logits as [n]; call inside a tidy (a reshape is a new tensor). */
function flat(logits: Tensor): Tensor1D {
  return logits.rank === 1 ? logits as Tensor1D : tf.reshape(logits, [-1]);
}

/**
 * The adversarial objective for D and G, both as losses to minimize.
 *
 * With `real(x)` and `fake(x)` the per-element losses that push a logit
 * towards "real" and "fake" (hinge: relu(1 - x), relu(1 + x); logistic:
 * softplus(-x), softplus(x); wasserstein: -x, x; lsgan: (x - 1)^2 / 2, x^2 / 2),
 * r the real and f the fake logits:
 *
 * | mode | D loss | G loss |
 * |---|---|---|
 * | vanilla | mean real(r) + mean fake(f) | mean gen(f) |
 * | rp | mean real(r - f) | mean gen(f - r) |
 * | ra | (mean real(r - mean f) + mean fake(f - mean r)) / 2 | (mean gen(f - mean r) + mean genFake(r - mean f)) / 2 |
 *
 * where G uses `gen = real` and `genFake = fake`, except for hinge, whose G
 * loss is the Wasserstein one (gen(x) = -x, genFake(x) = x), as in the
 * original. The original's ra discriminator loss crashed; this is the
 * standard form.
 *
 * @example
 * ```ts
 * import { GANLoss, tf } from "@particlegan/particlegan";
 *
 * const loss = new GANLoss({ lossType: "hinge" });
 * const real = tf.tensor1d([1.5, 0.2]);
 * const fake = tf.tensor1d([-0.3, 0.8]);
 * console.log(loss.dLoss(real, fake).dataSync()[0]); // 2.05
 * ```
 */
export class GANLoss {
  /** The loss family. */
  readonly lossType: LossType;
  /** The comparison mode. */
  readonly mode: LossMode;
  /** Label smoothing of the logistic loss. */
  readonly labelSmoothing: number;
  /** Per-element probability of swapping D's target. */
  readonly labelFlipProb: number;
  /** The label-flip stream (saved with checkpoints). */
  readonly rng: Rng;
  #d: { real: Elementwise; fake: Elementwise };
  #g: { real: Elementwise; fake: Elementwise };

  /** Checks the options; unknown names and out-of-range values throw. */
  constructor(options: GANLossOptions = {}) {
    const { lossType = "hinge", mode = "vanilla", labelSmoothing = 0, labelFlipProb = 0 } = options;
    this.lossType = checkChoice("lossType", lossType, LOSS_TYPES);
    this.mode = checkChoice("mode", mode, LOSS_MODES);
    this.labelSmoothing = checkNumber("labelSmoothing", labelSmoothing, 0, 0.5);
    if (labelSmoothing > 0 && lossType !== "logistic") {
      throw new RangeError(
        `labelSmoothing applies to the logistic loss only; got lossType ${lossType}`,
      );
    }
    this.labelFlipProb = checkNumber("labelFlipProb", labelFlipProb, 0, 1);
    this.rng = new Rng(options.seed ?? Math.floor(Math.random() * 2 ** 31));
    this.#d = halves(lossType, labelSmoothing);
    this.#g = lossType === "hinge" ? halves("wasserstein", 0) : halves(lossType, 0);
  }

  /** D's loss on real logits `r` and fake logits `f` (shape `[n]` or `[n, 1]`). */
  dLoss(realLogits: Tensor, fakeLogits: Tensor): Scalar {
    checkLogits("realLogits", realLogits);
    checkLogits("fakeLogits", fakeLogits);
    if (this.mode === "rp") this.#checkPaired(realLogits, fakeLogits);
    return tf.tidy(() => {
      const [r0, f0] = [flat(realLogits), flat(fakeLogits)];
      const { real, fake } = this.#d;
      if (this.mode === "vanilla") {
        return tf.add(this.#mean(real, fake, r0), this.#mean(fake, real, f0)) as Scalar;
      }
      if (this.mode === "rp") return this.#mean(real, fake, tf.sub(r0, f0));
      const a = tf.sub(r0, tf.mean(f0));
      const b = tf.sub(f0, tf.mean(r0));
      return tf.mul(0.5, tf.add(this.#mean(real, fake, a), this.#mean(fake, real, b))) as Scalar;
    });
  }

  /** G's loss on fake logits; rp and ra also need the real logits. */
  gLoss(fakeLogits: Tensor, realLogits?: Tensor): Scalar {
    checkLogits("fakeLogits", fakeLogits);
    if (this.mode !== "vanilla" && realLogits === undefined) {
      throw new TypeError(`gLoss in mode "${this.mode}" needs realLogits as its second argument`);
    }
    if (realLogits !== undefined) checkLogits("realLogits", realLogits);
    if (this.mode === "rp") this.#checkPaired(realLogits!, fakeLogits);
    return tf.tidy(() => {
      const f0 = flat(fakeLogits);
      const r0 = realLogits === undefined ? undefined : flat(realLogits);
      const { real, fake } = this.#g;
      if (this.mode === "vanilla") return tf.mean(real(f0)) as Scalar;
      if (this.mode === "rp") return tf.mean(real(tf.sub(f0, r0!))) as Scalar;
      const b = tf.sub(f0, tf.mean(r0!));
      const a = tf.sub(r0!, tf.mean(f0));
      return tf.mul(0.5, tf.add(tf.mean(real(b)), tf.mean(fake(a)))) as Scalar;
    });
  }

  #checkPaired(r: Tensor, f: Tensor): void {
    if (r.shape[0] !== f.shape[0]) {
      throw new RangeError(
        `mode "rp" pairs real and fake logits one to one; got ${r.shape[0]} real and ${
          f.shape[0]
        } fake`,
      );
    }
  }

  /** Mean of `target(x)`, with each element's target swapped with probability labelFlipProb. */
  #mean(target: Elementwise, other: Elementwise, x: Tensor): Scalar {
    if (this.labelFlipProb === 0) return tf.mean(target(x)) as Scalar;
    const n = x.shape[0];
    const flips = new Uint8Array(n);
    for (let i = 0; i < n; i++) flips[i] = this.rng.uniform() < this.labelFlipProb ? 1 : 0;
    const mask = tf.tensor1d(flips, "bool");
    return tf.mean(tf.where(mask, other(x), target(x))) as Scalar;
  }
}
