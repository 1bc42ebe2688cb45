import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ExportError } from './errors.js';
import { StagedDirectory, writeStaged } from './staged-directory.js';

describe('StagedDirectory', () => {
  let parent: string;
  beforeEach(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'staged-'));
  });
  afterEach(async () => {
    await rm(parent, { recursive: true, force: true });
  });

  it('writes into a hidden folder and renames it into place on success', async () => {
    const dest = path.join(parent, 'out');
    await writeStaged(dest, {}, async (dir) => {
      await dir.writeFile('a/b.txt', 'hello');
      const text = await dir.openText('big.txt');
      for (let i = 0; i < 300_000; i++) text.write(`line ${i}\n`);
      await text.flushIfFull();
      expect(await readdir(parent)).toEqual([path.basename(dir.root)]);
      expect(path.basename(dir.root).startsWith('.out.partial-')).toBe(true);
    });
    expect(await readFile(path.join(dest, 'a', 'b.txt'), 'utf8')).toBe('hello');
    const big = await readFile(path.join(dest, 'big.txt'), 'utf8');
    expect(big.split('\n')).toHaveLength(300_001);
    expect(await readdir(parent)).toEqual(['out']);
  });

  it('leaves nothing behind when the writer fails', async () => {
    const dest = path.join(parent, 'out');
    await expect(
      writeStaged(dest, {}, async (dir) => {
        await dir.writeFile('x.txt', 'partial');
        await dir.openText('open.txt');
        throw new Error('disk on fire');
      }),
    ).rejects.toThrow('disk on fire');
    expect(await readdir(parent)).toEqual([]);
  });

  it('refuses an existing destination unless overwrite, before writing anything', async () => {
    const dest = path.join(parent, 'out');
    await mkdir(dest);
    await writeFile(path.join(dest, 'old.txt'), 'old');
    await expect(StagedDirectory.open(dest)).rejects.toThrow(ExportError);
    await expect(StagedDirectory.open(dest)).rejects.toThrow(/already exists/);
    expect((await readdir(parent)).sort()).toEqual(['out']);
  });

  it('refuses a file in the way even with overwrite', async () => {
    const dest = path.join(parent, 'out');
    await writeFile(dest, 'a file');
    await expect(StagedDirectory.open(dest, { overwrite: true })).rejects.toThrow(/not a folder/);
  });

  it('replaces an existing destination only once the new one is complete', async () => {
    const dest = path.join(parent, 'out');
    await mkdir(dest);
    await writeFile(path.join(dest, 'old.txt'), 'old');
    await expect(
      writeStaged(dest, { overwrite: true }, async (dir) => {
        await dir.writeFile('new.txt', 'new');
        throw new Error('failed half way');
      }),
    ).rejects.toThrow('failed half way');
    expect(await readdir(dest)).toEqual(['old.txt']);
    await writeStaged(dest, { overwrite: true }, async (dir) => {
      await dir.writeFile('new.txt', 'new');
    });
    expect(await readdir(dest)).toEqual(['new.txt']);
    expect(await readdir(parent)).toEqual(['out']);
  });

  it('refuses at commit a destination that appeared while writing', async () => {
    const dest = path.join(parent, 'out');
    await expect(
      writeStaged(dest, {}, async (dir) => {
        await dir.writeFile('new.txt', 'new');
        await mkdir(dest);
        await writeFile(path.join(dest, 'theirs.txt'), 'theirs');
      }),
    ).rejects.toThrow(/already exists/);
    expect(await readdir(dest)).toEqual(['theirs.txt']);
    expect(await readdir(parent)).toEqual(['out']);
  });

  it('keeps every output path inside the export', async () => {
    const dir = await StagedDirectory.open(path.join(parent, 'out'));
    for (const bad of ['../x', '/etc/passwd', 'a//b', 'a/./b', '']) {
      expect(() => dir.pathOf(bad)).toThrow(ExportError);
    }
    await dir.discard();
  });

  it('counts files and forgets removed scratch files', async () => {
    const dest = path.join(parent, 'out');
    const files = await writeStaged(dest, {}, async (dir) => {
      await dir.writeFile('a.txt', 'a');
      await dir.openText('scratch.part');
      await dir.remove('scratch.part');
      return dir.files;
    });
    expect(files).toBe(1);
    expect(await readdir(dest)).toEqual(['a.txt']);
  });
});
