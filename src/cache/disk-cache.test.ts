import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { DiskCache, type DiskCacheOptions } from './disk-cache.js';
import { bytesOf, encodeEntryHeader } from './disk-entry-format.js';
import { CacheInputError, DiskCacheIoError } from './errors.js';

let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'sam-disk-cache-'));
});

afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

function open(options: Partial<DiskCacheOptions> = {}): Promise<DiskCache> {
  return DiskCache.open({ dir, capBytes: 64 * 1024 ** 2, ...options });
}

function payloadOf(bytes: number): Uint8Array {
  return bytesOf(randomBytes(bytes));
}

async function filesIn(folder = dir): Promise<{ entries: string[]; temps: string[] }> {
  const names = (await fs.readdir(folder)).sort();
  return {
    entries: names.filter((name) => name.endsWith('.entry')),
    temps: names.filter((name) => name.endsWith('.tmp')),
  };
}

async function bytesOnDisk(): Promise<number> {
  const { entries } = await filesIn();
  const sizes = await Promise.all(
    entries.map(async (name) => (await fs.stat(join(dir, name))).size),
  );
  return sizes.reduce((sum, size) => sum + size, 0);
}

/** Size of the entry file for a payload of `bytes` with no meta and a one-letter key. */
async function fileBytesFor(bytes: number): Promise<number> {
  const probe = await DiskCache.open({ dir: join(dir, 'probe'), capBytes: 1024 ** 3 });
  await probe.set('x', payloadOf(bytes));
  return probe.sizeBytes;
}

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), lines };
}

describe('DiskCache round trip', () => {
  it('returns what was stored, with its metadata', async () => {
    const cache = await open();
    const payload = payloadOf(300_000);
    const meta = { dtype: 'float32', shape: [1, 256, 64, 64] };
    expect(await cache.set('img/cat.jpg', payload, meta)).toBe(true);

    expect(cache.has('img/cat.jpg')).toBe(true);
    const entry = await cache.get('img/cat.jpg');
    expect(entry?.payload.equals(payload)).toBe(true);
    expect(entry?.meta).toEqual(meta);
    expect(cache.stats()).toMatchObject({ entries: 1, hits: 1, misses: 0, writes: 1 });
    expect(cache.stats().bytes).toBe(await bytesOnDisk());
  });

  it('stores a Float32Array and gives back a payload viewable as floats without copying', async () => {
    const cache = await open();
    const floats = new Float32Array(256 * 64).map((_, i) => Math.sin(i));
    await cache.set('embedding', floats);

    const entry = await cache.get('embedding');
    expect(entry).toBeDefined();
    const { payload } = entry!;
    expect(payload.byteOffset % 64).toBe(0);
    const view = new Float32Array(payload.buffer, payload.byteOffset, payload.byteLength / 4);
    expect(view).toEqual(floats);
    expect(entry!.meta).toEqual({});
  });

  it('round-trips an embedding-sized 16 MiB buffer', async () => {
    const cache = await open();
    const payload = payloadOf(16 * 1024 ** 2);
    await cache.set('big', payload, { shape: [1, 256, 64, 256] });
    expect((await cache.get('big'))?.payload.equals(payload)).toBe(true);
  });

  it('a missing key is a miss', async () => {
    const cache = await open();
    expect(await cache.get('nope')).toBeUndefined();
    expect(cache.has('nope')).toBe(false);
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 1 });
  });

  it('replacing a key keeps one file and accounts its new size', async () => {
    const cache = await open();
    await cache.set('k', payloadOf(50_000));
    const second = payloadOf(20_000);
    await cache.set('k', second, { v: 2 });
    expect((await filesIn()).entries).toHaveLength(1);
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: await bytesOnDisk() });
    const entry = await cache.get('k');
    expect(entry?.payload.equals(second)).toBe(true);
    expect(entry?.meta).toEqual({ v: 2 });
  });

  it('delete and clear remove files and report what they removed', async () => {
    const cache = await open();
    await cache.set('a', payloadOf(1000));
    await cache.set('b', payloadOf(2000));
    await cache.set('c', payloadOf(3000));
    expect(await cache.delete('a')).toBe(true);
    expect(await cache.delete('a')).toBe(false);
    expect(cache.has('a')).toBe(false);
    const held = await bytesOnDisk();
    expect(await cache.clear()).toBe(held);
    expect((await filesIn()).entries).toEqual([]);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, evictions: 0 });
  });
});

