import {
  parseRle,
  runsToCompressed,
  type BboxXywh,
  type CompressedRle,
  type Point,
  type Size,
} from '../../geometry/index.js';
import type { Embedding, Segmenter } from '../segmenter.js';
import { boxNms } from './box-nms.js';
import { cropImage, type PixelSource } from './crop-image.js';
import {
  cropBoxes,
  cropSize,
  isNearCropEdge,
  isWholePicture,
  pointGrid,
  type CropBox,
} from './crop-boxes.js';
import type { CandidateMask, GridCandidate, GridDecoder } from './grid-decoder.js';
import { cleanMask } from './mask-cleanup.js';
import { openGridDecoder } from './open-grid-decoder.js';
import { AutoMaskOptionError, resolveAutoMaskSettings, type AutoMaskSettings } from './options.js';
import { uncropRuns } from './rle-region.js';

/** One object found by "segment everything", in original picture coordinates. */
export interface AutoMask {
  rle: CompressedRle;
  /** COCO [x, y, w, h] of the mask's pixel-edge rectangle. */
  bbox: BboxXywh;
  area: number;
  predictedIou: number;
  stabilityScore: number;
  /** The grid point whose click gave this mask. */
  point: Point;
  /** The crop it was found in, [x, y, w, h]: the whole picture unless crop layers are on. */
  cropBox: BboxXywh;
}

export interface AutoMaskProgress {
  pointsDone: number;
  pointsTotal: number;
  /** Crops finished (the whole picture is crop 1). */
  cropsDone: number;
  cropsTotal: number;
}

/** How many candidates each step let through, to see what the thresholds do. */
export interface AutoMaskStats {
  crops: number;
  points: number;
  /** Every candidate the backend returned for every point. */
  candidates: number;
  keptByIou: number;
  keptByStability: number;
  /** Not empty and not cut off by an inner crop edge. */
  keptByCropEdge: number;
  /** After box NMS within each crop. */
  keptByNms: number;
  /** After box NMS between crops (equal to keptByNms with one crop). */
  keptByCropNms: number;
  /** Masks changed by the small-region cleanup. */
  cleaned: number;
  /** Returned. */
  masks: number;
}

export interface GenerateMasksOptions extends Partial<AutoMaskSettings> {
  /** The picture's pixels, needed when cropLayers > 0 (each crop is encoded on its own). */
  image?: PixelSource;
  signal?: AbortSignal;
  /** Called after each batch of points. */
  onProgress?: (progress: AutoMaskProgress) => void;
  /**
   * The grid decoding of `segmenter` (openGridDecoder), to share one decoder session among
   * many pictures; by default one is opened for this call and released after it.
   */
  decoder?: GridDecoder;
}

export interface GenerateMasksResult {
  /** Best first: by predicted IoU, masks from smaller crops and untouched by cleanup first. */
  masks: AutoMask[];
  stats: AutoMaskStats;
  settings: AutoMaskSettings;
}

interface Found extends AutoMask {
  cropArea: number;
}

/** A candidate the filters kept, before its mask is built: box and point in the picture. */
interface Kept {
  predictedIou: number;
  bbox: BboxXywh;
  point: Point;
  ref: unknown;
}

function cropBbox(crop: CropBox): BboxXywh {
  return [crop.x0, crop.y0, crop.x1 - crop.x0, crop.y1 - crop.y0];
}

/**
 * "Segment everything" over any Segmenter, the reference algorithm of SamAutomaticMaskGenerator
 * (MODELS.md): a grid of single positive clicks over the picture (and over each crop of the
 * crop layers, encoded on its own), every candidate of every click filtered by predicted IoU
 * and stability, masks cut off by an inner crop edge dropped, duplicates removed by box NMS
 * within each crop and then between crops (the smaller crop's mask wins), and with
 * minRegionArea > 0 small holes filled and small islands removed (then NMS again, preferring
 * masks the cleanup left alone).
 *
 * As in the reference, the filters come first and read only scores and boxes: with a SAM
 * decoder, stability and box come from the logits of the candidates whose predicted IoU passed,
 * and masks (bitmap, RLE) are built only for the candidates that survive the crop's NMS
 * (grid-decoder.ts). The result is the one building every candidate's mask would give.
 *
 * `embedding` is the whole picture's, from `segmenter`. Settings default by backend kind
 * (autoMaskDefaults: SAM 2 keeps IoU above 0.8, the default segmenter uses an 8 x 8 grid).
 * Throws AutoMaskOptionError for a bad setting, crop layers without `image`, or a `decoder`
 * of another segmenter.
 */
