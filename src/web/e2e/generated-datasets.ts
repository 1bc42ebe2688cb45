/**
 * Datasets the browser tests generate: a tree of 100,000 tiny images, and a photo big enough to
 * be tiled with a colour pattern that only full-resolution pixels can show.
 */
import { existsSync, linkSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { REPO_ROOT } from './e2e-support';

export interface ManyImages {
  dir: string;
  total: number;
  /** The relative path of the image at a 0-based list position (natural order). */
  pathAt(index: number): string;
  /** The list position of a relative path. */
  indexOf(relative: string): number;
}

const FOLDERS = 4;
const DIGITS = 5;

/**
 * `total` images in FOLDERS folders (part-1/img-00000.png ...). The files are hard links of one
 * 8x8 PNG per folder (ext4 allows 65,000 links to a file), so making them costs links, not
 * bytes. The tree is kept in .cache between runs (it takes seconds to make and to delete); the
 * marker file, written last, says it is complete. The tests never write into it: their project
 * lives elsewhere.
 */
export async function manyImagesDataset(total = 100_000): Promise<ManyImages> {
  const perFolder = Math.ceil(total / FOLDERS);
  const base = path.join(REPO_ROOT, '.cache', 'e2e-datasets');
  const dir = path.join(base, `images-${total}`);
  const marker = `${dir}.complete`;
  const name = (k: number) => `img-${String(k).padStart(DIGITS, '0')}.png`;
  const pathAt = (index: number) =>
    `part-${Math.floor(index / perFolder) + 1}/${name(index % perFolder)}`;
  if (!existsSync(marker)) {
    rmSync(dir, { recursive: true, force: true });
    const png = await sharp({
      create: { width: 8, height: 8, channels: 3, background: '#6a8caf' },
    })
      .png()
      .toBuffer();
    for (let f = 0; f < FOLDERS; f++) {
      const folder = path.join(dir, `part-${f + 1}`);
      mkdirSync(folder, { recursive: true });
      const first = path.join(folder, name(0));
      writeFileSync(first, png);
      const count = Math.min(perFolder, total - f * perFolder);
      for (let k = 1; k < count; k++) linkSync(first, path.join(folder, name(k)));
    }
    writeFileSync(marker, `${total} images in ${FOLDERS} folders\n`);
  }
  return {
    dir,
    total,
    pathAt,
    indexOf(relative) {
      const m = /^part-(\d+)\/img-(\d+)\.png$/.exec(relative);
      if (!m) throw new Error(`Not a path of the generated dataset: ${relative}`);
      return (Number(m[1]) - 1) * perFolder + Number(m[2]);
    },
  };
}

/** Vertical stripes STRIPE px wide, alternately STRIPE_COLORS[0] and [1], from x = 0. */
export const STRIPE = 2;
export const STRIPE_COLORS = [
  [220, 30, 30],
  [30, 60, 220],
] as const;

/** The stripe colour of original column x (continuous: pixel i covers [i, i+1)). */
export function stripeColorAt(x: number): (typeof STRIPE_COLORS)[number] {
  return STRIPE_COLORS[Math.floor(x / STRIPE) % 2]!;
}

/**
 * A width x height JPEG of stripes 2 px wide: the display picture (longest side 2048, about a
 * third of 6000) can only show their blend, tiles show them red and blue. 4:4:4 chroma keeps
 * the colours of thin stripes.
 */
export async function writeStripedJpeg(file: string, width: number, height: number): Promise<void> {
  const row = Buffer.alloc(width * 3);
  for (let x = 0; x < width; x++) row.set(stripeColorAt(x), x * 3);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) row.copy(pixels, y * width * 3);
  await sharp(pixels, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 92, chromaSubsampling: '4:4:4' })
    .toFile(file);
}
