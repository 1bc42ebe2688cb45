/** Public API of geometry/: coordinate spaces, masks, COCO RLE and polygons. Pure computation. */
export type { BboxXywh, BoxCorners, FlatRing, Point, PolygonWithHoles, Size } from './types.js';
export { GeometryError, RleError } from './errors.js';
export { checkSize } from './size.js';
export { ScaleTransform, type SpaceName } from './transform.js';
export {
  SAM_INPUT_LENGTH,
  displaySize,
  modelInputGeometry,
  modelResizeSize,
  originalToDisplay,
  originalToModel,
  originalToSamPrompt,
  type ModelInputGeometry,
  type ResizeContract,
  type SamPromptTransform,
} from './spaces.js';
export {
  bitmapArea,
  bitmapBbox,
  bitmapBounds,
  bitmapDifference,
  bitmapEquals,
  bitmapFrom,
  bitmapIntersection,
  bitmapIou,
  bitmapUnion,
  createBitmap,
  cropBitmap,
  pasteBitmap,
  thresholdToBitmap,
  type Bitmap,
} from './bitmap.js';
export {
  MAX_RLE_PIXELS,
  checkRuns,
  decodeRuns,
  encodeRuns,
  mergeRuns,
  runsArea,
  runsBbox,
  runsIou,
  type RleRuns,
} from './rle-runs.js';
export { countsFromString, countsToString } from './rle-string.js';
export {
  compressRle,
  decodeRle,
  encodeMask,
  encodeMaskUncompressed,
  parseRle,
  rleArea,
  rleBbox,
  rleIou,
  rleMerge,
  runsToCompressed,
  runsToUncompressed,
  uncompressRle,
  type CocoRle,
  type CompressedRle,
  type UncompressedRle,
} from './rle.js';
export { traceMask, signedArea, type TracedPart } from './trace.js';
export { simplifyRing } from './simplify.js';
export {
  maskToPolygons,
  polygonArea,
  polygonRings,
  ringArea,
  vertexCount,
  type MaskToPolygonsOptions,
} from './polygons.js';
export { rasterizePolygons, rasterizeRings, type FillRule } from './rasterize.js';
