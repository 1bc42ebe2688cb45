import { lstatSync, readdirSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { formatOfName, type ImageFormat } from './formats.js';
import type { ImageEntry } from './image-entry.js';
import { imageIdOf } from './image-id.js';
import { compareNamesKnown, isSimpleName } from './natural-sort.js';

/** A folder or file the scan had to leave out, and why. */
export interface ScanProblem {
  path: string;
  message: string;
}

export interface ScanOptions {
  /** Folder names skipped at any depth (the project folder). */
  skipNames: ReadonlySet<string>;
  /** Root-relative POSIX folder paths skipped. */
  skipRelPaths: ReadonlySet<string>;
}

interface Child {
  name: string;
  simple: boolean;
  /** Set for image files; undefined for folders. */
  file?: ImageEntry;
}

/**
 * Lists image files below `root` in natural order, folder by folder, with readdir + stat only.
 *
 * Skipped: hidden names (leading '.', which also drops macOS "._x.jpg" resource forks), the
 * folders in `options`, and symlinked folders: a target inside the root is listed at its real
 * place anyway, one outside is not part of the dataset, and never following them rules out
 * symlink loops. Folders are also remembered by device and inode so that bind-mount loops end.
 * Symlinked files are listed. Synchronous on purpose: on our machines readdirSync/statSync are
 * 2-3x faster than the callback or promise versions (measured over 100,000 files).
 */
export function scanImageFiles(
  root: string,
  options: ScanOptions,
): { files: ImageEntry[]; problems: ScanProblem[] } {
  const files: ImageEntry[] = [];
  const problems: ScanProblem[] = [];
  const seenFolders = new Set<string>();
  const absOf =
    path.sep === '/'
      ? (rel: string) => root + '/' + rel
      : (rel: string) => root + path.sep + rel.replaceAll('/', path.sep);

  const fileEntry = (rel: string, format: ImageFormat, stats: Stats): ImageEntry | undefined => {
    if (!stats.isFile()) return undefined;
    return {
      id: imageIdOf(rel),
      relPath: rel,
      absPath: absOf(rel),
      bytes: stats.size,
      mtimeMs: stats.mtimeMs,
      format,
    };
  };

  const visit = (absDir: string, relDir: string): void => {
    let dirents: Dirent[];
    try {
      const folder = statSync(absDir);
      const identity = `${folder.dev}:${folder.ino}`;
      if (seenFolders.has(identity)) return;
      seenFolders.add(identity);
      dirents = readdirSync(absDir, { withFileTypes: true });
    } catch (err) {
      problems.push({ path: absDir, message: (err as Error).message });
      return;
    }
    const children: Child[] = [];
    for (const dirent of dirents) {
      const name = dirent.name;
      if (name.charCodeAt(0) === 0x2e /* '.' */) continue;
      const rel = relDir ? relDir + '/' + name : name;
      try {
        let kind = kindOf(dirent);
        let own: Stats | undefined;
        if (kind === 'unknown') {
          // Some file systems do not report types in readdir: ask, without following links.
          own = lstatSync(absOf(rel));
          kind = own.isDirectory() ? 'folder' : own.isSymbolicLink() ? 'link' : 'file';
        }
        if (kind === 'folder') {
          if (!options.skipNames.has(name) && !options.skipRelPaths.has(rel)) {
            children.push({ name, simple: isSimpleName(name) });
          }
          continue;
        }
        const format = kind === 'other' ? undefined : formatOfName(name);
        if (format === undefined) continue;
        const stats =
          kind === 'link'
            ? statSync(absOf(rel), { throwIfNoEntry: false })
            : (own ?? statSync(absOf(rel)));
        const file = stats && fileEntry(rel, format, stats);
        if (file) children.push({ name, simple: isSimpleName(name), file });
      } catch (err) {
        problems.push({ path: absOf(rel), message: (err as Error).message });
      }
    }
    children.sort((a, b) => compareNamesKnown(a.name, a.simple, b.name, b.simple));
    for (const child of children) {
      if (child.file) files.push(child.file);
      else {
        const rel = relDir ? relDir + '/' + child.name : child.name;
        visit(absOf(rel), rel);
      }
    }
  };

  visit(root, '');
  return { files, problems };
}

function kindOf(dirent: Dirent): 'folder' | 'file' | 'link' | 'other' | 'unknown' {
  if (dirent.isFile()) return 'file';
  if (dirent.isDirectory()) return 'folder';
  if (dirent.isSymbolicLink()) return 'link';
  if (dirent.isFIFO() || dirent.isSocket() || dirent.isBlockDevice() || dirent.isCharacterDevice())
    return 'other';
  return 'unknown';
}
