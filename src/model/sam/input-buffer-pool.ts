/**
 * Spare buffers for the encoder's float32 inputs (12 MB for a 1024 frame), handed back by the
 * encoder's thread after each run. A new input written into one costs no fresh memory: a new
 * 12 MB array is zeroed and faulted in page by page by the kernel, CPU time that an embedding
 * batch takes from the encoder it overlaps with (bench/embed.ts, cpuMsPerImage).
 */
export class InputBufferPool {
  private readonly spare: ArrayBuffer[] = [];

  constructor(
    readonly byteLength: number,
    /** Enough for the inputs made ahead while one encodes; more would only hold memory. */
    private readonly keep = 2,
  ) {}

  /** A spare buffer of `byteLength` bytes with stale contents, if one is there. */
  take(): ArrayBuffer | undefined {
    return this.spare.pop();
  }

  /** Keeps `buffer` for a later input, if it has the size and the pool has room. */
  give(buffer: ArrayBuffer): void {
    if (buffer.byteLength === this.byteLength && this.spare.length < this.keep) {
      this.spare.push(buffer);
    }
  }

  get size(): number {
    return this.spare.length;
  }

  clear(): void {
    this.spare.length = 0;
  }
}
