import type { JsonObject, JsonValue } from '../../cache/index.js';
import type { Embedding, StoredTensor } from '../segmenter.js';
import { EmbeddingCodecError } from './errors.js';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';

/** How float32 tensors are written to disk; uint8 tensors are always stored as they are. */
export type DiskDtype = 'float16' | 'float32';

type InMemoryDtype = 'float32' | 'uint8';
type StoredDtype = 'float16' | 'float32' | 'uint8';

/** One tensor's place in the payload. */
interface TensorLayout {
  name: string;
  dims: number[];
  dtype: InMemoryDtype;
  stored: StoredDtype;
  /** Byte offset in the payload: a multiple of TENSOR_ALIGNMENT. */
  offset: number;
  bytes: number;
}

export interface EncodedEmbedding {
  payload: Uint8Array;
  meta: JsonObject;
}

/** Bumped when the layout changes; entries of another format are dropped and re-encoded. */
export const EMBEDDING_FORMAT = 1;
/**
 * Each tensor starts on a 64-byte boundary of the payload, and the disk cache aligns payloads to
 * 64 bytes: a float32 tensor read back is a view into the file's buffer, not a copy.
 */
const TENSOR_ALIGNMENT = 64;

const BYTES_PER_VALUE: Record<StoredDtype, number> = { float16: 2, float32: 4, uint8: 1 };

/**
 * Lays an embedding's tensors out for the disk cache: float32 tensors as `dtype` (float16 halves
 * the file and the read; see float16.ts for the error), uint8 tensors as they are. The metadata
 * holds everything needed to check and rebuild it: model id, image key, original size, and per
 * tensor its name, dims, dtypes and place.
 */
export function encodeEmbedding(
  embedding: Embedding,
  dtype: DiskDtype = 'float16',
): EncodedEmbedding {
  const layouts: TensorLayout[] = [];
  let end = 0;
  // Sorted, so that the same embedding always gives the same bytes.
  for (const name of Object.keys(embedding.tensors).sort()) {
    const tensor = embedding.tensors[name]!;
    const memory = inMemoryDtypeOf(tensor, name);
    const count = checkedCount(tensor, name);
    const stored: StoredDtype = memory === 'uint8' ? 'uint8' : dtype;
    const offset = alignUp(end);
    const bytes = count * BYTES_PER_VALUE[stored];
    layouts.push({ name, dims: [...tensor.dims], dtype: memory, stored, offset, bytes });
    end = offset + bytes;
  }
  const payload = new Uint8Array(end);
  for (const layout of layouts) writeTensor(payload, layout, embedding.tensors[layout.name]!);
  const meta: JsonObject = {
    format: EMBEDDING_FORMAT,
    modelId: embedding.modelId,
    imageKey: embedding.imageKey,
    original: { width: embedding.original.width, height: embedding.original.height },
    tensors: layouts.map((layout) => ({ ...layout })),
  };
  return { payload, meta };
}

/**
 * Rebuilds an embedding from what encodeEmbedding wrote, checking that it belongs to `expected`
 * and that every tensor fits the payload. Throws EmbeddingCodecError naming what is wrong.
 */
export function decodeEmbedding(
  payload: Uint8Array,
  meta: JsonObject,
  expected: { modelId: string; imageKey: string },
): Embedding {
  if (meta.format !== EMBEDDING_FORMAT) {
    throw codecError('format', `format ${show(meta.format)}, expected ${EMBEDDING_FORMAT}`);
  }
  for (const field of ['modelId', 'imageKey'] as const) {
    if (meta[field] !== expected[field]) {
      throw codecError(field, `${field} ${show(meta[field])}, expected ${show(expected[field])}`);
    }
  }
  const original = readSize(meta.original);
  if (!Array.isArray(meta.tensors)) throw codecError('tensors', `tensors ${show(meta.tensors)}`);
  const tensors: Record<string, StoredTensor> = {};
  for (const raw of meta.tensors) {
    const layout = readLayout(raw, payload.byteLength);
    if (Object.hasOwn(tensors, layout.name)) {
      throw codecError('tensors', `tensor ${show(layout.name)} appears twice`);
    }
    tensors[layout.name] = readTensor(payload, layout);
  }
  return { modelId: expected.modelId, imageKey: expected.imageKey, original, tensors };
}

function writeTensor(payload: Uint8Array, layout: TensorLayout, tensor: StoredTensor): void {
  const { data } = tensor;
  if (layout.stored === 'float16') {
    // offset is 64-aligned in a fresh buffer, so a Uint16Array view is allowed.
    const target = new Uint16Array(payload.buffer, payload.byteOffset + layout.offset, data.length);
    float32ToFloat16(data as Float32Array, target);
    return;
  }
  payload.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), layout.offset);
}

