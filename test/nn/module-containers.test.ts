/**
 * Module and its containers: ModuleList/ModuleDict/ParameterList register what they hold (PyTorch
 * names), plain arrays and Maps of modules are refused, apply/modules/namedModules/children,
 * registerBuffer (persistent or not, owned inside tidy), requiresGrad_, Symbol.dispose, deepCopy,
 * and toString() against the text PyTorch 1.13 prints for the same models.
 */
import { describe, expect, it } from "vitest";
import * as wg from "wasmgrad";

const { nn } = wg;

class Net extends nn.Module {
  layers: wg.nn.ModuleList = new nn.ModuleList([new nn.Linear(2, 3), new nn.Linear(3, 1)]);
  forward(x: wg.Tensor): wg.Tensor {
    let y = x;
    for (const l of this.layers) y = (l as wg.nn.Linear).forward(y);
    return y;
  }
}

describe("ModuleList", () => {
  it("registers its modules under PyTorch's names and is indexable and iterable", () => {
    const net = new Net();
    expect(net.namedParameters().map(([n]) => n)).toEqual([
      "layers.0.weight",
      "layers.0.bias",
      "layers.1.weight",
      "layers.1.bias",
    ]);
    expect(net.layers.length).toBe(2);
    expect(net.layers[0]).toBe(net.layers.at(0));
    expect(net.layers.at(-1)).toBe(net.layers[1]);
    expect([...net.layers].length).toBe(2);
    expect(() => net.layers.at(2)).toThrow(/ModuleList.at: index 2 is out of range for 2/);
    net.layers.append(new nn.ReLU()).insert(0, new nn.Tanh());
    expect([...net.layers].map((m) => m.constructor.name)).toEqual([
      "Tanh",
      "Linear",
      "Linear",
      "ReLU",
    ]);
    expect(Object.keys(net.stateDict())).toEqual([
      "layers.1.weight",
      "layers.1.bias",
      "layers.2.weight",
      "layers.2.bias",
    ]);
    expect(() => new nn.ModuleList([new nn.ReLU(), 3 as unknown as wg.nn.ReLU])).toThrow(
      /ModuleList: item 1 is not a Module/,
    );
    expect(() => net.layers.forward()).toThrow(/ModuleList: has no forward/);
    net.dispose();
  });

  it("train()/eval() reach modules inside a ModuleList", () => {
    const net = new Net();
    net.eval();
    expect(net.layers.at(1).training).toBe(false);
    net.dispose();
  });
});

describe("plain arrays and Maps are refused, not ignored", () => {
  it("an Array of modules", () => {
    class Bad extends nn.Module {
      layers = [new nn.Linear(2, 2)];
      forward(x: wg.Tensor) {
        return x;
      }
    }
    const m = new Bad();
    expect(() => m.parameters()).toThrow(
      /Bad: property "layers" is a plain Array holding modules.*nn.ModuleList/,
    );
    expect(() => m.stateDict()).toThrow(/plain Array/);
    m.layers[0].dispose();
  });

  it("a Map of modules and an Array of parameters", () => {
    class BadMap extends nn.Module {
      blocks = new Map([["a", new nn.ReLU()]]);
      forward(x: wg.Tensor) {
        return x;
      }
    }
    expect(() => new BadMap().children()).toThrow(/"blocks" is a plain Map holding modules/);
    class BadParams extends nn.Module {
      ws = [nn.parameter(wg.zeros([2]))];
      forward(x: wg.Tensor) {
        return x;
      }
    }
    const b = new BadParams();
    expect(() => b.parameters()).toThrow(/"ws" is a plain Array holding parameters.*ParameterList/);
    b.ws[0].dispose();
  });
});

