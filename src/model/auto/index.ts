/** Public API of model/auto/: automatic mask generation ("segment everything") over any Segmenter. */
export {
  generateMasks,
  type AutoMask,
  type AutoMaskProgress,
  type AutoMaskStats,
  type GenerateMasksOptions,
  type GenerateMasksResult,
} from './generate.js';
export {
  AutoMaskOptionError,
  DEFAULT_SEGMENTER_POINTS_PER_SIDE,
  SAM1_AUTO_MASK_DEFAULTS,
  autoMaskDefaults,
  resolveAutoMaskSettings,
  type AutoMaskSettings,
} from './options.js';
export {
  PredictGridDecoder,
  type CandidateMask,
  type CropDecoder,
  type GridCandidate,
  type GridDecoder,
} from './grid-decoder.js';
export { openGridDecoder } from './open-grid-decoder.js';
export { SamGridDecoder } from './sam-grid-decoder.js';
export { cropImage, type PixelSource } from './crop-image.js';
export { cropBoxes, pointGrid, type CropBox } from './crop-boxes.js';
export { boxIou, boxNms } from './box-nms.js';
export { cleanMask, type CleanMask } from './mask-cleanup.js';
export {
  CocoAutoDocument,
  OBJECT_CATEGORY,
  type CocoAnnotation,
  type CocoDocument,
  type CocoImage,
} from './coco.js';
export { writeJsonAtomic } from './write-json-atomic.js';
