/**
 * Plausible scenarios for the fuzzer (issue 11): random calls with hostile arguments rarely get
 * past a constructor's checks, so these build valid-looking layers, optimizers, schedulers, data
 * loaders, training loops, safetensors round trips and raw kernel calls, then run them (forward,
 * backward, step, iterate, save/load), replacing an argument by a hostile value now and then
 * (`ctx.maybe`). A recipe throws a plain Error when a valid-looking call gives a wrong answer
 * (a round trip that changes values, a file `save` wrote that `load` refuses), which the
 * fuzzer counts as a failure like any other non-WasmgradError.
 *
 * ctx: { wg, rand, pick, dim, value, fresh, argList, maybe, note, keep }
 */

const close = (a, b) =>
  a.length === b.length &&
  a.every((v, i) => Object.is(v, b[i]) || Math.abs(v - b[i]) <= 1e-5 * (1 + Math.abs(v)));

/** The first tensor in a forward's result (a tensor, an array or a record of them). */
function firstTensor(wg, r, depth = 0) {
  if (r instanceof wg.Tensor) return r;
  if (depth > 2 || r === null || typeof r !== "object") return null;
  for (const v of Object.values(r)) {
    const t = firstTensor(wg, v, depth + 1);
    if (t !== null) return t;
  }
  return null;
}

/** Backward through `out` now and then, with a grad or a bad grad; reads the parameters' grads. */
function maybeBackward(ctx, out, module) {
  const { wg, rand } = ctx;
  if (out === null || !out.requiresGrad || rand() < 0.3) return;
  ctx.note("backward");
  if (rand() < 0.8) out.sum().backward();
  else out.backward(ctx.maybe(wg.onesLike(out)));
  if (module !== undefined) for (const p of module.parameters()) p.grad?.sum().item();
}

// ------------------------------------------------------------------------------------- layers

