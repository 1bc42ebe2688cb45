import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../geometry/testdata/shapes.js';
import { ImportError } from './errors.js';
import { decodePngSamples } from './png-samples.js';
import { palettePng } from './test-support.js';

const W = 37;
const H = 23;

/** An RGB picture of `colours` flat colours in random blocks. */
function picture(colours: number, seed: number): Buffer {
  const random = seededRandom(seed);
  const palette = Array.from({ length: colours }, () =>
    [random() * 256, random() * 256, random() * 256].map(Math.floor),
  );
  const out = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const c =
        palette[
          (Math.floor(x / 3) * 7 + Math.floor(y / 2) * 3 + (random() < 0.1 ? 1 : 0)) % colours
        ]!;
      out.set(c, (y * W + x) * 3);
    }
  }
  return out;
}

async function rawRgb(png: Buffer): Promise<Buffer> {
  return sharp(png).removeAlpha().toColourspace('srgb').raw().toBuffer();
}

function expand(indices: Uint8Array, palette: Uint8Array): Buffer {
  const out = Buffer.alloc(indices.length * 3);
  indices.forEach((i, k) => out.set(palette.subarray(i * 3, i * 3 + 3), k * 3));
  return out;
}

describe('decodePngSamples', () => {
  it('reads palette indices of sharp-written PNGs at 1, 2, 4 and 8 bits, plain and interlaced', async () => {
    for (const colours of [2, 4, 16, 200]) {
      for (const progressive of [false, true]) {
        const png = await sharp(picture(colours, colours), {
          raw: { width: W, height: H, channels: 3 },
        })
          .png({ palette: true, colours, dither: 0, progressive })
          .toBuffer();
        const decoded = decodePngSamples(png, 'x.png', { width: W, height: H });
        expect(decoded.indexed).toBe(true);
        expect(decoded.channels).toBe(1);
        expect(
          expand(decoded.data, decoded.palette!).equals(await rawRgb(png)),
          `${colours} colours`,
        ).toBe(true);
        if (colours <= 16) expect(png[24], 'bit depth').toBeLessThan(8);
        if (progressive) expect(png[28], 'interlace').toBe(1);
      }
    }
  });

  it('reads grey, RGB and RGBA samples as sharp decodes them', async () => {
    const rgb = picture(50, 9);
    const grey = await sharp(rgb, { raw: { width: W, height: H, channels: 3 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    const g = decodePngSamples(grey, 'g.png', { width: W, height: H });
    expect(g.channels).toBe(1);
    expect(Buffer.from(g.data).equals(await sharp(grey).extractChannel(0).raw().toBuffer())).toBe(
      true,
    );
    for (const alpha of [false, true]) {
      let image = sharp(rgb, { raw: { width: W, height: H, channels: 3 } });
      if (alpha) image = image.ensureAlpha(0.5);
      const png = await image.png({ progressive: alpha }).toBuffer();
      const d = decodePngSamples(png, 'c.png', { width: W, height: H });
      expect(d.channels).toBe(3);
      expect(Buffer.from(d.data).equals(rgb)).toBe(true);
    }
  });

  it('undoes every row filter on indices above 127 (no sign or overflow slips)', () => {
    const indices = Uint8Array.from({ length: 9 * 5 }, (_, k) => (k * 53 + 200) & 0xff);
    for (const filter of [0, 1, 2]) {
      const d = decodePngSamples(palettePng(indices, 9, 5, filter), 'f.png', {
        width: 9,
        height: 5,
      });
      expect(Array.from(d.data)).toEqual(Array.from(indices));
    }
  });

  it('refuses other sizes, damage and truncation with ImportErrors', () => {
    const good = palettePng(new Uint8Array(12), 4, 3);
    const fails = (bytes: Uint8Array, size = { width: 4, height: 3 }): string => {
      try {
        decodePngSamples(bytes, 'm.png', size);
      } catch (err) {
        expect(err).toBeInstanceOf(ImportError);
        return (err as Error).message;
      }
      throw new Error('decoded');
    };
    expect(fails(good, { width: 5, height: 3 })).toMatch(
      /expected the image's size, 5 x 3, got 4 x 3/,
    );
    const flipped = Buffer.from(good);
    flipped[good.length - 20]! ^= 0x10;
    expect(fails(flipped)).toMatch(/matching CRC/);
    expect(fails(good.subarray(0, good.length - 12))).toMatch(/truncated/);
    expect(fails(Buffer.from('GIF89a....'))).toMatch(/expected a PNG file/);
  });
});
