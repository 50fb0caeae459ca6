/**
 * A mixture of isotropic Gaussians on a square grid: the 100-Gaussians task.
 *
 * @module
 */
import * as tf from "./tf.ts";
import type { Rng } from "./rng.ts";
import { checkInteger, checkNumber } from "./validate.ts";
import type { Tensor2D } from "./types.ts";

/** Options for {@linkcode GaussianGrid}. */
export interface GaussianGridOptions {
  /** Modes per axis (default 10, for 100 modes). */
  gridSize?: number;
  /** Distance between neighbouring centers (default 1). */
  spacing?: number;
  /** Standard deviation of each mode (default 0.03). */
  std?: number;
}

/**
 * `gridSize^2` Gaussians centered on a grid symmetric about the origin
 * (for the defaults: {-4.5, -3.5, ..., 4.5} per axis), mixed uniformly.
 *
 * @example
 * ```ts
 * import { GaussianGrid, Rng } from "@particlegan/particlegan";
 *
 * const grid = new GaussianGrid();
 * console.log(grid.numModes); // 100
 * const x = grid.sample(256, new Rng(1));
 * console.log(x.shape); // [256, 2]
 * x.dispose();
 * ```
 */
export class GaussianGrid {
  /** Modes per axis. */
  readonly gridSize: number;
  /** Distance between neighbouring centers. */
  readonly spacing: number;
  /** Standard deviation of each mode. */
  readonly std: number;
  /** Centers as x, y pairs, row-major, `[numModes * 2]`. */
  readonly centers: Float32Array;

  /** Lays out the centers; sizes must be positive. */
  constructor(options: GaussianGridOptions = {}) {
    const { gridSize = 10, spacing = 1, std = 0.03 } = options;
    this.gridSize = checkInteger("gridSize", gridSize, 1);
    this.spacing = checkNumber("spacing", spacing, Number.MIN_VALUE);
    this.std = checkNumber("std", std, Number.MIN_VALUE);
    const offset = ((gridSize - 1) * spacing) / 2;
    this.centers = new Float32Array(gridSize * gridSize * 2);
    for (let i = 0; i < gridSize; i++) {
      for (let j = 0; j < gridSize; j++) {
        const k = i * gridSize + j;
        this.centers[2 * k] = i * spacing - offset;
        this.centers[2 * k + 1] = j * spacing - offset;
      }
    }
  }

  /** Number of modes. */
  get numModes(): number {
    return this.gridSize * this.gridSize;
  }

  /** `n` samples as x, y pairs on the host. */
  sampleArray(n: number, rng: Rng): Float32Array {
    checkInteger("n", n, 1);
    const out = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      const k = rng.int(this.numModes);
      out[2 * i] = this.centers[2 * k] + this.std * rng.normal();
      out[2 * i + 1] = this.centers[2 * k + 1] + this.std * rng.normal();
    }
    return out;
  }

  /** `n` samples as a `[n, 2]` tensor. */
  sample(n: number, rng: Rng): Tensor2D {
    return tf.tensor2d(this.sampleArray(n, rng), [n, 2]);
  }
}
