/**
 * Headless rendering of vega-lite specs to SVG (vega, no DOM) and PNG (resvg in WASM).
 *
 * @module
 */
import { compile, type TopLevelSpec } from "vega-lite";
import { parse, View } from "vega";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
// Importing the font package's manifest puts it into the module graph; only then does
// `import.meta.resolve` give a `file:` URL for its font files when there is no node_modules.
import "dejavu-fonts-ttf/package.json" with { type: "json" };
import { writeAtomic } from "../atomic_write.ts";

/** A vega-lite specification as a plain object (for example one from the chart builders). */
export type VegaLiteSpec = Record<string, unknown>;

/** Options for {@linkcode svgToPng}. */
export interface PngOptions {
  /** Zoom factor applied to the SVG's own size; 2 gives a sharper image. Default 1. */
  scale?: number;
}

/** Paths written by {@linkcode writeFigure}. */
export interface FigurePaths {
  /** Path of the written SVG file. */
  svg: string;
  /** Path of the written PNG file. */
  png: string;
}

/**
 * Renders a vega-lite spec to an SVG string without a browser.
 *
 * @example
 * ```ts
 * import { renderSvg } from "@particlegan/particlegan/plot";
 *
 * const svg = await renderSvg({
 *   data: { values: [{ x: 0, y: 1 }, { x: 1, y: 0 }] },
 *   mark: "point",
 *   encoding: { x: { field: "x", type: "quantitative" }, y: { field: "y", type: "quantitative" } },
 * });
 * console.log(svg.startsWith("<svg")); // true
 * ```
 */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  const vgSpec = compile(spec as unknown as TopLevelSpec).spec;
  const view = new View(parse(vgSpec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Reads a file of an npm package given its resolved specifier, which must be on disk. */
async function readPackageFile(pkg: string, resolved: string): Promise<Uint8Array> {
  if (!resolved.startsWith("file:")) {
    throw new Error(`cannot locate ${resolved}: the npm package "${pkg}" is not on disk`);
  }
  try {
    return await Deno.readFile(new URL(resolved));
  } catch (e) {
    throw new Error(`cannot read ${resolved} of the npm package "${pkg}": ${e}`, { cause: e });
  }
}

/** Runs `init` once; a failure (for example missing read permission) lets a later call retry. */
function once<T>(init: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    if (!promise) {
      promise = init();
      promise.catch(() => promise = undefined);
    }
    return promise;
  };
}

// Specifiers stay literal so that `deno publish` can rewrite them to `npm:` ones.
const wasmReady = once(async () =>
  initWasm(
    await readPackageFile(
      "@resvg/resvg-wasm",
      import.meta.resolve("@resvg/resvg-wasm/index_bg.wasm"),
    ),
  )
);
const fonts = once(() =>
  Promise.all([
    readPackageFile("dejavu-fonts-ttf", import.meta.resolve("dejavu-fonts-ttf/ttf/DejaVuSans.ttf")),
    readPackageFile(
      "dejavu-fonts-ttf",
      import.meta.resolve("dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf"),
    ),
  ])
);

/**
 * Rasterizes an SVG to PNG bytes on a white background, with DejaVu Sans for all text.
 *
 * Needs read access to the `@resvg/resvg-wasm` and `dejavu-fonts-ttf` package files.
 *
 * @example
 * ```ts
 * import { svgToPng } from "@particlegan/particlegan/plot";
 *
 * const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">' +
 *   '<text x="2" y="15">hi</text></svg>';
 * const png = await svgToPng(svg, { scale: 2 });
 * console.log(png.length > 0); // true
 * ```
 */
export async function svgToPng(svg: string, options: PngOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 1;
  if (!(scale > 0)) throw new RangeError(`scale must be positive, got ${scale}`);
  const [, fontBuffers] = await Promise.all([wasmReady(), fonts()]);
  const resvg = new Resvg(svg, {
    background: "white",
    fitTo: { mode: "zoom", value: scale },
    font: {
      fontBuffers,
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
    },
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}

/**
 * Renders a spec and writes `<path>.svg` and `<path>.png` (`options` as for
 * {@linkcode svgToPng}); each file appears whole or not at all, so a reader never sees a
 * half-written figure.
 *
 * @example
 * ```ts
 * import { samplesSpec, writeFigure } from "@particlegan/particlegan/plot";
 *
 * const dir = await Deno.makeTempDir();
 * const spec = samplesSpec({ real: [[0, 0]], generated: [[1, 1]], title: "step 0" });
 * const paths = await writeFigure(`${dir}/samples`, spec);
 * console.log(paths.png); // ".../samples.png"
 * ```
 */
export async function writeFigure(
  path: string,
  spec: VegaLiteSpec,
  options: PngOptions = {},
): Promise<FigurePaths> {
  const svg = await renderSvg(spec);
  const png = await svgToPng(svg, options);
  const paths = { svg: `${path}.svg`, png: `${path}.png` };
  await writeAtomic(paths.svg, svg);
  await writeAtomic(paths.png, png);
  return paths;
}
