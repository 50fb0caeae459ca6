import assert from "node:assert/strict";
import {
  CHECKPOINT_FORMAT,
  CheckpointError,
  decodeSafetensors,
  encodeSafetensors,
  GANTrainer,
  GaussianGrid,
  initBackend,
  loadCheckpoint,
  MLP,
  ParticlePrior,
  restoreTrainingState,
  Rng,
  saveCheckpoint,
  tf,
  VERSION,
} from "../mod.ts";

function makeRun(seed: number, hidden = 16) {
  const generator = new MLP({ sizes: [2, hidden, 2], seed });
  const discriminator = new MLP({ sizes: [2, hidden, 1], seed: seed + 1 });
  const prior = new ParticlePrior({ numParticles: 300, zDim: 2, seed: seed + 2 });
  const trainer = new GANTrainer({ generator, discriminator, prior });
  const data = new Rng(seed + 3);
  const state = { ...trainer.trainingState };
  state.rngs = { ...state.rngs, data };
  const grid = new GaussianGrid({ gridSize: 3 });
  return {
    trainer,
    state,
    train(steps: number) {
      for (let i = 0; i < steps; i++) {
        const real = grid.sample(32, data);
        trainer.step(real);
        real.dispose();
      }
    },
    async parameters() {
      return await Promise.all(
        Object.values(state.variables).map(async (v) => Array.from(await v.data())),
      );
    },
    dispose() {
      trainer.dispose();
      generator.dispose();
      discriminator.dispose();
      prior.dispose();
    },
  };
}

Deno.test("restoreTrainingState() continues a GANTrainer bit for bit", async () => {
  await initBackend({ backend: "wasm" });
  const path = `${await Deno.makeTempDir()}/run.safetensors`;
  const straight = makeRun(1);
  straight.train(30);
  const expected = await straight.parameters();
  straight.dispose();

  const first = makeRun(1);
  first.train(12);
  await saveCheckpoint(path, first.state, { step: 12 });
  first.dispose();
  // A run built from another seed: everything that matters must come from the file.
  const resumed = makeRun(99);
  const checkpoint = await loadCheckpoint(path);
  assert.equal(checkpoint.version, VERSION);
  assert.equal(checkpoint.info.step, 12);
  assert.equal(checkpoint.adam.generator.step, 12);
  restoreTrainingState(resumed.state, checkpoint);
  resumed.train(18);
  assert.deepEqual(await resumed.parameters(), expected);
  resumed.dispose();
});

Deno.test("saveCheckpoint() writes a safetensors file with moments and documented metadata", async () => {
  const run = makeRun(2);
  run.train(3);
  const path = `${await Deno.makeTempDir()}/a.safetensors`;
  await saveCheckpoint(path, run.state, { note: "x" }, {
    curve: { dtype: "float32", shape: [2], data: new Float32Array([1, 2]) },
  });
  const { tensors, metadata } = decodeSafetensors(await Deno.readFile(path));
  assert.equal(metadata.format, CHECKPOINT_FORMAT);
  assert.match(metadata.sha256, /^[0-9a-f]{64}$/);
  const state = JSON.parse(metadata.state);
  assert.deepEqual(Object.keys(state.adam).sort(), ["discriminator", "generator", "prior"]);
  assert.equal(state.rngs.data.length, 4);
  assert.deepEqual(state.info, { note: "x" });
  for (
    const name of [
      "generator.0.kernel",
      "discriminator.1.bias",
      "prior.z",
      "adam.prior/prior.z.m",
      "adam.generator/generator.0.kernel.v",
      "extra.curve",
    ]
  ) {
    assert.ok(name in tensors, `${name} saved`);
  }
  assert.deepEqual(tensors["prior.z"].shape, [300, 2]);
  run.dispose();
});

Deno.test("loadCheckpoint() and restoreTrainingState() reject bad checkpoints and change nothing", async () => {
  const dir = await Deno.makeTempDir();
  const run = makeRun(3);
  run.train(2);
  const path = `${dir}/good.safetensors`;
  await saveCheckpoint(path, run.state, {});
  const good = await Deno.readFile(path);
  const write = async (name: string, bytes: Uint8Array) => {
    await Deno.writeFile(`${dir}/${name}`, bytes);
    return `${dir}/${name}`;
  };
  const flipped = good.slice();
  flipped[flipped.length - 3] ^= 0x40;
  const cases: [string, RegExp][] = [
    [`${dir}/missing.safetensors`, /cannot read checkpoint .*missing/],
    [await write("truncated", good.subarray(0, good.length - 100)), /not a safetensors file/],
    [await write("flipped", flipped), /is corrupt: its tensor data does not match its checksum/],
    [
      await write("foreign", encodeSafetensors({}, { format: "other" })),
      /not a particlegan checkpoint/,
    ],
  ];
  for (const [file, message] of cases) {
    await assert.rejects(loadCheckpoint(file), (error: Error) => {
      assert.ok(error instanceof CheckpointError, String(error));
      assert.match(error.message, message);
      return true;
    });
  }
  // A checkpoint of another architecture names the mismatch and leaves the model as it was.
  const other = makeRun(4, 8);
  const before = await other.parameters();
  assert.throws(
    () => restoreTrainingState(other.state, decodeCheckpoint(good)),
    /checkpoint tensor generator.0.kernel has shape \[2,16\], the model expects \[2,8\]/,
  );
  assert.deepEqual(await other.parameters(), before);
  other.dispose();
  run.dispose();
  await Deno.remove(dir, { recursive: true });
});

/** A Checkpoint from bytes without the file round trip (for restore-only checks). */
function decodeCheckpoint(bytes: Uint8Array) {
  const { tensors, metadata } = decodeSafetensors(bytes);
  return { ...JSON.parse(metadata.state), tensors };
}

Deno.test("saveCheckpoint() refuses NaN and keeps the last good file", async () => {
  const run = makeRun(5);
  const path = `${await Deno.makeTempDir()}/run.safetensors`;
  await saveCheckpoint(path, run.state, { step: 0 });
  const saved = await Deno.readFile(path);
  run.state.variables["generator.0.bias"].assign(tf.fill([16], NaN));
  await assert.rejects(
    saveCheckpoint(path, run.state, { step: 1 }),
    /refusing to save .*generator.0.bias holds NaN or Inf/,
  );
  assert.deepEqual(await Deno.readFile(path), saved);
  run.dispose();
});
