import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SystemMemory } from './types.js';

/** Values of /proc/meminfo in bytes, by field name (`MemTotal`, `MemAvailable`, ...). */
export function parseMeminfo(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([\w()]+):\s+(\d+)(\s+kB)?\s*$/.exec(line);
    if (!match) continue;
    const value = Number(match[2]);
    fields.set(match[1]!, match[3] ? value * 1024 : value);
  }
  return fields;
}

/** Total and available memory from a /proc/meminfo text; null when MemTotal is missing. */
export function systemMemoryFromMeminfo(text: string): SystemMemory | null {
  const fields = parseMeminfo(text);
  const total = fields.get('MemTotal');
  if (!total) return null;
  // Kernels before 3.14 have no MemAvailable; free + buffers + page cache is the usual estimate.
  const available =
    fields.get('MemAvailable') ??
    (fields.get('MemFree') ?? 0) + (fields.get('Buffers') ?? 0) + (fields.get('Cached') ?? 0);
  return { totalBytes: total, availableBytes: Math.min(available, total), source: 'meminfo' };
}

/**
 * Reads `<root>/proc/meminfo`; off Linux (or when it cannot be read) falls back to os.freemem(),
 * which on Linux would under-report by counting page cache as used.
 */
export async function readSystemMemory(root = '/'): Promise<SystemMemory> {
  try {
    const parsed = systemMemoryFromMeminfo(await readFile(path.join(root, 'proc/meminfo'), 'utf8'));
    if (parsed) return parsed;
  } catch {
    // No procfs here: the os module still knows the totals.
  }
  return { totalBytes: os.totalmem(), availableBytes: os.freemem(), source: 'os' };
}
