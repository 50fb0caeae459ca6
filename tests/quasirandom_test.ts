import assert from "node:assert/strict";
import { normalQuantile, ParticlePrior, r2NormalArray, Rng } from "../mod.ts";

Deno.test("normalQuantile() matches known quantiles", () => {
  const known: [number, number][] = [
    [0.5, 0],
    [0.975, 1.959963984540054],
    [0.8413447460685429, 1],
    [0.001, -3.090232306167813],
    [1e-9, -5.997807015007686],
  ];
  for (const [p, x] of known) {
    assert.ok(Math.abs(normalQuantile(p) - x) < 1e-8 * Math.max(1, Math.abs(x)), `q(${p})`);
  }
  assert.throws(() => normalQuantile(0), RangeError);
  assert.throws(() => normalQuantile(1), RangeError);
});

function minDistance(points: Float32Array, n: number): number {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      best = Math.min(
        best,
        Math.hypot(points[2 * i] - points[2 * j], points[2 * i + 1] - points[2 * j + 1]),
      );
    }
  }
  return best;
}

Deno.test("r2NormalArray() has N(0, 1) marginals and spreads a handful of points apart", () => {
  const many = r2NormalArray(20_000, 2, new Rng(1));
  for (const k of [0, 1]) {
    const column = many.filter((_, i) => i % 2 === k);
    const mean = column.reduce((a, b) => a + b, 0) / column.length;
    const std = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length);
    assert.ok(
      Math.abs(mean) < 0.01 && Math.abs(std - 1) < 0.02,
      `dim ${k}: mean ${mean}, std ${std}`,
    );
  }
  // Five points: over 200 seeds the closest pair of R2 points is never as close as
  // independent draws often are.
  let r2Worst = Infinity;
  let iidCloser = 0;
  for (let seed = 0; seed < 200; seed++) {
    const r2 = minDistance(r2NormalArray(5, 2, new Rng(seed)), 5);
    r2Worst = Math.min(r2Worst, r2);
    if (minDistance(new Rng(seed).normalArray(10), 5) < 0.3) iidCloser++;
  }
  assert.ok(r2Worst >= 0.3, `closest R2 pair ${r2Worst}`);
  assert.ok(
    iidCloser > 20,
    `independent draws had a pair closer than 0.3 in ${iidCloser}/200 seeds`,
  );
});

Deno.test("ParticlePrior({ init: 'r2' }) starts from R2 points and rejects unknown inits", () => {
  const prior = new ParticlePrior({ numParticles: 5, zDim: 2, seed: 3, init: "r2" });
  assert.ok(minDistance(prior.z.dataSync() as Float32Array, 5) >= 0.3);
  prior.dispose();
  assert.throws(
    () => new ParticlePrior({ init: "sobol" as "r2" }),
    /init must be one of normal, r2/,
  );
});
