/**
 * Checkpoints of a whole training state (parameters, Adam moments and step
 * counts, random-stream states and any JSON you add), saved atomically as one
 * safetensors file.
 *
 * The file holds one tensor per parameter (its name in the
 * {@linkcode TrainingState}) and two per optimized parameter
 * (`adam.<optimizer>/<parameter>.m` and `.v`), all float32. Its
 * `__metadata__` holds `format` (`particlegan-checkpoint/1`), `sha256` (of the
 * tensor bytes, in name order) and `state`: a JSON string with `version` (the
 * package's), `adam` (each optimizer's `step`, `learningRate`, `beta1`,
 * `beta2`, `epsilon`), `rngs` (each stream's four uint32 state words) and
 * `info` (what the caller passed: step, config, backend, ...).
 *
 * @module
 */
import * as tf from "./tf.ts";
import type { Adam } from "./adam.ts";
import type { Rng } from "./rng.ts";
import type { RngState } from "./rng.ts";
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from "./safetensors.ts";
import type { NamedArray } from "./safetensors.ts";
import { writeAtomic } from "./atomic_write.ts";
import { VERSION } from "./version.ts";
import type { Variable } from "./types.ts";

/** The `format` tag of particlegan checkpoints. */
export const CHECKPOINT_FORMAT = "particlegan-checkpoint/1";

/** Everything a training run needs to continue exactly: named parts, held by reference. */
export interface TrainingState {
  /** Parameters by name. */
  variables: Record<string, Variable>;
  /** Optimizers by name; each one's parameters must be among `variables`. */
  optimizers: Record<string, Adam>;
  /** Random streams by name. */
  rngs: Record<string, Rng>;
  /** Host arrays by name (e.g. a host-side particle table), saved as tensors, restored in place. */
  arrays?: Record<string, NamedArray>;
  /** Integer counters outside the optimizers (e.g. a host-side Adam's step). */
  counters?: Record<string, { get: () => number; set: (value: number) => void }>;
}

/** Saved settings and step count of one optimizer. */
export interface AdamRecord {
  /** Updates applied. */
  step: number;
  /** Learning rate at the time of saving. */
  learningRate: number;
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay. */
  beta2: number;
  /** Denominator offset. */
  epsilon: number;
}

/** A checkpoint read back from disk (host arrays; nothing on the device yet). */
export interface Checkpoint {
  /** Package version that wrote it. */
  version: string;
  /** Every tensor by name (the caller's extra arrays under `extra.<name>`). */
  tensors: Record<string, NamedArray>;
  /** Optimizer records by name. */
  adam: Record<string, AdamRecord>;
  /** Random-stream states by name. */
  rngs: Record<string, RngState>;
  /** Counter values by name. */
  counters?: Record<string, number>;
  /** The caller's JSON (step, config, ...). */
  info: Record<string, unknown>;
}

/** A checkpoint that cannot be read or does not fit the model it is restored into. */
export class CheckpointError extends Error {
  /** Wraps the message. */
  constructor(message: string) {
    super(message);
    this.name = "CheckpointError";
  }
}

