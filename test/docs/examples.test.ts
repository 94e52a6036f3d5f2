/**
 * The `@example` blocks of the API reference run, and say what they print: each is pulled out of
 * the doc comments in src/, stripped of types (esbuild) and run with `wg` (and its namespaces nn,
 * F, optim, data, kernels) in scope. A statement line ending in a comment that reads as a value,
 * `x.sum(1).toArray(); // [3, 7]`, is checked: the expression must equal it (a Tensor is compared
 * through toArray(), numbers to the digits shown). Other comments are prose and are only run.
 *
 * Every example in EXAMPLE_FILES must run; examples elsewhere (many show a fragment that needs
 * a model, a file or a server) are run and counted, not failed on.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Files whose every example must run and print what it says (Tensor's methods and properties). */
const EXAMPLE_FILES = [
  "src/tensor.ts",
  "src/tensor-methods.ts",
  "src/nn/module.ts",
  "src/nn/containers.ts",
  "src/nn/layers.ts",
  "src/optim/optimizer.ts",
  "src/optim/schedulers/base.ts",
  "src/optim/schedulers/plateau.ts",
];

interface Example {
  file: string;
  line: number;
  /** The member or function the comment is attached to (the declaration line after it). */
  owner: string;
  code: string;
}

/** The ```ts blocks under `@example` in the doc comments of one source file. */
function examplesIn(file: string): Example[] {
  const text = readFileSync(join(root, file), "utf8");
  const out: Example[] = [];
  const comment = /\/\*\*([\s\S]*?)\*\/\s*\n\s*([^\n]*)/g;
  for (let m = comment.exec(text); m !== null; m = comment.exec(text)) {
    const body = m[1]
      .split("\n")
      .map((l) => l.replace(/^\s*\* ?/, ""))
      .join("\n");
    const at = body.indexOf("@example");
    if (at < 0) continue;
    const fence = /```(?:ts|typescript|js)?\n([\s\S]*?)```/g;
    const rest = body.slice(at);
    for (let f = fence.exec(rest); f !== null; f = fence.exec(rest)) {
      const line = text.slice(0, m.index).split("\n").length;
      out.push({ file, line, owner: m[2].trim().slice(0, 60), code: f[1] });
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : e.name.endsWith(".ts") && !dir.includes("generated")
        ? [join(dir, e.name)]
        : [],
  );
}

/** The value a `// ...` comment states, if it reads as one (JSON, NaN, Infinity). */
function statedValue(comment: string): { value: unknown } | undefined {
  const t = comment.trim().replace(/(?<![\w"])(-?)(NaN|Infinity)(?![\w"])/g, '"$1$2"');
  try {
    return { value: JSON.parse(t) };
  } catch {
    return undefined;
  }
}

/** A statement line `expr; // value` becomes a check of expr against value. */
function withChecks(code: string): string {
  return code
    .split("\n")
    .map((line) => {
      const m = /^(\s*)(.+?);\s*\/\/(.*)$/.exec(line);
      if (m === null) return line;
      const [, indent, expr, comment] = m;
      if (/^(const|let|var|using|await using|return|if|for|while|throw|\}|\{)\b/.test(expr)) {
        return line;
      }
      if (/^[\w.$[\]]+\s*=[^=]/.test(expr)) return line; // an assignment
      const stated = statedValue(comment);
      if (stated === undefined) return line;
      return `${indent}__check(${expr}, ${JSON.stringify(stated.value)}, ${JSON.stringify(expr)});`;
    })
    .join("\n");
}

function plain(v: unknown): unknown {
  if (v instanceof wg.Tensor) return v.toArray();
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

/** Whether `actual` equals the value a comment states, numbers to the digits it shows. */
function matches(actual: unknown, stated: unknown): boolean {
  if (typeof stated === "string" && /^-?(NaN|Infinity)$/.test(stated)) {
    return typeof actual === "number" && String(actual) === stated;
  }
  if (typeof stated === "number") {
    if (typeof actual !== "number") return false;
    const digits = (String(stated).split(".")[1] ?? "").length;
    return Math.abs(actual - stated) <= Math.max(0.5 * 10 ** -digits, 1e-6 * Math.abs(stated));
  }
  if (Array.isArray(stated)) {
    return (
      Array.isArray(actual) &&
      actual.length === stated.length &&
      stated.every((s, i) => matches(actual[i], s))
    );
  }
  return actual === stated;
}

function check(actual: unknown, stated: unknown, expr: string): void {
  const got = plain(actual);
  if (!matches(got, stated)) {
    throw new Error(
      `${expr} gave ${JSON.stringify(got)}, the comment says ${JSON.stringify(stated)}`,
    );
  }
}

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
  ...args: string[]
) => (...args: unknown[]) => Promise<void>;

async function run(example: Example): Promise<void> {
  const js = transformSync(withChecks(example.code), {
    loader: "ts",
    format: "esm",
    target: "es2022",
  }).code;
  const fn = new AsyncFunction("wg", "nn", "F", "optim", "data", "kernels", "__check", js);
  await fn(wg, wg.nn, wg.F, wg.optim, wg.data, wg.kernels, check);
}

const required = EXAMPLE_FILES.flatMap(examplesIn);
const others = sourceFiles("src")
  .map((f) => relative(root, join(root, f)))
  .filter((f) => !EXAMPLE_FILES.includes(f))
  .flatMap(examplesIn);

describe("API reference examples", () => {
  it("finds the examples, most of them with a checked value", () => {
    expect(required.length).toBeGreaterThan(100);
    const checked = required.filter((e) => withChecks(e.code).includes("__check(")).length;
    expect(checked / required.length).toBeGreaterThan(0.9);
  });

  it.each(required.map((e) => [`${e.file}:${e.line} ${e.owner}`, e] as const))(
    "%s",
    async (_name, example) => {
      await wg.ready();
      await run(example);
    },
  );

  it("runs the other examples (counted, not failed on)", async () => {
    await wg.ready();
    const failed: string[] = [];
    for (const e of others) {
      try {
        await run(e);
      } catch (err) {
        failed.push(`${e.file}:${e.line} ${e.owner}: ${(err as Error).message.split("\n")[0]}`);
      }
    }
    console.log(
      `API reference examples outside ${EXAMPLE_FILES.join(", ")}: ${others.length - failed.length} of ${others.length} run and print what they say\n${failed.join("\n")}`,
    );
  }, 120_000);
});
