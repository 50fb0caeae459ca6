import assert from "node:assert/strict";
import { Rng } from "../mod.ts";

Deno.test("Rng gives equal streams for equal seeds and different ones otherwise", () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xs = Array.from({ length: 8 }, () => a.nextUint32());
  assert.deepEqual(xs, Array.from({ length: 8 }, () => b.nextUint32()));
  assert.notDeepEqual(xs, Array.from({ length: 8 }, () => c.nextUint32()));
});

Deno.test("Rng.state restores the stream exactly", () => {
  const rng = new Rng(7);
  rng.normal();
  const saved = rng.state;
  const next = [rng.uniform(), rng.normal(), rng.int(10)];
  rng.state = saved;
  assert.deepEqual([rng.uniform(), rng.normal(), rng.int(10)], next);
  assert.throws(
    () => (rng.state = [1, 2] as unknown as [number, number, number, number]),
    TypeError,
  );
});

Deno.test("Rng.uniform(), int() and normal() have the right moments", () => {
  const rng = new Rng(1);
  const n = 100_000;
  let sum = 0;
  let sumSq = 0;
  const counts = new Array(7).fill(0);
  for (let i = 0; i < n; i++) {
    const x = rng.normal();
    sum += x;
    sumSq += x * x;
    counts[rng.int(7)]++;
    const u = rng.uniform();
    assert.ok(u >= 0 && u < 1);
  }
  assert.ok(Math.abs(sum / n) < 0.02, `normal mean ${sum / n}`);
  assert.ok(Math.abs(sumSq / n - 1) < 0.02, `normal variance ${sumSq / n}`);
  assert.ok(counts.every((c) => Math.abs(c - n / 7) < 600), `int counts ${counts}`);
  assert.throws(() => rng.int(0), RangeError);
  assert.throws(() => new Rng(1.5), TypeError);
});
