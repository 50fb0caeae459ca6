/**
 * Backend selection: WebGPU on a real GPU adapter, else WASM (SIMD), else cpu.
 *
 * @module
 */
import * as tf from "./tf.ts";

/** The tfjs backends particlegan can run on. */
export type BackendName = "webgpu" | "wasm" | "cpu";

/** What {@linkcode initBackend} may be asked for: a backend, or `"auto"`. */
export type BackendChoice = BackendName | "auto";

/** Options for {@linkcode initBackend}. */
export interface InitBackendOptions {
  /**
   * The backend to start. `"auto"` (the default, unless the environment
   * variable `PARTICLEGAN_BACKEND` names one) picks WebGPU on a real GPU
   * adapter, else WASM, else cpu. A named backend that cannot start throws.
   */
  backend?: BackendChoice;
}

/** The backend that is running, as reported by {@linkcode initBackend}. */
export interface BackendInfo {
  /** The tfjs backend in use. */
  name: BackendName;
  /** Whether WASM SIMD is in use (always false off WASM). */
  simd: boolean;
  /**
   * Threads tfjs computes with. Always 1: tfjs's multithreaded WASM build
   * cannot start under Deno (it spawns classic workers from Blob URLs).
   */
  threads: number;
  /** The WebGPU adapter's description (vendor, architecture, device). */
  adapter?: string;
  /** Whether the WebGPU adapter is a software fallback (llvmpipe, lavapipe). */
  fallbackAdapter?: boolean;
}

const CHOICES: readonly BackendChoice[] = ["auto", "webgpu", "wasm", "cpu"];

/** Reads `PARTICLEGAN_BACKEND` when the environment may be read. */
function backendFromEnv(): string | undefined {
  if (
    Deno.permissions.querySync({ name: "env", variable: "PARTICLEGAN_BACKEND" }).state !== "granted"
  ) {
    return undefined;
  }
  return Deno.env.get("PARTICLEGAN_BACKEND") || undefined;
}

function parseChoice(value: string, source: string): BackendChoice {
  if (!(CHOICES as readonly string[]).includes(value)) {
    throw new TypeError(
      `${source} must be one of ${CHOICES.join(", ")}; got ${JSON.stringify(value)}`,
    );
  }
  return value as BackendChoice;
}

interface AdapterProbe {
  adapter?: GPUAdapter;
  description?: string;
  fallback?: boolean;
  reason?: string;
}

/** Asks for the same adapter the tfjs WebGPU backend will ask for. */
async function probeAdapter(): Promise<AdapterProbe> {
  if (!("gpu" in navigator) || !navigator.gpu) return { reason: "navigator.gpu is not available" };
  let adapter: GPUAdapter | null;
  try {
    adapter = await navigator.gpu.requestAdapter({ powerPreference: "high-performance" });
  } catch (error) {
    return { reason: `requestAdapter() failed: ${(error as Error).message}` };
  }
  if (!adapter) return { reason: "navigator.gpu.requestAdapter() returned no adapter" };
  const info = adapter.info;
  const description = info.description || info.device || info.vendor || "unknown adapter";
  // Deno exposes the flag on `info`; older specs had it on the adapter.
  const fallback = Boolean(
    (info as { isFallbackAdapter?: boolean }).isFallbackAdapter ??
      (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter,
  );
  return { adapter, description, fallback };
}

async function startWebGPU(): Promise<BackendInfo> {
  const probe = await probeAdapter();
  if (!probe.adapter) throw new Error(`cannot start the webgpu backend: ${probe.reason}`);
  await tf.loadWebGPUBackend();
  let started: boolean;
  try {
    started = await tf.setBackend("webgpu");
  } catch (error) {
    throw new Error(
      `cannot start the webgpu backend on ${probe.description}: ${(error as Error).message}`,
    );
  }
  if (!started) throw new Error(`cannot start the webgpu backend on ${probe.description}`);
  return {
    name: "webgpu",
    simd: false,
    threads: 1,
    adapter: probe.description,
    fallbackAdapter: probe.fallback,
  };
}

/** Where the WASM backend's `.wasm` files live, to explain a missing read permission. */
function wasmDirectory(): string {
  try {
    return new URL(".", import.meta.resolve("@tensorflow/tfjs-backend-wasm")).pathname;
  } catch {
    return "the @tensorflow/tfjs-backend-wasm package";
  }
}

async function startWasm(): Promise<BackendInfo> {
  const directory = wasmDirectory();
  const readable = directory.startsWith("/")
    ? Deno.permissions.querySync({ name: "read", path: directory }).state === "granted"
    : true;
  if (!readable) {
    throw new Error(
      `cannot start the wasm backend: it reads its .wasm file from ${directory}; ` +
        "run with --allow-read (or --allow-read=./node_modules)",
    );
  }
  let started: boolean;
  try {
    started = await tf.setBackend("wasm");
  } catch (error) {
    throw new Error(`cannot start the wasm backend: ${(error as Error).message}`);
  }
  if (!started) {
    throw new Error(
      `cannot start the wasm backend (does the process have --allow-read for ${directory}?)`,
    );
  }
  const simd = Boolean(await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT"));
  return { name: "wasm", simd, threads: 1 };
}

async function startCpu(): Promise<BackendInfo> {
  if (!(await tf.setBackend("cpu"))) throw new Error("cannot start the cpu backend");
  return { name: "cpu", simd: false, threads: 1 };
}

/**
 * Starts a tfjs backend and reports what is running.
 *
 * With `"auto"`, WebGPU is used only on a real (non-fallback) GPU adapter:
 * software adapters such as llvmpipe or lavapipe are about 15x slower than
 * WASM. A backend named explicitly (by option or by `PARTICLEGAN_BACKEND`) is
 * started or an error says why not; there is no silent fallback.
 *
 * @example Start the best backend available
 * ```ts
 * import { initBackend } from "@particlegan/particlegan";
 *
 * const info = await initBackend();
 * console.log(info.name); // "wasm" on a machine without a GPU
 * ```
 */
export async function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  const fromEnv = options.backend === undefined ? backendFromEnv() : undefined;
  const choice = options.backend !== undefined
    ? parseChoice(options.backend, "options.backend")
    : fromEnv !== undefined
    ? parseChoice(fromEnv, "PARTICLEGAN_BACKEND")
    : "auto";
  if (choice === "webgpu") return await startWebGPU();
  if (choice === "wasm") return await startWasm();
  if (choice === "cpu") return await startCpu();

  const probe = await probeAdapter();
  if (probe.adapter && !probe.fallback) {
    try {
      return await startWebGPU();
    } catch {
      // A real adapter whose backend fails to start: WASM is next in line.
    }
  }
  try {
    return await startWasm();
  } catch {
    return await startCpu();
  }
}

/**
 * One line for logs, e.g. `backend: wasm (SIMD, 1 thread)`.
 *
 * @example
 * ```ts
 * import { describeBackend } from "@particlegan/particlegan";
 *
 * console.log(describeBackend({ name: "wasm", simd: true, threads: 1 }));
 * ```
 */
export function describeBackend(info: BackendInfo): string {
  const threads = `${info.threads} thread${info.threads === 1 ? "" : "s"}`;
  if (info.name === "wasm") return `backend: wasm (${info.simd ? "SIMD" : "no SIMD"}, ${threads})`;
  if (info.name === "webgpu") {
    return `backend: webgpu (${info.adapter ?? "unknown adapter"}${
      info.fallbackAdapter ? ", software fallback" : ""
    })`;
  }
  return `backend: cpu (${threads})`;
}
