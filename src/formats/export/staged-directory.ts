import { createReadStream } from 'node:fs';
import {
  copyFile,
  lstat,
  mkdir,
  mkdtemp,
  open,
  rename,
  rm,
  symlink,
  unlink,
} from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ExportError } from './errors.js';

export interface StagedDirectoryOptions {
  /** Replace an existing destination folder (only after the new one is complete). */
  overwrite?: boolean;
}

/** Text is collected up to this many characters before one write: few syscalls, bounded memory. */
const FLUSH_CHARS = 1 << 20;

/**
 * Where an export writes: a hidden temporary folder next to the destination, renamed into place
 * by commit() once everything is written, or removed by discard(). A failed export therefore
 * leaves nothing behind, and an existing destination is only replaced by a complete export.
 */
export class StagedDirectory {
  private readonly madeDirs = new Set<string>();
  private readonly textFiles = new Set<TextFile>();
  private fileCount = 0;
  private settled = false;

  private constructor(
    /** Absolute destination folder. */
    readonly destination: string,
    /** Absolute temporary folder the files are written into. */
    readonly root: string,
    private readonly overwrite: boolean,
  ) {
    this.madeDirs.add(root);
  }

  /**
   * Checks the destination (an existing one is refused unless `overwrite`; a file in the way is
   * always refused) and creates the temporary folder beside it.
   */
  static async open(
    destination: string,
    options: StagedDirectoryOptions = {},
  ): Promise<StagedDirectory> {
    if (typeof destination !== 'string' || destination.trim() === '') {
      throw new ExportError('destination must be a folder path', 'destination', destination);
    }
    const target = path.resolve(destination);
    const overwrite = options.overwrite === true;
    await checkDestination(target, overwrite);
    const parent = path.dirname(target);
    await mkdir(parent, { recursive: true });
    // A hidden name keeps the half-written folder out of image scans and file pickers.
    const root = await mkdtemp(path.join(parent, `.${path.basename(target)}.partial-`));
    return new StagedDirectory(target, root, overwrite);
  }

  /** Number of files written so far (text, binary, copies and links). */
  get files(): number {
    return this.fileCount;
  }

  /** Absolute path inside the staged folder of a forward-slash relative path. */
  pathOf(relative: string): string {
    const parts = relative.split('/');
    if (
      relative === '' ||
      path.isAbsolute(relative) ||
      parts.some((p) => p === '' || p === '.' || p === '..')
    ) {
      throw new ExportError(
        `output path ${JSON.stringify(relative)} must be relative and stay inside the export`,
        'path',
        relative,
      );
    }
    return path.join(this.root, ...parts);
  }

  async writeFile(relative: string, data: string | Uint8Array): Promise<void> {
    const file = await this.prepare(relative);
    const handle = await open(file, 'wx');
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
  }

  /** A buffered text file for output too large to hold as one string (COCO JSON). */
  async openText(relative: string): Promise<TextFile> {
    const file = await this.prepare(relative);
    const text = new TextFile(await open(file, 'wx'), file);
    this.textFiles.add(text);
    return text;
  }

  async copyFrom(source: string, relative: string): Promise<void> {
    const file = await this.prepare(relative);
    await copyFile(source, file);
  }

  /** A symbolic link to `target` (an absolute path, so the export can move). */
  async linkTo(target: string, relative: string): Promise<void> {
    const file = await this.prepare(relative);
    await symlink(target, file);
  }

  /** Deletes a scratch file written earlier (it no longer counts as written). */
  async remove(relative: string): Promise<void> {
    const file = this.pathOf(relative);
    for (const text of this.textFiles) {
      if (text.path === file) {
        await text.close();
        this.textFiles.delete(text);
      }
    }
    await unlink(file);
    this.fileCount--;
  }

  /** Moves the finished folder to the destination, replacing an old one when allowed. */
  async commit(): Promise<void> {
    this.settle();
    for (const text of this.textFiles) await text.close();
    const exists = await pathKind(this.destination);
    if (exists !== null) {
      // Checked at open as well; the destination may have appeared while we were writing.
      try {
        await checkDestination(this.destination, this.overwrite);
      } catch (err) {
        await rm(this.root, { recursive: true, force: true });
        throw err;
      }
      const old = `${this.root}.replaced`;
      await rename(this.destination, old);
      try {
        await rename(this.root, this.destination);
      } catch (err) {
        await rename(old, this.destination);
        await rm(this.root, { recursive: true, force: true });
        throw err;
      }
      await rm(old, { recursive: true, force: true });
      return;
    }
    try {
      await rename(this.root, this.destination);
    } catch (err) {
      await rm(this.root, { recursive: true, force: true });
      throw err;
    }
  }

  /** Removes everything written; the destination is untouched. */
  async discard(): Promise<void> {
    this.settle();
    for (const text of this.textFiles) await text.close().catch(() => undefined);
    await rm(this.root, { recursive: true, force: true });
  }

  private settle(): void {
    if (this.settled)
      throw new Error(`staged export ${this.root} was already committed or discarded`);
    this.settled = true;
  }

  private async prepare(relative: string): Promise<string> {
    if (this.settled) throw new Error(`staged export ${this.root} is closed`);
    const file = this.pathOf(relative);
    const dir = path.dirname(file);
    if (!this.madeDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.madeDirs.add(dir);
    }
    this.fileCount++;
    return file;
  }
}

/** Runs `write` on a staged folder; commits on success, discards on any error. */
export async function writeStaged<T>(
  destination: string,
  options: StagedDirectoryOptions,
  write: (dir: StagedDirectory) => Promise<T>,
): Promise<T> {
  const dir = await StagedDirectory.open(destination, options);
  let result: T;
  try {
    result = await write(dir);
  } catch (err) {
    // The export's own error is the one worth reporting, not a failed clean-up.
    await dir.discard().catch(() => undefined);
    throw err;
  }
  await dir.commit();
  return result;
}

/** A text file written through a buffer; close() must be awaited before commit. */
export class TextFile {
  private parts: string[] = [];
  private size = 0;
  private closed = false;

  constructor(
    private readonly handle: FileHandle,
    readonly path: string,
  ) {}

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
  }

  /** Writes the buffer out once it has grown large; call between units of work. */
  async flushIfFull(): Promise<void> {
    if (this.size >= FLUSH_CHARS) await this.flush();
  }

  /** Appends the bytes of another file (streamed, never held whole). */
  async appendFile(source: string): Promise<void> {
    await this.flush();
    for await (const chunk of createReadStream(source, { highWaterMark: FLUSH_CHARS })) {
      await this.handle.write(chunk as Buffer);
    }
  }

  /** Flushes and closes; later calls do nothing. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flush();
    } finally {
      await this.handle.close();
    }
  }

  private async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    await this.handle.write(text);
  }
}

async function pathKind(file: string): Promise<'dir' | 'other' | null> {
  try {
    return (await lstat(file)).isDirectory() ? 'dir' : 'other';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

async function checkDestination(target: string, overwrite: boolean): Promise<void> {
  const kind = await pathKind(target);
  if (kind === 'other') {
    throw new ExportError(
      `destination ${target} exists and is not a folder; choose another path`,
      'destination',
      target,
    );
  }
  if (kind === 'dir' && !overwrite) {
    throw new ExportError(
      `destination ${target} already exists; choose another folder or allow overwrite (it is replaced only after the new export is complete)`,
      'destination',
      target,
    );
  }
}
