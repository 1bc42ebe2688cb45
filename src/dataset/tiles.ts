import sharp from 'sharp';
import { displaySize, type Size } from '../geometry/index.js';
import { encodePicture } from './encode-picture.js';
import type { DisplayFormat } from './formats.js';
import type { EncodedImage, RawImage } from './raw-image.js';

export const TILE_SIZE = 512;

/** One level of the tile pyramid: level L is the original shrunk by 2^L. */
export interface TileLevel {
  level: number;
  width: number;
  height: number;
}

/** A tile's place: which original pixels it shows, and its own size. */
export interface TileRegion {
  /** Original-space rectangle (whole pixels). */
  left: number;
  top: number;
  width: number;
  height: number;
  /** Size of the tile picture. */
  tileWidth: number;
  tileHeight: number;
}

export class TileRequestError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'TileRequestError';
  }
}

/**
 * The levels worth tiling: those sharper than the display picture. An image that fits the display
 * size has none; a 6000x4000 photo with a 2048 display gets levels 0 (full) and 1 (half).
 */
export function tileLevels(original: Size, displayMaxSize: number): TileLevel[] {
  const display = displaySize(original, displayMaxSize);
  const levels: TileLevel[] = [];
  for (let level = 0; ; level++) {
    const scale = 2 ** level;
    const width = Math.ceil(original.width / scale);
    const height = Math.ceil(original.height / scale);
    if (width <= display.width && height <= display.height) break;
    levels.push({ level, width, height });
  }
  return levels;
}

/** Where tile (col, row) of a level lies; errors name the coordinate that is out of range. */
export function tileRegion(
  original: Size,
  levels: readonly TileLevel[],
  level: number,
  col: number,
  row: number,
  tileSize = TILE_SIZE,
): TileRegion {
  const found = levels.find((l) => l.level === level);
  if (!found) {
    throw new TileRequestError(
      levels.length === 0
        ? 'this image is small enough for its display picture and has no tiles'
        : `level must be 0..${levels.length - 1}, got ${level}`,
      'level',
    );
  }
  const cols = Math.ceil(found.width / tileSize);
  const rows = Math.ceil(found.height / tileSize);
  if (col >= cols) throw new TileRequestError(`col must be 0..${cols - 1}, got ${col}`, 'col');
  if (row >= rows) throw new TileRequestError(`row must be 0..${rows - 1}, got ${row}`, 'row');
  const scale = 2 ** level;
  const tileWidth = Math.min(tileSize, found.width - col * tileSize);
  const tileHeight = Math.min(tileSize, found.height - row * tileSize);
  const left = col * tileSize * scale;
  const top = row * tileSize * scale;
  return {
    left,
    top,
    width: Math.min(tileWidth * scale, original.width - left),
    height: Math.min(tileHeight * scale, original.height - top),
    tileWidth,
    tileHeight,
  };
}

/** Cuts (and shrinks) one tile out of the decoded picture. */
export async function renderTile(
  rgb: RawImage,
  region: TileRegion,
  format: DisplayFormat,
  quality: number,
): Promise<EncodedImage> {
  let pipeline = sharp(rgb.data, {
    raw: { width: rgb.width, height: rgb.height, channels: 3 },
  }).extract({ left: region.left, top: region.top, width: region.width, height: region.height });
  if (region.tileWidth !== region.width || region.tileHeight !== region.height) {
    pipeline = pipeline.resize(region.tileWidth, region.tileHeight, { fit: 'fill' });
  }
  return encodePicture(pipeline, format, quality, true);
}
