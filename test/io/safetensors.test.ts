/**
 * wg.save / wg.load (safetensors) against files written in the reference layout by
 * test/fixtures/gen_safetensors.py: a PyTorch MLP in F32/F16/BF16/F64 that must reproduce
 * PyTorch's outputs, dtype conversions that must equal torch's `.float()` bit for bit, round
 * trips, and the file that `gen_safetensors.py --check` verifies in PyTorch.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import * as wg from "wasmgrad";
import { type FixtureTensor, mismatches, type Tolerance } from "../helpers/fixtures.js";

const dir = new URL("../fixtures/safetensors/", import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, dir)));

interface MlpFixture {
  model: string;
  input: FixtureTensor;
  files: Record<Variant, string>;
  params: Record<Variant, Record<string, FixtureTensor>>;
  outputs: Record<Variant, FixtureTensor>;
}
type Variant = "f32" | "f16" | "bf16" | "f64";
const mlp = JSON.parse(readFileSync(new URL("mlp.json", dir), "utf8")) as MlpFixture;

const newMlp = () =>
  new wg.nn.Sequential(new wg.nn.Linear(6, 5), new wg.nn.ReLU(), new wg.nn.Linear(5, 3));

/** The float32 bit patterns of `values` (NaN payloads and -0 included). */
const bits = (values: ArrayLike<number>): number[] => [
  ...new Uint32Array(Float32Array.from(values).buffer),
];
const bitsOf = (t: wg.Tensor): number[] => [...new Uint32Array(t.data().buffer)];

function live(): number {
  return wg.memory().liveTensors;
}

function disposeAll(sd: Record<string, wg.Tensor>): void {
  for (const t of Object.values(sd)) t.dispose();
}

