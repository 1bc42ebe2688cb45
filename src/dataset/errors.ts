/** Why an image cannot be read, for messages, counters and the broken-image list. */
export type DecodeFailure =
  'empty' | 'truncated' | 'not-an-image' | 'too-many-pixels' | 'unsupported' | 'corrupt' | 'io';

const REASON_WORDS: Record<DecodeFailure, string> = {
  empty: 'the file is empty (0 bytes)',
  truncated: 'the file is truncated',
  'not-an-image': 'the file is not an image',
  'too-many-pixels': 'the image has too many pixels',
  unsupported: 'the image format is not supported',
  corrupt: 'the image data is corrupt',
  io: 'the file cannot be read',
};

/**
 * An image that cannot be read or decoded. The message names the file and the reason in plain
 * words, followed by the decoder's own words in parentheses.
 */
export class ImageDecodeError extends Error {
  constructor(
    readonly file: string,
    readonly reason: DecodeFailure,
    readonly detail: string = '',
    options?: { cause?: unknown },
  ) {
    super(`Cannot decode ${file}: ${REASON_WORDS[reason]}${detail ? ` (${detail})` : ''}`, options);
    this.name = 'ImageDecodeError';
  }
}

/**
 * An image file changed on disk while it was being decoded (an editor saving it), so the pixels
 * may belong to another version than the header they were sized by. Nothing is wrong with the
 * image: asking again reads the new version.
 */
export class ImageChangedError extends Error {
  constructor(readonly file: string) {
    super(`${file} changed on disk while it was being read; ask again for the new version`);
    this.name = 'ImageChangedError';
  }
}

/**
 * Whether a failure may pass by itself (the file missing for a moment while an editor saves it,
 * too many open files), so that the image is tried again on the next request rather than kept
 * as broken until a re-scan.
 */
export function isPassingFailure(error: unknown): boolean {
  return error instanceof ImageDecodeError && error.reason === 'io';
}

/** The dataset folder itself cannot be scanned. */
export class DatasetError extends Error {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'DatasetError';
  }
}

/** An id or relative path that the index does not hold. */
export class UnknownImageError extends Error {
  constructor(
    readonly key: string,
    readonly root: string,
  ) {
    super(`No image ${JSON.stringify(key)} in the dataset at ${root}`);
    this.name = 'UnknownImageError';
  }
}
