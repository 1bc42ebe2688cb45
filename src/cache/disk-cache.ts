import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { silentLogger, type Logger } from '../log/logger.js';
import { bytesOf, decodeEntry, encodeEntryHeader, type JsonObject } from './disk-entry-format.js';
import { CacheInputError, DiskCacheIoError } from './errors.js';
import { KeyedLock } from './keyed-lock.js';

export type { JsonObject, JsonValue } from './disk-entry-format.js';

export interface DiskCacheOptions {
  /** The folder that holds the entries; created when missing. One process owns it. */
  dir: string;
  /** Most bytes of entry files kept; 0 disables the cache (nothing is stored, existing entries are removed). */
  capBytes: number;
  /** Shown in logs and stats. */
  name?: string;
  logger?: Logger;
}

export interface DiskCacheEntry {
  /**
   * The stored bytes. Its byteOffset is a multiple of 64 in a buffer of its own, so a typed
   * array view (`new Float32Array(p.buffer, p.byteOffset, p.byteLength / 4)`) needs no copy.
   */
  payload: Buffer;
  /** The metadata given to `set`; `{}` when none was. */
  meta: JsonObject;
}

export interface DiskCacheStats {
  name: string;
  entries: number;
  bytes: number;
  capBytes: number;
  hits: number;
  misses: number;
  writes: number;
  evictions: number;
  /** Damaged entry files found (and deleted) by `get`. */
  corrupt: number;
}

interface IndexEntry {
  /** File size: header plus payload. */
  bytes: number;
  /** Last use, in epoch milliseconds; mirrored in the file's mtime so that order survives restarts. */
  usedAt: number;
}

const ENTRY_FILE = /^([0-9a-f]{64})\.entry$/;
const TEMP_FILE = /^[0-9a-f]{64}\.[0-9a-f]+\.tmp$/;

/**
 * A folder of large buffers (image embeddings), one file per key, bounded by a byte cap with
 * least-recently-used eviction.
 *
 * - File names are the SHA-256 of the key; the key itself is inside the file, so a file that
 *   does not belong to its name is detected.
 * - Writes go to a temp file in the same folder, are fsynced, then renamed over the entry: a
 *   crash leaves either the old entry or the new one, never a mix. Temp files left by a crash
 *   are removed by `open`. (The folder itself is not fsynced: after a power cut an entry may be
 *   missing, which for a cache only costs a recomputation.)
 * - Recency is the file's mtime, set on every read and write, and read back by `open`. Stamps
 *   are strictly increasing within a process, so the order is exact on file systems with
 *   millisecond timestamps (ext4, APFS, NTFS); coarser ones (FAT) can only tie.
 * - Operations on one key are serialized; operations on different keys run concurrently.
 *
 * I/O errors other than a missing or damaged entry reject with DiskCacheIoError; callers treat
 * them as a miss (get) or a skipped write (set).
 */
export class DiskCache {
  readonly name: string;
  readonly dir: string;
  private cap: number;
  private readonly logger: Logger;
  /** Hash of key -> entry, least recently used first (Map keeps insertion order). */
  private readonly index = new Map<string, IndexEntry>();
  private readonly locks = new KeyedLock();
  private totalBytes = 0;
  private lastStamp = 0;
  private dirReady = false;
  private readonly counters = { hits: 0, misses: 0, writes: 0, evictions: 0, corrupt: 0 };

  private constructor(options: DiskCacheOptions) {
    this.name = options.name ?? 'disk';
    this.dir = options.dir;
    this.cap = checkedCap(this.name, options.capBytes);
    this.logger = options.logger ?? silentLogger;
  }

  /** Opens the folder: removes stale temp files, indexes the entries, evicts down to the cap. */
  static async open(options: DiskCacheOptions): Promise<DiskCache> {
    const cache = new DiskCache(options);
    await cache.load();
    return cache;
  }

  get capBytes(): number {
    return this.cap;
  }

  get sizeBytes(): number {
    return this.totalBytes;
  }

