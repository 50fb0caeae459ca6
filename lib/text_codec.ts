/**
 * Fixed-length character one-hot encoding for the text toy.
 *
 * @module
 */
import * as tf from "./tf.ts";
import { checkInteger } from "./validate.ts";
import type { Tensor, Tensor2D } from "./types.ts";

/** The original's alphabet: 26 letters, `_` (padding) and space (28 symbols). */
export const DEFAULT_ALPHABET = "abcdefghijklmnopqrstuvwxyz_ ";

/** Options for {@linkcode TextCodec}. */
export interface TextCodecOptions {
  /** Symbols, one per channel (default {@linkcode DEFAULT_ALPHABET}). */
  alphabet?: string;
  /** Characters per word; shorter words are padded (default 6). */
  length?: number;
  /** Padding symbol, stripped when decoding (default `_`). */
  pad?: string;
  /** Index that unknown characters map to (default 26, as in the original). */
  unknownIndex?: number;
}

/**
 * Encodes words as one-hot `[symbols, length]` matrices, flattened row-major
 * to `symbols * length` features (the layout of the original's
 * `one_hot(...).permute(0, 2, 1).flatten(1)`), and decodes logits or
 * probabilities of the same layout back to words by an argmax per position.
 *
 * @example
 * ```ts
 * import { TextCodec } from "@particlegan/particlegan";
 *
 * const codec = new TextCodec();
 * const x = codec.encode(["apple", "aple"]); // [2, 168]
 * console.log(codec.decode(await x.data())); // [ "apple", "aple" ]
 * x.dispose();
 * ```
 */
export class TextCodec {
  /** Symbols, one per channel. */
  readonly alphabet: string;
  /** Characters per word. */
  readonly length: number;
  /** Padding symbol. */
  readonly pad: string;
  /** Channel of characters outside the alphabet. */
  readonly unknownIndex: number;
  #index: Map<string, number>;

  /** Checks that the padding symbol and the unknown index lie in the alphabet. */
  constructor(options: TextCodecOptions = {}) {
    const { alphabet = DEFAULT_ALPHABET, length = 6, pad = "_", unknownIndex = 26 } = options;
    const symbols = [...alphabet];
    if (symbols.length < 2 || new Set(symbols).size !== symbols.length) {
      throw new RangeError("alphabet must hold at least 2 distinct symbols");
    }
    checkInteger("length", length, 1);
    if (!symbols.includes(pad)) {
      throw new RangeError(`pad ${JSON.stringify(pad)} is not in the alphabet`);
    }
    if (checkInteger("unknownIndex", unknownIndex, 0) >= symbols.length) {
      throw new RangeError(`unknownIndex must be < ${symbols.length}; got ${unknownIndex}`);
    }
    this.alphabet = alphabet;
    this.length = length;
    this.pad = pad;
    this.unknownIndex = unknownIndex;
    this.#index = new Map(symbols.map((c, i) => [c, i]));
  }

  /** Number of symbols (channels). */
  get symbols(): number {
    return this.#index.size;
  }

  /** Features per word: `symbols * length`. */
  get size(): number {
    return this.symbols * this.length;
  }

  /** One-hot rows `[words.length, size]` as a Float32Array (host side). */
  encodeArray(words: readonly string[]): Float32Array {
    if (!Array.isArray(words)) throw new TypeError("words must be an array of strings");
    const out = new Float32Array(words.length * this.size);
    words.forEach((word, row) => {
      if (typeof word !== "string") throw new TypeError(`words[${row}] is not a string`);
      // Pad or cut to the fixed length, like Python's ljust(...)[:length].
      const chars = [...word].slice(0, this.length);
      while (chars.length < this.length) chars.push(this.pad);
      chars.forEach((c, position) => {
        const symbol = this.#index.get(c) ?? this.unknownIndex;
        out[row * this.size + symbol * this.length + position] = 1;
      });
    });
    return out;
  }

  /** One-hot rows `[words.length, size]` as a tensor. */
  encode(words: readonly string[]): Tensor2D {
    return tf.tensor2d(this.encodeArray(words), [words.length, this.size]);
  }

  /** Words from scores `[n, size]` (logits or probabilities): argmax per position, padding stripped. */
  decode(scores: ArrayLike<number>): string[] {
    if (scores.length % this.size !== 0) {
      throw new RangeError(
        `scores must hold a multiple of ${this.size} values; got ${scores.length}`,
      );
    }
    const symbols = [...this.alphabet];
    const words: string[] = [];
    for (let row = 0; row < scores.length / this.size; row++) {
      let word = "";
      for (let position = 0; position < this.length; position++) {
        let best = 0;
        for (let s = 1; s < symbols.length; s++) {
          const at = (s2: number) => scores[row * this.size + s2 * this.length + position];
          if (at(s) > at(best)) best = s;
        }
        word += symbols[best];
      }
      words.push(word.replaceAll(this.pad, "").trim());
    }
    return words;
  }

  /**
   * A softmax over symbols at each position of logits `[n, size]`, returning
   * `[n, size]` (tfjs's softmax works on the last axis, so the symbol axis is
   * moved there and back).
   */
  softmax(logits: Tensor): Tensor2D {
    return tf.tidy(() => {
      const n = logits.shape[0];
      const bySymbol = tf.reshape(logits, [n, this.symbols, this.length]);
      const probabilities = tf.softmax(tf.transpose(bySymbol, [0, 2, 1]));
      return tf.reshape(tf.transpose(probabilities, [0, 2, 1]), [n, this.size]) as Tensor2D;
    });
  }
}