export async function generateMasks(
  segmenter: Segmenter,
  embedding: Embedding,
  options: GenerateMasksOptions = {},
): Promise<GenerateMasksResult> {
  const { image, signal, onProgress, decoder: given, ...overrides } = options;
  const settings = resolveAutoMaskSettings(segmenter.kind, overrides);
  const size = embedding.original;
  if (settings.cropLayers > 0) checkPixelSource(image, size);
  if (given && given.segmenter !== segmenter) {
    throw new AutoMaskOptionError(
      `options.decoder decodes for ${given.segmenter.id}, not for ${segmenter.id}`,
      'decoder',
      given.segmenter.id,
    );
  }
  const decoder = given ?? (await openGridDecoder(segmenter));
  try {
    return await generateWith(decoder, embedding, settings, { image, signal, onProgress });
  } finally {
    if (!given) await decoder.release();
  }
}

async function generateWith(
  decoder: GridDecoder,
  embedding: Embedding,
  settings: AutoMaskSettings,
  { image, signal, onProgress }: Pick<GenerateMasksOptions, 'image' | 'signal' | 'onProgress'>,
): Promise<GenerateMasksResult> {
  const size = embedding.original;
  const crops = cropBoxes(size, settings.cropLayers, settings.cropOverlapRatio);
  const perCrop = settings.pointsPerSide ** 2;
  const stats: AutoMaskStats = {
    crops: crops.length,
    points: perCrop * crops.length,
    candidates: 0,
    keptByIou: 0,
    keptByStability: 0,
    keptByCropEdge: 0,
    keptByNms: 0,
    keptByCropNms: 0,
    cleaned: 0,
    masks: 0,
  };
  let found: Found[] = [];
  for (const [index, crop] of crops.entries()) {
    signal?.throwIfAborted();
    const cropEmbedding = isWholePicture(crop, size)
      ? embedding
      : await decoder.segmenter.encode(cropImage(image!, crop), signal);
    const inCrop = await segmentCrop(decoder, cropEmbedding, crop, size, settings, stats, {
      signal,
      onBatch: (done) =>
        onProgress?.({
          pointsDone: index * perCrop + done,
          pointsTotal: stats.points,
          cropsDone: index + (done === perCrop ? 1 : 0),
          cropsTotal: crops.length,
        }),
    });
    found.push(...inCrop);
  }
  stats.keptByNms = found.length;
  if (crops.length > 1) {
    found = boxNms(found, (m) => 1 / m.cropArea, settings.cropNmsThresh);
  }
  stats.keptByCropNms = found.length;
  if (settings.minRegionArea > 0) found = cleanUp(found, size, settings, stats);
  const masks = found.map(({ cropArea: _, ...mask }) => mask);
  stats.masks = masks.length;
  return { masks, stats, settings };
}

function checkPixelSource(image: PixelSource | undefined, size: Size): asserts image {
  if (!image) {
    throw new AutoMaskOptionError(
      "cropLayers > 0 needs the picture's pixels: pass options.image (each crop is encoded on its own)",
      'image',
      image,
    );
  }
  if (image.size.width !== size.width || image.size.height !== size.height) {
    throw new AutoMaskOptionError(
      `options.image ${image.key} is ${image.size.width}x${image.size.height}, but the embedding ` +
        `is of a ${size.width}x${size.height} picture`,
      'image',
      image.size,
    );
  }
}

/**
 * The grid of one crop: every click's candidates through the filters, box NMS among those kept,
 * then the masks of the survivors, in picture coordinates.
 */
