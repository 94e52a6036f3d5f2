// The Train and Draw tabs' engine, in a module worker so that the page stays responsive: it owns
// the MNIST digits, the model being trained and the pre-trained model shipped with the demo, and
// answers prediction requests between training steps.
import * as wg from "/dist/index.js";

const BATCH = 32;

/**
 * The same CNN as examples/mnist-cnn.ts (npm start), so that the weights it saves load here:
 * conv(1->24, 3x3) ReLU maxpool(2), conv(24->48, 3x3) ReLU maxpool(2), Flatten, Linear(2352->10).
 */
function makeCnn() {
  return new wg.nn.Sequential(
    new wg.nn.Conv2d(1, 24, 3, { padding: 1 }),
    new wg.nn.ReLU(),
    new wg.nn.MaxPool2d(2),
    new wg.nn.Conv2d(24, 48, 3, { padding: 1 }),
    new wg.nn.ReLU(),
    new wg.nn.MaxPool2d(2),
    new wg.nn.Flatten(),
    new wg.nn.Linear(48 * 7 * 7, 10),
  );
}

/**
 * Floating-point operations of one training step (forward, weight gradients, and input
 * gradients of every layer but the first), counting the convolutions and the linear layer.
 */
const FLOPS_PER_STEP = (() => {
  const conv1 = 2 * 24 * 1 * 9 * 28 * 28;
  const conv2 = 2 * 48 * 24 * 9 * 14 * 14;
  const linear = 2 * 48 * 7 * 7 * 10;
  return BATCH * (conv1 * 2 + (conv2 + linear) * 3);
})();

let digits = null; // { train: {images, labels, count}, test: {...} }
let pretrained = null;
let state = null; // the training run
let running = false;

/** Every fifth digit of each class held out, as in examples/mnist-data.ts. */
function split(bytes, config) {
  const view = new DataView(bytes);
  const count = view.getUint32(4, true);
  const labels = new Uint8Array(bytes, 16, count);
  const pixels = new Uint8Array(bytes, 16 + count, count * 784);
  const seen = new Int32Array(10);
  const held = [];
  const train = [];
  for (let i = 0; i < count; i++) {
    const l = labels[i];
    (seen[l]++ % 5 === 0 ? held : train).push(i);
  }
  // A smaller run takes digits spread evenly over the (class-sorted) list, so every class is in.
  const pick = (list, n) =>
    n >= list.length
      ? list
      : Array.from({ length: n }, (_, i) => list[Math.floor((i * list.length) / n)]);
  const make = (list) => {
    const images = new Float32Array(list.length * 784);
    const out = new Int32Array(list.length);
    list.forEach((j, k) => {
      for (let p = 0; p < 784; p++) images[k * 784 + p] = pixels[j * 784 + p] / 255;
      out[k] = labels[j];
    });
    return { images, labels: out, count: list.length };
  };
  return { train: make(pick(train, config.train)), test: make(pick(held, config.test)) };
}

function newRun(config) {
  wg.manualSeed(config.seed);
  const model = makeCnn();
  const optimizer = new wg.optim.SGD(model.parameters(), { lr: config.lr, momentum: 0.9 });
  const order = Int32Array.from({ length: digits.train.count }, (_, i) => i);
  return {
    config,
    model,
    optimizer,
    order,
    epoch: 0,
    batchInEpoch: 0,
    step: 0,
    recentMs: [],
    x: new Float32Array(BATCH * 784),
    y: new Int32Array(BATCH),
  };
}

