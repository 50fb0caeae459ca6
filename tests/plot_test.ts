import assert from "node:assert/strict";
import {
  curvesSpec,
  dashboardSpec,
  encodeScatterGif,
  latentSpec,
  renderSvg,
  samplesSpec,
  svgToPng,
  writeFigure,
} from "../plot.ts";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Checks the PNG signature and returns the IHDR width and height. */
function pngSize(png: Uint8Array): [number, number] {
  assert.deepEqual([...png.subarray(0, 8)], PNG_SIGNATURE, "PNG signature");
  assert.equal(new TextDecoder().decode(png.subarray(12, 16)), "IHDR");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  return [view.getUint32(16), view.getUint32(20)];
}

/** Width and height the root element of a vega SVG declares. */
function svgSize(svg: string): [number, number] {
  const m = svg.match(/^<svg[^>]*\swidth="(\d+)"[^>]*\sheight="(\d+)"/);
  assert.ok(m, "SVG root with width and height");
  return [Number(m[1]), Number(m[2])];
}

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

const scatter = {
  title: "Scatter title",
  data: { values: [{ x: 0, y: 1 }, { x: 1, y: 0 }, { x: 0.5, y: 0.5 }] },
  mark: "point",
  encoding: {
    x: { field: "x", type: "quantitative" },
    y: { field: "y", type: "quantitative" },
  },
};

Deno.test("renderSvg() renders a vega-lite scatter to SVG", async () => {
  const svg = await renderSvg(scatter);
  assert.ok(svg.startsWith("<svg"));
  assert.ok(svg.trimEnd().endsWith("</svg>"));
  assert.ok(svg.includes("Scatter title"));
  assert.equal(count(svg, 'aria-roledescription="point"'), 3);
});

Deno.test("svgToPng() keeps text (font loaded)", async () => {
  const svg = await renderSvg(scatter);
  const [w, h] = svgSize(svg);
  assert.deepEqual(pngSize(await svgToPng(svg)), [w, h]);
  assert.deepEqual(pngSize(await svgToPng(svg, { scale: 2 })), [2 * w, 2 * h]);
  // Without fonts resvg drops text silently, so both images would be identical.
  const page = (body: string) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">` +
    `<rect width="120" height="40" fill="white"/>${body}</svg>`;
  const withText = await svgToPng(page('<text x="4" y="30" font-size="28">Hi</text>'));
  const blank = await svgToPng(page(""));
  assert.notDeepEqual(withText, blank, "text changed no pixel: no font was loaded");
  await assert.rejects(() => svgToPng(svg, { scale: 0 }), RangeError);
});

