import assert from "node:assert/strict";
import { decodeSafetensors, loadCheckpoint } from "../mod.ts";
import { runExample } from "./helpers.ts";

const GAUSSIANS = [
  "--eval-interval",
  "10",
  "--eval-samples",
  "400",
  "--particles",
  "500",
  "--hidden",
  "16",
  "--checkpoint-every",
  "10",
  "--no-figures",
  "--backend",
  "wasm",
];
const FIVE_MODES = [
  "--eval-interval",
  "10",
  "--checkpoint-every",
  "10",
  "--no-figures",
  "--backend",
  "wasm",
];

async function metrics(dir: string) {
  const lines = (await Deno.readTextFile(`${dir}/metrics.jsonl`)).trim().split("\n");
  return lines.map((l) => ({ ...JSON.parse(l), wallSeconds: 0 }));
}

async function savedTensors(dir: string) {
  const { tensors } = decodeSafetensors(await Deno.readFile(`${dir}/checkpoint.safetensors`));
  return tensors;
}

for (
  const [example, length, flags] of [
    ["100gaussians", "--steps", GAUSSIANS],
    ["100gaussians_no_particle_prior", "--steps", GAUSSIANS],
    ["100gaussians", "--steps", [...GAUSSIANS, "--sparse"]],
    ["five_modes", "--iterations", FIVE_MODES],
  ] as const
) {
  const variant = flags.includes("--sparse") ? " --sparse" : "";
  Deno.test(`${example}${variant} stopped at step 20 and resumed equals an uninterrupted run`, async () => {
    const dir = await Deno.makeTempDir();
    const straight = await runExample(example, [length, "40", ...flags, "--out", `${dir}/a`]);
    assert.equal(straight.code, 0, straight.stderr);
    // Stopped at 20 of 40 steps (the learning-rate schedule depends on the total).
    const first = await runExample(example, [
      length,
      "40",
      "--stop-at",
      "20",
      ...flags,
      "--out",
      `${dir}/b`,
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /\(stopped at step 20 of 40\)|at 20 its/);
    const resumed = await runExample(example, ["--resume", `${dir}/b`]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(resumed.stdout, /resumed from .* at (step|iteration) 20/);
    assert.deepEqual(await metrics(`${dir}/b`), await metrics(`${dir}/a`));
    assert.deepEqual(await savedTensors(`${dir}/b`), await savedTensors(`${dir}/a`));
    // --sample-only evaluates the saved model without touching the run.
    const before = await Deno.readFile(`${dir}/b/checkpoint.safetensors`);
    const sampled = await runExample(example, ["--resume", `${dir}/b`, "--sample-only"]);
    assert.equal(sampled.code, 0, sampled.stderr);
    assert.match(sampled.stdout, /at 40 (steps|its)/);
    assert.deepEqual(await Deno.readFile(`${dir}/b/checkpoint.safetensors`), before);
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("--resume refuses another architecture, another example and a corrupt file", async () => {
  const dir = await Deno.makeTempDir();
  const first = await runExample("100gaussians", ["--steps", "10", ...GAUSSIANS, "--out", dir]);
  assert.equal(first.code, 0, first.stderr);
  const path = `${dir}/checkpoint.safetensors`;
  const saved = await Deno.readFile(path);
  const cases: [string, string[], RegExp][] = [
    ["100gaussians", ["--hidden", "32"], /--hidden 32 does not match the checkpoint's 16/],
    ["100gaussians", ["--seed", "3"], /--seed 3 does not match the checkpoint's 1/],
    [
      "100gaussians_no_particle_prior",
      [],
      /written by 100gaussians, not 100gaussians_no_particle_prior/,
    ],
    ["five_modes", [], /written by 100gaussians, not five_modes/],
  ];
  for (const [example, args, message] of cases) {
    const { code, stderr } = await runExample(
      example,
      ["--resume", dir, "--steps", "20", ...args]
        .filter((a, i, all) =>
          example !== "five_modes" || (a !== "--steps" && all[i - 1] !== "--steps")
        ),
    );
    assert.equal(code, 1, `${example} ${args.join(" ")}: ${stderr}`);
    assert.match(stderr, message);
  }
  const corrupt = saved.slice();
  corrupt[corrupt.length - 1] ^= 1;
  await Deno.writeFile(path, corrupt);
  const { code, stderr } = await runExample("100gaussians", ["--resume", dir, "--steps", "20"]);
  assert.equal(code, 1);
  assert.match(stderr, /is corrupt: its tensor data does not match its checksum/);
  assert.deepEqual(await Deno.readFile(path), corrupt, "the checkpoint is left as it was");
  const missing = await runExample("100gaussians", ["--resume", `${dir}/nope`]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read checkpoint .*nope\/checkpoint.safetensors/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("SIGKILL during checkpoint writes leaves a loadable checkpoint that resumes", async () => {
  const dir = await Deno.makeTempDir();
  const root = new URL("..", import.meta.url).pathname;
  // A checkpoint every step, so the kill almost surely lands inside a write.
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "examples/100gaussians.ts",
      "--steps",
      "100000",
      ...GAUSSIANS,
      "--checkpoint-every",
      "1",
      "--out",
      dir,
    ],
    cwd: root,
    stdout: "null",
    stderr: "null",
  }).spawn();
  const path = `${dir}/checkpoint.safetensors`;
  for (let i = 0; i < 600; i++) {
    const ok = await Deno.stat(path).then((s) => s.size > 0, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // Kill the moment a temporary checkpoint file is seen, i.e. inside a write.
  const writing = () => [...Deno.readDirSync(dir)].some((e) => e.name.endsWith(".tmp"));
  for (let i = 0; i < 5000 && !writing(); i++) await new Promise((r) => setTimeout(r, 1));
  child.kill("SIGKILL");
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL");
  const checkpoint = await loadCheckpoint(path);
  const step = checkpoint.info.step as number;
  assert.ok(step >= 1, `checkpoint at step ${step}`);
  const resumed = await runExample("100gaussians", ["--resume", dir, "--steps", String(step + 5)]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal((await loadCheckpoint(path)).info.step, step + 5);
  const leftovers = [...Deno.readDirSync(dir)].filter((e) => e.name.endsWith(".tmp"));
  assert.deepEqual(leftovers, [], "the resumed run removed the killed write's temporary file");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a diverging run stops with the step and the loss, exit 1, and keeps the last good checkpoint", async () => {
  const dir = await Deno.makeTempDir();
  const first = await runExample("100gaussians", ["--steps", "20", ...GAUSSIANS, "--out", dir]);
  assert.equal(first.code, 0, first.stderr);
  const good = await Deno.readFile(`${dir}/checkpoint.safetensors`);
  // An absurd learning rate from step 21 on: NaN within a few steps.
  const { code, stderr } = await runExample("100gaussians", [
    "--resume",
    dir,
    "--steps",
    "60",
    "--lr",
    "1e30",
    "--d-lr",
    "1e30",
  ]);
  assert.equal(code, 1);
  assert.match(
    stderr,
    /training diverged at step \d+: \w+ is (NaN|Infinity|-Infinity); the last good checkpoint \(step 20\) is kept in .*checkpoint\.safetensors/,
  );
  assert.deepEqual(await Deno.readFile(`${dir}/checkpoint.safetensors`), good);
  await Deno.remove(dir, { recursive: true });
});
