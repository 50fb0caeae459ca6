import assert from "node:assert/strict";
import { runExample } from "./helpers.ts";

const run = runExample;

const tiny = [
  "--steps",
  "20",
  "--eval-interval",
  "10",
  "--eval-samples",
  "400",
  "--particles",
  "500",
  "--hidden",
  "16",
];

Deno.test("100gaussians --help lists the flags with defaults and exits 0", async () => {
  const { code, stdout } = await run("100gaussians", ["--help"]);
  assert.equal(code, 0);
  for (
    const flag of [
      "--steps",
      "--batch",
      "--lr",
      "--seed",
      "--particles",
      "--z-dim",
      "--loss",
      "--vicreg-weight",
    ]
  ) {
    assert.match(stdout, new RegExp(`${flag} `), `--help should list ${flag}`);
  }
  assert.match(stdout, /--reference/);
  assert.match(stdout, /\[default: 256\]/);
});

Deno.test("100gaussians rejects bad flags with a message and exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--steps", "abc"], /--steps must be a number; got "abc"/],
    [["--steps", "0"], /--steps must be > 0; got 0/],
    [["--batch=-5"], /--batch must be > 0; got -5/],
    [["--batch", "-5"], /'--batch=-XYZ'/],
    [["--batch", "2.5"], /--batch must be a whole number/],
    [["--loss", "bce"], /--loss must be one of hinge, logistic, wasserstein, lsgan/],
    [["--backend", "tpu"], /--backend must be one of auto, webgpu, wasm, cpu/],
    [["--bogus"], /Unknown option '--bogus'/],
    [
      ["--out", "/proc/particlegan-unwritable"],
      /cannot write to the output directory \/proc\/particlegan-unwritable/,
    ],
    [["--lr", "NaN"], /--lr must be a number/],
    [["--beta1", "2"], /--beta1 must be <= 0.999999; got 2/],
    [["--shards", "0"], /--shards must be "auto" or an integer from 1 to 64; got 0/],
    [
      ["--shards", "2", "--mode", "ra"],
      /--shards 2 needs the wasm or cpu backend and a mode other/,
    ],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await run("100gaussians", args);
    assert.equal(code, 2, `${args.join(" ")} should exit 2`);
    assert.match(stderr, message);
  }
});

Deno.test("100gaussians and its baseline write metrics, summary and figures, and print a verdict", async () => {
  const dir = await Deno.makeTempDir();
  for (
    const [example, prior] of [["100gaussians", "particles"], [
      "100gaussians_no_particle_prior",
      "gaussian",
    ]]
  ) {
    const out = `${dir}/${example}`;
    const { code, stdout, stderr } = await run(example, [
      ...tiny,
      "--out",
      out,
      "--backend",
      "wasm",
    ]);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^backend: wasm \(SIMD, 1 thread\)$/m);
    assert.match(stdout, /\d+\/100 modes covered, HQ \d+\.\d%, KL \d+\.\d{3} in 20 steps/);
    const lines = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(lines.map((l) => l.step), [0, 10, 20]);
    for (
      const key of ["modesCovered", "modesHit", "hqFraction", "kl", "dLoss", "gLoss", "wallSeconds"]
    ) {
      assert.ok(key in lines[2], `metrics.jsonl lacks ${key}`);
    }
    const summary = JSON.parse(await Deno.readTextFile(`${out}/summary.json`));
    assert.equal(summary.prior, prior);
    assert.equal(summary.steps, 20);
    assert.equal(summary.backend, "wasm");
    // Batch 256 on wasm: 2 shards by default where there are 2 cores.
    assert.equal(summary.shards, navigator.hardwareConcurrency >= 2 ? 2 : 1);
    for (
      const key of [
        "seed",
        "modesCovered",
        "modesHit",
        "hqFraction",
        "kl",
        "stepsPerSecond",
        "wallSeconds",
      ]
    ) {
      assert.equal(typeof summary[key], "number", `summary.${key}`);
    }
    assert.ok("firstFullCoverageStep" in summary);
    for (
      const file of [
        "samples.png",
        "samples.svg",
        "latent.png",
        "latent.svg",
        "curves.png",
        "curves.svg",
        "training.gif",
      ]
    ) {
      assert.ok((await Deno.stat(`${out}/${file}`)).size > 0, `${file} missing`);
    }
    // A second run into the same directory is refused unless --force.
    const again = await run(example, [...tiny, "--out", out, "--no-figures"]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds a run .* --force/);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("100gaussians gives identical metrics for the same seed", async () => {
  const dir = await Deno.makeTempDir();
  const read = async (name: string) => {
    const { code, stderr } = await run("100gaussians", [
      ...tiny,
      "--seed",
      "7",
      "--out",
      `${dir}/${name}`,
      "--no-figures",
      "--backend",
      "wasm",
    ]);
    assert.equal(code, 0, stderr);
    return (await Deno.readTextFile(`${dir}/${name}/metrics.jsonl`)).split("\n").map((l) =>
      l && JSON.parse(l)
    )
      .map((l) => l && { ...l, wallSeconds: 0 });
  };
  assert.deepEqual(await read("a"), await read("b"));
  await Deno.remove(dir, { recursive: true });
});
