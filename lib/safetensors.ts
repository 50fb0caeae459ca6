/**
 * The safetensors file format (https://github.com/huggingface/safetensors):
 * an 8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data. Python's
 * `safetensors.numpy.load_file` and `safe_open` read these files as they are.
 *
 * @module
 */

/** A host-side array with its shape. */
export interface NamedArray {
  /** Element type. */
  dtype: "float32" | "int32";
  /** Dimensions (row-major). */
  shape: number[];
  /** Values, `shape` product long. */
  data: Float32Array | Int32Array;
}

/** Tensors by name, and string metadata. */
export interface SafetensorsContents {
  /** Tensors by name. */
  tensors: Record<string, NamedArray>;
  /** The header's `__metadata__` (string values only, per the format). */
  metadata: Record<string, string>;
}

/** A file that is not valid safetensors (truncated, corrupt or of another kind). */
export class SafetensorsError extends Error {
  /** Wraps the message. */
  constructor(message: string) {
    super(message);
    this.name = "SafetensorsError";
  }
}

const DTYPES = { float32: "F32", int32: "I32" } as const;
// Headers above this size are corrupt rather than real (the format's own limit is 100 MB).
const MAX_HEADER_BYTES = 100_000_000;

/**
 * Serializes `tensors` (in name order) and `metadata` into one safetensors buffer.
 *
 * @example
 * ```ts
 * import { decodeSafetensors, encodeSafetensors } from "@particlegan/particlegan";
 *
 * const bytes = encodeSafetensors(
 *   { w: { dtype: "float32", shape: [2], data: new Float32Array([1, 2]) } },
 *   { note: "hello" },
 * );
 * console.log(decodeSafetensors(bytes).tensors.w.data); // Float32Array(2) [ 1, 2 ]
 * ```
 */
export function encodeSafetensors(
  tensors: Record<string, NamedArray>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const { dtype, shape, data } = tensors[name];
    if (name === "__metadata__") throw new RangeError("__metadata__ is not a valid tensor name");
    if (!(dtype in DTYPES)) throw new TypeError(`${name}: unsupported dtype ${dtype}`);
    const elements = shape.reduce((a, b) => a * b, 1);
    if (elements !== data.length) {
      throw new RangeError(
        `${name}: shape [${shape}] needs ${elements} values; got ${data.length}`,
      );
    }
    header[name] = {
      dtype: DTYPES[dtype],
      shape,
      data_offsets: [offset, offset + data.byteLength],
    };
    offset += data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so that the data starts 8-byte aligned, as the reference writer does.
  json += " ".repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const name of names) {
    const { data } = tensors[name];
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    at += data.byteLength;
  }
  return out;
}

/**
 * Parses a safetensors buffer, checking the header and that the byte ranges
 * tile the data exactly; throws {@linkcode SafetensorsError} naming the
 * problem otherwise. `source` names the file in messages.
 *
 * @example
 * ```ts
 * import { decodeSafetensors } from "@particlegan/particlegan";
 *
 * try {
 *   decodeSafetensors(new Uint8Array(3), "bad.safetensors");
 * } catch (error) {
 *   console.log((error as Error).message); // bad.safetensors is not a safetensors file: ...
 * }
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array, source = "buffer"): SafetensorsContents {
  const fail = (why: string): never => {
    throw new SafetensorsError(`${source} is not a safetensors file: ${why}`);
  };
  if (bytes.length < 8) fail(`${bytes.length} bytes is too short for a header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES || 8 + headerLength > bytes.length) {
    fail(`header length ${headerLength} exceeds the file (${bytes.length} bytes; truncated?)`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(
      bytes.subarray(8, 8 + headerLength),
    ));
  } catch (error) {
    return fail(`its header is not JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    fail("its header is not a JSON object");
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const { __metadata__: metadata = {}, ...entries } = header;
  if (
    typeof metadata !== "object" || metadata === null ||
    Object.values(metadata).some((v) => typeof v !== "string")
  ) {
    fail("__metadata__ must map names to strings");
  }
  const ranges: [number, number, string][] = [];
  const tensors: Record<string, NamedArray> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    const type = Object.entries(DTYPES).find(([, code]) => code === dtype)?.[0] as
      | NamedArray["dtype"]
      | undefined;
    if (!type) return fail(`tensor ${name} has unsupported dtype ${JSON.stringify(dtype)}`);
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      return fail(`tensor ${name} has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (
      !Array.isArray(offsets) || offsets.length !== 2 ||
      !offsets.every((o) => Number.isInteger(o) && o >= 0) || offsets[0] > offsets[1] ||
      offsets[1] > dataLength
    ) {
      return fail(
        `tensor ${name} has byte range ${
          JSON.stringify(offsets)
        } outside the ${dataLength} data bytes (truncated?)`,
      );
    }
    const [begin, end] = offsets as [number, number];
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end - begin !== 4 * elements) {
      return fail(`tensor ${name} holds ${end - begin} bytes for shape [${shape}]`);
    }
    // Copy, so that the arrays are aligned and independent of the file buffer.
    const raw = bytes.slice(dataStart + begin, dataStart + end).buffer;
    tensors[name] = {
      dtype: type,
      shape: shape as number[],
      data: type === "float32" ? new Float32Array(raw) : new Int32Array(raw),
    };
    ranges.push([begin, end, name]);
  }
  ranges.sort((a, b) => a[0] - b[0]);
  let expected = 0;
  for (const [begin, end, name] of ranges) {
    if (begin !== expected) fail(`tensor ${name} starts at byte ${begin}, expected ${expected}`);
    expected = end;
  }
  if (expected !== dataLength) {
    fail(`its tensors cover ${expected} of ${dataLength} data bytes`);
  }
  return { tensors, metadata: metadata as Record<string, string> };
}