describe("ParameterList and ModuleDict", () => {
  it("ParameterList makes parameters named 0, 1, ... and prints as PyTorch", () => {
    class P extends nn.Module {
      ps = new nn.ParameterList([wg.zeros([3, 4]), wg.zeros([2])]);
      forward(x: wg.Tensor) {
        return x;
      }
    }
    const m = new P();
    expect(m.namedParameters().map(([n]) => n)).toEqual(["ps.0", "ps.1"]);
    expect(m.ps[1].requiresGrad).toBe(true);
    expect(m.ps.at(-1).shape).toEqual([2]);
    expect(String(m.ps)).toBe(
      "ParameterList(\n    (0): Parameter containing: [torch.float32 of size 3x4]\n    (1): Parameter containing: [torch.float32 of size 2]\n)",
    );
    m.dispose();
  });

  it("ModuleDict keeps insertion order, get/set/pop, property access", () => {
    const d = new nn.ModuleDict({ enc: new nn.Linear(2, 2), act: new nn.ReLU() });
    d.set("dec", new nn.Linear(2, 1));
    expect(d.keys()).toEqual(["enc", "act", "dec"]);
    expect([...d]).toEqual(["enc", "act", "dec"]);
    expect(d.namedParameters().map(([n]) => n)).toEqual([
      "enc.weight",
      "enc.bias",
      "dec.weight",
      "dec.bias",
    ]);
    expect((d as unknown as Record<string, unknown>).enc).toBe(d.get("enc"));
    expect(() => d.get("nope")).toThrow(/ModuleDict.get: no module named "nope"/);
    d.pop("enc").dispose();
    expect(d.keys()).toEqual(["act", "dec"]);
    expect(String(d)).toBe(
      "ModuleDict(\n  (act): ReLU()\n  (dec): Linear(in_features=2, out_features=1, bias=True)\n)",
    );
    d.dispose();
  });
});

describe("Module tree walks", () => {
  it("modules() includes itself; namedModules, children, apply (children first)", () => {
    const inner = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU());
    const m = new nn.Sequential(inner, new nn.Linear(2, 1));
    expect(m.modules()[0]).toBe(m);
    expect(m.namedModules().map(([n]) => n)).toEqual(["", "0", "0.0", "0.1", "1"]);
    expect(m.children().length).toBe(2);
    const order: string[] = [];
    m.apply((x) => order.push(x.constructor.name));
    expect(order).toEqual(["Linear", "ReLU", "Sequential", "Linear", "Sequential"]);
    expect(m[1]).toBe(m.at(1));
    expect([...m].length).toBe(2);
    m.dispose();
  });

  it("requiresGrad_ freezes and unfreezes every parameter", () => {
    const m = new nn.Linear(2, 2);
    m.requiresGrad_(false);
    expect(m.parameters().every((p) => !p.requiresGrad)).toBe(true);
    m.requiresGrad_();
    expect(m.parameters().every((p) => p.requiresGrad)).toBe(true);
    m.dispose();
  });

  it("Symbol.dispose frees the parameters", () => {
    const before = wg.memory().liveTensors;
    {
      using m = new nn.Linear(3, 3);
      expect(m.weight.isDisposed).toBe(false);
    }
    expect(wg.memory().liveTensors).toBe(before);
  });
});

