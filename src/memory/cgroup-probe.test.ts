import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseLimit, parseProcCgroup, readCgroupMemory } from './cgroup-probe.js';

const MiB = 1024 * 1024;
const roots: string[] = [];

/** Writes a fake filesystem: keys are paths below the root, values the file contents. */
async function fakeRoot(files: Record<string, string>): Promise<string> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'sam-cgroup-'));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), text);
  }
  return root;
}

afterEach(async () => {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
});

const V1_UNLIMITED = '9223372036854771712\n';

describe('cgroup v2', () => {
  const app = 'sys/fs/cgroup/user.slice/app.service';

  it('reads usage of our own cgroup and the tightest limit along its ancestors', async () => {
    const root = await fakeRoot({
      'proc/self/cgroup': '0::/user.slice/app.service\n',
      'sys/fs/cgroup/cgroup.controllers': 'cpu memory pids\n',
      'sys/fs/cgroup/user.slice/memory.max': `${2048 * MiB}\n`,
      [`${app}/memory.max`]: 'max\n',
      [`${app}/memory.current`]: `${1024 * MiB}\n`,
      [`${app}/memory.stat`]: `anon ${700 * MiB}\nfile ${300 * MiB}\ninactive_file ${200 * MiB}\n`,
    });
    expect(await readCgroupMemory(root)).toEqual({
      version: 2,
      dir: path.join(root, app),
      limitBytes: 2048 * MiB,
      usageBytes: 1024 * MiB,
      workingSetBytes: 824 * MiB,
    });
  });

  it('prefers our own limit when it is tighter than the parent', async () => {
    const root = await fakeRoot({
      'proc/self/cgroup': '0::/user.slice/app.service\n',
      'sys/fs/cgroup/user.slice/memory.max': `${2048 * MiB}\n`,
      [`${app}/memory.max`]: `${512 * MiB}\n`,
      [`${app}/memory.current`]: `${100 * MiB}\n`,
    });
    const cgroup = await readCgroupMemory(root);
    expect(cgroup?.limitBytes).toBe(512 * MiB);
    // No memory.stat: the working set is the whole usage.
    expect(cgroup?.workingSetBytes).toBe(100 * MiB);
  });

  it('reports no limit when every level says "max"', async () => {
    const root = await fakeRoot({
      'proc/self/cgroup': '0::/user.slice/app.service\n',
      'sys/fs/cgroup/user.slice/memory.max': 'max\n',
      [`${app}/memory.max`]: 'max\n',
      [`${app}/memory.current`]: `${100 * MiB}\n`,
    });
    const cgroup = await readCgroupMemory(root);
    expect(cgroup).not.toBeNull();
    expect(cgroup?.limitBytes).toBeNull();
  });

  it('finds a container cgroup mounted as the root of /sys/fs/cgroup (mountinfo)', async () => {
    const root = await fakeRoot({
      'proc/self/cgroup': '0::/kubepods/pod42/ctr\n',
      'proc/self/mountinfo':
        '22 21 0:30 / / rw - overlay overlay rw\n' +
        '31 22 0:28 /kubepods/pod42/ctr /sys/fs/cgroup ro,nosuid - cgroup2 cgroup2 rw,nsdelegate\n',
      'sys/fs/cgroup/memory.max': `${256 * MiB}\n`,
      'sys/fs/cgroup/memory.current': `${64 * MiB}\n`,
    });
    const cgroup = await readCgroupMemory(root);
    expect(cgroup?.dir).toBe(path.join(root, 'sys/fs/cgroup'));
    expect(cgroup?.limitBytes).toBe(256 * MiB);
    expect(cgroup?.usageBytes).toBe(64 * MiB);
  });

  it('reads the mount point itself when a cgroup namespace shows our path as "/"', async () => {
    const root = await fakeRoot({
      'proc/self/cgroup': '0::/\n',
      'sys/fs/cgroup/memory.max': `${300 * MiB}\n`,
      'sys/fs/cgroup/memory.current': `${30 * MiB}\n`,
    });
    expect((await readCgroupMemory(root))?.limitBytes).toBe(300 * MiB);
  });

  it('is null in the host root cgroup, which has no memory.current', async () => {
    const root = await fakeRoot({
      'proc/self/cgroup': '0::/\n',
      'sys/fs/cgroup/cgroup.controllers': 'cpu memory\n',
    });
    expect(await readCgroupMemory(root)).toBeNull();
  });
});

