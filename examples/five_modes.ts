/**
 * Five words, one learnable particle each: an encoder, a generator and a
 * joint discriminator learn to reconstruct and generate every word.
 *
 *     deno run -A examples/five_modes.ts [--iterations N] [--seed S] [--prior gaussian] [--help]
 *
 * @module
 */
import { fiveModesMain } from "../lib/experiments/five_modes.ts";

Deno.exit(await fiveModesMain(Deno.args));