/** [name, constructor arguments, forward arguments] for every layer class. */
function layerSpecs(ctx) {
  const { wg, rand, pick, dim } = ctx;
  const b = dim();
  const x = (...shape) => wg.randn(shape).requiresGrad_(rand() < 0.7);
  const convOpts = (k) => ({
    stride: pick([1, 1, 2]),
    padding: pick([0, 1, Math.floor(k / 2)]),
    dilation: pick([1, 1, 2]),
    bias: rand() < 0.7,
  });
  const ci = dim();
  const co = dim();
  const k = pick([1, 2, 3]);
  const L = k * 2 + dim();
  const E = pick([2, 4, 6]);
  const heads = pick([1, 2]);
  const T = dim();
  const attn = () => ({ batchFirst: rand() < 0.5, dropout: pick([0, 0, 0.5]) });
  const seq = (bf) => (bf ? x(b, T, E) : x(T, b, E));
  const encoderLayer = () =>
    new wg.nn.TransformerEncoderLayer(E, heads, { dimFeedforward: 4, dropout: 0 });
  const decoderLayer = () =>
    new wg.nn.TransformerDecoderLayer(E, heads, { dimFeedforward: 4, dropout: 0 });
  const act = () => [[], () => [x(b, ci, dim(), dim())]];
  const loss = (target) => [
    [{ reduction: pick(["mean", "sum", "none"]) }],
    () => {
      const input = x(b, ci);
      return [input, target(input)];
    },
  ];
  const specs = {
    Linear: [[ci, co, { bias: rand() < 0.7 }], () => [x(...pick([[b], [b, T], []]), ci)]],
    Conv1d: [[ci, co, k, convOpts(k)], () => [x(b, ci, L)]],
    Conv2d: [[ci, co, k, convOpts(k)], () => [x(b, ci, L, L)]],
    ConvTranspose1d: [
      [ci, co, k, { stride: pick([1, 2]), padding: pick([0, 1]), bias: rand() < 0.7 }],
      () => [x(b, ci, L)],
    ],
    ConvTranspose2d: [
      [ci, co, k, { stride: pick([1, 2]), padding: pick([0, 1]), outputPadding: pick([0, 0, 1]) }],
      () => [x(b, ci, L, L)],
    ],
    MaxPool1d: [
      [k, { stride: pick([1, 2]), padding: pick([0, Math.floor(k / 2)]) }],
      () => [x(b, ci, L)],
    ],
    MaxPool2d: [
      [k, { stride: pick([1, 2]), padding: pick([0, Math.floor(k / 2)]) }],
      () => [x(b, ci, L, L)],
    ],
    AvgPool1d: [
      [k, { stride: pick([1, 2]), padding: pick([0, Math.floor(k / 2)]) }],
      () => [x(b, ci, L)],
    ],
    AvgPool2d: [
      [k, { stride: pick([1, 2]), padding: pick([0, Math.floor(k / 2)]) }],
      () => [x(b, ci, L, L)],
    ],
    AdaptiveAvgPool1d: [[dim()], () => [x(b, ci, L)]],
    AdaptiveAvgPool2d: [[pick([dim(), [dim(), dim()]])], () => [x(b, ci, L, L)]],
    AdaptiveMaxPool2d: [[pick([dim(), [dim(), dim()]])], () => [x(b, ci, L, L)]],
    BatchNorm1d: [
      [ci, { affine: rand() < 0.8, trackRunningStats: rand() < 0.8 }],
      () => [x(b + 1, ci)],
    ],
    BatchNorm2d: [[ci, { momentum: pick([0.1, 0.5]) }], () => [x(b + 1, ci, dim(), dim())]],
    LayerNorm: [[pick([ci, [ci]])], () => [x(b, T, ci)]],
    RMSNorm: [[pick([ci, [ci]])], () => [x(b, ci)]],
    GroupNorm: [[pick([1, ci]), ci * pick([1, 2])], () => [x(b, ci * 2, dim())]],
    Embedding: [[ci + 1, co], () => [wg.randint(0, ci + 1, [b, T])]],
    RNN: [
      [
        ci,
        co,
        { numLayers: pick([1, 2]), batchFirst: rand() < 0.5, nonlinearity: pick(["tanh", "relu"]) },
      ],
      () => [x(T, b, ci)],
    ],
    LSTM: [[ci, co, { numLayers: pick([1, 2]), bias: rand() < 0.8 }], () => [x(T, b, ci)]],
    GRU: [[ci, co, { batchFirst: rand() < 0.5 }], () => [x(b, T, ci)]],
    RNNCell: [[ci, co], () => [x(b, ci)]],
    LSTMCell: [[ci, co], () => [x(b, ci)]],
    GRUCell: [[ci, co], () => [x(b, ci)]],
    MultiheadAttention: (() => {
      const o = attn();
      return [[E, heads, o], () => [seq(o.batchFirst), seq(o.batchFirst), seq(o.batchFirst)]];
    })(),
    TransformerEncoderLayer: (() => {
      const bf = rand() < 0.5;
      return [
        [E, heads, { dimFeedforward: 4, dropout: 0, batchFirst: bf, normFirst: rand() < 0.5 }],
        () => [seq(bf)],
      ];
    })(),
    TransformerDecoderLayer: [
      [E, heads, { dimFeedforward: 4, dropout: 0 }],
      () => [seq(false), seq(false)],
    ],
    TransformerEncoder: [() => [ctx.keep(encoderLayer()), pick([1, 2])], () => [seq(false)]],
    TransformerDecoder: [
      () => [ctx.keep(decoderLayer()), pick([1, 2])],
      () => [seq(false), seq(false)],
    ],
    Transformer: [
      [
        {
          dModel: E,
          nhead: heads,
          numEncoderLayers: 1,
          numDecoderLayers: 1,
          dimFeedforward: 4,
          dropout: 0,
        },
      ],
      () => [seq(false), seq(false)],
    ],
    Dropout: [[pick([0, 0.5, 1])], () => [x(b, ci)]],
    Dropout1d: [[pick([0, 0.5])], () => [x(b, ci, L)]],
    Dropout2d: [[pick([0, 0.5])], () => [x(b, ci, L, L)]],
    Upsample: [
      [{ scaleFactor: pick([1, 2]), mode: pick(["nearest", "bilinear", "bicubic"]) }],
      () => [x(b, ci, dim(), dim())],
    ],
    PixelShuffle: [[2], () => [x(b, ci * 4, dim(), dim())]],
    Flatten: [[pick([0, 1, -1])], () => [x(b, ci, dim())]],
    Softmax: [[pick([0, 1, -1])], () => [x(b, ci)]],
    LogSoftmax: [[pick([0, 1, -1])], () => [x(b, ci)]],
    ReLU: act(),
    ReLU6: act(),
    GELU: [[pick(["none", "tanh"])], () => [x(b, ci)]],
    ELU: act(),
    LeakyReLU: act(),
    Hardtanh: act(),
    SiLU: act(),
    Mish: act(),
    Softplus: act(),
    Sigmoid: act(),
    Tanh: act(),
    Identity: act(),
    MSELoss: loss((i) => wg.randnLike(i)),
    L1Loss: loss((i) => wg.randnLike(i)),
    SmoothL1Loss: loss((i) => wg.randnLike(i)),
    HuberLoss: loss((i) => wg.randnLike(i)),
    BCELoss: [[], () => [x(b, ci).sigmoid(), wg.rand([b, ci])]],
    BCEWithLogitsLoss: loss((i) => wg.rand(i.shape)),
    CrossEntropyLoss: [
      [{ labelSmoothing: pick([0, 0.1]) }],
      () => [x(b, ci), wg.randint(0, ci, [b])],
    ],
    NLLLoss: [[], () => [x(b, ci).logSoftmax(1), wg.randint(0, ci, [b])]],
    KLDivLoss: [
      [{ reduction: "batchmean" }],
      () => [x(b, ci).logSoftmax(1), wg.rand([b, ci]).softmax(1)],
    ],
    CosineEmbeddingLoss: [
      [],
      () => [x(b, ci), x(b, ci), wg.tensor(Array.from({ length: b }, () => pick([1, -1])))],
    ],
    MarginRankingLoss: [
      [],
      () => [x(b), x(b), wg.tensor(Array.from({ length: b }, () => pick([1, -1])))],
    ],
    TripletMarginLoss: [[], () => [x(b, ci), x(b, ci), x(b, ci)]],
    // Classes 0..ci with blank 0: labels in [1, ci]; two labels per sample, lengths up to them.
    CTCLoss: [
      [{ reduction: pick(["mean", "sum", "none"]), zeroInfinity: rand() < 0.5 }],
      () => [
        x(T + 2, b, ci + 1).logSoftmax(2),
        wg.randint(1, ci + 1, [b, 2]),
        Array.from({ length: b }, () => pick([T, T + 1, T + 2])),
        Array.from({ length: b }, () => pick([0, 1, 2])),
      ],
    ],
    Sequential: [
      () => [
        ctx.keep(new wg.nn.Linear(ci, co)),
        new wg.nn.ReLU(),
        ctx.keep(new wg.nn.Linear(co, 2)),
      ],
      () => [x(b, ci)],
    ],
  };
  return specs;
}

