/**
 * Command-line plumbing shared by the examples: typed flags with defaults and
 * `--help`, and progress output (a bar on a terminal, plain lines in logs).
 *
 * @module
 */
import { parseArgs } from "node:util";

/** One flag: its default decides its type (number, string or boolean). */
export interface FlagSpec {
  /** Default value. */
  default: number | string | boolean;
  /** One line for `--help`. */
  help: string;
  /** Allowed values of a string flag. */
  choices?: readonly string[];
  /** Smallest allowed value of a number flag (default 0 exclusive: must be positive). */
  min?: number;
  /** Largest allowed value of a number flag (default: none). */
  max?: number;
  /** Number flags that must be whole numbers. */
  integer?: boolean;
}

/** A flag's value, typed by its default. */
export type FlagValues<S extends Record<string, FlagSpec>> = {
  [K in keyof S]: S[K]["default"] extends number ? number
    : S[K]["default"] extends boolean ? boolean
    : string;
};

/** A bad command line: the examples print the message and exit with code 2. */
export class UsageError extends Error {
  /** Wraps the message. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** `camelCase` -> `kebab-case`, the flags' spelling on the command line. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The `--help` text. */
export function helpText<S extends Record<string, FlagSpec>>(usage: string, specs: S): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const flag = typeof spec.default === "boolean"
      ? `--${kebab(name)}`
      : `--${kebab(name)} <${typeof spec.default}>`;
    const choices = spec.choices ? ` (${spec.choices.join(" | ")})` : "";
    return `  ${flag.padEnd(30)} ${spec.help}${choices} [default: ${JSON.stringify(spec.default)}]`;
  });
  return `${usage}\n\nOptions:\n${rows.join("\n")}\n  --help${" ".repeat(25)}show this help`;
}

/**
 * Parses `args` against `specs`. Returns undefined for `--help` (after
 * printing it); throws {@linkcode UsageError} for unknown, malformed or
 * out-of-range flags. Each of `presets` is a boolean flag (such as
 * `--reference`) whose values replace the defaults; explicit flags still win.
 */
export function parseFlags<S extends Record<string, FlagSpec>>(
  args: string[],
  specs: S,
  usage: string,
  presets: Record<string, Partial<FlagValues<S>>> = {},
): FlagValues<S> | undefined {
  const options: Record<string, { type: "string" | "boolean" }> = { help: { type: "boolean" } };
  for (const [name, spec] of Object.entries(specs)) {
    options[kebab(name)] = { type: typeof spec.default === "boolean" ? "boolean" : "string" };
  }
  for (const preset of Object.keys(presets)) options[preset] = { type: "boolean" };
  let parsed: Record<string, string | boolean | undefined>;
  try {
    parsed = parseArgs({ args, options, strict: true, allowPositionals: false })
      .values as typeof parsed;
  } catch (error) {
    throw new UsageError(`${(error as Error).message.replace(/\s+/g, " ")} (see --help)`);
  }
  if (parsed.help) {
    console.log(helpText(usage, specs));
    return undefined;
  }
  const values: Record<string, number | string | boolean> = {};
  for (const [name, spec] of Object.entries(specs)) values[name] = spec.default;
  for (const [preset, overrides] of Object.entries(presets)) {
    if (parsed[preset]) Object.assign(values, overrides);
  }
  for (const [name, spec] of Object.entries(specs)) {
    const raw = parsed[kebab(name)];
    if (raw === undefined) continue;
    const flag = `--${kebab(name)}`;
    if (typeof spec.default === "boolean") {
      values[name] = raw as boolean;
    } else if (typeof spec.default === "number") {
      const value = Number(raw);
      if ((raw as string).trim() === "" || !Number.isFinite(value)) {
        throw new UsageError(`${flag} must be a number; got ${JSON.stringify(raw)}`);
      }
      if (spec.integer && !Number.isInteger(value)) {
        throw new UsageError(`${flag} must be a whole number; got ${raw}`);
      }
      const min = spec.min ?? 0;
      if (spec.min === undefined ? value <= 0 : value < min) {
        throw new UsageError(
          `${flag} must be ${spec.min === undefined ? "> 0" : `>= ${min}`}; got ${raw}`,
        );
      }
      if (spec.max !== undefined && value > spec.max) {
        throw new UsageError(`${flag} must be <= ${spec.max}; got ${raw}`);
      }
      values[name] = value;
    } else {
      if (spec.choices && !spec.choices.includes(raw as string)) {
        throw new UsageError(
          `${flag} must be one of ${spec.choices.join(", ")}; got ${JSON.stringify(raw)}`,
        );
      }
      values[name] = raw as string;
    }
  }
  return values as FlagValues<S>;
}

/** The camelCase names of the flags that `args` sets explicitly (`--name v` or `--name=v`). */
export function explicitFlags(args: readonly string[]): Set<string> {
  const names = args.filter((a) => a.startsWith("--")).map((a) =>
    a.slice(2).split("=")[0].replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase())
  );
  return new Set(names);
}

/** Formats seconds as `3m12s` or `41s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

/**
 * Progress on stderr: a redrawn bar on a terminal; otherwise (CI logs) a
 * plain line only for forced updates, i.e. at evaluations.
 */
export class Progress {
  #total: number;
  #start = performance.now();
  #tty = Deno.stderr.isTerminal();
  #quiet: boolean;
  #encoder = new TextEncoder();

  #from: { step: number; seconds: number };

  /**
   * `total` steps; `quiet` prints nothing; `from` continues a resumed run
   * (its step and the seconds it had already taken).
   */
  constructor(total: number, quiet: boolean, from = { step: 0, seconds: 0 }) {
    this.#total = total;
    this.#quiet = quiet;
    this.#from = from;
  }

  /** Seconds of the run, including those before a resume. */
  get elapsed(): number {
    return this.#from.seconds + (performance.now() - this.#start) / 1000;
  }

  /** Reports `step` with a short status text; plain mode prints only when `force`. */
  update(step: number, status: string, force = false): void {
    if (this.#quiet || (!this.#tty && !force)) return;
    const rate = (step - this.#from.step) / Math.max(this.elapsed - this.#from.seconds, 1e-9);
    const eta = formatDuration((this.#total - step) / rate);
    const text = `${String(step).padStart(String(this.#total).length)}/${this.#total} ${
      rate.toFixed(0)
    } steps/s ETA ${eta} ${status}`;
    if (this.#tty) {
      const width = 24;
      const filled = Math.round((width * step) / this.#total);
      const bar = "#".repeat(filled) + "-".repeat(width - filled);
      Deno.stderr.writeSync(this.#encoder.encode(`\r\x1b[2K[${bar}] ${text}`));
    } else {
      console.error(text);
    }
  }

  /** Erases the bar (on a terminal) so that other output can be printed cleanly. */
  clear(): void {
    if (this.#tty && !this.#quiet) Deno.stderr.writeSync(this.#encoder.encode("\r\x1b[2K"));
  }

  /** Ends the bar's line. */
  done(): void {
    if (this.#tty && !this.#quiet) Deno.stderr.writeSync(this.#encoder.encode("\n"));
  }
}
