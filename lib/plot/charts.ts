/**
 * Builders of vega-lite specs (plain objects) for the figures of a training run.
 *
 * @module
 */
import type { VegaLiteSpec } from "./render.ts";

/** 2-D points: `[x, y]` pairs, or a flat `Float32Array` of interleaved x, y values. */
export type Points2D = ReadonlyArray<readonly [number, number]> | Float32Array;

/** Input of {@linkcode samplesSpec}. */
export interface SamplesInput {
  /** Points drawn from the data distribution, shown in grey. */
  real: Points2D;
  /** Points produced by the generator, shown in colour on top. */
  generated: Points2D;
  /** Chart title. */
  title: string;
}

/** Input of {@linkcode latentSpec}. */
export interface LatentInput {
  /** Particle positions in a 2-D latent space. */
  points: Points2D;
  /** Mode each particle's sample falls in, one per point; -1 for none (drawn light grey). */
  modeIndex: ArrayLike<number>;
  /** Chart title. */
  title: string;
}

/** One row of {@linkcode curvesSpec}: a training step and metric values by name. */
export interface CurveRow {
  /** Training step, shared by all charts as the x axis. */
  step: number;
  /** Metric values by name; missing or non-finite values leave a gap. */
  [metric: string]: number;
}

/** Input of {@linkcode curvesSpec}. */
export interface CurvesInput {
  /** One row per logged step. */
  rows: readonly CurveRow[];
  /** Names of the metrics to plot, one chart each, top to bottom. */
  metrics: readonly string[];
  /** Title above all charts. */
  title: string;
}

/** One logged iteration of the text toy's losses. */
export interface LossRow {
  /** Training iteration (x axis). */
  iteration: number;
  /** Each other key is a loss (for example `d`, `g`, `e`, `prior`), one line each. */
  [loss: string]: number;
}

/** An encoded word placed in the text toy's latent space. */
export interface LatentWord {
  /** The word. */
  word: string;
  /** Latent x coordinate. */
  x: number;
  /** Latent y coordinate. */
  y: number;
  /** Colour category (cycled through a 10-colour scheme). */
  color: number;
}

/** Input of {@linkcode dashboardSpec}: the text toy's state at one point of training. */
export interface DashboardInput {
  /** Loss history. */
  losses: readonly LossRow[];
  /** Latent space contents. */
  latent: {
    /** Prior particles, drawn as stars. */
    particles: Points2D;
    /** Encoded words, drawn as coloured labelled dots. */
    words: readonly LatentWord[];
    /** A misspelt word's encoding, drawn as a labelled cross. */
    typo?: { word: string; x: number; y: number };
  };
  /** Reconstructions of words through encoder and generator. */
  table: readonly { word: string; reconstruction: string; ok: boolean }[];
  /** Title above the dashboard. */
  title?: string;
}

const REAL_COLOR = "#b0b0b0";
const GENERATED_COLOR = "#1f77b4";
const OFF_MODE_COLOR = "#d9d9d9";

/** Calls `fn` for each point, whichever layout the points come in. */
function eachPoint(points: Points2D, fn: (x: number, y: number, i: number) => void): void {
  if (points instanceof Float32Array) {
    if (points.length % 2 !== 0) throw new RangeError("flat points need an even length");
    for (let i = 0; i < points.length / 2; i++) fn(points[2 * i], points[2 * i + 1], i);
  } else {
    points.forEach(([x, y], i) => fn(x, y, i));
  }
}

