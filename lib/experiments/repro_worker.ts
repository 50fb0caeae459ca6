/**
 * One reproduction job in a Deno Worker: runs an example with the given
 * flags and posts its summary (or its error) back.
 *
 * @module
 */
import { parseFlags } from "./cli.ts";
import { FIVE_MODES_FLAGS, runFiveModes } from "./five_modes.ts";
import { parseGaussiansArgs, runGaussians } from "./gaussians.ts";
import type { PriorKind } from "./gaussians.ts";

/** A job: which example, and its command line. */
export interface ReproJob {
  /** `100gaussians`, `100gaussians_no_particle_prior` or `five_modes`. */
  example: string;
  /** Flags, as on the command line. */
  args: string[];
}

const scope = self as unknown as {
  onmessage: (event: MessageEvent<ReproJob>) => void;
  postMessage: (message: unknown) => void;
};

// The runner prints one line per finished run; the examples' own verdicts would repeat it.
console.log = () => {};

scope.onmessage = async ({ data: job }) => {
  try {
    let summary: unknown;
    if (job.example === "five_modes") {
      const config = parseFlags(job.args, FIVE_MODES_FLAGS, "")!;
      summary = await runFiveModes(config, job.args);
    } else {
      const prior: PriorKind = job.example === "100gaussians" ? "particles" : "gaussian";
      const config = parseGaussiansArgs(job.args, job.example)!;
      summary = await runGaussians(config, prior, job.example, job.args);
    }
    scope.postMessage({ ok: true, summary });
  } catch (error) {
    scope.postMessage({ ok: false, error: (error as Error).message });
  }
};
