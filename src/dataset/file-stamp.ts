import { stat } from 'node:fs/promises';
import { toDecodeError } from './decode-failure.js';

/**
 * What stat says about a file, enough to tell that it changed: an editor saving an image changes
 * its size or modification time (and always the change time, which no tool can set back).
 */
export interface FileStamp {
  bytes: number;
  mtimeMs: number;
  ctimeMs: number;
}

/** Stats `file` now; a failure is an ImageDecodeError ('io' for a missing or unreadable file). */
export async function stampOf(file: string): Promise<FileStamp> {
  try {
    const stats = await stat(file);
    return { bytes: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs };
  } catch (err) {
    throw await toDecodeError(err, file);
  }
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.bytes === b.bytes && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}
