import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { AnnotationSource } from '../../store/records.js';

/** A fresh temporary folder per test, removed afterwards; `folder()` gives its path. */
export function useTempFolder(prefix: string): () => string {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  return () => dir;
}

/** Names in `dir`, sorted (to check that nothing half-written was left). */
export async function entries(dir: string): Promise<string[]> {
  return (await readdir(dir)).sort();
}

/** A source whose objectsOf fails at the given image: an injected fault mid-export. */
export function failingAt(source: AnnotationSource, imageId: number): AnnotationSource {
  return {
    listClasses: () => source.listClasses(),
    iterateImages: () => source.iterateImages(),
    objectsOf: (id) => {
      if (id === imageId) throw new Error(`injected read failure at image ${id}`);
      return source.objectsOf(id);
    },
  };
}
