/**
 * Typed failures of the model registry. Every message names the model, URL, file or path
 * involved and, where there is one, the command that fixes it.
 */
export class ModelRegistryError extends Error {
  override readonly name: string = 'ModelRegistryError';
}

/** A name that is neither a known model nor an installed one. */
export class UnknownModelError extends ModelRegistryError {
  override readonly name = 'UnknownModelError';
  constructor(
    readonly model: string,
    known: readonly string[],
  ) {
    super(`Unknown model "${model}". Known models: ${known.join(', ')}.`);
  }
}

/** A known model that is not in the models folder yet. */
export class ModelNotInstalledError extends ModelRegistryError {
  override readonly name = 'ModelNotInstalledError';
  constructor(
    readonly model: string,
    readonly modelsDir: string,
  ) {
    super(
      `Model "${model}" is not installed in ${modelsDir}. ` +
        `Run \`sam-annotator models pull ${model}\` to download it.`,
    );
  }
}

/** `--model` named a path that holds no usable encoder/decoder pair. */
export class ModelResolveError extends ModelRegistryError {
  override readonly name = 'ModelResolveError';
  constructor(
    message: string,
    readonly spec: string,
  ) {
    super(message);
  }
}

/** A `model.json` that cannot be read or does not have the expected fields. */
export class ManifestError extends ModelRegistryError {
  override readonly name = 'ManifestError';
  constructor(
    message: string,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Installed files no longer match the sizes and hashes of their manifest. */
export class ModelIntegrityError extends ModelRegistryError {
  override readonly name = 'ModelIntegrityError';
  constructor(
    message: string,
    readonly dir: string,
  ) {
    super(message);
  }
}

/** Anything that went wrong while fetching a URL. */
export class DownloadError extends ModelRegistryError {
  override readonly name: string = 'DownloadError';
  constructor(
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The server answered with a status other than 200 (after redirects). */
export class HttpStatusError extends DownloadError {
  override readonly name = 'HttpStatusError';
  constructor(
    url: string,
    readonly status: number,
    statusText: string,
  ) {
    super(`HTTP ${status}${statusText ? ` ${statusText}` : ''} from ${url}${hintFor(status)}`, url);
  }
}

function hintFor(status: number): string {
  if (status === 404) return ': the file is not there (moved upstream, or missing on the mirror).';
  if (status === 401 || status === 403) return ': the host refuses access to this file.';
  if (status >= 500)
    return ': the server failed; try again later or use a mirror (models.baseUrl).';
  return '.';
}

/** More redirects than allowed, or a redirect that comes back to a URL already visited. */
export class RedirectError extends DownloadError {
  override readonly name = 'RedirectError';
  constructor(
    message: string,
    url: string,
    readonly chain: readonly string[],
  ) {
    super(message, url);
  }
}

/** The connection closed before the announced number of bytes arrived. */
export class TruncatedDownloadError extends DownloadError {
  override readonly name = 'TruncatedDownloadError';
  constructor(
    url: string,
    readonly expectedBytes: number,
    readonly receivedBytes: number,
    options?: { cause?: unknown },
  ) {
    super(
      `Download of ${url} was cut short: expected ${expectedBytes} bytes, received ${receivedBytes}. ` +
        `The connection dropped or the server closed it early; run the command again.`,
      url,
      options,
    );
  }
}

/** The caller's AbortSignal fired. */
export class DownloadAbortedError extends DownloadError {
  override readonly name = 'DownloadAbortedError';
  constructor(url: string, receivedBytes: number) {
    super(`Download of ${url} was aborted after ${receivedBytes} bytes.`, url);
  }
}

/** A downloaded file whose sha256 is not the published one. */
export class ChecksumMismatchError extends ModelRegistryError {
  override readonly name = 'ChecksumMismatchError';
  constructor(
    readonly fileName: string,
    readonly url: string,
    readonly expected: string,
    readonly actual: string,
    readonly bytes: number,
  ) {
    super(
      `Checksum mismatch for ${fileName} from ${url}: expected sha256 ${expected}, got ${actual} ` +
        `(${bytes} bytes). The file was removed; the download is corrupt or the host serves a different file.`,
    );
  }
}

/** A zip archive that is malformed, unsafe (zip-slip, links) or over the size limits. */
export class ArchiveError extends ModelRegistryError {
  override readonly name = 'ArchiveError';
  constructor(
    message: string,
    readonly archive: string,
    readonly entry?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
