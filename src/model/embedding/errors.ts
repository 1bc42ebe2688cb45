/**
 * A disk cache entry whose metadata or layout does not describe a usable embedding (written by
 * another version, or damaged in a way the checksums cannot see). The store deletes the entry and
 * encodes again. The message names the field and the value found.
 */
export class EmbeddingCodecError extends Error {
  override readonly name = 'EmbeddingCodecError';
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** Work handed to a closed engine or queue. */
export class EngineClosedError extends Error {
  override readonly name = 'EngineClosedError';
}
