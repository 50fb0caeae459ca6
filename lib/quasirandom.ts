/**
 * Quasi-random Gaussian points: the R2 low-discrepancy sequence (Roberts,
 * 2018) mapped through the normal quantile function.
 *
 * @module
 */
import type { Rng } from "./rng.ts";

/** The normal quantile (inverse CDF), Acklam's rational approximation (relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1; got ${p}`);
  const tail = Math.min(p, 1 - p);
  if (tail < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(tail));
    const x = (((((-7.784894002430293e-3 * q - 3.223964580411365e-1) * q - 2.400758277161838) * q -
              2.549732539343734) * q + 4.374664141464968) * q + 2.938163982698783) /
      ((((7.784695709041462e-3 * q + 3.224671290700398e-1) * q + 2.445134137142996) * q +
            3.754408661907416) * q + 1);
    return p < 0.5 ? x : -x;
  }
  const q = p - 0.5;
  const r = q * q;
  return (((((-3.969683028665376e1 * r + 2.209460984245205e2) * r - 2.759285104469687e2) * r +
            1.38357751867269e2) * r - 3.066479806614716e1) * r + 2.506628277459239) *
    q /
    (((((-5.447609879822406e1 * r + 1.615858368580409e2) * r - 1.556989798598866e2) * r +
              6.680131188771972e1) * r - 1.328068155288572e1) * r + 1);
}

/**
 * `n` points in `d` dimensions with N(0, std^2) marginals that fill space
 * evenly: row i is `quantile(frac(offset + (i + 1) * alpha))`, where
 * `alpha_k = phi^-k` and `phi` solves `x^(d+1) = x + 1` (the R2 sequence),
 * and `offset` is uniform from `rng`. Unlike independent draws, no two of a
 * handful of points land next to each other.
 *
 * @example
 * ```ts
 * import { Rng, r2NormalArray } from "@particlegan/particlegan";
 *
 * const points = r2NormalArray(5, 2, new Rng(1)); // 5 well-separated 2-D points
 * console.log(points.length); // 10
 * ```
 */
export function r2NormalArray(n: number, d: number, rng: Rng, std = 1): Float32Array {
  // phi_d by Newton's method on x^(d+1) - x - 1.
  let phi = 2;
  for (let i = 0; i < 50; i++) phi -= (phi ** (d + 1) - phi - 1) / ((d + 1) * phi ** d - 1);
  const alpha = Array.from({ length: d }, (_, k) => phi ** -(k + 1));
  const offset = Array.from({ length: d }, () => rng.uniform());
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) {
      const u = (offset[k] + (i + 1) * alpha[k]) % 1;
      // Keep u away from 0 and 1, where the quantile is infinite.
      out[i * d + k] = std * normalQuantile(Math.min(Math.max(u, 1e-7), 1 - 1e-7));
    }
  }
  return out;
}
