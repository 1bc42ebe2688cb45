/**
 * Shared by this folder's tests (and the crash writer); not part of the public API. Projects
 * are real SQLite files in temporary folders.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { createBitmap, encodeMask, type CompressedRle } from '../geometry/index.js';
import { ProjectStore, type OpenProjectOptions } from './project-store.js';
import type { SyncEntry } from './image-store.js';

export interface TempProject {
  dir: string;
  open(options?: Omit<OpenProjectOptions, 'projectDir' | 'datasetDir'>): ProjectStore;
  /** Closes every store opened through `open` and deletes the folder. */
  cleanup(): void;
}

export function tempProject(prefix = 'sam-store-'): TempProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  const opened: ProjectStore[] = [];
  return {
    dir,
    open(options = {}) {
      const store = ProjectStore.open({ ...options, projectDir: dir });
      opened.push(store);
      return store;
    },
    cleanup() {
      for (const store of opened) store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type StoreOptions = Parameters<TempProject['open']>[0];

/**
 * Gives every test of a file a fresh project, closed and deleted after it. Read `store` inside
 * the tests (it is another one each time); `reopen` closes it and opens the project again.
 */
export function projectPerTest(options: StoreOptions = {}): {
  readonly project: TempProject;
  readonly store: ProjectStore;
  reopen(other?: StoreOptions): ProjectStore;
} {
  let project: TempProject | undefined;
  let store: ProjectStore | undefined;
  beforeEach(() => {
    project = tempProject();
    store = project.open(options);
  });
  afterEach(() => project?.cleanup());
  return {
    get project() {
      return project!;
    },
    get store() {
      return store!;
    },
    reopen(other = options) {
      store!.close();
      store = project!.open(other);
      return store;
    },
  };
}

/** A filled rectangle [x, x + w) x [y, y + h) on a width x height mask, as a compressed RLE. */
export function rectRle(
  width: number,
  height: number,
  x: number,
  y: number,
  w: number,
  h: number,
): CompressedRle {
  const mask = createBitmap(width, height);
  for (let row = y; row < y + h; row++) mask.data.fill(1, row * width + x, row * width + x + w);
  return encodeMask(mask);
}

export function syncEntry(relPath: string, bytes = 1000, mtimeMs = 1_700_000_000_000): SyncEntry {
  return { id: `key:${relPath}`, relPath, bytes, mtimeMs };
}

/** Registers `paths` with the given size; returns their ids in the same order. */
export function addImages(
  store: ProjectStore,
  paths: readonly string[],
  size: { width: number; height: number } = { width: 64, height: 48 },
): number[] {
  store.images.sync(paths.map((p) => syncEntry(p)));
  const ids = paths.map((p) => store.images.findByPath(p)!.id);
  store.images.setSizes(ids.map((id) => ({ id, ...size })));
  return ids;
}

/** A clock that starts at `start` and moves on `stepMs` per reading. */
export function steppingClock(start: string, stepMs = 1000): () => Date {
  let t = Date.parse(start);
  return () => {
    const now = new Date(t);
    t += stepMs;
    return now;
  };
}

/** The fields of the seed tool's `--export_stats` file, in its order (stats put them first). */
export const SEED_EXPORT_STATS_FIELDS = [
  'total_images',
  'total_annotations',
  'class_distribution',
  'objects_per_image',
  'avg_vertices_per_mask',
  'faulty_count',
];
