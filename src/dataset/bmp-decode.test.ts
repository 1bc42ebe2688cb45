import { statSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/index.js';
import { decodeBmp } from './bmp-decode.js';
import { parseBmpHeader, readBmpHeader } from './bmp-header.js';
import { directPixelsOf } from './bmp-rows.js';
import { decodeSettingsFrom, type DecodeSettings } from './decode-settings.js';
import { readImageHeader } from './header.js';
import { ImageIndex } from './image-index.js';
import { ImageService } from './image-service.js';
import {
  bmpFile,
  decodeFailure,
  encodedBmp,
  gradientPixels,
  lazyImage,
  put,
  photo,
  tempDir,
  TEST_HOST_BUDGET,
  type BmpParts,
} from './test-fixtures.js';

const settings: DecodeSettings = {
  ...decodeSettingsFrom(defaultConfig()),
  displayMaxSize: 1024,
  thumbnailSize: 128,
};
const LIMIT = settings.pixelLimit;

const { dir, remove } = tempDir('bmp');
afterAll(remove);

let files = 0;
function write(bytes: Buffer, name = `file-${files++}.bmp`): string {
  return put(dir, name, bytes);
}

const header = (file: string) => readImageHeader(file, LIMIT);
const pixels = async (parts: BmpParts) => decodeBmp(write(bmpFile(parts)), LIMIT);
const bytes = (data: Buffer) => [...data];

type Rgb = [number, number, number];
const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const GREY: Rgb = [128, 128, 128];

/** 3 x 2, 24-bit: rows of 9 bytes padded to 12; top row white, black, grey; bottom red, green, blue. */
const TOP_ROW_24 = [255, 255, 255, 0, 0, 0, 128, 128, 128, 0, 0, 0];
const BOTTOM_ROW_24 = [0, 0, 255, 0, 255, 0, 255, 0, 0, 0, 0, 0];
const EXPECTED_3x2 = [...WHITE, ...BLACK, ...GREY, ...RED, ...GREEN, ...BLUE];

/** A BMP with the 12-byte OS/2 1.x core header (16-bit sizes) and 3-byte colour table entries. */
function os2CoreBmp(parts: {
  width: number;
  height: number;
  bitsPerPixel: number;
  palette: Rgb[];
  rows: number[];
}): Buffer {
  const pixelOffset = 14 + 12 + parts.palette.length * 3;
  const file = Buffer.alloc(pixelOffset + parts.rows.length);
  file.write('BM', 0, 'latin1');
  file.writeUInt32LE(file.length, 2);
  file.writeUInt32LE(pixelOffset, 10);
  file.writeUInt32LE(12, 14);
  file.writeUInt16LE(parts.width, 18);
  file.writeUInt16LE(parts.height, 20);
  file.writeUInt16LE(1, 22); // planes
  file.writeUInt16LE(parts.bitsPerPixel, 24);
  parts.palette.forEach(([r, g, b], i) => file.set([b, g, r], 26 + i * 3));
  file.set(parts.rows, pixelOffset);
  return file;
}

/** `length` bytes that look random but are the same on every run. */
function noise(length: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length }, () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24);
}

const rowBytesOf = (width: number, bits: number) => Math.floor((width * bits + 31) / 32) * 4;

