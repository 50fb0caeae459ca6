/**
 * The five_modes training step (a D update with R1, then an E + G + particle
 * update; batch 64), on WASM, for both priors.
 */
import { initBackend } from "../mod.ts";
import { TextToyTrainer } from "../lib/experiments/text_toy.ts";

for (const prior of ["particles", "gaussian"] as const) {
  let toy: TextToyTrainer | undefined;
  Deno.bench({
    name: `${prior} prior, batch 64`,
    group: "five_modes step (wasm)",
    baseline: prior === "particles",
    n: 200,
    warmup: 10,
    async fn(b) {
      if (!toy) {
        await initBackend({ backend: "wasm" });
        toy = new TextToyTrainer({ prior, seed: 1 });
      }
      b.start();
      toy.step(64);
      await toy.readLosses();
      b.end();
    },
  });
}
