/**
 * `examples/five_modes.ts`: five words, one particle each, an encoder, R1,
 * a terminal table and a dashboard figure; `--prior gaussian` is the baseline.
 *
 * @module
 */
import { describeBackend, initBackend } from "../backend.ts";
import type { BackendChoice } from "../backend.ts";
import { dashboardSpec } from "../plot/charts.ts";
import type { LossRow } from "../plot/charts.ts";
import { writeFigure } from "../plot/render.ts";
import { writeAtomic } from "../atomic_write.ts";
import { formatDuration, parseFlags, Progress, UsageError } from "./cli.ts";
import {
  CHECKPOINT_FILE,
  checkpointAfter,
  checkpointFlags,
  loadResume,
  noteLastCheckpoint,
} from "./resume.ts";
import { restoreTrainingState, saveCheckpoint } from "../checkpoint.ts";
import type { Checkpoint } from "../checkpoint.ts";
import type { FlagSpec, FlagValues } from "./cli.ts";
import { DivergenceError, exitCodeOf, prepareOutput } from "./output.ts";
import { TextToyTrainer } from "./text_toy.ts";
import type { TextToyReport } from "./text_toy.ts";

/** The misspelling whose reconstruction the example reports. */
export const TYPO = "aple";

/** The example's flags, with the original's settings. */
export const FIVE_MODES_FLAGS = {
  iterations: {
    default: 20_001,
    integer: true,
    help: "training iterations (D, then E + G + prior)",
  },
  batch: { default: 64, integer: true, help: "words per batch, drawn uniformly" },
  lr: { default: 1e-4, help: "Adam learning rate of E, G and D" },
  priorLrMult: { default: 1, help: "particle learning rate as a multiple of --lr" },
  beta1: { default: 0.5, min: 0, max: 0.999999, help: "Adam beta1" },
  beta2: { default: 0.999, min: 0, max: 0.999999, help: "Adam beta2" },
  seed: { default: 1, integer: true, min: 0, help: "seed of weights, particles and data" },
  prior: { default: "particles", choices: ["particles", "gaussian"], help: "latent prior" },
  particleInit: {
    default: "r2",
    choices: ["r2", "normal"],
    help:
      "particle start: evenly spread quasi-random (r2) or independent N(0, I) draws (normal, the original)",
  },
  vicregWeight: { default: 2, min: 0, help: "weight of the VICReg penalty on all particles" },
  r1: { default: 1, min: 0, help: "R1 penalty weight gamma on the real words (0: off)" },
  evalInterval: {
    default: 1000,
    integer: true,
    help: "iterations between evaluations (terminal table, metrics)",
  },
  dashboardInterval: {
    default: 5000,
    integer: true,
    help: "iterations between dashboard redraws (also drawn at the end)",
  },
  draws: {
    default: 1000,
    integer: true,
    help: "latent draws per evaluation to count which words G generates",
  },
  backend: { default: "auto", choices: ["auto", "webgpu", "wasm", "cpu"], help: "tfjs backend" },
  out: { default: "", help: "output directory (default out/five_modes/<prior>-seed-<seed>)" },
  force: { default: false, help: "overwrite an output directory that holds another run" },
  noFigures: { default: false, help: "skip the dashboard figure" },
  quiet: { default: false, help: "print only the final verdict" },
  ...checkpointFlags("iterations", "only evaluate the saved model and print its table"),
} satisfies Record<string, FlagSpec>;

/** A parsed configuration. */
export type FiveModesConfig = FlagValues<typeof FIVE_MODES_FLAGS>;

/** One evaluation, as written to `metrics.jsonl`. */
export interface FiveModesRecord {
  /** Iteration. */
  iteration: number;
  /** Words with G(E(word)) == word. */
  reconstructionAccuracy: number;
  /** Words G generates at least `minCount` times in the evaluation draws. */
  wordsGenerated: number;
  /** Fraction of the draws that are one of the words (not a misspelling). */
  validFraction: number;
  /** Counts of every generated string over the draws. */
  wordCounts: Record<string, number>;
  /** G(E("aple")). */
  typo: string;
  /** D's loss. */
  dLoss: number;
  /** E + G + prior loss (adversarial + weighted spread penalty). */
  modelLoss: number;
  /** Seconds since the start. */
  wallSeconds: number;
}

