import { readBmpHeader, type BmpHeader } from './bmp-header.js';
import { isUnknownFormatError, toDecodeError } from './decode-failure.js';
import { headerReaderFor } from './decode-settings.js';
import { ImageDecodeError } from './errors.js';
import { checkPixelLimit } from './pixel-limit.js';

/** What an image header says, without decoding pixels. */
export interface ImageMetadata {
  /** Width after EXIF orientation (what the user sees; the "original" coordinate space). */
  width: number;
  /** Height after EXIF orientation. */
  height: number;
  /** Width as stored in the file, before orientation. */
  storedWidth: number;
  storedHeight: number;
  /** Format from the header (sharp's name: jpeg, png, webp, tiff, gif, heif, svg...; or bmp). */
  format: string;
  channels: number;
  /** EXIF orientation 1-8 (1 when absent). */
  orientation: number;
  hasAlpha: boolean;
  /** Number of pages/frames for multi-page formats (the first page is the one shown). */
  pages?: number;
}

/** The header fields as stored, before orientation is applied. */
type StoredHeader = Omit<ImageMetadata, 'width' | 'height' | 'storedWidth' | 'storedHeight'> & {
  width: number | undefined;
  height: number | undefined;
};

/**
 * Reads one header. A zero-byte file is refused from its size alone; an image over the pixel
 * limit is refused here, from the header, so no decoder ever allocates for it.
 */
export async function readImageHeader(
  file: string,
  bytes: number,
  pixelLimit: number,
): Promise<ImageMetadata> {
  if (bytes === 0) throw new ImageDecodeError(file, 'empty');
  const meta = await readStoredHeader(file, pixelLimit);
  const { width, height } = meta;
  if (!width || !height) {
    throw new ImageDecodeError(file, 'unsupported', `the ${meta.format} header gives no size`);
  }
  checkPixelLimit(file, width, height, pixelLimit);
  const swapped = meta.orientation >= 5 && meta.orientation <= 8;
  return {
    ...meta,
    width: swapped ? height : width,
    height: swapped ? width : height,
    storedWidth: width,
    storedHeight: height,
  };
}

/**
 * libvips reads the header of every format it knows; BMP it does not know (sharp is built
 * without a BMP loader), so a file it calls unrecognised is tried as a BMP before giving up.
 * Trying libvips first keeps the common formats at one file read.
 */
async function readStoredHeader(file: string, pixelLimit: number): Promise<StoredHeader> {
  let meta;
  try {
    meta = await headerReaderFor(file).metadata();
  } catch (err) {
    const bmp = isUnknownFormatError(err) ? await readBmpHeader(file, pixelLimit) : undefined;
    if (bmp) return bmpStoredHeader(bmp);
    throw await toDecodeError(err, file);
  }
  return {
    width: meta.width,
    height: meta.height,
    format: meta.format,
    channels: meta.channels,
    orientation: meta.orientation ?? 1,
    hasAlpha: meta.hasAlpha,
    ...(meta.pages !== undefined ? { pages: meta.pages } : {}),
  };
}

function bmpStoredHeader(bmp: BmpHeader): StoredHeader {
  return {
    width: bmp.width,
    height: bmp.height,
    format: 'bmp',
    channels: bmp.hasAlpha ? 4 : 3,
    orientation: 1,
    hasAlpha: bmp.hasAlpha,
  };
}
