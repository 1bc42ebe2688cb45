import type { FileHandle } from 'node:fs/promises';
import { decode } from 'bmp-ts';
import {
  readBmpHeaderFrom,
  readColourTable,
  readFully,
  rowsCutShort,
  withOpenFile,
  type BmpHeader,
  type BmpMasks,
} from './bmp-header.js';
import { directPixelsOf, readRowsDirectly, type DecodedPixels } from './bmp-rows.js';
import { ImageDecodeError } from './errors.js';

export type { DecodedPixels } from './bmp-rows.js';

/**
 * 'fastest': the direct row reader where it applies, bmp-ts elsewhere. 'bmp-ts': bmp-ts for
 * every variant, to check the direct reader against.
 */
export type BmpDecoder = 'fastest' | 'bmp-ts';

const CANONICAL_INFO_BYTES = 40;
const BI_RGB = 0;
const BI_BITFIELDS = 3;
const BI_ALPHA_BITFIELDS = 6;

/**
 * Decodes a BMP. The header is read and checked first (variant, pixel limit, file size), so
 * nothing is allocated for a file that would be refused. The common variants (24-bit, 32-bit with
 * byte-wide masks, 8-bit indexed) are read a batch of rows at a time straight into RGB(A)
 * (bmp-rows.ts), holding the event loop a few milliseconds at a time. bmp-ts, which decodes the
 * rest, holds it in one go for the whole image: about 0.7 s for 12 megapixels at 24 bits.
 */
export async function decodeBmp(
  file: string,
  pixelLimit: number,
  decoder: BmpDecoder = 'fastest',
): Promise<DecodedPixels> {
  return withOpenFile(file, async (handle) => {
    const read = await readBmpHeaderFrom(handle, file, pixelLimit);
    if (!read) throw new ImageDecodeError(file, 'not-an-image', 'no BMP signature any more');
    const direct = decoder === 'fastest' ? directPixelsOf(read.header) : undefined;
    return direct
      ? readRowsDirectly(handle, file, read.header, direct)
      : decodeWithBmpTs(handle, file, read.header, read.fileBytes);
  });
}

/**
 * Decodes with bmp-ts, the pixel rows read in one go (BMP is uncompressed: the file is as large
 * as its pixels).
 *
 * bmp-ts is handed a canonical copy of the header rather than the file's own: a 40-byte info
 * header, explicit masks, a full 4-byte-entry colour table, and the pixel rows right after it.
 * That sidesteps what bmp-ts gets wrong with real files (it reads the rows where the colour
 * table ends instead of at the pixel offset, takes V4/V5 mask fields even under BI_RGB, where
 * they are often 0, and knows no OS/2 core header) and costs only the header bytes: the rows are
 * read from the file straight into place.
 */
