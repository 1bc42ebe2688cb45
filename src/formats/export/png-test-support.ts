import { inflateSync } from 'node:zlib';

export interface PngChunk {
  type: string;
  /** Hex of the chunk data; for IDAT the inflated scanlines. */
  data: string;
}

/**
 * The chunks of a PNG with the image data inflated (all IDAT chunks joined): what a decoder
 * sees, independent of the deflate encoder's choices. Throws on a bad signature or CRC layout.
 */
export function pngChunks(png: Uint8Array): PngChunk[] {
  const bytes = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (bytes.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') {
    throw new Error('not a PNG: bad signature');
  }
  const chunks: PngChunk[] = [];
  const idat: Buffer[] = [];
  let at = 8;
  while (at < bytes.length) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('ascii', at + 4, at + 8);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IDAT') idat.push(data);
    else {
      if (idat.length > 0 && !chunks.some((c) => c.type === 'IDAT')) {
        chunks.push({ type: 'IDAT', data: inflateSync(Buffer.concat(idat)).toString('hex') });
      }
      chunks.push({ type, data: data.toString('hex') });
    }
    at += 12 + length;
  }
  return chunks;
}

/** The palette indices of an 8-bit palette PNG whose rows all use filter 0 (ours). */
export function pngIndices(png: Uint8Array): {
  width: number;
  height: number;
  indices: Uint8Array;
} {
  const chunks = pngChunks(png);
  const header = Buffer.from(chunks.find((c) => c.type === 'IHDR')!.data, 'hex');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const rows = Buffer.from(chunks.find((c) => c.type === 'IDAT')!.data, 'hex');
  const indices = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    if (rows[y * (width + 1)] !== 0)
      throw new Error(`row ${y} uses filter ${rows[y * (width + 1)]}`);
    indices.set(rows.subarray(y * (width + 1) + 1, (y + 1) * (width + 1)), y * width);
  }
  return { width, height, indices };
}
