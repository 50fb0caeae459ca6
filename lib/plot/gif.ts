/**
 * Animated GIFs of 2-D scatter plots, rasterized directly into indexed bitmaps: fast enough to
 * write a frame per logged step without a renderer.
 *
 * @module
 */
// The package's CommonJS main hides its named exports from Deno; its ESM build does not.
// @ts-types="./gifenc.d.ts"
import { GIFEncoder } from "gifenc/dist/gifenc.esm.js";

/** An RGB colour, each channel 0-255. */
export type Rgb = readonly [number, number, number];

/** One frame of {@linkcode encodeScatterGif}. */
export interface ScatterFrame {
  /** Interleaved x, y coordinates of the points. */
  points: Float32Array;
  /**
   * Optional colour category per point, cycled through 20 colours; 255 draws the point in
   * `pointColor` (for example for points that belong to no mode).
   */
  colors?: Uint8Array;
}

/** Options of {@linkcode encodeScatterGif}. */
export interface ScatterGifOptions {
  /** Image width in pixels. */
  width: number;
  /** Image height in pixels. */
  height: number;
  /** Data range shown left to right. */
  xDomain: readonly [number, number];
  /** Data range shown bottom to top. */
  yDomain: readonly [number, number];
  /** Display time of each frame in milliseconds (GIF stores hundredths of a second). */
  delayMs: number;
  /** Background colour. Default white. */
  background?: Rgb;
  /** Colour of points without a category. Default blue. */
  pointColor?: Rgb;
  /** Interleaved x, y points drawn as hollow squares on every frame, e.g. the real modes. */
  extraPoints?: Float32Array;
  /** Colour of `extraPoints`. Default black. */
  extraColor?: Rgb;
  /** Draws a thin bar along the bottom edge that grows with the frame number. Default true. */
  progressBar?: boolean;
}

// Matplotlib's tab20, the same cycle as vega's category20.
const CATEGORIES: Rgb[] = [
  0x1f77b4,
  0xaec7e8,
  0xff7f0e,
  0xffbb78,
  0x2ca02c,
  0x98df8a,
  0xd62728,
  0xff9896,
  0x9467bd,
  0xc5b0d5,
  0x8c564b,
  0xc49c94,
  0xe377c2,
  0xf7b6d2,
  0x7f7f7f,
  0xc7c7c7,
  0xbcbd22,
  0xdbdb8d,
  0x17becf,
  0x9edae5,
].map((c) => [c >> 16, (c >> 8) & 0xff, c & 0xff]);

const BACKGROUND = 0, POINT = 1, EXTRA = 2, BAR = 3, FIRST_CATEGORY = 4;
const NO_CATEGORY = 255;

/** Maps a data coordinate to a pixel index along an axis of `size` pixels (may be outside). */
function toPixel(v: number, [lo, hi]: readonly [number, number], size: number): number {
  return Math.floor(((v - lo) / (hi - lo)) * size);
}

/**
 * Encodes frames of 2-D points as an animated, looping GIF: 2x2-pixel dots, optional colour
 * categories, optional reference points (hollow squares) and a progress bar.
 *
 * @example
 * ```ts
 * import { encodeScatterGif } from "@particlegan/particlegan/plot";
 *
 * const frames = [0, 1, 2].map((t) => ({ points: new Float32Array([t / 4, 0.5, 0.5, t / 4]) }));
 * const gif = encodeScatterGif(frames, {
 *   width: 200,
 *   height: 200,
 *   xDomain: [0, 1],
 *   yDomain: [0, 1],
 *   delayMs: 100,
 *   extraPoints: new Float32Array([0.5, 0.5]),
 * });
 * await Deno.writeFile(await Deno.makeTempFile({ suffix: ".gif" }), gif);
 * ```
 */
export function encodeScatterGif(
  frames: readonly ScatterFrame[],
  options: ScatterGifOptions,
): Uint8Array {
  const { width, height, xDomain, yDomain } = options;
  if (frames.length === 0) throw new RangeError("no frames to encode");
  for (const [name, v] of [["width", width], ["height", height]] as const) {
    if (!Number.isInteger(v) || v < 1 || v > 65535) {
      throw new RangeError(`${name} must be an integer in 1..65535, got ${v}`);
    }
  }
  if (!(xDomain[1] > xDomain[0]) || !(yDomain[1] > yDomain[0])) {
    throw new RangeError("xDomain and yDomain must be increasing [min, max] pairs");
  }
  const palette: number[][] = [
    [...(options.background ?? [255, 255, 255])],
    [...(options.pointColor ?? CATEGORIES[0])],
    [...(options.extraColor ?? [0, 0, 0])],
    [160, 160, 160],
    ...CATEGORIES.map((c) => [...c]),
  ];
  const pixels = new Uint8Array(width * height);
  const fill = (px: number, py: number, w: number, h: number, color: number) => {
    for (let y = Math.max(py, 0); y < Math.min(py + h, height); y++) {
      const row = y * width;
      for (let x = Math.max(px, 0); x < Math.min(px + w, width); x++) pixels[row + x] = color;
    }
  };
  const gif = GIFEncoder();
  frames.forEach((frame, f) => {
    const { points, colors } = frame;
    if (points.length % 2 !== 0) throw new RangeError(`frame ${f}: points need an even length`);
    if (colors && colors.length * 2 !== points.length) {
      throw new RangeError(`frame ${f}: colors needs one entry per point`);
    }
    pixels.fill(BACKGROUND);
    for (let i = 0; i < points.length / 2; i++) {
      const c = colors?.[i] ?? NO_CATEGORY;
      const color = c === NO_CATEGORY ? POINT : FIRST_CATEGORY + (c % CATEGORIES.length);
      // y grows upwards in data and downwards in the image.
      const px = toPixel(points[2 * i], xDomain, width);
      const py = height - 1 - toPixel(points[2 * i + 1], yDomain, height);
      fill(px, py - 1, 2, 2, color);
    }
    const extra = options.extraPoints ?? new Float32Array();
    for (let i = 0; i + 1 < extra.length; i += 2) {
      const px = toPixel(extra[i], xDomain, width) - 3;
      const py = height - 1 - toPixel(extra[i + 1], yDomain, height) - 3;
      // Hollow, so points covering a reference point stay visible.
      fill(px, py, 7, 1, EXTRA);
      fill(px, py + 6, 7, 1, EXTRA);
      fill(px, py, 1, 7, EXTRA);
      fill(px + 6, py, 1, 7, EXTRA);
    }
    if (options.progressBar ?? true) {
      fill(0, height - 2, Math.round((width * (f + 1)) / frames.length), 2, BAR);
    }
    // Only the first frame carries the palette: it becomes the global colour table.
    gif.writeFrame(pixels, width, height, {
      palette: f === 0 ? palette : undefined,
      delay: options.delayMs,
      repeat: 0,
    });
  });
  gif.finish();
  return gif.bytes();
}
