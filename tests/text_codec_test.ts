import assert from "node:assert/strict";
import { DEFAULT_ALPHABET, TextCodec, tf } from "../mod.ts";

Deno.test("TextCodec.encode() lays words out as one-hot [28, 6], padded with _", () => {
  const codec = new TextCodec();
  assert.equal(codec.symbols, 28);
  assert.equal(codec.size, 168);
  const x = codec.encodeArray(["abc", "toolongword", "a?"]);
  assert.equal(x.length, 3 * 168);
  const at = (row: number, symbol: string, position: number) =>
    x[row * 168 + DEFAULT_ALPHABET.indexOf(symbol) * 6 + position];
  assert.equal(at(0, "a", 0), 1);
  assert.equal(at(0, "c", 2), 1);
  assert.equal(at(0, "_", 3), 1);
  assert.equal(at(0, "_", 5), 1);
  // Each position holds exactly one 1.
  for (let row = 0; row < 3; row++) {
    for (let p = 0; p < 6; p++) {
      let sum = 0;
      for (let s = 0; s < 28; s++) sum += x[row * 168 + s * 6 + p];
      assert.equal(sum, 1);
    }
  }
  // Cut to 6 characters; unknown characters go to index 26 (`_`), as in the original.
  assert.equal(codec.decode(x.subarray(168, 336))[0], "toolon");
  assert.equal(x[2 * 168 + 26 * 6 + 1], 1);
});

Deno.test("TextCodec.decode() inverts encode() and strips padding", () => {
  const codec = new TextCodec();
  const words = ["apple", "grape", "lemon", "melon", "berry", "aple", ""];
  assert.deepEqual(codec.decode(codec.encodeArray(words)), words);
  assert.throws(() => codec.decode(new Float32Array(10)), /multiple of 168/);
});

Deno.test("TextCodec.softmax() normalizes over symbols at each position", async () => {
  const codec = new TextCodec({ alphabet: "ab_", length: 2, unknownIndex: 2 });
  const logits = tf.tensor2d([[1, 2, 3, 4, 5, 6]]); // [symbols 3, length 2]
  const p = await codec.softmax(logits).data();
  // Position 0 takes entries 0, 2, 4; position 1 takes 1, 3, 5.
  for (const position of [0, 1]) {
    const sum = p[position] + p[2 + position] + p[4 + position];
    assert.ok(Math.abs(sum - 1) < 1e-6, `position ${position} sums to ${sum}`);
  }
  assert.ok(p[4] > p[2] && p[2] > p[0]);
  logits.dispose();
});

Deno.test("TextCodec rejects bad options and inputs", () => {
  assert.throws(() => new TextCodec({ alphabet: "a" }), /at least 2 distinct/);
  assert.throws(() => new TextCodec({ alphabet: "aa_" }), /at least 2 distinct/);
  assert.throws(() => new TextCodec({ pad: "#" }), /pad "#" is not in the alphabet/);
  assert.throws(() => new TextCodec({ length: 0 }), RangeError);
  assert.throws(() => new TextCodec({ unknownIndex: 28 }), /unknownIndex must be < 28/);
  assert.throws(() => new TextCodec().encodeArray([1 as unknown as string]), TypeError);
});