describe('decodeBmp on files spelled out byte by byte', () => {
  it('reads a 24-bit bottom-up file with row padding as RGB, top row first', async () => {
    const image = await pixels({
      width: 3,
      height: 2,
      bitsPerPixel: 24,
      rows: [...BOTTOM_ROW_24, ...TOP_ROW_24],
    });
    expect([image.width, image.height, image.channels]).toEqual([3, 2, 3]);
    expect(bytes(image.data)).toEqual(EXPECTED_3x2);
  });

  it('reads a top-down file (negative height) as the same picture', async () => {
    const image = await pixels({
      width: 3,
      height: -2,
      bitsPerPixel: 24,
      rows: [...TOP_ROW_24, ...BOTTOM_ROW_24],
    });
    expect([image.width, image.height]).toEqual([3, 2]);
    expect(bytes(image.data)).toEqual(EXPECTED_3x2);
  });

  it('reads an 8-bit palette file of width 5 (3 bytes of padding per row)', async () => {
    const image = await pixels({
      width: 5,
      height: 2,
      bitsPerPixel: 8,
      palette: [
        [0, 0, 0],
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
      ],
      rows: [1, 2, 3, 0, 1, 0, 0, 0, 3, 3, 2, 2, 1, 0, 0, 0],
    });
    expect(image.channels).toBe(3);
    expect(bytes(image.data)).toEqual([
      ...[BLUE, BLUE, GREEN, GREEN, RED].flat(),
      ...[RED, GREEN, BLUE, BLACK, RED].flat(),
    ]);
  });

  it('reads 1-bit and 4-bit files of odd width (bmp-ts alone stops after one 4-bit row)', async () => {
    const mono = await pixels({
      width: 9,
      height: 2,
      bitsPerPixel: 1,
      palette: [
        [0, 0, 0],
        [255, 255, 255],
      ],
      // 9 pixels take 2 bytes, padded to 4.
      rows: [0b10101010, 0b10000000, 0, 0, 0b01010101, 0b00000000, 0, 0],
    });
    const w = WHITE;
    const k = BLACK;
    expect(bytes(mono.data)).toEqual([k, w, k, w, k, w, k, w, k, w, k, w, k, w, k, w, k, w].flat());
    const nibbles = await pixels({
      width: 3,
      height: 2,
      bitsPerPixel: 4,
      palette: [
        [0, 0, 0],
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
      ],
      rows: [0x12, 0x30, 0, 0, 0x32, 0x10, 0, 0],
    });
    expect(bytes(nibbles.data)).toEqual([BLUE, GREEN, RED, RED, GREEN, BLUE].flat());
  });

  it('widens 16-bit samples to the full range, for 5-5-5 and 5-6-5 bit fields', async () => {
    const rgb555 = await pixels({
      width: 3,
      height: 1,
      bitsPerPixel: 16,
      // White, red, and red at 16/31; little-endian, padded to 8 bytes.
      rows: [0xff, 0x7f, 0x00, 0x7c, 0x00, 0x40, 0, 0],
    });
    expect(bytes(rgb555.data)).toEqual([...WHITE, ...RED, Math.round((16 * 255) / 31), 0, 0]);
    const rgb565 = await pixels({
      width: 2,
      height: 1,
      bitsPerPixel: 16,
      compression: 3,
      masks: [0xf800, 0x07e0, 0x001f],
      rows: [0xff, 0xff, 0xe0, 0x07],
    });
    expect(bytes(rgb565.data)).toEqual([...WHITE, ...GREEN]);
  });

  it('ignores the fourth byte of 32-bit BI_RGB pixels, and reads alpha given by bit fields', async () => {
    const plain = await pixels({ width: 1, height: 1, bitsPerPixel: 32, rows: [1, 2, 3, 4] });
    expect([plain.channels, ...plain.data]).toEqual([3, 3, 2, 1]);
    const alphaParts: BmpParts = {
      width: 2,
      height: 1,
      bitsPerPixel: 32,
      compression: 6,
      masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000],
      // Opaque red, then fully transparent blue.
      rows: [0, 0, 255, 255, 255, 0, 0, 0],
    };
    const alpha = await pixels(alphaParts);
    expect([alpha.channels, ...alpha.data]).toEqual([4, 255, 0, 0, 255, 0, 0, 255, 0]);
    // The pipeline flattens transparency on white, as for PNG.
    const file = write(bmpFile(alphaParts));
    expect(await header(file)).toMatchObject({ format: 'bmp', channels: 4, hasAlpha: true });
    expect(bytes((await lazyImage(file, settings).rgb()).data)).toEqual([...RED, ...WHITE]);
    // Alpha masked in but 0 everywhere: a writer's slip, shown opaque.
    const unset = await pixels({ ...alphaParts, rows: [0, 0, 255, 0, 255, 0, 0, 0] });
    expect([unset.channels, ...unset.data]).toEqual([3, ...RED, ...BLUE]);
  });

  it('reads V5 headers (masks in the header, 0 under BI_RGB) and rows after a gap', async () => {
    const v5 = { width: 1, height: 1, bitsPerPixel: 32, infoBytes: 124, rows: [1, 2, 3, 0] };
    expect(bytes((await pixels(v5)).data)).toEqual([3, 2, 1]);
    const withMasks = await pixels({
      ...v5,
      compression: 3,
      masks: [0x000000ff, 0x0000ff00, 0x00ff0000, 0xff000000],
      rows: [10, 20, 30, 255],
    });
    expect([withMasks.channels, ...withMasks.data]).toEqual([4, 10, 20, 30, 255]);
    const gap = await pixels({
      width: 3,
      height: 2,
      bitsPerPixel: 24,
      gap: 7,
      rows: [...BOTTOM_ROW_24, ...TOP_ROW_24],
    });
    expect(bytes(gap.data)).toEqual(EXPECTED_3x2);
  });

  it('reads the OS/2 core header with its 3-byte colour table', async () => {
    const file = os2CoreBmp({
      width: 2,
      height: 1,
      bitsPerPixel: 1,
      palette: [RED, WHITE],
      rows: [0b01000000, 0, 0, 0],
    });
    expect(file.readUInt32LE(10)).toBe(32);
    expect(bytes((await decodeBmp(write(file), LIMIT)).data)).toEqual([...RED, ...WHITE]);
  });

  it('accepts a file that ends without the last row padding', async () => {
    const image = await pixels({
      width: 3,
      height: 2,
      bitsPerPixel: 24,
      rows: [...BOTTOM_ROW_24, ...TOP_ROW_24.slice(0, 9)],
    });
    expect(bytes(image.data)).toEqual(EXPECTED_3x2);
  });
});

