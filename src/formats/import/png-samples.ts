/**
 * Reads the samples of a PNG exactly as stored: palette indices stay indices (sharp and most
 * decoders expand a palette to RGB, which loses them). Enough of PNG for label masks:
 * greyscale and palette at 1-8 bits, RGB, RGBA and grey+alpha at 8 bits, Adam7 interlacing,
 * checked chunk CRCs. The declared size is checked against the expected one before anything is
 * inflated, so a hostile file cannot make us allocate more than one mask.
 */
import { inflateSync } from 'node:zlib';
import { crc32 } from '../../cache/crc32.js';
import { ImportError } from './errors.js';

export interface PngSamples {
  width: number;
  height: number;
  /** 1: an index (palette) or grey value per pixel; 3: R, G, B per pixel (alpha dropped). */
  channels: 1 | 3;
  /** True for palette images: `data` holds palette indices. */
  indexed: boolean;
  data: Uint8Array;
  /** The PLTE chunk (R, G, B per entry) of a palette image. */
  palette?: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** Samples per pixel by colour type; depths allowed. */
const COLOR_TYPES: Record<number, { samples: number; depths: number[] }> = {
  0: { samples: 1, depths: [1, 2, 4, 8] },
  2: { samples: 3, depths: [8] },
  3: { samples: 1, depths: [1, 2, 4, 8] },
  4: { samples: 2, depths: [8] },
  6: { samples: 4, depths: [8] },
};
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

export function decodePngSamples(
  bytes: Uint8Array,
  file: string,
  expected: { width: number; height: number },
): PngSamples {
  const fail = (what: string, got: string): never => {
    throw new ImportError({ file }, what, got);
  };
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b))
    fail('a PNG file', 'another kind of file');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 8;
  let header: {
    width: number;
    height: number;
    depth: number;
    colorType: number;
    interlace: number;
  } | null = null;
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | undefined;
  let ended = false;
  while (p < bytes.length) {
    if (p + 12 > bytes.length) fail('a complete PNG chunk', 'a truncated file');
    const length = view.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    if (length > bytes.length - p - 12)
      fail(`a complete ${JSON.stringify(type)} chunk`, 'a truncated file');
    const body = bytes.subarray(p + 8, p + 8 + length);
    if (crc32(bytes.subarray(p + 4, p + 8 + length)) !== view.getUint32(p + 8 + length)) {
      fail(`a ${JSON.stringify(type)} chunk with a matching CRC`, 'a damaged chunk');
    }
    p += 12 + length;
    if (type === 'IHDR') {
      if (length !== 13) fail('a 13-byte IHDR', `${length} bytes`);
      const b = new DataView(body.buffer, body.byteOffset, 13);
      header = {
        width: b.getUint32(0),
        height: b.getUint32(4),
        depth: body[8]!,
        colorType: body[9]!,
        interlace: body[12]!,
      };
      if (body[10] !== 0 || body[11] !== 0 || header.interlace > 1)
        fail('standard PNG compression, filter and interlace methods', 'unknown ones');
      const ct = COLOR_TYPES[header.colorType];
      if (!ct || !ct.depths.includes(header.depth)) {
        fail(
          'a greyscale or palette PNG of 1-8 bits, or 8-bit RGB(A)',
          `colour type ${header.colorType} at ${header.depth} bits`,
        );
      }
      if (header.width !== expected.width || header.height !== expected.height) {
        fail(
          `the image's size, ${expected.width} x ${expected.height}`,
          `${header.width} x ${header.height}`,
        );
      }
    } else if (!header) {
      fail('IHDR as the first chunk', JSON.stringify(type));
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'PLTE') {
      palette = body;
    } else if (type === 'IEND') {
      ended = true;
      break;
    }
  }
  if (!header || !ended) fail('a complete PNG (up to its IEND chunk)', 'a truncated file');
  const { width, height, depth, colorType, interlace } = header!;
  const samples = COLOR_TYPES[colorType]!.samples;
  const bitsPerPixel = samples * depth;
  const passes = interlace ? ADAM7 : ([[0, 0, 1, 1]] as const);
  const sizes = passes.map(([x0, y0, dx, dy]) => ({
    w: Math.ceil((width - x0) / dx),
    h: Math.ceil((height - y0) / dy),
  }));
  const rowBytes = (w: number): number => Math.ceil((w * bitsPerPixel) / 8);
  const total = sizes.reduce((sum, s) => sum + (s.w > 0 ? s.h * (1 + rowBytes(s.w)) : 0), 0);
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat), { maxOutputLength: Math.max(1, total) });
  } catch (err) {
    throw new ImportError({ file }, 'valid compressed image data', (err as Error).message, {
      cause: err,
    });
  }
  if (raw.length < total) fail(`${total} bytes of image data`, `${raw.length} (truncated)`);
  const outChannels = samples >= 3 ? 3 : 1;
  const out = new Uint8Array(width * height * outChannels);
  let offset = 0;
  passes.forEach(([x0, y0, dx, dy], k) => {
    const { w, h } = sizes[k]!;
    if (w <= 0 || h <= 0) return;
    const stride = rowBytes(w);
    const bpp = Math.max(1, bitsPerPixel >> 3);
    let prev: Uint8Array = new Uint8Array(stride);
    for (let y = 0; y < h; y++) {
      const filter = raw[offset]!;
      const row = raw.subarray(offset + 1, offset + 1 + stride);
      offset += 1 + stride;
      unfilter(filter, row, prev, bpp, file);
      for (let x = 0; x < w; x++) {
        const target = ((y0 + y * dy) * width + x0 + x * dx) * outChannels;
        if (depth === 8) {
          const s = x * samples;
          out[target] = row[s]!;
          if (outChannels === 3) {
            out[target + 1] = row[s + 1]!;
            out[target + 2] = row[s + 2]!;
          }
        } else {
          const bit = x * depth;
          out[target] = (row[bit >> 3]! >> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
        }
      }
      prev = row;
    }
  });
  const result: PngSamples = {
    width,
    height,
    channels: outChannels,
    indexed: colorType === 3,
    data: out,
  };
  if (palette && colorType === 3) result.palette = palette;
  return result;
}

function unfilter(
  filter: number,
  row: Uint8Array,
  prev: Uint8Array,
  bpp: number,
  file: string,
): void {
  const n = row.length;
  switch (filter) {
    case 0:
      return;
    case 1:
      for (let i = bpp; i < n; i++) row[i] = (row[i]! + row[i - bpp]!) & 0xff;
      return;
    case 2:
      for (let i = 0; i < n; i++) row[i] = (row[i]! + prev[i]!) & 0xff;
      return;
    case 3:
      for (let i = 0; i < n; i++)
        row[i] = (row[i]! + (((i >= bpp ? row[i - bpp]! : 0) + prev[i]!) >> 1)) & 0xff;
      return;
    case 4:
      for (let i = 0; i < n; i++) {
        const a = i >= bpp ? row[i - bpp]! : 0;
        const b = prev[i]!;
        const c = i >= bpp ? prev[i - bpp]! : 0;
        const pa = Math.abs(b - c);
        const pb = Math.abs(a - c);
        const pc = Math.abs(a + b - 2 * c);
        row[i] = (row[i]! + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
      }
      return;
    default:
      throw new ImportError({ file }, 'PNG row filters 0-4', `filter ${filter}`);
  }
}
