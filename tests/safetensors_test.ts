import assert from "node:assert/strict";
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from "../mod.ts";
import type { NamedArray } from "../mod.ts";

const tensors: Record<string, NamedArray> = {
  "b.bias": { dtype: "float32", shape: [3], data: new Float32Array([1.5, -2, 3e-8]) },
  "a.kernel": { dtype: "float32", shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
  "c.count": { dtype: "int32", shape: [2], data: new Int32Array([7, -9]) },
  "d.empty": { dtype: "float32", shape: [0, 4], data: new Float32Array(0) },
};

/** Builds a file by hand from a header object and data bytes. */
function rawFile(header: unknown, data = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

Deno.test("encodeSafetensors() writes the documented layout and decodeSafetensors() reads it back", () => {
  const bytes = encodeSafetensors(tensors, { note: "hi" });
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLength) % 8, 0, "data starts 8-byte aligned");
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  assert.deepEqual(header.__metadata__, { note: "hi" });
  assert.deepEqual(header["a.kernel"], { dtype: "F32", shape: [2, 2], data_offsets: [0, 16] });
  assert.deepEqual(header["c.count"].dtype, "I32");
  const back = decodeSafetensors(bytes);
  assert.deepEqual(back.metadata, { note: "hi" });
  for (const [name, t] of Object.entries(tensors)) {
    assert.deepEqual(back.tensors[name], t, name);
  }
});

Deno.test("decodeSafetensors() names what is wrong with a bad file", () => {
  const good = encodeSafetensors(tensors);
  const cases: [Uint8Array, RegExp][] = [
    [new Uint8Array(5), /5 bytes is too short/],
    [good.subarray(0, good.length - 4), /outside the \d+ data bytes|cover/],
    [good.subarray(0, 20), /exceeds the file .*truncated/],
    [rawFile("{not json" as unknown), /not a JSON object|not JSON/],
    [
      (() => {
        const b = rawFile({});
        b[8] = 0xff; // invalid UTF-8 / JSON
        return b;
      })(),
      /not JSON/,
    ],
    [rawFile([1, 2]), /not a JSON object/],
    [
      rawFile({ x: { dtype: "F16", shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2)),
      /unsupported dtype "F16"/,
    ],
    [
      rawFile({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /invalid shape/,
    ],
    [
      rawFile({ x: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)),
      /holds 4 bytes for shape \[2\]/,
    ],
    [
      rawFile({ x: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)),
      /starts at byte 4, expected 0/,
    ],
    [
      rawFile({ x: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }, new Uint8Array(8)),
      /cover 4 of 8 data bytes/,
    ],
    [rawFile({ __metadata__: { a: 1 } }), /__metadata__ must map names to strings/],
  ];
  for (const [bytes, message] of cases) {
    assert.throws(() => decodeSafetensors(bytes, "f.safetensors"), (error: Error) => {
      assert.ok(error instanceof SafetensorsError, `${error}`);
      assert.match(error.message, /^f\.safetensors is not a safetensors file: /);
      assert.match(error.message, message);
      return true;
    });
  }
});

Deno.test("encodeSafetensors() rejects arrays that do not fit their shape", () => {
  assert.throws(
    () => encodeSafetensors({ x: { dtype: "float32", shape: [3], data: new Float32Array(2) } }),
    /shape \[3\] needs 3 values; got 2/,
  );
});