  /** The path of the entry file of `key` (whether or not it exists). */
  fileOf(key: string): string {
    return this.entryPath(hashOf(key));
  }

  /** Whether an entry file for `key` is indexed (it is verified only when read). */
  has(key: string): boolean {
    return this.index.has(hashOf(key));
  }

  /** The payload and metadata stored for `key`; undefined when absent or damaged. */
  get(key: string): Promise<DiskCacheEntry | undefined> {
    const hash = hashOf(key);
    return this.locks.run(hash, () => this.readEntry(key, hash));
  }

  /**
   * Stores `payload` (and small JSON `meta`) under `key`, replacing any previous entry. Resolves
   * to false, storing nothing, when the cache is disabled or the entry alone exceeds the cap
   * (an older entry of the key is then removed, so a stale value cannot be read back).
   * Do not modify `payload` until the promise settles.
   */
  async set(key: string, payload: ArrayBufferView, meta: JsonObject = {}): Promise<boolean> {
    if (!ArrayBuffer.isView(payload)) {
      throw new CacheInputError(
        `disk cache "${this.name}": payload of "${key}" must be a Buffer or typed array, got ${typeof payload}`,
      );
    }
    const bytes = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
    const header = encodeEntryHeader(key, bytes, meta);
    const hash = hashOf(key);
    const stored = await this.locks.run(hash, () => this.writeEntry(hash, header, bytes));
    if (stored) await this.evictToCap();
    return stored;
  }

  /** Removes the entry of `key`; resolves to whether there was one. */
  delete(key: string): Promise<boolean> {
    const hash = hashOf(key);
    return this.locks.run(hash, () => this.removeEntry(hash));
  }

  /**
   * Removes every entry, including those whose writes are in flight when called (they finish
   * first and are then removed); writes called later are kept. Resolves to the bytes freed.
   */
  async clear(): Promise<number> {
    // Busy keys include first writes of keys not indexed yet.
    const hashes = new Set([...this.index.keys(), ...this.locks.busyKeys()]);
    const freed = await Promise.all(
      [...hashes].map((hash) =>
        this.locks.run(hash, async () => {
          const bytes = this.index.get(hash)?.bytes ?? 0;
          return (await this.removeEntry(hash)) ? bytes : 0;
        }),
      ),
    );
    return freed.reduce((sum, bytes) => sum + bytes, 0);
  }

  /** Changes the cap and evicts least recently used entries until the files fit. */
  async setCap(bytes: number): Promise<void> {
    this.cap = checkedCap(this.name, bytes);
    await this.evictToCap();
  }

  stats(): DiskCacheStats {
    return {
      name: this.name,
      entries: this.index.size,
      bytes: this.totalBytes,
      capBytes: this.cap,
      ...this.counters,
    };
  }

  private async load(): Promise<void> {
    const found: Array<{ hash: string } & IndexEntry> = [];
    let removedTemps = 0;
    try {
      if (this.cap > 0) await this.ensureDir();
      const names = await fs.readdir(this.dir);
      await Promise.all(
        names.map(async (name) => {
          if (TEMP_FILE.test(name)) {
            // Left by a crash between create and rename: never a complete entry.
            if (await unlinkIfPresent(join(this.dir, name))) removedTemps++;
            return;
          }
          const hash = ENTRY_FILE.exec(name)?.[1];
          if (!hash) return; // not ours
          const stat = await statIfPresent(join(this.dir, name));
          if (stat?.isFile()) found.push({ hash, bytes: stat.size, usedAt: stat.mtimeMs });
        }),
      );
    } catch (error) {
      if (this.cap === 0 && errorCode(error) === 'ENOENT') return; // disabled and never used
      throw new DiskCacheIoError(
        `disk cache "${this.name}": cannot open folder ${this.dir}`,
        this.dir,
        { cause: error },
      );
    }
    found.sort((a, b) => a.usedAt - b.usedAt || a.hash.localeCompare(b.hash));
    for (const { hash, bytes, usedAt } of found) {
      this.index.set(hash, { bytes, usedAt });
      this.totalBytes += bytes;
      this.lastStamp = Math.max(this.lastStamp, usedAt);
    }
    this.logger.info(
      {
        cache: this.name,
        dir: this.dir,
        entries: this.index.size,
        bytes: this.totalBytes,
        removedTemps,
      },
      'disk cache opened',
    );
    await this.evictToCap();
  }

