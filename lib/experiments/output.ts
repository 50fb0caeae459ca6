/**
 * The examples' output directory and their failure type.
 *
 * @module
 */
import { UsageError } from "./cli.ts";
import { CheckpointError } from "../checkpoint.ts";

/** A training run that produced a NaN or Inf: the step and the loss that broke. */
export class DivergenceError extends Error {
  /** Names the step and the quantity. */
  constructor(step: number, what: string, value: number) {
    super(`training diverged at step ${step}: ${what} is ${value}`);
    this.name = "DivergenceError";
  }
}

/** Refuses to mix two runs in one directory, and checks that it can be written. */
export async function prepareOutput(dir: string, force: boolean): Promise<void> {
  const holdsRun = await Deno.stat(`${dir}/summary.json`).then(() => true, () => false);
  if (holdsRun && !force) {
    throw new UsageError(
      `${dir} already holds a run (summary.json); pass --force to overwrite it or choose --out`,
    );
  }
  try {
    await Deno.mkdir(dir, { recursive: true });
    // Temporary files of an atomic write that a killed process left behind.
    for await (const entry of Deno.readDir(dir)) {
      if (/\.[0-9a-f-]{36}\.tmp$/.test(entry.name)) await Deno.remove(`${dir}/${entry.name}`);
    }
    const probe = `${dir}/.write-test`;
    await Deno.writeTextFile(probe, "");
    await Deno.remove(probe);
  } catch (error) {
    throw new UsageError(
      `cannot write to the output directory ${dir}: ${(error as Error).message}`,
    );
  }
}

/**
 * Runs an example's body and maps its errors to exit codes: 2 for a bad
 * command line, 1 for a diverged run or an unusable checkpoint (all print
 * `error: ...`); anything else is a bug and propagates with its stack.
 */
export async function exitCodeOf(body: () => Promise<void>): Promise<number> {
  ensureRuntimeDir();
  try {
    await body();
    return 0;
  } catch (error) {
    if (
      error instanceof UsageError || error instanceof DivergenceError ||
      error instanceof CheckpointError
    ) {
      console.error(`error: ${error.message}`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}

/**
 * Gives the process a private `XDG_RUNTIME_DIR` (mode 0700, reused) when it
 * has none. Without one, Mesa's software Vulkan driver prints
 * "XDG_RUNTIME_DIR is invalid or not set" whenever WebGPU is probed, which
 * reads like an error in the examples' output. Without permission to do so,
 * it leaves things as they are.
 */
function ensureRuntimeDir(): void {
  try {
    if (Deno.env.get("XDG_RUNTIME_DIR") || Deno.build.os === "windows") return;
    const dir = `${Deno.env.get("TMPDIR") ?? "/tmp"}/particlegan-runtime-${Deno.uid()}`;
    Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const info = Deno.statSync(dir);
    if (info.uid !== Deno.uid() || ((info.mode ?? 0) & 0o077) !== 0) return;
    Deno.env.set("XDG_RUNTIME_DIR", dir);
  } catch {
    // No env or write permission: the driver's warning is harmless.
  }
}
