import onnxProto from 'onnx-proto';
import type { onnx as Onnx } from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX 1.10 / IR 8 is what onnx-proto 8.0.1 encodes; opset 15 is the newest it knows. */
export const IR_VERSION = 8;
export const OPSET = 15;

export type Dim = number | string;
export type ElemType = 'float32' | 'uint8' | 'int64' | 'bool';
/** number -> INT, number[] -> INTS, string -> STRING, { float } -> FLOAT. */
export type AttrValue = number | number[] | string | { float: number };

const DATA_TYPE: Record<ElemType, number> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  uint8: onnx.TensorProto.DataType.UINT8,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
};

export function dataType(type: ElemType): number {
  return DATA_TYPE[type];
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

function valueInfo(name: string, type: ElemType, dims: Dim[]): Onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DATA_TYPE[type],
        shape: {
          dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

function attribute(name: string, value: AttrValue): Onnx.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'string') {
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  }
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

/**
 * Assembles one ONNX graph: declared inputs/outputs, initializers and nodes, plus the handful of
 * op helpers the test models use (opset 15 signatures: ReduceSum/Unsqueeze/Slice take their axes
 * as inputs, ReduceMin/ReduceMax as attributes).
 */
export class GraphBuilder {
  private readonly nodes: Onnx.INodeProto[] = [];
  private readonly initializers: Onnx.ITensorProto[] = [];
  private readonly inputs: Onnx.IValueInfoProto[] = [];
  private readonly outputs: Onnx.IValueInfoProto[] = [];
  private readonly shared = new Map<string, string>();
  private counter = 0;

  constructor(readonly name: string) {}

  private fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(name, type, dims));
    return name;
  }

  /** Declares a graph output; `source` is renamed through an Identity when its name differs. */
  output(name: string, source: string, type: ElemType, dims: Dim[]): void {
    if (source !== name) this.nodes.push({ opType: 'Identity', input: [source], output: [name] });
    this.outputs.push(valueInfo(name, type, dims));
  }

  /** Adds a prepared initializer (used for tensors whose bytes live in an external file). */
  initializer(tensor: Onnx.ITensorProto): string {
    this.initializers.push(tensor);
    return tensor.name ?? '';
  }

  constFloat(values: ArrayLike<number>, dims: number[], name = this.fresh('const')): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    return this.initializer({ name, dims, dataType: DATA_TYPE.float32, rawData: bytesOf(data) });
  }

  constInt64(values: number[], dims: number[] = [values.length]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    return this.initializer({
      name: this.fresh('const'),
      dims,
      dataType: DATA_TYPE.int64,
      rawData: bytesOf(data),
    });
  }

  /** The tensor `make` builds, built once per `key` and shared by every later use. */
  once(key: string, make: () => string): string {
    let name = this.shared.get(key);
    if (name === undefined) {
      name = make();
      this.shared.set(key, name);
    }
    return name;
  }

  /** A float32 scalar, shared by every use of the same value. */
  scalar(value: number): string {
    return this.once(`scalar:${value}`, () => this.constFloat([value], []));
  }

  node(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    const out = this.fresh(opType.toLowerCase());
    this.nodes.push({
      opType,
      name: out,
      input: inputs,
      output: [out],
      attribute: Object.entries(attrs).map(([key, value]) => attribute(key, value)),
    });
    return out;
  }

  toBytes(): Uint8Array {
    return this.encode(this.initializers);
  }

  /**
   * The model with every initializer of at least `thresholdBytes` moved into one external file
   * (`location`, relative to the .onnx), as onnx.save_model(save_as_external_data=True) does.
   */
  toBytesWithExternalData(
    location: string,
    thresholdBytes = 1024,
  ): { model: Uint8Array; data: Uint8Array } {
    const chunks: Uint8Array[] = [];
    let offset = 0;
    const initializers = this.initializers.map((tensor) => {
      const raw = tensor.rawData;
      if (!raw || raw.byteLength < thresholdBytes) return tensor;
      chunks.push(raw);
      const entry: Onnx.ITensorProto = {
        ...tensor,
        rawData: null,
        dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
        externalData: [
          { key: 'location', value: location },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(raw.byteLength) },
        ],
      };
      offset += raw.byteLength;
      return entry;
    });
    const data = new Uint8Array(offset);
    let at = 0;
    for (const chunk of chunks) {
      data.set(chunk, at);
      at += chunk.byteLength;
    }
    return { model: this.encode(initializers), data };
  }

  private encode(initializers: Onnx.ITensorProto[]): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'sam-annotator-test-models',
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }

  // Elementwise (numpy broadcasting).
  add(a: string, b: string): string {
    return this.node('Add', [a, b]);
  }
  sub(a: string, b: string): string {
    return this.node('Sub', [a, b]);
  }
  mul(a: string, b: string): string {
    return this.node('Mul', [a, b]);
  }
  div(a: string, b: string): string {
    return this.node('Div', [a, b]);
  }
  min(a: string, b: string): string {
    return this.node('Min', [a, b]);
  }
  max(a: string, b: string): string {
    return this.node('Max', [a, b]);
  }
  exp(x: string): string {
    return this.node('Exp', [x]);
  }
  sqrt(x: string): string {
    return this.node('Sqrt', [x]);
  }
  relu(x: string): string {
    return this.node('Relu', [x]);
  }
  sigmoid(x: string): string {
    return this.node('Sigmoid', [x]);
  }
  neg(x: string): string {
    return this.node('Neg', [x]);
  }
  abs(x: string): string {
    return this.node('Abs', [x]);
  }
  floor(x: string): string {
    return this.node('Floor', [x]);
  }
  square(x: string): string {
    return this.mul(x, x);
  }
  clip(x: string, lo: number, hi: number): string {
    return this.node('Clip', [x, this.scalar(lo), this.scalar(hi)]);
  }
  /** 1 where `x op y` holds, else 0, as float32. */
  compare(
    op: 'Equal' | 'Greater' | 'GreaterOrEqual' | 'LessOrEqual',
    x: string,
    y: string,
  ): string {
    return this.cast(this.node(op, [x, y]), 'float32');
  }
  cast(x: string, to: ElemType): string {
    return this.node('Cast', [x], { to: DATA_TYPE[to] });
  }

  // Shapes.
  reshape(x: string, shape: number[]): string {
    return this.node('Reshape', [x, this.constInt64(shape)]);
  }
  unsqueeze(x: string, axes: number[]): string {
    return this.node('Unsqueeze', [x, this.constInt64(axes)]);
  }
  transpose(x: string, perm: number[]): string {
    return this.node('Transpose', [x], { perm });
  }
  concat(xs: string[], axis: number): string {
    return this.node('Concat', xs, { axis });
  }
  slice(x: string, starts: number[], ends: number[], axes: number[]): string {
    return this.node('Slice', [
      x,
      this.constInt64(starts),
      this.constInt64(ends),
      this.constInt64(axes),
    ]);
  }
  shape(x: string): string {
    return this.node('Shape', [x]);
  }
  gather(x: string, indices: string, axis: number): string {
    return this.node('Gather', [x, indices], { axis });
  }

  // Reductions.
  reduceSum(x: string, axes: number[], keepdims = true): string {
    return this.node('ReduceSum', [x, this.constInt64(axes)], { keepdims: keepdims ? 1 : 0 });
  }
  reduceMin(x: string, axes: number[], keepdims = true): string {
    return this.node('ReduceMin', [x], { axes, keepdims: keepdims ? 1 : 0 });
  }
  reduceMax(x: string, axes: number[], keepdims = true): string {
    return this.node('ReduceMax', [x], { axes, keepdims: keepdims ? 1 : 0 });
  }

  // Linear algebra and images.
  matmul(a: string, b: string): string {
    return this.node('MatMul', [a, b]);
  }
  averagePool(x: string, size: number): string {
    return this.node('AveragePool', [x], { kernel_shape: [size, size], strides: [size, size] });
  }
  /** Conv with a fixed float weight [out, in, k, k] and optional bias; `stride` defaults to 1. */
  conv(
    x: string,
    weight: Float32Array,
    dims: [number, number, number, number],
    opts: { bias?: Float32Array; stride?: number; pad?: number } = {},
  ): string {
    const inputs = [x, this.constFloat(weight, dims)];
    if (opts.bias) inputs.push(this.constFloat(opts.bias, [dims[0]]));
    const stride = opts.stride ?? 1;
    const pad = opts.pad ?? 0;
    return this.node('Conv', inputs, {
      kernel_shape: [dims[2], dims[3]],
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
    });
  }
  /** Bilinear resize to `sizes` (int64 [4] tensor), as torch F.interpolate(align_corners=False). */
  resizeBilinear(x: string, sizes: string): string {
    return this.node('Resize', [x, '', '', sizes], {
      mode: 'linear',
      coordinate_transformation_mode: 'pytorch_half_pixel',
    });
  }
}
