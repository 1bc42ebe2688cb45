import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ArchiveError } from './errors.js';
import { DigestMeter } from './hash-file.js';

export interface ExtractLimits {
  /** Most entries an archive may hold (model archives hold 2-4). */
  maxEntries: number;
  /** Most bytes all entries may expand to (a ViT-H pair is about 2.6 GB). */
  maxTotalBytes: number;
}

export const DEFAULT_EXTRACT_LIMITS: ExtractLimits = {
  maxEntries: 256,
  maxTotalBytes: 16 * 1024 ** 3,
};

export interface ExtractedFile {
  /** Path inside the destination, with `/` separators. */
  path: string;
  bytes: number;
  sha256: string;
}

export interface ExtractOptions {
  limits?: Partial<ExtractLimits>;
  signal?: AbortSignal;
  onEntry?: (done: number, total: number) => void;
}

interface PlannedEntry {
  entry: Entry;
  relPath: string;
  isDirectory: boolean;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/**
 * Extracts a zip into `destDir`. Every entry is checked before anything is written: unsafe
 * names (absolute, drive letters, `..`: zip-slip), symbolic links, encrypted or duplicate
 * entries and the size limits each fail the whole archive with an ArchiveError naming the
 * entry. yauzl checks that each entry expands to its declared size, so the limits hold.
 */
export async function extractZip(
  zipPath: string,
  destDir: string,
  options: ExtractOptions = {},
): Promise<ExtractedFile[]> {
  const limits = { ...DEFAULT_EXTRACT_LIMITS, ...options.limits };
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, {
      lazyEntries: true,
      autoClose: false,
      // Names are decoded and checked here, so that the error is ours and names the entry.
      decodeStrings: false,
      validateEntrySizes: true,
    });
  } catch (err) {
    throw new ArchiveError(
      `${zipPath} is not a readable zip archive: ${(err as Error).message}.`,
      zipPath,
      undefined,
      { cause: err },
    );
  }
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new ArchiveError(
        `${zipPath} holds ${zip.entryCount} entries, more than the limit of ${limits.maxEntries}.`,
        zipPath,
      );
    }
    const plan = await planEntries(zip, zipPath, destDir, limits);
    const files: ExtractedFile[] = [];
    let done = 0;
    for (const item of plan) {
      options.signal?.throwIfAborted();
      const target = path.join(destDir, ...item.relPath.split('/'));
      if (item.isDirectory) await mkdir(target, { recursive: true });
      else files.push(await extractEntry(zip, zipPath, item, target, options.signal));
      options.onEntry?.(++done, plan.length);
    }
    return files;
  } finally {
    zip.close();
  }
}

async function planEntries(
  zip: ZipFile,
  zipPath: string,
  destDir: string,
  limits: ExtractLimits,
): Promise<PlannedEntry[]> {
  const plan: PlannedEntry[] = [];
  const seen = new Set<string>();
  let totalBytes = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const name = yauzl.getFileNameLowLevel(
        entry.generalPurposeBitFlag,
        entry.fileNameRaw,
        entry.extraFields,
        false,
      );
      // macOS resource forks: never part of a model.
      if (name.startsWith('__MACOSX/')) continue;
      const relPath = safeRelativePath(name, zipPath, destDir);
      const isDirectory = name.endsWith('/');
      if (entry.isEncrypted()) {
        throw new ArchiveError(`${zipPath}: entry "${name}" is encrypted.`, zipPath, name);
      }
      if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
        throw new ArchiveError(
          `${zipPath}: entry "${name}" is a symbolic link; model archives hold plain files only.`,
          zipPath,
          name,
        );
      }
      if (!isDirectory) {
        const key = relPath.toLowerCase();
        if (seen.has(key)) {
          throw new ArchiveError(`${zipPath}: entry "${name}" appears twice.`, zipPath, name);
        }
        seen.add(key);
        totalBytes += entry.uncompressedSize;
        if (totalBytes > limits.maxTotalBytes) {
          throw new ArchiveError(
            `${zipPath} expands to more than the limit of ${limits.maxTotalBytes} bytes ` +
              `(reached at entry "${name}").`,
            zipPath,
            name,
          );
        }
      }
      plan.push({ entry, relPath, isDirectory });
    }
  } catch (err) {
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError(
      `${zipPath} is not a valid zip archive: ${(err as Error).message}.`,
      zipPath,
      undefined,
      { cause: err },
    );
  }
  return plan;
}

/** The entry name as a relative `/` path inside destDir, or an ArchiveError (zip-slip). */
function safeRelativePath(name: string, zipPath: string, destDir: string): string {
  const unsafe = (why: string): ArchiveError =>
    new ArchiveError(`${zipPath}: unsafe entry "${name}": ${why}.`, zipPath, name);
  if (name === '' || name.includes('\0')) throw unsafe('empty name or NUL byte');
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) throw unsafe('absolute path');
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe('".." leaves the destination folder');
  if (parts.length === 0) throw unsafe('no file name');
  const target = path.resolve(destDir, ...parts);
  if (!target.startsWith(path.resolve(destDir) + path.sep)) {
    throw unsafe('resolves outside the destination folder');
  }
  return parts.join('/');
}

async function extractEntry(
  zip: ZipFile,
  zipPath: string,
  item: PlannedEntry,
  target: string,
  signal: AbortSignal | undefined,
): Promise<ExtractedFile> {
  await mkdir(path.dirname(target), { recursive: true });
  const meter = new DigestMeter();
  try {
    const source = await zip.openReadStreamPromise(item.entry);
    await pipeline(source, meter, createWriteStream(target, { flags: 'wx' }), { signal });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ArchiveError(
      `${zipPath}: cannot extract entry "${item.relPath}": ${(err as Error).message}.`,
      zipPath,
      item.relPath,
      { cause: err },
    );
  }
  return { path: item.relPath, ...meter.digest() };
}
