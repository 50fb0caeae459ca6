/**
 * How many modes of a mixture a generator covers, and how well.
 *
 * @module
 */
import { checkInteger, checkNumber } from "./validate.ts";

/** Options for {@linkcode modeCoverage}. */
export interface ModeCoverageOptions {
  /** A sample is high-quality within `sigmas * std` of its nearest center (default 3). */
  sigmas?: number;
  /** HQ samples a mode needs to count as covered (default 20% of n / k, at least 1). */
  minCount?: number;
}

/** The result of {@linkcode modeCoverage}. */
export interface ModeCoverage {
  /** Modes with at least `minCount` high-quality samples. */
  modesCovered: number;
  /** Modes with at least one high-quality sample. */
  modesHit: number;
  /** Fraction of samples that are high-quality. */
  hqFraction: number;
  /**
   * KL(histogram of HQ samples over modes || uniform) = log k - entropy, in
   * nats; 0 when HQ samples spread evenly, log k when all sit on one mode
   * (and log k when there are none).
   */
  kl: number;
  /** High-quality samples per mode. */
  counts: number[];
  /** Nearest mode of each sample, or -1 when the sample is not high-quality. */
  assignments: Int32Array;
}

/**
 * Assigns each sample to its nearest center and scores the coverage.
 *
 * `samples` and `centers` are flat x, y, ... arrays (`[n * dim]` and
 * `[k * dim]`) or arrays of points.
 *
 * @example
 * ```ts
 * import { modeCoverage } from "@particlegan/particlegan";
 *
 * const centers = [[0, 0], [10, 0]];
 * const samples = [[0.01, 0], [0, -0.02], [10, 0.01], [5, 5]];
 * const result = modeCoverage(samples, centers, 0.03, { minCount: 1 });
 * console.log(result.modesCovered, result.hqFraction); // 2 0.75
 * ```
 */
export function modeCoverage(
  samples: ArrayLike<number> | number[][],
  centers: ArrayLike<number> | number[][],
  std: number,
  options: ModeCoverageOptions & { dim?: number } = {},
): ModeCoverage {
  const dim = checkInteger("dim", options.dim ?? 2, 1);
  const x = flatten("samples", samples, dim);
  const c = flatten("centers", centers, dim);
  for (let i = 0; i < c.length; i++) {
    if (!Number.isFinite(c[i])) throw new RangeError(`centers must be finite; got ${c[i]} at ${i}`);
  }
  checkNumber("std", std, Number.MIN_VALUE);
  const sigmas = checkNumber("sigmas", options.sigmas ?? 3, Number.MIN_VALUE);
  const n = x.length / dim;
  const k = c.length / dim;
  if (n === 0 || k === 0) {
    throw new RangeError(`modeCoverage needs samples and centers; got ${n} and ${k}`);
  }
  const minCount = options.minCount === undefined
    ? Math.max(1, Math.ceil((0.2 * n) / k))
    : checkInteger("minCount", options.minCount, 1);
  const radius2 = (sigmas * std) ** 2;
  const counts = new Array<number>(k).fill(0);
  const assignments = new Int32Array(n).fill(-1);
  let hq = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestDistance = Infinity;
    for (let j = 0; j < k; j++) {
      let d2 = 0;
      for (let a = 0; a < dim; a++) d2 += (x[i * dim + a] - c[j * dim + a]) ** 2;
      if (d2 < bestDistance) [best, bestDistance] = [j, d2];
    }
    if (!(bestDistance <= radius2)) continue; // NaN samples are never high-quality
    counts[best]++;
    assignments[i] = best;
    hq++;
  }
  let entropy = 0;
  for (const count of counts) if (count > 0) entropy -= (count / hq) * Math.log(count / hq);
  return {
    modesCovered: counts.filter((count) => count >= minCount).length,
    modesHit: counts.filter((count) => count > 0).length,
    hqFraction: hq / n,
    kl: hq === 0 ? Math.log(k) : Math.max(0, Math.log(k) - entropy),
    counts,
    assignments,
  };
}

function flatten(
  name: string,
  points: ArrayLike<number> | number[][],
  dim: number,
): ArrayLike<number> {
  if (!points || typeof points !== "object" || typeof points.length !== "number") {
    throw new TypeError(`${name} must be an array of points or a flat numeric array`);
  }
  const flat = Array.isArray(points) && Array.isArray(points[0])
    ? (points as number[][]).flat()
    : points;
  if (flat.length % dim !== 0) {
    throw new RangeError(`${name} must hold ${dim} numbers per point; got ${flat.length} numbers`);
  }
  return flat as ArrayLike<number>;
}