describe('the direct row reader against bmp-ts, on the same files', () => {
  /**
   * Decodes a file both ways: by default, which must take the direct reader, and with bmp-ts
   * alone. The two must give the same pixels byte for byte; the direct reader's are returned.
   */
  async function sameFromBoth(file: string, label: string) {
    expect(directPixelsOf((await readBmpHeader(file, LIMIT))!), label).toBeDefined();
    const direct = await decodeBmp(file, LIMIT);
    const reference = await decodeBmp(file, LIMIT, 'bmp-ts');
    expect([direct.width, direct.height, direct.channels], label).toEqual([
      reference.width,
      reference.height,
      reference.channels,
    ]);
    expect(direct.data.equals(reference.data), label).toBe(true);
    return direct;
  }
  const sameFromBothParts = (parts: BmpParts, label: string) =>
    sameFromBoth(write(bmpFile(parts)), label);

  it('agrees on 24- and 32-bit rows of every padding (widths 1-5), bottom-up and top-down', async () => {
    for (const bitsPerPixel of [24, 32]) {
      for (let width = 1; width <= 5; width++) {
        for (const height of [3, -3]) {
          // Noise in the padding and in the unused fourth byte too: both must be ignored.
          const rows = noise(rowBytesOf(width, bitsPerPixel) * 3, width * height * bitsPerPixel);
          const label = `${bitsPerPixel} bits, ${width} x ${height}`;
          const image = await sameFromBothParts({ width, height, bitsPerPixel, rows }, label);
          expect([image.channels, image.data.length], label).toEqual([3, width * 3 * 3]);
        }
      }
    }
  });

  it('agrees on 32-bit alpha with byte-wide masks in any order, used or all zero', async () => {
    const layouts: Array<{
      masks: number[];
      alphaByte: number;
      compression: number;
      infoBytes: number;
    }> = [
      { masks: [0xff0000, 0xff00, 0xff, 0xff000000], alphaByte: 3, compression: 6, infoBytes: 40 },
      { masks: [0xff, 0xff00, 0xff0000, 0xff000000], alphaByte: 3, compression: 3, infoBytes: 124 },
      { masks: [0xff000000, 0xff0000, 0xff00, 0xff], alphaByte: 0, compression: 6, infoBytes: 40 },
    ];
    for (const [n, { masks, alphaByte, compression, infoBytes }] of layouts.entries()) {
      for (let width = 1; width <= 5; width++) {
        for (const height of [2, -2]) {
          const rows = noise(width * 4 * 2, n * 100 + width * height);
          const parts = { width, height, bitsPerPixel: 32, compression, infoBytes, masks, rows };
          const label = `layout ${n}, ${width} x ${height}`;
          const withAlpha = await sameFromBothParts(parts, label);
          expect(withAlpha.channels, label).toBe(4);
          const noAlpha = rows.map((byte, i) => (i % 4 === alphaByte ? 0 : byte));
          const opaque = await sameFromBothParts({ ...parts, rows: noAlpha }, `${label}, alpha 0`);
          expect(opaque.channels, label).toBe(3);
        }
      }
    }
  });

  it('agrees on 8-bit indexed rows, indices past a short colour table, and OS/2 entries', async () => {
    const palette: Rgb[] = [
      [10, 20, 30],
      [255, 0, 0],
      [0, 255, 0],
      [0, 0, 255],
      [200, 100, 50],
    ];
    for (let width = 1; width <= 5; width++) {
      for (const height of [3, -3]) {
        // Indices 0-7 against 5 entries: the 3 missing ones read as black.
        const rows = noise(rowBytesOf(width, 8) * 3, width + height).map((byte) => byte & 7);
        const label = `8 bits, ${width} x ${height}`;
        const image = await sameFromBothParts(
          { width, height, bitsPerPixel: 8, palette, rows },
          label,
        );
        const firstStoredIndex = rows[0]!;
        const firstStoredAt = (height > 0 ? 2 * width : 0) * 3;
        expect(bytes(image.data.subarray(firstStoredAt, firstStoredAt + 3)), label).toEqual(
          palette[firstStoredIndex] ?? BLACK,
        );
      }
    }
    const core = os2CoreBmp({
      width: 3,
      height: 2,
      bitsPerPixel: 8,
      palette,
      rows: [4, 3, 2, 0, 1, 0, 4, 0],
    });
    const image = await sameFromBoth(write(core), 'OS/2 core, 8 bits');
    expect(bytes(image.data)).toEqual([
      ...RED,
      ...palette[0]!,
      ...palette[4]!,
      ...palette[4]!,
      ...BLUE,
      ...GREEN,
    ]);
  });

  it('agrees when the last row lacks its padding, and over many batches of rows', async () => {
    const rows8 = [1, 2, 3, 4, 0, 0, 0, 0, 4, 3, 2];
    const palette = [BLACK, RED, GREEN, BLUE, WHITE];
    await sameFromBothParts(
      { width: 3, height: 2, bitsPerPixel: 8, palette, rows: rows8 },
      'short 8-bit',
    );
    const rows24 = noise(rowBytesOf(5, 24) * 2 - 1, 7);
    await sameFromBothParts(
      { width: 5, height: -2, bitsPerPixel: 24, rows: rows24 },
      'short 24-bit',
    );
    // 1001 x 1500 at 24 bits is 4.5 MB of rows: several reads of whole rows, the last one partial.
    const source = gradientPixels(1001, 1500);
    const bottomUp = encodedBmp(source, 24);
    const image = await sameFromBoth(write(bottomUp), 'bottom-up, many batches');
    expect(image.data.equals(source.data)).toBe(true);
    const topDown = Buffer.from(bottomUp);
    topDown.writeInt32LE(-1500, 22);
    await sameFromBoth(write(topDown), 'top-down, many batches');
  });

  it('leaves 1-, 4- and 16-bit files and masks that are not whole bytes to bmp-ts', () => {
    const palette = [BLACK];
    const cases: Array<[string, BmpParts]> = [
      ['1-bit', { width: 1, height: 1, bitsPerPixel: 1, palette, rows: [0, 0, 0, 0] }],
      ['4-bit', { width: 1, height: 1, bitsPerPixel: 4, palette, rows: [0, 0, 0, 0] }],
      ['16-bit', { width: 1, height: 1, bitsPerPixel: 16, rows: [0, 0, 0, 0] }],
      [
        '10-10-10-2 bits',
        {
          width: 1,
          height: 1,
          bitsPerPixel: 32,
          compression: 6,
          masks: [0x3ff00000, 0x000ffc00, 0x000003ff, 0xc0000000],
          rows: [0, 0, 0, 0],
        },
      ],
      [
        '8-8-8 with 4-bit alpha',
        {
          width: 1,
          height: 1,
          bitsPerPixel: 32,
          compression: 6,
          masks: [0xff0000, 0xff00, 0xff, 0x0f000000],
          rows: [0, 0, 0, 0],
        },
      ],
    ];
    for (const [label, parts] of cases) {
      const header = parseBmpHeader(label, bmpFile(parts))!;
      expect(header.bitsPerPixel, label).toBe(parts.bitsPerPixel);
      expect(directPixelsOf(header), label).toBeUndefined();
    }
  });
});

