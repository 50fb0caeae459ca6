/**
 * Headless figures for training runs (Deno only): vega-lite charts rendered to SVG and PNG
 * without a browser, and animated scatter GIFs.
 *
 * PNG output reads the WASM and font files of the `@resvg/resvg-wasm` and `dejavu-fonts-ttf`
 * npm packages, so it needs `--allow-read`; writing figures needs `--allow-write`.
 *
 * @example
 * ```ts
 * import { samplesSpec, writeFigure } from "@particlegan/particlegan/plot";
 *
 * const real = new Float32Array([0, 0, 1, 1, 0, 1]);
 * const generated = new Float32Array([0.1, 0.1, 0.9, 1.0, 0.5, 0.5]);
 * const dir = await Deno.makeTempDir();
 * const { png } = await writeFigure(`${dir}/step_100`, samplesSpec({ real, generated, title: "step 100" }));
 * console.log(png); // ".../step_100.png"
 * ```
 *
 * @module
 */
export {
  type FigurePaths,
  type PngOptions,
  renderSvg,
  svgToPng,
  type VegaLiteSpec,
  writeFigure,
} from "./lib/plot/render.ts";
export {
  type CurveRow,
  type CurvesInput,
  curvesSpec,
  type DashboardInput,
  dashboardSpec,
  type LatentInput,
  latentSpec,
  type LatentWord,
  type LossRow,
  type Points2D,
  type SamplesInput,
  samplesSpec,
} from "./lib/plot/charts.ts";
export {
  encodeScatterGif,
  type Rgb,
  type ScatterFrame,
  type ScatterGifOptions,
} from "./lib/plot/gif.ts";
