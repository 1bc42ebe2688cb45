import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { LRUCache } from 'lru-cache';
import { ImageDecodeError, type ImageEntry } from '../../dataset/index.js';

export type ContentKeyMode = 'stat' | 'sha256';

/** Hashes remembered, by file path + size + mtime: about 200 bytes each. */
const REMEMBERED_HASHES = 10_000;

/**
 * The content key of an image: the half of an embedding's cache key that names the picture.
 * The file is stat'ed on every call (a few microseconds), so an image edited while the tool runs
 * gets a new key at once, not after the next scan.
 *
 * 'stat' (default): relative path + size + mtime; nothing is read. A renamed or copied file is
 * encoded again.
 * 'sha256' (`cache.embeddings.contentHash`): the SHA-256 of the bytes, so renamed, moved and
 * duplicated files share one embedding. Each file version is read once to hash it; the hash is
 * remembered while path, size and mtime stay the same, and concurrent calls share one read.
 */
export class ContentKeys {
  private readonly hashes = new LRUCache<string, string>({ max: REMEMBERED_HASHES });
  private readonly pending = new Map<string, Promise<string>>();
  private hashedFiles = 0;

  constructor(readonly mode: ContentKeyMode = 'stat') {}

  /** Files read to hash them so far. */
  get filesHashed(): number {
    return this.hashedFiles;
  }

  /** Rejects with an 'io' ImageDecodeError naming the file when it cannot be reached. */
  async keyOf(entry: ImageEntry): Promise<string> {
    // Integer nanoseconds: mtimeMs is a float that prints differently from the stamp that was set.
    const { size, mtimeNs } = await statOf(entry.absPath);
    if (this.mode === 'stat') return `stat:${entry.relPath}:${size}:${mtimeNs}`;
    const version = `${entry.absPath}\u0000${size}\u0000${mtimeNs}`;
    const known = this.hashes.get(version);
    if (known !== undefined) return `sha256:${known}`;
    let hashing = this.pending.get(version);
    if (!hashing) {
      this.hashedFiles++;
      hashing = sha256OfFile(entry.absPath).finally(() => this.pending.delete(version));
      this.pending.set(version, hashing);
    }
    const hash = await hashing;
    this.hashes.set(version, hash);
    return `sha256:${hash}`;
  }
}

async function statOf(file: string) {
  try {
    return await stat(file, { bigint: true });
  } catch (err) {
    throw unreachable(file, err);
  }
}

function sha256OfFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', (err) => reject(unreachable(file, err)))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

function unreachable(file: string, err: unknown): ImageDecodeError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return new ImageDecodeError(file, 'io', code ?? String(err), { cause: err });
}
