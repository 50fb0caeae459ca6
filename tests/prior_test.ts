import assert from "node:assert/strict";
import { ParticlePrior, Rng, tf } from "../mod.ts";
import { assertNoLeak, onBackends } from "./helpers.ts";
import type { Scalar } from "../mod.ts";

Deno.test("ParticlePrior() initializes N(0, initStd^2) from the seed", () => {
  const a = new ParticlePrior({ numParticles: 20_000, zDim: 4, initStd: 0.5, seed: 1 });
  const b = new ParticlePrior({ numParticles: 20_000, zDim: 4, initStd: 0.5, seed: 1 });
  const c = new ParticlePrior({ numParticles: 20_000, zDim: 4, initStd: 0.5, seed: 2 });
  assert.equal(a.numParticles, 20_000);
  assert.equal(a.zDim, 4);
  const values = Array.from(a.z.dataSync());
  assert.deepEqual(values, Array.from(b.z.dataSync()));
  assert.notDeepEqual(values, Array.from(c.z.dataSync()));
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length);
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(std - 0.5) < 0.01, `std ${std}`);
  for (const p of [a, b, c]) p.dispose();
});

Deno.test("ParticlePrior.sample() draws uniform indices with replacement and gathers their rows", () => {
  const prior = new ParticlePrior({ numParticles: 10, zDim: 3, seed: 1 });
  const { z, indices } = prior.sample(50_000);
  const idx = indices.dataSync();
  assert.equal(indices.dtype, "int32");
  const counts = new Array(10).fill(0);
  for (const i of idx) counts[i]++;
  // Each row has probability 0.1: 5000 +- 5 sigma (sigma = 67).
  assert.ok(counts.every((n) => Math.abs(n - 5000) < 340), `counts ${counts}`);
  const table = prior.z.arraySync() as number[][];
  const rows = z.arraySync();
  for (const i of [0, 1, 49_999]) assert.deepEqual(rows[i], table[idx[i]]);
  tf.dispose([z, indices]);
  prior.dispose();
});

Deno.test("ParticlePrior.sample() with fixedFirstN takes rows offset .. offset + n - 1", () => {
  const prior = new ParticlePrior({ numParticles: 10, zDim: 2, seed: 1 });
  const { z, indices } = prior.sample(4, { fixedFirstN: true, offset: 6 });
  assert.deepEqual(Array.from(indices.dataSync()), [6, 7, 8, 9]);
  assert.deepEqual(z.arraySync(), (prior.z.arraySync() as number[][]).slice(6, 10));
  tf.dispose([z, indices]);
  prior.dispose();
});

Deno.test("ParticlePrior.sampleIndices() is reproducible from an Rng", () => {
  const prior = new ParticlePrior({ numParticles: 1000, zDim: 2, seed: 1 });
  const a = prior.sampleIndices(16, new Rng(5));
  const b = prior.sampleIndices(16, new Rng(5));
  assert.deepEqual(a.dataSync(), b.dataSync());
  tf.dispose([a, b]);
  prior.dispose();
});

Deno.test("ParticlePrior.gather() is differentiable with respect to z and trains with Adam", async () => {
  await onBackends(async () => {
    const prior = new ParticlePrior({ numParticles: 8, zDim: 2, seed: 3 });
    const optimizer = tf.train.adam(0.1);
    const indices = tf.tensor1d([1, 1, 5], "int32");
    const before = prior.z.arraySync() as number[][];
    const loss = () => tf.sum(tf.square(prior.gather(indices))) as Scalar;
    optimizer.minimize(loss, false, [prior.z]); // creates Adam's moments
    await assertNoLeak("prior training", () => {
      for (let i = 0; i < 4; i++) optimizer.minimize(loss, false, [prior.z]);
    });
    const after = prior.z.arraySync() as number[][];
    for (let row = 0; row < 8; row++) {
      const moved = row === 1 || row === 5;
      assert.equal(after[row][0] !== before[row][0], moved, `row ${row} moved=${!moved}`);
      if (moved) {
        assert.ok(Math.abs(after[row][0]) < Math.abs(before[row][0]), `row ${row} should shrink`);
      }
    }
    tf.dispose(indices);
    optimizer.dispose();
    prior.dispose();
  });
});

Deno.test("ParticlePrior rejects bad sizes with RangeErrors that name the values", () => {
  assert.throws(() => new ParticlePrior({ numParticles: 0 }), /numParticles must be >= 1; got 0/);
  assert.throws(() => new ParticlePrior({ zDim: -2 }), /zDim must be >= 1; got -2/);
  assert.throws(() => new ParticlePrior({ zDim: 2.5 }), TypeError);
  assert.throws(() => new ParticlePrior({ initStd: -1, numParticles: 2 }), RangeError);
  assert.throws(
    () => new ParticlePrior({ numParticles: 10_000_000, zDim: 256 }),
    /at most 2147483647/,
  );
  const prior = new ParticlePrior({ numParticles: 10, zDim: 2, seed: 1 });
  assert.throws(() => prior.sample(0), /batchSize must be >= 1; got 0/);
  assert.throws(
    () => prior.sample(4, { fixedFirstN: true, offset: -1 }),
    /offset must be >= 0; got -1/,
  );
  assert.throws(() => prior.sample(4, { fixedFirstN: true, offset: 8 }), /got 8 \+ 4 > 10/);
  assert.throws(() => prior.gather(tf.tensor1d([1.5])), /rank-1 int32/);
  for (const bad of [0, -3]) {
    assert.throws(() => prior.sampleIndices(bad), RangeError);
  }
  prior.dispose();
});
