/**
 * `deno task repro`: both priors on both problems over several seeds, one
 * run per Deno Worker (`--jobs` at a time), summarized as the original's
 * results table.
 *
 * @module
 */
import { writeAtomic } from "../atomic_write.ts";
import { initBackend } from "../backend.ts";
import type { BackendChoice } from "../backend.ts";
import { formatDuration, parseFlags, UsageError } from "./cli.ts";
import type { FlagSpec, FlagValues } from "./cli.ts";
import { exitCodeOf } from "./output.ts";
import type { ReproJob } from "./repro_worker.ts";

/** The runner's flags. */
export const REPRO_FLAGS = {
  seeds: { default: "1,2,3,4,5", help: "comma-separated seeds, or N for seeds 1..N" },
  jobs: {
    default: navigator.hardwareConcurrency || 1,
    integer: true,
    help: "runs at a time, each in its own Deno Worker",
  },
  problems: {
    default: "five_modes,100gaussians",
    help: "comma-separated problems (five_modes, 100gaussians)",
  },
  steps: {
    default: 0,
    integer: true,
    min: 0,
    help: "100-Gaussians steps (0: the example's default)",
  },
  iterations: {
    default: 0,
    integer: true,
    min: 0,
    help: "five_modes iterations (0: the example's default)",
  },
  backend: {
    default: "auto",
    choices: ["auto", "webgpu", "wasm", "cpu"],
    help: "tfjs backend, chosen once here and passed to every run",
  },
  out: { default: "out/repro", help: "directory for the runs, results.json and results.md" },
  quiet: { default: false, help: "print only the table" },
} satisfies Record<string, FlagSpec>;

/** A parsed configuration. */
export type ReproConfig = FlagValues<typeof REPRO_FLAGS>;

/** One finished run. */
export interface ReproRun {
  /** `five_modes` or `100gaussians`. */
  problem: string;
  /** `gaussian` or `particles`. */
  prior: string;
  /** Seed. */
  seed: number;
  /** The example's summary.json. */
  summary: Record<string, unknown>;
}

/** Seeds from `"1,2,3"` or `"5"` (meaning 1..5). */
export function parseSeeds(text: string): number[] {
  const parts = text.split(",").map((s) => s.trim());
  const numbers = parts.map(Number);
  if (parts.some((p) => !/^\d+$/.test(p))) {
    throw new UsageError(
      `--seeds must be N or a comma-separated list of whole numbers; got ${text}`,
    );
  }
  if (numbers.length === 1) return Array.from({ length: numbers[0] }, (_, i) => i + 1);
  return numbers;
}

const PROBLEMS: Record<string, { particles: string; gaussian: string[] }> = {
  "100gaussians": { particles: "100gaussians", gaussian: ["100gaussians_no_particle_prior"] },
  five_modes: { particles: "five_modes", gaussian: ["five_modes", "--prior", "gaussian"] },
};

/** The jobs of a configuration: every problem x prior x seed. */
export function reproJobs(config: ReproConfig): (ReproJob & Omit<ReproRun, "summary">)[] {
  const problems = config.problems.split(",").map((p) => p.trim());
  for (const p of problems) {
    if (!(p in PROBLEMS)) {
      throw new UsageError(`--problems must list ${Object.keys(PROBLEMS).join(", ")}; got ${p}`);
    }
  }
  const jobs = [];
  for (const problem of problems) {
    for (const seed of parseSeeds(config.seeds)) {
      for (const prior of ["gaussian", "particles"]) {
        const [example, ...extra] = prior === "particles"
          ? [PROBLEMS[problem].particles]
          : PROBLEMS[problem].gaussian;
        const length = problem === "five_modes"
          ? (config.iterations ? ["--iterations", String(config.iterations)] : [])
          : (config.steps ? ["--steps", String(config.steps)] : []);
        const args = [
          ...extra,
          ...length,
          "--seed",
          String(seed),
          "--out",
          `${config.out}/${problem}/${prior}-seed-${seed}`,
          "--backend",
          config.backend,
          // Runs already fill the cores in parallel: one thread each.
          ...(problem === "five_modes" ? [] : ["--shards", "1"]),
          "--force",
          "--quiet",
          "--no-figures",
        ];
        jobs.push({ problem, prior, seed, example, args });
      }
    }
  }
  return jobs;
}

/** Runs `jobs` in Deno Workers, at most `parallel` at once, in order of submission. */
export async function runInWorkers<T extends ReproJob>(
  jobs: T[],
  parallel: number,
  onDone: (job: T, result: Record<string, unknown>, index: number) => void,
): Promise<Record<string, unknown>[]> {
  const results: Record<string, unknown>[] = new Array(jobs.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const index = next++;
      const worker = new Worker(new URL("./repro_worker.ts", import.meta.url), { type: "module" });
      try {
        const reply = await new Promise<{ ok: boolean; summary?: unknown; error?: string }>(
          (resolve, reject) => {
            worker.onmessage = (event) => resolve(event.data);
            worker.onerror = (event) => {
              event.preventDefault();
              reject(new Error(event.message));
            };
            worker.postMessage({ example: jobs[index].example, args: jobs[index].args });
          },
        );
        if (!reply.ok) {
          throw new Error(`${jobs[index].example} ${jobs[index].args.join(" ")}: ${reply.error}`);
        }
        results[index] = reply.summary as Record<string, unknown>;
        onDone(jobs[index], results[index], ++done);
      } finally {
        worker.terminate();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, jobs.length) }, lane));
  return results;
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** `mean (min)` of a column over seeds, formatted by `format`. */
function meanMin(values: number[], format: (v: number) => string): string {
  return `${format(mean(values))} (min ${format(Math.min(...values))})`;
}

