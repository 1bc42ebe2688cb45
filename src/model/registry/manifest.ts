import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ManifestError } from './errors.js';

/** Written into every installed model folder; its presence means "completely installed". */
export const MANIFEST_FILE = 'model.json';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a lower-case sha256 hex string');
const relPath = z
  .string()
  .min(1)
  .refine(
    (p) => !path.isAbsolute(p) && !p.split(/[/\\]/).includes('..'),
    'a path inside the model folder',
  );

const manifestFile = z.object({
  path: relPath,
  bytes: z.number().int().min(0),
  sha256,
  /**
   * Where the expected hash comes from: `published` by the host, `archive` (extracted from an
   * archive whose published hash matched), `first-download` (recorded when first fetched).
   */
  hashSource: z.enum(['published', 'archive', 'first-download']),
  /** Modification time at install or last verification: an unchanged stamp skips re-hashing. */
  mtimeMs: z.number().optional(),
});

const manifestSource = z.object({
  fileName: z.string().min(1),
  url: z.string().min(1),
  bytes: z.number().int().min(0),
  sha256,
  sha256Published: z.boolean(),
});

const manifestSchema = z.object({
  formatVersion: z.literal(1),
  name: z.string().min(1),
  family: z.enum(['sam1', 'sam2']),
  contract: z.enum(['A1-C1', 'B']),
  encoder: relPath,
  decoder: relPath,
  files: z.array(manifestFile).min(1),
  sources: z.array(manifestSource),
  installedAt: z.string(),
});

export type ModelManifest = z.infer<typeof manifestSchema>;
export type ManifestFileRecord = z.infer<typeof manifestFile>;
export type ManifestSource = z.infer<typeof manifestSource>;

export function manifestPath(modelDir: string): string {
  return path.join(modelDir, MANIFEST_FILE);
}

/** Reads and checks `<modelDir>/model.json`; a ManifestError names the file and the field. */
export async function readManifest(modelDir: string): Promise<ModelManifest> {
  const file = manifestPath(modelDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new ManifestError(`Cannot read ${file}: ${(err as Error).message}.`, file, {
      cause: err,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ManifestError(`${file} is not valid JSON: ${(err as Error).message}.`, file, {
      cause: err,
    });
  }
  const result = manifestSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ManifestError(
      `${file}: field "${issue.path.join('.') || '(top level)'}" is invalid: ${issue.message}.`,
      file,
    );
  }
  const manifest = result.data;
  for (const role of ['encoder', 'decoder'] as const) {
    if (!manifest.files.some((f) => f.path === manifest[role])) {
      throw new ManifestError(
        `${file}: ${role} "${manifest[role]}" is not among the listed files.`,
        file,
      );
    }
  }
  return manifest;
}

/** Writes model.json through a temporary file and a rename: readers never see half of it. */
export async function writeManifest(modelDir: string, manifest: ModelManifest): Promise<void> {
  const file = manifestPath(modelDir);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(manifest, null, 2) + '\n');
    await rename(temporary, file);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
}

/** Absolute path of a manifest file entry. */
export function fileIn(modelDir: string, relativePath: string): string {
  return path.join(modelDir, ...relativePath.split('/'));
}
