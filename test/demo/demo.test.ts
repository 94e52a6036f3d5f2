/**
 * The demo site (demo/, `npm run demo`) driven through Debian's Chromium by Playwright: the page
 * loads cross-origin isolated without console errors, a short training run lowers the loss and
 * reports an epoch's accuracy, a scripted stroke on the Draw pad gets a prediction, and the Bench
 * tab fills its table. Screenshots go to test-artifacts/demo/.
 */
import { existsSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../demo/server.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));
const artifacts = `${root}test-artifacts/demo`;
const executablePath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(executablePath);
if (!haveChromium && process.env.CI)
  throw new Error(`the demo tests need Chromium at ${executablePath}`);

describe.skipIf(!haveChromium)("demo site in Chromium", () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    server = await startServer({ port: 0 });
    browser = await chromium.launch({
      executablePath,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--no-first-run",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 960, height: 820 } });
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    // A short run: 640 training digits (20 steps per epoch), 200 held out, 3 epochs.
    await page.goto(`${server.url}?train=640&test=200&epochs=3&quick`);
    await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("loads cross-origin isolated, with no console errors", async () => {
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(await page.textContent("#engine")).toMatch(/wasmgrad (relaxed-)?SIMD build/);
    expect(errors).toEqual([]);
  });

  it("trains: the loss falls and an epoch's held-out accuracy shows", async () => {
    await page.click("#start");
    await page.waitForFunction(
      () =>
        document.getElementById("start")?.hasAttribute("disabled") &&
        document.getElementById("pause")?.hasAttribute("disabled"),
      undefined,
      { timeout: 90_000 },
    );
    const acc = await page.textContent("#s-acc");
    expect(acc).toMatch(/^\d+\.\d\d% \(epoch 3\)$/);
    // 200 held-out digits after 60 steps of batch 32: far above chance (10%).
    expect(Number.parseFloat(acc ?? "")).toBeGreaterThan(50);
    expect(await page.locator("#plot canvas").count()).toBe(1);
    expect(await page.textContent("#s-step")).toBe("60");
    const sps = Number(await page.textContent("#s-sps"));
    expect(sps).toBeGreaterThan(0);
    await page.screenshot({ path: `${artifacts}/train.png`, fullPage: true });
    expect(errors).toEqual([]);
  }, 120_000);

  it("reports falling loss values in the plot data", async () => {
    // The loss series the plot draws: the mean of the last 10 steps is below the first 10's.
    const series = await page.evaluate(() => {
      const demo = (window as unknown as { wasmgradDemo?: { series: { loss: number[] } } })
        .wasmgradDemo;
      return demo === undefined ? null : demo.series.loss;
    });
    expect(series).not.toBeNull();
    const values = series as number[];
    expect(values.length).toBe(60);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(values.slice(-10))).toBeLessThan(mean(values.slice(0, 10)));
  });

  it("predicts a digit drawn as a scripted stroke", async () => {
    await page.click("nav button[data-tab=draw]");
    const box = await page.locator("#pad").boundingBox();
    if (box === null) throw new Error("no pad");
    // A "7": a top bar, then a diagonal down to the bottom left.
    const at = (x: number, y: number) => [
      box.x + (x * box.width) / 280,
      box.y + (y * box.height) / 280,
    ];
    const stroke = [
      [70, 60],
      [210, 60],
      [180, 120],
      [150, 180],
      [125, 240],
    ];
    const [sx, sy] = at(stroke[0][0], stroke[0][1]);
    await page.mouse.move(sx, sy);
    await page.mouse.down();
    for (const [x, y] of stroke.slice(1)) {
      const [px, py] = at(x, y);
      await page.mouse.move(px, py, { steps: 8 });
    }
    await page.mouse.up();
    await page.waitForSelector("#guess[data-digit]", { timeout: 10_000 });
    const digit = await page.getAttribute("#guess", "data-digit");
    expect(digit).toBe("7"); // the pre-trained model shipped with the demo
    await page.screenshot({ path: `${artifacts}/draw.png`, fullPage: true });
    // The model being trained answers too.
    await page.check("input[name=model][value=trained]");
    await page.waitForFunction(() => document.querySelector("#bars")?.textContent?.includes("%"));
    expect(errors).toEqual([]);
  }, 30_000);

  it("fills the bench table", async () => {
    await page.click("nav button[data-tab=bench]");
    await page.click("#run-bench");
    await page.waitForSelector("#bench-table[data-done=true]", { timeout: 120_000 });
    const rows = await page.$$eval("#bench-table tbody tr", (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll("td"), (td) => td.textContent ?? "")),
    );
    expect(rows.length).toBe(14); // 7 cases, two engines each
    for (const row of rows) expect(Number(row[5])).toBeGreaterThan(0);
    expect(rows.filter((r) => r[1] === "wasmgrad").length).toBe(7);
    expect(rows.filter((r) => r[1].startsWith("TF.js")).length).toBe(7);
    await page.screenshot({ path: `${artifacts}/bench.png`, fullPage: true });
    expect(errors).toEqual([]);
  }, 150_000);
});
