/** Public API of model/embedding/: embedding tiers, the model work queue, prefetch and the prediction cache. */
export {
  SegmentationEngine,
  type EmbedOutcome,
  type EmbedResult,
  type EngineImages,
  type EngineStats,
  type OpenResult,
  type PredictResult,
  type SegmentationEngineOptions,
} from './segmentation-engine.js';
export {
  EmbeddingStore,
  cacheKeyOf,
  folderNameOf,
  type EmbeddingRequestOptions,
  type EmbeddingResult,
  type EmbeddingStoreOptions,
  type EmbeddingStoreStats,
  type EmbeddingTier,
} from './embedding-store.js';
export {
  DEFAULT_READ_AHEAD,
  WORK_PRIORITIES,
  WorkQueue,
  isBackground,
  type EncodeOptions,
  type EncoderJob,
  type JobState,
  type Preparation,
  type WorkPriority,
  type WorkQueueOptions,
  type WorkQueueStats,
} from './work-queue.js';
export {
  Prefetcher,
  type PrefetchOrder,
  type PrefetcherOptions,
  type PrefetcherStats,
} from './prefetcher.js';
export {
  PredictionCache,
  predictionKeyOf,
  type PredictionCacheOptions,
  type PredictionCacheStats,
} from './prediction-cache.js';
export { canonicalPrompt } from './prompt-key.js';
export { ContentKeys, type ContentKeyMode } from './content-key.js';
export {
  EMBEDDING_FORMAT,
  decodeEmbedding,
  encodeEmbedding,
  type DiskDtype,
  type EncodedEmbedding,
} from './tensor-codec.js';
export { FLOAT16_MAX, float16ToFloat32, float32ToFloat16, halfBitsOf } from './float16.js';
export { LatencyWindow, type LatencySummary } from './latency.js';
export { EmbeddingCodecError, EngineClosedError } from './errors.js';
