import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readSystemMemory } from './system-probe.js';

const KiB = 1024;
const roots: string[] = [];

async function fakeRoot(meminfo?: string): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'sam-meminfo-'));
  roots.push(root);
  if (meminfo !== undefined) {
    await mkdir(path.join(root, 'proc'));
    await writeFile(path.join(root, 'proc/meminfo'), meminfo);
  }
  return root;
}

afterEach(async () => {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
});

describe('readSystemMemory', () => {
  it('reads MemTotal and MemAvailable from /proc/meminfo in bytes', async () => {
    const root = await fakeRoot(
      [
        'MemTotal:       16318412 kB',
        'MemFree:          512000 kB',
        'MemAvailable:    8159206 kB',
        'Buffers:          100000 kB',
        'Cached:          4000000 kB',
        'Active(anon):    2000000 kB',
        'HugePages_Total:       0',
        '',
      ].join('\n'),
    );
    expect(await readSystemMemory(root)).toEqual({
      totalBytes: 16318412 * KiB,
      availableBytes: 8159206 * KiB,
      source: 'meminfo',
    });
  });

  it('estimates available memory on kernels without MemAvailable', async () => {
    const root = await fakeRoot(
      'MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\n',
    );
    expect((await readSystemMemory(root)).availableBytes).toBe(420 * KiB);
  });

  it('falls back to the os module when there is no /proc/meminfo', async () => {
    const system = await readSystemMemory(await fakeRoot());
    expect(system.source).toBe('os');
    expect(system.totalBytes).toBe(os.totalmem());
    expect(system.availableBytes).toBeGreaterThan(0);
  });

  it.runIf(process.platform === 'linux')('agrees with the kernel on this host', async () => {
    const system = await readSystemMemory();
    expect(system.source).toBe('meminfo');
    // os.totalmem() is sysinfo's totalram: the same number as MemTotal.
    expect(system.totalBytes).toBe(os.totalmem());
    expect(system.availableBytes).toBeGreaterThan(0);
    expect(system.availableBytes).toBeLessThanOrEqual(system.totalBytes);
  });
});