function shuffle(order) {
  const r = wg.rand([order.length]);
  const u = r.data();
  r.dispose();
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(u[i] * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
}

function toInts(result) {
  return result instanceof wg.Tensor ? result.data() : result;
}

function accuracy(model, data) {
  model.eval();
  let correct = 0;
  for (let start = 0; start < data.count; start += 500) {
    const n = Math.min(500, data.count - start);
    const images = data.images.subarray(start * 784, (start + n) * 784);
    const predicted = wg.noGrad(() =>
      wg.tidy(() => toInts(model.forward(wg.tensor(images, { shape: [n, 1, 28, 28] })).argmax(1))),
    );
    for (let i = 0; i < n; i++) if (predicted[i] === data.labels[start + i]) correct++;
  }
  model.train();
  return correct / data.count;
}

/** One SGD step; returns its loss and milliseconds. */
function trainStep(s) {
  const stepsPerEpoch = Math.floor(digits.train.count / BATCH);
  if (s.batchInEpoch === 0) shuffle(s.order);
  for (let i = 0; i < BATCH; i++) {
    const j = s.order[s.batchInEpoch * BATCH + i];
    s.x.set(digits.train.images.subarray(j * 784, (j + 1) * 784), i * 784);
    s.y[i] = digits.train.labels[j];
  }
  const total = stepsPerEpoch * s.config.epochs;
  s.optimizer.lr = s.config.lr * 0.5 * (1 + Math.cos((Math.PI * s.step) / total));
  const t0 = performance.now();
  const loss = wg.tidy(() => {
    const x = wg.tensor(s.x, { shape: [BATCH, 1, 28, 28] });
    const l = wg.F.crossEntropy(s.model.forward(x), s.y);
    s.optimizer.zeroGrad();
    l.backward();
    s.optimizer.step();
    return l.item();
  });
  const ms = performance.now() - t0;
  s.step++;
  s.batchInEpoch++;
  if (s.batchInEpoch === stepsPerEpoch) s.batchInEpoch = 0;
  return { loss, ms, epochEnded: s.batchInEpoch === 0 };
}

/** Trains in slices of ~40 ms, yielding between them so that messages get answered. */
function loop() {
  if (!running || state === null) return;
  const s = state;
  const sliceEnd = performance.now() + 40;
  while (running && performance.now() < sliceEnd) {
    const { loss, ms, epochEnded } = trainStep(s);
    s.recentMs.push(ms);
    if (s.recentMs.length > 20) s.recentMs.shift();
    const meanMs = s.recentMs.reduce((a, b) => a + b, 0) / s.recentMs.length;
    postMessage({
      type: "step",
      step: s.step,
      epoch: s.epoch + 1,
      loss,
      stepsPerSecond: 1000 / meanMs,
      gflops: FLOPS_PER_STEP / (meanMs * 1e6),
    });
    if (epochEnded) {
      s.epoch++;
      postMessage({
        type: "epoch",
        epoch: s.epoch,
        step: s.step,
        accuracy: accuracy(s.model, digits.test),
      });
      if (s.epoch >= s.config.epochs) {
        running = false;
        postMessage({ type: "done", step: s.step });
        return;
      }
    }
  }
  setTimeout(loop, 0);
}

function predict(which, pixels) {
  const model = which === "trained" && state !== null ? state.model : pretrained;
  if (model === null) return null;
  const wasTraining = model.training;
  model.eval();
  const probs = wg.noGrad(() =>
    wg.tidy(() =>
      model
        .forward(wg.tensor(pixels, { shape: [1, 1, 28, 28] }))
        .softmax(1)
        .data(),
    ),
  );
  if (wasTraining) model.train();
  return probs;
}

async function init(config) {
  const [data, weights] = await Promise.all([
    fetch("/data/mnist.bin").then((r) => r.arrayBuffer()),
    fetch("/model/mnist-cnn.safetensors").then((r) => (r.ok ? r.arrayBuffer() : null)),
  ]);
  digits = split(data, config);
  if (weights !== null) {
    pretrained = makeCnn();
    const sd = wg.load(new Uint8Array(weights));
    pretrained.loadStateDict(sd);
    for (const t of Object.values(sd)) t.dispose();
    pretrained.eval();
  }
  state = newRun(config);
  postMessage({
    type: "ready",
    info: wg.backendInfo(),
    isolated: self.crossOriginIsolated === true,
    trainCount: digits.train.count,
    testCount: digits.test.count,
    stepsPerEpoch: Math.floor(digits.train.count / BATCH),
    pretrained: pretrained !== null,
  });
}

self.onmessage = (event) => {
  const msg = event.data;
  try {
    if (msg.type === "init") init(msg.config).catch(fail);
    else if (msg.type === "start") {
      if (!running && state !== null && state.epoch < state.config.epochs) {
        running = true;
        loop();
      }
    } else if (msg.type === "pause") running = false;
    else if (msg.type === "reset") {
      running = false;
      const config = state.config;
      state.model.dispose();
      state.optimizer.dispose();
      state = newRun(config);
      postMessage({ type: "reset" });
    } else if (msg.type === "predict") {
      postMessage({ type: "prediction", id: msg.id, probs: predict(msg.model, msg.pixels) });
    }
  } catch (e) {
    fail(e);
  }
};

function fail(e) {
  running = false;
  postMessage({ type: "error", message: String(e?.stack ?? e) });
}