describe('DiskCache restart', () => {
  it('a new instance on the same folder sees the entries', async () => {
    const first = await open();
    const a = payloadOf(10_000);
    await first.set('a', a, { n: 1 });
    await first.set('b', payloadOf(10_000));

    const second = await open();
    expect(second.stats()).toMatchObject({ entries: 2, bytes: first.sizeBytes });
    const entry = await second.get('a');
    expect(entry?.payload.equals(a)).toBe(true);
    expect(entry?.meta).toEqual({ n: 1 });
  });

  it('keeps least-recently-used order across a restart, reads included', async () => {
    const entryBytes = await fileBytesFor(10_000);
    const first = await open();
    for (const key of ['a', 'b', 'c', 'd']) await first.set(key, payloadOf(10_000));
    await first.get('a'); // order now b, c, d, a

    // Reopen with room for two entries: the two least recently used go.
    const second = await open({ capBytes: 2 * entryBytes });
    expect(second.stats()).toMatchObject({ entries: 2, evictions: 2 });
    expect(['a', 'b', 'c', 'd'].filter((key) => second.has(key))).toEqual(['a', 'd']);
    expect((await filesIn()).entries).toHaveLength(2);
  });
});

describe('DiskCache cap', () => {
  it('evicts least recently used entries when a set goes over the cap', async () => {
    const entryBytes = await fileBytesFor(10_000);
    const cache = await open({ capBytes: 3 * entryBytes });
    for (const key of ['a', 'b', 'c']) await cache.set(key, payloadOf(10_000));
    await cache.get('a');
    await cache.set('d', payloadOf(10_000));

    expect(['a', 'b', 'c', 'd'].filter((key) => cache.has(key))).toEqual(['a', 'c', 'd']);
    expect(await cache.get('b')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 3, evictions: 1, bytes: 3 * entryBytes });
    expect(await bytesOnDisk()).toBe(3 * entryBytes);
  });

  it('refuses an entry larger than the cap and drops the older value of its key', async () => {
    const entryBytes = await fileBytesFor(10_000);
    const cache = await open({ capBytes: entryBytes });
    await cache.set('k', payloadOf(10_000));
    expect(await cache.set('k', payloadOf(10_001))).toBe(false);
    expect(await cache.get('k')).toBeUndefined();
    expect((await filesIn()).entries).toEqual([]);
  });

  it('setCap shrinks to the new cap, least recently used first', async () => {
    const entryBytes = await fileBytesFor(5_000);
    const cache = await open();
    for (const key of ['a', 'b', 'c', 'd']) await cache.set(key, payloadOf(5_000));
    await cache.get('b');
    await cache.setCap(2 * entryBytes);
    expect(['a', 'b', 'c', 'd'].filter((key) => cache.has(key))).toEqual(['b', 'd']);
    expect(cache.stats()).toMatchObject({ capBytes: 2 * entryBytes, evictions: 2 });
    expect(await bytesOnDisk()).toBe(2 * entryBytes);
  });

  it('cap 0 disables the cache: nothing is stored and the folder is not even created', async () => {
    const folder = join(dir, 'never');
    const cache = await DiskCache.open({ dir: folder, capBytes: 0 });
    expect(await cache.set('k', payloadOf(100))).toBe(false);
    expect(await cache.get('k')).toBeUndefined();
    await expect(fs.access(folder)).rejects.toThrow(/ENOENT/);
  });

  it('cap 0 on a used folder removes its entries (the cap is 0 bytes)', async () => {
    const first = await open();
    await first.set('k', payloadOf(100));
    const disabled = await open({ capBytes: 0 });
    expect(disabled.stats()).toMatchObject({ entries: 0, bytes: 0 });
    expect((await filesIn()).entries).toEqual([]);
  });

  it('a cap raised from 0 starts storing', async () => {
    const cache = await DiskCache.open({ dir: join(dir, 'later'), capBytes: 0 });
    await cache.setCap(1024 ** 2);
    expect(await cache.set('k', payloadOf(100))).toBe(true);
    expect((await cache.get('k'))?.payload.length).toBe(100);
  });
});