/** One cell of the table: the numbers of one problem and prior over seeds. */
export function describeRuns(problem: string, runs: ReproRun[]): string {
  const s = runs.map((r) => r.summary as Record<string, number & string>);
  const n = runs.length;
  if (problem === "five_modes") {
    const perfect = s.filter((x) =>
      x.reconstructionAccuracy === 5 && x.wordsGenerated === 5
    ).length;
    return [
      `5/5 and 5/5 in ${perfect}/${n} seeds`,
      `reconstructed ${meanMin(s.map((x) => x.reconstructionAccuracy), (v) => v.toFixed(1))}`,
      `generated ${meanMin(s.map((x) => x.wordsGenerated), (v) => v.toFixed(1))}`,
      `real words ${meanMin(s.map((x) => 100 * x.validFraction), (v) => `${v.toFixed(1)}%`)}`,
    ].join("; ");
  }
  const full = s.map((x) => x.firstFullCoverageStep as number | null).filter((v) => v !== null);
  return [
    `modes ${meanMin(s.map((x) => x.modesCovered), (v) => v.toFixed(1))}`,
    `HQ ${meanMin(s.map((x) => 100 * x.hqFraction), (v) => `${v.toFixed(1)}%`)}`,
    `KL ${mean(s.map((x) => x.kl)).toFixed(3)} (max ${Math.max(...s.map((x) => x.kl)).toFixed(3)})`,
    `full coverage in ${full.length}/${n}${
      full.length ? `, first at step ${Math.min(...(full as number[]))}` : ""
    }`,
  ].join("; ");
}

/** The Markdown table: problem | fixed Gaussian | particle prior. */
export function reproTable(runs: ReproRun[]): string {
  const problems = [...new Set(runs.map((r) => r.problem))];
  const label: Record<string, string> = { five_modes: "5 words", "100gaussians": "100 modes" };
  const rows = problems.map((problem) => {
    const of = (prior: string) => runs.filter((r) => r.problem === problem && r.prior === prior);
    const seeds = [...new Set(of("particles").map((r) => r.seed))].join(", ");
    return `| ${label[problem] ?? problem} (seeds ${seeds}) | ${
      describeRuns(problem, of("gaussian"))
    } | ${describeRuns(problem, of("particles"))} |`;
  });
  return ["| problem | fixed Gaussian | particle prior |", "|---|---|---|", ...rows].join("\n");
}

/** Parses the flags, runs every job and writes results.json and results.md. */
export function reproMain(args: string[]): Promise<number> {
  return exitCodeOf(async () => {
    const config = parseFlags(args, REPRO_FLAGS, "Usage: deno task repro [options]");
    if (!config) return;
    // Choose the backend once: probing WebGPU inside every Worker (each one tearing down its own
    // adapter at exit) crashed Deno now and then on software Vulkan.
    config.backend = (await initBackend({ backend: config.backend as BackendChoice })).name;
    const jobs = reproJobs(config);
    await Deno.mkdir(config.out, { recursive: true });
    const started = performance.now();
    if (!config.quiet) {
      console.log(`${jobs.length} runs, ${config.jobs} at a time, in ${config.out}`);
    }
    const summaries = await runInWorkers(jobs, config.jobs, (job, summary, done) => {
      if (config.quiet) return;
      const s = summary as Record<string, number>;
      const result = job.problem === "five_modes"
        ? `${s.reconstructionAccuracy}/5 reconstructed, ${s.wordsGenerated}/5 generated`
        : `${s.modesCovered}/${s.numModes} modes, HQ ${(100 * s.hqFraction).toFixed(1)}%, KL ${
          s.kl.toFixed(3)
        }`;
      console.log(
        `[${done}/${jobs.length}] ${job.problem} ${job.prior} seed ${job.seed}: ${result} (${
          formatDuration(s.wallSeconds)
        })`,
      );
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const runs: ReproRun[] = jobs.map(({ problem, prior, seed }, i) => ({
      problem,
      prior,
      seed,
      summary: summaries[i],
    }));
    const table = reproTable(runs);
    const note = `${jobs.length} runs with ${config.jobs} jobs in ${formatDuration(wallSeconds)} ` +
      `(deno task repro ${args.join(" ")})`;
    await writeAtomic(
      `${config.out}/results.json`,
      JSON.stringify({ config, wallSeconds, runs }, null, 2) + "\n",
    );
    await writeAtomic(`${config.out}/results.md`, `${table}\n\n${note}\n`);
    console.log(`${table}\n\n${note}`);
  });
}
