import { stat } from 'node:fs/promises';
import type { InferenceSession } from 'onnxruntime-node';

/** What LazySession needs of a session: a way to free it, and whether it still works. */
export interface ReleasableSession {
  release(): Promise<void>;
  /** True when the session can no longer run (its worker thread died): it is opened again. */
  readonly closed?: boolean;
}

/** Opens the session of a file; may check what it declares before handing it out. */
export type SessionOpener<S> = (file: string) => Promise<S>;

/** One loaded (or loading) session and the runs that hold it. */
interface Loaded<S> {
  session: Promise<S>;
  users: number;
  onDrained: (() => void)[];
}

/**
 * One model file's ONNX Runtime session, created on first use and again after release().
 * Runs in flight keep their session: release() lets them finish before freeing it, and a run
 * that starts meanwhile simply loads a fresh one.
 */
export class LazySession<S extends ReleasableSession = InferenceSession> {
  private current: Loaded<S> | null = null;
  private lastUsedAt = Date.now();

  constructor(
    readonly file: string,
    private readonly open: SessionOpener<S>,
    /** Adopted as the loaded session (the factory opens both files to detect the contracts). */
    initial?: S,
  ) {
    if (initial) this.current = { session: Promise.resolve(initial), users: 0, onDrained: [] };
  }

  get loaded(): boolean {
    return this.current !== null;
  }

  get busy(): boolean {
    return (this.current?.users ?? 0) > 0;
  }

  /** Milliseconds since the last run finished (or the session was loaded); 0 while busy. */
  idleMs(now = Date.now()): number {
    return this.busy ? 0 : now - this.lastUsedAt;
  }

  /** Runs `work` with the session, loading it first if needed. */
  async use<T>(work: (session: S) => Promise<T>): Promise<T> {
    const entry = this.acquire();
    entry.users += 1;
    try {
      const session = await entry.session;
      if (!session.closed) return await work(session);
      // Its thread died: forget it (nothing more to free) and run on a fresh one.
      if (this.current === entry) this.current = null;
      return await this.use(work);
    } finally {
      entry.users -= 1;
      this.lastUsedAt = Date.now();
      if (entry.users === 0) for (const resolve of entry.onDrained.splice(0)) resolve();
    }
  }

  /**
   * Frees the native session once the runs holding it are done; resolves to the model file's
   * size (roughly what its weights cost in memory), 0 when nothing was loaded.
   */
  async release(): Promise<number> {
    const entry = this.current;
    if (!entry) return 0;
    this.current = null;
    if (entry.users > 0) await new Promise<void>((resolve) => entry.onDrained.push(resolve));
    const session = await entry.session.catch(() => null);
    if (!session) return 0;
    await session.release();
    return (await stat(this.file).catch(() => ({ size: 0 }))).size;
  }

  private acquire(): Loaded<S> {
    if (!this.current) {
      const entry: Loaded<S> = { session: this.open(this.file), users: 0, onDrained: [] };
      this.current = entry;
      // A failed load is not kept: the next use tries again.
      entry.session.catch(() => {
        if (this.current === entry) this.current = null;
      });
    }
    this.lastUsedAt = Date.now();
    return this.current;
  }
}