/** What `summary.json` holds. */
export interface FiveModesSummary {
  prior: string;
  seed: number;
  iterations: number;
  backend: string;
  reconstructionAccuracy: number;
  wordsGenerated: number;
  validFraction: number;
  wordCounts: Record<string, number>;
  typo: string;
  firstPerfectIteration: number | null;
  wallSeconds: number;
  stepsPerSecond: number;
  config: FiveModesConfig;
}

/**
 * How many of `words` count as generated: at least 20% of a fair share of
 * the draws (40 of 1,000 for five words), the same rule as `modeCoverage`.
 */
export function countGenerated(
  words: readonly string[],
  counts: Record<string, number>,
  draws: number,
): number {
  const minCount = Math.max(1, Math.ceil((0.2 * draws) / words.length));
  return words.filter((w) => (counts[w] ?? 0) >= minCount).length;
}

/** The terminal table of one evaluation. */
export function formatReport(
  iteration: number,
  words: readonly string[],
  report: TextToyReport,
  record: FiveModesRecord,
  draws: number,
): string {
  const width = Math.max(...words.map((w) => w.length), 6) + 2;
  const lines = [
    `iteration ${iteration}`,
    `${"word".padEnd(width)}${"G(E(word))".padEnd(width + 2)}`,
  ];
  words.forEach((word, i) => {
    const reconstruction = report.reconstructions[i];
    const mark = reconstruction === word ? "\u2713" : "\u2717";
    lines.push(`${word.padEnd(width)}${reconstruction.padEnd(width + 2)}${mark}`);
  });
  lines.push(
    `${TYPO.padEnd(width)}${record.typo.padEnd(width + 2)}${
      record.typo === "apple" ? "\u2713" : ""
    }`,
  );
  lines.push(`accuracy ${record.reconstructionAccuracy}/${words.length}`);
  if (report.particleWords.length) {
    lines.push(`G(particles): ${report.particleWords.join(", ")}`);
  }
  const counts = Object.entries(record.wordCounts).sort((a, b) => b[1] - a[1]);
  const shown = counts.slice(0, 8).map(([w, c]) => `${w || "(empty)"} ${c}`).join(", ");
  lines.push(
    `words from ${draws} draws: ${shown}${
      counts.length > 8 ? `, ... (${counts.length} distinct)` : ""
    }` +
      ` -> ${record.wordsGenerated}/${words.length} generated, ${
        (100 * record.validFraction).toFixed(1)
      }% real words`,
  );
  return lines.join("\n");
}

/** What a checkpoint's `info` holds for this example. */
interface RunInfo {
  example: string;
  step: number;
  config: FiveModesConfig;
  backend: string;
  records: FiveModesRecord[];
  losses: LossRow[];
  trainSeconds: number;
  wallSeconds: number;
}

/**
 * Runs the toy end to end and returns its summary. `args` (the command line)
 * tells `--resume` which flags were given explicitly.
 */
