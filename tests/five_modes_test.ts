import assert from "node:assert/strict";
import { countGenerated } from "../lib/experiments/five_modes.ts";
import { runExample } from "./helpers.ts";

Deno.test("countGenerated() counts words with at least 20% of a fair share", () => {
  const words = ["a", "b", "c", "d", "e"];
  // 1,000 draws over 5 words: a fair share is 200, the bar 40.
  assert.equal(countGenerated(words, { a: 500, b: 400, c: 40, d: 39, x: 21 }, 1000), 3);
  assert.equal(countGenerated(words, {}, 1000), 0);
});

Deno.test("five_modes --help lists its flags and exits 0", async () => {
  const { code, stdout } = await runExample("five_modes", ["--help"]);
  assert.equal(code, 0);
  for (
    const flag of ["--iterations", "--seed", "--prior", "--eval-interval", "--out", "--backend"]
  ) {
    assert.match(stdout, new RegExp(`${flag} `), `--help lists ${flag}`);
  }
  assert.match(stdout, /\[default: 20001\]/);
});

Deno.test("five_modes rejects bad flags with exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["--prior", "uniform"], /--prior must be one of particles, gaussian/],
    [["--iterations", "0"], /--iterations must be > 0/],
    [["--batch", "1.5"], /--batch must be a whole number/],
    [["--r1", "-1"], /'--r1=-XYZ'|--r1 must be >= 0/],
    [["--sample-only"], /--sample-only needs --resume DIR/],
    [["--typo"], /Unknown option '--typo'/],
  ];
  for (const [args, message] of cases) {
    const { code, stderr } = await runExample("five_modes", args);
    assert.equal(code, 2, `${args.join(" ")} exits 2`);
    assert.match(stderr, message);
  }
});

Deno.test("five_modes writes metrics, summary and dashboard, prints the table and a verdict", async () => {
  const out = await Deno.makeTempDir();
  const { code, stdout, stderr } = await runExample("five_modes", [
    "--iterations",
    "30",
    "--eval-interval",
    "15",
    "--dashboard-interval",
    "15",
    "--out",
    out,
    "--force",
    "--backend",
    "wasm",
  ]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^iteration 15$/m);
  assert.match(stdout, /^apple {3}.+[\u2713\u2717]$/m);
  assert.match(stdout, /^accuracy \d\/5$/m);
  assert.match(stdout, /^G\(particles\): .+$/m);
  assert.match(stdout, /words from 1000 draws: .* -> \d\/5 generated, \d+\.\d% real words/);
  assert.match(stdout, /^\d\/5 reconstructed, \d\/5 words generated, aple -> .+ \(30 its, /m);
  const metrics = (await Deno.readTextFile(`${out}/metrics.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  assert.deepEqual(metrics.map((m) => m.iteration), [0, 15, 30]);
  const summary = JSON.parse(await Deno.readTextFile(`${out}/summary.json`));
  for (
    const key of [
      "prior",
      "seed",
      "iterations",
      "backend",
      "reconstructionAccuracy",
      "wordsGenerated",
      "validFraction",
      "wordCounts",
      "typo",
      "firstPerfectIteration",
      "wallSeconds",
      "stepsPerSecond",
    ]
  ) {
    assert.ok(key in summary, `summary.json has ${key}`);
  }
  assert.equal(summary.iterations, 30);
  assert.equal(summary.prior, "particles");
  for (const file of ["dashboard.png", "dashboard.svg", "checkpoint.safetensors"]) {
    assert.ok((await Deno.stat(`${out}/${file}`)).size > 0, `${file} written`);
  }
  await Deno.remove(out, { recursive: true });
});
