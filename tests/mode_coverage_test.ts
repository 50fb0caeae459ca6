import assert from "node:assert/strict";
import { GaussianGrid, modeCoverage, Rng } from "../mod.ts";

const grid = new GaussianGrid();

Deno.test("GaussianGrid() puts 100 centers at -4.5 .. 4.5 per axis", () => {
  assert.equal(grid.numModes, 100);
  const xs = new Set<number>();
  for (let k = 0; k < 100; k++) xs.add(grid.centers[2 * k]);
  assert.deepEqual([...xs].sort((a, b) => a - b), [
    -4.5,
    -3.5,
    -2.5,
    -1.5,
    -0.5,
    0.5,
    1.5,
    2.5,
    3.5,
    4.5,
  ]);
  const small = new GaussianGrid({ gridSize: 3, spacing: 2 });
  assert.deepEqual(Array.from(small.centers.slice(0, 4)), [-2, -2, -2, 0]);
  assert.throws(() => new GaussianGrid({ std: 0 }), RangeError);
});

Deno.test("modeCoverage() covers every mode on samples of the true distribution", () => {
  const samples = grid.sampleArray(10_000, new Rng(1));
  const result = modeCoverage(samples, grid.centers, grid.std);
  assert.equal(result.modesCovered, 100);
  assert.equal(result.modesHit, 100);
  // 3 sigma in 2-D holds 1 - exp(-4.5) = 98.9% of a Gaussian's mass.
  assert.ok(Math.abs(result.hqFraction - (1 - Math.exp(-4.5))) < 0.005, `HQ ${result.hqFraction}`);
  assert.ok(result.kl < 0.01, `KL ${result.kl}`);
  assert.equal(result.counts.reduce((a, b) => a + b, 0), Math.round(result.hqFraction * 10_000));
});

Deno.test("modeCoverage() gives known answers on constructed samples", () => {
  const centers = [[0, 0], [1, 0], [0, 1], [1, 1]];
  // 30 samples on mode 0, 10 on mode 1, 1 on mode 2, none on mode 3, 9 far off.
  const samples: number[][] = [
    ...Array(30).fill([0.01, 0]),
    ...Array(10).fill([1, 0.02]),
    [0, 1],
    ...Array(9).fill([0.5, 0.5]),
  ];
  const result = modeCoverage(samples, centers, 0.03, { minCount: 10 });
  assert.deepEqual(result.counts, [30, 10, 1, 0]);
  assert.equal(result.modesCovered, 2);
  assert.equal(result.modesHit, 3);
  assert.equal(result.hqFraction, 41 / 50);
  const p = [30 / 41, 10 / 41, 1 / 41];
  const entropy = -p.reduce((s, q) => s + q * Math.log(q), 0);
  assert.ok(Math.abs(result.kl - (Math.log(4) - entropy)) < 1e-12);
  assert.equal(result.assignments[0], 0);
  assert.equal(result.assignments[49], -1);
  // Default minCount: 20% of 50 / 4 = 2.5 -> 3 samples.
  assert.equal(modeCoverage(samples, centers, 0.03).modesCovered, 2);
  assert.equal(modeCoverage(samples, centers, 0.03, { minCount: 1 }).modesCovered, 3);
});

Deno.test("modeCoverage() scores a collapse onto one mode as KL = log k", () => {
  const result = modeCoverage(Array(100).fill([4.5, 4.5]), grid.centers, grid.std);
  assert.equal(result.modesCovered, 1);
  assert.ok(Math.abs(result.kl - Math.log(100)) < 1e-12);
  const none = modeCoverage([[100, 100], [NaN, 0]], grid.centers, grid.std);
  assert.equal(none.hqFraction, 0);
  assert.equal(none.modesHit, 0);
});

Deno.test("modeCoverage() rejects malformed input", () => {
  assert.throws(() => modeCoverage([1, 2, 3], grid.centers, 0.03), /2 numbers per point; got 3/);
  assert.throws(() => modeCoverage([], grid.centers, 0.03), RangeError);
  assert.throws(() => modeCoverage([0, 0], grid.centers, 0), RangeError);
  assert.throws(() => modeCoverage([0, 0], grid.centers, 0.03, { minCount: 0 }), RangeError);
});