async function sha256(tensors: Record<string, NamedArray>): Promise<string> {
  const parts = Object.keys(tensors).sort().map((name) => {
    const data = tensors[name].data;
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  });
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    all.set(part, at);
    at += part.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

function slotName(optimizer: string, parameter: string, moment: "m" | "v"): string {
  return `adam.${optimizer}/${parameter}.${moment}`;
}

/** Parameter names of an optimizer's slots; throws if one is not in `variables`. */
function slotNames(state: TrainingState, optimizer: string): string[] {
  const names = new Map(Object.entries(state.variables).map(([name, v]) => [v, name]));
  return state.optimizers[optimizer].slots.map(({ variable }) => {
    const name = names.get(variable);
    if (name === undefined) {
      throw new RangeError(`optimizer ${optimizer} updates a variable missing from the state`);
    }
    return name;
  });
}

/**
 * Reads `state` from the device and writes it with `info` (JSON) and
 * `extra` host arrays (saved as `extra.<name>`) to `path` atomically (a
 * temporary file, flushed, then renamed): an interrupted save leaves the
 * previous checkpoint intact. A state holding NaN or Inf is refused with a
 * {@linkcode CheckpointError}, so a diverged run never overwrites its last
 * good checkpoint.
 *
 * @example
 * ```ts
 * import { Adam, loadCheckpoint, Rng, saveCheckpoint, tf } from "@particlegan/particlegan";
 *
 * const w = tf.variable(tf.zeros([2, 2]));
 * const adam = new Adam({ learningRate: 1e-3 });
 * adam.track([w]);
 * const path = `${await Deno.makeTempDir()}/run.safetensors`;
 * await saveCheckpoint(path, { variables: { w }, optimizers: { adam }, rngs: { data: new Rng(1) } }, {
 *   step: 0,
 * });
 * console.log((await loadCheckpoint(path)).info.step); // 0
 * ```
 */
export async function saveCheckpoint(
  path: string,
  state: TrainingState,
  info: Record<string, unknown> = {},
  extra: Record<string, NamedArray> = {},
): Promise<void> {
  const entries: [string, Variable][] = Object.entries(state.variables);
  const adam: Record<string, AdamRecord> = {};
  for (const [name, optimizer] of Object.entries(state.optimizers)) {
    const { step, learningRate, beta1, beta2, epsilon } = optimizer;
    adam[name] = { step, learningRate, beta1, beta2, epsilon };
    const parameters = slotNames(state, name);
    optimizer.slots.forEach(({ m, v }, i) => {
      entries.push([slotName(name, parameters[i], "m"), m], [
        slotName(name, parameters[i], "v"),
        v,
      ]);
    });
  }
  // Asynchronous reads: synchronous ones fail on WebGPU under Deno.
  const values = await Promise.all(entries.map(([, v]) => v.data()));
  const tensors: Record<string, NamedArray> = {};
  entries.forEach(([name, variable], i) => {
    if (variable.dtype !== "float32") {
      throw new TypeError(`${name} is ${variable.dtype}, not float32`);
    }
    tensors[name] = { dtype: "float32", shape: variable.shape, data: values[i] as Float32Array };
  });
  Object.assign(tensors, state.arrays);
  // A diverged state must never replace the last good checkpoint.
  for (const [name, { data }] of Object.entries(tensors)) {
    if (!data.every(Number.isFinite)) {
      throw new CheckpointError(`refusing to save ${path}: ${name} holds NaN or Inf`);
    }
  }
  for (const [name, array] of Object.entries(extra)) tensors[`extra.${name}`] = array;
  const rngs = Object.fromEntries(
    Object.entries(state.rngs).map(([name, rng]) => [name, rng.state]),
  );
  const metadata = {
    format: CHECKPOINT_FORMAT,
    sha256: await sha256(tensors),
    state: JSON.stringify({
      version: VERSION,
      adam,
      rngs,
      counters: Object.fromEntries(
        Object.entries(state.counters ?? {}).map(([name, c]) => [name, c.get()]),
      ),
      info,
    }),
  };
  await writeAtomic(path, encodeSafetensors(tensors, metadata));
}

/**
 * Reads and verifies a checkpoint: the file must exist, be safetensors with
 * particlegan's format tag, and its tensor bytes must match the saved
 * checksum. Throws {@linkcode CheckpointError} saying which check failed.
 *
 * @example
 * ```ts
 * import { loadCheckpoint } from "@particlegan/particlegan";
 *
 * await loadCheckpoint("/nonexistent/run.safetensors").catch((error) => {
 *   console.log(error.name); // CheckpointError
 * });
 * ```
 */
export async function loadCheckpoint(path: string): Promise<Checkpoint> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new CheckpointError(`cannot read checkpoint ${path}: ${(error as Error).message}`);
  }
  let contents;
  try {
    contents = decodeSafetensors(bytes, path);
  } catch (error) {
    if (error instanceof SafetensorsError) throw new CheckpointError(error.message);
    throw error;
  }
  const { tensors, metadata } = contents;
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(
      `${path} is a safetensors file but not a particlegan checkpoint (format ${
        JSON.stringify(metadata.format)
      }, expected ${CHECKPOINT_FORMAT})`,
    );
  }
  if (metadata.sha256 !== await sha256(tensors)) {
    throw new CheckpointError(`${path} is corrupt: its tensor data does not match its checksum`);
  }
  let state: Omit<Checkpoint, "tensors">;
  try {
    state = JSON.parse(metadata.state);
  } catch {
    throw new CheckpointError(`${path} is corrupt: its state metadata is not JSON`);
  }
  return { ...state, tensors };
}

