/** Public API of the weight-free default segmenter (GrabCut on OpenCV's wasm build). */
export { DefaultSegmenter, type DefaultSegmenterOptions } from './default-segmenter.js';
export { DEFAULT_SEGMENT_OPTIONS, type SegmentOptions } from './segment.js';
export { DEFAULT_SEGMENTER_ID, EmbeddingError } from './working-image.js';
export { loadOpenCv, type OpenCv } from './opencv.js';
