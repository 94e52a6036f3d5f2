// A tiny ONNX (protobuf) writer for bench/peer-ort.mjs: just enough of onnx.proto3 to build a
// float32 graph of MatMul / Gemm / Relu nodes with initializers, in code, with no dependency.
// Field numbers are onnx.proto's: ModelProto, GraphProto, NodeProto, AttributeProto,
// TensorProto, ValueInfoProto, TypeProto.

const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_INT = 2; // AttributeProto.AttributeType.INT

/** Bytes of a protobuf message built field by field. */
class Message {
  constructor() {
    this.parts = [];
  }
  varint(v) {
    let n = BigInt(v);
    const out = [];
    do {
      let byte = Number(n & 0x7fn);
      n >>= 7n;
      if (n !== 0n) byte |= 0x80;
      out.push(byte);
    } while (n !== 0n);
    this.parts.push(Uint8Array.from(out));
    return this;
  }
  tag(field, wire) {
    return this.varint((field << 3) | wire);
  }
  int(field, v) {
    return this.tag(field, 0).varint(v);
  }
  bytes(field, data) {
    this.tag(field, 2).varint(data.length);
    this.parts.push(data);
    return this;
  }
  string(field, s) {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  message(field, m) {
    return this.bytes(field, m.finish());
  }
  finish() {
    const size = this.parts.reduce((a, p) => a + p.length, 0);
    const out = new Uint8Array(size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

/** A graph input or output: float32 of a fixed shape. */
function valueInfo(name, shape) {
  const shapeMsg = new Message();
  for (const d of shape) shapeMsg.message(1, new Message().int(1, d));
  const tensorType = new Message().int(1, FLOAT).message(2, shapeMsg);
  return new Message().string(1, name).message(2, new Message().message(1, tensorType));
}

/** An initializer: float32 data of `shape`, stored as raw little-endian bytes. */
function initializer(name, shape, data) {
  const m = new Message();
  for (const d of shape) m.int(1, d);
  m.int(2, FLOAT).string(8, name);
  const f32 = Float32Array.from(data);
  return m.bytes(9, new Uint8Array(f32.buffer, f32.byteOffset, f32.byteLength));
}

/** A node: op type, inputs, outputs and integer attributes. */
function node(opType, inputs, outputs, ints = {}) {
  const m = new Message();
  for (const i of inputs) m.string(1, i);
  for (const o of outputs) m.string(2, o);
  m.string(3, `${opType}_${outputs[0]}`).string(4, opType);
  for (const [name, v] of Object.entries(ints)) {
    m.message(5, new Message().string(1, name).int(3, v).int(20, ATTR_INT));
  }
  return m;
}

/**
 * An ONNX model (IR 8, opset 13) as bytes. `graph`: { nodes: [opType, inputs, outputs, ints?][],
 * inputs: [name, shape][], outputs: [name, shape][], initializers: [name, shape, data][] }.
 */
export function onnxModel(graph) {
  const g = new Message();
  for (const n of graph.nodes) g.message(1, node(...n));
  g.string(2, "bench");
  for (const i of graph.initializers ?? []) g.message(5, initializer(...i));
  for (const i of graph.inputs) g.message(11, valueInfo(...i));
  for (const o of graph.outputs) g.message(12, valueInfo(...o));
  return new Message()
    .int(1, 8)
    .string(2, "wasmgrad-bench")
    .message(8, new Message().string(1, "").int(2, 13))
    .message(7, g)
    .finish();
}
