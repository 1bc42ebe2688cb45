import type { ProcessMemory } from './types.js';

export function readProcessMemory(): ProcessMemory {
  const { rss, heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
  return { rss, heapUsed, heapTotal, external, arrayBuffers };
}