/** A safetensors file from a header object and raw data, as a writer that pads to 8. */
function file(header: object, data: Uint8Array): Uint8Array {
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  padded.set(json);
  json = padded;
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe("PyTorch's MLP state dict (mlp_*.safetensors)", () => {
  const tol: Tolerance = { atol: 1e-7, rtol: 1e-5 };

  it.each(["f32", "f16", "bf16", "f64"] as const)(
    "%s: loadStateDict(load(bytes)) gives torch's parameters and outputs",
    (variant) => {
      const model = newMlp();
      try {
        const result = wg.tidy(() => model.loadStateDict(wg.load(read(mlp.files[variant]))));
        expect(result).toEqual({ missingKeys: [], unexpectedKeys: [] });
        const sd = model.stateDict();
        for (const [name, want] of Object.entries(mlp.params[variant])) {
          expect(sd[name].shape, name).toEqual(want.shape);
          expect(bitsOf(sd[name]), name).toEqual(bits(want.data));
        }
        const out = wg.tidy(() =>
          model.forward(wg.tensor(new Float32Array(mlp.input.data), { shape: mlp.input.shape })),
        );
        expect(out.shape).toEqual(mlp.outputs[variant].shape);
        expect(mismatches(out.data(), mlp.outputs[variant].data, tol)).toEqual([]);
        out.dispose();
      } finally {
        model.dispose();
      }
    },
  );

  it("the variants really differ (the F16/BF16/F64 parameters are not F32's)", () => {
    const w = (v: Variant) => mlp.params[v]["0.weight"].data;
    expect(w("f16")).not.toEqual(w("f32"));
    expect(w("bf16")).not.toEqual(w("f32"));
    expect(w("bf16")).not.toEqual(w("f16"));
    expect(w("f64")).not.toEqual(w("f32"));
  });

  it("save(load(bytes)) reproduces the reference writer's F32 file byte for byte", () => {
    const bytes = read(mlp.files.f32);
    const sd = wg.load(bytes);
    try {
      expect(Buffer.from(wg.save(sd)).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      disposeAll(sd);
    }
  });

  it("loads with the loaded tensors freed by tidy and no tensor left behind", () => {
    const before = live();
    const model = newMlp();
    wg.tidy(() => model.loadStateDict(wg.load(read(mlp.files.f16))));
    expect(live()).toBe(before + 4);
    model.dispose();
    expect(live()).toBe(before);
  });
});

describe("dtype conversion (dtypes.safetensors: NAME and NAME.expected = torch's NAME.float())", () => {
  const sd = wg.load(read("dtypes.safetensors"));
  const names = Object.keys(sd).filter((n) => !n.endsWith(".expected"));
  afterAll(() => disposeAll(sd));

  it("holds the documented cases, each with its expectation", () => {
    expect(names.sort()).toEqual(
      [
        "bf16.special",
        "bn.num_batches_tracked",
        "bool.mixed",
        "f16.all",
        "f16.empty",
        "f64.special",
        "i16.special",
        "i32.special",
        "i64.special",
        "i8.all",
        "u8.all",
      ].sort(),
    );
    for (const n of names) expect(sd[`${n}.expected`], n).toBeInstanceOf(wg.Tensor);
    expect(sd["f16.all"].numel()).toBe(65536);
  });

  it.each([
    "f16.all",
    "f16.empty",
    "bf16.special",
    "i64.special",
    "i16.special",
    "i8.all",
    "u8.all",
    "bn.num_batches_tracked",
  ])("%s converts exactly as torch (every bit, NaN payloads included)", (name) => {
    const got = sd[name];
    const want = sd[`${name}.expected`];
    expect(got.dtype).toBe("float32");
    expect(got.shape).toEqual(want.shape);
    expect(bitsOf(got)).toEqual(bitsOf(want));
  });

  it.each([
    ["i32.special", "int32"],
    ["bool.mixed", "bool"],
  ])("%s keeps its dtype (%s), and .float() is torch's", (name, dtype) => {
    const got = sd[name];
    const want = sd[`${name}.expected`];
    expect(got.dtype).toBe(dtype);
    expect(got.shape).toEqual(want.shape);
    const f = got.float();
    expect(bitsOf(f)).toEqual(bitsOf(want));
    f.dispose();
  });

  it("f16.all covers subnormals, infinities, NaN and -0", () => {
    const v = sd["f16.all"].data();
    expect(v[1]).toBe(2 ** -24); // smallest subnormal
    expect(v[0x3ff]).toBe(1023 * 2 ** -24); // largest subnormal
    expect(v[0x7c00]).toBe(Number.POSITIVE_INFINITY);
    expect(v[0xfc00]).toBe(Number.NEGATIVE_INFINITY);
    expect(Number.isNaN(v[0x7e00])).toBe(true);
    expect(Object.is(v[0x8000], -0)).toBe(true);
    expect(v[0x7bff]).toBe(65504);
  });

  it("f64.special rounds to nearest even as torch (NaN compared as NaN)", () => {
    const got = sd["f64.special"].data();
    const want = sd["f64.special.expected"].data();
    expect(got.length).toBe(want.length);
    const off: string[] = [];
    got.forEach((g, i) => {
      const w = want[i];
      const same = Number.isNaN(w) ? Number.isNaN(g) : Object.is(g, w);
      if (!same) off.push(`[${i}] got ${g}, want ${w}`);
    });
    expect(off).toEqual([]);
    expect(got.some((v) => v !== 0 && Math.abs(v) < 2 ** -126)).toBe(true); // subnormal results
  });

  it("i64 rounds once (2^60 + 2^36 + 1 -> 2^60 + 2^37, not 2^60 by way of a double)", () => {
    const got = sd["i64.special"].data();
    expect(got[10]).toBe(2 ** 60 + 2 ** 37);
    expect(got[11]).toBe(-(2 ** 60 + 2 ** 37));
    expect(got[5]).toBe(2 ** 24); // 2^24 + 1 ties to even
    expect(got[6]).toBe(2 ** 24 + 4);
  });

  it("unsigned U16/U32/U64 (not in torch 1.13) convert to the nearest float32", () => {
    const u16 = new Uint16Array([0, 1, 65535]);
    const u32 = new Uint32Array([0, 4294967295, 16777217, 16777219]);
    const u64 = new BigUint64Array([
      0n,
      2n ** 64n - 1n,
      2n ** 53n + 1n,
      2n ** 60n + 2n ** 36n + 1n,
    ]);
    const data = new Uint8Array(6 + 16 + 32);
    data.set(new Uint8Array(u64.buffer), 0);
    data.set(new Uint8Array(u32.buffer), 32);
    data.set(new Uint8Array(u16.buffer), 48);
    const loaded = wg.load(
      file(
        {
          u64: { dtype: "U64", shape: [4], data_offsets: [0, 32] },
          u32: { dtype: "U32", shape: [4], data_offsets: [32, 48] },
          u16: { dtype: "U16", shape: [3], data_offsets: [48, 54] },
        },
        data,
      ),
    );
    try {
      expect([...loaded.u16.data()]).toEqual([0, 1, 65535]);
      expect([...loaded.u32.data()]).toEqual([0, 2 ** 32, 2 ** 24, 2 ** 24 + 4]);
      expect([...loaded.u64.data()]).toEqual([0, 2 ** 64, 2 ** 53, 2 ** 60 + 2 ** 37]);
    } finally {
      disposeAll(loaded);
    }
  });
});

describe("round trip", () => {
  it("keeps names, shapes (0-d, empty, 4-D) and every float32 bit", () => {
    const special = new Float32Array([
      0,
      -0,
      1,
      -1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      2 ** -149,
      3.4028234663852886e38,
      Math.PI,
    ]);
    const sd: Record<string, wg.Tensor> = {
      "layer.0.weight": wg.tensor(special, { shape: [2, 5] }),
      scalar: wg.tensor(-2.5),
      empty: wg.zeros([0, 3]),
      "empty.too": wg.zeros([4, 0, 2]),
      "ünïcødé.名前 🙂": wg.arange(24).reshape(1, 2, 3, 4),
      'quote"back\\slash\nnewline\ttab\u0001': wg.tensor([[7]]),
      "": wg.tensor([1, 2]),
    };
    const bytes = wg.save(sd);
    const back = wg.load(bytes);
    try {
      expect(Object.keys(back).sort()).toEqual(Object.keys(sd).sort());
      for (const [name, t] of Object.entries(sd)) {
        expect(back[name].shape, name).toEqual(t.shape);
        expect(bitsOf(back[name]), name).toEqual(bitsOf(t));
        expect(back[name].requiresGrad).toBe(false);
      }
      expect(back.scalar.item()).toBe(-2.5);
    } finally {
      disposeAll(sd);
      disposeAll(back);
    }
  });

  it("writes the reference layout: padded header, __metadata__ first, names in UTF-8 order", () => {
    const sd = {
      b: wg.ones([2]),
      "\uff21": wg.ones([1]), // U+FF21 sorts before U+1F642 in UTF-8, after it in UTF-16
      "\u{1f642}": wg.ones([3]),
      a: wg.zeros([]),
      B: wg.zeros([0]),
    };
    const bytes = wg.save(sd);
    disposeAll(sd);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const n = view.getUint32(0, true);
    expect(view.getUint32(4, true)).toBe(0);
    expect((8 + n) % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    const want = `${[
      '{"__metadata__":{"format":"pt"}',
      '"B":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}',
      '"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]}',
      '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}',
      '"\uff21":{"dtype":"F32","shape":[1],"data_offsets":[12,16]}',
      '"\u{1f642}":{"dtype":"F32","shape":[3],"data_offsets":[16,28]}',
    ].join(",")}}`;
    const pad = n - new TextEncoder().encode(want).length;
    expect(pad).toBeLessThan(8);
    expect(text).toBe(want + " ".repeat(pad));
    expect(bytes.length).toBe(8 + n + 28);
  });

  it("keeps int32 and bool tensors with their dtype, every int32 value and mask bit", () => {
    const ints = new Int32Array([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 24 + 1]);
    const sd: Record<string, wg.Tensor> = {
      ints: wg.tensor(ints, { dtype: "int32", shape: [2, 3] }),
      zero: wg.tensor(5, { dtype: "int32" }),
      mask: wg.tensor([
        [true, false],
        [false, true],
        [true, true],
      ]),
      none: wg.zeros([0, 2], { dtype: "bool" }),
      floats: wg.tensor([0.5, -2]),
    };
    const bytes = wg.save(sd);
    const back = wg.load(bytes);
    try {
      for (const [name, t] of Object.entries(sd)) {
        expect(back[name].dtype, name).toBe(t.dtype);
        expect(back[name].shape, name).toEqual(t.shape);
        expect(back[name].toArray(), name).toEqual(t.toArray());
      }
      expect([...back.ints.data()]).toEqual([...ints]);
      expect(Buffer.from(wg.save(back)).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      disposeAll(sd);
      disposeAll(back);
    }
  });

  it("int_bool.safetensors (reference layout: F32, then I32, then BOOL): load, then save byte for byte", () => {
    const bytes = read("int_bool.safetensors");
    const sd = wg.load(bytes);
    try {
      const dtypes = Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, t.dtype]));
      expect(dtypes).toEqual({
        "b.weight": "float32",
        "z.bias": "float32",
        "a.indices": "int32",
        "a.steps": "int32",
        "c.count": "int32",
        "a.mask": "bool",
        "c.empty_mask": "bool",
        "c.flag": "bool",
      });
      expect(sd["a.steps"].toArray()).toEqual([0, 1, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 24 + 1]);
      expect(sd["a.mask"].toArray()).toEqual([
        [true, false, true],
        [false, false, true],
      ]);
      expect(sd["c.count"].item()).toBe(7);
      expect(sd["c.flag"].item()).toBe(true);
      expect(sd["c.empty_mask"].shape).toEqual([0, 2]);
      expect(Buffer.from(wg.save(sd)).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      disposeAll(sd);
    }
  });

  it("loadStateDict converts an int32 or bool entry to the parameter's dtype, as copy_", () => {
    const lin = new wg.nn.Linear(2, 1);
    const w = wg.tensor([[3, -4]], { dtype: "int32" });
    const b = wg.tensor([true]);
    const back = wg.load(wg.save({ weight: w, bias: b }));
    try {
      lin.loadStateDict(back);
      expect(lin.weight.dtype).toBe("float32");
      expect(lin.weight.toArray()).toEqual([[3, -4]]);
      expect(lin.bias!.toArray()).toEqual([1]);
    } finally {
      for (const t of [w, b, lin]) t.dispose();
      disposeAll(back);
    }
  });

  it("saves a lazily transposed int32 view in its own (transposed) layout", () => {
    const a = wg.arange(6, { dtype: "int32" }).reshape(2, 3);
    const t = a.T;
    const back = wg.load(wg.save({ t }));
    try {
      expect(back.t.dtype).toBe("int32");
      expect(back.t.toArray()).toEqual([
        [0, 3],
        [1, 4],
        [2, 5],
      ]);
    } finally {
      for (const x of [a, t, back.t]) x.dispose();
    }
  });

  it("saves a lazily transposed view in its own (transposed) layout", () => {
    const a = wg.arange(6).reshape(2, 3);
    const t = a.T;
    const back = wg.load(wg.save({ t }));
    try {
      expect(back.t.toArray()).toEqual([
        [0, 3],
        [1, 4],
        [2, 5],
      ]);
    } finally {
      a.dispose();
      t.dispose();
      back.t.dispose();
    }
  });

  it("a tensor named __proto__ is an ordinary key, and tidy keeps the returned dict", () => {
    const key = "__proto__";
    const sd: Record<string, wg.Tensor> = {};
    Object.defineProperty(sd, key, { value: wg.ones([2]), enumerable: true });
    const bytes = wg.save(sd);
    sd[key].dispose();
    const before = live();
    const back = wg.tidy(() => wg.load(bytes));
    expect(Object.keys(back)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back[key]).toBeInstanceOf(wg.Tensor);
    expect([...back[key].data()]).toEqual([1, 1]);
    back[key].dispose();
    expect(live()).toBe(before);
  });

  it("loads from an ArrayBuffer, a Uint8Array at an odd offset, and an unpadded header", () => {
    const bytes = wg.tidy(() => wg.save({ x: wg.tensor([1.5, -2, 3]) }));
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    const header = '{"x":{"dtype":"F32","shape":[3],"data_offsets":[0,12]}}'; // 55 bytes
    const unpadded = new Uint8Array(8 + header.length + 12);
    unpadded[0] = header.length;
    unpadded.set(new TextEncoder().encode(header), 8);
    unpadded.set(new Uint8Array(new Float32Array([1.5, -2, 3]).buffer), 8 + header.length);
    for (const input of [bytes.slice().buffer, shifted.subarray(3), unpadded]) {
      const back = wg.load(input);
      expect([...back.x.data()]).toEqual([1.5, -2, 3]);
      back.x.dispose();
    }
  });

  it("loads from a Uint8Array over a SharedArrayBuffer", () => {
    const bytes = wg.tidy(() => wg.save({ x: wg.tensor([4, 5]) }));
    const shared = new Uint8Array(new SharedArrayBuffer(bytes.length));
    shared.set(bytes);
    const back = wg.load(shared);
    expect([...back.x.data()]).toEqual([4, 5]);
    back.x.dispose();
  });

  it("loaded tensors inside tidy are freed with the scope unless returned", () => {
    const bytes = wg.tidy(() => wg.save({ w: wg.ones([3, 3]) }));
    const before = live();
    wg.tidy(() => {
      const sd = wg.load(bytes);
      expect(sd.w.sum().item()).toBe(9);
    });
    expect(live()).toBe(before);
    const kept = wg.tidy(() => wg.load(bytes));
    expect(live()).toBe(before + 1);
    kept.w.dispose();
    expect(live()).toBe(before);
  });

  it("an empty state dict round-trips", () => {
    const bytes = wg.save({});
    expect(bytes.length).toBe(8 + 32);
    expect(wg.load(bytes)).toEqual({});
  });
});

describe("save rejects what it cannot write", () => {
  const t = wg.ones([2]);
  const disposed = wg.ones([2, 2]);
  disposed.dispose();
  afterAll(() => t.dispose());
  it.each([
    ["null", null, /save: expected a state dict .* but got null/],
    ["a number", 3, /but got number/],
    ["an array", [t], /but got an array/],
    ["a Map", new Map([["a", t]]), /but got a Map/],
    ["a Tensor", t, /but got a Tensor/],
    [
      "a non-Tensor value",
      { a: t, b: [1, 2] },
      /save: the value for "b" must be a Tensor but got an array/,
    ],
    [
      "a Float32Array value",
      { a: new Float32Array(2) },
      /"a" must be a Tensor but got a Float32Array/,
    ],
    [
      "a disposed tensor",
      { w: disposed },
      /save: the tensor for "w" was disposed \(shape \[2,2\]\)/,
    ],
    ["the reserved name", { __metadata__: t }, /"__metadata__" is reserved/],
    ["an unpaired surrogate", { "a\ud800": t }, /unpaired UTF-16 surrogate/],
  ])("%s", (_label, value, message) => {
    expect(() => wg.save(value as Record<string, wg.Tensor>)).toThrow(wg.WasmgradError);
    expect(() => wg.save(value as Record<string, wg.Tensor>)).toThrow(message);
  });
});

describe("wasmgrad_mlp.safetensors (checked in PyTorch by gen_safetensors.py --check)", () => {
  /** Must match EXTRAS in test/fixtures/gen_safetensors.py. */
  const extras: [string, number[], number[]][] = [
    ["extra.scalar", [], [3.5]],
    ["extra.empty", [0, 3], []],
    ["extra.ünïcødé/名前 🙂", [2, 1], [1.25, -2]],
    ["extra.\uff21", [1], [7]],
    ["extra.\u{1f642}", [1], [8]],
    ['extra.quote"back\\slash\nnewline', [1, 1, 1], [-0.5]],
  ];

  it("is what save() writes for -0.5 * mlp_f32's parameters plus the extras", () => {
    const bytes = wg.tidy(() => {
      const model = newMlp();
      model.loadStateDict(wg.load(read(mlp.files.f32)));
      const sd: Record<string, wg.Tensor> = {};
      for (const [k, v] of Object.entries(model.stateDict())) sd[k] = v.mul(-0.5); // exact
      for (const [name, shape, values] of extras)
        sd[name] = wg.tensor(new Float32Array(values), { shape });
      const out = wg.save(sd);
      model.dispose();
      return out;
    });
    const path = new URL("wasmgrad_mlp.safetensors", dir);
    if (process.env.WASMGRAD_WRITE_FIXTURES === "1") writeFileSync(path, bytes);
    expect(existsSync(path), "run once with WASMGRAD_WRITE_FIXTURES=1, then --check it").toBe(true);
    expect(Buffer.from(bytes).equals(readFileSync(path))).toBe(true);
  });
});
