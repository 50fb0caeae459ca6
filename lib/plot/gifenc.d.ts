// Types for the part of the untyped npm package "gifenc" (1.0.3) that gif.ts uses.

/** Per-frame options of `writeFrame`. */
export interface WriteFrameOptions {
  palette?: number[][];
  delay?: number;
  repeat?: number;
}

/** A streaming GIF encoder. */
export interface Encoder {
  writeFrame(index: Uint8Array, width: number, height: number, opts?: WriteFrameOptions): void;
  finish(): void;
  bytes(): Uint8Array;
}

/** Creates an encoder that writes the header and global palette with the first frame. */
export function GIFEncoder(): Encoder;