Deno.test("writeFigure() writes svg and png atomically", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const base = `${dir}/figure`;
    await Deno.writeTextFile(`${base}.svg`, "stale");
    const paths = await writeFigure(base, scatter);
    assert.deepEqual(paths, { svg: `${base}.svg`, png: `${base}.png` });
    const svg = await Deno.readTextFile(paths.svg);
    assert.ok(svg.startsWith("<svg"), "old file replaced");
    assert.deepEqual(pngSize(await Deno.readFile(paths.png)), svgSize(svg));
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names.sort(), ["figure.png", "figure.svg"], "no temporary files left");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Walks a GIF's blocks; returns the frame count, per-frame delays and whether it loops. */
function parseGif(gif: Uint8Array): { frames: number; delays: number[]; loops: boolean } {
  assert.equal(new TextDecoder().decode(gif.subarray(0, 6)), "GIF89a");
  const table = (flags: number) => (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  let i = 13 + table(gif[10]);
  const skipSubBlocks = () => {
    while (gif[i] !== 0) i += gif[i] + 1;
    i++;
  };
  let frames = 0, loops = false;
  const delays: number[] = [];
  for (;;) {
    const block = gif[i];
    if (block === 0x3b) break;
    if (block === 0x21) {
      const label = gif[i + 1];
      if (label === 0xf9) delays.push(gif[i + 4] | (gif[i + 5] << 8));
      if (label === 0xff) {
        loops ||= new TextDecoder().decode(gif.subarray(i + 3, i + 14)) === "NETSCAPE2.0";
      }
      i += 2;
      skipSubBlocks();
    } else if (block === 0x2c) {
      frames++;
      i += 10 + table(gif[i + 9]) + 1; // descriptor, local table, LZW code size
      skipSubBlocks();
    } else {
      throw new Error(`unexpected GIF block 0x${block?.toString(16)} at ${i}`);
    }
  }
  assert.equal(i, gif.length - 1, "trailer is the last byte");
  return { frames, delays, loops };
}

Deno.test("encodeScatterGif() writes a valid animated GIF", () => {
  const frames = Array.from({ length: 5 }, (_, t) => ({
    points: new Float32Array([t / 5, 0.5, 0.5, t / 5, 2, 2, -1, 0.5]), // last two off-canvas
    colors: new Uint8Array([0, 1, 2, 255]),
  }));
  const gif = encodeScatterGif(frames, {
    width: 64,
    height: 48,
    xDomain: [0, 1],
    yDomain: [0, 1],
    delayMs: 100,
    extraPoints: new Float32Array([0.5, 0.5, 1, 1]),
  });
  const view = new DataView(gif.buffer, gif.byteOffset, gif.byteLength);
  assert.deepEqual([view.getUint16(6, true), view.getUint16(8, true)], [64, 48]);
  assert.deepEqual(parseGif(gif), { frames: 5, delays: [10, 10, 10, 10, 10], loops: true });
});

Deno.test("encodeScatterGif() rejects malformed input", () => {
  const options = { width: 8, height: 8, xDomain: [0, 1], yDomain: [0, 1], delayMs: 50 } as const;
  assert.throws(() => encodeScatterGif([], options), RangeError);
  assert.throws(() => encodeScatterGif([{ points: new Float32Array(3) }], options), RangeError);
  const points = new Float32Array(4);
  assert.throws(
    () => encodeScatterGif([{ points, colors: new Uint8Array(1) }], options),
    RangeError,
  );
  assert.throws(() => encodeScatterGif([{ points }], { ...options, xDomain: [1, 1] }), RangeError);
  assert.throws(() => encodeScatterGif([{ points }], { ...options, width: 2.5 }), RangeError);
});

Deno.test("samplesSpec() draws every real and generated point on square axes", async () => {
  const real = Array.from({ length: 50 }, (_, i) => [Math.cos(i), Math.sin(i)] as [number, number]);
  const generated = new Float32Array(80).map((_, i) => (i % 7) / 3 - 1);
  const spec = samplesSpec({ real, generated, title: "samples at step 7" });
  assert.equal(spec.width, spec.height);
  const svg = await renderSvg(spec);
  assert.ok(svg.includes("samples at step 7"));
  // One fill per point plus the legend swatch.
  assert.equal(count(svg, 'fill="#b0b0b0"'), 51);
  assert.equal(count(svg, 'fill="#1f77b4"'), 41);
  assert.throws(() => samplesSpec({ real, generated: new Float32Array(3), title: "" }), RangeError);
});

Deno.test("latentSpec() colours particles by mode and greys off-mode ones", async () => {
  const n = 3000;
  const points = Array.from({ length: n }, (_, i) => [i % 97, i % 89] as [number, number]);
  const modeIndex = Array.from({ length: n }, (_, i) => (i % 10 === 0 ? -1 : i % 40));
  const svg = await renderSvg(latentSpec({ points, modeIndex, title: "latent" }));
  // i % 40 is never a multiple of 10 on mode particles: 36 distinct modes.
  assert.ok(svg.includes("36 modes hit, 300 particles off-mode"));
  assert.equal(count(svg, 'fill="#d9d9d9"'), 300);
  assert.ok(!svg.includes(">mode<"), "no legend for 36 modes");
  const few = await renderSvg(
    latentSpec({ points: [[0, 0], [1, 1]], modeIndex: [0, 1], title: "" }),
  );
  assert.ok(few.includes(">mode<"), "legend for few modes");
  assert.throws(() => latentSpec({ points, modeIndex: [0], title: "" }), RangeError);
});

Deno.test("curvesSpec() draws one line chart per metric on a shared step axis", async () => {
  const rows = Array.from({ length: 20 }, (_, step) => ({
    step,
    "loss.d": 1 / (step + 1),
    modes: step,
  }));
  const svg = await renderSvg(curvesSpec({ rows, metrics: ["loss.d", "modes"], title: "curves" }));
  assert.equal(count(svg, 'aria-roledescription="line mark"'), 2);
  // A dotted name must be read as one field, not a nested path (which would be empty).
  assert.ok(svg.includes("loss.d: 1"));
});

Deno.test("dashboardSpec() renders losses, latent words and the reconstruction table", async () => {
  const spec = dashboardSpec({
    title: "text toy",
    losses: [{ iteration: 0, d: 1.4, g: 0.7, prior: 0.1 }, { iteration: 10, d: 1.3, g: 0.8 }],
    latent: {
      particles: new Float32Array([0, 0, 0.5, 0.2, -0.3, 0.4]),
      words: [{ word: "cat", x: 0.1, y: 0.1, color: 0 }, {
        word: "dog",
        x: -0.2,
        y: 0.3,
        color: 1,
      }],
      typo: { word: "cta", x: 0.2, y: 0.15 },
    },
    table: [
      { word: "cat", reconstruction: "cat", ok: true },
      { word: "dog", reconstruction: "dgo", ok: false },
    ],
  });
  const svg = await renderSvg(spec);
  for (const text of ["text toy", "prior", ">cta<", ">dgo<", "\u2713", "\u2717"]) {
    assert.ok(svg.includes(text), `SVG shows ${text}`);
  }
  assert.equal(count(svg, 'aria-roledescription="line mark"'), 3);
  pngSize(await svgToPng(svg));
});
