/**
 * Data-parallel gradients on Deno Workers: the batch is cut into row shards;
 * the calling thread computes shard 0 and each worker one more, in lockstep
 * over a `SharedArrayBuffer` (`Atomics.wait`/`notify`, a few microseconds per
 * round trip). Workers hold no training state: before each command they take
 * the parameters the caller publishes, so the optimizers, averages,
 * checkpoints and random streams stay on the calling thread. The shards'
 * gradients are summed there in a fixed order, so a run is deterministic for
 * a given seed, backend and number of shards.
 *
 * @module
 */
import * as tf from "./tf.ts";
import type { GANLoss } from "./gan_loss.ts";
import type { MLP } from "./mlp.ts";
import type { Tensor, Variable } from "./types.ts";
import { checkInteger } from "./validate.ts";

/** Commands a worker understands (the header's `command` word). */
export const Command = {
  /** D's gradients: G on the shard's latents gives the fake rows. */
  discriminator: 1,
  /** G's gradients and the latents' gradient. */
  generator: 2,
  /** Leave the loop. */
  stop: 3,
  /** Only take the parameters published in the buffer. */
  parameters: 4,
} as const;

/** A command's code. */
export type CommandCode = typeof Command[keyof typeof Command];

/** Positions of the Int32 words at the start of each worker's buffer. */
export const Header = {
  /** Sequence number of the latest command (caller -> worker). */
  sequence: 0,
  /** Sequence number of the latest finished command (worker -> caller). */
  done: 1,
  /** The command. */
  command: 2,
  /** Rows in this command's shard. */
  rows: 3,
  /** Version of G's parameters in the buffer. */
  generatorVersion: 4,
  /** Version of D's parameters in the buffer. */
  discriminatorVersion: 5,
  /** Non-zero when the command failed (the worker posts the message). */
  failed: 6,
  /** Words in the header. */
  words: 8,
} as const;

/** What a worker needs to rebuild the networks and the loss. */
export interface WorkerSetup {
  /** Backend to run on (the caller's). */
  backend: "wasm" | "cpu";
  /** G's layer widths and LeakyReLU slope. */
  generator: { sizes: number[]; leakyReluAlpha: number };
  /** D's layer widths and LeakyReLU slope. */
  discriminator: { sizes: number[]; leakyReluAlpha: number };
  /** The loss's settings. */
  loss: { lossType: GANLoss["lossType"]; mode: GANLoss["mode"]; labelSmoothing: number };
  /** R1 weight. */
  r1Gamma: number;
  /** Most rows a shard may hold. */
  capacity: number;
  /** The shared buffer. */
  buffer: SharedArrayBuffer;
}

/** Float32 offsets of each region in a worker's buffer. */
export interface Layout {
  /** G's parameters, flat, in `variables` order. */
  generator: number;
  /** D's parameters. */
  discriminator: number;
  /** Real rows `[capacity, xDim]`. */
  real: number;
  /** Latents `[capacity, zDim]`. */
  latents: number;
  /** Output: the gradients of G's or D's parameters. */
  gradients: number;
  /** Output: the latents' gradient `[capacity, zDim]`. */
  latentGradient: number;
  /** Output: the shard's (scaled) loss. */
  loss: number;
  /** The shard's share of the batch (input). */
  scale: number;
  /** Total floats. */
  size: number;
}

/** Where everything lives in a worker's buffer, from the networks' sizes. */
export function layoutOf(
  generatorSizes: number[],
  discriminatorSizes: number[],
  capacity: number,
): Layout {
  const count = (sizes: number[]) =>
    sizes.slice(1).reduce((total, width, i) => total + (sizes[i] + 1) * width, 0);
  const [pg, pd] = [count(generatorSizes), count(discriminatorSizes)];
  const xDim = discriminatorSizes[0];
  const zDim = generatorSizes[0];
  let at = Header.words;
  const take = (n: number) => {
    const start = at;
    at += n;
    return start;
  };
  return {
    generator: take(pg),
    discriminator: take(pd),
    real: take(capacity * xDim),
    latents: take(capacity * zDim),
    gradients: take(Math.max(pg, pd)),
    latentGradient: take(capacity * zDim),
    loss: take(1),
    scale: take(1),
    size: at,
  };
}

