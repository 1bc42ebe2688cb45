/** A caller passed a value the cache cannot work with; the message names the cache, field and value. */
export class CacheInputError extends Error {
  override readonly name = 'CacheInputError';
}

/** A file operation of the disk cache failed for a reason other than a corrupt or missing entry. */
export class DiskCacheIoError extends Error {
  override readonly name = 'DiskCacheIoError';
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
