import type { Bitmap, Size } from '../../geometry/index.js';
import type { Candidate, LowResLogits } from '../segmenter.js';
import { gridStats, type GridStats, type LogitGrid } from './grid-stats.js';
import { upsampleMask, type RegionMask } from './logit-mask.js';
import { regionBitmap, regionRle } from './region-rle.js';

/** What a decoder run gave for one candidate, before it becomes a mask. */
export interface DecodedCandidate {
  /** Index in the decoder's output (C axis). */
  index: number;
  /** Logits over the whole original picture, at whatever resolution the decoder gave. */
  grid: LogitGrid;
  predictedIou: number;
  lowRes: LowResLogits | null;
  /** gridStats(grid), when the decoder's path computed them already (frame-logits.ts). */
  stats?: GridStats;
}

/** Multimask files (C = 4): index 0 is the single-mask token, 1..3 the three candidates. */
const MULTIMASK_WITH_SINGLE = 4;

/**
 * Which outputs are shown, and which one leads regardless of the ranking.
 *
 * C = 4 files (SamOnnxModel without --return-single-mask, EdgeSAM): for an ambiguous prompt (one
 * click, or a lone box) SAM's answer is its three multimask candidates and token 0 is not
 * trained for it, so 1..3 are returned. For more clicks (or clicks with a box) token 0 is SAM's
 * answer (what SamOnnxModel.select_masks and SamPredictor with multimask_output=False return):
 * it comes first, followed by the three candidates as alternatives. Other files: every output.
 */
export function candidateSelection(
  count: number,
  ambiguous: boolean,
): { lead: number | null; ranked: number[] } {
  const all = Array.from({ length: count }, (_, i) => i);
  if (count !== MULTIMASK_WITH_SINGLE) return { lead: null, ranked: all };
  return { lead: ambiguous ? null : 0, ranked: all.slice(1) };
}

/**
 * Candidates at original size, best first: `lead` (if any), then the rest by predicted IoU, or
 * by stability score for decoders whose scores MODELS.md says not to rank by (EdgeSAM).
 */
export function buildCandidates(
  decoded: DecodedCandidate[],
  lead: number | null,
  rankBy: 'iou' | 'stability',
  original: Size,
): Candidate[] {
  const scored = decoded.map((d) => ({ d, stats: d.stats ?? gridStats(d.grid) }));
  const key = (s: (typeof scored)[number]): number =>
    rankBy === 'iou' ? s.d.predictedIou : s.stats.stability;
  scored.sort((a, b) => {
    if (a.d.index === lead) return -1;
    if (b.d.index === lead) return 1;
    return key(b) - key(a) || a.d.index - b.d.index;
  });
  return scored.map(({ d, stats }) => {
    const region = upsampleMask(d.grid, stats, original);
    return lazyMaskCandidate(region, original, {
      rle: regionRle(region, original),
      bbox: region.bbox,
      area: region.area,
      predictedIou: d.predictedIou,
      stabilityScore: stats.stability,
      lowRes: d.lowRes,
    });
  });
}

/**
 * A candidate whose full-size `mask` bitmap is made on first read and then kept: callers that
 * only send the RLE and bbox (the browser, the prediction cache) never pay for the 24 MB a
 * 24-megapixel picture's bitmap takes. Spreading or cloning the candidate reads it.
 */
function lazyMaskCandidate(
  region: RegionMask,
  original: Size,
  rest: Omit<Candidate, 'mask'>,
): Candidate {
  let mask: Bitmap | undefined;
  return {
    get mask(): Bitmap {
      mask ??= regionBitmap(region, original);
      return mask;
    },
    set mask(value: Bitmap) {
      mask = value;
    },
    ...rest,
  };
}
