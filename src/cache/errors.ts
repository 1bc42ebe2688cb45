/** A caller passed a value the cache cannot work with; the message names the cache, field and value. */
export class CacheInputError extends Error {
  override readonly name = 'CacheInputError';
}

/**
 * A file operation of the disk cache failed for a reason other than a corrupt or missing entry.
 * The message ends with the system error code of the cause (ENOSPC, EACCES, ENOENT...) so that
 * a full disk and a missing folder read differently in logs.
 */
export class DiskCacheIoError extends Error {
  override readonly name = 'DiskCacheIoError';
  /** The system error code of the cause, when it has one. */
  readonly code: string | undefined;
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    const code = systemErrorCode(options?.cause);
    super(code === undefined ? message : `${message} (${code})`, options);
    this.code = code;
  }
}

function systemErrorCode(cause: unknown): string | undefined {
  const code = (cause as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
