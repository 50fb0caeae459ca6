import assert from "node:assert/strict";
import { Adam, EMA, Rng, tf } from "../mod.ts";
import { assertClose, assertNoLeak, onBackends } from "./helpers.ts";

/** PyTorch's Adam in float64, the reference. */
function referenceAdam(
  params: number[],
  gradients: number[][],
  lr: number,
  beta1: number,
  beta2: number,
  eps: number,
): number[] {
  const p = [...params];
  const m = p.map(() => 0);
  const v = p.map(() => 0);
  gradients.forEach((g, step) => {
    const t = step + 1;
    for (let i = 0; i < p.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      const denominator = Math.sqrt(v[i]) / Math.sqrt(1 - beta2 ** t) + eps;
      p[i] -= (lr / (1 - beta1 ** t)) * (m[i] / denominator);
    }
  });
  return p;
}

Deno.test("Adam.applyGradients() matches PyTorch's Adam over 50 steps", async () => {
  await onBackends(async () => {
    for (const updateOn of ["host", "device"] as const) await adamAgainstPyTorch(updateOn);
  });
});

async function adamAgainstPyTorch(updateOn: "host" | "device"): Promise<void> {
  const rng = new Rng(5);
  const start = rng.normalArray(12);
  const gradients = Array.from({ length: 50 }, () => Array.from(rng.normalArray(12)));
  const w = tf.variable(tf.tensor2d(start, [3, 4]));
  const adam = new Adam({ learningRate: 0.01, beta1: 0.5, beta2: 0.999, updateOn });
  adam.track([w]); // the moments exist before the loop, so the count must stay flat
  await assertNoLeak("Adam steps", () => {
    for (const g of gradients) {
      const gradient = tf.tensor2d(g, [3, 4]);
      adam.applyGradients([{ variable: w, gradient }]);
      gradient.dispose();
    }
  });
  assert.equal(adam.step, 50);
  const expected = referenceAdam(Array.from(start), gradients, 0.01, 0.5, 0.999, 1e-8);
  assertClose(await w.data(), expected, 1e-5, `parameters (${updateOn})`);
  adam.dispose();
  w.dispose();
}

Deno.test("Adam on the host agrees with the device kernels; EMA bit for bit", async () => {
  await onBackends(async () => {
    const start = new Rng(11).normalArray(300);
    const run = async (updateOn: "host" | "device") => {
      const w = tf.variable(tf.tensor2d(start, [20, 15]));
      const adam = new Adam({ learningRate: 3e-3, beta1: 0.5, beta2: 0.99, updateOn });
      const tracked = tf.variable(tf.tensor2d(start, [20, 15]));
      const ema = new EMA([tracked], 0.9, updateOn);
      const rng = new Rng(12);
      for (let i = 0; i < 40; i++) {
        tf.tidy(() => {
          const gradient = tf.tensor2d(rng.normalArray(300), [20, 15]);
          adam.applyGradients([{ variable: w, gradient }]);
          tracked.assign(tf.tensor2d(rng.normalArray(300), [20, 15]));
        });
        ema.update(i % 3 === 0 ? 0.37 : 1); // a schedule's scale, as the trainer passes it
      }
      const out = [
        await w.data(),
        await adam.slots[0].m.data(),
        await adam.slots[0].v.data(),
        await ema.shadowOf(tracked).data(),
      ];
      adam.dispose();
      ema.dispose();
      tf.dispose([w, tracked]);
      return out.map((x) => Array.from(x));
    };
    const [host, device] = [await run("host"), await run("device")];
    const backend = tf.getBackend();
    assertClose(host[0], device[0], 1e-5, `parameters (${backend})`);
    assertClose(host[1], device[1], 1e-5, `first moments (${backend})`);
    assertClose(host[2], device[2], 1e-5, `second moments (${backend})`);
    assert.deepEqual(host[3], device[3], `averages (${backend})`);
  });
});

Deno.test("Adam restored from its step count and moments continues identically", async () => {
  const rng = new Rng(9);
  const start = rng.normalArray(6);
  const gradients = Array.from({ length: 20 }, () => rng.normalArray(6));
  const run = async (split: number) => {
    const w = tf.variable(tf.tensor1d(start));
    let adam = new Adam({ learningRate: 0.05, beta1: 0.5 });
    for (const [i, g] of gradients.entries()) {
      if (i === split) {
        // Save, rebuild and restore, as a checkpoint does.
        const saved = adam.slots.map(({ m, v }) => [m.dataSync().slice(), v.dataSync().slice()]);
        const step = adam.step;
        adam.dispose();
        adam = new Adam({ learningRate: 0.05, beta1: 0.5 });
        adam.track([w]);
        adam.step = step;
        adam.slots[0].m.assign(tf.tensor1d(saved[0][0]));
        adam.slots[0].v.assign(tf.tensor1d(saved[0][1]));
      }
      tf.tidy(() => adam.applyGradients([{ variable: w, gradient: tf.tensor1d(g) }]));
    }
    const result = await w.data();
    adam.dispose();
    w.dispose();
    return Array.from(result);
  };
  assert.deepEqual(await run(7), await run(-1));
});

Deno.test("Adam rejects bad hyperparameters and mismatched gradients", () => {
  assert.throws(() => new Adam({ learningRate: 0 }), RangeError);
  assert.throws(() => new Adam({ learningRate: NaN }), TypeError);
  assert.throws(() => new Adam({ learningRate: 1e-3, beta1: 1 }), /betas must be < 1/);
  assert.throws(() => new Adam({ learningRate: 1e-3, beta2: -0.1 }), RangeError);
  assert.throws(() => new Adam({ learningRate: 1e-3, epsilon: -1 }), RangeError);
  assert.throws(
    // @ts-expect-error: not an option
    () => new Adam({ learningRate: 1e-3, updateOn: "gpu" }),
    /updateOn must be one of/,
  );
  const w = tf.variable(tf.zeros([2, 2]));
  const adam = new Adam({ learningRate: 1e-3 });
  const gradient = tf.zeros([4]);
  assert.throws(() => adam.applyGradients([{ variable: w, gradient }]), /gradient shape \[4\]/);
  assert.throws(() => {
    adam.step = -1;
  }, RangeError);
  tf.dispose([w, gradient]);
  adam.dispose();
});
