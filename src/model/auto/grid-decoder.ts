import type { BboxXywh, CompressedRle, Point } from '../../geometry/index.js';
import type { Embedding, Segmenter } from '../segmenter.js';

/**
 * How "segment everything" asks a backend about its grid points. The filters of the reference
 * (predicted IoU, stability, crop edges, box NMS) only need a candidate's scores and box, so a
 * decoder hands those out first and builds masks (bitmap, RLE) later, for the few candidates
 * that survive them.
 */

/** A candidate's mask, in the coordinates of the embedding's picture (the crop). */
export interface CandidateMask {
  rle: CompressedRle;
  bbox: BboxXywh;
  area: number;
  predictedIou: number;
  stabilityScore: number;
}

/**
 * One candidate of a grid point before any mask is built. Stability and box are computed on
 * first call (from the logits); both are what the candidate's mask would give. Valid until the
 * next decode() of its CropDecoder: keep `ref`, not the candidate.
 */
export interface GridCandidate<Ref = unknown> {
  readonly predictedIou: number;
  stabilityScore(): number;
  /** COCO box of the mask in the picture the embedding is of; null when the mask is empty. */
  bbox(): BboxXywh | null;
  /** A small handle for CropDecoder.masks (it does not hold the logits). */
  readonly ref: Ref;
}

/** Decodes single positive clicks on one embedding (the whole picture's or a crop's). */
export interface CropDecoder<Ref = unknown> {
  /** The candidates of a click at `point`, best first (as Segmenter.predict ranks them). */
  decode(point: Point): Promise<GridCandidate<Ref>[]>;
  /** The masks of candidates decode() gave (by their refs), in the same order. */
  masks(refs: readonly Ref[]): Promise<CandidateMask[]>;
}

/** A backend's grid decoding, opened once and used for many pictures. */
export interface GridDecoder {
  readonly segmenter: Segmenter;
  forEmbedding(embedding: Embedding): Promise<CropDecoder>;
  /** Frees what open took (a SAM decoder session); the segmenter itself stays open. */
  release(): Promise<void>;
}

/**
 * Any Segmenter through predict(): every candidate's mask is built by the backend anyway, so the
 * ref is the mask itself (RLE, not the bitmap). The default segmenter and EdgeSAM-style
 * decoders go this way.
 */
export class PredictGridDecoder implements GridDecoder {
  constructor(readonly segmenter: Segmenter) {}

  forEmbedding(embedding: Embedding): Promise<CropDecoder<CandidateMask>> {
    const segmenter = this.segmenter;
    return Promise.resolve({
      async decode(point) {
        const candidates = await segmenter.predict(embedding, {
          points: [{ x: point.x, y: point.y, label: 1 }],
        });
        return candidates.map(({ rle, bbox, area, predictedIou, stabilityScore }) => ({
          predictedIou,
          stabilityScore: () => stabilityScore,
          bbox: () => (area === 0 ? null : bbox),
          ref: { rle, bbox, area, predictedIou, stabilityScore },
        }));
      },
      masks: (refs) => Promise.resolve([...refs]),
    });
  }

  release(): Promise<void> {
    return Promise.resolve();
  }
}