describe('decodeBmp on files written by bmp-ts', () => {
  it('gives back the pixels encoded, for every row padding (widths 1-5) and 24 and 32 bits', async () => {
    for (const bits of [24, 32] as const) {
      for (let width = 1; width <= 5; width++) {
        const source = gradientPixels(width, 3);
        const image = await decodeBmp(write(encodedBmp(source, bits)), LIMIT);
        expect([image.width, image.height, image.channels]).toEqual([width, 3, 3]);
        expect(image.data.equals(source.data), `${bits} bits, width ${width}`).toBe(true);
      }
    }
  });
});

describe('BMP headers', () => {
  it('reads size, format and alpha from the header, whatever the file is called', async () => {
    const file = write(
      bmpFile({ width: 3, height: -2, bitsPerPixel: 24, rows: [...TOP_ROW_24, ...BOTTOM_ROW_24] }),
      'named-as.png',
    );
    expect(await header(file)).toEqual({
      width: 3,
      height: 2,
      storedWidth: 3,
      storedHeight: 2,
      format: 'bmp',
      channels: 3,
      orientation: 1,
      hasAlpha: false,
      file: {
        bytes: 54 + 2 * 12,
        mtimeMs: statSync(file).mtimeMs,
        ctimeMs: statSync(file).ctimeMs,
      },
    });
  });

  it('refuses a bomb from its header, before reading the rows', async () => {
    // 100,000 x 100,000 declared, 60 bytes present: reading the rows would call it truncated.
    const file = write(bmpFile({ width: 100_000, height: 100_000, bitsPerPixel: 24, rows: [] }));
    for (const refused of [() => header(file), () => decodeBmp(file, LIMIT)]) {
      const err = await decodeFailure(refused());
      expect(err.reason).toBe('too-many-pixels');
      expect(err.message).toContain('100000 x 100000 = 10000000000 pixels');
    }
    // The decoder applies the limit it is given, even to a header that passed before.
    const small = write(encodedBmp(gradientPixels(40, 30), 24));
    expect((await header(small)).width).toBe(40);
    expect((await decodeFailure(decodeBmp(small, 1199))).reason).toBe('too-many-pixels');
  });

  it('reports a file cut short as truncated, naming the file', async () => {
    const whole = encodedBmp(gradientPixels(40, 30), 24);
    const cut = write(whole.subarray(0, 54 + 120 * 10), 'cut.bmp');
    const reads = [
      () => header(cut),
      () => decodeBmp(cut, LIMIT),
      () => lazyImage(cut, settings).rgb(),
    ];
    for (const read of reads) {
      const err = await decodeFailure(read());
      expect(err.reason).toBe('truncated');
      expect(err.file).toBe(cut);
      expect(err.message).toMatch(/^Cannot decode .*cut\.bmp: the file is truncated \(the BMP/);
    }
    const stub = write(whole.subarray(0, 30));
    const err = await decodeFailure(header(stub));
    expect([err.reason, err.detail]).toEqual([
      'truncated',
      'the 40-byte BMP info header needs 54 bytes, the file has 30',
    ]);
  });

  it('calls variants the decoder lacks unsupported and impossible headers corrupt', async () => {
    const row = [0, 0, 0, 0];
    const palette: BmpParts['palette'] = [[0, 0, 0]];
    const cases: Array<[BmpParts, string, string]> = [
      [
        { width: 1, height: 1, bitsPerPixel: 8, compression: 1, palette, rows: [1, 0, 0, 1] },
        'unsupported',
        'a BMP with RLE8 compression',
      ],
      [
        { width: 1, height: 1, bitsPerPixel: 4, compression: 2, palette, rows: [1, 0, 0, 1] },
        'unsupported',
        'a BMP with RLE4 compression',
      ],
      [
        { width: 1, height: 1, bitsPerPixel: 0, compression: 4, rows: [0xff, 0xd8] },
        'unsupported',
        'a BMP with an embedded JPEG',
      ],
      [
        { width: 1, height: 1, bitsPerPixel: 2, palette, rows: row },
        'unsupported',
        'a BMP with 2 bits per pixel',
      ],
      [
        { width: 1, height: 1, bitsPerPixel: 64, rows: [...row, ...row] },
        'unsupported',
        'a BMP with 64 bits per pixel',
      ],
      [
        { width: 1, height: 1, bitsPerPixel: 24, compression: 3, masks: [1, 2, 4], rows: row },
        'unsupported',
        'a 24-bit BMP with bit-field masks',
      ],
      [
        { width: 1, height: 1, bitsPerPixel: 24, infoBytes: 20, rows: row },
        'unsupported',
        'a BMP info header of 20 bytes, which is no known kind',
      ],
      [
        { width: 0, height: 1, bitsPerPixel: 24, rows: row },
        'corrupt',
        'the BMP header gives a size of 0 x 1',
      ],
      [
        { width: 1, height: 0, bitsPerPixel: 24, rows: row },
        'corrupt',
        'the BMP header gives a size of 1 x 0',
      ],
      [
        {
          width: 1,
          height: 1,
          bitsPerPixel: 16,
          compression: 3,
          masks: [0xf00f, 0x0f0, 0x00],
          rows: row,
        },
        'corrupt',
        'the red mask 0xf00f is no run of bits within a 16-bit pixel',
      ],
      [
        { width: 1, height: 1, bitsPerPixel: 8, rows: row },
        'corrupt',
        'the 8-bit BMP has no colour table',
      ],
    ];
    for (const [parts, reason, detail] of cases) {
      const file = write(bmpFile(parts));
      const err = await decodeFailure(header(file));
      expect([err.reason, err.detail], detail).toEqual([reason, detail]);
      expect(err.message).toContain(file);
    }
    const inside = bmpFile({ width: 1, height: 1, bitsPerPixel: 24, rows: row });
    inside.writeUInt32LE(40, 10); // the pixel offset
    const err = await decodeFailure(header(write(inside)));
    expect([err.reason, err.detail]).toEqual([
      'corrupt',
      'the BMP pixel data offset 40 points into the 54-byte header',
    ]);
  });
});

describe('BMP through every output', () => {
  it('gives the same pixels, pictures and encoder input as the same picture as PNG', async () => {
    const source = gradientPixels(300, 200);
    const bmp = write(encodedBmp(source, 24), 'gradient.bmp');
    const png = put(
      dir,
      'gradient.png',
      await sharp(source.data, { raw: { width: 300, height: 200, channels: 3 } })
        .png()
        .toBuffer(),
    );
    const fromBmp = lazyImage(bmp, settings);
    const fromPng = lazyImage(png, settings);
    expect((await fromBmp.rgb()).data.equals(source.data)).toBe(true);
    for (const output of ['display', 'thumbnail'] as const) {
      const [a, b] = await Promise.all([fromBmp[output](), fromPng[output]()]);
      expect([a.width, a.height, a.contentType]).toEqual([b.width, b.height, b.contentType]);
      expect(a.data.equals(b.data), output).toBe(true);
    }
    expect((await fromBmp.thumbnail()).width).toBe(128);
    for (const contract of ['longest-side', 'squash'] as const) {
      const [a, b] = await Promise.all([
        fromBmp.modelInput(contract),
        fromPng.modelInput(contract),
      ]);
      expect([a.width, a.height]).toEqual([b.width, b.height]);
      expect(a.data.equals(b.data), contract).toBe(true);
    }
    expect(fromBmp.decodes).toBe(6);
  });

  it('serves a BMP sample through the image service, and marks a broken BMP broken', async () => {
    const { dir: root, remove: removeRoot } = tempDir('bmp-service');
    try {
      const { data, info } = await sharp(photo('chelsea.png'))
        .raw()
        .toBuffer({ resolveWithObject: true });
      put(root, 'chelsea.bmp', encodedBmp({ width: info.width, height: info.height, data }, 32));
      put(root, 'chelsea.png', await sharp(photo('chelsea.png')).toBuffer());
      const whole = encodedBmp(gradientPixels(64, 64), 24);
      put(root, 'short.bmp', whole.subarray(0, whole.length - 500));
      const index = ImageIndex.open(root);
      const images = new ImageService(index, defaultConfig(), {
        hostBudgetBytes: TEST_HOST_BUDGET,
      });
      const id = (rel: string) => index.byRelPath(rel)!.id;
      expect(await images.metadata(id('chelsea.bmp'))).toMatchObject({
        width: 451,
        height: 300,
        format: 'bmp',
      });
      const display = await images.getDisplay(id('chelsea.bmp'));
      expect([display.width, display.height]).toEqual([451, 300]);
      const [a, b] = await Promise.all([
        images.getModelInput(id('chelsea.bmp'), 'longest-side'),
        images.getModelInput(id('chelsea.png'), 'longest-side'),
      ]);
      expect([a.width, a.height]).toEqual([1024, 681]);
      expect(a.data.equals(b.data)).toBe(true);
      const err = await decodeFailure(images.getThumbnail(id('short.bmp')));
      expect(err.reason).toBe('truncated');
      expect(index.broken().map((x) => x.entry.relPath)).toEqual(['short.bmp']);
    } finally {
      removeRoot();
    }
  });
});
