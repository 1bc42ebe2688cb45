import {
  bitmapArea,
  bitmapBbox,
  bitmapIou,
  encodeMask,
  originalToModel,
  type Bitmap,
} from '../../geometry/index.js';
import type {
  Candidate,
  Embedding,
  PointPrompt,
  Prompt,
  Segmenter,
  SegmenterImage,
} from '../segmenter.js';
import { colourEdges } from './edges.js';
import { encodeWorkingImage } from './encode.js';
import { loadOpenCv } from './opencv.js';
import { toWorkingPrompt } from './prompt.js';
import { DEFAULT_SEGMENT_OPTIONS, segment, type SegmentOptions } from './segment.js';
import { frameMaskToOriginal } from './upscale.js';
import { DEFAULT_SEGMENTER_ID, workingImageOf } from './working-image.js';

/** Candidates closer than this (IoU) to a better one are dropped as duplicates. */
const DUPLICATE_IOU = 0.95;

export interface DefaultSegmenterOptions {
  segment?: Partial<SegmentOptions>;
}

/**
 * The weight-free segmenter: GrabCut (OpenCV's, in wasm) seeded from the clicks and box, on the
 * display-size picture (longest side 1024) in CIE Lab; see segment.ts for the method. No model
 * files: encode() is a resize and a colour conversion, so the "embedding" is that picture and
 * caches like a SAM embedding.
 *
 * predict() takes points and at most one box in original coordinates and returns masks at the
 * original size, best first: for clicks, the refined mask then the coarse alternatives that
 * differ from it (up to 3); for a box, one; none when the cut finds nothing (a box thinner than
 * a pixel of the working picture). A positive click's pixel is always in its mask, a negative
 * one's never. predictedIou is the mask's agreement with its own
 * colour models (gmm.ts colourAgreement); stabilityScore is 1 and lowRes null (there are no
 * logits to refine from: a prompt's maskInput is ignored, each prompt is cut from its clicks).
 * A prompt it cannot serve throws PromptError naming the field; an embedding that is not its
 * own throws EmbeddingError.
 */
export class DefaultSegmenter implements Segmenter {
  readonly id = DEFAULT_SEGMENTER_ID;
  readonly kind = 'default' as const;
  private readonly options: SegmentOptions;

  constructor(options: DefaultSegmenterOptions = {}) {
    this.options = { ...DEFAULT_SEGMENT_OPTIONS, ...options.segment };
  }

  async encode(image: SegmenterImage, signal?: AbortSignal): Promise<Embedding> {
    const { cv } = await loadOpenCv();
    return encodeWorkingImage(cv, image, signal);
  }

  async predict(embedding: Embedding, prompt: Prompt): Promise<Candidate[]> {
    const image = workingImageOf(embedding);
    const working = { width: image.lab.width, height: image.lab.height };
    const toWorking = originalToModel(image.original, 'longest-side');
    const workingPrompt = toWorkingPrompt(prompt, image.original, toWorking);
    const { cv } = await loadOpenCv();
    const candidates: Candidate[] = [];
    for (const result of segment(cv, image, workingPrompt, this.options)) {
      const edges = colourEdges(image.lab, result.models, this.options.edgeColourWeight);
      const mask = frameMaskToOriginal(result.frame, result.mask, working, image.original, edges);
      honourClicks(mask, prompt.points);
      const area = bitmapArea(mask);
      if (area === 0 || candidates.some((c) => bitmapIou(c.mask, mask) > DUPLICATE_IOU)) continue;
      candidates.push(candidateOf(mask, area, result.score));
    }
    return candidates;
  }

  /** Nothing to free: the OpenCV module is shared by the process and holds no per-model state. */
  async release(): Promise<void> {}
}

/**
 * The pixel under each click is a hard label in the cut; resampling to the original size must
 * not lose it: positive clicks are always inside their mask, negative ones outside.
 */
function honourClicks(mask: Bitmap, points: PointPrompt[]): void {
  for (const p of points) {
    const x = Math.min(mask.width - 1, Math.floor(p.x));
    const y = Math.min(mask.height - 1, Math.floor(p.y));
    mask.data[y * mask.width + x] = p.label;
  }
}

function candidateOf(mask: Bitmap, area: number, predictedIou: number): Candidate {
  return {
    mask,
    rle: encodeMask(mask),
    bbox: bitmapBbox(mask),
    area,
    predictedIou,
    stabilityScore: 1,
    lowRes: null,
  };
}
