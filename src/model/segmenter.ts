import type { RawImage } from '../dataset/raw-image.js';
import type { Bitmap, BboxXywh, CompressedRle, ResizeContract, Size } from '../geometry/index.js';

/**
 * The one interface every segmentation backend serves: SAM ONNX pairs (contracts A and B of
 * MODELS.md) and the weight-free default. Prompts and masks are in ORIGINAL image space
 * (continuous coordinates, pixel (i, j) covers [i, i+1) x [j, j+1)); each backend converts to
 * its own model space through geometry/.
 */

/** A click. label 1 = positive (add), 0 = negative (remove). */
export interface PointPrompt {
  x: number;
  y: number;
  label: 0 | 1;
}

/** A box from corner (x0, y0) to corner (x1, y1), covering pixels x0..x1-1, y0..y1-1. */
export interface BoxPrompt {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** Low-resolution mask logits (SAM: 256 x 256 float32), fed back to refine an answer. */
export interface LowResLogits {
  width: number;
  height: number;
  data: Float32Array;
}

export interface Prompt {
  points: PointPrompt[];
  box?: BoxPrompt;
  /** The low-res logits of an earlier candidate, to refine it with more clicks. */
  maskInput?: LowResLogits;
}

export interface Candidate {
  /** Mask at original size. */
  mask: Bitmap;
  rle: CompressedRle;
  bbox: BboxXywh;
  area: number;
  /** The model's own quality estimate (SAM's iou_predictions); 0..1. */
  predictedIou: number;
  /** count(logit > +1) / count(logit > -1); 1 for backends without logits. */
  stabilityScore: number;
  /** Feed back as Prompt.maskInput to refine; null when the backend cannot refine from it. */
  lowRes: LowResLogits | null;
}

/** A tensor as stored in caches: shape and flat data. */
export interface StoredTensor {
  dims: number[];
  data: Float32Array | Uint8Array;
}

/** What encode() computed for one image: opaque to everyone but its backend. */
export interface Embedding {
  modelId: string;
  imageKey: string;
  /** Original (oriented) size of the image the embedding was computed for. */
  original: Size;
  tensors: Record<string, StoredTensor>;
}

/** What a backend may ask of an image; pixels are decoded lazily, only when asked. */
export interface SegmenterImage {
  /** Content key: path + size + mtime, or a content hash. */
  key: string;
  /** Original (oriented) size. */
  size: Size;
  /** RGB uint8 HWC resized for a model contract (dataset/ImageService.getModelInput). */
  modelInput(contract: ResizeContract): Promise<RawImage>;
}

export interface Segmenter {
  /** Stable id used in cache keys, e.g. "sam-vit-b-01ec64" or "default". */
  readonly id: string;
  readonly kind: 'sam1' | 'sam2' | 'default';
  encode(image: SegmenterImage, signal?: AbortSignal): Promise<Embedding>;
  /**
   * Optional: work on a picture decoded ahead of its encode (SegmenterImage.modelInput's
   * result) that can be done before the encode, while another one runs; encode() of an image
   * whose modelInput gives these pixels then skips it.
   */
  prepareInput?(pixels: RawImage, contract: ResizeContract): void;
  /** Candidates best first; every candidate the backend produces. */
  predict(embedding: Embedding, prompt: Prompt): Promise<Candidate[]>;
  /** Frees sessions and native memory; the next call loads them again. */
  release(): Promise<void>;
}

export function embeddingBytes(embedding: Embedding): number {
  let bytes = 0;
  for (const tensor of Object.values(embedding.tensors)) bytes += tensor.data.byteLength;
  return bytes;
}

/** A prompt a backend cannot serve; the message names the field and value. */
export class PromptError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'PromptError';
  }
}

/**
 * An embedding a backend cannot use: computed by another segmenter, or damaged on its way
 * through a cache. The field names the tensor or property at fault.
 */
export class EmbeddingError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'EmbeddingError';
  }
}
