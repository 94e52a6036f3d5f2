// The demo page: tabs, the Train tab's controls and plot, and the Draw tab. The model lives in
// train-worker.js; the Bench tab's code is in bench.js, loaded when it is first run.
import uPlot from "/vendor/uplot/uPlot.esm.js";
import { setupDraw } from "./draw.js";

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
/** A short run for tests and slow machines: ?train=640&test=200&epochs=2. */
const config = {
  train: Number(params.get("train") ?? 1e9),
  test: Number(params.get("test") ?? 1e9),
  epochs: Number(params.get("epochs") ?? 15),
  lr: Number(params.get("lr") ?? 0.05),
  seed: Number(params.get("seed") ?? 0),
};

for (const button of document.querySelectorAll("nav button")) {
  button.addEventListener("click", () => {
    for (const b of document.querySelectorAll("nav button"))
      b.classList.toggle("active", b === button);
    for (const s of document.querySelectorAll(".tab"))
      s.classList.toggle("active", s.id === button.dataset.tab);
    if (button.dataset.tab === "train") plot.setSize(plotSize());
  });
}

const worker = new Worker("train-worker.js", { type: "module" });
const pending = new Map();
let nextId = 0;
/** Asks the worker for the 10 class probabilities of a 28x28 image. */
function predict(model, pixels) {
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    worker.postMessage({ type: "predict", id, model, pixels });
  });
}

// Loss per step (left axis) and held-out accuracy per epoch (right axis), one x axis of steps.
const series = { step: [], loss: [], acc: [] };
window.wasmgradDemo = { series }; // for the console and the tests
const plotSize = () => ({ width: Math.min(860, document.body.clientWidth - 32), height: 300 });
const plot = new uPlot(
  {
    ...plotSize(),
    scales: { x: { time: false }, acc: { range: [0, 1] } },
    axes: [
      { label: "step" },
      { label: "loss", scale: "y" },
      { label: "held-out accuracy", scale: "acc", side: 1, grid: { show: false } },
    ],
    series: [
      { label: "step" },
      { label: "loss", stroke: "#2463eb", width: 1, points: { show: false } },
      {
        label: "accuracy",
        scale: "acc",
        stroke: "#e8590c",
        width: 2,
        spanGaps: true,
        points: { show: true, size: 7, fill: "#e8590c" },
        value: (_, v) => (v == null ? "–" : `${(v * 100).toFixed(2)}%`),
      },
    ],
  },
  [[], [], []],
  $("plot"),
);
let redrawQueued = false;
function redraw() {
  if (redrawQueued) return;
  redrawQueued = true;
  requestAnimationFrame(() => {
    redrawQueued = false;
    plot.setData([series.step, series.loss, series.acc]);
  });
}

function setButtons(running) {
  $("start").disabled = running;
  $("pause").disabled = !running;
  $("reset").disabled = false;
}

worker.onmessage = (event) => {
  const m = event.data;
  if (m.type === "ready") {
    const i = m.info;
    $("engine").textContent =
      `wasmgrad ${i.relaxedSimd ? "relaxed-SIMD" : "SIMD"} build, ${i.threads} thread, ${i.wasmBytes.toLocaleString()} bytes of WebAssembly; cross-origin isolated: ${m.isolated ? "yes" : "no"}`;
    $("train-count").textContent = m.trainCount.toLocaleString();
    $("test-count").textContent = m.testCount.toLocaleString();
    document.body.dataset.ready = "true";
    setButtons(false);
    $("pause").disabled = true;
  } else if (m.type === "step") {
    series.step.push(m.step);
    series.loss.push(m.loss);
    series.acc.push(null);
    $("s-epoch").textContent = `${m.epoch} / ${config.epochs}`;
    $("s-step").textContent = m.step;
    $("s-loss").textContent = m.loss.toFixed(4);
    $("s-sps").textContent = m.stepsPerSecond.toFixed(1);
    $("s-gflops").textContent = m.gflops.toFixed(2);
    redraw();
  } else if (m.type === "epoch") {
    series.acc[series.acc.length - 1] = m.accuracy;
    $("s-acc").textContent = `${(m.accuracy * 100).toFixed(2)}% (epoch ${m.epoch})`;
    redraw();
  } else if (m.type === "done") {
    setButtons(false);
    $("start").disabled = true;
  } else if (m.type === "reset") {
    series.step.length = series.loss.length = series.acc.length = 0;
    for (const id of ["s-epoch", "s-loss", "s-acc", "s-sps", "s-gflops"]) $(id).textContent = "–";
    $("s-step").textContent = "0";
    redraw();
    setButtons(false);
    $("pause").disabled = true;
  } else if (m.type === "prediction") {
    pending.get(m.id)?.(m.probs);
    pending.delete(m.id);
  } else if (m.type === "error") {
    console.error(`wasmgrad demo worker: ${m.message}`);
    $("engine").textContent = `error: ${m.message}`;
  }
};
worker.postMessage({ type: "init", config });

$("start").onclick = () => {
  worker.postMessage({ type: "start" });
  setButtons(true);
};
$("pause").onclick = () => {
  worker.postMessage({ type: "pause" });
  setButtons(false);
};
$("reset").onclick = () => worker.postMessage({ type: "reset" });

setupDraw({
  pad: $("pad"),
  small: $("small"),
  guess: $("guess"),
  bars: $("bars"),
  clear: $("clear"),
  model: () => document.querySelector('input[name="model"]:checked').value,
  predict,
});

$("run-bench").onclick = async () => {
  $("run-bench").disabled = true;
  try {
    const { runBench } = await import("./bench.js");
    await runBench({
      table: document.querySelector("#bench-table tbody"),
      status: $("bench-status"),
      quick: params.has("quick"),
    });
  } catch (e) {
    console.error(e);
    $("bench-status").textContent = `failed: ${e.message}`;
  } finally {
    $("run-bench").disabled = false;
  }
};
