/**
 * 100 Gaussians on a 10x10 grid, learned by a GAN with a particle prior.
 *
 *     deno run -A examples/100gaussians.ts [--steps N] [--seed S] [--reference] [--help]
 *
 * @module
 */
import { gaussiansMain } from "../lib/experiments/gaussians.ts";

Deno.exit(await gaussiansMain(Deno.args, "particles", "100gaussians"));
