import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { downloadFile, type DownloadResult } from './download.js';
import {
  ArchiveError,
  ChecksumMismatchError,
  ManifestError,
  ModelRegistryError,
  UnknownModelError,
} from './errors.js';
import { extractZip, type ExtractLimits, type ExtractedFile } from './extract-zip.js';
import { findInstalled, STAGING_PREFIX } from './installed.js';
import {
  KNOWN_MODELS,
  downloadUrl,
  findKnownModel,
  type ModelDownload,
  type ModelEntry,
} from './known-models.js';
import {
  fileIn,
  manifestPath,
  writeManifest,
  type ManifestFileRecord,
  type ManifestSource,
  type ModelManifest,
} from './manifest.js';

export type PullProgress =
  | {
      phase: 'download';
      fileName: string;
      url: string;
      receivedBytes: number;
      totalBytes: number | undefined;
    }
  | { phase: 'extract'; fileName: string; doneEntries: number; totalEntries: number }
  | { phase: 'installed'; dir: string };

export interface PullOptions {
  /** The models folder; the model goes to `<dir>/<name>/`. */
  dir: string;
  /** A mirror serving every file as `<baseUrl>/<fileName>`; empty for the official hosts. */
  baseUrl?: string;
  /** Download again and replace an installed copy. */
  force?: boolean;
  signal?: AbortSignal;
  onProgress?: (event: PullProgress) => void;
  idleTimeoutMs?: number;
  extractLimits?: Partial<ExtractLimits>;
  /** Where names are looked up (tests add their own entries). */
  registry?: readonly ModelEntry[];
}

export interface PullResult {
  name: string;
  dir: string;
  status: 'installed' | 'already-installed';
  manifest: ModelManifest;
  /** Bytes transferred by this call (0 when already installed). */
  downloadedBytes: number;
}

/**
 * Downloads, checks and installs a model. Everything happens in a staging folder inside the
 * models folder; the finished folder is renamed into place, so a model folder with a
 * model.json is always complete, and any failure (HTTP, truncation, checksum, unsafe archive,
 * abort) leaves nothing behind. Pulling an installed model is a no-op unless `force`.
 */
