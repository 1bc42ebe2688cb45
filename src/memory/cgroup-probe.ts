import { readFile } from 'node:fs/promises';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { CgroupMemory } from './types.js';

/**
 * cgroup v1 reports "no limit" as LONG_MAX rounded down to the page size
 * (9223372036854771712 with 4 KiB pages); anything this large cannot be a real limit.
 */
const V1_UNLIMITED_FLOOR = 2 ** 60;

/** Where this process sits in the cgroup hierarchies, from /proc/self/cgroup. */
export interface CgroupMembership {
  /** Path in the v1 hierarchy that has the memory controller; null when there is none. */
  memoryV1: string | null;
  /** Path in the unified (v2) hierarchy; null when the process is not in one. */
  unified: string | null;
}

export function parseProcCgroup(text: string): CgroupMembership {
  const membership: CgroupMembership = { memoryV1: null, unified: null };
  for (const line of text.split('\n')) {
    // hierarchy-id:controller-list:path — the path itself may contain ':'.
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) continue;
    const id = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const cgroupPath = line.slice(second + 1).trim();
    if (id === '0' && controllers === '') membership.unified = cgroupPath;
    else if (controllers.split(',').includes('memory')) membership.memoryV1 = cgroupPath;
  }
  return membership;
}

/** A mounted cgroup hierarchy: `root` is the hierarchy path that appears at `mountPoint`. */
export interface CgroupMount {
  version: 1 | 2;
  mountPoint: string;
  root: string;
}

/** The memory-controller v1 mounts and the cgroup2 mounts listed in /proc/self/mountinfo. */
export function parseMountinfo(text: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of text.split('\n')) {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const fields = left.split(' ');
    const [fsType, , superOptions = ''] = right.split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (root === undefined || mountPoint === undefined) continue;
    if (fsType === 'cgroup2') {
      mounts.push({
        version: 2,
        mountPoint: unescapeMountPath(mountPoint),
        root: unescapeMountPath(root),
      });
    } else if (fsType === 'cgroup' && superOptions.split(',').includes('memory')) {
      mounts.push({
        version: 1,
        mountPoint: unescapeMountPath(mountPoint),
        root: unescapeMountPath(root),
      });
    }
  }
  return mounts;
}

/** mountinfo writes space, tab, newline and backslash as octal escapes (`\040`). */
function unescapeMountPath(text: string): string {
  return text.replace(/\\([0-7]{3})/g, (_, octal: string) =>
    String.fromCharCode(parseInt(octal, 8)),
  );
}

const DEFAULT_MOUNTS: Record<1 | 2, CgroupMount> = {
  1: { version: 1, mountPoint: '/sys/fs/cgroup/memory', root: '/' },
  2: { version: 2, mountPoint: '/sys/fs/cgroup', root: '/' },
};

const FILES = {
  1: {
    limit: 'memory.limit_in_bytes',
    usage: 'memory.usage_in_bytes',
    inactive: 'total_inactive_file',
  },
  2: { limit: 'memory.max', usage: 'memory.current', inactive: 'inactive_file' },
} as const;

/**
 * Reads the memory controller of this process's own cgroup. `root` is the filesystem root the
 * /proc and /sys paths are read under (a temp tree in tests). Null when no memory controller is
 * visible (not Linux, no cgroup, v2 root cgroup, hybrid setups without a v1 memory hierarchy).
 */
export async function readCgroupMemory(root = '/'): Promise<CgroupMemory | null> {
  const membershipText = await readOptional(path.join(root, 'proc/self/cgroup'));
  if (membershipText === null) return null;
  const membership = parseProcCgroup(membershipText);
  // A hybrid host lists a v2 path too, but its memory controller lives in the v1 hierarchy.
  const version: 1 | 2 | null =
    membership.memoryV1 !== null ? 1 : membership.unified !== null ? 2 : null;
  if (version === null) return null;
  const cgroupPath = (version === 1 ? membership.memoryV1 : membership.unified) ?? '/';

  const mountinfo = await readOptional(path.join(root, 'proc/self/mountinfo'));
  const mount =
    (mountinfo === null ? [] : parseMountinfo(mountinfo)).find((m) => m.version === version) ??
    DEFAULT_MOUNTS[version];
  const top = path.join(root, mount.mountPoint);
  const dir = await ownDir(top, mount.root, cgroupPath);
  const files = FILES[version];

  const usage = parseByteCount(await readOptional(path.join(dir, files.usage)));
  if (usage === null) return null;
  const inactive = parseStatField(
    await readOptional(path.join(dir, 'memory.stat')),
    files.inactive,
  );
  return {
    version,
    dir,
    limitBytes: await tightestLimit(top, dir, files.limit),
    usageBytes: usage,
    workingSetBytes: Math.max(0, usage - (inactive ?? 0)),
  };
}

/**
 * The directory of our cgroup under the mount. Inside a container the mount often shows only our
 * own subtree (mount root = our path, or a cgroup namespace hiding it): then the mount point is it.
 */
async function ownDir(top: string, mountRoot: string, cgroupPath: string): Promise<string> {
  let relative: string | null = null;
  if (mountRoot === '/') relative = cgroupPath;
  else if (cgroupPath === mountRoot || cgroupPath.startsWith(mountRoot + '/')) {
    relative = cgroupPath.slice(mountRoot.length);
  }
  if (relative !== null) {
    const candidate = path.join(top, relative);
    if (await isDirectory(candidate)) return candidate;
  }
  return top;
}

/** A limit on any ancestor also binds us, so the smallest one along the path wins. */
async function tightestLimit(top: string, dir: string, file: string): Promise<number | null> {
  let tightest: number | null = null;
  for (let current = dir; ; current = path.dirname(current)) {
    const limit = parseLimit(await readOptional(path.join(current, file)));
    if (limit !== null && (tightest === null || limit < tightest)) tightest = limit;
    if (current === top || !current.startsWith(top + path.sep)) break;
  }
  return tightest;
}

/** "max" (v2), the v1 sentinel, a missing file or garbage all mean "no limit". */
export function parseLimit(text: string | null): number | null {
  const bytes = parseByteCount(text);
  if (bytes === null || bytes >= V1_UNLIMITED_FLOOR) return null;
  return bytes;
}

function parseByteCount(text: string | null): number | null {
  if (text === null) return null;
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  return Number(trimmed);
}

function parseStatField(text: string | null, field: string): number | null {
  if (text === null) return null;
  const match = new RegExp(`^${field} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return null;
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}
