import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { TILE_SIZE, TileRequestError, renderTile, tileLevels, tileRegion } from './tiles.js';

describe('tileLevels', () => {
  it('gives no tiles to an image that fits its display picture', () => {
    expect(tileLevels({ width: 2048, height: 1000 }, 2048)).toEqual([]);
  });

  it('tiles every level sharper than the display picture', () => {
    expect(tileLevels({ width: 6000, height: 4000 }, 2048)).toEqual([
      { level: 0, width: 6000, height: 4000 },
      { level: 1, width: 3000, height: 2000 },
    ]);
    // Half of 4097 is 2049 (rounded up), still sharper than a 2048 display.
    expect(tileLevels({ width: 4097, height: 100 }, 2048).map((l) => l.level)).toEqual([0, 1]);
  });
});

describe('tileRegion', () => {
  const original = { width: 6000, height: 4000 };
  const levels = tileLevels(original, 2048);

  it('covers the whole image with no gap or overlap at every level', () => {
    for (const { level, width, height } of levels) {
      let covered = 0;
      for (let row = 0; row < Math.ceil(height / TILE_SIZE); row++) {
        for (let col = 0; col < Math.ceil(width / TILE_SIZE); col++) {
          const r = tileRegion(original, levels, level, col, row);
          expect(r.left + r.width).toBeLessThanOrEqual(original.width);
          expect(r.top + r.height).toBeLessThanOrEqual(original.height);
          covered += r.width * r.height;
        }
      }
      expect(covered).toBe(original.width * original.height);
    }
  });

  it('names the coordinate that is out of range', () => {
    expect(() => tileRegion(original, levels, 2, 0, 0)).toThrow(/level must be 0..1, got 2/);
    expect(() => tileRegion(original, levels, 0, 12, 0)).toThrow(/col must be 0..11, got 12/);
    expect(() => tileRegion(original, levels, 1, 0, 4)).toThrow(TileRequestError);
    expect(() => tileRegion({ width: 10, height: 10 }, [], 0, 0, 0)).toThrow(/no tiles/);
  });
});

describe('renderTile', () => {
  it('cuts the right pixels at full resolution and shrinks at level 1', async () => {
    const width = 1200;
    const height = 700;
    const data = Buffer.alloc(width * height * 3);
    // Left half red, right half blue.
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 3;
        if (x < 600) data[i] = 255;
        else data[i + 2] = 255;
      }
    }
    const rgb = { width, height, data };
    const levels = tileLevels(rgb, 500);
    const right = tileRegion(rgb, levels, 0, 2, 1);
    expect(right).toMatchObject({ left: 1024, top: 512, tileWidth: 176, tileHeight: 188 });
    const tile = await renderTile(rgb, right, 'jpeg', 90);
    const { data: px, info } = await sharp(tile.data).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([176, 188]);
    expect(px[2]).toBeGreaterThan(200);
    expect(px[0]).toBeLessThan(50);
    const half = await renderTile(rgb, tileRegion(rgb, levels, 1, 0, 0), 'jpeg', 90);
    expect([half.width, half.height]).toEqual([512, 350]);
  });
});