function layerRecipe(ctx) {
  const { wg, rand, pick } = ctx;
  const specs = layerSpecs(ctx);
  const name = pick(Object.keys(specs));
  const [ctorArgs, inputs] = specs[name];
  const build = () => (typeof ctorArgs === "function" ? ctorArgs() : ctorArgs);
  const args = build().map((a) => ctx.maybe(a));
  ctx.note(`new nn.${name}(${ctx.show(args)})`);
  const m = ctx.keep(new wg.nn[name](...args));
  if (rand() < 0.3) m.eval();
  const xs = inputs().map((a) => ctx.maybe(a));
  ctx.note(`forward(${ctx.show(xs)})`);
  const out = firstTensor(wg, m.forward(...xs));
  maybeBackward(ctx, out, m);
  if (rand() < 0.4) {
    // state dict -> safetensors -> a second instance: same outputs in eval mode
    ctx.note("save/load round trip");
    m.eval();
    const sd = m.stateDict();
    const loaded = wg.load(wg.save(sd));
    const m2 = ctx.keep(new wg.nn[name](...(typeof ctorArgs === "function" ? build() : args)));
    m2.loadStateDict(ctx.maybe(loaded));
    m2.eval();
    const again = inputs();
    const o1 = firstTensor(wg, m.forward(...again));
    const o2 = firstTensor(wg, m2.forward(...again));
    if (o1 !== null && o2 !== null && !close([...o1.data()], [...o2.data()]) && !ctx.mutated) {
      throw new Error(`nn.${name}: outputs differ after a stateDict save/load round trip`);
    }
  }
  if (rand() < 0.3) {
    ctx.note("zeroGrad/train/parameters");
    m.zeroGrad();
    m.train(ctx.maybe(true));
    for (const [, p] of m.namedParameters()) p.shape.join();
  }
}

