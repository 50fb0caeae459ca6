/**
 * The package version, recorded in checkpoints (a test keeps it equal to deno.json's).
 *
 * @module
 */

/** This package's version. */
export const VERSION = "0.1.0";
