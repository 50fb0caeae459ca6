/**
 * `--resume DIR` for the examples: reads a run's checkpoint and merges its
 * configuration with the flags given now.
 *
 * @module
 */
import { CheckpointError, loadCheckpoint } from "../checkpoint.ts";
import type { Checkpoint } from "../checkpoint.ts";
import { explicitFlags, kebab } from "./cli.ts";
import { DivergenceError } from "./output.ts";

/** The checkpoint's file name inside a run's output directory. */
export const CHECKPOINT_FILE = "checkpoint.safetensors";

/** Flags every resumable example has. */
export interface ResumableConfig {
  /** Directory (or checkpoint file) to continue from; "" for a fresh run. */
  resume: string;
  /** Output directory; "" for the default. */
  out: string;
}

/**
 * Loads the checkpoint named by `config.resume` and returns the saved
 * configuration with the flags set explicitly in `args` applied on top.
 * Throws {@linkcode CheckpointError} when the checkpoint is missing,
 * corrupt, from another example, or when an explicit flag among `fixed`
 * (shapes, data, seed) differs from the saved run.
 */
export async function loadResume<C extends ResumableConfig>(
  config: C,
  args: readonly string[],
  example: string,
  fixed: readonly (keyof C & string)[],
): Promise<{ config: C; checkpoint: Checkpoint; path: string }> {
  const path = config.resume.endsWith(".safetensors")
    ? config.resume
    : `${config.resume.replace(/\/$/, "")}/${CHECKPOINT_FILE}`;
  const checkpoint = await loadCheckpoint(path);
  const info = checkpoint.info as { example?: string; config?: Partial<C> };
  if (info.example !== example || !info.config) {
    throw new CheckpointError(
      `${path} was written by ${info.example ?? "something else"}, not ${example}`,
    );
  }
  const given = explicitFlags(args);
  const merged = { ...config, ...info.config } as C;
  for (const name of Object.keys(config) as (keyof C & string)[]) {
    if (!given.has(name)) continue;
    if (fixed.includes(name) && config[name] !== info.config[name]) {
      throw new CheckpointError(
        `--${kebab(name)} ${config[name]} does not match ` +
          `the checkpoint's ${info.config[name]}: a resumed run keeps its shapes, data and seed`,
      );
    }
    merged[name] = config[name];
  }
  // How this invocation presents itself is its own business, not the saved run's.
  for (const name of ["resume", "quiet", "noFigures", "force", "sampleOnly", "stopAt"]) {
    if (name in config) (merged as Record<string, unknown>)[name] = config[name as keyof C];
  }
  if (!given.has("out")) merged.out = path.slice(0, path.lastIndexOf("/")) || ".";
  return { config: merged, checkpoint, path };
}

/** The checkpoint flags every example shares; `unit` names its steps ("steps", "iterations"). */
export function checkpointFlags(unit: string, sampleOnlyHelp: string): {
  checkpointEvery: { default: number; integer: true; min: number; help: string };
  resume: { default: string; help: string };
  sampleOnly: { default: boolean; help: string };
  stopAt: { default: number; integer: true; min: number; help: string };
} {
  return {
    checkpointEvery: {
      default: 5000,
      integer: true,
      min: 0,
      help:
        `${unit} between checkpoints (${CHECKPOINT_FILE} in the output directory, also at the end; 0: none)`,
    },
    resume: {
      default: "",
      help: "continue the run saved in this directory (its flags apply unless given again)",
    },
    sampleOnly: { default: false, help: `with --resume: ${sampleOnlyHelp}` },
    stopAt: {
      default: 0,
      integer: true,
      min: 0,
      help: `stop after this many ${unit} with a checkpoint, as if interrupted (0: run to the end)`,
    },
  };
}

/**
 * The checkpoint part of an example's training loop, after step `step` of
 * `total`: saves when `--checkpoint-every` or the end says so, and at
 * `--stop-at` (then the loop stops). Returns the step of the latest save.
 */
export async function checkpointAfter(
  step: number,
  total: number,
  config: { checkpointEvery: number; stopAt: number },
  lastSaved: number,
  save: (step: number) => Promise<void>,
): Promise<{ lastSaved: number; stop: boolean }> {
  const final = step === total;
  let saved = lastSaved;
  if (config.checkpointEvery > 0 && (step % config.checkpointEvery === 0 || final)) {
    await save(step);
    saved = step;
  }
  const stop = step === config.stopAt && !final;
  if (stop && saved !== step) {
    await save(step);
    saved = step;
  }
  return { lastSaved: saved, stop };
}

/** Adds where the last good checkpoint is (or that there is none) to a divergence message. */
export function noteLastCheckpoint(error: unknown, lastSaved: number, path: string): void {
  if (!(error instanceof DivergenceError)) return;
  error.message += lastSaved >= 0
    ? `; the last good checkpoint (step ${lastSaved}) is kept in ${path}`
    : "; no checkpoint was saved before it";
}
