/**
 * The baseline: the same GAN on 100 Gaussians with a fixed z ~ N(0, I) prior.
 *
 *     deno run -A examples/100gaussians_no_particle_prior.ts [--steps N] [--seed S] [--help]
 *
 * @module
 */
import { gaussiansMain } from "../lib/experiments/gaussians.ts";

Deno.exit(await gaussiansMain(Deno.args, "gaussian", "100gaussians_no_particle_prior"));
