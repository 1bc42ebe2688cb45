import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostMemoryProbe } from './host-probe.js';
import { capturingLogger } from './test-support.js';

const MiB = 1024 * 1024;
const roots: string[] = [];

afterEach(async () => {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
});

describe('HostMemoryProbe', () => {
  it('combines all four probes from one filesystem root and one nvidia-smi', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'sam-host-'));
    roots.push(root);
    const files: Record<string, string> = {
      'proc/meminfo': 'MemTotal: 8388608 kB\nMemFree: 1048576 kB\nMemAvailable: 4194304 kB\n',
      'proc/self/cgroup': '0::/app\n',
      'sys/fs/cgroup/app/memory.max': `${2048 * MiB}\n`,
      'sys/fs/cgroup/app/memory.current': `${512 * MiB}\n`,
      'bin/nvidia-smi': "#!/bin/sh\necho '0, NVIDIA L4, 23034, 512'\n",
    };
    for (const [file, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, file)), { recursive: true });
      await writeFile(path.join(root, file), text);
    }
    await chmod(path.join(root, 'bin/nvidia-smi'), 0o755);
    const { logger } = capturingLogger();
    const probe = new HostMemoryProbe({
      logger,
      root,
      gpu: { command: path.join(root, 'bin/nvidia-smi') },
    });

    const sample = await probe.sample();

    expect(sample.system).toEqual({
      totalBytes: 8192 * MiB,
      availableBytes: 4096 * MiB,
      source: 'meminfo',
    });
    expect(sample.cgroup).toMatchObject({
      version: 2,
      limitBytes: 2048 * MiB,
      usageBytes: 512 * MiB,
    });
    expect(sample.gpu).toEqual([
      { index: 0, name: 'NVIDIA L4', totalBytes: 23034 * MiB, usedBytes: 512 * MiB },
    ]);
    // The process figures are this process's own.
    expect(sample.process.rss).toBeGreaterThan(sample.process.heapUsed);
    expect(sample.process.heapTotal).toBeGreaterThanOrEqual(sample.process.heapUsed);
  });

  it('samples this host, without a GPU probe when told so', async () => {
    const { logger, lines } = capturingLogger();
    const probe = new HostMemoryProbe({ logger, gpu: false });
    const before = Date.now();
    const sample = await probe.sample();
    expect(sample.gpu).toBeNull();
    expect(sample.at).toBeGreaterThanOrEqual(before);
    expect(sample.system.totalBytes).toBe(os.totalmem());
    expect(sample.process.rss).toBeGreaterThan(0);
    expect(lines).toEqual([]);
  });
});
