/**
 * Argument checks shared by the library: each throws a RangeError or TypeError
 * that names the argument, what was expected and what was given.
 *
 * @module
 */
import type { Tensor } from "./types.ts";

/** Throws unless `value` is an integer >= `min`. */
export function checkInteger(name: string, value: unknown, min: number): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer; got ${String(value)}`);
  }
  if (value < min) throw new RangeError(`${name} must be >= ${min}; got ${value}`);
  return value;
}

/** Throws unless `value` is a finite number within [min, max]. */
export function checkNumber(name: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new TypeError(`${name} must be a finite number; got ${String(value)}`);
  }
  if (value < min || value > max) {
    throw new RangeError(`${name} must be in [${min}, ${max}]; got ${value}`);
  }
  return value;
}

/** Throws unless `value` is one of `choices`. */
export function checkChoice<T extends string>(
  name: string,
  value: unknown,
  choices: readonly T[],
): T {
  if (!(choices as readonly unknown[]).includes(value)) {
    throw new TypeError(
      `${name} must be one of ${choices.join(", ")}; got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

/** Throws unless `x` is a float32 tensor of the given rank. */
export function checkTensor(name: string, x: unknown, rank: number): Tensor {
  if (x === null || typeof x !== "object" || !("rank" in x) || !("dtype" in x)) {
    throw new TypeError(`${name} must be a Tensor; got ${typeof x}`);
  }
  const t = x as Tensor;
  if (t.rank !== rank) {
    throw new RangeError(`${name} must have rank ${rank}; got shape [${t.shape.join(", ")}]`);
  }
  if (t.dtype !== "float32") throw new TypeError(`${name} must be float32; got ${t.dtype}`);
  return t;
}