// --------------------------------------------------------------------------------- optimizers

const OPTIMIZER_OPTIONS = {
  SGD: () => ({ momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: true }),
  Adam: () => ({ betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01, amsgrad: true }),
  AdamW: () => ({ betas: [0.8, 0.99], weightDecay: 0.01, amsgrad: true }),
  Adamax: () => ({ betas: [0.9, 0.999], eps: 1e-8 }),
  NAdam: () => ({ betas: [0.9, 0.999], momentumDecay: 0.004 }),
  RAdam: () => ({ betas: [0.9, 0.999], weightDecay: 0.01 }),
  RMSprop: () => ({ alpha: 0.99, momentum: 0.5, centered: true }),
  Adagrad: () => ({ lrDecay: 0.01, initialAccumulatorValue: 0.1 }),
  Adadelta: () => ({ rho: 0.9, eps: 1e-6 }),
  LBFGS: () => ({ maxIter: 3, historySize: 3, lineSearchFn: "strong_wolfe" }),
};

function modelAndData(ctx) {
  const { wg, dim, rand } = ctx;
  const inF = dim();
  const model = ctx.keep(
    rand() < 0.5
      ? new wg.nn.Linear(inF, 2)
      : new wg.nn.Sequential(new wg.nn.Linear(inF, 3), new wg.nn.Tanh(), new wg.nn.Linear(3, 2)),
  );
  const n = dim() + 1;
  return { model, x: wg.randn([n, inF]), y: wg.randn([n, 2]), inF, n };
}

function makeOptimizer(ctx, name, model) {
  const { wg, rand, pick } = ctx;
  const extra = OPTIMIZER_OPTIONS[name]();
  const options = { lr: ctx.maybe(pick([0.1, 0.01, 1])) };
  for (const key of Object.keys(extra)) if (rand() < 0.5) options[key] = ctx.maybe(extra[key]);
  const params = model.parameters();
  const groups =
    rand() < 0.2 && params.length > 1
      ? [{ params: params.slice(0, 1) }, { params: params.slice(1), lr: ctx.maybe(0.05) }]
      : ctx.maybe(params);
  ctx.note(`new optim.${name}(${ctx.show([groups, options])})`);
  return ctx.keep(new wg.optim[name](groups, options));
}

function trainStep(ctx, model, opt, x, y) {
  const { wg } = ctx;
  const closure = () => {
    opt.zeroGrad();
    const l = wg.nn.functional.mseLoss(model.forward(x), y);
    l.backward();
    return l;
  };
  if (opt.constructor.name === "LBFGS") return opt.step(closure);
  closure();
  return opt.step();
}

