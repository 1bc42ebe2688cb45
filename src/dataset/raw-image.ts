import type { DisplayFormat } from './formats.js';

/** Decoded pixels: 8-bit RGB, 3 channels, rows top to bottom (HWC). */
export interface RawImage {
  width: number;
  height: number;
  data: Buffer;
}

/** An encoded picture for the browser. */
export interface EncodedImage {
  data: Buffer;
  width: number;
  height: number;
  format: DisplayFormat;
  contentType: string;
}