async function decodeWithBmpTs(
  handle: FileHandle,
  file: string,
  header: BmpHeader,
  fileBytes: number,
): Promise<DecodedPixels> {
  const decodeWidth = decodeWidthOf(header);
  const { canonical, pixelStart } = await canonicalFile(handle, header, decodeWidth);
  const stored = Math.min(header.rowBytes * header.height, fileBytes - header.pixelOffset);
  const got = await readFully(handle, canonical, pixelStart, stored, header.pixelOffset);
  if (got < header.pixelDataBytes) throw rowsCutShort(file, header, got);
  // A file may end without the last row's padding.
  canonical.fill(0, pixelStart + got);
  let abgr: Buffer;
  try {
    abgr = decode(canonical).data;
  } catch (err) {
    throw new ImageDecodeError(file, 'corrupt', `bmp-ts: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return packPixels(abgr, decodeWidth, header);
}

/**
 * bmp-ts stops after the first row of a 4-bit image of odd width; decoding one pixel more per
 * row (the same stored bytes) and dropping it afterwards avoids that.
 */
function decodeWidthOf(header: BmpHeader): number {
  return header.bitsPerPixel === 4 && header.width % 2 === 1 ? header.width + 1 : header.width;
}

/** A buffer for the whole canonical file, with its header and colour table written. */
async function canonicalFile(
  handle: FileHandle,
  header: BmpHeader,
  decodeWidth: number,
): Promise<{ canonical: Buffer; pixelStart: number }> {
  const { bitsPerPixel, masks, hasAlpha, palette } = header;
  const maskBytes = masks ? (hasAlpha ? 16 : 12) : 0;
  const paletteEntries = palette ? 1 << bitsPerPixel : 0;
  const tables = 14 + CANONICAL_INFO_BYTES;
  const pixelStart = tables + maskBytes + paletteEntries * 4;
  const canonical = Buffer.allocUnsafe(pixelStart + header.rowBytes * header.height);
  canonical.fill(0, 0, pixelStart);
  canonical.write('BM', 0, 'latin1');
  canonical.writeUInt32LE(Math.min(canonical.length, 0xffffffff), 2);
  canonical.writeUInt32LE(pixelStart, 10);
  canonical.writeUInt32LE(CANONICAL_INFO_BYTES, 14);
  canonical.writeInt32LE(decodeWidth, 18);
  canonical.writeInt32LE(header.topDown ? -header.height : header.height, 22);
  canonical.writeUInt16LE(1, 26);
  canonical.writeUInt16LE(bitsPerPixel, 28);
  canonical.writeUInt32LE(!masks ? BI_RGB : hasAlpha ? BI_ALPHA_BITFIELDS : BI_BITFIELDS, 30);
  canonical.writeUInt32LE(paletteEntries, 46);
  if (masks) {
    const order = [masks.red, masks.green, masks.blue, masks.alpha].slice(0, maskBytes / 4);
    order.forEach((mask, i) => canonical.writeUInt32LE(mask, tables + i * 4));
  }
  if (palette) (await readColourTable(handle, palette, bitsPerPixel)).copy(canonical, tables);
  return { canonical, pixelStart };
}

/**
 * Turns bmp-ts's output (A, B, G, R per pixel, `stride` pixels a row) into RGB, or RGBA when the
 * image has real alpha, in place: each output pixel lands at or before the input it came from.
 */
function packPixels(abgr: Buffer, stride: number, header: BmpHeader): DecodedPixels {
  const { width, height } = header;
  const [red, green, blue, alpha] = channelLevels(header.masks);
  const channels = header.hasAlpha && anyAlpha(abgr) ? 4 : 3;
  let out = 0;
  for (let y = 0; y < height; y++) {
    let at = y * stride * 4;
    const end = at + width * 4;
    for (; at < end; at += 4) {
      const a = abgr[at]!;
      const b = abgr[at + 1]!;
      const g = abgr[at + 2]!;
      abgr[out++] = red[abgr[at + 3]!]!;
      abgr[out++] = green[g]!;
      abgr[out++] = blue[b]!;
      if (channels === 4) abgr[out++] = alpha[a]!;
    }
  }
  return { data: abgr.subarray(0, out), width, height, channels };
}

/**
 * Alpha masked in but 0 everywhere is a writer's mistake, not an invisible picture; browsers
 * show such files opaque, and so does this.
 */
function anyAlpha(abgr: Buffer): boolean {
  for (let at = 0; at < abgr.length; at += 4) if (abgr[at] !== 0) return true;
  return false;
}

const IDENTITY = Uint8Array.from({ length: 256 }, (_, i) => i);

/**
 * Level tables per channel (R, G, B, A). bmp-ts widens a k-bit sample v to v * 2^(8-k), so
 * 5-bit white comes out as 248; the tables map it to round(v * 255 / (2^k - 1)), full range.
 */
function channelLevels(
  masks: BmpMasks | undefined,
): [Uint8Array, Uint8Array, Uint8Array, Uint8Array] {
  if (!masks) return [IDENTITY, IDENTITY, IDENTITY, IDENTITY];
  return [levelsOf(masks.red), levelsOf(masks.green), levelsOf(masks.blue), levelsOf(masks.alpha)];
}

function levelsOf(mask: number): Uint8Array {
  const bits = bitCount(mask);
  if (bits === 0 || bits >= 8) return IDENTITY;
  const table = Uint8Array.from(IDENTITY);
  const top = (1 << bits) - 1;
  for (let v = 0; v <= top; v++) table[v << (8 - bits)] = Math.round((v * 255) / top);
  return table;
}

function bitCount(mask: number): number {
  let bits = 0;
  for (let m = mask >>> 0; m !== 0; m >>>= 1) bits += m & 1;
  return bits;
}
