/** Image formats the index lists, told apart by file extension (the header may disagree). */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'tiff' | 'bmp' | 'gif';

export const IMAGE_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp', 'tiff', 'bmp', 'gif'];

const FORMAT_BY_EXTENSION: ReadonlyMap<number, ImageFormat> = new Map(
  (
    [
      ['jpg', 'jpeg'],
      ['jpeg', 'jpeg'],
      ['png', 'png'],
      ['webp', 'webp'],
      ['tif', 'tiff'],
      ['tiff', 'tiff'],
      ['bmp', 'bmp'],
      ['gif', 'gif'],
    ] as const
  ).map(([ext, format]) => [extensionCode(ext, 0, ext.length), format]),
);

/**
 * A 3-4 letter extension as one number, lower-cased: OR-ing 0x20 lower-cases ASCII letters and
 * cannot turn any other character into a lower-case letter. The scan calls formatOfName for every
 * file, so this avoids making two strings per name.
 */
function extensionCode(text: string, start: number, end: number): number {
  let code = 0;
  for (let i = start; i < end; i++) {
    const char = text.charCodeAt(i);
    if (char > 0x7f) return -1;
    code = code * 256 + (char | 0x20);
  }
  return code;
}

/** The format a file name claims by its extension (case-insensitive), or undefined. */
export function formatOfName(name: string): ImageFormat | undefined {
  const dot = name.lastIndexOf('.');
  const length = name.length - dot - 1;
  // A name that is only an extension (".jpg") is a hidden file, not an image.
  if (dot <= 0 || length < 3 || length > 4) return undefined;
  return FORMAT_BY_EXTENSION.get(extensionCode(name, dot + 1, name.length));
}

/** Display pictures and thumbnails are encoded as one of these. */
export type DisplayFormat = 'jpeg' | 'webp';

export const CONTENT_TYPES: Readonly<Record<DisplayFormat, string>> = {
  jpeg: 'image/jpeg',
  webp: 'image/webp',
};