/**
 * Blocks until `words[index]` differs from `value` and returns the new value.
 * Spins for up to `spinMs` first: waking a thread from `Atomics.wait` takes
 * tens of microseconds on a virtual machine, a few times per step, while the
 * other side is usually only a fraction of a millisecond away.
 */
export function waitForChange(words: Int32Array, index: number, value: number, spinMs = 2): number {
  const spinUntil = performance.now() + spinMs;
  for (let spins = 0;; spins++) {
    const now = Atomics.load(words, index);
    if (now !== value) return now;
    if ((spins & 1023) === 1023 && performance.now() > spinUntil) {
      // Time out now and then so that a caller can notice a worker that died.
      Atomics.wait(words, index, value, 1000);
    }
  }
}

/** `net`'s layer widths, input first. */
export function sizesOf(net: MLP): number[] {
  return [net.inputSize, ...net.layers.map((layer) => layer.kernel.shape[1]!)];
}

/**
 * `source[start, end)` to build a tensor from: a view on wasm, whose tensors
 * copy their data into the WASM heap, a copy on cpu, whose tensors would keep
 * the shared buffer itself.
 */
export function rowsOf(source: Float32Array, start: number, end: number): Float32Array {
  return tf.getBackend() === "cpu" ? source.slice(start, end) : source.subarray(start, end);
}

/** Assigns each variable its values from `source` at `offset`, in order. */
export function readParameters(variables: Variable[], source: Float32Array, offset: number): void {
  let at = offset;
  tf.tidy(() => {
    for (const v of variables) {
      v.assign(tf.tensor(rowsOf(source, at, at + v.size), v.shape, "float32"));
      at += v.size;
    }
  });
}

/** The gradients in `source` at `offset`, shaped like `variables`. */
export function gradientTensors(
  variables: Variable[],
  source: Float32Array,
  offset: number,
): Tensor[] {
  let at = offset;
  return variables.map((v) => {
    const t = tf.tensor(rowsOf(source, at, at + v.size), v.shape, "float32");
    at += v.size;
    return t;
  });
}

/** Writes the tensors' values, in order, into `out` from `offset`. */
export function writeTensors(tensors: Tensor[], out: Float32Array, offset: number): void {
  let at = offset;
  for (const t of tensors) {
    const values = t.dataSync() as Float32Array;
    out.set(values, at);
    at += values.length;
  }
}

/**
 * Row counts of `shards` shards of `n` rows. The first shard (the calling
 * thread's) takes up to 8 rows more than an equal share, as many as a
 * worker spends on copying parameters and gradients through its buffer
 * (about 0.3 ms a step, measured on a 2-core machine at batch 256); the
 * others split the rest evenly, larger first.
 */
export function shardSizes(n: number, shards: number): number[] {
  checkInteger("shards", shards, 1);
  checkInteger("rows", n, 0);
  if (shards === 1) return [n];
  const first = Math.min(n, Math.ceil(n / shards) + Math.min(8, Math.floor(n / 32)));
  const rest = n - first;
  const base = Math.floor(rest / (shards - 1));
  const others = Array.from(
    { length: shards - 1 },
    (_, i) => base + (i < rest % (shards - 1) ? 1 : 0),
  );
  return [first, ...others];
}

/** One worker as the caller sees it. */
interface WorkerHandle {
  worker: Worker;
  header: Int32Array;
  floats: Float32Array;
  sequence: number;
  /** The dataIds of the parameters last written to the buffer (per network). */
  published: { generator: object[]; discriminator: object[] };
}

/**
 * Workers that compute shards 1..k-1 of each step's gradients for a
 * {@linkcode GANTrainer} (which computes shard 0 itself). Created by
 * `GANTrainer.startWorkers`; see there.
 */
export class GradientWorkers {
  /** The buffer layout shared by every worker. */
  readonly layout: Layout;
  /** Most rows per shard. */
  readonly capacity: number;
  readonly #handles: WorkerHandle[];

  private constructor(handles: WorkerHandle[], layout: Layout, capacity: number) {
    this.#handles = handles;
    this.layout = layout;
    this.capacity = capacity;
  }

  /** Workers in the pool (the caller's shard not counted). */
  get count(): number {
    return this.#handles.length;
  }