describe("registerBuffer", () => {
  class WithBuffers extends nn.Module {
    lin = new nn.Linear(2, 2);
    constructor() {
      super();
      wg.tidy(() => {
        this.registerBuffer("mask", wg.ones([2]));
        this.registerBuffer("cache", wg.zeros([3]), { persistent: false });
        this.registerBuffer("none", null);
      });
    }
    forward(x: wg.Tensor) {
      return x;
    }
  }

  it("owns the tensor inside tidy and leaves non-persistent buffers out of stateDict", () => {
    const m = new WithBuffers();
    const self = m as unknown as Record<string, wg.Tensor>;
    expect(self.mask.isDisposed).toBe(false);
    expect(self.cache.isDisposed).toBe(false);
    expect(Object.keys(m.stateDict())).toEqual(["mask", "lin.weight", "lin.bias"]);
    expect(m.namedBuffers().map(([n]) => n)).toEqual(["mask", "cache"]);
    m.registerBuffer("mask", wg.zeros([2]), { persistent: false }); // re-registering
    expect(Object.keys(m.stateDict())).toEqual(["lin.weight", "lin.bias"]);
    expect(() => m.registerBuffer("lin", wg.zeros([1]))).toThrow(/"lin" is already a submodule/);
    expect(() => m.registerBuffer("forward", wg.zeros([1]))).toThrow(/already an attribute/);
    expect(() =>
      m.registerBuffer("x", wg.zeros([1]), { persistant: false } as wg.nn.BufferOptions),
    ).toThrow(/unknown option "persistant"/);
    m.dispose();
  });

  it("deepCopy copies parameters and buffers and keeps non-persistence", () => {
    const m = new WithBuffers();
    const c = nn.deepCopy(m);
    expect(c).toBeInstanceOf(WithBuffers);
    expect(c.lin.weight).not.toBe(m.lin.weight);
    expect(Array.from(c.lin.weight.data())).toEqual(Array.from(m.lin.weight.data()));
    expect(Object.keys(c.stateDict())).toEqual(["mask", "lin.weight", "lin.bias"]);
    m.dispose();
    expect(c.lin.weight.isDisposed).toBe(false);
    c.dispose();
  });
});

describe("toString prints PyTorch's repr", () => {
  it("nested containers and existing layers", () => {
    const m = new nn.Sequential(
      new nn.Linear(784, 128),
      new nn.ReLU(),
      new nn.ModuleList([new nn.Linear(2, 2), new nn.Linear(2, 2, { bias: false })]),
    );
    expect(String(m)).toBe(
      [
        "Sequential(",
        "  (0): Linear(in_features=784, out_features=128, bias=True)",
        "  (1): ReLU()",
        "  (2): ModuleList(",
        "    (0): Linear(in_features=2, out_features=2, bias=True)",
        "    (1): Linear(in_features=2, out_features=2, bias=False)",
        "  )",
        ")",
      ].join("\n"),
    );
    m.dispose();
  });

  it("each existing layer's text", () => {
    const cases: [wg.nn.Module<never[], unknown>, string][] = [
      [new nn.Dropout(0.1), "Dropout(p=0.1, inplace=False)"],
      [new nn.Dropout(), "Dropout(p=0.5, inplace=False)"],
      [
        new nn.BatchNorm2d(3),
        "BatchNorm2d(3, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)",
      ],
      [
        new nn.Conv2d(1, 8, 4, { stride: 2, padding: 1 }),
        "Conv2d(1, 8, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))",
      ],
      [
        new nn.Conv2d(1, 8, 3, { bias: false }),
        "Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1), bias=False)",
      ],
      [
        new nn.MaxPool2d(2),
        "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)",
      ],
      [new nn.AvgPool2d(2), "AvgPool2d(kernel_size=2, stride=2, padding=0)"],
      [new nn.Embedding(10, 3), "Embedding(10, 3)"],
      [new nn.Embedding(10, 3, { paddingIdx: 0 }), "Embedding(10, 3, padding_idx=0)"],
      [
        new nn.LSTM(10, 20, { numLayers: 2, batchFirst: true }),
        "LSTM(10, 20, num_layers=2, batch_first=True)",
      ],
      [new nn.GRU(3, 4), "GRU(3, 4)"],
      [new nn.RNN(3, 4, { nonlinearity: "relu", bias: false }), "RNN(3, 4, bias=False)"],
      [new nn.LSTMCell(3, 4), "LSTMCell(3, 4)"],
      [new nn.Softmax(1), "Softmax(dim=1)"],
      [new nn.Flatten(), "Flatten(start_dim=1, end_dim=-1)"],
      [new nn.Sigmoid(), "Sigmoid()"],
    ];
    for (const [m, text] of cases) {
      expect(String(m)).toBe(text);
      m.dispose();
    }
  });
});
