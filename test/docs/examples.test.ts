/**
 * The `@example` blocks of the API reference run, and say what they print: each is pulled out of
 * the doc comments in src/, stripped of types (esbuild) and run with `wg` (and its namespaces nn,
 * F, optim, data, kernels) in scope. A statement line ending in a comment that reads as a value,
 * `x.sum(1).toArray(); // [3, 7]`, is checked: the expression must equal it (a Tensor is compared
 * through toArray(), numbers to the digits shown). Other comments are prose and are only run.
 *
 * Examples that use `model`, `optimizer`, `dataset`, `x`, `y` or `loader` without declaring
 * them get a small one declared first (CONTEXT). Every example in src/ must run, except those of
 * the files in NOT_RUN; Tensor's must mostly state a checked value. Every example must also
 * type-check as TypeScript against the package's types (what a user pasting it gets).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Files whose examples are not run, with the reason. */
const NOT_RUN: Record<string, string> = {
  "src/node.ts": "saveFile and loadFile write and read files in the working directory",
};
/** Tensor's methods and properties: nearly every example states the value it prints. */
const TENSOR_FILES = ["src/tensor.ts", "src/tensor-methods.ts"];

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

/**
 * The context many examples take for granted, declared before an example that uses the name
 * without declaring it: a small model, an optimizer over it, a dataset of 16 samples.
 */
const CONTEXT: [name: string, declaration: string][] = [
  [
    "model",
    "const model = new wg.nn.Sequential(new wg.nn.Linear(4, 8), new wg.nn.ReLU(), new wg.nn.Linear(8, 2));",
  ],
  ["optimizer", "const optimizer = new wg.optim.SGD(model.parameters(), { lr: 0.1 });"],
  ["dataset", "const dataset = new wg.data.TensorDataset(wg.randn(16, 4), wg.randn(16, 2));"],
  ["x", "const x = wg.randn(16, 4);"],
  ["y", "const y = wg.randn(16, 2);"],
  ["loader", "const loader = new wg.data.DataLoader([x, y], { batchSize: 4 });"],
];
/** What each context name is built from (declared first when missing). */
const NEEDS: Record<string, string[]> = { optimizer: ["model"], loader: ["x", "y"] };

function withContext(code: string): string {
  const uses = (name: string) => new RegExp(`\\b${name}\\b`).test(code);
  const declares = (name: string) =>
    new RegExp(
      `\\b(const|let|var|using)\\s+(${name}\\b|[[{][^=]*\\b${name}\\b[^=]*[\\]}]\\s*(=|of\\b))|\\bfunction\\s+${name}\\b`,
    ).test(code);
  const wanted = new Set<string>();
  const want = (name: string): void => {
    if (wanted.has(name) || declares(name)) return;
    for (const n of NEEDS[name] ?? []) want(n);
    wanted.add(name);
  };
  for (const [name] of CONTEXT) if (uses(name)) want(name);
  const lines = CONTEXT.filter(([name]) => wanted.has(name)).map(([, d]) => d);
  return [...lines, code].join("\n");
}

async function run(example: Example): Promise<void> {
  const js = transformSync(withChecks(withContext(example.code)), {
    loader: "ts",
    format: "esm",
    target: "es2022",
  }).code;
  const fn = new AsyncFunction("wg", "nn", "F", "optim", "data", "kernels", "__check", js);
  await fn(wg, wg.nn, wg.F, wg.optim, wg.data, wg.kernels, check);
}

const examples = sourceFiles("src")
  .map((f) => relative(root, join(root, f)))
  .filter((f) => !(f in NOT_RUN))
  .sort()
  .flatMap(examplesIn);

describe("API reference examples", () => {
  it("finds the examples; Tensor's state what they print", () => {
    expect(examples.length).toBeGreaterThan(400);
    const tensor = examples.filter((e) => TENSOR_FILES.includes(e.file));
    expect(tensor.length).toBeGreaterThan(100);
    const checked = tensor.filter((e) => withChecks(e.code).includes("__check(")).length;
    expect(checked / tensor.length).toBeGreaterThan(0.9);
  });

  it("type-check against the package's types", () => {
    // A fresh directory under the repo (its tsconfig and @types/node resolve from there).
    mkdirSync(join(root, "test-artifacts/docs"), { recursive: true });
    const dir = mkdtempSync(join(root, "test-artifacts/docs/examples-ts-"));
    const declared = [
      "declare const model: wg.nn.Sequential;",
      "declare const optimizer: wg.optim.SGD;",
      "declare const dataset: wg.data.TensorDataset;",
      "declare const x: wg.Tensor;",
      "declare const y: wg.Tensor;",
      "declare const loader: wg.data.DataLoader<[wg.Tensor, wg.Tensor]>;",
    ].join("\n");
    const names = examples.map((e, i) => {
      const name = `example${i}.ts`;
      const header = `// ${e.file}:${e.line}\nimport * as wg from "wasmgrad";\n${declared}\n`;
      writeFileSync(join(dir, name), `${header}export async function run() {\n${e.code}}\n`);
      return [name, `${e.file}:${e.line}`] as const;
    });
    const tsconfig = {
      extends: "../../../tsconfig.json",
      compilerOptions: { noEmit: true, declaration: false, sourceMap: false },
      include: ["*.ts"],
      exclude: [],
    };
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify(tsconfig));
    let output = "";
    try {
      execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", dir], {
        encoding: "utf8",
      });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Name each failing example by where it is in src/.
    const where = new Map(names);
    const errors = output
      .split("\n")
      .filter((l) => /error TS/.test(l))
      .map((l) => l.replace(/^(example\d+\.ts)/, (f) => `${where.get(f)} (${f})`));
    expect(errors).toEqual([]);
  }, 180_000);

  it.each(examples.map((e) => [`${e.file}:${e.line} ${e.owner}`, e] as const))(
    "%s",
    async (_name, example) => {
      await wg.ready();
      await run(example);
    },
  );
});