/** A square domain (padded 5%) containing all points, so x and y share one unit length. */
function squareDomain(...sets: Points2D[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (const set of sets) {
    eachPoint(set, (x, y) => {
      if (Number.isFinite(x) && Number.isFinite(y)) {
        lo = Math.min(lo, x, y);
        hi = Math.max(hi, x, y);
      }
    });
  }
  if (lo > hi) return [-1, 1];
  const pad = Math.max((hi - lo) * 0.05, 1e-6);
  return [lo - pad, hi + pad];
}

/** Quantitative x/y encodings over a shared square domain. */
function squareXY(domain: [number, number]): Record<string, unknown> {
  const scale = { domain, nice: false, zero: false };
  return {
    x: { field: "x", type: "quantitative", scale },
    y: { field: "y", type: "quantitative", scale },
  };
}

/** Escapes characters vega-lite reads as nested-field syntax in a field name. */
function field(name: string): string {
  return name.replace(/[.[\]\\]/g, (c) => `\\${c}`);
}

/**
 * Scatter of real (grey) against generated (blue) points on equal axes, 500x500.
 *
 * @example
 * ```ts
 * import { renderSvg, samplesSpec } from "@particlegan/particlegan/plot";
 *
 * const spec = samplesSpec({
 *   real: [[0, 0], [1, 1]],
 *   generated: new Float32Array([0.1, 0, 0.9, 1.1]),
 *   title: "step 1000",
 * });
 * const svg = await renderSvg(spec);
 * ```
 */
export function samplesSpec(input: SamplesInput): VegaLiteSpec {
  const values: { x: number; y: number; set: string }[] = [];
  eachPoint(input.real, (x, y) => values.push({ x, y, set: "real" }));
  eachPoint(input.generated, (x, y) => values.push({ x, y, set: "generated" }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: input.title,
    width: 500,
    height: 500,
    data: { values },
    mark: { type: "circle", size: 10, opacity: 0.6 },
    encoding: {
      ...squareXY(squareDomain(input.real, input.generated)),
      color: {
        field: "set",
        type: "nominal",
        scale: { domain: ["real", "generated"], range: [REAL_COLOR, GENERATED_COLOR] },
        legend: { title: null },
      },
    },
    // Per-point ARIA labels would triple the SVG's size for thousands of points.
    config: { aria: false },
  };
}

/**
 * Particle cloud in a 2-D latent space coloured by the mode each particle generates into;
 * colours cycle through 20 for many modes, off-mode particles are light grey.
 *
 * @example
 * ```ts
 * import { latentSpec, renderSvg } from "@particlegan/particlegan/plot";
 *
 * const spec = latentSpec({
 *   points: [[0, 0], [1, 0], [0, 1]],
 *   modeIndex: [0, 1, -1],
 *   title: "latent particles",
 * });
 * const svg = await renderSvg(spec);
 * ```
 */
export function latentSpec(input: LatentInput): VegaLiteSpec {
  const on: { x: number; y: number; mode: number }[] = [];
  const off: { x: number; y: number }[] = [];
  eachPoint(input.points, (x, y, i) => {
    const mode = input.modeIndex[i];
    if (mode === undefined) throw new RangeError(`modeIndex has no entry for point ${i}`);
    if (mode >= 0) on.push({ x, y, mode });
    else off.push({ x, y });
  });
  const modes = new Set(on.map((p) => p.mode)).size;
  // Small dots keep thousands of particles apart; fewer can be bigger.
  const dot = { type: "circle", size: on.length + off.length > 2000 ? 8 : 16, opacity: 0.7 };
  const xy = squareXY(squareDomain(input.points));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: input.title, subtitle: `${modes} modes hit, ${off.length} particles off-mode` },
    width: 500,
    height: 500,
    layer: [
      { data: { values: off }, mark: { ...dot, color: OFF_MODE_COLOR }, encoding: xy },
      {
        data: { values: on },
        mark: dot,
        encoding: {
          ...xy,
          color: {
            field: "mode",
            type: "nominal",
            // category20 pairs dark and light shades of a hue: confusing for few modes.
            scale: { scheme: modes <= 10 ? "category10" : "category20" },
            // A legend of hundreds of modes is noise; colours alone separate neighbours.
            legend: modes <= 20 ? { title: "mode" } : null,
          },
        },
      },
    ],
    config: { aria: false },
  };
}

/**
 * Line charts of several metrics against `step`, stacked vertically on a shared x axis.
 *
 * @example
 * ```ts
 * import { curvesSpec, renderSvg } from "@particlegan/particlegan/plot";
 *
 * const spec = curvesSpec({
 *   rows: [{ step: 0, d_loss: 1.4, g_loss: 0.7 }, { step: 100, d_loss: 1.2, g_loss: 0.9 }],
 *   metrics: ["d_loss", "g_loss"],
 *   title: "training curves",
 * });
 * const svg = await renderSvg(spec);
 * ```
 */
export function curvesSpec(input: CurvesInput): VegaLiteSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: input.title,
    data: { values: input.rows },
    resolve: { scale: { x: "shared" } },
    vconcat: input.metrics.map((metric) => ({
      width: 600,
      height: 140,
      mark: { type: "line", strokeWidth: 1.5 },
      encoding: {
        x: { field: "step", type: "quantitative", title: "step" },
        y: { field: field(metric), type: "quantitative", title: metric, scale: { zero: false } },
      },
    })),
  };
}

/** SVG path (unit size, centred) of a five-pointed star; vega has no built-in star shape. */
const STAR = Array.from({ length: 10 }, (_, k) => {
  const r = k % 2 === 0 ? 1 : 0.4;
  const a = (k * Math.PI) / 5 - Math.PI / 2;
  return `${k === 0 ? "M" : "L"}${(r * Math.cos(a)).toFixed(3)},${(r * Math.sin(a)).toFixed(3)}`;
}).join("") + "Z";

/** Loss curves of every key but `iteration`, one coloured line each. */
function lossPanel(losses: readonly LossRow[]): Record<string, unknown> {
  const keys = [...new Set(losses.flatMap((r) => Object.keys(r)))].filter((k) => k !== "iteration");
  const values = losses.flatMap((r) =>
    keys.filter((k) => Number.isFinite(r[k])).map((k) => ({
      iteration: r.iteration,
      loss: k,
      value: r[k],
    }))
  );
  return {
    title: "losses",
    width: 420,
    height: 380,
    data: { values },
    mark: { type: "line", strokeWidth: 1.5 },
    encoding: {
      x: { field: "iteration", type: "quantitative" },
      y: { field: "value", type: "quantitative", title: "loss", scale: { zero: false } },
      color: { field: "loss", type: "nominal", sort: keys, legend: { orient: "top-right" } },
    },
  };
}

