import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { ManifestError } from './errors.js';
import { manifestPath, readManifest, type ModelManifest } from './manifest.js';

export interface InstalledModel {
  name: string;
  dir: string;
  manifest: ModelManifest;
}

export interface InstalledListing {
  models: InstalledModel[];
  /** Folders with a model.json that cannot be read; listed, not fatal. */
  problems: ManifestError[];
}

/** Staging folders of pulls in progress (or killed) start with this; they are never models. */
export const STAGING_PREFIX = '.partial-';

/** Every folder of `modelsDir` that holds a model.json. A missing modelsDir holds nothing. */
export async function listInstalled(modelsDir: string): Promise<InstalledListing> {
  let names: string[];
  try {
    const entries = await readdir(modelsDir, { withFileTypes: true });
    names = entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { models: [], problems: [] };
    throw err;
  }
  const listing: InstalledListing = { models: [], problems: [] };
  for (const name of names.sort()) {
    const dir = path.join(modelsDir, name);
    if (!existsSync(manifestPath(dir))) continue;
    try {
      listing.models.push({ name, dir, manifest: await readManifest(dir) });
    } catch (err) {
      if (!(err instanceof ManifestError)) throw err;
      listing.problems.push(err);
    }
  }
  return listing;
}

/** The installed model in `<modelsDir>/<name>`, or undefined when it has no model.json. */
export async function findInstalled(
  modelsDir: string,
  name: string,
): Promise<InstalledModel | undefined> {
  const dir = path.join(modelsDir, name);
  if (!existsSync(manifestPath(dir))) return undefined;
  return { name, dir, manifest: await readManifest(dir) };
}