  private async readEntry(key: string, hash: string): Promise<DiskCacheEntry | undefined> {
    if (!this.index.has(hash)) {
      this.counters.misses++;
      return undefined;
    }
    const file = this.entryPath(hash);
    const content = await readWholeFile(file);
    if (content === undefined) {
      // Deleted behind our back; the index was wrong.
      this.forget(hash);
      this.counters.misses++;
      return undefined;
    }
    const decoded = decodeEntry(content);
    if (!decoded.ok || decoded.entry.key !== key) {
      const reason = decoded.ok ? `holds key ${JSON.stringify(decoded.entry.key)}` : decoded.reason;
      await this.dropCorrupt(hash, key, file, reason);
      this.counters.misses++;
      return undefined;
    }
    await this.touch(hash, file);
    this.counters.hits++;
    return { payload: decoded.entry.payload, meta: decoded.entry.meta };
  }

  private async writeEntry(
    hash: string,
    header: Uint8Array,
    payload: Uint8Array,
  ): Promise<boolean> {
    const bytes = header.byteLength + payload.byteLength;
    if (this.cap === 0 || bytes > this.cap) {
      await this.removeEntry(hash);
      return false;
    }
    const file = this.entryPath(hash);
    const temp = join(this.dir, `${hash}.${randomBytes(8).toString('hex')}.tmp`);
    const usedAt = this.nextStamp();
    let handle: FileHandle | undefined;
    try {
      await this.ensureDir();
      handle = await this.createTemp(temp);
      await writeAll(handle, [header, payload]);
      await handle.utimes(usedAt / 1000, usedAt / 1000);
      await handle.sync();
      await handle.close();
      handle = undefined;
      await fs.rename(temp, file);
    } catch (error) {
      await handle?.close().catch(() => undefined);
      await unlinkIfPresent(temp).catch(() => undefined);
      throw new DiskCacheIoError(`disk cache "${this.name}": cannot write ${file}`, file, {
        cause: error,
      });
    }
    this.forget(hash);
    this.index.set(hash, { bytes, usedAt });
    this.totalBytes += bytes;
    this.counters.writes++;
    return true;
  }

  /** Removes the file and the index entry; true when there was an entry. */
  private async removeEntry(hash: string): Promise<boolean> {
    const indexed = this.forget(hash);
    const removed = await this.unlinkEntry(hash);
    return indexed || removed;
  }

  /**
   * Evicts least recently used entries until the files fit the cap. Entries with an operation
   * in flight are skipped: that operation is about to make them the most recent (or remove them).
   */
  private async evictToCap(): Promise<void> {
    const unlinks: Array<Promise<unknown>> = [];
    for (const [hash, entry] of this.index) {
      if (this.totalBytes <= this.cap) break;
      if (this.locks.isBusy(hash)) continue;
      // Forget synchronously and take the key's lock in the same tick: a later operation on
      // this key queues behind the unlink and cannot see a half-evicted entry.
      this.forget(hash);
      this.counters.evictions++;
      this.logger.debug({ cache: this.name, hash, bytes: entry.bytes }, 'disk cache eviction');
      unlinks.push(this.locks.run(hash, () => this.unlinkEntry(hash)));
    }
    await Promise.all(unlinks);
  }

  private async dropCorrupt(
    hash: string,
    key: string,
    file: string,
    reason: string,
  ): Promise<void> {
    this.counters.corrupt++;
    this.logger.warn({ cache: this.name, key, file, reason }, 'disk cache: damaged entry removed');
    await this.removeEntry(hash);
  }

