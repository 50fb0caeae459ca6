import assert from "node:assert/strict";
import { parseSeeds, REPRO_FLAGS, reproJobs, reproTable } from "../lib/experiments/repro.ts";
import type { ReproConfig, ReproRun } from "../lib/experiments/repro.ts";
import { UsageError } from "../lib/experiments/cli.ts";
import { runExample } from "./helpers.ts";

const defaults = Object.fromEntries(
  Object.entries(REPRO_FLAGS).map(([name, spec]) => [name, spec.default]),
) as ReproConfig;

Deno.test("parseSeeds() reads N or a list", () => {
  assert.deepEqual(parseSeeds("3"), [1, 2, 3]);
  assert.deepEqual(parseSeeds("7, 9"), [7, 9]);
  assert.throws(() => parseSeeds("1,x"), UsageError);
  assert.throws(() => parseSeeds("-2"), UsageError);
});

Deno.test("reproJobs() runs both priors of each problem for each seed", () => {
  const jobs = reproJobs({ ...defaults, seeds: "2", steps: 50, out: "o" });
  assert.equal(jobs.length, 8);
  const gauss = jobs.find((j) =>
    j.problem === "100gaussians" && j.prior === "gaussian" && j.seed === 2
  )!;
  assert.equal(gauss.example, "100gaussians_no_particle_prior");
  assert.deepEqual(gauss.args.slice(0, 4), ["--steps", "50", "--seed", "2"]);
  const text = jobs.find((j) => j.problem === "five_modes" && j.prior === "gaussian")!;
  assert.deepEqual(text.args.slice(0, 2), ["--prior", "gaussian"]);
  assert.throws(() => reproJobs({ ...defaults, problems: "mnist" }), /--problems must list/);
});

Deno.test("reproTable() summarizes seeds as mean and min per prior", () => {
  const run = (prior: string, seed: number, modesCovered: number, hq: number): ReproRun => ({
    problem: "100gaussians",
    prior,
    seed,
    summary: {
      modesCovered,
      hqFraction: hq,
      kl: 0.01,
      firstFullCoverageStep: modesCovered === 100 ? 500 * seed : null,
    },
  });
  const table = reproTable([
    run("gaussian", 1, 10, 0.1),
    run("gaussian", 2, 20, 0.3),
    run("particles", 1, 100, 0.9),
    run("particles", 2, 98, 0.8),
  ]);
  const lines = table.split("\n");
  assert.equal(lines[0], "| problem | fixed Gaussian | particle prior |");
  assert.match(
    lines[2],
    /^\| 100 modes \(seeds 1, 2\) \| modes 15\.0 \(min 10\.0\); HQ 20\.0% \(min 10\.0%\)/,
  );
  assert.match(
    lines[2],
    /\| modes 99\.0 \(min 98\.0\); HQ 85\.0% \(min 80\.0%\); KL 0\.010 \(max 0\.010\); full coverage in 1\/2, first at step 500 \|$/,
  );
});

Deno.test("repro runs every job in Deno Workers and writes the table", async () => {
  const out = await Deno.makeTempDir();
  const { code, stdout, stderr } = await runExample("repro", [
    "--seeds",
    "1",
    "--steps",
    "20",
    "--iterations",
    "20",
    "--jobs",
    "2",
    "--out",
    out,
  ]);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^4 runs, 2 at a time/m);
  assert.match(stdout, /\[4\/4\]/);
  const table = await Deno.readTextFile(`${out}/results.md`);
  assert.match(table, /^\| 5 words \(seeds 1\) \|/m);
  assert.match(table, /^\| 100 modes \(seeds 1\) \|/m);
  const results = JSON.parse(await Deno.readTextFile(`${out}/results.json`));
  assert.equal(results.runs.length, 4);
  assert.ok((await Deno.stat(`${out}/100gaussians/particles-seed-1/summary.json`)).isFile);
  await Deno.remove(out, { recursive: true });
});
