/**
 * The packed package installed into a throwaway app, as a user installs it, and used from every
 * runtime and tool we claim: Node ESM and CJS, wasmgrad/url, TypeScript 5.9 strict (bundler,
 * node16 and node resolution, `using`, no DOM or @types/node) and TypeScript 4.9 (node16 and node
 * resolution), Jest's default configuration, esbuild, Vite, webpack and Rollup bundles run in
 * Chromium, Bun and Deno (from their npm packages). Each runs the same small training
 * (test/consumers/app/train.mjs) and the loss must fall.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packedTarball, root } from "./pack.js";

const bin = (name: string) => join(root, "node_modules/.bin", name);
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
let app = "";

interface Result {
  first: number;
  last: number;
  simd?: boolean;
  error?: string;
}

function expectLearned(r: Result): void {
  expect(r.error).toBeUndefined();
  expect(r.first).toBeGreaterThan(0.1);
  expect(r.last).toBeLessThan(r.first / 100);
}

/** Runs a command in the app; returns its last stdout line parsed as JSON. */
function run(command: string, args: string[], env: Record<string, string> = {}): Result {
  const r = spawnSync(command, args, {
    cwd: app,
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "", ...env },
    timeout: 120_000,
  });
  if (r.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as Result;
}

beforeAll(() => {
  const tarball = packedTarball();
  app = mkdtempSync(join(tmpdir(), "wasmgrad-consumer-"));
  cpSync(join(root, "test/consumers/app"), app, { recursive: true });
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "consumer-app", version: "1.0.0", private: true }),
  );
  execFileSync(
    "npm",
    ["install", tarball, "--no-audit", "--no-fund", "--no-package-lock", "--ignore-scripts"],
    { cwd: app, stdio: "pipe" },
  );
}, 120_000);

afterAll(() => {
  if (app !== "") rmSync(app, { recursive: true, force: true });
});

describe("Node", () => {
  it("ESM: import", () => expectLearned(run(process.execPath, ["node-esm.mjs"])));
  it("CJS: require, with wasmgrad/node", () =>
    expectLearned(run(process.execPath, ["node-cjs.cjs"])));
  it("wasmgrad/url: kernels read from dist/wasm", () =>
    expectLearned(run(process.execPath, ["node-url.mjs"])));
});

describe("TypeScript strict, lib ES2022 + ESNext.Disposable, no DOM, no @types/node", () => {
  for (const [module, resolution] of [
    ["esnext", "bundler"],
    ["node16", "node16"],
    ["commonjs", "node"],
  ]) {
    it(`moduleResolution ${resolution}`, () => {
      const config = {
        compilerOptions: {
          strict: true,
          target: "es2022",
          module,
          moduleResolution: resolution,
          lib: ["es2022", "esnext.disposable"],
          types: [],
          skipLibCheck: false,
          outDir: `out-${resolution}`,
        },
        files: ["typed.ts"],
      };
      writeFileSync(join(app, `tsconfig.${resolution}.json`), JSON.stringify(config));
      const r = spawnSync(bin("tsc"), ["-p", `tsconfig.${resolution}.json`], {
        cwd: app,
        encoding: "utf8",
      });
      expect(r.stdout + r.stderr).toBe("");
      expect(r.status).toBe(0);
      // node16 emits ESM-syntax JavaScript in a CommonJS package: run the CommonJS output.
      if (module === "commonjs")
        expectLearned(run(process.execPath, [`out-${resolution}/typed.js`]));
    }, 120_000);
  }
});

describe("TypeScript 4.9 strict, lib ES2022, no DOM, no @types/node", () => {
  // typescript@4.9.5 goes into the throwaway app rather than into our devDependencies, where an
  // npm alias of it would claim node_modules/.bin/tsc from TypeScript 5.
  let tsc = "";
  beforeAll(() => {
    execFileSync(
      "npm",
      [
        "install",
        "typescript@4.9.5",
        "--no-audit",
        "--no-fund",
        "--no-package-lock",
        "--prefer-offline",
      ],
      { cwd: app, stdio: "pipe" },
    );
    tsc = join(app, "node_modules/typescript/bin/tsc");
  }, 120_000);

  for (const [module, resolution] of [
    ["node16", "node16"],
    ["commonjs", "node"],
  ]) {
    it(`moduleResolution ${resolution}`, () => {
      const config = {
        compilerOptions: {
          strict: true,
          target: "es2022",
          module,
          moduleResolution: resolution,
          lib: ["es2022"],
          types: [],
          skipLibCheck: false,
          outDir: `out49-${resolution}`,
        },
        files: ["typed-legacy.ts"],
      };
      writeFileSync(join(app, `tsconfig49.${resolution}.json`), JSON.stringify(config));
      expect(spawnSync(process.execPath, [tsc, "-v"], { encoding: "utf8" }).stdout).toMatch(
        /4\.9\.5/,
      );
      const r = spawnSync(process.execPath, [tsc, "-p", `tsconfig49.${resolution}.json`], {
        cwd: app,
        encoding: "utf8",
      });
      expect(r.stdout + r.stderr).toBe("");
      expect(r.status).toBe(0);
      if (module === "commonjs")
        expectLearned(run(process.execPath, [`out49-${resolution}/typed-legacy.js`]));
    }, 120_000);
  }
});

