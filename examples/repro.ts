/**
 * Reproduces the results table: the fixed Gaussian and the particle prior on
 * the five-words toy and the 100-Gaussians grid, over several seeds, one run
 * per Deno Worker.
 *
 *     deno task repro [--seeds 5] [--jobs N] [--problems five_modes,100gaussians] [--help]
 *
 * @module
 */
import { reproMain } from "../lib/experiments/repro.ts";

Deno.exit(await reproMain(Deno.args));
