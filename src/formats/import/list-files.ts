import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ImportError } from './errors.js';

/**
 * POSIX paths (relative to `root`, in byte order) of the files below it whose names end with
 * `ext` (lower-case compare). Hidden entries and symlinked folders are skipped, as the dataset
 * scan does.
 */
export async function listFiles(root: string, ext: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw new ImportError({ file: dir }, 'a readable folder', (err as Error).message, {
        cause: err,
      });
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      const child = path.join(dir, entry.name);
      if (entry.isDirectory()) await walk(child, childRel);
      else if (entry.name.toLowerCase().endsWith(ext)) {
        if (
          entry.isFile() ||
          (entry.isSymbolicLink() && (await stat(child).catch(() => null))?.isFile())
        ) {
          out.push(childRel);
        }
      }
    }
  };
  await walk(root, '');
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Throws unless `dir` is an existing folder. */
export async function requireFolder(dir: string, what: string): Promise<void> {
  const info = await stat(dir).catch(() => null);
  if (!info?.isDirectory()) {
    throw new ImportError({ file: dir }, what, info ? 'not a folder' : 'nothing there');
  }
}
