/**
 * A gradient worker of {@linkcode GradientWorkers}: rebuilds G, D and the
 * loss from the setup message, then loops on its shared buffer, computing one
 * shard's gradients per command with the same functions as the calling thread.
 *
 * @module
 */
import * as tf from "./tf.ts";
import { initBackend } from "./backend.ts";
import { discriminatorGradients, generatorGradients } from "./gan_gradients.ts";
import type { GeneratorGradients } from "./gan_gradients.ts";
import { GANLoss } from "./gan_loss.ts";
import { MLP } from "./mlp.ts";
import {
  Command,
  Header,
  layoutOf,
  readParameters,
  rowsOf,
  waitForChange,
  writeTensors,
} from "./data_parallel.ts";
import type { WorkerSetup } from "./data_parallel.ts";
import type { Tensor2D } from "./types.ts";

const scope = self as unknown as Worker;

scope.onmessage = async (event: MessageEvent<WorkerSetup>) => {
  const setup = event.data;
  try {
    await initBackend({ backend: setup.backend });
  } catch (error) {
    scope.postMessage({ error: String(error) });
    return;
  }
  const g = new MLP({ ...setup.generator, seed: 0 });
  const d = new MLP({ ...setup.discriminator, seed: 0 });
  const loss = new GANLoss(setup.loss);
  const layout = layoutOf(setup.generator.sizes, setup.discriminator.sizes, setup.capacity);
  const header = new Int32Array(setup.buffer, 0, Header.words);
  const floats = new Float32Array(setup.buffer);
  const xDim = d.inputSize;
  const zDim = g.inputSize;
  let generatorVersion = -1;
  let discriminatorVersion = -1;
  let seen = 0;
  scope.postMessage({ ready: true });
  for (;;) {
    seen = waitForChange(header, Header.sequence, seen);
    const command = header[Header.command];
    if (command === Command.stop) break;
    try {
      if (header[Header.generatorVersion] !== generatorVersion) {
        readParameters(g.variables, floats, layout.generator);
        generatorVersion = header[Header.generatorVersion];
      }
      if (header[Header.discriminatorVersion] !== discriminatorVersion) {
        readParameters(d.variables, floats, layout.discriminator);
        discriminatorVersion = header[Header.discriminatorVersion];
      }
      if (command === Command.parameters) {
        Atomics.store(header, Header.done, seen);
        Atomics.notify(header, Header.done);
        continue;
      }
      const rows = header[Header.rows];
      const scale = floats[layout.scale];
      tf.tidy(() => {
        const real = tf.tensor2d(
          rowsOf(floats, layout.real, layout.real + rows * xDim),
          [rows, xDim],
        ) as Tensor2D;
        const z = tf.tensor2d(
          rowsOf(floats, layout.latents, layout.latents + rows * zDim),
          [rows, zDim],
        ) as Tensor2D;
        const result: GeneratorGradients = command === Command.discriminator
          ? discriminatorGradients(d, loss, real, g.apply(z), { r1Gamma: setup.r1Gamma, scale })
          : generatorGradients(g, d, loss, z, { real, latentGradient: true, scale });
        writeTensors(result.gradients, floats, layout.gradients);
        if (result.latentGradient) {
          writeTensors([result.latentGradient], floats, layout.latentGradient);
        }
        floats[layout.loss] = result.loss.dataSync()[0];
      });
      header[Header.failed] = 0;
    } catch (error) {
      header[Header.failed] = 1;
      // The caller is blocked in Atomics.wait and reads no messages: print here.
      console.error("gradient worker:", error instanceof Error ? error.stack : error);
    }
    Atomics.store(header, Header.done, seen);
    Atomics.notify(header, Header.done);
  }
  tf.disposeVariables();
};