function optimizerRecipe(ctx) {
  const { wg, rand, pick } = ctx;
  const name = pick(Object.keys(OPTIMIZER_OPTIONS));
  const { model, x, y } = modelAndData(ctx);
  const opt = makeOptimizer(ctx, name, model);
  for (let s = pick([1, 2, 3]); s > 0; s--) {
    ctx.note(`step (${name})`);
    wg.tidy(() => {
      trainStep(ctx, model, opt, x, y);
    });
  }
  if (rand() < 0.3) {
    const v = ctx.maybe(pick([0.05, 0.2]));
    ctx.note(`lr = ${ctx.show([v])}`);
    opt.lr = v;
    wg.tidy(() => {
      trainStep(ctx, model, opt, x, y);
    });
  }
  if (rand() < 0.5) {
    ctx.note("stateDict -> loadStateDict");
    const sd = opt.stateDict();
    const opt2 = makeOptimizer(ctx, name, model);
    if (rand() < 0.5) {
      const { tensors, metadata } = wg.optim.stateDictToTensors(sd);
      const bytes = wg.save(tensors, metadata);
      opt2.loadStateDict(
        ctx.maybe(wg.optim.stateDictFromTensors(wg.load(bytes), wg.loadMetadata(bytes))),
      );
    } else opt2.loadStateDict(mutateStateDict(ctx, sd));
    wg.tidy(() => {
      trainStep(ctx, model, opt2, x, y);
    });
  }
  for (const p of model.parameters()) {
    if (!ctx.mutated && [...p.data()].some((v) => Number.isNaN(v)) && name !== "LBFGS") {
      // not a proof of a defect (lr 1 can diverge to Infinity, then NaN), so only noted
      ctx.note("NaN parameters");
    }
  }
}

/** A copy of an optimizer state dict with one hyperparameter or entry made hostile. */
function mutateStateDict(ctx, sd) {
  const { rand, pick, value } = ctx;
  if (rand() < 0.5 || sd === null || typeof sd !== "object") return ctx.maybe(sd);
  const copy = { ...sd, paramGroups: (sd.paramGroups ?? []).map((g) => ({ ...g })) };
  const g = copy.paramGroups[0];
  if (g !== undefined) {
    const key = pick([...Object.keys(g), "lr", "betas", "eps"]);
    g[key] = value();
    ctx.mutated = true;
  }
  return copy;
}

// --------------------------------------------------------------------------------- schedulers

function schedulerRecipe(ctx) {
  const { wg, rand, pick } = ctx;
  const S = wg.optim.lrScheduler;
  const { model, x, y } = modelAndData(ctx);
  const opt = makeOptimizer(ctx, pick(["SGD", "Adam"]), model);
  const m = ctx.maybe;
  const make = {
    StepLR: () => new S.StepLR(opt, { stepSize: m(2), gamma: m(0.5) }),
    MultiStepLR: () => new S.MultiStepLR(opt, { milestones: m([1, 3]), gamma: m(0.5) }),
    ExponentialLR: () => new S.ExponentialLR(opt, { gamma: m(0.9) }),
    LambdaLR: () => new S.LambdaLR(opt, { lrLambda: m((e) => 0.9 ** e) }),
    LinearLR: () => new S.LinearLR(opt, { startFactor: m(0.5), endFactor: m(1), totalIters: m(3) }),
    CosineAnnealingLR: () => new S.CosineAnnealingLR(opt, { tMax: m(5), etaMin: m(0) }),
    CosineAnnealingWarmRestarts: () =>
      new S.CosineAnnealingWarmRestarts(opt, { t0: m(2), tMult: m(2) }),
    OneCycleLR: () => new S.OneCycleLR(opt, { maxLr: m(0.1), totalSteps: m(10) }),
    ReduceLROnPlateau: () => new S.ReduceLROnPlateau(opt, { mode: m("min"), patience: m(1) }),
    SequentialLR: () =>
      new S.SequentialLR(opt, {
        schedulers: [new S.StepLR(opt, { stepSize: 1 }), new S.ExponentialLR(opt, { gamma: 0.9 })],
        milestones: m([2]),
      }),
  };
  const name = pick(Object.keys(make));
  ctx.note(`new lrScheduler.${name}`);
  const sched = make[name]();
  for (let s = pick([1, 3, 6]); s > 0; s--) {
    wg.tidy(() => {
      trainStep(ctx, model, opt, x, y);
    });
    const arg = name === "ReduceLROnPlateau" ? [m(rand())] : rand() < 0.05 ? [ctx.value()] : [];
    ctx.note(`${name}.step(${ctx.show(arg)})`);
    sched.step(...arg);
  }
  if (typeof sched.getLastLr === "function") sched.getLastLr();
  if (rand() < 0.4 && typeof sched.stateDict === "function") {
    ctx.note(`${name}.stateDict -> loadStateDict`);
    const sd = sched.stateDict();
    sched.loadStateDict(m(sd));
    sched.step();
  }
  if (!ctx.mutated && !Number.isFinite(opt.lr)) {
    throw new Error(`lrScheduler.${name}: the learning rate became ${opt.lr}`);
  }
}