export async function runFiveModes(
  options: FiveModesConfig,
  args: readonly string[] = [],
): Promise<FiveModesSummary> {
  let config = options;
  let checkpoint: Checkpoint | undefined;
  if (config.resume) {
    ({ config, checkpoint } = await loadResume(config, args, "five_modes", [
      "seed",
      "prior",
      "particleInit",
    ]));
  } else if (config.sampleOnly) {
    throw new UsageError("--sample-only needs --resume DIR (the output directory of a run)");
  }
  const log = (line: string) => {
    if (!config.quiet) console.log(line);
  };
  const out = config.out || `out/five_modes/${config.prior}-seed-${config.seed}`;
  await prepareOutput(out, config.force || checkpoint !== undefined);
  const backend = await initBackend({ backend: config.backend as BackendChoice });
  log(describeBackend(backend));
  const toy = new TextToyTrainer({
    prior: config.prior as "particles" | "gaussian",
    particleInit: config.particleInit as "normal" | "r2",
    learningRate: config.lr,
    particleLearningRate: config.lr * config.priorLrMult,
    beta1: config.beta1,
    beta2: config.beta2,
    vicregWeight: config.vicregWeight,
    r1Gamma: config.r1,
    seed: config.seed,
  });
  const words = toy.words;
  log(
    `five_modes: ${words.join(", ")}; ${
      config.prior === "particles" ? `${words.length} particles` : "z ~ N(0, I)"
    }, zDim 2, R1 ${config.r1}, ${config.iterations} iterations of batch ${config.batch}, seed ${config.seed}`,
  );

  let records: FiveModesRecord[] = [];
  let losses: LossRow[] = [];
  let trainSeconds = 0;
  let start = { step: 0, seconds: 0 };
  if (checkpoint) {
    restoreTrainingState(toy.trainingState, checkpoint);
    const info = checkpoint.info as unknown as RunInfo;
    toy.stepCount = info.step;
    ({ records, losses, trainSeconds } = info);
    start = { step: info.step, seconds: info.wallSeconds };
    log(`resumed from ${config.resume} at iteration ${info.step}`);
  }
  const checkpointPath = `${out}/${CHECKPOINT_FILE}`;
  const metricsPath = `${out}/metrics.jsonl`;
  if (!config.sampleOnly) {
    await Deno.writeTextFile(metricsPath, records.map((r) => JSON.stringify(r) + "\n").join(""));
  }
  const progress = new Progress(config.iterations, config.quiet, start);
  const save = async (iteration: number) => {
    const { d, model } = await toy.readLosses();
    if (!Number.isFinite(d)) throw new DivergenceError(iteration, "D's loss", d);
    if (!Number.isFinite(model)) {
      throw new DivergenceError(iteration, "the E + G + prior loss", model);
    }
    const info: RunInfo = {
      example: "five_modes",
      step: iteration,
      config,
      backend: backend.name,
      records,
      losses,
      trainSeconds,
      wallSeconds: progress.elapsed,
    };
    await saveCheckpoint(checkpointPath, toy.trainingState, { ...info });
  };

  const evaluate = async (iteration: number): Promise<TextToyReport> => {
    const report = await toy.report(config.draws, TYPO);
    // No losses before the first step of this process (a fresh run, or --sample-only).
    const trained = iteration > 0 && !config.sampleOnly;
    const { d, model } = trained ? await toy.readLosses() : { d: NaN, model: NaN };
    if (trained) {
      if (!Number.isFinite(d)) throw new DivergenceError(iteration, "D's loss", d);
      if (!Number.isFinite(model)) {
        throw new DivergenceError(iteration, "the E + G + prior loss", model);
      }
    }
    const record: FiveModesRecord = {
      iteration,
      reconstructionAccuracy: words.filter((w, i) => report.reconstructions[i] === w).length,
      wordsGenerated: countGenerated(words, report.wordCounts, config.draws),
      validFraction: words.reduce((n, w) => n + (report.wordCounts[w] ?? 0), 0) / config.draws,
      wordCounts: report.wordCounts,
      typo: report.typo!,
      dLoss: d,
      modelLoss: model,
      wallSeconds: progress.elapsed,
    };
    records.push(record);
    if (!config.sampleOnly) {
      await Deno.writeTextFile(metricsPath, JSON.stringify(record) + "\n", { append: true });
    }
    if (!config.quiet) {
      progress.clear();
      console.log(formatReport(iteration, words, report, record, config.draws) + "\n");
    }
    return report;
  };

  const drawDashboard = async (iteration: number, report: TextToyReport) => {
    if (config.noFigures) return;
    const record = records.at(-1)!;
    await writeFigure(
      `${out}/dashboard`,
      dashboardSpec({
        title: `five_modes (${config.prior} prior, seed ${config.seed}), iteration ${iteration}: ` +
          `${record.reconstructionAccuracy}/${words.length} reconstructed, ${record.wordsGenerated}/${words.length} generated`,
        losses,
        latent: {
          particles: report.particles,
          words: words.map((word, i) => ({
            word,
            x: report.encodings[2 * i],
            y: report.encodings[2 * i + 1],
            color: i,
          })),
          typo: { word: TYPO, x: report.typoCode![0], y: report.typoCode![1] },
        },
        table: [
          ...words.map((word, i) => ({
            word,
            reconstruction: report.reconstructions[i],
            ok: report.reconstructions[i] === word,
          })),
          { word: TYPO, reconstruction: report.typo!, ok: report.typo === "apple" },
        ],
      }),
    );
  };

  let lastCheckpoint = checkpoint ? start.step : -1;
  let stopped = false;
  try {
    if (config.sampleOnly) {
      records = records.filter((r) => r.iteration < toy.stepCount);
      await drawDashboard(toy.stepCount, await evaluate(toy.stepCount));
    } else if (toy.stepCount === 0) {
      await drawDashboard(0, await evaluate(0));
    }
    for (
      let iteration = toy.stepCount + 1;
      iteration <= config.iterations && !config.sampleOnly;
      iteration++
    ) {
      const started = performance.now();
      toy.step(config.batch);
      trainSeconds += (performance.now() - started) / 1000;
      if (iteration % 100 === 0 || iteration === config.iterations) {
        const { d, model } = await toy.readLosses();
        losses.push({ iteration, d, "G/E/prior": model });
      }
      const last = iteration === config.iterations;
      if (iteration % config.evalInterval === 0 || last) {
        const report = await evaluate(iteration);
        const r = records.at(-1)!;
        progress.update(
          iteration,
          `acc ${r.reconstructionAccuracy}/5 gen ${r.wordsGenerated}/5`,
          true,
        );
        if (iteration % config.dashboardInterval === 0 || last) {
          await drawDashboard(iteration, report);
        }
      } else if (iteration % 50 === 0) {
        progress.update(iteration, "");
      }
      const after = await checkpointAfter(
        iteration,
        config.iterations,
        config,
        lastCheckpoint,
        save,
      );
      lastCheckpoint = after.lastSaved;
      if (after.stop) {
        stopped = true;
        break;
      }
    }
  } catch (error) {
    noteLastCheckpoint(error, lastCheckpoint, checkpointPath);
    throw error;
  } finally {
    progress.done();
  }

  const final = records.at(-1)!;
  const perfect = records.find((r) =>
    r.reconstructionAccuracy === words.length && r.wordsGenerated === words.length
  );
  const summary: FiveModesSummary = {
    prior: config.prior,
    seed: config.seed,
    iterations: toy.stepCount,
    backend: backend.name,
    reconstructionAccuracy: final.reconstructionAccuracy,
    wordsGenerated: final.wordsGenerated,
    validFraction: final.validFraction,
    wordCounts: final.wordCounts,
    typo: final.typo,
    firstPerfectIteration: perfect ? perfect.iteration : null,
    wallSeconds: progress.elapsed,
    stepsPerSecond: toy.stepCount / trainSeconds,
    config,
  };
  if (!config.sampleOnly && !stopped) {
    await writeAtomic(`${out}/summary.json`, JSON.stringify(summary, null, 2) + "\n");
  }
  toy.dispose();
  if (stopped) {
    log(`stopped at iteration ${toy.stepCount}; continue with --resume ${out}`);
  } else if (!config.sampleOnly) {
    log(
      `wrote ${out}/summary.json, metrics.jsonl${
        config.checkpointEvery > 0 ? `, ${CHECKPOINT_FILE}` : ""
      }${config.noFigures ? "" : ", dashboard.png/.svg"}`,
    );
  }
  console.log(
    `${final.reconstructionAccuracy}/${words.length} reconstructed, ` +
      `${final.wordsGenerated}/${words.length} words generated, ${TYPO} -> ${
        final.typo || "(empty)"
      } ` +
      `(${config.sampleOnly || stopped ? "at " : ""}${toy.stepCount} its, ${
        formatDuration(summary.wallSeconds)
      }, ${summary.stepsPerSecond.toFixed(0)} its/s)`,
  );
  return summary;
}

/** The example's entry point: exit code 0, 2 (bad flags) or 1 (diverged). */
export function fiveModesMain(args: string[]): Promise<number> {
  return exitCodeOf(async () => {
    const usage = "Usage: deno run -A examples/five_modes.ts [options]";
    const config = parseFlags(args, FIVE_MODES_FLAGS, usage);
    if (config) await runFiveModes(config, args);
  });
}