  /** Spawns `count` workers and waits until each has built its networks. */
  static async start(count: number, setup: Omit<WorkerSetup, "buffer">): Promise<GradientWorkers> {
    const layout = layoutOf(setup.generator.sizes, setup.discriminator.sizes, setup.capacity);
    const handles = await Promise.all(
      Array.from({ length: count }, async () => {
        const buffer = new SharedArrayBuffer(layout.size * 4);
        const worker = new Worker(new URL("./data_parallel_worker.ts", import.meta.url), {
          type: "module",
        });
        const handle: WorkerHandle = {
          worker,
          header: new Int32Array(buffer, 0, Header.words),
          floats: new Float32Array(buffer),
          sequence: 0,
          published: { generator: [], discriminator: [] },
        };
        await new Promise<void>((resolve, reject) => {
          worker.onmessage = (event: MessageEvent) => {
            if (event.data?.ready) resolve();
            if (event.data?.error) reject(new Error(`gradient worker failed: ${event.data.error}`));
          };
          worker.onerror = (event) => {
            event.preventDefault();
            reject(new Error(`gradient worker failed: ${event.message}`));
          };
          worker.postMessage({ ...setup, buffer });
        });
        return handle;
      }),
    );
    return new GradientWorkers(handles, layout, setup.capacity);
  }

  /**
   * Writes into worker `index`'s buffer the parameters of each network that
   * changed since they were last written (a variable that was assigned has a
   * new `dataId`), and bumps that network's version so the worker loads them.
   */
  #publish(index: number, networks: { generator: MLP; discriminator: MLP }): boolean {
    const h = this.#handles[index];
    let changed = false;
    for (const key of ["generator", "discriminator"] as const) {
      const variables = networks[key].variables;
      const ids = variables.map((v) => v.dataId);
      if (ids.every((id, i) => id === h.published[key][i])) continue;
      writeTensors(variables, h.floats, this.layout[key]);
      h.published[key] = ids;
      const word = key === "generator" ? Header.generatorVersion : Header.discriminatorVersion;
      h.header[word]++;
      changed = true;
    }
    return changed;
  }

  #signal(h: WorkerHandle, command: CommandCode, rows: number): void {
    h.header[Header.command] = command;
    h.header[Header.rows] = rows;
    h.sequence++;
    Atomics.store(h.header, Header.sequence, h.sequence);
    Atomics.notify(h.header, Header.sequence);
  }

  /**
   * Lets every worker load parameters that changed, while the caller goes on
   * with other work (its optimizer's, say) instead of at the next command.
   */
  preload(networks: { generator: MLP; discriminator: MLP }): void {
    this.#handles.forEach((h, index) => {
      this.wait(index);
      if (this.#publish(index, networks)) this.#signal(h, Command.parameters, 0);
    });
  }

  /**
   * Sends `command` to worker `index` on `rows` rows: publishes parameters the
   * worker does not have yet, the real rows and latents (`xDim`/`zDim` floats
   * per row), and the shard's scale. Returns at once; {@linkcode GradientWorkers.wait}
   * collects.
   */
  send(
    index: number,
    command: CommandCode,
    networks: { generator: MLP; discriminator: MLP },
    rows: number,
    real: Float32Array,
    latents: Float32Array,
    scale: number,
  ): void {
    const h = this.#handles[index];
    const { layout } = this;
    if (rows > this.capacity) {
      throw new RangeError(
        `a shard of ${rows} rows exceeds the workers' capacity ${this.capacity}`,
      );
    }
    this.wait(index); // the worker may still be reading the buffer
    this.#publish(index, networks);
    h.floats.set(real, layout.real);
    h.floats.set(latents, layout.latents);
    h.floats[layout.scale] = scale;
    this.#signal(h, command, rows);
  }

  /** Blocks until worker `index` has finished its latest command; returns its buffer. */
  wait(index: number): Float32Array {
    const h = this.#handles[index];
    for (let done = Atomics.load(h.header, Header.done); done !== h.sequence;) {
      done = waitForChange(h.header, Header.done, done);
    }
    if (h.header[Header.failed] !== 0) {
      throw new Error(
        `gradient worker ${index + 1} failed on its shard (its error is printed above)`,
      );
    }
    return h.floats;
  }

  /** Stops and terminates every worker. */
  stop(): void {
    for (const h of this.#handles) {
      this.#signal(h, Command.stop, 0);
      h.worker.terminate();
    }
    this.#handles.length = 0;
  }
}