// ------------------------------------------------------------------------ data, fit, save/load

function dataRecipe(ctx) {
  const { wg, rand, pick, dim } = ctx;
  const n = pick([0, 1, 2, 5, 7]);
  const x = wg.randn([n, dim()]);
  const y = wg.randint(0, 3, [n]);
  const ds = ctx.maybe(new wg.data.TensorDataset(x, y));
  const batchSize = ctx.maybe(pick([1, 2, 3, 4]));
  const dropLast = ctx.maybe(rand() < 0.5);
  const options = { batchSize, shuffle: ctx.maybe(rand() < 0.5), dropLast };
  const source = rand() < 0.2 && n > 1 ? ctx.maybe(wg.data.randomSplit(ds, [1, n - 1])[1]) : ds;
  ctx.note(`new DataLoader(${ctx.show([source, options])})`);
  const loader = new wg.data.DataLoader(source, options);
  let count = 0;
  for (const batch of loader) {
    if (++count > 64) break;
    (Array.isArray(batch) ? batch : [batch]).length;
  }
  if (!ctx.mutated && source === ds) {
    const want = dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
    if (count !== want) throw new Error(`DataLoader gave ${count} batches, expected ${want}`);
  }
}

function fitRecipe(ctx) {
  const { wg, rand, pick } = ctx;
  const { model, x, y } = modelAndData(ctx);
  const loader = new wg.data.DataLoader(new wg.data.TensorDataset(x, y), {
    batchSize: pick([1, 2, 4]),
  });
  const opt = makeOptimizer(ctx, pick(["SGD", "Adam", "RMSprop"]), model);
  const epochs = ctx.maybe(pick([1, 2]));
  const options = {
    optimizer: opt,
    loss: ctx.maybe(wg.nn.functional.mseLoss),
    epochs,
    verbose: false,
  };
  if (rand() < 0.2) options.onStep = ctx.maybe(() => {});
  ctx.note(`fit(${ctx.show([model, loader, options])})`);
  const history = wg.fit(model, ctx.maybe(loader), options);
  if (
    !ctx.mutated &&
    (history.loss.length !== epochs ||
      (history.loss.some((v) => !Number.isFinite(v)) && opt.lr < 1))
  ) {
    throw new Error(`fit returned ${JSON.stringify(history.loss)} for ${epochs} epochs`);
  }
}

const NAMES = [
  "weight",
  "",
  "a.b.c",
  "名前",
  "😀",
  "\u0000",
  "\n\t",
  '"',
  "\\",
  "\u2028",
  "__metadata__",
  "__proto__",
  "constructor",
  "x".repeat(300),
  "\ud800",
  "é",
  "a/b",
  " ",
];
const META = [
  "",
  "pt",
  "ключ ✓",
  "\u0000\u001f",
  "\ud800",
  "\udfff x",
  "😀".repeat(50),
  "v".repeat(70000),
];