function readTensor(payload: Uint8Array, layout: TensorLayout): StoredTensor {
  const count = layout.bytes / BYTES_PER_VALUE[layout.stored];
  const start = payload.byteOffset + layout.offset;
  const dims = layout.dims;
  switch (layout.stored) {
    case 'uint8':
      return { dims, data: new Uint8Array(payload.buffer, start, count) };
    case 'float32':
      return { dims, data: floatView(payload, start, count) };
    case 'float16': {
      const halves =
        start % 2 === 0
          ? new Uint16Array(payload.buffer, start, count)
          : new Uint16Array(payload.slice(layout.offset, layout.offset + layout.bytes).buffer);
      return { dims, data: float16ToFloat32(halves) };
    }
  }
}

/** A view when the bytes are 4-aligned (always, for payloads from the disk cache), else a copy. */
function floatView(payload: Uint8Array, start: number, count: number): Float32Array {
  if (start % 4 === 0) return new Float32Array(payload.buffer, start, count);
  const from = start - payload.byteOffset;
  return new Float32Array(payload.slice(from, from + count * 4).buffer);
}

function readLayout(raw: JsonValue, payloadBytes: number): TensorLayout {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw codecError('tensors', `tensor entry ${show(raw)}`);
  }
  const { name, dims, dtype, stored, offset, bytes } = raw;
  if (typeof name !== 'string' || name === '') {
    throw codecError('tensors.name', `tensor name ${show(name)}`);
  }
  const where = `tensor ${show(name)}`;
  if (
    !Array.isArray(dims) ||
    !dims.every((d): d is number => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)
  ) {
    throw codecError('tensors.dims', `${where}: dims ${show(dims)}`);
  }
  if (dtype !== 'float32' && dtype !== 'uint8') {
    throw codecError('tensors.dtype', `${where}: dtype ${show(dtype)}`);
  }
  const storedOk =
    dtype === 'uint8' ? stored === 'uint8' : stored === 'float16' || stored === 'float32';
  if (!storedOk) {
    throw codecError('tensors.stored', `${where}: ${dtype} stored as ${show(stored)}`);
  }
  const storedDtype = stored as StoredDtype;
  const count = dims.reduce((product, d) => product * d, 1);
  const expectedBytes = count * BYTES_PER_VALUE[storedDtype];
  if (bytes !== expectedBytes) {
    throw codecError(
      'tensors.bytes',
      `${where}: ${show(bytes)} bytes, but dims ${JSON.stringify(dims)} as ${storedDtype} need ${expectedBytes}`,
    );
  }
  if (
    typeof offset !== 'number' ||
    !Number.isSafeInteger(offset) ||
    offset < 0 ||
    offset % TENSOR_ALIGNMENT !== 0 ||
    offset + expectedBytes > payloadBytes
  ) {
    throw codecError(
      'tensors.offset',
      `${where}: offset ${show(offset)} with ${expectedBytes} bytes does not fit a ${payloadBytes}-byte payload`,
    );
  }
  return { name, dims, dtype, stored: storedDtype, offset, bytes: expectedBytes };
}

function readSize(raw: JsonValue | undefined): { width: number; height: number } {
  const ok =
    raw !== null &&
    typeof raw === 'object' &&
    !Array.isArray(raw) &&
    isPositiveInteger(raw.width) &&
    isPositiveInteger(raw.height);
  if (!ok) throw codecError('original', `original size ${show(raw)}`);
  return { width: raw.width as number, height: raw.height as number };
}

function inMemoryDtypeOf(tensor: StoredTensor, name: string): InMemoryDtype {
  if (tensor.data instanceof Float32Array) return 'float32';
  if (tensor.data instanceof Uint8Array) return 'uint8';
  throw new EmbeddingCodecError(
    `embedding tensor ${show(name)}: data must be a Float32Array or Uint8Array, got ${describe(tensor.data)}`,
    'tensors.data',
  );
}

function checkedCount(tensor: StoredTensor, name: string): number {
  const ok =
    Array.isArray(tensor.dims) && tensor.dims.every((d) => Number.isSafeInteger(d) && d >= 0);
  const count = ok ? tensor.dims.reduce((product, d) => product * d, 1) : NaN;
  if (count !== tensor.data.length) {
    throw new EmbeddingCodecError(
      `embedding tensor ${show(name)}: dims ${JSON.stringify(tensor.dims)} do not match its ${tensor.data.length} values`,
      'tensors.dims',
    );
  }
  return count;
}

function alignUp(bytes: number): number {
  return Math.ceil(bytes / TENSOR_ALIGNMENT) * TENSOR_ALIGNMENT;
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

function codecError(field: string, found: string): EmbeddingCodecError {
  return new EmbeddingCodecError(`cached embedding metadata: ${found}`, field);
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function describe(value: unknown): string {
  return value === null || value === undefined
    ? String(value)
    : ((value as object).constructor?.name ?? typeof value);
}
