/** `modeCoverage` on 10,000 samples against the 100 modes of the 10x10 grid (host code). */
import { GaussianGrid, modeCoverage, Rng } from "../mod.ts";

const grid = new GaussianGrid();
const samples = grid.sampleArray(10_000, new Rng(1));

Deno.bench({
  name: "10,000 samples, 100 modes",
  group: "modeCoverage",
  fn() {
    modeCoverage(samples, grid.centers, grid.std);
  },
});