function saveLoadRecipe(ctx) {
  const { wg, rand, pick } = ctx;
  const dict = Object.create(rand() < 0.5 ? Object.prototype : null);
  for (let i = pick([0, 1, 2, 4]); i > 0; i--) {
    const shape = pick([[], [0], [2, 0, 3], [3], [2, 3], [1, 1, 1, 1, 1]]);
    let t = wg.randn(shape);
    const r = rand();
    if (r < 0.1) t = t.t?.() ?? t;
    else if (r < 0.2) t = wg.randint(-5, 5, shape);
    else if (r < 0.25) t = t.gt(0);
    else if (r < 0.3) t = wg.tensor([Number.NaN, -0, Infinity, -Infinity]);
    Object.defineProperty(dict, pick(NAMES) + (rand() < 0.5 ? String(i) : ""), {
      value: ctx.maybe(t),
      enumerable: true,
      configurable: true,
    });
  }
  const metadata = {};
  for (let i = pick([0, 0, 1, 2]); i > 0; i--) metadata[pick(META)] = ctx.maybe(pick(META));
  ctx.note(`save(${Object.keys(dict).length} tensors, ${Object.keys(metadata).length} metadata)`);
  const bytes = wg.save(dict, metadata);
  let back;
  let meta;
  try {
    back = wg.load(bytes);
    meta = wg.loadMetadata(bytes);
  } catch (err) {
    throw new Error(`load refused a file save wrote: ${err?.message}`);
  }
  for (const [name, t] of Object.entries(dict)) {
    const u = back[name];
    if (
      !Object.hasOwn(back, name) ||
      u.shape.join() !== t.shape.join() ||
      u.dtype !== t.dtype ||
      !close([...u.data()], [...t.float().data()])
    ) {
      throw new Error(`save/load changed tensor ${JSON.stringify(name).slice(0, 40)}`);
    }
  }
  if (Object.keys(back).length !== Object.keys(dict).length)
    throw new Error("save/load changed the names");
  for (const [k, v] of Object.entries(metadata)) {
    if (meta[k] !== v && k !== "format")
      throw new Error(`save/load changed metadata ${JSON.stringify(k).slice(0, 40)}`);
  }
}

// ------------------------------------------------------------------------------------ kernels

function kernelRecipe(ctx) {
  const { wg, rand, pick, dim } = ctx;
  const K = wg.kernels;
  const f = (n) => Float32Array.from({ length: n }, () => rand() * 2 - 1);
  const r = rand();
  if (r < 0.4) {
    const m = pick([0, 1, 3, 17]);
    const n = pick([0, 1, 4, 9]);
    const k = pick([0, 1, 2, 33]);
    const transA = rand() < 0.5;
    const transB = rand() < 0.5;
    const a = f(m * k);
    const b = f(k * n);
    const c = f(m * n);
    const args = [m, n, k, a, b, c, { transA, transB, alpha: 1, beta: 0 }].map((v) => ctx.maybe(v));
    ctx.note(`kernels.sgemm(${ctx.show(args)})`);
    K.sgemm(...args);
    if (!ctx.mutated) {
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++)
            s += (transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]);
          if (Math.abs(s - c[i * n + j]) > 1e-4 * (1 + Math.abs(s)))
            throw new Error(`kernels.sgemm: C[${i},${j}] is ${c[i * n + j]}, expected ${s}`);
        }
      }
    }
  } else if (r < 0.6) {
    const ci = dim();
    const co = dim();
    const kh = pick([1, 2, 3]);
    const xs = [dim(), ci, kh + dim(), kh + dim()];
    const ws = [co, ci, kh, kh];
    const args = [
      f(xs.reduce((p, d) => p * d)),
      xs,
      f(ws.reduce((p, d) => p * d)),
      ws,
      rand() < 0.5 ? f(co) : null,
      { stride: pick([1, 2]), padding: pick([0, 1]) },
    ].map((v) => ctx.maybe(v));
    ctx.note(`kernels.conv2d(${ctx.show(args)})`);
    K.conv2d(...args);
  } else {
    const kind = pick(["rnnStep", "lstmStep", "gruStep"]);
    const batch = dim();
    const inputSize = dim();
    const hiddenSize = dim();
    const g = { rnnStep: 1, lstmStep: 4, gruStep: 3 }[kind] * hiddenSize;
    const weights = ctx.maybe({
      weightIh: f(g * inputSize),
      weightHh: f(g * hiddenSize),
      biasIh: f(g),
      biasHh: rand() < 0.5 ? f(g) : null,
    });
    const sizes = ctx.maybe({ batch, inputSize, hiddenSize });
    const x = ctx.maybe(f(batch * inputSize));
    const h = ctx.maybe(f(batch * hiddenSize));
    const args =
      kind === "lstmStep"
        ? [x, h, ctx.maybe(f(batch * hiddenSize)), weights, sizes]
        : [x, h, weights, sizes];
    ctx.note(`kernels.${kind}(${ctx.show(args)})`);
    K[kind](...args);
  }
}