/**
 * Puts a checkpoint's values into `state`: parameters, optimizer steps and
 * moments, and random streams. Everything is checked first (every expected
 * tensor present with the same shape, no unexpected ones, every optimizer
 * and stream present), so a mismatch changes nothing and throws a
 * {@linkcode CheckpointError} naming it.
 *
 * @example
 * ```ts
 * import { Adam, loadCheckpoint, restoreTrainingState, Rng, saveCheckpoint, tf } from "@particlegan/particlegan";
 *
 * const w = tf.variable(tf.ones([3]));
 * const state = { variables: { w }, optimizers: {}, rngs: { data: new Rng(1) } };
 * const path = `${await Deno.makeTempDir()}/w.safetensors`;
 * await saveCheckpoint(path, state);
 * w.assign(tf.zeros([3]));
 * restoreTrainingState(state, await loadCheckpoint(path));
 * console.log(w.dataSync()); // Float32Array(3) [ 1, 1, 1 ]
 * ```
 */
export function restoreTrainingState(state: TrainingState, checkpoint: Checkpoint): void {
  const expected = new Map<string, Variable>(Object.entries(state.variables));
  for (const [name, optimizer] of Object.entries(state.optimizers)) {
    if (!checkpoint.adam?.[name]) throw new CheckpointError(`checkpoint has no optimizer ${name}`);
    const parameters = slotNames(state, name);
    optimizer.slots.forEach(({ m, v }, i) => {
      expected.set(slotName(name, parameters[i], "m"), m);
      expected.set(slotName(name, parameters[i], "v"), v);
    });
  }
  const arrays = state.arrays ?? {};
  const shapes = [
    ...[...expected].map(([name, variable]) => [name, variable.shape] as const),
    ...Object.entries(arrays).map(([name, array]) => [name, array.shape] as const),
  ];
  for (const [name, shape] of shapes) {
    const saved = checkpoint.tensors[name];
    if (!saved) throw new CheckpointError(`checkpoint has no tensor ${name}`);
    if (!tf.util.arraysEqual(saved.shape, shape)) {
      throw new CheckpointError(
        `checkpoint tensor ${name} has shape [${saved.shape}], the model expects [${shape}]`,
      );
    }
  }
  for (const name of Object.keys(state.counters ?? {})) {
    if (!Number.isInteger(checkpoint.counters?.[name])) {
      throw new CheckpointError(`checkpoint has no counter ${name}`);
    }
  }
  const unexpected = Object.keys(checkpoint.tensors).filter((name) =>
    !expected.has(name) && !(name in arrays) && !name.startsWith("extra.")
  );
  if (unexpected.length) {
    throw new CheckpointError(
      `checkpoint has tensors this model lacks: ${unexpected.slice(0, 5).join(", ")}`,
    );
  }
  for (const name of Object.keys(state.rngs)) {
    if (!checkpoint.rngs?.[name]) {
      throw new CheckpointError(`checkpoint has no random stream ${name}`);
    }
  }
  tf.tidy(() => {
    for (const [name, variable] of expected) {
      const { data, shape } = checkpoint.tensors[name];
      variable.assign(tf.tensor(data, shape, "float32"));
    }
  });
  for (const [name, optimizer] of Object.entries(state.optimizers)) {
    optimizer.step = checkpoint.adam[name].step;
  }
  for (const [name, rng] of Object.entries(state.rngs)) rng.state = checkpoint.rngs[name];
  for (const [name, array] of Object.entries(arrays)) array.data.set(checkpoint.tensors[name].data);
  for (const [name, counter] of Object.entries(state.counters ?? {})) {
    counter.set(checkpoint.counters![name]);
  }
}
