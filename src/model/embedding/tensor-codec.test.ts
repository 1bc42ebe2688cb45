import { afterAll, describe, expect, it } from 'vitest';
import { DiskCache, type JsonObject } from '../../cache/index.js';
import type { Embedding } from '../segmenter.js';
import { EmbeddingCodecError } from './errors.js';
import { float16ToFloat32, float32ToFloat16 } from './float16.js';
import { decodeEmbedding, encodeEmbedding, EMBEDDING_FORMAT } from './tensor-codec.js';
import { gaussianEmbeddingValues, tempFolder } from './test-support.js';

const folder = tempFolder('codec');
afterAll(folder.remove);

/** A SAM 2-shaped embedding (three float maps, smaller) plus a uint8 tensor, as the default backend has. */
function sampleEmbedding(): Embedding {
  return {
    modelId: 'sam2-test',
    imageKey: 'stat:a/b.jpg:1234:5678',
    original: { width: 640, height: 480 },
    tensors: {
      image_embed: { dims: [1, 16, 8, 8], data: gaussianEmbeddingValues(16 * 64, 1) },
      high_res_feats_0: { dims: [1, 4, 32, 32], data: gaussianEmbeddingValues(4 * 1024, 2) },
      // An odd byte count, so that the next tensor needs padding to its boundary.
      lab: { dims: [3, 5, 7], data: Uint8Array.from({ length: 105 }, (_, i) => (i * 37) % 256) },
      high_res_feats_1: { dims: [1, 8, 16, 16], data: gaussianEmbeddingValues(8 * 256, 3) },
    },
  };
}

const expected = { modelId: 'sam2-test', imageKey: 'stat:a/b.jpg:1234:5678' };

function float16RoundTrip(data: Float32Array | Uint8Array): Float32Array {
  return float16ToFloat32(float32ToFloat16(data as Float32Array));
}