// ---------------------------------------------------------------------------- autograd misuse

function autogradRecipe(ctx) {
  const { wg, rand, pick } = ctx;
  const a = wg.randn([2, 3]).requiresGrad_();
  const b = wg.randn([3]).requiresGrad_();
  const ops = [
    (t) => t.exp(),
    (t) => t.mul(b),
    (t) => t.max(),
    (t) => t.max(1)[0],
    (t) => t.softmax(1),
    (t) => t.matmul(b.unsqueeze(1)),
    (t) => t.pow(2),
    (t) => t.div(b),
    (t) => t.amax(0),
    (t) => t.sort(1)[0],
    (t) => t.cumsum(1),
    (t) => t.norm(),
  ];
  let y = a;
  for (let i = pick([1, 2, 3]); i > 0; i--) y = pick(ops)(y);
  const r = rand();
  ctx.note(`autograd misuse ${r.toFixed(2)}`);
  if (r < 0.2) a.dispose();
  else if (r < 0.3) b.dispose();
  else if (r < 0.4) a.grad = ctx.maybe(wg.zerosLike(a));
  else if (r < 0.5) {
    const g = wg.onesLike(a);
    a.grad = g;
    a.grad = null;
    g.sum().item(); // the user's tensor survives `grad = null`
  }
  const loss = y.sum();
  loss.backward(...(rand() < 0.3 ? [ctx.maybe({ retainGraph: true })] : []));
  if (rand() < 0.3) loss.backward();
  if (!a.isDisposed && a.grad !== null && a.grad !== undefined) a.grad.sum().item();
  a.dispose();
  b.dispose();
}

// ----------------------------------------------------------------------------- index, indexPut_

function indexRecipe(ctx) {
  const { wg, rand, pick, dim } = ctx;
  const shape = Array.from({ length: pick([1, 2, 3]) }, () => dim() + 1);
  const x = wg.randn(shape).requiresGrad_(rand() < 0.5);
  const item = (n) => {
    const r = rand();
    if (r < 0.25) return Math.floor(rand() * 2 * n) - n;
    if (r < 0.45) return pick([":", "1:", ":-1", "::2", "1::2", "-2:"]);
    if (r < 0.55) return pick([null, "..."]);
    if (r < 0.75) return Array.from({ length: pick([1, 2, 3]) }, () => Math.floor(rand() * n));
    if (r < 0.85) return wg.randint(0, n, [pick([1, 2])]);
    return wg.rand([n]).gt(0.5);
  };
  const items = Array.from({ length: pick([1, 1, 2, 3]) }, (_, i) =>
    ctx.maybe(item(shape[i] ?? 2)),
  );
  ctx.note(`index(${ctx.show(items)}) on ${ctx.show([x])}`);
  const y = x.index(...items);
  if (y.requiresGrad && rand() < 0.5) y.sum().backward();
  if (rand() < 0.5) {
    const target = wg.randn(shape);
    const v = ctx.maybe(rand() < 0.5 ? rand() : wg.randn(y.shape));
    ctx.note(`indexPut_(${ctx.show([items, v])}) on ${ctx.show([target])}`);
    target.indexPut_(items, v, ...(rand() < 0.3 ? [ctx.maybe(true)] : []));
  }
}

export const RECIPES = {
  index: indexRecipe,
  layer: layerRecipe,
  optimizer: optimizerRecipe,
  scheduler: schedulerRecipe,
  data: dataRecipe,
  fit: fitRecipe,
  saveLoad: saveLoadRecipe,
  kernel: kernelRecipe,
  autograd: autogradRecipe,
};
