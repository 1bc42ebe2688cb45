/**
 * Shared by the tests of the commands over the project store: real photos copied into temporary
 * dataset folders, annotated through the real store. Not part of the product.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ImageIndex } from '../../dataset/index.js';
import { createBitmap, encodeMask, type Bitmap } from '../../geometry/index.js';
import { PROJECT_DB_NAME, ProjectStore } from '../../store/index.js';
import { PROJECT_DIR_NAME } from '../context.js';
import type { CliIO } from '../io.js';
import { main } from '../main.js';

const photos = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../examples/photos',
);

export interface RunResult {
  code: number;
  out: string;
  err: string;
}

export async function run(...argv: string[]): Promise<RunResult> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => (out += t + '\n'), err: (t) => (err += t + '\n') };
  const code = await main(argv, io);
  return { code, out, err };
}

/** A temporary folder per test file, removed by `cleanup`. */
export function tempRoot(prefix: string): { path: string; cleanup(): void } {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { path: root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Dataset paths of the copied photos, with their sizes. */
export const PHOTOS = {
  horse: { path: 'horse.png', width: 400, height: 328 },
  coins: { path: 'sub/coins.png', width: 384, height: 303 },
  rocket: { path: 'sub/deeper/rocket.jpg', width: 640, height: 427 },
  /** Never annotated: its size is known only from its header. */
  chelsea: { path: 'chelsea.png', width: 451, height: 300 },
} as const;

/** A dataset folder under `root` holding copies of four example photos, in subfolders. */
export function photoDataset(root: string, name: string): string {
  const dir = path.join(root, name);
  for (const photo of Object.values(PHOTOS)) {
    const target = path.join(dir, ...photo.path.split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(path.join(photos, path.basename(photo.path)), target);
  }
  return dir;
}

/** A filled rectangle, optionally with a rectangular hole. */
export function rectMask(
  size: { width: number; height: number },
  rect: [x: number, y: number, w: number, h: number],
  hole?: [x: number, y: number, w: number, h: number],
): Bitmap {
  const mask = createBitmap(size.width, size.height);
  const paint = ([x, y, w, h]: number[], value: number): void => {
    for (let row = y!; row < y! + h!; row++) {
      mask.data.fill(value, row * size.width + x!, row * size.width + x! + w!);
    }
  };
  paint(rect, 1);
  if (hole) paint(hole, 0);
  return mask;
}

/** Opens the project of a dataset with its images registered, as the commands do. */
export function openTestProject(dir: string, projectDir?: string): ProjectStore {
  const store = ProjectStore.open({
    projectDir: projectDir ?? path.join(dir, PROJECT_DIR_NAME),
  });
  store.images.sync(ImageIndex.open(dir, { projectDirName: PROJECT_DIR_NAME }).entries());
  return store;
}

/**
 * Annotates a photo dataset: classes horse, coin, rocket; one horse, two coins (one with a
 * hole, so exact RLE and polygons differ), one rocket; chelsea.png untouched.
 */
export function annotate(dir: string): void {
  const store = openTestProject(dir);
  try {
    const [horse, coin, rocket] = ['horse', 'coin', 'rocket'].map((n) => store.classes.add(n));
    const add = (photo: (typeof PHOTOS)[keyof typeof PHOTOS], classId: number, mask: Bitmap) =>
      store.objects.add({
        imageId: store.images.findByPath(photo.path)!.id,
        classId,
        rle: encodeMask(mask),
        source: 'manual',
      });
    add(PHOTOS.horse, horse!.id, rectMask(PHOTOS.horse, [40, 30, 200, 150]));
    add(PHOTOS.coins, coin!.id, rectMask(PHOTOS.coins, [10, 10, 60, 60], [30, 30, 20, 20]));
    add(PHOTOS.coins, coin!.id, rectMask(PHOTOS.coins, [200, 100, 40, 50]));
    add(PHOTOS.rocket, rocket!.id, rectMask(PHOTOS.rocket, [300, 20, 30, 380]));
  } finally {
    store.close();
  }
}

/**
 * Every row of every table of a project database, read through a connection of its own: two
 * snapshots are equal exactly when nothing in the project changed.
 */
export function projectSnapshot(projectDir: string): Record<string, string[]> {
  const db = new Database(path.join(projectDir, PROJECT_DB_NAME), { readonly: true });
  try {
    const tables = db
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .pluck()
      .all() as string[];
    return Object.fromEntries(
      tables.map((t) => [
        t,
        db
          .prepare(`SELECT * FROM "${t}"`)
          .all()
          .map((row) => JSON.stringify(row))
          .sort(),
      ]),
    );
  } finally {
    db.close();
  }
}

/** The masks of a project by image path: class name and RLE of each object, in id order. */
export function masksByPath(
  store: ProjectStore,
): Record<string, { className: string; counts: string; size: [number, number] }[]> {
  const names = new Map(store.classes.list().map((c) => [c.id, c.name]));
  const out: Record<string, { className: string; counts: string; size: [number, number] }[]> = {};
  for (const image of store.iterateImages()) {
    const objects = store.objectsOf(image.id);
    if (objects.length === 0) continue;
    out[image.path] = objects.map((o) => ({
      className: names.get(o.classId)!,
      counts: o.rle.counts,
      size: o.rle.size,
    }));
  }
  return out;
}
