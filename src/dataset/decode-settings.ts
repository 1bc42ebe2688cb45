import { readFile } from 'node:fs/promises';
import sharp, { type Sharp } from 'sharp';
import { decodeBmp } from './bmp-decode.js';
import type { Config } from '../config/index.js';
import type { DisplayFormat } from './formats.js';

/** The dataset.* config keys that shape decoding, read once. */
export interface DecodeSettings {
  displayMaxSize: number;
  displayFormat: DisplayFormat;
  displayQuality: number;
  thumbnailSize: number;
  /** width x height above which an image is refused as a possible decompression bomb. */
  pixelLimit: number;
}

export function decodeSettingsFrom(config: Config): DecodeSettings {
  return {
    displayMaxSize: config.get('dataset.displayMaxSize'),
    displayFormat: config.get('dataset.displayFormat'),
    displayQuality: config.get('dataset.displayQuality'),
    thumbnailSize: config.get('dataset.thumbnailSize'),
    pixelLimit: config.get('dataset.decodePixelLimit'),
  };
}

/**
 * Process-wide sharp settings; call once at start-up (the image service does it when built).
 * - concurrency: libvips threads per operation (sharp's default on glibc is 1).
 * - cache off: libvips' own operation cache would hold decoded pixels outside every budget the
 *   memory manager controls, and would serve stale pixels for a file edited on disk.
 */
export function configureSharp(config: Config): void {
  sharp.concurrency(config.get('dataset.decodeConcurrency'));
  sharp.cache(false);
}

/**
 * A sharp pipeline over one file for decoding; `format` is the header's. failOn 'error' makes
 * truncated and corrupt data an error (sharp's 'none' would hand back grey-filled pictures) while
 * tolerating the harmless warnings many camera JPEGs carry; the pixel limit is checked again by
 * libvips as a backstop to the header check.
 *
 * BMP, which libvips cannot read, is decoded here into raw pixels first (resolving only once the
 * whole file is decoded), and the same pipeline runs on those.
 *
 * Other formats are read into memory first and decoded from there: libvips maps JPEG and WebP
 * files into memory, and a file truncated while mapped (an editor saving in place during a
 * decode) kills the whole process with SIGBUS. read(2) of a shrinking file only comes up short.
 * The encoded bytes (a few MB) live only as long as the decode.
 */
export async function decoderFor(file: string, format: string, pixelLimit: number): Promise<Sharp> {
  if (format === 'bmp') {
    const { data, width, height, channels } = await decodeBmp(file, pixelLimit);
    return sharp(data, { raw: { width, height, channels }, limitInputPixels: pixelLimit });
  }
  return sharp(await readFile(file), { failOn: 'error', limitInputPixels: pixelLimit });
}

/** A sharp pipeline for reading the header only (no limit: the caller checks it with the size). */
export function headerReaderFor(file: string): Sharp {
  return sharp(file, { failOn: 'error', limitInputPixels: false });
}
