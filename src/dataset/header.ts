import { readBmpHeader, type BmpHeader } from './bmp-header.js';
import { isUnknownFormatError, toDecodeError } from './decode-failure.js';
import { headerReaderFor } from './decode-settings.js';
import { ImageDecodeError } from './errors.js';
import { stampOf, type FileStamp } from './file-stamp.js';
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
  /**
   * The file as stat saw it just before the header was read: a later stat that differs means the
   * file was replaced or edited and this header may no longer describe it.
   */
  file: FileStamp;
}

/** The header fields as stored, before orientation is applied. */
type StoredHeader = Omit<
  ImageMetadata,
  'width' | 'height' | 'storedWidth' | 'storedHeight' | 'file'
> & {
  width: number | undefined;
  height: number | undefined;
};

/**
 * Reads one header. The file is stat'ed first, here and not at scan time, so that a file emptied
 * or replaced since the scan is judged as it is now, and the header carries the stamp it was read
 * under. A zero-byte file is refused from its size alone; an image over the pixel limit is refused
 * here, from the header, so no decoder ever allocates for it.
 */
export function readImageHeader(file: string, pixelLimit: number): Promise<ImageMetadata>;
/** @deprecated The size is stat'ed at read time now: pass only the pixel limit. */
export function readImageHeader(
  file: string,
  scannedBytes: number,
  pixelLimit: number,
): Promise<ImageMetadata>;
export async function readImageHeader(
  file: string,
  limitOrScannedBytes: number,
  pixelLimit = limitOrScannedBytes,
): Promise<ImageMetadata> {
  const stamp = await stampOf(file);
  if (stamp.bytes === 0) throw new ImageDecodeError(file, 'empty');
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
    file: stamp,
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
