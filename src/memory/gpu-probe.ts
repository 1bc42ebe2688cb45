import { execFile } from 'node:child_process';
import type { Logger } from '../log/logger.js';
import type { GpuDevice } from './types.js';

const MiB = 1024 * 1024;

export const NVIDIA_SMI_ARGS = [
  '--query-gpu=index,name,memory.total,memory.used',
  '--format=csv,noheader,nounits',
];

export class GpuProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuProbeError';
  }
}

/**
 * Parses `nvidia-smi --query-gpu=index,name,memory.total,memory.used --format=csv,noheader,nounits`
 * (memory in MiB). A GPU name may contain commas, so the numbers are taken from both ends.
 */
export function parseNvidiaSmiCsv(text: string): GpuDevice[] {
  const devices: GpuDevice[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const cells = line.split(',').map((cell) => cell.trim());
    const index = Number(cells[0]);
    const total = Number(cells[cells.length - 2]);
    const used = Number(cells[cells.length - 1]);
    const name = cells.slice(1, -2).join(', ');
    if (
      cells.length < 4 ||
      !Number.isInteger(index) ||
      !Number.isFinite(total) ||
      !Number.isFinite(used)
    ) {
      throw new GpuProbeError(
        `Unexpected nvidia-smi output line ${JSON.stringify(line)}: expected "index, name, memory.total, memory.used".`,
      );
    }
    devices.push({ index, name, totalBytes: total * MiB, usedBytes: used * MiB });
  }
  if (devices.length === 0) throw new GpuProbeError('nvidia-smi printed no GPU lines.');
  return devices;
}

export interface GpuProbeOptions {
  /** The nvidia-smi executable (a path or a name looked up on PATH). */
  command?: string;
  timeoutMs?: number;
  /** A reading younger than this is reused: checks before heavy steps must not fork a process each. */
  maxAgeMs?: number;
  /** After a failure of a present binary, wait this long before trying again. */
  retryAfterMs?: number;
  logger: Logger;
}

/**
 * GPU memory through nvidia-smi. A missing binary is remembered for the life of the process; any
 * other failure (driver hiccup, timeout, odd output) backs off for `retryAfterMs`. Either way the
 * first failure is logged once and later ones are silent.
 */
export class GpuProbe {
  private readonly command: string;
  private readonly timeoutMs: number;
  private readonly maxAgeMs: number;
  private readonly retryAfterMs: number;
  private readonly logger: Logger;
  private absent = false;
  private failureLogged = false;
  private retryAt = 0;
  private last: { devices: GpuDevice[]; at: number } | null = null;
  private inFlight: Promise<GpuDevice[] | null> | null = null;

  constructor(options: GpuProbeOptions) {
    this.command = options.command ?? 'nvidia-smi';
    this.timeoutMs = options.timeoutMs ?? 5000;
    this.maxAgeMs = options.maxAgeMs ?? 5000;
    this.retryAfterMs = options.retryAfterMs ?? 10 * 60_000;
    this.logger = options.logger;
  }

  /** True once the binary was found missing: no further attempts are made. */
  get isAbsent(): boolean {
    return this.absent;
  }

  read(): Promise<GpuDevice[] | null> {
    const now = Date.now();
    if (this.absent || now < this.retryAt) return Promise.resolve(null);
    if (this.last && now - this.last.at < this.maxAgeMs) return Promise.resolve(this.last.devices);
    this.inFlight ??= this.query().finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async query(): Promise<GpuDevice[] | null> {
    try {
      const devices = parseNvidiaSmiCsv(await this.run());
      if (this.failureLogged) {
        this.logger.info(
          { command: this.command, gpus: devices.length },
          'GPU memory probe works again',
        );
        this.failureLogged = false;
      }
      this.last = { devices, at: Date.now() };
      return devices;
    } catch (err) {
      this.last = null;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES') this.absent = true;
      else this.retryAt = Date.now() + this.retryAfterMs;
      if (!this.failureLogged) {
        this.failureLogged = true;
        this.logger.info(
          { command: this.command, code, err: (err as Error).message, willRetry: !this.absent },
          this.absent ? 'No nvidia-smi: GPU memory is not watched' : 'GPU memory probe failed',
        );
      }
      return null;
    }
  }

  /**
   * Runs nvidia-smi once. One that hangs (a wedged driver) is killed with SIGKILL at the timeout:
   * SIGTERM may be ignored, and a probe must not leave processes behind on every retry.
   */
  private run(): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        this.command,
        NVIDIA_SMI_ARGS,
        { timeout: this.timeoutMs, killSignal: 'SIGKILL', encoding: 'utf8', windowsHide: true },
        (err, stdout) => {
          if (!err) resolve(stdout);
          else if (err.killed) {
            reject(
              new GpuProbeError(
                `${this.command} timed out: no answer within ${this.timeoutMs} ms, so it was killed.`,
              ),
            );
          } else reject(err);
        },
      );
    });
  }
}