  /** Makes the entry the most recently used, in memory and in its file's mtime. */
  private async touch(hash: string, file: string): Promise<void> {
    const entry = this.index.get(hash);
    if (!entry) return;
    const usedAt = this.nextStamp();
    this.index.delete(hash);
    this.index.set(hash, { bytes: entry.bytes, usedAt });
    try {
      await fs.utimes(file, usedAt / 1000, usedAt / 1000);
    } catch (error) {
      // Recency after a restart is a hint; losing it must not fail a read.
      this.logger.debug({ cache: this.name, file, err: error }, 'disk cache: cannot update mtime');
    }
  }

  /** Drops the index entry; true when there was one. */
  private forget(hash: string): boolean {
    const entry = this.index.get(hash);
    if (!entry) return false;
    this.index.delete(hash);
    this.totalBytes -= entry.bytes;
    return true;
  }

  private async unlinkEntry(hash: string): Promise<boolean> {
    const file = this.entryPath(hash);
    try {
      return await unlinkIfPresent(file);
    } catch (error) {
      throw new DiskCacheIoError(`disk cache "${this.name}": cannot delete ${file}`, file, {
        cause: error,
      });
    }
  }

  /** Strictly increasing, close to the wall clock, never behind stamps found on disk. */
  private nextStamp(): number {
    this.lastStamp = Math.max(Date.now(), Math.floor(this.lastStamp) + 1);
    return this.lastStamp;
  }

  /** Creates a temp file, recreating the folder once if it was deleted while the cache ran. */
  private async createTemp(temp: string): Promise<FileHandle> {
    try {
      return await fs.open(temp, 'wx');
    } catch (error) {
      if (errorCode(error) !== 'ENOENT') throw error;
      this.logger.warn({ cache: this.name, dir: this.dir }, 'disk cache: folder gone, recreating');
      this.dirReady = false;
      await this.ensureDir();
      return await fs.open(temp, 'wx');
    }
  }

  private async ensureDir(): Promise<void> {
    if (this.dirReady) return;
    await fs.mkdir(this.dir, { recursive: true });
    this.dirReady = true;
  }

  private entryPath(hash: string): string {
    return join(this.dir, `${hash}.entry`);
  }
}

function hashOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

function checkedCap(name: string, bytes: number): number {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) {
    throw new CacheInputError(
      `disk cache "${name}": capBytes must be a finite number of bytes >= 0, got ${String(bytes)}`,
    );
  }
  return Math.floor(bytes);
}

/** Reads a file into memory of its own (offset 0, so payload alignment holds); undefined if absent. */
async function readWholeFile(file: string): Promise<Uint8Array | undefined> {
  let handle: FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new DiskCacheIoError(`cannot open ${file}`, file, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    // Not zero-filled (every byte is read) and not pooled (payload alignment needs offset 0).
    const buffer = bytesOf(Buffer.allocUnsafeSlow(size));
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(buffer, filled, size - filled, filled);
      if (bytesRead === 0) break; // shrank while reading: the decoder reports it as truncated
      filled += bytesRead;
    }
    return filled === size ? buffer : buffer.subarray(0, filled);
  } catch (error) {
    throw new DiskCacheIoError(`cannot read ${file}`, file, { cause: error });
  } finally {
    await handle.close();
  }
}

async function writeAll(handle: FileHandle, chunks: Uint8Array[]): Promise<void> {
  let pending = chunks.filter((chunk) => chunk.byteLength > 0);
  while (pending.length > 0) {
    let { bytesWritten } = await handle.writev(pending);
    // A short write leaves the rest for the next round.
    while (pending.length > 0 && bytesWritten >= pending[0]!.byteLength) {
      bytesWritten -= pending[0]!.byteLength;
      pending = pending.slice(1);
    }
    if (bytesWritten > 0) pending = [pending[0]!.subarray(bytesWritten), ...pending.slice(1)];
  }
}

async function unlinkIfPresent(file: string): Promise<boolean> {
  try {
    await fs.unlink(file);
    return true;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw error;
  }
}

async function statIfPresent(file: string) {
  try {
    return await fs.stat(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}