describe('encodeEmbedding / decodeEmbedding', () => {
  it('stores float32 tensors as float16 by default, uint8 as they are, each on a 64-byte boundary', () => {
    const embedding = sampleEmbedding();
    const { payload, meta } = encodeEmbedding(embedding);
    const layouts = meta.tensors as Array<Record<string, JsonObject[string]>>;
    expect(meta).toMatchObject({
      format: EMBEDDING_FORMAT,
      modelId: 'sam2-test',
      imageKey: 'stat:a/b.jpg:1234:5678',
      original: { width: 640, height: 480 },
    });
    expect(layouts.map((t) => [t.name, t.dtype, t.stored, t.bytes])).toEqual([
      ['high_res_feats_0', 'float32', 'float16', 4096 * 2],
      ['high_res_feats_1', 'float32', 'float16', 2048 * 2],
      ['image_embed', 'float32', 'float16', 1024 * 2],
      ['lab', 'uint8', 'uint8', 105],
    ]);
    for (const layout of layouts) expect((layout.offset as number) % 64).toBe(0);
    expect(payload.byteLength).toBe((layouts[3]!.offset as number) + 105);

    const back = decodeEmbedding(payload, meta, expected);
    expect(back.original).toEqual({ width: 640, height: 480 });
    for (const [name, tensor] of Object.entries(embedding.tensors)) {
      const restored = back.tensors[name]!;
      expect(restored.dims).toEqual(tensor.dims);
      if (tensor.data instanceof Uint8Array) expect(restored.data).toEqual(tensor.data);
      else expect(restored.data).toEqual(float16RoundTrip(tensor.data));
    }
  });

  it('keeps float32 bit for bit when asked, and the same embedding always gives the same bytes', () => {
    const embedding = sampleEmbedding();
    const { payload, meta } = encodeEmbedding(embedding, 'float32');
    expect((meta.tensors as JsonObject[]).map((t) => t.stored)).toEqual([
      'float32',
      'float32',
      'float32',
      'uint8',
    ]);
    const back = decodeEmbedding(payload, meta, expected);
    for (const [name, tensor] of Object.entries(embedding.tensors)) {
      expect(
        Buffer.from(
          back.tensors[name]!.data.buffer,
          back.tensors[name]!.data.byteOffset,
          tensor.data.byteLength,
        ),
      ).toEqual(Buffer.from(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
    }
    expect(encodeEmbedding(sampleEmbedding(), 'float32').payload).toEqual(payload);
  });

  it('reads float32 tensors from a real disk cache entry as views, without copying', async () => {
    const disk = await DiskCache.open({ dir: folder.dir, capBytes: 1 << 30 });
    const { payload, meta } = encodeEmbedding(sampleEmbedding(), 'float32');
    await disk.set('k', payload, meta);
    const entry = (await disk.get('k'))!;
    const back = decodeEmbedding(entry.payload, entry.meta, expected);
    for (const tensor of Object.values(back.tensors)) {
      expect(tensor.data.buffer).toBe(entry.payload.buffer);
    }
    expect(back.tensors.image_embed!.data).toEqual(sampleEmbedding().tensors.image_embed!.data);
  });

  it('halves the payload of float tensors with float16', () => {
    const embedding: Embedding = {
      ...sampleEmbedding(),
      tensors: {
        image_embeddings: { dims: [1, 256, 64, 64], data: gaussianEmbeddingValues(256 * 4096, 5) },
      },
    };
    expect(encodeEmbedding(embedding, 'float32').payload.byteLength).toBe(4 * 1024 * 1024);
    expect(encodeEmbedding(embedding, 'float16').payload.byteLength).toBe(2 * 1024 * 1024);
  });

  it('refuses tensors whose dims do not match their data, or whose data is not float32/uint8', () => {
    const bad = sampleEmbedding();
    bad.tensors.image_embed = { dims: [1, 16, 8, 9], data: new Float32Array(1024) };
    expect(() => encodeEmbedding(bad)).toThrow(
      /tensor "image_embed": dims \[1,16,8,9\] do not match its 1024 values/,
    );
    const wrongType = sampleEmbedding();
    wrongType.tensors.lab = { dims: [2], data: new Float64Array(2) as unknown as Float32Array };
    expect(() => encodeEmbedding(wrongType)).toThrow(
      /"lab": data must be a Float32Array or Uint8Array, got Float64Array/,
    );
  });
});

describe('decodeEmbedding refuses metadata that does not describe this embedding', () => {
  const { payload, meta } = encodeEmbedding(sampleEmbedding());
  const tensors = meta.tensors as JsonObject[];
  const withTensor = (index: number, change: JsonObject): JsonObject => ({
    ...meta,
    tensors: tensors.map((t, i) => (i === index ? { ...t, ...change } : t)),
  });

  const cases: Array<[string, JsonObject, string, RegExp]> = [
    ['another format', { ...meta, format: 2 }, 'format', /format 2, expected 1/],
    [
      'another model',
      { ...meta, modelId: 'sam-vit-b' },
      'modelId',
      /modelId "sam-vit-b", expected "sam2-test"/,
    ],
    ['another image', { ...meta, imageKey: 'stat:x' }, 'imageKey', /imageKey "stat:x"/],
    [
      'no size',
      { ...meta, original: { width: 0, height: 480 } },
      'original',
      /original size \{"width":0,"height":480\}/,
    ],
    ['no tensor list', { ...meta, tensors: 'none' }, 'tensors', /tensors "none"/],
    ['a nameless tensor', withTensor(0, { name: '' }), 'tensors.name', /tensor name ""/],
    [
      'bad dims',
      withTensor(0, { dims: [1, -4] }),
      'tensors.dims',
      /"high_res_feats_0": dims \[1,-4\]/,
    ],
    ['an unknown dtype', withTensor(1, { dtype: 'int64' }), 'tensors.dtype', /dtype "int64"/],
    [
      'uint8 stored as float16',
      withTensor(3, { stored: 'float16' }),
      'tensors.stored',
      /uint8 stored as "float16"/,
    ],
    [
      'a byte count off',
      withTensor(2, { bytes: 100 }),
      'tensors.bytes',
      /100 bytes, but dims \[1,16,8,8\] as float16 need 2048/,
    ],
    [
      'an offset past the end',
      withTensor(3, { offset: 64 * 1000 }),
      'tensors.offset',
      /offset 64000 with 105 bytes does not fit/,
    ],
    ['an unaligned offset', withTensor(0, { offset: 2 }), 'tensors.offset', /offset 2/],
    [
      'a tensor twice',
      { ...meta, tensors: [tensors[0]!, tensors[0]!] },
      'tensors',
      /"high_res_feats_0" appears twice/,
    ],
  ];

  it.each(cases)('%s', (_what, badMeta, field, message) => {
    let error: unknown;
    try {
      decodeEmbedding(payload, badMeta, expected);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EmbeddingCodecError);
    expect((error as EmbeddingCodecError).field).toBe(field);
    expect((error as Error).message).toMatch(message);
  });

  it('refuses a payload shorter than its tensors', () => {
    expect(() => decodeEmbedding(payload.subarray(0, 1000), meta, expected)).toThrow(
      /does not fit a 1000-byte payload/,
    );
  });
});