export async function pull(model: string | ModelEntry, options: PullOptions): Promise<PullResult> {
  const entry = typeof model === 'string' ? lookUp(model, options.registry) : model;
  checkNames(entry);
  const modelsDir = path.resolve(options.dir);
  const target = path.join(modelsDir, entry.name);

  if (!options.force) {
    const installed = await alreadyInstalled(target, entry.name, modelsDir);
    if (installed) return installed;
  }

  await mkdir(modelsDir, { recursive: true });
  await removeAbandonedStaging(modelsDir);
  const staging = await mkdtemp(
    path.join(modelsDir, `${STAGING_PREFIX}${process.pid}-${entry.name}-`),
  );
  try {
    const content = path.join(staging, 'model');
    await mkdir(content);
    const files: ManifestFileRecord[] = [];
    const sources: ManifestSource[] = [];
    let downloadedBytes = 0;
    for (const download of entry.downloads) {
      const fetched = await fetchOne(download, staging, content, options);
      downloadedBytes += fetched.source.bytes;
      sources.push(fetched.source);
      files.push(...fetched.files);
    }
    const manifest: ModelManifest = {
      formatVersion: 1,
      name: entry.name,
      family: entry.family,
      contract: entry.contract,
      encoder: locate(entry, 'encoder', files),
      decoder: locate(entry, 'decoder', files),
      files: await stampMtimes(content, files),
      sources,
      installedAt: new Date().toISOString(),
    };
    await writeManifest(content, manifest);
    const status = await moveIntoPlace(content, target, staging, options.force === true);
    if (status === 'lost-race') {
      // Another pull installed the same model while this one downloaded.
      return (await alreadyInstalled(target, entry.name, modelsDir))!;
    }
    options.onProgress?.({ phase: 'installed', dir: target });
    return { name: entry.name, dir: target, status: 'installed', manifest, downloadedBytes };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** Names become file and folder names: one plain path segment each. */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkNames(entry: ModelEntry): void {
  for (const name of [entry.name, ...entry.downloads.map((d) => d.fileName)]) {
    if (!SAFE_NAME.test(name) || name.includes('..')) {
      throw new ModelRegistryError(
        `Model entry "${entry.name}": "${name}" is not a plain file name (letters, digits, ".", "_", "-").`,
      );
    }
  }
}

function lookUp(name: string, registry: readonly ModelEntry[] = KNOWN_MODELS): ModelEntry {
  const entry = findKnownModel(name, registry);
  if (!entry)
    throw new UnknownModelError(
      name,
      registry.map((m) => m.name),
    );
  return entry;
}

async function alreadyInstalled(
  target: string,
  name: string,
  modelsDir: string,
): Promise<PullResult | undefined> {
  if (!existsSync(target)) return undefined;
  if (!existsSync(manifestPath(target))) {
    throw new ModelRegistryError(
      `${target} exists but holds no model.json, so it was not installed by pull. ` +
        `Remove it, or pass --force to replace it.`,
    );
  }
  try {
    const found = await findInstalled(modelsDir, name);
    return {
      name,
      dir: target,
      status: 'already-installed',
      manifest: found!.manifest,
      downloadedBytes: 0,
    };
  } catch (err) {
    if (err instanceof ManifestError) {
      throw new ManifestError(`${err.message} Pass --force to download the model again.`, err.file);
    }
    throw err;
  }
}

interface Fetched {
  source: ManifestSource;
  files: ManifestFileRecord[];
}

async function fetchOne(
  download: ModelDownload,
  staging: string,
  content: string,
  options: PullOptions,
): Promise<Fetched> {
  const url = downloadUrl(download, options.baseUrl);
  const progress = (receivedBytes: number, totalBytes: number | undefined): void =>
    options.onProgress?.({
      phase: 'download',
      fileName: download.fileName,
      url,
      receivedBytes,
      totalBytes,
    });
  const dest =
    download.kind === 'zip'
      ? path.join(staging, download.fileName)
      : path.join(content, download.fileName);
  const result = await downloadFile(url, dest, {
    signal: options.signal,
    idleTimeoutMs: options.idleTimeoutMs,
    expectedBytes: download.bytes,
    onProgress: progress,
  });
  checkHash(download, url, result);
  const source: ManifestSource = {
    fileName: download.fileName,
    url,
    bytes: result.bytes,
    sha256: result.sha256,
    sha256Published: download.sha256 !== undefined,
  };
  if (download.kind === 'file') {
    const hashSource = download.sha256 ? 'published' : 'first-download';
    return {
      source,
      files: [{ path: download.fileName, bytes: result.bytes, sha256: result.sha256, hashSource }],
    };
  }
  const extracted = await extractZip(dest, content, {
    limits: options.extractLimits,
    signal: options.signal,
    onEntry: (doneEntries, totalEntries) =>
      options.onProgress?.({
        phase: 'extract',
        fileName: download.fileName,
        doneEntries,
        totalEntries,
      }),
  });
  // The archive is not needed once extracted: free its disk space before the next download.
  await rm(dest, { force: true });
  return { source, files: extracted.map((f: ExtractedFile) => ({ ...f, hashSource: 'archive' })) };
}

function checkHash(download: ModelDownload, url: string, result: DownloadResult): void {
  if (download.sha256 && download.sha256.toLowerCase() !== result.sha256) {
    throw new ChecksumMismatchError(
      download.fileName,
      url,
      download.sha256.toLowerCase(),
      result.sha256,
      result.bytes,
    );
  }
}

/** The installed path of the encoder or decoder: the file with that name, shallowest first. */
function locate(
  entry: ModelEntry,
  role: 'encoder' | 'decoder',
  files: ManifestFileRecord[],
): string {
  const wanted = entry[role];
  const matches = files
    .filter((f) => path.posix.basename(f.path) === wanted)
    .sort((a, b) => a.path.split('/').length - b.path.split('/').length);
  if (matches.length === 0) {
    const sources = entry.downloads.map((d) => d.fileName).join(', ');
    throw new ArchiveError(
      `The ${role} file "${wanted}" of model ${entry.name} is not in ${sources}; ` +
        `it holds: ${files.map((f) => f.path).join(', ') || 'nothing'}.`,
      sources,
      wanted,
    );
  }
  return matches[0]!.path;
}

async function stampMtimes(
  content: string,
  files: ManifestFileRecord[],
): Promise<ManifestFileRecord[]> {
  return Promise.all(
    files.map(async (f) => ({ ...f, mtimeMs: (await stat(fileIn(content, f.path))).mtimeMs })),
  );
}

/**
 * Renames the finished folder to its final name. With `force`, the old copy moves into the
 * staging folder first (deleted with it) and comes back if the rename fails.
 */
async function moveIntoPlace(
  content: string,
  target: string,
  staging: string,
  force: boolean,
): Promise<'installed' | 'lost-race'> {
  let previous: string | undefined;
  if (force && existsSync(target)) {
    previous = path.join(staging, 'previous');
    await rename(target, previous);
  }
  try {
    await rename(content, target);
    return 'installed';
  } catch (err) {
    if (previous) await rename(previous, target).catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    if (!force && (code === 'ENOTEMPTY' || code === 'EEXIST') && existsSync(manifestPath(target))) {
      return 'lost-race';
    }
    throw err;
  }
}

/** Staging folders left by pulls that were killed; those of running processes stay. */
async function removeAbandonedStaging(modelsDir: string): Promise<void> {
  for (const name of await readdir(modelsDir)) {
    const match = new RegExp(`^${STAGING_PREFIX.replace('.', '\\.')}(\\d+)-`).exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (pid !== process.pid && !processIsAlive(pid)) {
      await rm(path.join(modelsDir, name), { recursive: true, force: true });
    }
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
