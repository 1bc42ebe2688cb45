import { deflateSync } from 'node:zlib';
import { crc32 } from '../../cache/crc32.js';

const SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

/**
 * An 8-bit palette PNG (colour type 3) of `indices` (row-major, one byte a pixel). Written
 * here rather than through sharp, whose palette output quantises: the class and object indices
 * of a VOC mask must come out exactly as given.
 */
export function encodePalettePng(
  width: number,
  height: number,
  indices: Uint8Array,
  palette: Uint8Array,
): Buffer {
  if (indices.length !== width * height) {
    throw new Error(
      `PNG needs ${width}x${height} = ${width * height} indices, got ${indices.length}`,
    );
  }
  if (palette.length % 3 !== 0 || palette.length === 0 || palette.length > 768) {
    throw new Error(`PNG palette must hold 1 to 256 RGB entries, got ${palette.length} bytes`);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 3; // colour type: palette
  // bytes 10-12: deflate compression, adaptive filtering, no interlace (all 0)
  const rows = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    // Filter type 0 (none) leads each row: label images are runs of equal bytes, which deflate
    // packs well without prediction.
    rows.set(indices.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  }
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('PLTE', palette),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * The Pascal VOC colour map: entry i spreads the bits of i over the high bits of red, green
 * and blue (bitget(i, 0) -> red bit 7, bitget(i, 1) -> green bit 7, ... then bit 6, ...).
 * 0 is black (background), 1 (128, 0, 0), 2 (0, 128, 0), ..., 255 (224, 224, 192).
 */
export function vocColormap(): Uint8Array {
  const map = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    let r = 0;
    let g = 0;
    let b = 0;
    let c = i;
    for (let bit = 7; bit >= 0; bit--) {
      r |= (c & 1) << bit;
      g |= ((c >> 1) & 1) << bit;
      b |= ((c >> 2) & 1) << bit;
      c >>= 3;
    }
    map.set([r, g, b], i * 3);
  }
  return map;
}
