import type { ImageFormat } from './formats.js';

/** One image file of the dataset, as found by the scan (no pixels, no header). */
export interface ImageEntry {
  /** Stable id from the relative path (see imageIdOf). */
  readonly id: string;
  /** POSIX path relative to the dataset root. */
  readonly relPath: string;
  readonly absPath: string;
  readonly bytes: number;
  readonly mtimeMs: number;
  /** Format claimed by the extension; metadata().format is what the header says. */
  readonly format: ImageFormat;
}
