import type { Logger } from '../log/logger.js';
import { readCgroupMemory } from './cgroup-probe.js';
import { GpuProbe, type GpuProbeOptions } from './gpu-probe.js';
import { readProcessMemory } from './process-probe.js';
import { readSystemMemory } from './system-probe.js';
import type { MemoryProbe, MemorySample } from './types.js';

export interface HostMemoryProbeOptions {
  logger: Logger;
  /** Filesystem root for /proc and /sys (a temp tree in tests). */
  root?: string;
  /** nvidia-smi settings; `false` skips the GPU entirely. */
  gpu?: Omit<GpuProbeOptions, 'logger'> | false;
}

/** The real probe: this process, the machine, our cgroup and NVIDIA GPUs where present. */
export class HostMemoryProbe implements MemoryProbe {
  private readonly root: string;
  private readonly gpu: GpuProbe | null;

  constructor(options: HostMemoryProbeOptions) {
    this.root = options.root ?? '/';
    this.gpu =
      options.gpu === false ? null : new GpuProbe({ ...options.gpu, logger: options.logger });
  }

  async sample(): Promise<MemorySample> {
    const [system, cgroup, gpu] = await Promise.all([
      readSystemMemory(this.root),
      readCgroupMemory(this.root),
      this.gpu ? this.gpu.read() : Promise.resolve(null),
    ]);
    // Read last so that it is the freshest figure, taken after the slower reads resolved.
    return { process: readProcessMemory(), system, cgroup, gpu, at: Date.now() };
  }
}