describe("Jest", () => {
  it("default configuration", () => {
    const r = spawnSync(process.execPath, [join(root, "node_modules/jest/bin/jest.js"), "--ci"], {
      cwd: app,
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
      timeout: 120_000,
    });
    expect(r.stderr).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(r.status).toBe(0);
  }, 120_000);
});

describe.skipIf(!existsSync(bin("bun")))("Bun", () => {
  it("runs the ESM app", () => expectLearned(run(bin("bun"), ["node-esm.mjs"])));
});

describe.skipIf(!existsSync(bin("deno")))("Deno", () => {
  it("runs the ESM app with no permission flags", () =>
    expectLearned(
      run(bin("deno"), ["run", "--no-prompt", "node-esm.mjs"], {
        DENO_NO_UPDATE_CHECK: "1",
        DENO_DIR: join(app, ".deno"),
      }),
    ));
});

describe.skipIf(!existsSync(chromiumPath))("bundlers, run in Chromium", () => {
  let server: Server;
  let base = "";
  let browser: import("playwright").Browser;

  beforeAll(async () => {
    const types: Record<string, string> = {
      ".html": "text/html",
      ".js": "text/javascript",
      ".mjs": "text/javascript",
      ".wasm": "application/wasm",
    };
    server = createServer((req, res) => {
      const file = join(app, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
      if (!file.startsWith(app) || !existsSync(file)) {
        res.writeHead(404);
        res.end();
        return;
      }
      res.writeHead(200, { "Content-Type": types[extname(file)] ?? "application/octet-stream" });
      res.end(readFileSync(file));
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const { chromium } = await import("playwright");
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((done) => server?.close(done));
  });

  async function inChromium(path: string): Promise<Result> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    await page.goto(`${base}${path}`);
    await page.waitForFunction(() => document.title === "done", undefined, { timeout: 60_000 });
    const result = (await page.evaluate(
      () => (window as unknown as { result: Result }).result,
    )) as Result;
    await page.close();
    expect(errors).toEqual([]);
    return result;
  }

  const page = (script: string) =>
    `<!doctype html><meta charset="utf-8"><title>loading</title><link rel="icon" href="data:,"><script type="module" src="${script}"></script>`;

  it("esbuild", async () => {
    execFileSync(
      bin("esbuild"),
      ["browser.mjs", "--bundle", "--minify", "--format=esm", "--outfile=esbuild-out/main.js"],
      { cwd: app, stdio: "pipe" },
    );
    writeFileSync(join(app, "esbuild-out/index.html"), page("./main.js"));
    expectLearned(await inChromium("/esbuild-out/index.html"));
  }, 120_000);

  it("Vite", async () => {
    const { build } = await import("vite");
    await build({
      root: app,
      base: "./",
      logLevel: "error",
      build: { outDir: "vite-out", minify: true },
    });
    expectLearned(await inChromium("/vite-out/index.html"));
  }, 120_000);

  it("webpack", async () => {
    const webpack = (await import("webpack")).default;
    const stats = await new Promise<import("webpack").Stats | undefined>((done, fail) =>
      webpack(
        {
          mode: "production",
          context: app,
          entry: "./browser.mjs",
          output: { path: join(app, "webpack-out"), filename: "main.js" },
          // The 244 KiB hint is advice about app size, not a problem with the package.
          performance: { hints: false },
        },
        (err, s) => (err ? fail(err) : done(s)),
      ),
    );
    expect(stats?.hasErrors()).toBe(false);
    expect(stats?.toJson({ warnings: true }).warnings ?? []).toEqual([]);
    writeFileSync(join(app, "webpack-out/index.html"), page("./main.js"));
    expectLearned(await inChromium("/webpack-out/index.html"));
  }, 120_000);

  it("Rollup, with @rollup/plugin-node-resolve", async () => {
    const { rollup } = await import("rollup");
    const { nodeResolve } = await import("@rollup/plugin-node-resolve");
    const warnings: string[] = [];
    const bundle = await rollup({
      input: join(app, "browser.mjs"),
      plugins: [nodeResolve({ browser: true })],
      onwarn: (w) => {
        warnings.push(`${w.code}: ${w.message}`);
      },
    });
    await bundle.write({ file: join(app, "rollup-out/main.js"), format: "es" });
    await bundle.close();
    // The library's modules import each other in cycles (tensor.ts and the ops it binds as
    // methods), which Rollup reports but orders correctly; anything else is a problem.
    expect(warnings.filter((w) => !w.startsWith("CIRCULAR_DEPENDENCY"))).toEqual([]);
    writeFileSync(join(app, "rollup-out/index.html"), page("./main.js"));
    expectLearned(await inChromium("/rollup-out/index.html"));
  }, 120_000);
});