/** Particles as stars, words as labelled dots, the typo as a labelled red cross. */
function latentPanel(latent: DashboardInput["latent"]): Record<string, unknown> {
  const particles: { x: number; y: number }[] = [];
  eachPoint(latent.particles, (x, y) => particles.push({ x, y }));
  const marked = [...latent.words, ...(latent.typo ? [latent.typo] : [])].map((w) =>
    [w.x, w.y] as const
  );
  const xy = squareXY(squareDomain(latent.particles, marked));
  const label = { type: "text", align: "left", dx: 7, dy: -6, fontSize: 12 };
  const layer: Record<string, unknown>[] = [
    {
      data: { values: particles },
      mark: { type: "point", shape: STAR, size: 260, filled: true, color: "#555555", opacity: 0.7 },
      encoding: xy,
    },
    {
      data: { values: latent.words },
      layer: [
        {
          mark: { type: "circle", size: 90, stroke: "white", strokeWidth: 1 },
          encoding: {
            ...xy,
            color: {
              field: "color",
              type: "nominal",
              scale: { scheme: "category10" },
              legend: null,
            },
          },
        },
        { mark: label, encoding: { ...xy, text: { field: "word" } } },
      ],
    },
  ];
  if (latent.typo) {
    layer.push({
      data: { values: [latent.typo] },
      layer: [
        {
          mark: { type: "point", shape: "cross", size: 160, filled: true, color: "#d62728" },
          encoding: xy,
        },
        {
          // Below the cross: a typo usually lands next to its word, whose label is above.
          mark: { ...label, color: "#d62728", fontStyle: "italic", dy: 14 },
          encoding: { ...xy, text: { field: "word" } },
        },
      ],
    });
  }
  return { title: "latent space (stars: particles)", width: 420, height: 380, layer };
}

/** The reconstruction table drawn with text marks: word, reconstruction, check or cross. */
function tablePanel(table: DashboardInput["table"]): Record<string, unknown> {
  const columns = ["word", "reconstruction", "ok"];
  const cells = table.flatMap((r, row) => [
    { row, col: "word", text: r.word, tone: "plain" },
    { row, col: "reconstruction", text: r.reconstruction, tone: r.ok ? "ok" : "bad" },
    { row, col: "ok", text: r.ok ? "\u2713" : "\u2717", tone: r.ok ? "ok" : "bad" },
  ]);
  return {
    title: "reconstructions",
    width: 360,
    view: { stroke: null },
    height: Math.max(60, 22 * table.length),
    data: { values: cells },
    mark: { type: "text", align: "left", fontSize: 13 },
    encoding: {
      x: {
        field: "col",
        type: "nominal",
        sort: columns,
        scale: { domain: columns, paddingOuter: 0, align: 0 },
        axis: {
          orient: "top",
          title: null,
          domain: false,
          ticks: false,
          labelAngle: 0,
          labelAlign: "left",
          labelFontSize: 12,
          labelFontWeight: "bold",
        },
        // Text starts at the band's left edge, like the headers above it.
        bandPosition: 0,
      },
      y: { field: "row", type: "ordinal", axis: null },
      text: { field: "text" },
      color: {
        field: "tone",
        type: "nominal",
        scale: { domain: ["plain", "ok", "bad"], range: ["#222222", "#2ca02c", "#d62728"] },
        legend: null,
      },
    },
  };
}

/**
 * Dashboard of the text toy: loss curves, the latent space (particles, encoded words, a typo)
 * and a table of reconstructions, side by side.
 *
 * @example
 * ```ts
 * import { dashboardSpec, renderSvg } from "@particlegan/particlegan/plot";
 *
 * const spec = dashboardSpec({
 *   losses: [{ iteration: 0, d: 1.4, g: 0.7 }, { iteration: 10, d: 1.3, g: 0.8 }],
 *   latent: {
 *     particles: [[0, 0], [0.5, 0.2]],
 *     words: [{ word: "cat", x: 0.1, y: 0.1, color: 0 }],
 *     typo: { word: "cta", x: 0.2, y: 0.15 },
 *   },
 *   table: [{ word: "cat", reconstruction: "cat", ok: true }],
 * });
 * const svg = await renderSvg(spec);
 * ```
 */
export function dashboardSpec(input: DashboardInput): VegaLiteSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(input.title ? { title: input.title } : {}),
    hconcat: [lossPanel(input.losses), latentPanel(input.latent), tablePanel(input.table)],
    resolve: { scale: { color: "independent" } },
    config: { concat: { spacing: 40 } },
  };
}