describe('DiskCache damaged entries', () => {
  type Damage = (file: string) => Promise<void>;
  const flipByte =
    (offset: (length: number) => number): Damage =>
    async (file) => {
      const content = new Uint8Array(await fs.readFile(file));
      content[offset(content.length)]! ^= 0x01;
      await fs.writeFile(file, content);
    };
  const damages: Array<[string, Damage, RegExp]> = [
    ['a flipped payload byte', flipByte((length) => length - 100), /payload checksum/],
    ['a flipped byte in the key', flipByte(() => 30), /header checksum/],
    ['a truncated file', (file) => fs.truncate(file, 30_000), /truncated/],
    ['an empty file', (file) => fs.truncate(file, 0), /truncated/],
    ['garbage', (file) => fs.writeFile(file, new Uint8Array(randomBytes(60_000))), /bad magic/],
  ];

  for (const [what, damage, reason] of damages) {
    it(`ignores, deletes, counts and logs ${what}`, async () => {
      const { logger, lines } = capturingLogger();
      const cache = await open({ logger });
      await cache.set('victim', payloadOf(50_000));
      await cache.set('bystander', payloadOf(1_000));
      const file = cache.fileOf('victim');
      await damage(file);

      expect(await cache.get('victim')).toBeUndefined();
      expect(cache.has('victim')).toBe(false);
      await expect(fs.access(file)).rejects.toThrow(/ENOENT/);
      expect(cache.stats()).toMatchObject({ corrupt: 1, misses: 1, entries: 1 });
      expect(cache.stats().bytes).toBe(await bytesOnDisk());
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ key: 'victim', file });
      expect(String(lines[0]!.reason)).toMatch(reason);
      expect((await cache.get('bystander'))?.payload.length).toBe(1_000);
    });
  }

  it('detects a file that holds another key (a copied or misnamed file)', async () => {
    const cache = await open();
    await cache.set('x', payloadOf(1000));
    const xFile = cache.fileOf('x');
    await cache.set('y', payloadOf(1000));
    const yFile = cache.fileOf('y');
    await fs.copyFile(xFile, yFile);

    expect(await cache.get('y')).toBeUndefined();
    expect(cache.stats().corrupt).toBe(1);
    await expect(fs.access(yFile)).rejects.toThrow(/ENOENT/);
    expect((await cache.get('x'))?.payload.length).toBe(1000);
  });

  it('a file deleted behind its back is a plain miss', async () => {
    const cache = await open();
    await cache.set('k', payloadOf(1000));
    await fs.unlink(cache.fileOf('k'));
    expect(await cache.get('k')).toBeUndefined();
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, corrupt: 0, misses: 1 });
  });
});

describe('DiskCache crash safety', () => {
  /** What a writer killed between create and rename leaves: a temp file with part of an entry. */
  async function leaveHalfWrittenTemp(entryFile: string, key: string): Promise<string> {
    const payload = payloadOf(40_000);
    const header = encodeEntryHeader(key, payload, {});
    const partial = new Uint8Array(header.byteLength + 10_000);
    partial.set(header);
    partial.set(payload.subarray(0, 10_000), header.byteLength);
    const temp = entryFile.replace(/\.entry$/, '.5eed0123.tmp');
    await fs.writeFile(temp, partial);
    return temp;
  }

  it('a crashed rewrite leaves the old entry intact and its temp file is removed at open', async () => {
    const first = await open();
    const original = payloadOf(20_000);
    await first.set('k', original);
    const file = first.fileOf('k');
    const temp = await leaveHalfWrittenTemp(file, 'k');
    await fs.writeFile(join(dir, 'notes.txt'), 'not the cache’s');

    const second = await open();
    expect((await filesIn()).temps).toEqual([]);
    await expect(fs.readFile(join(dir, 'notes.txt'), 'utf8')).resolves.toBe('not the cache’s');
    await expect(fs.access(temp)).rejects.toThrow(/ENOENT/);
    expect((await second.get('k'))?.payload.equals(original)).toBe(true);
    expect(second.stats()).toMatchObject({ entries: 1, corrupt: 0 });
  });

  it('a crashed first write leaves no entry', async () => {
    const first = await open();
    await leaveHalfWrittenTemp(first.fileOf('other'), 'other');

    const second = await open();
    expect(second.has('other')).toBe(false);
    expect(await second.get('other')).toBeUndefined();
    expect(await filesIn()).toEqual({ entries: [], temps: [] });
  });
});

