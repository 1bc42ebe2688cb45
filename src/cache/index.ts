export {
  BudgetedCache,
  type BudgetedCacheOptions,
  type CacheStats,
  type EvictionReason,
} from './budgeted-cache.js';
export {
  DiskCache,
  type DiskCacheEntry,
  type DiskCacheOptions,
  type DiskCacheStats,
  type JsonObject,
  type JsonValue,
} from './disk-cache.js';
export { WeakValueCache, type WeakValueCacheStats } from './weak-value-cache.js';
export { WeakFallbackCache, type WeakFallbackCacheStats } from './weak-fallback-cache.js';
export { CacheInputError, DiskCacheIoError } from './errors.js';