describe('cgroup v1', () => {
  const docker = 'sys/fs/cgroup/memory/docker/abc123';
  const membership = [
    '12:pids:/docker/abc123',
    '4:memory:/docker/abc123',
    '3:cpu,cpuacct:/docker/abc123',
    '1:name=systemd:/docker/abc123',
    '0::/system.slice/docker.service',
    '',
  ].join('\n');

  it('reads limit_in_bytes and usage_in_bytes, preferring v1 memory on a hybrid host', async () => {
    const root = await fakeRoot({
      'proc/self/cgroup': membership,
      'sys/fs/cgroup/memory/memory.limit_in_bytes': V1_UNLIMITED,
      // A v2 file that must be ignored: the memory controller is on v1 here.
      'sys/fs/cgroup/unified/system.slice/docker.service/memory.max': '1\n',
      [`${docker}/memory.limit_in_bytes`]: `${512 * MiB}\n`,
      [`${docker}/memory.usage_in_bytes`]: `${400 * MiB}\n`,
      [`${docker}/memory.stat`]: `cache ${150 * MiB}\ninactive_file ${10 * MiB}\ntotal_inactive_file ${120 * MiB}\n`,
    });
    expect(await readCgroupMemory(root)).toEqual({
      version: 1,
      dir: path.join(root, docker),
      limitBytes: 512 * MiB,
      usageBytes: 400 * MiB,
      workingSetBytes: 280 * MiB,
    });
  });

  it('treats the huge "unlimited" sentinel as no limit', async () => {
    const root = await fakeRoot({
      'proc/self/cgroup': membership,
      'sys/fs/cgroup/memory/memory.limit_in_bytes': V1_UNLIMITED,
      [`${docker}/memory.limit_in_bytes`]: V1_UNLIMITED,
      [`${docker}/memory.usage_in_bytes`]: `${400 * MiB}\n`,
    });
    const cgroup = await readCgroupMemory(root);
    expect(cgroup?.version).toBe(1);
    expect(cgroup?.limitBytes).toBeNull();
  });

  it('uses the mount point when our path is not visible inside the container', async () => {
    const root = await fakeRoot({
      'proc/self/cgroup': membership,
      'sys/fs/cgroup/memory/memory.limit_in_bytes': `${128 * MiB}\n`,
      'sys/fs/cgroup/memory/memory.usage_in_bytes': `${12 * MiB}\n`,
    });
    const cgroup = await readCgroupMemory(root);
    expect(cgroup?.dir).toBe(path.join(root, 'sys/fs/cgroup/memory'));
    expect(cgroup?.limitBytes).toBe(128 * MiB);
  });
});

describe('cgroup parsing', () => {
  it('is null without /proc/self/cgroup (not Linux)', async () => {
    expect(await readCgroupMemory(await fakeRoot({}))).toBeNull();
  });

  it('keeps paths containing ":" whole', () => {
    expect(parseProcCgroup('0::/a:b/c\n')).toEqual({ memoryV1: null, unified: '/a:b/c' });
  });

  it('reads limits: numbers, "max", the v1 sentinel and garbage', () => {
    expect(parseLimit('536870912\n')).toBe(536870912);
    expect(parseLimit('max\n')).toBeNull();
    expect(parseLimit(V1_UNLIMITED)).toBeNull();
    expect(parseLimit('-1')).toBeNull();
    expect(parseLimit(null)).toBeNull();
  });

  it.runIf(process.platform === 'linux')('reads this host without failing', async () => {
    const cgroup = await readCgroupMemory();
    if (cgroup === null) return; // a host without a visible memory controller
    expect(cgroup.usageBytes).toBeGreaterThan(0);
    expect(cgroup.workingSetBytes).toBeLessThanOrEqual(cgroup.usageBytes);
    if (cgroup.limitBytes !== null) expect(cgroup.limitBytes).toBeGreaterThan(0);
  });
});