describe('DiskCache concurrency', () => {
  it('concurrent sets and gets of one key never corrupt it; the last set wins', async () => {
    const cache = await open();
    // Later writes are smaller, so without per-key ordering they would finish first and lose.
    const payloads = Array.from({ length: 8 }, (_, i) => payloadOf(2_000_000 - i * 250_000));
    const reads: Array<Promise<unknown>> = [];
    const writes = payloads.map((payload, i) => {
      reads.push(cache.get('k'));
      return cache.set('k', payload, { i });
    });
    await Promise.all([...writes, ...reads]);

    const entry = await cache.get('k');
    expect(entry?.meta).toEqual({ i: 7 });
    expect(entry?.payload.equals(payloads[7]!)).toBe(true);
    expect(await filesIn()).toMatchObject({ temps: [] });
    expect((await filesIn()).entries).toHaveLength(1);
    expect(cache.stats()).toMatchObject({ corrupt: 0, entries: 1, bytes: await bytesOnDisk() });
  });

  it('clear removes an entry whose first write was in flight, but not one set after it', async () => {
    const cache = await open();
    await cache.set('old', payloadOf(1000));
    const writing = cache.set('new', payloadOf(4 * 1024 ** 2));
    const cleared = cache.clear();
    const later = payloadOf(1000);
    const writingLater = cache.set('later', later);

    await cleared;
    expect(cache.has('old')).toBe(false);
    expect(cache.has('new')).toBe(false);
    await Promise.all([writing, writingLater]);
    expect((await cache.get('new'))?.payload.length).toBeUndefined();
    expect((await cache.get('later'))?.payload.equals(later)).toBe(true);
    expect(await filesIn()).toEqual({ entries: [basename(cache.fileOf('later'))], temps: [] });
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: await bytesOnDisk() });
  });

  it('concurrent sets of many keys keep the files, the index and the cap in agreement', async () => {
    const entryBytes = await fileBytesFor(10_000);
    const cache = await open({ capBytes: 5 * entryBytes });
    const keys = Array.from({ length: 20 }, (_, i) => `key-${i}`);
    await Promise.all(keys.map((key) => cache.set(key, payloadOf(10_000))));
    await Promise.all(keys.slice(0, 10).map((key) => cache.get(key)));

    const stats = cache.stats();
    expect(stats.bytes).toBeLessThanOrEqual(5 * entryBytes);
    expect(stats.bytes).toBe(await bytesOnDisk());
    expect(stats.entries).toBe((await filesIn()).entries.length);
    expect(stats.corrupt).toBe(0);
    for (const key of keys) {
      if (cache.has(key)) expect((await cache.get(key))?.payload.length).toBe(10_000);
    }
  });
});

describe('DiskCache bad input and I/O errors', () => {
  it('refuses a negative or NaN cap, naming the value', async () => {
    await expect(open({ capBytes: -1 })).rejects.toThrow(CacheInputError);
    const cache = await open();
    await expect(cache.setCap(Number.NaN)).rejects.toThrow(/capBytes.*NaN/);
  });

  it('refuses metadata JSON cannot carry, naming the key', async () => {
    const cache = await open();
    await expect(cache.set('k9', payloadOf(10), { when: new Date() as never })).rejects.toThrow(
      /"k9"/,
    );
    expect((await filesIn()).entries).toEqual([]);
  });

  it('refuses a payload that is not bytes', async () => {
    const cache = await open();
    await expect(cache.set('k', 'text' as never)).rejects.toThrow(/payload of "k"/);
  });

  it('recreates its folder when it is deleted while the cache runs', async () => {
    const folder = join(dir, 'vanishing');
    const cache = await DiskCache.open({ dir: folder, capBytes: 1024 ** 2 });
    await cache.set('before', payloadOf(100));
    await fs.rm(folder, { recursive: true });

    const first = payloadOf(100);
    expect(await cache.set('first', first)).toBe(true);
    expect(await cache.set('second', payloadOf(100))).toBe(true);
    expect((await cache.get('first'))?.payload.equals(first)).toBe(true);
    expect(await cache.get('before')).toBeUndefined();
    expect((await filesIn(folder)).entries).toHaveLength(2);
  });

  it('names the system error code of a failed write', async () => {
    const folder = join(dir, 'replaced');
    const cache = await DiskCache.open({ dir: folder, capBytes: 1024 ** 2 });
    await fs.rm(folder, { recursive: true });
    await fs.writeFile(folder, 'a file where the folder was');

    const error = await cache.set('k', payloadOf(100)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiskCacheIoError);
    expect((error as DiskCacheIoError).code).toBe('ENOTDIR');
    expect((error as Error).message).toMatch(/cannot write .*\.entry \(ENOTDIR\)$/);
  });

  it('an unusable folder is a DiskCacheIoError naming it', async () => {
    const file = join(dir, 'a-file');
    await fs.writeFile(file, 'x');
    const error = await DiskCache.open({ dir: file, capBytes: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DiskCacheIoError);
    expect((error as DiskCacheIoError).file).toBe(file);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/\(EEXIST\)$/);
  });
});