async function segmentCrop(
  decoder: GridDecoder,
  embedding: Embedding,
  crop: CropBox,
  size: Size,
  settings: AutoMaskSettings,
  stats: AutoMaskStats,
  run: { signal?: AbortSignal; onBatch: (pointsDone: number) => void },
): Promise<Found[]> {
  const points = pointGrid(settings.pointsPerSide, cropSize(crop));
  const clicks = await decoder.forEmbedding(embedding);
  const kept: Kept[] = [];
  for (let start = 0; start < points.length; start += settings.pointsPerBatch) {
    const batch = points.slice(start, start + settings.pointsPerBatch);
    for (const point of batch) {
      run.signal?.throwIfAborted();
      const candidates = await clicks.decode(point);
      stats.candidates += candidates.length;
      for (const candidate of candidates) {
        const passed = filtered(candidate, point, crop, size, settings, stats);
        if (passed) kept.push(passed);
      }
    }
    run.onBatch(start + batch.length);
  }
  const survivors = boxNms(kept, (m) => m.predictedIou, settings.boxNmsThresh);
  const masks = await clicks.masks(survivors.map((m) => m.ref));
  const whole = isWholePicture(crop, size);
  const cropArea = (crop.x1 - crop.x0) * (crop.y1 - crop.y0);
  return survivors.map(({ point }, i) => ({
    ...placed(masks[i]!, crop, whole, size),
    point,
    cropBox: cropBbox(crop),
    cropArea,
  }));
}

/**
 * _process_batch's filters for one candidate, in the reference's order (predicted IoU, then
 * stability, then empty or cut off by an inner crop edge); its box and click in picture
 * coordinates, or null when dropped.
 */
function filtered(
  candidate: GridCandidate,
  point: Point,
  crop: CropBox,
  size: Size,
  settings: AutoMaskSettings,
  stats: AutoMaskStats,
): Kept | null {
  // As the reference: a threshold of 0 turns its filter off; IoU must exceed, stability reach.
  const { predictedIou } = candidate;
  if (settings.predIouThresh > 0 && !(predictedIou > settings.predIouThresh)) return null;
  stats.keptByIou++;
  const stability = candidate.stabilityScore();
  if (settings.stabilityThresh > 0 && !(stability >= settings.stabilityThresh)) return null;
  stats.keptByStability++;
  const box = candidate.bbox();
  if (!box) return null;
  const bbox: BboxXywh = [box[0] + crop.x0, box[1] + crop.y0, box[2], box[3]];
  if (isNearCropEdge(bbox, crop, size, settings.cropEdgeMargin)) return null;
  stats.keptByCropEdge++;
  return {
    predictedIou,
    bbox,
    point: { x: point.x + crop.x0, y: point.y + crop.y0 },
    ref: candidate.ref,
  };
}

/** A crop's mask moved into picture coordinates. */
function placed(
  mask: CandidateMask,
  crop: CropBox,
  whole: boolean,
  size: Size,
): Pick<AutoMask, 'rle' | 'bbox' | 'area' | 'predictedIou' | 'stabilityScore'> {
  const [x, y, w, h] = mask.bbox;
  return {
    rle: whole
      ? mask.rle
      : runsToCompressed(uncropRuns(parseRle(mask.rle), { x: crop.x0, y: crop.y0 }, size)),
    bbox: [x + crop.x0, y + crop.y0, w, h],
    area: mask.area,
    predictedIou: mask.predictedIou,
    stabilityScore: mask.stabilityScore,
  };
}

/** postprocess_small_regions: clean every mask, then NMS preferring masks left unchanged. */
function cleanUp(
  found: Found[],
  size: Size,
  settings: AutoMaskSettings,
  stats: AutoMaskStats,
): Found[] {
  const cleaned = found.map((mask) => {
    const { changed, ...clean } = cleanMask(mask, size, settings.minRegionArea);
    return { ...mask, ...clean, changed };
  });
  const kept = boxNms(
    cleaned,
    (m) => (m.changed ? 0 : 1),
    Math.max(settings.boxNmsThresh, settings.cropNmsThresh),
  );
  stats.cleaned = kept.filter((m) => m.changed).length;
  return kept.map(({ changed: _, ...mask }) => mask);
}
