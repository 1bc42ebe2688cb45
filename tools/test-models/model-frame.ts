/**
 * Constants of the model frame (MODELS.md) and of the feature layout the test encoders write and
 * the test decoders read back.
 */

/** Side of the square model input, in pixels. */
export const MODEL_SIZE = 1024;
/** Side of the image embedding (contract A `image_embeddings`, contract B `image_embed`). */
export const EMBED_SIZE = 64;
/** Side of the low-res masks and of the grid the decoders work on. */
export const LOW_RES_SIZE = 256;

/** Contract A normalisation, 0-255 scale. */
export const SAM1_PIXEL_MEAN = [123.675, 116.28, 103.53] as const;
export const SAM1_PIXEL_STD = [58.395, 57.12, 57.375] as const;
/** Contract B normalisation, 0-1 scale (ImageNet). */
export const SAM2_PIXEL_MEAN = [0.485, 0.456, 0.406] as const;
export const SAM2_PIXEL_STD = [0.229, 0.224, 0.225] as const;

/**
 * Contract A embedding layout: the normalised RGB and a validity plane (1 = image, 0 = padding),
 * each averaged over 4x4-pixel blocks (a 256x256 map), are packed space-to-depth into channels
 * 0..63: channel (dy * 4 + dx) * 4 + c of embedding cell (i, j) holds plane c (r, g, b, valid)
 * of block (4i + dy, 4j + dx). Channels 64..255 hold fixed pseudo-random mixtures of those 64,
 * so the embedding is dense like a real one; the decoders ignore them.
 */
export const PACKED_BLOCK = 4;
export const PACKED_PLANES = 4;
export const PACKED_CHANNELS = PACKED_BLOCK * PACKED_BLOCK * PACKED_PLANES;
export const EMBED_CHANNELS = 256;

/**
 * Contract B: channels 0..2 of each feature map hold the normalised RGB averaged to its grid
 * (high_res_feats_0: 256, high_res_feats_1: 128, image_embed: 64); the other channels are fixed
 * pseudo-random mixtures of those three.
 */
export const SAM2_FEATURES = [
  { name: 'high_res_feats_0', channels: 32, size: 256 },
  { name: 'high_res_feats_1', channels: 64, size: 128 },
  { name: 'image_embed', channels: 256, size: 64 },
] as const;

/** Reads the packed colour of contract A's 4x4 block containing model-frame pixel (x, y). */
export function packedBlockColour(
  embedding: Float32Array,
  x: number,
  y: number,
): { rgb: [number, number, number]; valid: number } {
  const bx = Math.floor(x / PACKED_BLOCK);
  const by = Math.floor(y / PACKED_BLOCK);
  const cell = Math.floor(by / PACKED_BLOCK) * EMBED_SIZE + Math.floor(bx / PACKED_BLOCK);
  const sub = ((by % PACKED_BLOCK) * PACKED_BLOCK + (bx % PACKED_BLOCK)) * PACKED_PLANES;
  const plane = (c: number): number => embedding[(sub + c) * EMBED_SIZE * EMBED_SIZE + cell] ?? NaN;
  return { rgb: [plane(0), plane(1), plane(2)], valid: plane(3) };
}
