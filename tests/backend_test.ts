import assert from "node:assert/strict";
import { describeBackend, initBackend, tf } from "../mod.ts";
import type { BackendChoice } from "../mod.ts";

Deno.test("initBackend() picks WASM with SIMD on a machine without a real GPU", async () => {
  const info = await initBackend();
  const adapter = await navigator.gpu?.requestAdapter({ powerPreference: "high-performance" });
  if (adapter && !adapter.info.isFallbackAdapter) {
    assert.equal(info.name, "webgpu", "a real GPU adapter should be used");
  } else {
    assert.deepEqual(info, { name: "wasm", simd: true, threads: 1 });
    assert.equal(tf.getBackend(), "wasm");
  }
});

Deno.test("initBackend() starts cpu and wasm when asked", async () => {
  assert.deepEqual(await initBackend({ backend: "cpu" }), { name: "cpu", simd: false, threads: 1 });
  assert.equal(tf.getBackend(), "cpu");
  assert.equal((await initBackend({ backend: "wasm" })).name, "wasm");
  assert.equal(tf.getBackend(), "wasm");
});

Deno.test("initBackend() reads PARTICLEGAN_BACKEND and rejects unknown names", async () => {
  Deno.env.set("PARTICLEGAN_BACKEND", "cpu");
  try {
    assert.equal((await initBackend()).name, "cpu");
    // An explicit option wins over the environment.
    assert.equal((await initBackend({ backend: "wasm" })).name, "wasm");
    Deno.env.set("PARTICLEGAN_BACKEND", "tpu");
    await assert.rejects(
      () => initBackend(),
      /PARTICLEGAN_BACKEND must be one of auto, webgpu, wasm, cpu; got "tpu"/,
    );
  } finally {
    Deno.env.delete("PARTICLEGAN_BACKEND");
  }
  await assert.rejects(() => initBackend({ backend: "gpu" as BackendChoice }), TypeError);
});

Deno.test("initBackend({ backend: 'webgpu' }) without an adapter throws a clear error", async () => {
  const gpu = navigator.gpu;
  const original = gpu.requestAdapter;
  gpu.requestAdapter = () => Promise.resolve(null);
  try {
    await assert.rejects(
      () => initBackend({ backend: "webgpu" }),
      /cannot start the webgpu backend: navigator.gpu.requestAdapter\(\) returned no adapter/,
    );
    // auto falls back to WASM without complaint.
    assert.equal((await initBackend()).name, "wasm");
  } finally {
    gpu.requestAdapter = original;
  }
});

Deno.test("initBackend({ backend: 'wasm' }) without read permission names the cause", async () => {
  const script = `import { initBackend } from ${
    JSON.stringify(new URL("../mod.ts", import.meta.url).href)
  };
await initBackend({ backend: "wasm" });`;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  await Deno.writeTextFile(file, script);
  const config = new URL("../deno.json", import.meta.url).pathname;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", "--config", config, file],
    stdout: "null",
    stderr: "piped",
  }).output();
  await Deno.remove(file);
  const text = new TextDecoder().decode(stderr);
  assert.notEqual(code, 0);
  assert.match(text, /cannot start the wasm backend: it reads its \.wasm file from .*--allow-read/);
});

Deno.test("describeBackend() prints one line per backend", () => {
  assert.equal(
    describeBackend({ name: "wasm", simd: true, threads: 1 }),
    "backend: wasm (SIMD, 1 thread)",
  );
  assert.equal(
    describeBackend({ name: "cpu", simd: false, threads: 1 }),
    "backend: cpu (1 thread)",
  );
  assert.equal(
    describeBackend({
      name: "webgpu",
      simd: false,
      threads: 1,
      adapter: "lavapipe",
      fallbackAdapter: true,
    }),
    "backend: webgpu (lavapipe, software fallback)",
  );
});
